"""Freshness: what a fetch means in time. May an item alert (not a feed's backlog, not old news
under a new GUID), what rhythm a feed keeps, and has it gone quiet. Pure decisions on dates:
never fetches, stores or tells anyone (bot/pipeline.py and bot/service.py act on them).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

QUIET_FLOOR = timedelta(days=3)  # nothing new for this long is never "quiet" for a feed, whatever its rhythm
QUIET_CEILING = timedelta(days=60)  # a feed that published monthly and then stopped is heard of eventually
QUIET_FACTOR = 4  # times the feed's usual gap between items
RHYTHM_ITEMS = 20  # the newest items whose gaps make a feed's rhythm


def may_alert(published: datetime, now: datetime, max_age: timedelta, first_fetch: bool) -> bool:
    """Can this new item alert anyone? Not on a feed's first fetch (its backlog is history, not
    news), and never when its own date is older than max_age, whatever its GUID says: feeds
    re-emit old entries under new GUIDs, bridges serve year-old posts. The ledger takes both in."""
    return not first_fetch and now - published <= max_age


def rhythm(dates: Sequence[datetime]) -> timedelta | None:
    """A feed's usual gap between items: the median gap between its newest items' dates (None
    with fewer than two distinct dates)."""
    ordered = sorted(set(dates), reverse=True)[:RHYTHM_ITEMS]
    gaps = [(a - b).total_seconds() for a, b in zip(ordered, ordered[1:], strict=False)]
    return timedelta(seconds=statistics.median(gaps)) if gaps else None


def quiet_after(usual_gap: timedelta | None) -> timedelta:
    """How long without a new item makes this feed quiet: a few of its usual gaps, at least
    QUIET_FLOOR, at most QUIET_CEILING."""
    if usual_gap is None:
        return QUIET_FLOOR
    return min(max(usual_gap * QUIET_FACTOR, QUIET_FLOOR), QUIET_CEILING)


def is_quiet(last_new: datetime | None, usual_gap: timedelta | None, now: datetime) -> bool:
    """A feed that answers but whose newest item (or, with none, its first fetch) is older than
    quiet_after allows. last_new None: nothing to judge yet."""
    return last_new is not None and now - last_new > quiet_after(usual_gap)
