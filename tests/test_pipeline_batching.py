"""The pipeline's cheap paths (bench/ figures 3 and 4) keep its promises: grouped commits lose
nothing when an item fails, and an unchanged feed body is skipped only once it was stored."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import bot.pipeline
from bot.config import Config, FeedConfig
from bot.feeds import ParsedItem, fetch, make_client
from bot.pipeline import Pipeline
from bot.store import Store
from tests.feedserver import rss

NOISE = {"title": "Lluvias dejan 40 viviendas afectadas en Mérida", "description": "Protección Civil abrió 3 refugios."}


def _items(n: int) -> list[ParsedItem]:
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)
    return [ParsedItem(f"g{i}", f"https://a.example/{i}", f"Noticia número {i} del día", f"Texto {i}.",
                       start + timedelta(minutes=i), "es") for i in range(n)]


def _store(tmp_path, url: str = "http://127.0.0.1:9/feed") -> Store:
    store = Store(tmp_path / "rw.db")
    store.sync_feeds([FeedConfig(name="A", url=url)])
    return store


def test_a_failing_item_costs_only_itself(tmp_path, monkeypatch):
    store = _store(tmp_path)
    feed = store.feeds()[0]
    items = _items(7)
    real = bot.pipeline.match

    def match(title: str, summary: str = "", lang: str | None = None, published: str | None = None):  # noqa: ANN202
        if title == items[4].title:
            raise RuntimeError("matcher bug")
        return real(title, summary, lang, published)

    monkeypatch.setattr(bot.pipeline, "match", match)
    pipeline = Pipeline(store, Config(database=tmp_path / "rw.db"), client=None)  # type: ignore[arg-type]
    report = pipeline.ingest([(feed, it) for it in items])
    stored = {r["guid"] for r in store.db.query("SELECT guid FROM items")}
    assert stored == {"g0", "g1", "g2", "g3", "g5", "g6"}
    assert store.db.execute("SELECT count(*) FROM extractions").fetchone()[0] == 6
    assert report.new_items == 6 and len(report.item_failures) == 1
    # recorded once, skipped on the next poll (it would fail again), shown on its feed
    assert pipeline.ingest([(feed, it) for it in items]).item_failures == []
    assert store.feeds()[0].items_failed == 1


def test_grouped_ingest_reports_every_new_item_once(tmp_path):
    store = _store(tmp_path)
    feed = store.feeds()[0]
    pipeline = Pipeline(store, Config(database=tmp_path / "rw.db"), client=None)  # type: ignore[arg-type]
    items = _items(bot.pipeline.INGEST_GROUP + 5)
    assert pipeline.ingest([(feed, it) for it in items]).new_items == len(items)
    assert pipeline.ingest([(feed, it) for it in items]).new_items == 0
    assert store.item_count() == len(items)


async def test_unchanged_body_is_not_parsed_again(feed_server):
    url = feed_server.set("/a", body=rss([{**NOISE, "guid": "n1"}]))
    async with make_client(5) as client:
        first = await fetch(client, url)
        again = await fetch(client, url, known_digest=first.digest)
        feed_server.set("/a", body=rss([{**NOISE, "guid": "n1"}, {**NOISE, "title": "Otra", "guid": "n2"}]))
        changed = await fetch(client, url, known_digest=first.digest)
    assert first.status == "ok" and first.digest
    assert again.status == "not_modified" and again.items == ()
    assert changed.status == "ok" and len(changed.items) == 2


async def test_a_body_is_skipped_only_after_its_items_were_stored(tmp_path, feed_server, monkeypatch):
    url = feed_server.set("/a", body=rss([{**NOISE, "guid": "n1"}]))
    store = _store(tmp_path, url)
    config = Config(database=tmp_path / "rw.db", feeds=(FeedConfig(name="A", url=url),),
                    allow_private_feed_urls=True, request_timeout=2)

    def broken(self, batch, report=None, quiet=False):  # noqa: ANN001, ANN202
        raise RuntimeError("store down")

    async with make_client(2) as client:
        pipeline = Pipeline(store, config, client)
        with monkeypatch.context() as m:
            m.setattr(Pipeline, "ingest", broken)
            with pytest.raises(RuntimeError):
                await pipeline.poll()
        store.db.execute("UPDATE feeds SET next_attempt=NULL")
        report = await pipeline.poll()
        assert report.new_items == 1
        store.db.execute("UPDATE feeds SET next_attempt=NULL")
        report = await pipeline.poll()
    assert report.new_items == 0 and report.not_modified == 1


def _release_items() -> list[ParsedItem]:
    """One announcement retold by many outlets, confirmations growing at two prisons."""
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)
    out = [ParsedItem(f"a{i}", f"https://a.example/a{i}", "El Gobierno anuncia la liberación de 87 presos políticos",
                      f"Lo dijo en Caracas (nota {i}).", start + timedelta(minutes=i, seconds=0.5), "es")
           for i in range(12)]
    out += [ParsedItem(f"c{n}", f"https://a.example/c{n}", f"Foro Penal confirma la excarcelación de {n} presos políticos en Tocorón",
                       f"Salieron {n} personas de Tocorón (nota {n}).", start + timedelta(hours=5, minutes=n), "es")
            for n in (12, 20, 33, 20, 41)]
    return out


def _events(store: Store) -> list[tuple]:
    return [(e.id, e.announced, e.confirmed, e.prisons, e.revision, e.first_published, e.last_published, e.figures)
            for e in store.latest_events(50)]


def test_events_kept_in_memory_read_back_the_same_from_the_file(tmp_path):
    store = _store(tmp_path)
    feed = store.feeds()[0]
    Pipeline(store, Config(database=tmp_path / "rw.db"), client=None).ingest(  # type: ignore[arg-type]
        [(feed, it) for it in _release_items()])
    fresh = Store(tmp_path / "rw.db")
    assert _events(store) == _events(fresh)
    by_announced = {e.announced: e for e in fresh.latest_events(50)}
    assert len([f for f in by_announced[87].figures if f.role == "announced"]) == 12  # twelve outlets, one event
    assert max(e.confirmed or 0 for e in fresh.latest_events(50)) == 41
    fresh.close()


def test_an_event_changed_by_another_process_is_read_again(tmp_path):
    store = _store(tmp_path)
    feed = store.feeds()[0]
    pipeline = Pipeline(store, Config(database=tmp_path / "rw.db"), client=None)  # type: ignore[arg-type]
    pipeline.ingest([(feed, it) for it in _release_items()[:12]])
    (event,) = store.latest_events(5)  # now held in memory
    other = Store(tmp_path / "rw.db")  # e.g. `releasewatch` CLI while the service runs
    other.db.execute("INSERT INTO event_figures (event_id, role, value, outlet, item_id, link, published) "
                     "VALUES (?, 'confirmed', 9, 'Phone', 'manual:x', '', '2026-01-05T13:00:00+00:00')", [event.id])
    other.db.execute("UPDATE events SET confirmed=9 WHERE id=?", [event.id])
    other.close()
    again = store.event(event.id)
    assert again.confirmed == 9 and 9 in again.numbers


def test_a_rolled_back_group_leaves_no_event_in_memory(tmp_path, monkeypatch):
    store = _store(tmp_path)
    feed = store.feeds()[0]
    items = _release_items()[:3] + _items(3)
    real = bot.pipeline.match

    def match(title: str, summary: str = "", lang: str | None = None, published: str | None = None):  # noqa: ANN202
        if title == items[-1].title:
            raise RuntimeError("matcher bug")
        return real(title, summary, lang, published)

    monkeypatch.setattr(bot.pipeline, "match", match)
    pipeline = Pipeline(store, Config(database=tmp_path / "rw.db"), client=None)  # type: ignore[arg-type]
    report = pipeline.ingest([(feed, it) for it in items])
    # the group was undone and redone item by item: the failing item costs only itself (recorded
    # on its feed and skipped from then on), the others are each counted once
    assert report.item_failures == [(feed.name, "an item could not be processed (RuntimeError)")]
    assert store.feeds()[0].items_failed == 1
    (event,) = store.latest_events(5)
    assert sorted(f.item_id for f in event.figures) == sorted(replace(it, feed_id=feed.id).id for it in items[:3])
    fresh = Store(tmp_path / "rw.db")
    assert _events(store) == _events(fresh)
    fresh.close()
