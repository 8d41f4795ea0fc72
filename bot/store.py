"""SQLite store: the single source of truth (sqlite-utils over one WAL-mode file).

Owns the schema and its numbered migrations, and every read and write the service makes. Each
state change that must survive a crash is written in one transaction before the next step acts
on it. Knows nothing of HTTP or chat platforms; callers pass plain values and dataclasses.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from .events import Event, Figure, Observation
from .items import Item
from .matcher import Extraction

SCHEMA_VERSION = 5


class AlreadyRunning(Exception):
    """Another process holds this database; the message is one plain sentence."""
EVENT_CACHE_SIZE = 2000  # events kept in memory (those of the last weeks, in practice)
# tables with a subscriber_id column: /forget deletes a chat's rows from each
FORGET_TABLES = ("outbox", "watches")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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


NewItem = Item  # older name of the one item type (bot.items.Item)


@dataclass(frozen=True)
class Fresh:
    """An item add_items took in: new, or an entry already seen whose text changed (revised).
    id is its row in items (rows stored before schema 5 keep their older, unscoped id);
    observation is the id its figures are filed under: the item id, plus the text's revision."""

    item: Item
    id: str
    observation: str
    revised: bool = False


@dataclass(frozen=True)
class Subscriber:
    id: int
    platform: str
    chat_id: str
    lang: str
    filter: str  # all | confirmations
    prison: str | None
    active: bool
    notes: bool = True  # low-priority prison news (transfers, visits) for a watched prison
    gone: bool = False  # the chat blocked or removed the bot: nothing can be delivered


@dataclass(frozen=True)
class OutboxRow:
    id: int
    subscriber_id: int
    key: str
    kind: str
    payload: dict[str, Any]
    reply_key: str | None
    attempts: int


def _migration_1(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL UNIQUE, lang TEXT,
            interval INTEGER, etag TEXT, last_modified TEXT, last_fetch TEXT, last_success TEXT,
            last_error TEXT, error_count INTEGER NOT NULL DEFAULT 0, next_attempt TEXT,
            items_seen INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1,
            source TEXT NOT NULL DEFAULT 'config', created TEXT NOT NULL
        );
        CREATE TABLE items (
            id TEXT PRIMARY KEY, feed_id INTEGER NOT NULL REFERENCES feeds(id), guid TEXT,
            link TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, published TEXT NOT NULL,
            lang TEXT, content_hash TEXT NOT NULL UNIQUE, fetched TEXT NOT NULL
        );
        CREATE INDEX items_published ON items(published);
        CREATE TABLE extractions (
            item_id TEXT PRIMARY KEY REFERENCES items(id), kind TEXT NOT NULL, released INTEGER,
            announced INTEGER, confirmed INTEGER, cumulative INTEGER, total INTEGER,
            prisons TEXT NOT NULL, orgs TEXT NOT NULL, names TEXT NOT NULL, lang TEXT NOT NULL,
            confidence REAL NOT NULL, announced_by TEXT, confirmed_by TEXT, total_by TEXT,
            evidence TEXT NOT NULL, event_id INTEGER, created TEXT NOT NULL
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY, announced INTEGER, confirmed INTEGER, prisons TEXT NOT NULL,
            names TEXT NOT NULL, first_published TEXT NOT NULL, last_published TEXT NOT NULL,
            revision INTEGER NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL
        );
        CREATE INDEX events_last ON events(last_published);
        CREATE TABLE event_figures (
            id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES events(id),
            role TEXT NOT NULL, value INTEGER NOT NULL, outlet TEXT NOT NULL, org TEXT,
            item_id TEXT NOT NULL, link TEXT NOT NULL, published TEXT NOT NULL,
            manual INTEGER NOT NULL DEFAULT 0, UNIQUE(event_id, item_id, role)
        );
        CREATE TABLE revisions (
            event_id INTEGER NOT NULL REFERENCES events(id), revision INTEGER NOT NULL,
            snapshot TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY(event_id, revision)
        );
        CREATE TABLE tallies (
            id INTEGER PRIMARY KEY, item_id TEXT NOT NULL UNIQUE, total INTEGER NOT NULL,
            org TEXT, outlet TEXT NOT NULL, link TEXT NOT NULL, published TEXT NOT NULL
        );
        CREATE TABLE subscribers (
            id INTEGER PRIMARY KEY, platform TEXT NOT NULL, chat_id TEXT NOT NULL,
            lang TEXT NOT NULL, filter TEXT NOT NULL DEFAULT 'all', prison TEXT,
            active INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL,
            UNIQUE(platform, chat_id)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
            key TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, reply_key TEXT,
            status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt TEXT NOT NULL, claimed_by TEXT, claimed_at TEXT, sent_at TEXT,
            message_ref TEXT, error TEXT, created TEXT NOT NULL,
            UNIQUE(subscriber_id, key)
        );
        CREATE INDEX outbox_pending ON outbox(status, next_attempt);
        CREATE INDEX outbox_subscriber ON outbox(subscriber_id, id);
        CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """Families watch names (stored encrypted) and may turn off low-priority prison notes."""
    db.executescript(
        """
        CREATE TABLE watches (
            id INTEGER PRIMARY KEY, subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
            name_enc TEXT NOT NULL, created TEXT NOT NULL
        );
        CREATE INDEX watches_subscriber ON watches(subscriber_id);
        ALTER TABLE subscribers ADD COLUMN notes INTEGER NOT NULL DEFAULT 1;
        -- gone: the chat blocked or removed the bot (active only says: subscribed to releases)
        ALTER TABLE subscribers ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;
        """
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    """Staff review: a revision is held, released or rejected, and who decided is recorded."""
    db.executescript(
        """
        ALTER TABLE revisions ADD COLUMN status TEXT NOT NULL DEFAULT 'released';
        ALTER TABLE revisions ADD COLUMN confidence REAL;
        ALTER TABLE revisions ADD COLUMN decided_by TEXT;
        ALTER TABLE revisions ADD COLUMN decided_at TEXT;
        ALTER TABLE revisions ADD COLUMN reason TEXT;
        ALTER TABLE revisions ADD COLUMN reminded_at TEXT;
        CREATE INDEX revisions_status ON revisions(status);
        """
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    """Candidate events are looked up by the numbers they share with an item: without an index
    every alert-bearing item scanned all figures ever recorded."""
    db.executescript("CREATE INDEX event_figures_value ON event_figures(value);")


def _migration_5(db: sqlite_utils.Database) -> None:
    """Items are deduplicated per feed (two outlets may use one GUID for different stories), an
    entry whose text changes is read again, and what could not be read is recorded per feed."""
    db.executescript(
        """
        -- the entry's key within its feed (GUID, else link, else text); before version 5 an
        -- item's id was exactly that key, not scoped by feed
        ALTER TABLE items ADD COLUMN key TEXT;
        UPDATE items SET key = id;
        CREATE UNIQUE INDEX items_feed_key ON items(feed_id, key);
        -- how many texts of this entry were read (an article updated in place: 20 -> 45 confirmed)
        ALTER TABLE items ADD COLUMN text_rev INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE feeds ADD COLUMN entries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN items_failed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN last_item_error TEXT;
        -- entries that failed to be processed: skipped from then on, shown to staff
        CREATE TABLE item_failures (
            feed_id INTEGER NOT NULL REFERENCES feeds(id), key TEXT NOT NULL, error TEXT NOT NULL,
            seen TEXT NOT NULL, PRIMARY KEY(feed_id, key)
        );
        -- private alerts about a watched name already delivered, as keyed digests only: no chat,
        -- no event, no time (the delivered outbox row itself is deleted, see finish_watch)
        CREATE TABLE watch_marks (mark TEXT PRIMARY KEY);
        """
    )


MIGRATIONS = {1: _migration_1, 2: _migration_2, 3: _migration_3, 4: _migration_4, 5: _migration_5}


class Store:
    """All persistent state. One instance per process; methods are synchronous and short."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        fresh = not self.path.exists()
        if fresh:
            # owner-only from the first byte: the subscriber list is sensitive
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        # and owner-only at every start: a file made by hand (or restored, or copied) may not be.
        # SQLite gives its -wal and -shm files the main file's mode; existing ones are fixed too
        _owner_only(self.path)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        # deleted rows are overwritten, not left in free pages: /forget must leave no chat id behind
        self.db.execute("PRAGMA secure_delete=ON")
        self._lock_fd: int | None = None
        # NORMAL in WAL mode: a power cut may lose the last commits but never corrupts; every
        # step is idempotent (unique keys), so a lost commit is redone on the next cycle.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.execute("PRAGMA foreign_keys=ON")
        # events as last read or written by this connection (see _load_events)
        self._event_cache: dict[int, Event] = {}
        self._data_version: int | None = None
        self.migrate()

    # -- schema -----------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        if 0 < self.version < SCHEMA_VERSION:  # an older release's file: a copy first (bot/upgrade.py)
            from .upgrade import backup_before_migration
            backup_before_migration(self.db.conn, self.path, self.version, SCHEMA_VERSION)
        while self.version < SCHEMA_VERSION:
            target = self.version + 1
            with self.transaction():
                MIGRATIONS[target](self.db)
                self.db.execute(f"PRAGMA user_version={target}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            # the cache may hold events this rollback undoes; clear it first, whatever happens
            # next. SQLite may already have rolled back by itself (disk full, I/O error): then a
            # ROLLBACK would fail and hide the real error
            self._event_cache.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def lock(self) -> None:
        """Take the database for this process alone (the service, a poll): a second process on the
        same file would send alerts twice and answer commands twice. Held until close()."""
        if self._lock_fd is not None:
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise AlreadyRunning(f"Another ReleaseWatch process is already using {self.path}; stop it first "
                                 "(one process per database).") from None
        self._lock_fd = fd

    def shift_deadlines(self, delta: timedelta) -> None:
        """The wall clock stepped by delta (an NTP step, a VM restore): move every stored deadline
        with it, or a step back of an hour would hold polls and retries for an hour."""
        with self.transaction():
            for table, where in (("feeds", "next_attempt IS NOT NULL"), ("outbox", "status='pending'")):
                rows = self.db.execute(f"SELECT rowid, next_attempt FROM {table} WHERE {where}").fetchall()
                self.db.conn.executemany(f"UPDATE {table} SET next_attempt=? WHERE rowid=?",
                                         [(iso(parse_iso(at) + delta), rid) for rid, at in rows if at])

    def backup(self, target: str | Path) -> Path:
        """A consistent online copy (SQLite backup API), owner-only, safe while the service runs."""
        target = Path(target)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        dest = sqlite3.connect(target)
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        return target

    @staticmethod
    def restore(source: str | Path, target: str | Path) -> None:
        """Replace the database at target with the backup at source, after checking the backup."""
        source, target = Path(source), Path(target)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise ValueError(f"{source} is damaged ({ok})")
            version = src.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ValueError(f"{source} was made by a newer ReleaseWatch (schema {version})")
            if not target.exists():
                fd = os.open(target, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            dest = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dest)
            finally:
                dest.close()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{source} is not a ReleaseWatch database ({exc})") from None
        finally:
            src.close()

    def _rows(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params or []))

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
            [iso(now), f"{iso(now)} {error}"[:500], iso(next_attempt), feed_id],
        )
        return int(self.db.execute("SELECT error_count FROM feeds WHERE id=?", [feed_id]).fetchone()[0])

    # -- items ------------------------------------------------------------------------------
    def add_items(self, items: Iterable[Item], now: datetime) -> list[Fresh]:
        """Store what is new among items (of any feeds), in order: an entry its feed never sent, or
        one whose text changed since it was read (revised). An entry is known by its key within
        its feed; a text already stored from any feed (a wire story, a re-GUIDed repost) is the
        same story and not taken again; an entry that failed before is skipped.

        One query per chunk finds what is known and one statement writes the rest (most of a
        feed's items are known on every poll after the first); the write lock that BEGIN
        IMMEDIATE takes first makes the check exact."""
        items = list(items)
        fresh: list[Fresh] = []
        counts: dict[int, int] = {}
        stamp = iso(now)
        with self.transaction():
            for start in range(0, len(items), 400):
                chunk = items[start:start + 400]
                hashes = [it.content_hash for it in chunk]
                keys = [(it.feed_id, it.key) for it in chunk]
                pairs = " OR ".join("(feed_id=? AND key=?)" for _ in chunk)
                flat = [v for pair in keys for v in pair]
                seen = {(r[0], r[1]): (r[2], r[3], r[4]) for r in self.db.execute(
                    f"SELECT feed_id, key, id, content_hash, text_rev FROM items WHERE {pairs}", flat)}
                failed = set(self.db.execute(f"SELECT feed_id, key FROM item_failures WHERE {pairs}", flat).fetchall())
                marks = ",".join("?" * len(chunk))
                texts = {r[0] for r in self.db.execute(f"SELECT content_hash FROM items WHERE content_hash IN ({marks})",
                                                       hashes)}
                rows = []
                for it, key, digest in zip(chunk, keys, hashes, strict=True):
                    if key in failed or digest in texts:
                        continue
                    texts.add(digest)  # the same story twice in one batch
                    known = seen.get(key)
                    if known is not None:  # its text changed: read it again as a new observation
                        stored_id, _old, rev = known
                        self.db.execute("UPDATE items SET title=?, summary=?, content_hash=?, text_rev=?, fetched=? "
                                        "WHERE id=?", [it.title, it.summary, digest, rev + 1, stamp, stored_id])
                        seen[key] = (stored_id, digest, rev + 1)
                        fresh.append(Fresh(it, stored_id, f"{stored_id}~{rev + 1}", revised=True))
                        continue
                    fresh.append(Fresh(it, it.id, it.id))
                    counts[it.feed_id] = counts.get(it.feed_id, 0) + 1
                    rows.append((it.id, it.feed_id, it.key, it.guid, it.link, it.title, it.summary, iso(it.published),
                                 it.lang, digest, stamp))
                self.db.conn.executemany(
                    "INSERT INTO items (id, feed_id, key, guid, link, title, summary, published, "
                    "lang, content_hash, fetched) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
            self.db.conn.executemany("UPDATE feeds SET items_seen=items_seen+? WHERE id=?",
                                     [(n, feed_id) for feed_id, n in counts.items()])
        return fresh

    def record_item_failure(self, item: Item, error: str, now: datetime) -> None:
        """An entry that could not be processed: skipped from now on, counted on its feed."""
        with self.transaction():
            cur = self.db.execute("INSERT OR IGNORE INTO item_failures (feed_id, key, error, seen) VALUES (?,?,?,?)",
                                  [item.feed_id, item.key, error[:300], iso(now)])
            if cur.rowcount:
                self.db.execute("UPDATE feeds SET items_failed=items_failed+1, last_item_error=? WHERE id=?",
                                [f"{iso(now)} {error}"[:300], item.feed_id])

    def record_skipped_entries(self, feed_id: int, errors: Iterable[str], now: datetime) -> None:
        """Entries the parser could not read at all (their key is unknown): counted on the feed."""
        errors = list(errors)
        if errors:
            self.db.execute("UPDATE feeds SET items_failed=items_failed+?, last_item_error=? WHERE id=?",
                            [len(errors), f"{iso(now)} {errors[-1]}"[:300], feed_id])

    def item_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM items").fetchone()[0])

    # -- extractions, events, tallies ---------------------------------------------------------
    def record_extractions(self, rows: Iterable[tuple[str, Extraction, int | None]], now: datetime) -> None:
        """What the matcher read in each item (and the event it joined), one statement for all."""
        stamp = iso(now)
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO extractions (item_id, kind, released, announced, confirmed, "
            "cumulative, total, prisons, orgs, names, lang, confidence, announced_by, confirmed_by, "
            "total_by, evidence, event_id, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(item_id, ex.kind, ex.released, ex.announced, ex.confirmed, ex.cumulative,
              ex.total_prisoners, json.dumps(ex.prisons), json.dumps(ex.orgs), json.dumps(ex.names),
              ex.lang, ex.confidence, ex.announced_by, ex.confirmed_by, ex.total_by, ex.evidence,
              event_id, stamp) for item_id, ex, event_id in rows],
        )

    def candidate_events(self, around: datetime, window: timedelta, numbers: Iterable[int] | None = None) -> list[Event]:
        """Events an item published at `around` may report. With `numbers`, events further than
        three days away are candidates only if they share one of them (events.find_event's rules:
        a match without a shared number needs the same place within days)."""
        params: list[Any] = [iso(around - window), iso(around + window)]
        extra = ""
        if numbers is not None:
            nums = sorted({int(n) for n in numbers})
            marks = ",".join("?" * len(nums)) or "NULL"
            extra = (f" AND (last_published >= ? OR announced IN ({marks}) OR confirmed IN ({marks}) OR id IN "
                     f"(SELECT event_id FROM event_figures WHERE value IN ({marks})))")
            params += [iso(around - timedelta(days=3)), *nums, *nums, *nums]
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
        self._event_cache.pop(event.id, None)
        self._event_cache[event.id] = event
        if len(self._event_cache) > EVENT_CACHE_SIZE:
            del self._event_cache[next(iter(self._event_cache))]  # the least recently used

    def event(self, event_id: int) -> Event | None:
        found = self._load_events([event_id])
        return found[0] if found else None

    def latest_events(self, limit: int = 5) -> list[Event]:
        ids = [r[0] for r in self.db.execute(
            "SELECT id FROM events ORDER BY last_published DESC, id DESC LIMIT ?", [limit])]
        if len(ids) > EVENT_CACHE_SIZE:  # an export of everything: read it all, cache none of it
            every = self._read_events(None)
            return [every[i] for i in ids if i in every]
        return self._load_events(ids)

    def _read_events(self, ids: list[int] | None) -> dict[int, Event]:
        """Events with their figures from the file (all of them if ids is None), two queries."""
        marks = ",".join("?" * len(ids or ()))
        params = list(ids or ())
        by_event: dict[int, list[dict[str, Any]]] = {}
        figures = "" if ids is None else f" WHERE event_id IN ({marks})"
        for f in self._rows(f"SELECT * FROM event_figures{figures} ORDER BY published, id", params):
            by_event.setdefault(f["event_id"], []).append(f)
        events = "" if ids is None else f" WHERE id IN ({marks})"
        return {r["id"]: _event(r, by_event.get(r["id"], [])) for r in self._rows(f"SELECT * FROM events{events}", params)}

    def save_event(self, event: Event, obs: Observation, new_revision: bool, now: datetime,
                   status: str = "released", confidence: float | None = None, manual: bool = False) -> Event:
        """Write the event state, its figures, and (if new_revision) the revision snapshot with its
        review status (released, or held for staff)."""
        values = [event.announced, event.confirmed, json.dumps(event.prisons), json.dumps(event.names),
                  iso(event.first_published), iso(event.last_published), event.revision, iso(now)]
        if event.id is None:
            cur = self.db.execute(
                "INSERT INTO events (announced, confirmed, prisons, names, first_published, "
                "last_published, revision, updated, created) VALUES (?,?,?,?,?,?,?,?,?)",
                [*values, iso(now)],
            )
            event_id = int(cur.lastrowid or 0)
        else:
            event_id = event.id
            self.db.execute(
                "UPDATE events SET announced=?, confirmed=?, prisons=?, names=?, first_published=?, "
                "last_published=?, revision=?, updated=? WHERE id=?",
                [*values, event_id],
            )
        # the event's other figures were read from this table: only the observation's are new
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO event_figures (event_id, role, value, outlet, org, item_id, "
            "link, published, manual) VALUES (?,?,?,?,?,?,?,?,?)",
            [(event_id, f.role, f.value, f.outlet, f.org, f.item_id, f.link, iso(f.published), int(manual))
             for f in event.figures if f.item_id == obs.item_id],
        )
        saved = Event(**{**event.__dict__, "id": event_id})
        self._remember_event(_as_stored(saved, obs.item_id))
        if new_revision:
            self.db.execute(
                "INSERT OR IGNORE INTO revisions (event_id, revision, snapshot, created, status, confidence) "
                "VALUES (?,?,?,?,?,?)",
                [event_id, event.revision, json.dumps(snapshot(saved, obs)), iso(now), status, confidence],
            )
        return saved

    def revision_snapshot(self, event_id: int, revision: int) -> dict[str, Any] | None:
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

    def all_tallies(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM tallies ORDER BY published, id")

    def all_figures(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM event_figures ORDER BY event_id, published, id")

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

    def latest_tallies(self, limit: int = 3) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM tallies ORDER BY published DESC, id DESC LIMIT ?", [limit])

    def item_outlets(self, event_id: int) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT DISTINCT f.name AS outlet, i.link, i.title, i.published FROM extractions x "
            "JOIN items i ON i.id = x.item_id JOIN feeds f ON f.id = i.feed_id "
            "WHERE x.event_id=? ORDER BY i.published",
            [event_id],
        )

    # -- subscribers ---------------------------------------------------------------------------
    def subscribe(self, platform: str, chat_id: str, lang: str, filter: str = "all",
                  prison: str | None = None) -> Subscriber:
        now = iso(utcnow())
        self.db.execute(
            "INSERT INTO subscribers (platform, chat_id, lang, filter, prison, active, created) "
            "VALUES (?,?,?,?,?,1,?) ON CONFLICT(platform, chat_id) DO UPDATE SET "
            "lang=excluded.lang, filter=excluded.filter, prison=excluded.prison, active=1, gone=0",
            [platform, str(chat_id), lang, filter, prison, now],
        )
        sub = self.subscriber(platform, chat_id)
        assert sub is not None
        return sub

    def subscriber(self, platform: str, chat_id: str | int) -> Subscriber | None:
        rows = self._rows("SELECT * FROM subscribers WHERE platform=? AND chat_id=?", [platform, str(chat_id)])
        return _subscriber(rows[0]) if rows else None

    def subscriber_by_id(self, sub_id: int) -> Subscriber | None:
        rows = self._rows("SELECT * FROM subscribers WHERE id=?", [sub_id])
        return _subscriber(rows[0]) if rows else None

    def active_subscribers(self) -> list[Subscriber]:
        cur = self.db.conn.execute(
            "SELECT id, platform, chat_id, lang, filter, prison, active, notes, gone FROM subscribers "
            "WHERE active=1 AND gone=0 ORDER BY id")
        return [Subscriber(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7]), bool(r[8])) for r in cur]

    def set_lang(self, platform: str, chat_id: str | int, lang: str) -> None:
        """Remember a chat's language; a chat that never subscribed stays inactive."""
        self.db.execute(
            "INSERT INTO subscribers (platform, chat_id, lang, active, created) VALUES (?,?,?,0,?) "
            "ON CONFLICT(platform, chat_id) DO UPDATE SET lang=excluded.lang, gone=0",
            [platform, str(chat_id), lang, iso(utcnow())],
        )

    def unsubscribe(self, sub_id: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE subscribers SET active=0 WHERE id=?", [sub_id])
            self.db.execute("DELETE FROM outbox WHERE subscriber_id=? AND status='pending'", [sub_id])

    def forget(self, platform: str, chat_id: str | int) -> bool:
        """Erase everything stored about one chat. Returns whether anything was there."""
        sub = self.subscriber(platform, chat_id)
        if sub is None:
            return False
        with self.transaction():
            for table in FORGET_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE subscriber_id=?", [sub.id])
            self.db.execute("DELETE FROM subscribers WHERE id=?", [sub.id])
        self.checkpoint()
        return True

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the file and empty it: after an erasure, no old copy of
        the erased rows waits in the -wal file until the next clean stop."""
        try:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:  # another connection is reading: the next start truncates
            pass

    def migrate_chat(self, platform: str, old_chat_id: str | int, new_chat_id: str | int) -> None:
        """A Telegram group became a supergroup: same subscriber, new chat id."""
        with self.transaction():
            if self.subscriber(platform, new_chat_id) is not None:
                self.forget(platform, old_chat_id)
                return
            self.db.execute(
                "UPDATE subscribers SET chat_id=? WHERE platform=? AND chat_id=?",
                [str(new_chat_id), platform, str(old_chat_id)],
            )

    def subscriber_stats(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT platform, lang, filter, prison, count(*) AS n FROM subscribers WHERE active=1 AND gone=0 "
            "GROUP BY platform, lang, filter, prison ORDER BY n DESC"
        )

    # -- watches (names are ciphertext here; bot.vault holds the key) ---------------------------
    def add_watch(self, sub_id: int, name_enc: str) -> int:
        cur = self.db.execute("INSERT INTO watches (subscriber_id, name_enc, created) VALUES (?,?,?)",
                              [sub_id, name_enc, iso(utcnow())])
        return int(cur.lastrowid or 0)

    def watches(self, sub_id: int | None = None) -> list[dict[str, Any]]:
        if sub_id is None:
            return self._rows("SELECT w.* FROM watches w JOIN subscribers s ON s.id = w.subscriber_id "
                              "WHERE s.gone = 0 ORDER BY w.id")
        return self._rows("SELECT * FROM watches WHERE subscriber_id=? ORDER BY id", [sub_id])

    def remove_watch(self, sub_id: int, watch_id: int) -> bool:
        cur = self.db.execute("DELETE FROM watches WHERE id=? AND subscriber_id=?", [watch_id, sub_id])
        return bool(cur.rowcount)

    def rotate_secrets(self, rotate: Any) -> int:
        """Re-encrypt every stored secret with rotate(token) -> token, in one transaction."""
        n = 0
        with self.transaction():
            for row in self._rows("SELECT id, name_enc FROM watches"):
                self.db.execute("UPDATE watches SET name_enc=? WHERE id=?", [rotate(row["name_enc"]), row["id"]])
                n += 1
            for row in self._rows("SELECT id, payload FROM outbox WHERE kind='watch'"):
                payload = json.loads(row["payload"])
                payload["enc"] = rotate(payload["enc"])
                self.db.execute("UPDATE outbox SET payload=? WHERE id=?", [json.dumps(payload), row["id"]])
                n += 1
        return n

    def set_notes(self, sub_id: int, on: bool) -> None:
        self.db.execute("UPDATE subscribers SET notes=? WHERE id=?", [int(on), sub_id])

    def prune(self, older_than: datetime) -> dict[str, int]:
        """Retention: drop items, their extractions and finished outbox rows older than the cut.
        Events, their figures and tallies stay: they are the public ledger, not personal data."""
        cut = iso(older_than)
        with self.transaction():
            ex = self.db.execute(
                "DELETE FROM extractions WHERE item_id IN (SELECT id FROM items WHERE fetched < ?)", [cut]).rowcount
            it = self.db.execute("DELETE FROM items WHERE fetched < ?", [cut]).rowcount
            ob = self.db.execute(
                "DELETE FROM outbox WHERE created < ? AND status IN ('sent','failed','dead')", [cut]).rowcount
        return {"items": it, "extractions": ex, "outbox": ob}

    def deactivate(self, sub_id: int, reason: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE subscribers SET active=0, gone=1 WHERE id=?", [sub_id])
            self.db.execute(
                "UPDATE outbox SET status='dead', error=? WHERE subscriber_id=? AND status IN "
                "('pending','claimed')",
                [reason[:200], sub_id],
            )

    # -- outbox ----------------------------------------------------------------------------------
    # -- review -----------------------------------------------------------------------------------
    def revision(self, event_id: int, revision: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT event_id, revision, status, confidence, decided_by, decided_at, reason, "
                          "created, reminded_at FROM revisions WHERE event_id=? AND revision=?", [event_id, revision])
        return rows[0] if rows else None

    def revisions(self, event_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT event_id, revision, status, confidence, decided_by, decided_at, reason, "
                          "created FROM revisions WHERE event_id=? ORDER BY revision", [event_id])

    def decide(self, event_id: int, revision: int, status: str, who: str, reason: str | None,
               now: datetime) -> bool:
        """Release or reject a held revision. True for the first decision; later ones change nothing."""
        cur = self.db.execute(
            "UPDATE revisions SET status=?, decided_by=?, decided_at=?, reason=? "
            "WHERE event_id=? AND revision=? AND status='held'",
            [status, who[:100], iso(now), (reason or "")[:300] or None, event_id, revision],
        )
        return bool(cur.rowcount)

    def held(self, reminded_before: datetime | None = None) -> list[dict[str, Any]]:
        """Held revisions; with reminded_before, only those not announced to staff since then."""
        sql = "SELECT event_id, revision, confidence, created, reminded_at FROM revisions WHERE status='held'"
        params: list[Any] = []
        if reminded_before is not None:
            sql += " AND COALESCE(reminded_at, created) < ?"
            params.append(iso(reminded_before))
        return self._rows(sql + " ORDER BY created", params)

    def mark_reminded(self, event_id: int, revision: int, now: datetime) -> None:
        self.db.execute("UPDATE revisions SET reminded_at=? WHERE event_id=? AND revision=?",
                        [iso(now), event_id, revision])

    def staff_subscribers(self) -> list[Subscriber]:
        return [_subscriber(r) for r in self._rows(
            "SELECT * FROM subscribers WHERE filter='staff' AND gone=0 ORDER BY id")]

    def enqueue_revision(self, event: Event, now: datetime, revision: int | None = None) -> int:
        """One outbox row per matching subscriber for a revision (default: the event's current one).
        Idempotent; an update replies to the first alert of the event the reader received."""
        assert event.id is not None
        rev = revision or event.revision
        key = f"ev:{event.id}:r{rev}"
        reply_key = f"ev:{event.id}:" if rev > 1 else None
        payload = json.dumps({"event_id": event.id, "revision": rev})
        stamp = iso(now)
        rows = [(sub.id, key, "event", payload, reply_key, stamp, stamp)
                for sub in self.active_subscribers() if wants(sub, event)]
        before = self.db.conn.total_changes
        # one statement for every subscriber: a broadcast to thousands is one round of SQLite work
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO outbox (subscriber_id, key, kind, payload, reply_key, next_attempt, created) "
            "VALUES (?,?,?,?,?,?,?)", rows)
        return self.db.conn.total_changes - before

    def enqueue(self, sub_id: int, key: str, kind: str, payload: dict[str, Any],
                now: datetime | None = None, reply_key: str | None = None) -> bool:
        now = now or utcnow()
        cur = self.db.execute(
            "INSERT OR IGNORE INTO outbox (subscriber_id, key, kind, payload, reply_key, next_attempt, "
            "created) VALUES (?,?,?,?,?,?,?)",
            [sub_id, key, kind, json.dumps(payload), reply_key, iso(now), iso(now)],
        )
        return bool(cur.rowcount)

    def enqueue_watch(self, sub_id: int, mark: str, payload: dict[str, Any], now: datetime,
                      known: Iterable[str] = ()) -> bool:
        """A private alert about a watched name. Its key is a keyed digest (mark) of which watch
        and which event: a copy of the file without the key cannot tell who waits for whom.
        Nothing is queued if this mark (or one of `known`, its marks under old keys) was delivered."""
        marks = [mark, *known]
        found = self.db.execute(f"SELECT 1 FROM watch_marks WHERE mark IN ({','.join('?' * len(marks))})", marks)
        if found.fetchone():
            return False
        return self.enqueue(sub_id, f"watch:{mark}", "watch", payload, now)

    def finish_watch(self, row_id: int, key: str) -> None:
        """A private alert went out (or never can): keep only its mark, drop the row and its times."""
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO watch_marks (mark) VALUES (?)", [key.removeprefix("watch:")])
            self.db.execute("DELETE FROM outbox WHERE id=?", [row_id])

    def reclaim(self) -> int:
        """Rows claimed by a worker that died go back to pending (called at start-up)."""
        cur = self.db.execute("UPDATE outbox SET status='pending', claimed_by=NULL WHERE status='claimed'")
        return cur.rowcount

    def claim(self, worker: str, now: datetime, limit: int, platforms: Iterable[str]) -> list[OutboxRow]:
        plats = list(platforms)
        marks = ",".join("?" * len(plats))
        with self.transaction():
            rows = self._rows(
                f"SELECT o.* FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id "
                f"WHERE o.status='pending' AND o.next_attempt <= ? AND s.platform IN ({marks}) "
                # a chat's messages go in order: skip rows behind one that is not due yet
                f"AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.subscriber_id = o.subscriber_id "
                f"AND e.id < o.id AND (e.status = 'claimed' OR (e.status = 'pending' AND e.next_attempt > ?))) "
                f"ORDER BY o.id LIMIT ?",
                [iso(now), *plats, iso(now), limit],
            )
            if rows:
                ids = [r["id"] for r in rows]
                self.db.execute(
                    f"UPDATE outbox SET status='claimed', claimed_by=?, claimed_at=? "
                    f"WHERE id IN ({','.join('?' * len(ids))})",
                    [worker, iso(now), *ids],
                )
        return [
            OutboxRow(r["id"], r["subscriber_id"], r["key"], r["kind"], json.loads(r["payload"]),
                      r["reply_key"], r["attempts"])
            for r in rows
        ]

    def release(self, worker: str, row_ids: list[int]) -> None:
        """Rows this worker claimed and did not try go back to pending, as they were."""
        if row_ids:
            self.db.execute(f"UPDATE outbox SET status='pending', claimed_by=NULL WHERE status='claimed' "
                            f"AND claimed_by=? AND id IN ({','.join('?' * len(row_ids))})", [worker, *row_ids])

    def mark_sent(self, row_id: int, message_ref: str | None, now: datetime) -> None:
        self.db.execute(
            "UPDATE outbox SET status='sent', sent_at=?, message_ref=?, attempts=attempts+1, "
            "error=NULL WHERE id=?",
            [iso(now), message_ref, row_id],
        )

    def mark_retry(self, row_id: int, error: str, next_attempt: datetime, count_attempt: bool = True) -> None:
        self.db.execute(
            "UPDATE outbox SET status='pending', claimed_by=NULL, next_attempt=?, error=?, "
            "attempts=attempts+? WHERE id=?",
            [iso(next_attempt), error[:200], 1 if count_attempt else 0, row_id],
        )

    def mark_failed(self, row_id: int, error: str) -> None:
        self.db.execute(
            "UPDATE outbox SET status='failed', error=?, attempts=attempts+1 WHERE id=?", [error[:200], row_id]
        )

    def message_ref(self, sub_id: int, key: str) -> str | None:
        """The platform message id of a sent row; a key ending in ':' means the first sent row
        whose key starts with it (the first alert of an event this reader received)."""
        if key.endswith(":"):
            row = self.db.execute(
                "SELECT message_ref FROM outbox WHERE subscriber_id=? AND key LIKE ? AND status='sent' "
                "ORDER BY id LIMIT 1", [sub_id, key.replace("%", "") + "%"]).fetchone()
        else:
            row = self.db.execute(
                "SELECT message_ref FROM outbox WHERE subscriber_id=? AND key=? AND status='sent'", [sub_id, key]
            ).fetchone()
        return row[0] if row else None

    def next_pending_time(self) -> datetime | None:
        """When the next pending row falls due. A chat's messages go in order, so only each chat's
        first pending row counts: the rows behind it are due no earlier than it is.

        One pass over the pending rows (SQLite takes a bare column from the min() row): the
        former per-row subquery took 50 s with 20,000 rows pending, blocking the event loop."""
        row = self.db.execute(
            "SELECT min(first_due) FROM (SELECT next_attempt AS first_due, min(id) FROM outbox "
            "WHERE status = 'pending' GROUP BY subscriber_id)").fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def outbox_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._rows("SELECT status, count(*) AS n FROM outbox GROUP BY status")}

    # -- key/value (platform state such as sync tokens) -------------------------------------------
    def get_kv(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE key=?", [key]).fetchone()
        return row[0] if row else None

    def set_kv(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", [key, value])


def wants(sub: Subscriber, event: Event) -> bool:
    """Does this subscriber's filter take this event revision?"""
    if sub.filter == "staff":
        return False  # the staff room gets review posts, not family alerts
    if sub.filter == "confirmations" and not event.confirmed:
        return False
    if sub.prison and sub.prison not in event.prisons:
        return False
    return True


def snapshot(event: Event, obs: Observation) -> dict[str, Any]:
    """What an alert for this revision says, frozen so a retry renders the same message."""
    return {
        "event_id": event.id,
        "revision": event.revision,
        "announced": event.announced,
        "confirmed": event.confirmed,
        "prisons": list(event.prisons),
        "figures": [
            {"role": f.role, "value": f.value, "outlet": f.outlet, "org": f.org, "link": f.link,
             "published": iso(f.published)}
            for f in event.figures
        ],
        "trigger": {"outlet": obs.outlet, "title": obs.title[:300], "link": obs.link,
                    "published": iso(obs.published), "kind": obs.extraction.kind},
    }


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
        figures=tuple(
            Figure(f["role"], f["value"], f["outlet"], f["org"], f["item_id"], f["link"],
                   parse_iso(f["published"]))  # type: ignore[arg-type]
            for f in figs
        ),
    )


def _as_stored(event: Event, new_item_id: str) -> Event:
    """The event just saved exactly as reading it back would give: times in whole seconds,
    figures in the table's order (published, then insertion: a stable sort keeps it). Only the
    figures of new_item_id were not read from the table."""
    def stored(dt: datetime) -> datetime:
        return parse_iso(iso(dt))  # type: ignore[return-value]

    figures = sorted((replace(f, published=stored(f.published)) if f.item_id == new_item_id else f
                      for f in event.figures), key=lambda f: f.published)
    return replace(event, first_published=stored(event.first_published), last_published=stored(event.last_published),
                   figures=tuple(figures))


def _feed(r: dict[str, Any]) -> FeedRow:
    return FeedRow(
        r["id"], r["name"], r["url"], r["lang"], r["interval"], r["etag"], r["last_modified"],
        r["last_success"], r["last_error"], r["error_count"], r["next_attempt"], r["items_seen"],
        bool(r["active"]), r.get("entries") or 0, r.get("items_failed") or 0, r.get("last_item_error"),
    )


def _subscriber(r: dict[str, Any]) -> Subscriber:
    return Subscriber(r["id"], r["platform"], r["chat_id"], r["lang"], r["filter"], r["prison"], bool(r["active"]),
                      bool(r.get("notes", 1)), bool(r.get("gone", 0)))



def _owner_only(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except FileNotFoundError:
            pass
