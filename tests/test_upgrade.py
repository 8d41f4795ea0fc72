"""Upgrading a database made by the previous schema: a backup first, said in the log, and the
backup restores with `releasewatch restore`."""

from __future__ import annotations

import logging
import sqlite3
import stat

import pytest
import sqlite_utils

from bot.cli import main
from bot.store import MIGRATIONS, SCHEMA_VERSION, Store
from bot.upgrade import UpgradeError

PREVIOUS = SCHEMA_VERSION - 1


def _old_database(path, version: int = PREVIOUS) -> None:
    """A file as the previous release left it: its migrations only, a subscriber and an event."""
    db = sqlite_utils.Database(path)
    for v in range(1, version + 1):
        MIGRATIONS[v](db)
        db.execute(f"PRAGMA user_version={v}")
    db.execute("INSERT INTO subscribers (platform, chat_id, lang, filter, active, created) "
               "VALUES ('telegram', '42', 'es', 'all', 1, '2026-01-01T00:00:00+00:00')")
    db.execute("INSERT INTO events (announced, confirmed, prisons, names, first_published, last_published, "
               "revision, created, updated) VALUES (87, 33, '[]', '[]', '2026-01-01T00:00:00+00:00', "
               "'2026-01-02T00:00:00+00:00', 2, '2026-01-01', '2026-01-02')")
    db.conn.commit()
    db.conn.close()


def _version(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_upgrade_from_the_previous_schema_backs_up_first_and_the_backup_restores(tmp_path, caplog, capsys):
    live = tmp_path / "rw.db"
    _old_database(live)
    with caplog.at_level(logging.WARNING, logger="releasewatch.upgrade"):
        store = Store(live)
    assert store.version == SCHEMA_VERSION
    (backup,) = (tmp_path / "backups").iterdir()
    assert backup.name.startswith(f"rw.schema-{PREVIOUS}.") and backup.suffix == ".db"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    assert _version(backup) == PREVIOUS
    (record,) = caplog.records
    assert str(backup) in record.getMessage() and "releasewatch restore" in record.getMessage()

    # after the upgrade something goes wrong: the subscriber is lost
    store.forget("telegram", "42")
    store.close()

    config = tmp_path / "config.toml"
    config.write_text(f'database = "{live}"\n')
    assert main(["restore", "--config", str(config), str(backup)]) == 0
    assert f"restored {live}" in capsys.readouterr().out
    store = Store(live)
    try:
        assert store.version == SCHEMA_VERSION  # restore upgrades the old copy again
        assert store.subscriber("telegram", 42) is not None
        assert [(e.announced, e.confirmed) for e in store.latest_events()] == [(87, 33)]
    finally:
        store.close()


def test_a_new_or_current_database_gets_no_backup(tmp_path):
    Store(tmp_path / "rw.db").close()  # new file: nothing to keep
    Store(tmp_path / "rw.db").close()  # current schema: nothing to migrate
    assert not (tmp_path / "backups").exists()


def test_no_migration_runs_without_its_backup(tmp_path):
    live = tmp_path / "rw.db"
    _old_database(live)
    (tmp_path / "backups").write_text("a file where the backup folder should be")
    with pytest.raises(UpgradeError, match="Could not back up"):
        Store(live)
    assert _version(live) == PREVIOUS
