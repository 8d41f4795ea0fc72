"""Cadence: when a feed is next fetched. A pure decision from what is known of the feed (its rhythm,
its flags, whether a hub pushes it, its failures), the headers of its last answer and the time:
never fetches, stores or sleeps (bot/pipeline.py stores the due time it returns).

Busy feeds are polled often and quiet ones politely; priority feeds every minute; a server's own
Cache-Control max-age and Retry-After are the earliest it is asked again.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from .backoff import backoff

PRIORITY_INTERVAL = 60  # seconds: an NGO's own channel, where minutes matter to families
POLLS_PER_GAP = 10  # a feed is polled this many times per usual gap between its items
MAX_BACKOFF = timedelta(hours=6)  # a failing feed is still tried at least this often
MAX_RETRY_AFTER = timedelta(days=1)  # a server asking for a longer pause is asked again after a day
MAX_HEADER = 200  # characters of a Cache-Control or Retry-After header read


@dataclass(frozen=True)
class Bounds:
    """The config's part: the intervals of the file (seconds)."""

    poll_interval: float  # feeds whose rhythm is not known yet
    min_interval: float
    max_interval: float  # also the safety poll of a feed its hub pushes
    priority_interval: float = PRIORITY_INTERVAL


@dataclass(frozen=True)
class FeedTiming:
    """What the schedule knows of one feed."""

    interval: float | None = None  # set by the operator for this feed: used as is
    priority: bool = False
    rhythm: float | None = None  # its usual seconds between items (bot/freshness.py), None: not known yet
    pushed: bool = False  # a hub pushes it now (a live WebSub subscription)
    errors: int = 0  # consecutive failed fetches, this one included


@dataclass(frozen=True)
class Answer:
    """The last fetch's answer: whether it failed, its HTTP status and headers (lower-case names)."""

    failed: bool = False
    status: int | None = None  # None: no HTTP answer at all (refused, timed out)
    headers: Mapping[str, str] | None = None


def interval(feed: FeedTiming, bounds: Bounds) -> float:
    """Seconds between polls while all is well."""
    if feed.priority:
        return bounds.priority_interval
    if feed.interval:
        return feed.interval
    if feed.pushed:  # the hub tells us of news; polling is the safety net for a lost push
        return bounds.max_interval
    if feed.rhythm is None or feed.rhythm <= 0:
        return bounds.poll_interval
    return min(max(feed.rhythm / POLLS_PER_GAP, bounds.min_interval), bounds.max_interval)


def max_age(headers: Mapping[str, str]) -> float | None:
    """Seconds the answer stays fresh by its Cache-Control max-age (less its Age), None if it
    says nothing or forbids reuse. A private client: s-maxage is for shared caches."""
    value = headers.get("cache-control", "")[:MAX_HEADER].lower()
    directives = {}
    for part in value.split(","):
        name, _, arg = part.strip().partition("=")
        directives[name.strip()] = arg.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    raw = directives.get("max-age", "")
    if not raw.isdigit():
        return None
    age = headers.get("age", "").strip()
    fresh = int(raw[:12]) - (int(age[:12]) if age.isdigit() else 0)
    return float(fresh) if fresh > 0 else None


def retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds the server asks us to wait (Retry-After: seconds or an HTTP date), None if it does
    not say or says nonsense."""
    value = headers.get("retry-after", "").strip()[:MAX_HEADER]
    if not value:
        return None
    if value.isdigit():
        return float(int(value[:12]))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)


def next_due(feed: FeedTiming, answer: Answer, now: datetime, bounds: Bounds,
             rng: random.Random | None = None) -> datetime:
    """When the feed is next fetched, after an answer received at `now`."""
    every = interval(feed, bounds)
    headers = answer.headers or {}
    if answer.failed:
        # after n failures in a row: the interval doubled n - 1 times (at most 64 times it), jittered
        wait = backoff(every, feed.errors - 1, doublings=6, jitter=0.1, rng=rng)
        due = now + min(timedelta(seconds=wait), MAX_BACKOFF)
        if answer.status in (429, 503):
            asked = retry_after(headers, now)
            if asked is not None:
                due = max(due, now + min(timedelta(seconds=asked), MAX_RETRY_AFTER))
        return due
    due = now + timedelta(seconds=every)
    fresh = max_age(headers)
    if fresh is not None:  # asking again sooner would get the same answer from the server's cache
        due = max(due, now + timedelta(seconds=min(fresh, bounds.max_interval)))
    return due
