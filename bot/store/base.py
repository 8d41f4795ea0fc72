"""The store's base: one SQLite connection in WAL mode with its PRAGMAs, transactions, the
exclusive lock of one process per database, backup and restore, and housekeeping across domains
(retention, a clock step). The domain modules (feeds, items, events, …) build on it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from cachetools import LRUCache

from ..events import Event
from .schema import MIGRATIONS, SCHEMA_VERSION

EVENT_CACHE_SIZE = 2000  # events kept in memory (those of the last weeks, in practice)


class AlreadyRunning(Exception):
    """Another process holds this database; the message is one plain sentence."""


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class StoreBase:
    """Connection, transactions, lock, backup; one instance per process, methods synchronous and short."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """Open (and migrate) the database at path. read_only: a second connection for a long read
        in another thread (an export, a chart), which sees one consistent snapshot and can neither
        write nor disturb the service's transactions."""
        self.path = Path(path)
        self._lock_fd: int | None = None
        self._event_cache: LRUCache[int, Event] = LRUCache(maxsize=EVENT_CACHE_SIZE)
        self._data_version: int | None = None
        if read_only:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA busy_timeout=30000")
            return
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
        # NORMAL in WAL mode: a power cut may lose the last commits but never corrupts; every
        # step is idempotent (unique keys), so a lost commit is redone on the next cycle.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    # -- schema -----------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        if 0 < self.version < SCHEMA_VERSION:  # an older release's file: a copy first (bot/upgrade.py)
            from ..upgrade import backup_before_migration

            backup_before_migration(self.db.conn, self.path, self.version, SCHEMA_VERSION)
        while self.version < SCHEMA_VERSION:
            target = self.version + 1
            with self.transaction():
                MIGRATIONS[target](self.db)
                self.db.execute(f"PRAGMA user_version={target}")

    @property
    def in_transaction(self) -> bool:
        """Is a transaction open on this connection (a caller's, which a nested one joins)?"""
        return self.db.conn.in_transaction

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
        fd = _take_lock(self.path)
        if fd is None:
            raise AlreadyRunning(f"Another ReleaseWatch process is already using {self.path}; stop it first "
                                 "(one process per database).")
        self._lock_fd = fd

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the file and empty it: after an erasure, no old copy of
        the erased rows waits in the -wal file until the next clean stop."""
        try:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:  # another connection is reading: the next start truncates
            pass

    def backup(self, target: str | Path) -> Path:
        """A consistent online copy (SQLite backup API), owner-only, safe while the service runs."""
        target = Path(target)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        if not target.parent.is_dir():
            raise ValueError(f"the folder {target.parent} does not exist; create it first or choose another")
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        dest = sqlite3.connect(target)
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        return target

    @staticmethod
    def restore(source: str | Path, target: str | Path) -> Path | None:
        """Replace the database at target with the backup at source. The backup must be a
        ReleaseWatch database (its tables, its integrity, a schema this release can read or
        migrate); no process may hold target (the service's lock); the database it replaces is
        kept beside it. Returns where the replaced one was kept (None: there was none).
        ValueError: one sentence saying why nothing was touched."""
        source, target = Path(source), Path(target)
        if not source.exists():
            raise ValueError(f"{source} does not exist")
        if not source.is_file():
            raise ValueError(f"{source} is not a file (give the backup file itself)")
        if source.stat().st_size == 0:
            raise ValueError(f"{source} is empty, not a ReleaseWatch database")
        if not target.parent.is_dir():
            raise ValueError(f"the folder {target.parent} does not exist")
        lock_fd = _take_lock(target)
        if lock_fd is None:
            raise ValueError(f"the service is running on {target}; stop it first (a restore under a running "
                             "service would be overwritten or lost)")
        try:
            kept = None
            if target.exists() and target.stat().st_size > 0:
                kept = target.with_name(f"{target.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
                check_database(source)  # before touching anything, the copy of the old one included
                fd = os.open(kept, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(fd)
                old = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=30)
                dest = sqlite3.connect(kept)
                try:
                    old.backup(dest)
                except sqlite3.DatabaseError:
                    dest.close()
                    kept.unlink()  # the replaced file was no database: nothing worth keeping
                    kept = None
                finally:
                    old.close()
                    with contextlib.suppress(sqlite3.Error):
                        dest.close()
            restore_checked(source, target, "a ReleaseWatch database", max_version=SCHEMA_VERSION,
                            check=check_database)
            return kept
        finally:
            os.close(lock_fd)

    def _rows(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params or []))

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

    def shift_deadlines(self, delta: timedelta) -> None:
        """The wall clock stepped by delta (an NTP step, a VM restore): move every stored deadline
        with it, or a step back of an hour would hold polls and retries for an hour."""
        with self.transaction():
            for table, where in (("feeds", "next_attempt IS NOT NULL"), ("outbox", "status='pending'")):
                rows = self.db.execute(f"SELECT rowid, next_attempt FROM {table} WHERE {where}").fetchall()
                self.db.conn.executemany(f"UPDATE {table} SET next_attempt=? WHERE rowid=?",
                                         [(iso(datetime.fromisoformat(at) + delta), rid) for rid, at in rows if at])


def _owner_only(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except FileNotFoundError:
            pass


# a file is a ReleaseWatch database when it has the tables every version has had
_CORE_TABLES = frozenset({"feeds", "items", "extractions", "events", "event_figures", "subscribers", "outbox"})


def check_database(source: str | Path) -> None:
    """Is the file at source a ReleaseWatch database this release can use? ValueError naming why not."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _check_releasewatch(src, source)
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{source} is not a ReleaseWatch database ({exc})") from None
    finally:
        src.close()


def _check_releasewatch(src: sqlite3.Connection, source: str | Path) -> None:
    version = src.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version < 1 or not _CORE_TABLES <= tables:
        missing = ", ".join(sorted(_CORE_TABLES - tables)) or "a schema version"
        raise ValueError(f"{source} is not a ReleaseWatch database (it has no {missing})")
    if version > SCHEMA_VERSION:
        raise ValueError(f"{source} was made by a newer ReleaseWatch (schema {version}); upgrade first")


def _take_lock(target: Path) -> int | None:
    """The one-process lock of the database at target (see StoreBase.lock), or None if held."""
    fd = os.open(target.with_name(target.name + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def restore_checked(source: str | Path, target: str | Path, what: str, max_version: int | None = None,
                    check: Callable[[str | Path], None] | None = None) -> None:
    """Copy the SQLite file at source onto target (owner-only) through the backup API, after an
    integrity check (and, with max_version, a schema check; with check, whatever it asks).
    ValueError: one sentence naming it."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise ValueError(f"{source} is not a file")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        ok = src.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise ValueError(f"{source} is damaged ({ok})")
        version = src.execute("PRAGMA user_version").fetchone()[0]
        if max_version is not None and version > max_version:
            raise ValueError(f"{source} was made by a newer ReleaseWatch (schema {version})")
        if check is not None:
            check(source)
        if not target.exists():
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
        dest = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dest)
        finally:
            dest.close()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{source} is not {what} ({exc})") from None
    finally:
        src.close()
