"""Store: schema migrations, item dedup by id and content, idempotent outbox, owner-only file."""

import sqlite3
import stat
from datetime import UTC, datetime

from bot.store import SCHEMA_VERSION, NewItem, Store

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def item(id_, title="Liberan a 12", summary="Según Foro Penal", feed_id=1):
    return NewItem(id_, feed_id, id_, f"https://x.example/{id_}", title, summary, NOW, "es")


class F:
    def __init__(self, name, url, lang="es", interval=None):
        self.name, self.url, self.lang, self.interval = name, url, lang, interval


def test_fresh_database_is_at_current_version_in_wal_mode(tmp_path):
    s = Store(tmp_path / "a.db")
    assert s.version == SCHEMA_VERSION
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE((tmp_path / "a.db").stat().st_mode) == 0o600
    s.close()


def test_reopening_keeps_data_and_does_not_remigrate(tmp_path):
    s = Store(tmp_path / "a.db")
    s.sync_feeds([F("A", "https://a.example/feed")])
    s.close()
    s = Store(tmp_path / "a.db")
    assert [f.name for f in s.feeds()] == ["A"]
    s.close()


def test_same_story_under_a_new_guid_is_not_new(store):
    store.sync_feeds([F("A", "https://a.example/feed")])
    assert len(store.add_items([item("g1")], NOW)) == 1
    assert store.add_items([item("g1")], NOW) == []
    # republished with a new GUID, whitespace and case changed: same content hash
    assert store.add_items([item("g2", title="liberan  a 12")], NOW) == []
    assert store.item_count() == 1


def test_feeds_removed_from_config_go_inactive(store):
    store.sync_feeds([F("A", "https://a.example/feed"), F("B", "https://b.example/feed")])
    store.sync_feeds([F("A", "https://a.example/feed")])
    assert [f.name for f in store.feeds()] == ["A"]
    assert len(store.feeds(active_only=False)) == 2


def test_enqueue_is_idempotent_per_subscriber_and_key(store):
    sub = store.subscribe("console", "c1", "es")
    assert store.enqueue(sub.id, "ev:1:r1", "text", {"text": "hola"}, NOW)
    assert not store.enqueue(sub.id, "ev:1:r1", "text", {"text": "hola"}, NOW)
    assert store.outbox_counts() == {"pending": 1}


def test_claimed_rows_of_a_dead_worker_are_reclaimed(store):
    sub = store.subscribe("console", "c1", "es")
    store.enqueue(sub.id, "k1", "text", {"text": "a"}, NOW)
    rows = store.claim("dead-worker", NOW, 10, ["console"])
    assert len(rows) == 1 and store.claim("other", NOW, 10, ["console"]) == []
    assert store.reclaim() == 1
    assert len(store.claim("other", NOW, 10, ["console"])) == 1


def test_migration_from_an_empty_version_zero_file(tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    s = Store(path)
    assert s.version == SCHEMA_VERSION
    s.close()


def test_backup_is_consistent_owner_only_and_restores(tmp_path):
    s = Store(tmp_path / "live.db")
    sub = s.subscribe("console", "c1", "es")
    s.enqueue(sub.id, "k1", "text", {"text": "a"}, NOW)
    copy = s.backup(tmp_path / "copy.db")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    s.forget("console", "c1")
    s.close()
    Store.restore(copy, tmp_path / "live.db")
    s = Store(tmp_path / "live.db")
    assert s.subscriber("console", "c1") is not None
    assert s.outbox_counts() == {"pending": 1}
    s.close()


def test_restore_refuses_a_file_that_is_not_a_database(tmp_path):
    import pytest

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"hello, not sqlite" * 100)
    with pytest.raises(ValueError):
        Store.restore(junk, tmp_path / "live.db")
