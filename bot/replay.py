"""`releasewatch replay --jsonl`: a stream of news items through the real matcher, event logic and
store, in published order, delivering nothing and queueing nothing. Prints one JSON line per alert a
subscriber to all releases would have received, then the ledger.

With --db on the service's database this backfills an NGO's ledger from an archive of past news
without alerting anyone. Never sends a message and never fetches anything.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from ._text import json_line, json_lines
from .config import Config
from .events import Event
from .feedtext import clean_line
from .items import Item, make_item
from .pipeline import Pipeline
from .store import Store

REPLAY_SCHEME = "replay://"  # feeds of a replay: never polled (inactive), named by the stream's "feed"


class ReplayError(ValueError):
    """A line of the stream cannot be read; the message is one plain sentence."""


@dataclass(frozen=True)
class StreamItem:
    id: str
    item: Item  # cleaned as a feed's entry is (bot.items.make_item)
    feed: str


def read_stream(lines: Iterable[str], now: datetime | None = None) -> list[StreamItem]:
    """The items of a JSONL stream, oldest first, their text cleaned and their dates made sane
    exactly as a feed's are. Raises ReplayError naming the bad line."""
    now = now or datetime.now(UTC)
    items = []
    for n, obj in json_lines(lines, _unreadable):
        try:
            published = datetime.fromisoformat(str(obj["published"]).replace("Z", "+00:00"))
            item_id = clean_line(str(obj.get("id", n)), 200) or str(n)
            item = make_item(guid=item_id, link=str(obj.get("link") or ""), title=str(obj.get("title") or ""),
                             summary=str(obj.get("summary") or ""), published=published,
                             lang=obj.get("lang") if obj.get("lang") in ("es", "en") else None, now=now)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            _unreadable(n, exc)
        if item is not None:  # a line with no text at all says nothing: nothing to replay
            items.append(StreamItem(item_id, item, clean_line(str(obj.get("feed") or ""), 200) or "replay"))
    return sorted(items, key=lambda it: it.item.published)


def _unreadable(n: int, exc: Exception) -> NoReturn:
    raise ReplayError(f"line {n} is not an item with a 'published' date ({type(exc).__name__})") from None


def _feeds(store: Store, names: Iterable[str]) -> dict[str, Any]:
    """One inactive feed per outlet of the stream (the service never polls them)."""
    for name in dict.fromkeys(names):
        url = REPLAY_SCHEME + name
        store.add_feed(name, url, None, source="replay")
        store.db.execute("UPDATE feeds SET active=0 WHERE url=?", [url])
    return {f.name: f for f in store.feeds(active_only=False) if f.url.startswith(REPLAY_SCHEME)}


def _alert(item: StreamItem, event: Event) -> dict[str, Any]:
    """The alert a subscriber to everything got for this revision (one item per ingest: the event
    as it stands now is the revision just made)."""
    return {
        "item": item.id, "event": event.id, "revision": event.revision, "type": "new" if event.revision == 1 else "update",
        "announced": {"value": event.announced, "by": event.announced_by} if event.announced is not None else None,
        "confirmed": [{"value": v, "by": who, "cumulative": False} for who, v in event.confirmations().items()],
        "disputed": event.disputed,
    }


def ledger(store: Store) -> list[dict[str, Any]]:
    """Each round's final state and each running count over the campaign."""
    out: list[dict[str, Any]] = []
    for ev in sorted(store.latest_events(100_000), key=lambda e: e.first_published):
        official = ev.announced_by
        out.append({"event": ev.id, "first_published": ev.first_published.isoformat(), "prisons": list(ev.prisons),
                    "announced": {"value": ev.announced, "by": official} if ev.announced is not None else None,
                    "confirmed": [{"value": v, "by": who} for who, v in ev.confirmations().items()],
                    "disputed": ev.disputed, "revision": ev.revision})
    for rc in store.running_counts():
        out.append({"running": {"role": rc.role, "by": rc.by, "value": rc.value,
                                "since": rc.since.isoformat() if rc.since else None}})
    return out


def _why_held(store: Store, event_id: int, revision: int, row: Any) -> str:
    """Why staff see a revision before families: its numbers are not sure, or its confidence is low."""
    snap = store.revision_snapshot(event_id, revision) or {}
    figures = (snap.get("trigger") or {}).get("figures") or []
    if any(not f.get("sure") for f in figures if f.get("role") in ("announced", "confirmed")):
        return "numbers not sure: " + ", ".join(f"{f['role']} {f['value']}" for f in figures if not f.get("sure"))
    return f"low confidence ({row['confidence']:.2f})" if row["confidence"] is not None else "held for review"


class ItemsFailed(Exception):
    """Some items of the stream could not be taken in; the message is one plain sentence."""


def replay(lines: Iterable[str], out: TextIO, db: Path | None = None, review: bool = False) -> int:
    """Run the stream; returns the number of alerts printed. Raises ItemsFailed (after the ledger
    is printed) when an item could not be taken in: a backfill that lost items says so.

    review: staff review as the service does it by default (a staff chat present, low-confidence
    revisions held): a held revision prints {"item", "held": reason} instead of an alert. Only on
    a temporary database (a backfill holds nothing for staff)."""
    if review and db is not None:
        raise ReplayError("--review replays on a temporary database only (leave out --db)")
    items = read_stream(lines)
    with tempfile.TemporaryDirectory(prefix="releasewatch-replay-") as tmp:
        store = Store(db or Path(tmp) / "replay.db")
        try:
            store.lock()  # on the service's database: not while the service runs
            feeds = _feeds(store, (it.feed for it in items))
            config = Config(database=store.path, review_mode="low_confidence" if review else "off")
            if review:  # a staff chat for held revisions to go to; this temporary file has no one else
                store.subscribe("console", "replay-staff", "en", "staff")
            pipeline = Pipeline(store, config, client=None)  # type: ignore[arg-type]
            count = 0
            failed: list[str] = []
            for it in items:
                feed = feeds[it.feed]
                report = pipeline.ingest([(feed, replace(it.item, feed_id=feed.id))], quiet=not review)
                if report.item_failures or report.item_retries:
                    failed.append(it.id)
                for event_id, revision in report.revisions:
                    row = store.revision(event_id, revision)
                    if row is not None and row["status"] == "held":
                        out.write(json_line({"item": it.id, "held": _why_held(store, event_id, revision, row)}))
                        continue
                    event = store.event(event_id)
                    if event is not None:
                        out.write(json_line(_alert(it, event)))
                        count += 1
            out.write(json_line({"ledger": ledger(store)}))
            if failed:
                shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
                raise ItemsFailed(f"{len(failed)} item(s) could not be taken in ({shown}); the rest is in the ledger")
            return count
        finally:
            store.close()
