"""Events: release events with every source's figures and their revisions (the snapshot of each
alert), and tallies of political prisoners held. Keeps recently used events in memory (see
_load_events). Storage only: which event an item reports is bot.events' decision."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, TypedDict, cast

from ..events import Event, Observation, RunningCount, restate
from ..figures import Figure, Kind, Role
from ..snapshot import Snapshot, snapshot
from .base import StoreBase, iso, parse_iso


class TallyRow(TypedDict):
    """A count of political prisoners still held, as one source gave it."""

    id: int
    item_id: str
    total: int
    org: str | None
    outlet: str
    link: str
    published: str  # ISO 8601


class FigureRow(TypedDict):
    """One source's figure for one event, as stored (event_figures)."""

    id: int
    event_id: int
    role: str
    value: int
    outlet: str
    org: str | None
    item_id: str
    link: str
    published: str
    manual: int


class EventsMixin(StoreBase):
    def event_of_item(self, item_id: str) -> Event | None:
        """The event an item's last reading joined, if any."""
        row = self.db.execute("SELECT event_id FROM extractions WHERE item_id=?", [item_id]).fetchone()
        return self.event(row[0]) if row and row[0] is not None else None

    def candidate_events(self, around: datetime, window: timedelta, numbers: Iterable[int] | None = None,
                         period: str | None = None) -> list[Event]:
        """Events an item published at `around` may report. With `numbers`, events further than
        three days away are candidates only if they share one of them, or days (`period`,
        "YYYY-MM-DD/YYYY-MM-DD") their figures are told for (events.find_event's rules: a match
        without a shared number or days needs the same place within days)."""
        params: list[Any] = [iso(around - window), iso(around + window)]
        extra = ""
        if numbers is not None:
            nums = sorted({int(n) for n in numbers})
            marks = ",".join("?" * len(nums)) or "NULL"
            start, end = period.split("/") if period else ("", "")
            # the figures are asked of each event in the window (event_figures_status), never of the whole
            # ledger: a subquery over every figure made each report's look-up grow with the year
            extra = (f" AND (last_published >= ? OR announced IN ({marks}) OR confirmed IN ({marks}) OR EXISTS "
                     f"(SELECT 1 FROM event_figures f WHERE f.event_id = events.id AND f.status = 'released' AND "
                     f"(f.value IN ({marks}) OR (f.period IS NOT NULL AND substr(f.period, 1, 10) <= ? AND "
                     f"substr(f.period, 12, 10) >= ?))))")
            params += [iso(around - timedelta(days=3)), *nums, *nums, *nums, end or "0", start or "9"]
        ids = [r[0] for r in self.db.execute(
            "SELECT id FROM events WHERE last_published >= ? AND first_published <= ?" + extra
            + " ORDER BY last_published DESC LIMIT 200", params)]
        return self._load_events(ids)

    def _load_events(self, ids: list[int]) -> list[Event]:
        """Events by id, in that order, with their figures.

        Every alert-bearing item looks its candidate events up, and a retold event carries a figure
        per outlet: reading them all back each time was most of the pipeline's cost. So events this
        connection read or wrote are kept, and trusted while no other connection has committed
        (PRAGMA data_version) and no transaction of ours was rolled back (see transaction)."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._event_cache.clear()
            self._data_version = version
        found = {i: self._event_cache[i] for i in ids if i in self._event_cache}
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(self._read_events(missing))
        # the result comes from `found`: remembering may evict, never from what is returned
        result = [found[i] for i in ids if i in found]
        for event in result:
            self._remember_event(event)  # read or written: most recently used goes last
        return result

    def _remember_event(self, event: Event) -> None:
        assert event.id is not None
        self._event_cache[event.id] = event  # an LRU cache: the least recently used goes

    def event(self, event_id: int) -> Event | None:
        found = self._load_events([event_id])
        return found[0] if found else None

    def latest_events(self, limit: int = 5) -> list[Event]:
        ids = [r[0] for r in self.db.execute(
            "SELECT id FROM events ORDER BY last_published DESC, id DESC LIMIT ?", [limit])]
        if len(ids) > self._event_cache.maxsize:  # an export of everything: read it all, cache none of it
            every = self._read_events(None)
            return [every[i] for i in ids if i in every]
        return self._load_events(ids)

    def _read_events(self, ids: list[int] | None) -> dict[int, Event]:
        """Events with their figures from the file (all of them if ids is None), two queries."""
        marks = ",".join("?" * len(ids or ()))
        params = list(ids or ())
        by_event: dict[int, list[dict[str, Any]]] = {}
        # only released figures count: held ones wait for staff, rejected and corrected ones never count
        figures = "" if ids is None else f" AND event_id IN ({marks})"
        for f in self._rows(f"SELECT * FROM event_figures WHERE status = 'released'{figures} ORDER BY published, id",
                            params):
            by_event.setdefault(f["event_id"], []).append(f)
        events = "" if ids is None else f" WHERE id IN ({marks})"
        return {r["id"]: _event(r, by_event.get(r["id"], [])) for r in self._rows(f"SELECT * FROM events{events}", params)}

    def save_event(self, event: Event, obs: Observation, new_revision: bool, now: datetime,
                   status: str = "released", confidence: float | None = None, manual: bool = False) -> Event:
        """Write the event state, its figures, and (if new_revision) the revision snapshot with its
        review status (released, or held for staff).

        The snapshot says what the revision says, the observation's figures included. A held
        revision's figures wait with it (status 'held'): the round's state, what later reports are
        judged against and what is published, counts released figures only (see decide_figures)."""
        held = status == "held"
        state = restate(replace(event, figures=tuple(f for f in event.figures if f.item_id != obs.item_id))) \
            if held else event
        values = [state.announced, state.confirmed, json.dumps(event.prisons), json.dumps(event.names),
                  iso(event.first_published), iso(event.last_published), event.revision, iso(now),
                  int(state.disputed), state.disputed_by, json.dumps(event.titles, ensure_ascii=False)]
        if event.id is None:
            cur = self.db.execute(
                "INSERT INTO events (announced, confirmed, prisons, names, first_published, last_published, revision, "
                "updated, disputed, disputed_by, titles, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [*values, iso(now)],
            )
            event_id = int(cur.lastrowid or 0)
        else:
            event_id = event.id
            self.db.execute(
                "UPDATE events SET announced=?, confirmed=?, prisons=?, names=?, first_published=?, last_published=?, "
                "revision=?, updated=?, disputed=?, disputed_by=?, titles=? WHERE id=?",
                [*values, event_id],
            )
        # the event's other figures were read from this table: only the observation's are new
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO event_figures (event_id, role, value, outlet, org, item_id, link, published, manual, "
            "by_kind, disputed, speaker, status, revision, sure, quote, period) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(event_id, str(f.role), f.value, f.outlet, f.by, f.item_id, f.link, iso(f.published), int(manual),
              str(f.by_kind), int(f.disputed), f.speaker, "held" if held else "released",
              event.revision if new_revision else None, int(f.sure), f.quote[:500], f.period)
             for f in event.figures if f.item_id == obs.item_id],
        )
        saved = replace(event, id=event_id)
        self._remember_event(_as_stored(replace(state, id=event_id), obs.item_id))
        if new_revision:
            self.db.execute(
                "INSERT OR IGNORE INTO revisions (event_id, revision, snapshot, created, status, confidence) "
                "VALUES (?,?,?,?,?,?)",
                [event_id, event.revision, json.dumps(snapshot(saved, obs, self.running_counts())), iso(now), status,
                 confidence],
            )
        return saved

    def decide_figures(self, event_id: int, revision: int, status: str) -> Event | None:
        """The figures a held revision brought take its decision (released, rejected, superseded),
        and the round's state is what its released figures now say. Returns the event."""
        self.db.execute("UPDATE event_figures SET status=? WHERE event_id=? AND revision=? AND status='held'",
                        [status, event_id, revision])
        return self._restate(event_id)

    def hold_figure(self, event_id: int, revision: int, f: Figure) -> None:
        """A figure staff read for a held revision: it waits with that revision (see decide_figures)."""
        self.db.execute(
            "INSERT OR REPLACE INTO event_figures (event_id, role, value, outlet, org, item_id, link, published, manual, "
            "by_kind, disputed, speaker, status, revision, sure, quote, period) "
            "VALUES (?,?,?,?,?,?,?,?,1,?,?,?, 'held',?,1,?,?)",
            [event_id, str(f.role), f.value, f.outlet, f.by, f.item_id, f.link, iso(f.published), str(f.by_kind),
             int(f.disputed), f.speaker, revision, f.quote[:500], f.period])

    def held_figures(self, event_id: int, revision: int) -> list[Figure]:
        return [_figure(r) for r in self._rows("SELECT * FROM event_figures WHERE event_id=? AND revision=? AND "
                                               "status='held' ORDER BY id", [event_id, revision])]

    def correct_figures(self, event_id: int, roles: Iterable[str]) -> None:
        """Staff corrected these roles of a round: the figures that stood no longer count."""
        for role in roles:
            self.db.execute("UPDATE event_figures SET status='corrected' WHERE event_id=? AND role=? AND "
                            "status='released'", [event_id, role])
        self._event_cache.pop(event_id, None)

    def _restate(self, event_id: int) -> Event | None:
        self._event_cache.pop(event_id, None)
        event = self.event(event_id)
        if event is None:
            return None
        state = restate(event)
        self.db.execute("UPDATE events SET announced=?, confirmed=?, disputed=?, disputed_by=? WHERE id=?",
                        [state.announced, state.confirmed, int(state.disputed), state.disputed_by, event_id])
        self._remember_event(state)
        return state

    def record_running(self, counts: Iterable[RunningCount]) -> None:
        """Running counts over a campaign, one row per item and speaker (a ledger line each)."""
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO running_counts (role, by, by_kind, value, since, outlet, item_id, link, published) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            [(c.role, c.by, c.by_kind, c.value, c.since.isoformat() if c.since else None, c.outlet, c.item_id, c.link,
              iso(c.published)) for c in counts])

    def all_running_counts(self) -> list[RunningCount]:
        """Every running count ever given, oldest first (the export)."""
        return [_running(r) for r in self._rows("SELECT * FROM running_counts ORDER BY published, id")]

    def running_counts(self) -> list[RunningCount]:
        """Each speaker's highest running count (verifiers' and officials' alike), highest first."""
        rows = self._rows(
            "SELECT r.* FROM running_counts r JOIN (SELECT by, role, max(value) AS top FROM running_counts GROUP BY by, role) m "
            "ON r.by = m.by AND r.role = m.role AND r.value = m.top GROUP BY r.by, r.role ORDER BY r.value DESC")
        return [_running(r) for r in rows]

    def revision_snapshot(self, event_id: int, revision: int) -> Snapshot | None:
        row = self.db.execute(
            "SELECT snapshot FROM revisions WHERE event_id=? AND revision=?", [event_id, revision]
        ).fetchone()
        return json.loads(row[0]) if row else None

    def record_tally(self, item_id: str, total: int, org: str | None, outlet: str, link: str,
                     published: datetime) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO tallies (item_id, total, org, outlet, link, published) "
            "VALUES (?,?,?,?,?,?)",
            [item_id, total, org, outlet, link, iso(published)],
        )

    def all_tallies(self) -> list[TallyRow]:
        return cast("list[TallyRow]", self._rows("SELECT * FROM tallies ORDER BY published, id"))

    def latest_tallies(self, limit: int = 3) -> list[TallyRow]:
        return cast("list[TallyRow]", self._rows("SELECT * FROM tallies ORDER BY published DESC, id DESC LIMIT ?", [limit]))

    def all_figures(self) -> list[FigureRow]:
        """Every released figure (held, rejected and corrected ones are no part of the ledger)."""
        return cast("list[FigureRow]", self._rows(
            "SELECT * FROM event_figures WHERE status = 'released' ORDER BY event_id, published, id"))



def _event(r: dict[str, Any], figs: list[dict[str, Any]]) -> Event:
    return Event(
        id=r["id"],
        announced=r["announced"],
        confirmed=r["confirmed"],
        prisons=tuple(json.loads(r["prisons"])),
        names=tuple(json.loads(r["names"])),
        first_published=parse_iso(r["first_published"]),  # type: ignore[arg-type]
        last_published=parse_iso(r["last_published"]),  # type: ignore[arg-type]
        revision=r["revision"],
        figures=tuple(_figure(f) for f in figs),
        disputed=bool(r.get("disputed")),
        titles=tuple(json.loads(r.get("titles") or "[]")),
        disputed_by=r.get("disputed_by"),
    )

def _figure(f: dict[str, Any]) -> Figure:
    """A round's figure as stored (event_figures)."""
    return Figure(Role(f["role"]), f["value"], f["org"], Kind(f.get("by_kind") or "outlet"), disputed=bool(f.get("disputed")),
                  sure=bool(f.get("sure", 1)), quote=f.get("quote") or "", period=f.get("period")).sourced(
        f["outlet"], f["item_id"], f["link"], parse_iso(f["published"]))  # type: ignore[arg-type]


def _as_stored(event: Event, new_item_id: str) -> Event:
    """The event just saved exactly as reading it back would give: times in whole seconds,
    figures in the table's order (published, then insertion: a stable sort keeps it). Only the
    figures of new_item_id were not read from the table."""
    def stored(dt: datetime) -> datetime:
        return parse_iso(iso(dt))  # type: ignore[return-value]

    figures = sorted((replace(f, published=stored(f.published or event.last_published)) if f.item_id == new_item_id
                      else f for f in event.figures), key=lambda f: f.published or event.last_published)
    return replace(event, first_published=stored(event.first_published), last_published=stored(event.last_published),
                   figures=tuple(figures))


def _running(r: dict[str, Any]) -> RunningCount:
    return RunningCount(r["role"], r["by"], r["by_kind"], r["value"], date.fromisoformat(r["since"]) if r["since"] else None,
                        r["outlet"], r["item_id"], r["link"], datetime.fromisoformat(r["published"]))
