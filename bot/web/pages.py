"""HTML pages of the public ledger, rendered on the server: the ledger page and one page per event.

Pure functions from a PublicLedger to a string. Every value that came from a feed or the store is
escaped here (bot.alerts.esc / link: http(s) links only); the only markup is ours. No script, no
external request: the style sheet is inline and allowed by its hash in the Content-Security-Policy
(bot.web.server), the chart is an image of this site. Links are relative, so the page works under
any path a reverse proxy gives it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from ..alerts import esc, headline, link
from ..events import Event, Figure
from ..i18n import LANGS, day, num, t
from ..store import parse_iso
from .ledger import PublicEvent, PublicLedger

Href = Callable[[str, dict[str, str]], str]  # (path relative to the site root, query) -> href

CSS = (
    ":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fdfdfb;--mute:#595959;--line:#d8d8d8;--ann:#8a4b00;--conf:#1d6b3a}"
    "@media(prefers-color-scheme:dark){:root{--fg:#ececec;--bg:#151515;--mute:#b0b0b0;--line:#3a3a3a;"
    "--ann:#f0b868;--conf:#86d6a0}}"
    "*{box-sizing:border-box}"
    "body{margin:0 auto;max-width:46rem;padding:.75rem 1rem 2rem;font:1rem/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg)}"
    "header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.25rem 1rem;"
    "border-bottom:1px solid var(--line)}"
    "h1{font-size:1.35rem;margin:.25rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:0 0 .25rem}"
    "nav a{display:inline-block;padding:.4rem .5rem}nav a[aria-current]{font-weight:700;text-decoration:none}"
    "a{color:inherit}p{margin:.35rem 0}ul{margin:.25rem 0;padding-left:1.1rem}"
    ".count b{font-size:1.5rem}"
    "article{border:1px solid var(--line);border-radius:.4rem;padding:.6rem .75rem;margin:.75rem 0}"
    ".announced b{color:var(--ann)}.confirmed b{color:var(--conf)}.gap{font-weight:700}"
    ".mute,footer{color:var(--mute);font-size:.9rem}footer{border-top:1px solid var(--line);margin-top:2rem}"
    "img{display:block;max-width:100%;height:auto;background:#fff}"
)
CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
LANG_NAMES = {"es": "Español", "en": "English"}


PAGE_SIZE = 20  # events per page: a few kB of HTML each time, whatever the ledger's length


def pages_count(ledger: PublicLedger) -> int:
    return max(1, -(-len(ledger.events) // PAGE_SIZE))


def ledger_page(ledger: PublicLedger, lang: str, href: Href, page: int = 1) -> str:
    """The public ledger: who counts how many still held, the release events (newest first,
    PAGE_SIZE a page), the chart."""
    q = {"lang": lang}
    parts = [f"<p>{esc(t(lang, 'web.intro'))}</p>", f"<h2>{esc(t(lang, 'web.counts_heading'))}</h2>"]
    counts = ledger.current_counts()
    if counts:
        parts.append("<ul>" + "".join(
            '<li class="count">' + t(lang, "web.count_line", total=f"<b>{esc(num(lang, tl['total']))}</b>",
                                       source=link(tl["org"] or tl["outlet"], tl.get("link")),
                                       date=esc(day(lang, parse_iso(tl["published"])))) + "</li>"
            for tl in counts) + "</ul>")
    else:
        parts.append(f'<p class="mute">{esc(t(lang, "web.count_none"))}</p>')
    parts.append(f"<h2>{esc(t(lang, 'web.events_heading'))}</h2>")
    if not ledger.events:
        parts.append(f'<p class="mute">{esc(t(lang, "web.events_none"))}</p>')
    for pe in ledger.events[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]:
        title = _event_title(pe.event, lang)
        parts.append(f'<article id="e{pe.id}"><h3><a href="{esc(href(f"event/{pe.id}", q))}">{esc(title)}</a></h3>'
                     + _figures(pe.event, lang) + _reports_line(pe, lang)
                     + f'<p class="mute"><a href="{esc(href(f"event/{pe.id}", q))}">{esc(t(lang, "web.details"))}</a></p>'
                     "</article>")
    turns = []
    if page > 1:
        turns.append(f'<a href="{esc(href("", {"lang": lang, "page": str(page - 1)} if page > 2 else q))}" '
                     f'rel="prev">{esc(t(lang, "web.newer"))}</a>')
    if page < pages_count(ledger):
        turns.append(f'<a href="{esc(href("", {"lang": lang, "page": str(page + 1)}))}" rel="next">'
                     f'{esc(t(lang, "web.older"))}</a>')
    if turns:
        parts.append(f'<p class="pages">{" · ".join(turns)}</p>')
    parts.append(f"<h2>{esc(t(lang, 'chart.caption'))}</h2>")
    chart = esc(href("chart.png", {"lang": lang, "v": ledger.fingerprint[:12]}))
    # on a phone the chart is shrunk to the screen: a tap opens it full size
    parts.append(f'<a href="{chart}"><img src="{chart}" width="1000" height="800" '
                 f'alt="{esc(t(lang, "web.chart_alt"))}" decoding="async"></a>')
    return _layout(lang, t(lang, "status.title"), "\n".join(parts), ledger, href, "")


def event_page(ledger: PublicLedger, pe: PublicEvent, lang: str, href: Href) -> str:
    """One event: its figures with their sources, the outlets that reported it, its released revisions."""
    ev = pe.event
    parts = [f'<p><a href="{esc(href("", {"lang": lang}))}">{esc(t(lang, "web.back"))}</a></p>',
             f'<article id="e{pe.id}">' + _figures(ev, lang) + "</article>"]
    if pe.reports:
        parts.append(f"<h2>{esc(t(lang, 'web.reports_heading'))}</h2><ul id=\"reports\">" + "".join(
            f"<li>{esc(r.outlet)}: {link(r.title or r.link, r.link)}</li>" for r in pe.reports) + "</ul>")
    parts.append(f"<h2>{esc(t(lang, 'web.history_heading'))}</h2><ul id=\"history\">")
    for r in reversed(pe.revisions):
        trigger: Mapping[str, Any] = r.snapshot.get("trigger") or {}
        line = esc(t(lang, "web.revision_line", revision=r.revision, date=day(lang, r.released_at)))
        line += f"<br>{esc(headline(r.snapshot, lang))}"
        if trigger.get("title"):
            line += f'<br><span class="mute">{esc(t(lang, "label.read"))}: {link(trigger["title"], trigger.get("link"))}' \
                    f" ({esc(trigger.get('outlet', ''))})</span>"
        parts.append(f'<li id="r{r.revision}">{line}</li>')
    parts.append("</ul>")
    return _layout(lang, _event_title(ev, lang), "\n".join(parts), ledger, href, f"event/{pe.id}")


def not_found_page(ledger: PublicLedger, lang: str, href: Href) -> str:
    body = (f"<p>{esc(t(lang, 'web.not_found'))}</p>"
            f'<p><a href="{esc(href("", {"lang": lang}))}">{esc(t(lang, "web.back"))}</a></p>')
    return _layout(lang, t(lang, "web.not_found"), body, ledger, href, None)


def _layout(lang: str, title: str, body: str, ledger: PublicLedger, href: Href, path: str | None) -> str:
    """The page around `body`; path (relative to the root) is where the language switch leads."""
    switch = []
    for code in LANGS:
        target = esc(href(path if path is not None else "", {"lang": code}))
        current = ' aria-current="true"' if code == lang else ""
        switch.append(f'<a href="{target}" hreflang="{code}" lang="{code}"{current}>{LANG_NAMES[code]}</a>')
    feeds = (f'<link rel="alternate" type="application/atom+xml" title="Atom" href="{esc(href("feed.atom", {"lang": lang}))}">'
             f'<link rel="alternate" type="application/feed+json" title="JSON Feed" '
             f'href="{esc(href("feed.json", {"lang": lang}))}">')
    updated = ledger.updated
    stamp = f'<p class="mute">{esc(t(lang, "web.updated", date=day(lang, updated)))}</p>' if updated else ""
    footer = (f"<footer><p>{esc(t(lang, 'web.published_note'))}</p>"
              f"<p>{esc(t(lang, 'web.subscribe'))} "
              f'<a href="{esc(href("feed.atom", {"lang": lang}))}">Atom</a> · '
              f'<a href="{esc(href("feed.json", {"lang": lang}))}">JSON Feed</a> · '
              f'<a href="{esc(href("api/ledger.json", {}))}">{esc(t(lang, "web.api"))}</a></p></footer>')
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style>"
            '<link rel="icon" href="data:,">'  # no favicon request (and no 404 in the console)
            f"{feeds}</head>\n<body><header><h1>{esc(t(lang, 'status.title'))}</h1>"
            f'<nav aria-label="{esc(t(lang, "web.language"))}">{" · ".join(switch)}</nav></header>\n'
            f"<main>{stamp}{body}</main>\n{footer}</body></html>\n")


def _event_title(ev: Event, lang: str) -> str:
    place = ", ".join(ev.prisons) or t(lang, "status.place_unknown")
    return t(lang, "status.event", id=ev.id, date=day(lang, ev.first_published), place=place)


def _figures(ev: Event, lang: str) -> str:
    """Every distinct figure per role with who said it (retellings of one number by one source
    collapse), then the gap or the note that nobody confirmed yet."""
    out = ["<ul>"]
    for role in ("announced", "confirmed"):
        seen: dict[tuple[int, str | None], Figure] = {}
        for f in sorted((f for f in ev.figures if f.role == role), key=lambda f: (-f.value, f.published)):
            seen.setdefault((f.value, f.org), f)
        label = esc(t(lang, f"label.{role}"))
        for f in seen.values():
            out.append(f'<li class="{role}">{label}: <b>{esc(num(lang, f.value))}</b> — {_source(f, lang)}</li>')
    out.append("</ul>")
    if ev.gap:
        out.append(f'<p class="gap">{esc(t(lang, "label.pending", count=num(lang, ev.gap)))}</p>')
    elif ev.announced and ev.confirmed is None:
        out.append(f"<p><i>{esc(t(lang, 'note.unconfirmed'))}</i></p>")
    return "".join(out)


def _source(f: Figure, lang: str) -> str:
    when = esc(day(lang, f.published))
    if f.org:
        return t(lang, "source.org_via", org=esc(f.org), outlet=link(f.outlet, f.link), date=when)
    return t(lang, "source.outlet", outlet=link(f.outlet, f.link), date=when)


def _reports_line(pe: PublicEvent, lang: str) -> str:
    outlets = sorted({r.outlet for r in pe.reports})
    if not outlets:
        return ""
    return f'<p class="mute">{esc(t(lang, "status.reported_by", outlets=", ".join(outlets)))}</p>'
