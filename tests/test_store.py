"""Store: schema migrations, item dedup by id and content, idempotent outbox, owner-only file."""

import json
import sqlite3
import stat
from datetime import UTC, datetime, timedelta

import pytest

from bot.items import Item
from bot.store import SCHEMA_VERSION, Store

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def item(id_, title="Liberan a 12", summary="Según Foro Penal", feed_id=1):
    return Item(id_, f"https://x.example/{id_}", title, summary, NOW, "es", feed_id=feed_id)


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


def _db_at_version(path, version):
    """A database file as an older ReleaseWatch left it: only migrations up to `version`."""
    import sqlite_utils

    from bot.store import MIGRATIONS

    db = sqlite_utils.Database(path)
    for v in range(1, version + 1):
        MIGRATIONS[v](db)
        db.execute(f"PRAGMA user_version={v}")
    return db


def test_migration_from_schema_1_keeps_subscribers_and_outbox(tmp_path):
    path = tmp_path / "v1.db"
    db = _db_at_version(path, 1)
    db.execute("INSERT INTO subscribers (platform, chat_id, lang, filter, active, created) "
               "VALUES ('telegram', '42', 'es', 'confirmations', 1, '2026-01-01T00:00:00+00:00')")
    db.execute("INSERT INTO outbox (subscriber_id, key, kind, payload, next_attempt, created) "
               "VALUES (1, 'ev:1:r1', 'text', '{\"text\": \"hola\"}', '2026-01-01', '2026-01-01')")
    db.conn.commit()
    db.conn.close()
    s = Store(path)
    assert s.version == SCHEMA_VERSION
    sub = s.subscriber("telegram", 42)
    assert (sub.filter, sub.active, sub.notes, sub.gone) == ("confirmations", True, True, False)
    assert s.outbox_counts() == {"pending": 1}
    assert s.watches(sub.id) == []
    s.close()


def test_migration_from_schema_3_indexes_figures_and_keeps_the_ledger(tmp_path):
    path = tmp_path / "v3.db"
    db = _db_at_version(path, 3)
    db.execute("INSERT INTO events (announced, confirmed, prisons, names, first_published, last_published, "
               "revision, created, updated) VALUES (87, 33, '[]', '[]', '2026-01-01T00:00:00+00:00', "
               "'2026-01-02T00:00:00+00:00', 2, '2026-01-01', '2026-01-02')")
    db.execute("INSERT INTO event_figures (event_id, role, value, outlet, item_id, link, published) "
               "VALUES (1, 'confirmed', 33, 'A', 'i1', '', '2026-01-02T00:00:00+00:00')")
    db.conn.commit()
    db.conn.close()
    s = Store(path)
    assert s.version == SCHEMA_VERSION
    plan = s.db.execute("EXPLAIN QUERY PLAN SELECT event_id FROM event_figures WHERE value IN (33)").fetchall()
    assert "event_figures_value" in str(plan)
    around = datetime(2026, 1, 20, tzinfo=UTC)  # beyond three days: found by the shared number only
    (ev,) = s.candidate_events(around, timedelta(days=30), [33])
    assert (ev.announced, ev.confirmed, [f.value for f in ev.figures]) == (87, 33, [33])
    assert s.candidate_events(around, timedelta(days=30), [34]) == []
    s.close()


def test_retention_prunes_old_items_and_finished_deliveries_but_keeps_the_ledger(store):

    store.sync_feeds([F("A", "https://a.example/feed")])
    old = datetime(2025, 1, 1, tzinfo=UTC)
    store.add_items([item("g-old")], old)
    store.add_items([item("g-new", title="otro titulo")], NOW)
    sub = store.subscribe("console", "c1", "es")
    store.enqueue(sub.id, "k-old", "text", {"text": "a"}, old)
    store.mark_sent(store.claim("w", NOW, 10, ["console"])[0].id, "1", old)
    store.record_tally("g-old", 866, "Foro Penal", "A", "https://x", old)
    removed = store.prune(NOW - timedelta(days=180))
    assert removed == {"items": 1, "extractions": 0, "outbox": 1}
    assert store.item_count() == 1
    assert store.latest_tallies()[0]["total"] == 866


def test_an_event_saved_in_a_rolled_back_transaction_is_not_remembered(store):
    from bot.events import Observation, apply
    from bot.matcher import match

    ex = match("Foro Penal confirma la excarcelación de 33 presos políticos en Tocorón")
    obs = Observation(ex, "i1", "A", "https://a.example/1", "t", NOW)
    try:
        with store.transaction():
            saved = store.save_event(apply(obs, None)[0], obs, True, NOW)
            assert store.event(saved.id).confirmed == 33
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    assert store.event(saved.id) is None
    assert store.candidate_events(NOW, timedelta(days=30), [33]) == []


def test_next_pending_time_counts_each_chats_first_row_only(store):
    """A chat's later message cannot go before its earlier one: the earlier one's time counts."""
    from bot.store import iso

    a = store.subscribe("telegram", "1", "es")
    b = store.subscribe("telegram", "2", "es")
    store.enqueue(a.id, "k1", "text", {"text": "primero"}, NOW)
    store.enqueue(a.id, "k2", "text", {"text": "segundo"}, NOW)
    store.enqueue(b.id, "k1", "text", {"text": "otro"}, NOW)
    first, second, other = (r["id"] for r in store.db.query("SELECT id FROM outbox ORDER BY id"))
    at = {first: 60, second: 5, other: 30}  # chat 1 waits a minute (a 429), chat 2 half of one
    for row_id, seconds in at.items():
        store.db.execute("UPDATE outbox SET next_attempt=? WHERE id=?", [iso(NOW + timedelta(seconds=seconds)), row_id])
    assert store.next_pending_time() == NOW + timedelta(seconds=30)
    store.mark_sent(other, "9", NOW)
    assert store.next_pending_time() == NOW + timedelta(seconds=60)
    store.mark_sent(first, "10", NOW)
    assert store.next_pending_time() == NOW + timedelta(seconds=5)
    store.mark_sent(second, "11", NOW)
    assert store.next_pending_time() is None


def _confirmation(n: int, item_id: str, prison: str = "Tocorón"):
    from bot.events import Observation
    from bot.matcher import match

    ex = match(f"Foro Penal confirma la excarcelación de {n} presos políticos en {prison}")
    return Observation(ex, item_id, "A", f"https://a.example/{item_id}", "t", NOW)


def test_looking_up_more_events_than_the_cache_holds_returns_them_all(store, monkeypatch):
    from cachetools import LRUCache

    from bot.events import apply

    monkeypatch.setattr(store, "_event_cache", LRUCache(maxsize=5))
    ids = []
    with store.transaction():
        for n in range(12):
            obs = _confirmation(10 + n, f"i{n}")
            ids.append(store.save_event(apply(obs, None)[0], obs, True, NOW).id)
    store.event(ids[0])  # some in memory, most not
    got = store._load_events(ids[:11])
    assert [e.id for e in got] == ids[:11]
    assert [e.confirmed for e in got] == [10 + n for n in range(11)]
    assert len(store._event_cache) <= 5


def test_a_rollback_sqlite_made_itself_leaves_no_event_in_memory(tmp_path):
    """Disk full mid-transaction: SQLite rolls back on its own; the cache must not keep what it undid,
    and the real error must reach the caller."""
    from bot.events import apply

    store = Store(tmp_path / "rw.db")
    obs = _confirmation(33, "i1")
    with store.transaction():
        event = store.save_event(apply(obs, None)[0], obs, True, NOW)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages}")
    grown, _new = apply(_confirmation(41, "i2"), store.event(event.id))
    with pytest.raises(sqlite3.OperationalError, match="full"):
        with store.transaction():
            store.save_event(grown, _confirmation(41, "i2"), True, NOW)
            store.db.execute("INSERT INTO kv (key, value) VALUES ('filler', ?)", ["x" * 200_000])
    assert not store.db.conn.in_transaction
    assert store.event(event.id).confirmed == 33  # what the file holds, so the retry is a new revision
    store.close()


def test_an_export_of_more_events_than_the_cache_holds_reads_them_all_in_order(store, monkeypatch):
    from cachetools import LRUCache

    from bot.events import apply

    monkeypatch.setattr(store, "_event_cache", LRUCache(maxsize=3))
    with store.transaction():
        for n in range(5):
            obs = _confirmation(10 + n, f"e{n}", prison=("Tocorón", "Rodeo I", "Yare III", "Tocuyito", "Uribana")[n])
            store.save_event(apply(obs, None)[0], obs, True, NOW)
    got = store.latest_events(100)
    assert sorted(e.confirmed for e in got) == [10, 11, 12, 13, 14]
    assert [e.id for e in got] == sorted((e.id for e in got), reverse=True)  # same time: newest id first
    assert all(len(e.figures) == 1 for e in got)


def test_migration_to_schema_8_takes_a_rejected_claim_out_of_its_round(tmp_path):
    """Before version 8 a claim staff rejected stayed in its round (issue 21): the upgrade marks
    the figures its revision brought rejected, and the round holds what its other figures say."""
    path = tmp_path / "v7.db"
    db = _db_at_version(path, 7)
    db.execute("INSERT INTO events (announced, confirmed, prisons, names, first_published, last_published, "
               "revision, created, updated) VALUES (NULL, 77, '[]', '[]', '2026-01-01T00:00:00+00:00', "
               "'2026-01-02T00:00:00+00:00', 2, '2026-01-01', '2026-01-02')")
    for value, link, when in ((20, "https://wire.example/1", "2026-01-01"), (77, "https://bridge.example/1", "2026-01-02")):
        db.execute("INSERT INTO event_figures (event_id, role, value, outlet, org, item_id, link, published, by_kind, "
                   "speaker) VALUES (1, 'confirmed', ?, 'A', 'Foro Penal', ?, ?, ?, 'independent', 'Foro Penal')",
                   [value, link, link, f"{when}T00:00:00+00:00"])
    for revision, status, link in ((1, "released", "https://wire.example/1"), (2, "rejected", "https://bridge.example/1")):
        snap = json.dumps({"trigger": {"link": link}})
        db.execute("INSERT INTO revisions (event_id, revision, snapshot, created, status) VALUES (1, ?, ?, '2026-01-02', ?)",
                   [revision, snap, status])
    db.conn.commit()
    db.conn.close()
    s = Store(path)
    event = s.event(1)
    assert event is not None and event.confirmed == 20 and event.numbers == {20}
    assert [f["value"] for f in s.all_figures()] == [20]
    s.close()


def test_migration_to_schema_11_keeps_a_rounds_figures_without_their_days(tmp_path):
    """Version 11 keeps the days a figure is told for (event_figures.period); a round stored
    before it reads back whole, its figures without days, and joins later reports as it did."""
    path = tmp_path / "v10.db"
    db = _db_at_version(path, 10)
    db.execute("INSERT INTO events (announced, confirmed, prisons, names, first_published, last_published, "
               "revision, created, updated) VALUES (103, NULL, '[]', '[]', '2024-12-12T00:00:00+00:00', "
               "'2024-12-12T00:00:00+00:00', 1, '2024-12-12', '2024-12-12')")
    db.execute("INSERT INTO event_figures (event_id, role, value, outlet, org, item_id, link, published, by_kind, "
               "speaker) VALUES (1, 'announced', 103, 'A', 'Gobierno', 'i1', 'https://a.example/1', "
               "'2024-12-12T00:00:00+00:00', 'official', 'Gobierno')")
    db.conn.commit()
    db.conn.close()
    s = Store(path)
    try:
        assert s.version == SCHEMA_VERSION
        event = s.event(1)
        assert event is not None and [(f.value, f.period) for f in event.figures] == [(103, None)]
        # a candidate query with days still finds it by its number and by its date
        assert [e.id for e in s.candidate_events(datetime(2024, 12, 13, tzinfo=UTC), timedelta(days=10), [103],
                                                 "2024-12-10/2024-12-14")] == [1]
    finally:
        s.close()
