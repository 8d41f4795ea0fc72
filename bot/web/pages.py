"""HTML pages of the public ledger: the ledger page, one page per round (event) and one per prison.

What each page shows is gathered here from a PublicLedger into small views; the templates in
bot/web/templates write it out (bot.web.templating: Jinja2, autoescaped, words from the gettext
catalogs). The page shows exactly what families were shown: sure figures, one line per verifier,
each speaker named the same way in every alert of a round. No script, no external request: the
style sheet is inline and allowed by its hash in the Content-Security-Policy (bot.web.server), the
chart is an image of this site. Links are relative, so the page works under any path a reverse
proxy gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..alerts import Shown, dispute_text, head_of, shown, unverified
from ..charts import ChartData, chart_data
from ..figures import Figure, Role
from ..i18n import LANGS, date_text, t
from ..store import parse_iso
from .ledger import PublicEvent, PublicLedger, Report, prison_slug
from .templating import CSS, CSS_HASH, Href, render

__all__ = ["CSS", "CSS_HASH", "PAGE_SIZE", "Href", "event_page", "ledger_page", "not_found_page", "pages_count", "prison_page"]

LANG_NAMES = {"es": "Español", "en": "English"}
PAGE_SIZE = 20  # rounds per page: a few kB of HTML each time, whatever the ledger's length


@dataclass(frozen=True)
class FigureView:
    """One figure as a line of the page: 'Confirmed: 61 — Foro Penal, via Andes Post (26 Dec 2025)'."""

    role: str
    value: int
    who: str  # the speaker, in the reader's language, the round's one name for it; "" when the outlet counted
    outlet: str
    link: str
    published: datetime | None
    quote: str


@dataclass(frozen=True)
class HistoryView:
    """One alert families received about the round."""

    revision: int
    update: int  # 0 for the first alert, then 1, 2 … for each update
    dated: datetime  # the news' own date
    kind: str  # the headline's kind, a CSS marker: confirmed | announced | update | reported
    headline: str
    title: str
    link: str
    outlet: str


@dataclass(frozen=True)
class RoundView:
    """A round of releases as the page shows it."""

    id: int
    kind: str  # confirmed | announced | reported: the card's CSS marker
    date: datetime
    places: tuple[str, ...]
    official: FigureView | None
    verifiers: tuple[FigureView, ...]
    gap: int | None
    dispute: str | None
    known: str | None  # without numbers, what is known: reported | announced | confirmed
    trigger: dict[str, Any]  # the latest alert's item: outlet, title, link (the outlet's own words)
    reports: tuple[Report, ...]
    history: tuple[HistoryView, ...]


@dataclass(frozen=True)
class RunningView:
    """A speaker's running count over the campaign: its highest figure, its start, its history."""

    role: str
    by: str  # as given; the template names it in the reader's language
    value: int
    since: date | None
    outlet: str
    link: str
    published: datetime
    history: tuple[tuple[int, datetime], ...]  # each value it gave, first date given, oldest first


def pages_count(ledger: PublicLedger) -> int:
    return max(1, -(-len(ledger.events) // PAGE_SIZE))


def _figure(view: Shown, f: Figure, lang: str) -> FigureView:
    return FigureView(str(f.role), f.value, view.who(lang, f) if f.by else "", f.outlet, f.link, f.published, f.quote)


def round_view(pe: PublicEvent, lang: str) -> RoundView:
    snap = pe.snapshot
    view = shown(snap)
    ev = pe.event
    head = head_of(snap, lang)
    known = None
    if view.official is None and not view.verifiers:
        known = "reported" if unverified(snap) else head.kind
    first = pe.revisions[0].revision
    history = []
    for r in reversed(pe.revisions):
        trigger = r.snapshot.get("trigger") or {}
        h = head_of(r.snapshot, lang, update=r.revision != first)
        history.append(HistoryView(r.revision, r.revision - first, r.dated, h.kind, h.text, str(trigger.get("title") or ""),
                                   str(trigger.get("link") or ""), str(trigger.get("outlet") or "")))
    return RoundView(
        id=pe.id, kind=head.kind, date=ev.first_published, places=ev.prisons,
        official=_figure(view, view.official, lang) if view.official else None,
        verifiers=tuple(_figure(view, f, lang) for f in view.verifiers),
        gap=ev.gap if view.official and view.verifiers else None,
        dispute=dispute_text(snap, lang, view, pe.disputed_in), known=known,
        trigger=dict(snap.get("trigger") or {}), reports=pe.reports, history=tuple(history))


def running_views(ledger: PublicLedger) -> list[RunningView]:
    """One line per speaker and role: verifiers' counts first, then officials' claims, highest first."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for rc in ledger.running:  # oldest first
        groups.setdefault((rc.role, rc.by), []).append(rc)
    out = []
    for (role, by), counts in groups.items():
        top = max(counts, key=lambda rc: (rc.value, rc.published))
        since = next((rc.since for rc in reversed(counts) if rc.since), None)
        history: dict[int, datetime] = {}
        for rc in counts:
            history.setdefault(rc.value, rc.published)
        out.append(RunningView(role, by, top.value, since, top.outlet, top.link, top.published,
                               tuple(sorted(history.items(), key=lambda vd: vd[1]))))
    return sorted(out, key=lambda rv: (rv.role != Role.CONFIRMED, -rv.value))


def _chart(ledger: PublicLedger, lang: str) -> ChartData:
    # bot.charts reads a published record (bot.store.Published): the public ledger is one
    return chart_data(ledger, lang)


def _base(ledger: PublicLedger, lang: str, href: Href, path: str | None, title: str,
          feed_query: dict[str, str] | None = None) -> dict[str, Any]:
    """What every page's frame needs; path (relative to the root) is where the language switch leads."""
    switch = [(code, LANG_NAMES[code], href(path if path is not None else "", {"lang": code}), code == lang)
              for code in LANGS]
    return {"href": href, "title": title, "switch": switch, "updated": ledger.updated,
            "feed_query": {"lang": lang, **(feed_query or {})}, "prison_slug": prison_slug}


def ledger_page(ledger: PublicLedger, lang: str, href: Href, page: int = 1) -> str:
    """The public ledger: running counts, who counts how many still held, the rounds (newest
    first, PAGE_SIZE a page), the chart with its numbers, the data to download."""
    rounds = [round_view(pe, lang) for pe in ledger.events[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]]
    counts = [{**tl, "published": parse_iso(tl["published"])} for tl in ledger.current_counts()]
    chart = _chart(ledger, lang)
    return render(lang, "ledger.html", **_base(ledger, lang, href, "", t(lang, "status.title")),
                  rounds=rounds, running=running_views(ledger), counts=counts, page=page,
                  pages=pages_count(ledger), chart=chart, chart_version=ledger.fingerprint[:12])


def event_page(ledger: PublicLedger, pe: PublicEvent, lang: str, href: Href) -> str:
    """One round: its heading, its figures with their quotes, the dispute, the sources with their
    dates, and every alert families received about it."""
    r = round_view(pe, lang)
    title = round_title(r, lang)
    return render(lang, "event.html", **_base(ledger, lang, href, f"event/{pe.id}", title), r=r)


def prison_page(ledger: PublicLedger, prison: str, lang: str, href: Href) -> str:
    """One prison: its rounds and every figure given for them."""
    rounds = [round_view(pe, lang) for pe in ledger.events_at(prison)]
    slug = prison_slug(prison)
    return render(lang, "prison.html", **_base(ledger, lang, href, f"prison/{slug}", prison, {"prison": slug}),
                  prison=prison, slug=slug, rounds=rounds)


def not_found_page(ledger: PublicLedger, lang: str, href: Href, message: str = "web.not_found") -> str:
    return render(lang, "not_found.html", **_base(ledger, lang, href, None, t(lang, message)), message=t(lang, message))


def round_title(r: RoundView, lang: str) -> str:
    """'Releases of December 25, 2025 — Tocorón, Las Crisálidas': a round's heading as text."""
    place = ", ".join(r.places) or t(lang, "status.place_unknown")
    return t(lang, "web.round_heading", date=date_text(lang, r.date), place=place)
