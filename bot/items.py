"""The one item type from feed to store: what a feed entry says, already reduced to plain text, and
who it is (its key within its feed, its id in the store, the hash of its text). make_item is the one
way text enters the store, whatever brought it (a feed, a replay of an archive, a push).

Pure data; never fetches, parses or stores anything itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .feedtext import plain_text, strip_controls

MAX_TITLE = 400
MAX_SUMMARY = 4000
MAX_LINK = 1000
MAX_GUID = 500
# A date before this is a placeholder ("0001-01-01", the Unix epoch), not when the story ran.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    guid: str | None
    link: str
    title: str
    summary: str
    published: datetime
    lang: str | None
    feed_id: int = 0  # set once the item is tied to the feed it came from
    updated: datetime | None = None  # the entry's own "updated" date, when it gives one

    # key, id and content_hash are asked many times per item (dedup, store, events): each is worked
    # out once (an item never changes; dataclasses.replace makes a new one, without the cache)
    @cached_property
    def key(self) -> str:
        """Who this entry is within its feed: its GUID, else its link, else its text. Two outlets may
        use the same GUID for different stories, so the store scopes the key by feed (see id)."""
        key = self.guid or canonical_link(self.link) or f"{self.title}|{self.summary}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]

    @property
    def stable_id(self) -> str:
        """Older name of the key, kept for callers that compare two entries of one feed."""
        return self.key

    @cached_property
    def id(self) -> str:
        """The item's id in the store: its key scoped by its feed."""
        return item_id(self.feed_id, self.key)

    @cached_property
    def content_hash(self) -> str:
        return content_hash(self.title, self.summary)


def make_item(*, guid: str | None, link: str, title: str, summary: str, published: datetime | None,
              lang: str | None, now: datetime, updated: datetime | None = None, feed_id: int = 0) -> Item | None:
    """An item from untrusted text, cleaned the one way every source is: visible text only (markup,
    control, bidirectional-override, zero-width, private-use, unassigned characters and lone
    surrogates gone), sizes capped, an http(s) link or none, and a date that is a date: a
    placeholder (before 2000), a missing or a future one counts as now. None if it says nothing."""
    title = plain_text(title or "", MAX_TITLE)
    summary = plain_text(summary or "", MAX_SUMMARY)
    if not (title or summary):
        return None
    link = strip_controls((link or "").strip()[:MAX_LINK])
    if not link.startswith(("http://", "https://")):
        link = ""
    guid = strip_controls((guid or "").strip()[:MAX_GUID]) or None
    return Item(guid=guid, link=link, title=title, summary=summary, published=sane_date(published, now),
                lang=lang if lang in ("es", "en") else None, feed_id=feed_id,
                updated=min(updated, now) if updated and updated >= EARLIEST else None)


def sane_date(when: datetime | None, now: datetime) -> datetime:
    """When a story ran: its own date, else now; a placeholder or a future date counts as now."""
    if when is None:
        return now
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return now if when < EARLIEST else min(when, now)


def item_id(feed_id: int, key: str) -> str:
    return hashlib.sha256(f"{feed_id}|{key}".encode()).hexdigest()[:24]


def content_hash(title: str, summary: str) -> str:
    """Same words, same hash: whitespace, case and markup differences do not make an item new."""
    words = " ".join(f"{title} {summary}".lower().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ref_src$|cmpid$|__twitter)")


def canonical_link(link: str) -> str:
    """A link without tracking parameters or fragment, so re-shared URLs compare equal."""
    try:
        parts = urlsplit(link.strip())
    except ValueError:
        return link.strip()
    if not parts.scheme:
        return link.strip()
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))
