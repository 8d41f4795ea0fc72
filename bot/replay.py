"""`releasewatch replay --jsonl`: a stream of news items through the real matcher, event logic and
store, in published order, delivering nothing and queueing nothing. Prints one JSON line per alert a
subscriber to all releases would have received, then the ledger.

With --db on the service's database this backfills an NGO's ledger from an archive of past news
without alerting anyone. Never sends a message and never fetches anything.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ._text import json_line
from .config import Config
from .events import Event
from .items import Item
from .pipeline import Pipeline
from .store import Store

REPLAY_SCHEME = "replay://"  # feeds of a replay: never polled (inactive), named by the stream's "feed"


class ReplayError(ValueError):
    """A line of the stream cannot be read; the message is one plain sentence."""


@dataclass(frozen=True)
class StreamItem:
    id: str
    title: str
    summary: str
    lang: str | None
    published: datetime
    feed: str
    link: str


def read_stream(lines: Iterable[str]) -> list[StreamItem]:
    """The items of a JSONL stream, oldest first. Raises ReplayError naming the bad line."""
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            published = datetime.fromisoformat(str(obj["published"]).replace("Z", "+00:00"))
            if published.tzinfo is None:
                published = published.replace(tzinfo=UTC)
            items.append(StreamItem(str(obj.get("id", n)), str(obj.get("title") or ""), str(obj.get("summary") or ""),
                                    obj.get("lang") if obj.get("lang") in ("es", "en") else None, published,
                                    str(obj.get("feed") or "replay")[:200], str(obj.get("link") or "")[:1000]))
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise ReplayError(f"line {n} is not an item with a 'published' date ({type(exc).__name__})") from None
    return sorted(items, key=lambda it: it.published)


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


def replay(lines: Iterable[str], out: TextIO, db: Path | None = None) -> int:
    """Run the stream; returns the number of alerts printed."""
    items = read_stream(lines)
    with tempfile.TemporaryDirectory(prefix="releasewatch-replay-") as tmp:
        store = Store(db or Path(tmp) / "replay.db")
        try:
            store.lock()  # on the service's database: not while the service runs
            feeds = _feeds(store, (it.feed for it in items))
            pipeline = Pipeline(store, Config(database=store.path, review_mode="off"), client=None)  # type: ignore[arg-type]
            count = 0
            for it in items:
                feed = feeds[it.feed]
                item = Item(it.id, it.link, it.title, it.summary, it.published, it.lang, feed_id=feed.id)
                report = pipeline.ingest([(feed, item)], quiet=True)
                for event_id, _revision in report.revisions:
                    event = store.event(event_id)
                    if event is not None:
                        out.write(json_line(_alert(it, event)))
                        count += 1
            out.write(json_line({"ledger": ledger(store)}))
            return count
        finally:
            store.close()
