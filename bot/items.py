"""The one item type from feed to store: what a feed entry says, already reduced to plain text, and
who it is (its key within its feed, its id in the store, the hash of its text).

Pure data; never fetches, parses or stores anything itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


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

    @property
    def key(self) -> str:
        """Who this entry is within its feed: its GUID, else its link, else its text. Two outlets may
        use the same GUID for different stories, so the store scopes the key by feed (see id)."""
        key = self.guid or canonical_link(self.link) or f"{self.title}|{self.summary}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]

    # older name of the key, kept for callers that compare two entries of one feed
    stable_id = key

    @property
    def id(self) -> str:
        """The item's id in the store: its key scoped by its feed."""
        return item_id(self.feed_id, self.key)

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.summary)


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
