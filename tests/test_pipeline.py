"""The whole pipeline against a loopback feed server and a real SQLite file."""

from datetime import UTC, datetime, timedelta

from bot.config import Config, FeedConfig
from bot.feeds import make_client
from bot.notify import ConsoleNotifier
from bot.outbox import Deliverer
from bot.pipeline import Pipeline
from bot.store import Store
from tests.feedserver import rss
from tests.news import ago, already_read

ANNOUNCE = {
    "title": "El gobierno autorizó la excarcelación de otros 87 presos políticos",
    "description": "La mayoría está recluida en Tocorón. Familiares esperan en las afueras del penal.",
    "guid": "a-1", "link": "https://a.example/1", "pubDate": ago(hours=18),
}
CONFIRM = {
    "title": "Foro Penal confirma 33 excarcelaciones de las 87 anunciadas",
    "description": "Los 33 presos políticos salieron de Tocorón durante la noche, informó Foro Penal.",
    "guid": "a-2", "link": "https://a.example/2", "pubDate": ago(hours=3),
}
RETOLD = {
    "title": "Venezuela authorizes the release of another 87 political prisoners",
    "description": "Most of them are held in Tocorón prison, according to relatives.",
    "guid": "b-1", "link": "https://b.example/1", "pubDate": ago(hours=16),
}
NOISE = {
    "title": "Detienen a 14 activistas en Caracas",
    "description": "Las detenciones ocurrieron el 28 de julio de 2024, según testigos.",
    "guid": "a-3", "link": "https://a.example/3", "pubDate": ago(hours=2),
}


def make(tmp_path, urls):
    feeds = tuple(FeedConfig(name=n, url=u) for n, u in urls)
    config = Config(database=tmp_path / "rw.db", feeds=feeds, allow_private_feed_urls=True,
                    request_timeout=2)
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)  # what the feeds publish in a test is news, not their first fetch's backlog
    return config, store


async def cycle(config, store, notifier):
    async with make_client(2) as client:
        report = await Pipeline(store, config, client).poll()
    # feeds are due again at once, as if the poll interval had passed
    store.db.execute("UPDATE feeds SET next_attempt=NULL")
    delivery = await Deliverer(store, {"console": notifier}).drain()
    return report, delivery


async def test_one_alert_per_event_although_two_outlets_report_it(tmp_path, feed_server, console_out):
    a = feed_server.set("/a", body=rss([ANNOUNCE, NOISE], title="A"))
    b = feed_server.set("/b", body=rss([RETOLD], title="B", lang="en"))
    config, store = make(tmp_path, [("Outlet A", a), ("Outlet B", b)])
    store.subscribe("console", "c", "es")
    out = ConsoleNotifier(stream=console_out)
    report, delivery = await cycle(config, store, out)
    assert report.new_items == 3
    assert delivery.sent == 1
    text = (tmp_path / "out.txt").read_text()
    assert "Anunciada la excarcelación de 87 presos políticos" in text
    assert "Tocorón" in text
    assert len(store.latest_events(10)) == 1
    store.close()


async def test_confirmation_after_announcement_is_an_update_replying_to_the_first(tmp_path, feed_server, console_out):
    a = feed_server.set("/a", body=rss([ANNOUNCE]))
    config, store = make(tmp_path, [("Outlet A", a)])
    store.subscribe("console", "c", "es")
    out = ConsoleNotifier(stream=console_out)
    await cycle(config, store, out)
    feed_server.set("/a", body=rss([CONFIRM, ANNOUNCE]))
    _, delivery = await cycle(config, store, out)
    assert delivery.sent == 1
    text = (tmp_path / "out.txt").read_text()
    assert "alert #2 (reply to #1)" in text
    assert "confirmadas 33 de 87" in text
    (event,) = store.latest_events(10)
    assert (event.announced, event.confirmed, event.revision) == (87, 33, 2)
    store.close()


async def test_confirmations_only_subscriber_skips_the_bare_announcement(tmp_path, feed_server, console_out):
    a = feed_server.set("/a", body=rss([ANNOUNCE]))
    config, store = make(tmp_path, [("Outlet A", a)])
    store.subscribe("console", "c", "es", filter="confirmations", prison="Tocorón")
    out = ConsoleNotifier(stream=console_out)
    _, d1 = await cycle(config, store, out)
    feed_server.set("/a", body=rss([CONFIRM, ANNOUNCE]))
    _, d2 = await cycle(config, store, out)
    assert (d1.sent, d2.sent) == (0, 1)
    store.close()


async def test_failing_feed_is_recorded_with_backoff_and_others_still_alert(tmp_path, feed_server, console_out):
    good = feed_server.set("/good", body=rss([ANNOUNCE]))
    bad = feed_server.set("/bad", status=503)
    slow = feed_server.set("/slow", body=rss([RETOLD]), delay=5)
    config, store = make(tmp_path, [("Good", good), ("Bad", bad), ("Slow", slow)])
    store.subscribe("console", "c", "en")
    out = ConsoleNotifier(stream=console_out)
    async with make_client(1) as client:
        report = await Pipeline(store, config, client).poll()
    assert (report.feeds_polled, report.feeds_failed) == (3, 2)
    feeds = {f.name: f for f in store.feeds()}
    assert feeds["Bad"].error_count == 1 and "HTTP 503" in feeds["Bad"].last_error
    assert feeds["Slow"].error_count == 1
    next_try = feeds["Bad"].next_attempt
    assert next_try is not None and next_try > datetime.now(UTC) + timedelta(seconds=200)
    delivery = await Deliverer(store, {"console": out}).drain()
    assert delivery.sent == 1
    store.close()


async def test_restart_sends_nothing_again(tmp_path, feed_server, console_out):
    a = feed_server.set("/a", body=rss([ANNOUNCE, CONFIRM]))
    config, store = make(tmp_path, [("Outlet A", a)])
    store.subscribe("console", "c", "es")
    out = ConsoleNotifier(stream=console_out)
    _, d1 = await cycle(config, store, out)
    store.close()
    store = Store(config.database)
    store.reclaim()
    _, d2 = await cycle(config, store, out)
    assert d1.sent == 2 and d2.sent == 0
    store.close()
