"""Upgrades of the database file: a copy of it is written before its schema is migrated, so an
upgrade that goes wrong can be undone with `releasewatch restore`.

Knows the file and SQLite's backup API only, never the schema; never deletes a backup.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("releasewatch.upgrade")

BACKUP_DIR = "backups"  # next to the database (the service's state directory)


class UpgradeError(Exception):
    """The backup before an upgrade could not be written; the message is one plain sentence."""


def backup_dir(database: Path) -> Path:
    return database.parent / BACKUP_DIR


def backup_before_migration(conn: sqlite3.Connection, database: Path, from_version: int, to_version: int) -> Path:
    """Copy the database (through its open connection, consistent even under WAL) to
    backups/<name>.schema-<from>.<UTC time>.db, owner-only, and say where in the log. Raises
    UpgradeError if it cannot: no migration runs without its backup."""
    folder = backup_dir(database)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{database.stem}.schema-{from_version}.{stamp}.db"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        n = 1
        while target.exists():  # two upgrades within one second (a restore right after one)
            n += 1
            target = folder / f"{database.stem}.schema-{from_version}.{stamp}-{n}.db"
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        dest = sqlite3.connect(target)
        try:
            conn.backup(dest)
        finally:
            dest.close()
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UpgradeError(f"Could not back up {database} to {folder} before upgrading it ({reason}); "
                           "free some disk space or fix the folder's permissions, then start again.") from None
    # a warning, not info: commands run without logging set up show warnings, and an operator
    # must learn where the copy is whatever command opened the old file
    log.warning(f"database backed up to {target} before upgrading it from schema {from_version} to {to_version}; "
                f"undo with: releasewatch restore {target}",
                extra={"path": str(target), "from_version": from_version, "to_version": to_version})
    return target
