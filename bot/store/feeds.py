"""Feeds: the list of feeds (from the config and added by staff), their health, and when each is due.

Storage only: fetching and deciding what a fetch means live in bot.feeds and bot.pipeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import utcnow
from ..redact import redact
from .base import StoreBase, iso


@dataclass(frozen=True)
class FeedRow:
    id: int
    name: str
    url: str
    lang: str | None
    interval: int | None
    etag: str | None
    last_modified: str | None
    last_success: str | None
    last_error: str | None
    error_count: int
    next_attempt: str | None
    items_seen: int
    active: bool
    entries: int = 0  # entries in the last document parsed (above the cap only the newest are read)
    items_failed: int = 0  # entries that could not be read or processed
    last_item_error: str | None = None


class FeedsMixin(StoreBase):
    # -- feeds ------------------------------------------------------------------------------
    def sync_feeds(self, feeds: Iterable[Any]) -> None:
        """Make the config's feeds present and active; feeds dropped from the config go inactive."""
        now = iso(utcnow())
        urls = []
        with self.transaction():
            for f in feeds:
                urls.append(f.url)
                self.db.execute(
                    "INSERT INTO feeds (name, url, lang, interval, created) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(url) DO UPDATE SET name=excluded.name, lang=excluded.lang, "
                    "interval=excluded.interval, active=1",
                    [f.name, f.url, f.lang, f.interval, now],
                )
            marks = ",".join("?" * len(urls))
            self.db.execute(
                f"UPDATE feeds SET active=0 WHERE source='config' AND url NOT IN ({marks})", urls
            )

    def feeds(self, active_only: bool = True) -> list[FeedRow]:
        sql = "SELECT * FROM feeds" + (" WHERE active=1" if active_only else "") + " ORDER BY id"
        return [_feed(r) for r in self._rows(sql)]

    def due_feeds(self, now: datetime) -> list[FeedRow]:
        rows = self._rows(
            "SELECT * FROM feeds WHERE active=1 AND (next_attempt IS NULL OR next_attempt <= ?) "
            "ORDER BY id",
            [iso(now)],
        )
        return [_feed(r) for r in rows]

    def record_fetch_ok(
        self, feed_id: int, now: datetime, next_attempt: datetime, etag: str | None,
        last_modified: str | None, entries: int | None = None,
    ) -> None:
        """A successful fetch; entries, when the body was parsed: how many the document held."""
        self.db.execute(
            "UPDATE feeds SET last_fetch=?, last_success=?, error_count=0, next_attempt=?, "
            "etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified), entries=COALESCE(?, entries) WHERE id=?",
            [iso(now), iso(now), iso(next_attempt), etag, last_modified, entries, feed_id],
        )

    def record_fetch_error(self, feed_id: int, now: datetime, error: str, next_attempt: datetime) -> int:
        self.db.execute(
            "UPDATE feeds SET last_fetch=?, last_error=?, error_count=error_count+1, next_attempt=? "
            "WHERE id=?",
            [iso(now), f"{iso(now)} {redact(error)}"[:500], iso(next_attempt), feed_id],
        )
        return int(self.db.execute("SELECT error_count FROM feeds WHERE id=?", [feed_id]).fetchone()[0])

    def record_skipped_entries(self, feed_id: int, errors: Iterable[str], now: datetime) -> None:
        """Entries the parser could not read at all (their key is unknown): counted on the feed."""
        errors = list(errors)
        if errors:
            self.db.execute("UPDATE feeds SET items_failed=items_failed+?, last_item_error=? WHERE id=?",
                            [len(errors), f"{iso(now)} {errors[-1]}"[:300], feed_id])

    def add_feed(self, name: str, url: str, lang: str | None, source: str = "staff") -> bool:
        """A feed added by staff (kept across config reloads). False if it was already there."""
        existing = self._rows("SELECT id, active FROM feeds WHERE url=?", [url])
        if existing:
            self.db.execute("UPDATE feeds SET active=1 WHERE url=?", [url])
            return not existing[0]["active"]
        self.db.execute("INSERT INTO feeds (name, url, lang, source, created) VALUES (?,?,?,?,?)",
                        [name[:200], url, lang, source, iso(utcnow())])
        return True

    def remove_feed(self, key: str) -> FeedRow | None:
        """Deactivate a feed by its number in /feeds or its URL; its items stay."""
        rows = self.feeds()
        match = [f for i, f in enumerate(rows, 1) if f.url == key or str(i) == key]
        if not match:
            return None
        self.db.execute("UPDATE feeds SET active=0 WHERE id=?", [match[0].id])
        return match[0]



def _feed(r: dict[str, Any]) -> FeedRow:
    return FeedRow(
        r["id"], r["name"], r["url"], r["lang"], r["interval"], r["etag"], r["last_modified"],
        r["last_success"], r["last_error"], r["error_count"], r["next_attempt"], r["items_seen"],
        bool(r["active"]), r.get("entries") or 0, r.get("items_failed") or 0, r.get("last_item_error"),
    )
