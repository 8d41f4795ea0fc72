"""Feeds: the list of feeds (from the config and added by staff), their health, and when each is due.

Storage only: fetching and deciding what a fetch means live in bot.feeds and bot.pipeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .. import freshness
from ..clock import utcnow
from ..redact import redact
from .base import StoreBase, iso, parse_iso


@dataclass(frozen=True)
class FeedRow:
    id: int
    name: str
    url: str
    lang: str | None
    interval: int | None
    etag: str | None
    last_modified: str | None  # the server's Last-Modified header, as it sent it
    last_ok: datetime | None  # when it was last fetched without error
    last_error: str | None  # "<when> <reason>", as stored
    error_count: int
    next_attempt: datetime | None  # when it is due again (None: due now)
    items_seen: int
    active: bool
    entries: int = 0  # entries in the last document parsed (above the cap only the newest are read)
    items_failed: int = 0  # entries that could not be read or processed
    last_item_error: str | None = None
    first_fetch: datetime | None = None  # when its first fetch's items were taken in, without alerts
    backfilled: int = 0  # how many items that first fetch took in
    last_item: datetime | None = None  # the newest item's own date: when it last published something new
    rhythm: int | None = None  # its usual seconds between items
    quiet_since: datetime | None = None  # answers, but nothing new for longer than its rhythm allows
    allow_private: bool = False  # may be on a private address (a bridge on the operator's machine)
    review: bool = False  # its items' alerts go to staff review first (social media bridges)
    priority: bool = False  # polled every minute whatever its rhythm (an NGO's own channel)

    @property
    def quiet(self) -> bool:
        return self.quiet_since is not None


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
                    "INSERT INTO feeds (name, url, lang, interval, allow_private, review, priority, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(url) DO UPDATE SET name=excluded.name, lang=excluded.lang, "
                    "interval=excluded.interval, allow_private=excluded.allow_private, review=excluded.review, "
                    # a new interval or priority counts from now, not from a due time set under the old one
                    "next_attempt=CASE WHEN interval IS NOT excluded.interval OR priority != excluded.priority "
                    "THEN NULL ELSE next_attempt END, priority=excluded.priority, "
                    # a feed back after a pause: what it published meanwhile is backlog again
                    "first_fetch=CASE WHEN active THEN first_fetch END, active=1",
                    [f.name, f.url, f.lang, f.interval, bool(getattr(f, "allow_private", False)),
                     bool(getattr(f, "review", False)), bool(getattr(f, "priority", False)), now],
                )
            marks = ",".join("?" * len(urls))
            self.db.execute(
                f"UPDATE feeds SET active=0 WHERE source='config' AND url NOT IN ({marks})", urls
            )

    def feeds(self, active_only: bool = True) -> list[FeedRow]:
        sql = "SELECT * FROM feeds" + (" WHERE active=1" if active_only else "") + " ORDER BY id"
        return [_feed(r) for r in self._rows(sql)]

    def feed(self, feed_id: int) -> FeedRow | None:
        rows = self._rows("SELECT * FROM feeds WHERE id=?", [feed_id])
        return _feed(rows[0]) if rows else None

    def due_feeds(self, now: datetime) -> list[FeedRow]:
        rows = self._rows(
            "SELECT * FROM feeds WHERE active=1 AND (next_attempt IS NULL OR next_attempt <= ?) "
            "ORDER BY id",
            [iso(now)],
        )
        return [_feed(r) for r in rows]

    def next_due(self) -> datetime | None:
        """When the next active feed falls due (a feed never fetched is due now); None without feeds."""
        waiting, earliest = self.db.execute(
            "SELECT COALESCE(sum(next_attempt IS NULL), 0), min(next_attempt) FROM feeds WHERE active=1").fetchone()
        if waiting:
            return datetime.min.replace(tzinfo=UTC)
        return parse_iso(earliest)

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

    def record_validators(self, feed_id: int, etag: str | None, last_modified: str | None) -> None:
        """The answer's ETag and Last-Modified, once its items are in: the next fetch may be a 304."""
        self.db.execute("UPDATE feeds SET etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified) "
                        "WHERE id=?", [etag, last_modified, feed_id])

    def forget_validators(self, feed_id: int) -> None:
        """The next fetch gets the whole feed again (an item of the last one is still to be taken in)."""
        self.db.execute("UPDATE feeds SET etag=NULL, last_modified=NULL WHERE id=?", [feed_id])

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

    def record_first_fetch(self, feed: FeedRow, now: datetime) -> int:
        """The feed's first fetch is in: its items were taken in without alerts. Returns how many
        (what items_seen grew by since the row was read, before that fetch)."""
        self.db.execute("UPDATE feeds SET first_fetch=?, backfilled=max(items_seen-?, 0) WHERE id=?",
                        [iso(now), feed.items_seen, feed.id])
        return int(self.db.execute("SELECT backfilled FROM feeds WHERE id=?", [feed.id]).fetchone()[0])

    def record_rhythm(self, feed_id: int) -> tuple[datetime | None, int | None]:
        """Recompute a feed's newest item date and usual gap from its newest items' own dates
        (after new items came in). An entry re-emitted with an old date moves neither."""
        dates = [datetime.fromisoformat(r[0]) for r in self.db.execute(
            "SELECT published FROM items WHERE feed_id=? ORDER BY published DESC LIMIT ?",
            [feed_id, freshness.RHYTHM_ITEMS]).fetchall()]
        stored = parse_iso(self.db.execute("SELECT last_item FROM feeds WHERE id=?", [feed_id]).fetchone()[0])
        newest = max([*dates, *([stored] if stored else [])], default=None)
        gap = freshness.rhythm(dates)
        seconds = int(gap.total_seconds()) if gap is not None else None
        self.db.execute("UPDATE feeds SET last_item=?, rhythm=COALESCE(?, rhythm) WHERE id=?",
                        [iso(newest), seconds, feed_id])
        return newest, seconds

    def set_quiet(self, feed_id: int, since: datetime | None) -> None:
        """Mark a feed quiet (staff are told once) or, with None, publishing again."""
        self.db.execute("UPDATE feeds SET quiet_since=? WHERE id=?", [iso(since), feed_id])

    def add_feed(self, name: str, url: str, lang: str | None, source: str = "staff") -> bool:
        """A feed added by staff (kept across config reloads). False if it was already there."""
        existing = self._rows("SELECT id, active FROM feeds WHERE url=?", [url])
        if existing:
            if not existing[0]["active"]:  # back after a pause: its first fetch is backlog again
                self.db.execute("UPDATE feeds SET active=1, first_fetch=NULL WHERE url=?", [url])
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
    """A row as its readers use it: times parsed here, once."""
    return FeedRow(
        r["id"], r["name"], r["url"], r["lang"], r["interval"], r["etag"], r["last_modified"],
        parse_iso(r["last_success"]), r["last_error"], r["error_count"], parse_iso(r["next_attempt"]), r["items_seen"],
        bool(r["active"]), r.get("entries") or 0, r.get("items_failed") or 0, r.get("last_item_error"),
        parse_iso(r.get("first_fetch")), r.get("backfilled") or 0, parse_iso(r.get("last_item")), r.get("rhythm"),
        parse_iso(r.get("quiet_since")), bool(r.get("allow_private")), bool(r.get("review")), bool(r.get("priority")),
    )
