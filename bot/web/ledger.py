"""The public ledger: what families were already alerted to, and nothing else.

An event is public once staff (or the pipeline, when nothing needed review) released one of its
revisions; what is shown of it is the snapshot of its latest released revision, the very figures
its alert carried. Held, rejected and superseded revisions, figures that arrived since the last
released alert, event names, subscribers, watches and the outbox are never read into it.

Built from the store's read methods on the caller's thread (what it reads: bot.store.LedgerSource);
the result is frozen plain data, so export.to_json and charts.chart_png can read it from any
thread as they read a store (it is a bot.store.Published too).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from .._text import fold, normalize
from ..events import Event, RunningCount
from ..matcher import lexicon
from ..snapshot import Snapshot, figures_of
from ..store import LedgerSource, iso, parse_iso

PUBLIC_STATUS = "released"
# a tally row as published: the store's own row also carries its item id, which is internal
TALLY_FIELDS = ("id", "total", "org", "outlet", "link", "published")


@dataclass(frozen=True)
class Revision:
    """One released revision: the alert families received, as its frozen snapshot."""

    event_id: int
    revision: int
    released_at: datetime  # when it went out: staff's decision for a held one, else its creation
    snapshot: Snapshot  # bot.alerts.snapshot's shape
    # the news' own date: when the item that made this revision was published. What readers are
    # shown and what feeds date an entry by; a backfill (replay --db) shows as history, not as today
    published: datetime | None = None

    @property
    def dated(self) -> datetime:
        return self.published or self.released_at


@dataclass(frozen=True)
class Report:
    """An outlet that reported the event, with the article families were pointed to."""

    outlet: str
    link: str
    title: str
    published: datetime | None = None


@dataclass(frozen=True)
class PublicEvent:
    event: Event  # as of its latest released revision; names always empty
    revisions: tuple[Revision, ...]  # released only, oldest first
    reports: tuple[Report, ...]
    # the outlet that reported the dispute, when no one is named as disputing the official figure
    disputed_in: str | None = None

    @property
    def snapshot(self) -> Snapshot:
        """What the latest alert families received said of the round."""
        return self.revisions[-1].snapshot

    @property
    def id(self) -> int:
        assert self.event.id is not None
        return self.event.id


@dataclass(frozen=True)
class PublicLedger:
    events: tuple[PublicEvent, ...]  # most recently published first, as the store orders them
    tallies: tuple[dict[str, Any], ...]  # oldest first
    # running counts over the campaign (alerts quote them): every one given, and each speaker's highest
    running: tuple[RunningCount, ...] = ()
    running_top: tuple[RunningCount, ...] = ()

    # -- a published record (bot.store.Published), as bot.export and bot.charts read it ---------------
    def latest_events(self, limit: int = 5) -> list[Event]:
        return [pe.event for pe in self.events[:limit]]

    def all_figures(self) -> list[dict[str, Any]]:
        rows = []
        for pe in sorted(self.events, key=lambda pe: pe.id):
            for f in pe.event.figures:
                rows.append({"event_id": pe.id, "role": f.role, "value": f.value, "outlet": f.outlet, "org": f.org,
                             "link": f.link, "published": iso(f.published), "manual": f.outlet == "manual",
                             "by_kind": f.by_kind, "disputed": f.disputed})
        return rows

    def all_running_counts(self) -> list[RunningCount]:
        return list(self.running)

    def running_counts(self) -> list[RunningCount]:
        return list(self.running_top)

    def all_tallies(self) -> list[dict[str, Any]]:
        return [dict(tl) for tl in self.tallies]

    # -- for pages and feeds --------------------------------------------------------------------------
    def event(self, event_id: int) -> PublicEvent | None:
        return next((pe for pe in self.events if pe.id == event_id), None)

    def current_counts(self) -> list[dict[str, Any]]:
        """Each source's latest count of political prisoners still held, newest first."""
        latest: dict[str, dict[str, Any]] = {}
        for tl in self.tallies:  # oldest first: a later count replaces an earlier one
            latest[tl["org"] or tl["outlet"]] = tl
        return sorted(latest.values(), key=lambda tl: tl["published"], reverse=True)

    def revisions(self, prison: str | None = None) -> list[Revision]:
        """Every released revision, newest news first; with prison, only its events'."""
        chosen = [pe for pe in self.events if prison is None or prison in pe.event.prisons]
        return sorted((r for pe in chosen for r in pe.revisions),
                      key=lambda r: (r.dated, r.event_id, r.revision), reverse=True)

    def events_at(self, prison: str) -> list[PublicEvent]:
        return [pe for pe in self.events if prison in pe.event.prisons]

    @property
    def updated(self) -> datetime | None:
        """The newest news the ledger publishes (a revision's item, a tally, a running count): the
        page's "Updated" and the feeds' <updated>. A backfill of old news leaves it in the past."""
        times = [r.dated for pe in self.events for r in pe.revisions]
        times += [parse_iso(tl["published"]) for tl in self.tallies]  # type: ignore[misc]
        times += [rc.published for rc in self.running]
        return max(times) if times else None

    @property
    def changed(self) -> datetime | None:
        """When what is published last changed, for HTTP's Last-Modified: the newest news, or the
        moment a revision went out if later (a backfill of old news is a change a feed reader that
        revalidates with If-Modified-Since must not miss)."""
        times = [r.released_at for pe in self.events for r in pe.revisions]
        if self.updated is not None:
            times.append(self.updated)
        return max(times) if times else None

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever anything published changes (keys the chart cache and ETags)."""
        body = json.dumps([self.all_figures(), [(pe.id, [(r.revision, iso(r.released_at)) for r in pe.revisions],
                                                 pe.event.prisons, pe.event.disputed, pe.event.disputed_by)
                                                for pe in self.events], self.all_tallies(),
                           [(rc.role, rc.by, rc.value, rc.since, iso(rc.published), rc.link) for rc in self.running]],
                          sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()[:32]


def build(store: LedgerSource, limit: int = 100_000) -> PublicLedger:
    """Read the public ledger from the store (synchronous, a few queries per event)."""
    events = []
    for ev in store.latest_events(limit):
        assert ev.id is not None
        released = [r for r in store.revisions(ev.id) if r["status"] == PUBLIC_STATUS]
        revisions = []
        for r in released:
            snap = store.revision_snapshot(ev.id, r["revision"])
            if snap is None:
                continue
            when = parse_iso(r.get("decided_at")) or parse_iso(r["created"])
            assert when is not None
            revisions.append(Revision(ev.id, r["revision"], when, snap, parse_iso(_trigger(snap).get("published"))))
        if not revisions:
            continue  # nothing of this event ever reached families
        events.append(_public_event(store, ev, tuple(revisions)))
    events.sort(key=lambda pe: (pe.event.last_published, pe.id), reverse=True)
    tallies = tuple({k: tl.get(k) for k in TALLY_FIELDS} for tl in store.all_tallies())
    return PublicLedger(tuple(events), tallies, tuple(store.all_running_counts()), tuple(store.running_counts()))


def _public_event(store: LedgerSource, ev: Event, revisions: tuple[Revision, ...]) -> PublicEvent:
    snap = revisions[-1].snapshot
    # the page shows what families were shown: sure figures only, never the item they came in by
    figures = tuple(replace(f, item_id="", published=f.published or ev.first_published)
                    for f in figures_of(snap) if f.sure)
    # times from what was published only: a held item's date must not move the event
    times = [f.published for f in figures if f.published is not None]
    for r in revisions:
        trigger = parse_iso(_trigger(r.snapshot).get("published"))
        if trigger is not None:
            times.append(trigger)
    first = min(times) if times else ev.first_published
    last = max(times) if times else ev.first_published
    event = Event(id=ev.id, announced=snap.get("announced"), confirmed=snap.get("confirmed"),
                  prisons=tuple(snap.get("prisons") or ()), names=(), first_published=first.astimezone(UTC),
                  last_published=last.astimezone(UTC), revision=revisions[-1].revision, figures=figures,
                  disputed=bool(snap.get("disputed")), disputed_by=snap.get("disputed_by"))
    # who reported a dispute no one is named for: the outlet of the first alert that said it
    disputed_in = None
    if event.disputed and not event.disputed_by:
        disputed_in = next((str(_trigger(r.snapshot).get("outlet")) for r in revisions
                            if r.snapshot.get("disputed") and _trigger(r.snapshot).get("disputed")), None)
    # outlets: only articles an alert quoted or drew a figure from (a held item's title may carry
    # the number staff held back)
    shown = {f.link for f in figures if f.link}
    shown |= {str(_trigger(r.snapshot).get("link") or "") for r in revisions} - {""}
    reports = []
    seen = set()
    assert ev.id is not None
    for row in store.item_outlets(ev.id):
        if row["link"] in shown and (row["outlet"], row["link"]) not in seen:
            seen.add((row["outlet"], row["link"]))
            reports.append(Report(row["outlet"], row["link"], row["title"], parse_iso(row.get("published"))))
    return PublicEvent(event, revisions, tuple(reports), disputed_in)


def prison_key(text: str) -> str:
    """'Tocorón', 'tocoron', 'TOCORON', 'las-crisalidas' -> one comparable key."""
    return " ".join(fold(normalize(text.replace("-", " ").replace("_", " "))).split())


def prison_slug(name: str) -> str:
    """A prison's name in a URL: 'Las Crisálidas' -> 'las-crisalidas' (resolve_prison reads it back)."""
    return prison_key(name).replace(" ", "-")


def resolve_prison(query: str, ledger: PublicLedger) -> str | None:
    """The prison name (as events carry it) a ?prison= value means, accents and case aside;
    gazetteer aliases count too ('cárcel de Tocorón'). None if no event names it."""
    key = prison_key(query)
    if not key:
        return None
    entry = lexicon().finders["prison"].by_alias.get(key)
    keys = {key, prison_key(entry.name)} if entry is not None else {key}
    for pe in ledger.events:
        for name in pe.event.prisons:
            if prison_key(name) in keys:
                return name
    return entry.name if entry is not None else None


def _trigger(snap: Snapshot) -> Mapping[str, Any]:
    return snap.get("trigger") or {}
