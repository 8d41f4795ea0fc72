"""Feed health, judged once: whether a feed is ok, not yet read, failing or inactive; whether its
document holds more entries than one read takes; what its first fetch took in; how it is read
(pushed by its WebSub hub or polled, and why). Pure: the store's rows in, a frozen view out.

`releasewatch status`, the staff's /feeds and the public /sources render from it, each in its own
words; /metrics counts from it (bot/health.py still reads the rows itself, to be switched).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from .feeds import MAX_ITEMS_PER_FEED
from .redact import display_name
from .store import FeedRow, WebSubRow

# ok: fetched without error last time; pending: never fetched yet (and no error); failing: its
# last fetches failed (error_count in a row); inactive: dropped from the config or removed by staff
State = Literal["ok", "pending", "failing", "inactive"]
# pushing: a verified lease that has not run out; asked: a subscription asked for (polled
# meanwhile); polled: the hub does not push it (its error or state says why)
PushState = Literal["pushing", "asked", "polled"]
# pending: its first fetch is still to come (what it holds is recorded without alerts); backfilled:
# that first fetch took items in without alerts; done: it took nothing in that way
FirstFetch = Literal["pending", "backfilled", "done"]


@dataclass(frozen=True)
class Push:
    """How a feed's WebSub hub reads it."""

    hub: str  # the hub's host, as shown to people (bot.redact.display_name)
    state: PushState
    until: datetime | None  # pushing: when the lease runs out
    pushes: int  # pushes taken in
    unsigned: int  # pushes dropped: no signature
    bad_signature: int  # pushes dropped: a wrong signature
    why: str  # polled: the hub's last error, or the subscription's state

    @property
    def dropped(self) -> int:
        return self.unsigned + self.bad_signature


@dataclass(frozen=True)
class FeedHealth:
    feed: FeedRow  # the facts as stored (times typed)
    state: State
    truncated: bool  # its document holds more than MAX_ITEMS_PER_FEED entries: only the newest are read
    first_fetch: FirstFetch
    push: Push | None  # None: no hub is known for it

    @property
    def failing(self) -> bool:
        return self.state == "failing"

    @property
    def pushed(self) -> bool:
        """A hub pushes it now: it is polled only as a safety net."""
        return self.push is not None and self.push.state == "pushing"

    @property
    def reading(self) -> bool:
        """Is it read at all (how it is read, its next poll, mean something)."""
        return self.feed.active


def feed_health(feed: FeedRow, hub: WebSubRow | None, now: datetime) -> FeedHealth:
    """One feed's health at `now`, from its row and its hub's (None: no hub known)."""
    if not feed.active:
        state: State = "inactive"
    elif feed.error_count:
        state = "failing"
    elif feed.last_ok is None:
        state = "pending"
    else:
        state = "ok"
    first: FirstFetch = "pending" if feed.first_fetch is None else "backfilled" if feed.backfilled else "done"
    return FeedHealth(feed, state, feed.entries > MAX_ITEMS_PER_FEED, first, _push(hub, now) if hub else None)


def feeds_health(feeds: Iterable[FeedRow], hubs: Iterable[WebSubRow], now: datetime) -> list[FeedHealth]:
    """Every feed's health, in the order given, each with its own hub's row."""
    by_feed = {row.feed_id: row for row in hubs}
    return [feed_health(f, by_feed.get(f.id), now) for f in feeds]


def _push(hub: WebSubRow, now: datetime) -> Push:
    if hub.pushed(now):
        state: PushState = "pushing"
    elif hub.pending or hub.state == "new":
        state = "asked"
    else:
        state = "polled"
    return Push(display_name(hub.hub), state, hub.expires, hub.pushes, hub.unsigned, hub.bad_signature,
                hub.error or hub.state)
