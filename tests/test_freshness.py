"""Old news is never a new alert, and feeds that go quiet are noticed: a loopback feed server, a real
SQLite file, the real pipeline and service (issue 15, sections 1 and 2)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import freshness
from bot.commands.actions import feeds_report
from bot.config import Config, FeedConfig
from bot.feeds import feed_links, make_client
from bot.notify import ConsoleNotifier
from bot.outbox import Deliverer
from bot.pipeline import Pipeline
from bot.service import Service
from bot.store import Store
from tests.feedserver import rss
from tests.news import ago, already_read

ROOT = Path(__file__).resolve().parents[1]

# release reports from months ago: what a real feed's backlog holds on the day the bot starts
OLD_71 = {"title": "Excarcelan a 71 presos políticos; 65 salieron de Tocorón",
          "description": "El Comité de Madres en Defensa de la Verdad confirmó las excarcelaciones.",
          "guid": "old-71", "link": "https://a.example/old-71", "pubDate": ago(days=150)}
OLD_87 = {"title": "El gobierno autorizó la excarcelación de otros 87 presos políticos",
          "description": "La mayoría está recluida en Tocorón, según familiares.",
          "guid": "old-87", "link": "https://a.example/old-87", "pubDate": ago(days=120)}
RECENT_33 = {"title": "Foro Penal confirma 33 excarcelaciones en Tocorón",
             "description": "Los 33 presos políticos salieron de Tocorón durante la noche, informó Foro Penal.",
             "guid": "recent-33", "link": "https://a.example/recent-33", "pubDate": ago(hours=5)}
NEW_12 = {"title": "Excarcelan a 12 presos políticos de El Helicoide, confirma JEyP",
          "description": "Los 12 salieron de El Helicoide esta mañana, confirmó Justicia, Encuentro y Perdón.",
          "guid": "new-12", "link": "https://a.example/new-12", "pubDate": ago(minutes=20)}


def _setup(tmp_path: Path, feeds: list[tuple[str, str]], **config: object) -> tuple[Config, Store]:
    cfg = Config(database=tmp_path / "rw.db", feeds=tuple(FeedConfig(name=n, url=u) for n, u in feeds),
                 allow_private_feed_urls=True, request_timeout=3, **config)  # type: ignore[arg-type]
    store = Store(cfg.database)
    store.sync_feeds(cfg.feeds)
    return cfg, store


async def _cycle(config: Config, store: Store, out: ConsoleNotifier):
    async with make_client(3) as client:
        report = await Pipeline(store, config, client).poll()
    store.db.execute("UPDATE feeds SET next_attempt=NULL")  # due again at once
    return report, await Deliverer(store, {"console": out}).drain()


# -- the decisions ----------------------------------------------------------------------------------


def test_an_item_may_alert_only_after_the_first_fetch_and_while_young():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    day = timedelta(hours=72)
    assert freshness.may_alert(now - timedelta(hours=1), now, day, first_fetch=False)
    assert not freshness.may_alert(now - timedelta(hours=1), now, day, first_fetch=True)
    assert not freshness.may_alert(now - timedelta(hours=73), now, day, first_fetch=False)


def test_a_feeds_rhythm_is_the_median_gap_and_quiet_has_a_floor():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    daily = [now - timedelta(days=d) for d in range(10)]
    assert freshness.rhythm(daily) == timedelta(days=1)
    assert freshness.rhythm([now]) is None
    hourly = timedelta(hours=1)
    assert freshness.quiet_after(hourly) == freshness.QUIET_FLOOR  # a busy site: three days, not four hours
    assert freshness.quiet_after(timedelta(days=7)) == timedelta(days=28)  # a weekly NGO bulletin
    assert not freshness.is_quiet(now - timedelta(days=2), hourly, now)
    assert freshness.is_quiet(now - timedelta(days=5), timedelta(days=1), now)
    assert not freshness.is_quiet(now - timedelta(days=5), timedelta(days=7), now)


# -- section 1: old news is never a new alert ------------------------------------------------------------


async def test_a_backlog_of_old_release_reports_alerts_nobody_on_first_fetch(tmp_path, feed_server, console_out):
    # even the report from this morning: a feed's first fetch is its history, not news
    url = feed_server.set("/a", body=rss([OLD_71, OLD_87, RECENT_33]))
    config, store = _setup(tmp_path, [("Outlet A", url)])
    store.subscribe("console", "family", "es")
    out = ConsoleNotifier(stream=console_out)
    report, delivery = await _cycle(config, store, out)
    assert (report.new_items, report.backfilled, report.alerts_queued, delivery.sent) == (3, 3, 0, 0)
    assert (tmp_path / "out.txt").read_text() == ""
    assert len(store.latest_events(10)) >= 2  # the ledger took them in
    (feed,) = store.feeds()
    assert feed.first_fetch is not None and feed.backfilled == 3
    assert "3 items recorded without alerts" in feeds_report(store, "en").text

    # a genuinely new report on the next poll alerts, once
    feed_server.set("/a", body=rss([NEW_12, OLD_71, OLD_87, RECENT_33]))
    report, delivery = await _cycle(config, store, out)
    assert (report.new_items, report.alerts_queued, delivery.sent) == (1, 1, 1)
    assert "El Helicoide" in (tmp_path / "out.txt").read_text()
    report, delivery = await _cycle(config, store, out)
    assert (report.new_items, delivery.sent) == (0, 0)
    assert store.feeds()[0].backfilled == 3  # only the first fetch counts
    store.close()


async def test_an_old_item_re_emitted_with_a_new_guid_does_not_alert(tmp_path, feed_server, console_out):
    url = feed_server.set("/a", body=rss([RECENT_33]))
    config, store = _setup(tmp_path, [("Outlet A", url)])
    already_read(store)
    store.subscribe("console", "family", "es")
    out = ConsoleNotifier(stream=console_out)
    _, first = await _cycle(config, store, out)
    assert first.sent == 1
    # the CMS re-publishes a months-old story under a new GUID, its text touched up
    reissued = {**OLD_87, "guid": "cms-2-old-87", "title": OLD_87["title"] + " (actualizado)"}
    feed_server.set("/a", body=rss([reissued, RECENT_33]))
    report, delivery = await _cycle(config, store, out)
    assert (report.new_items, report.too_old, report.alerts_queued, delivery.sent) == (1, 1, 0, 0)
    (row,) = store.db.execute("SELECT x.announced FROM extractions x JOIN items i ON i.id = x.item_id "
                              "WHERE i.guid = 'cms-2-old-87'").fetchall()
    assert row[0] == 87  # the ledger still read it
    store.close()


async def test_an_item_dated_in_the_future_counts_as_published_now(tmp_path, feed_server, console_out):
    future = {**NEW_12, "pubDate": (datetime.now(UTC) + timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S GMT")}
    url = feed_server.set("/a", body=rss([future]))
    config, store = _setup(tmp_path, [("Outlet A", url)])
    already_read(store)
    store.subscribe("console", "family", "es")
    report, delivery = await _cycle(config, store, ConsoleNotifier(stream=console_out))
    assert delivery.sent == 1
    last_item = store.feeds()[0].last_item
    assert last_item is not None and last_item <= datetime.now(UTC)
    store.close()


async def test_a_feed_new_in_the_config_starts_with_its_backlog_too(tmp_path, feed_server, console_out):
    a = feed_server.set("/a", body=rss([]))
    b = feed_server.set("/b", body=rss([RECENT_33]))
    config, store = _setup(tmp_path, [("A", a)])
    store.subscribe("console", "family", "es")
    out = ConsoleNotifier(stream=console_out)
    await _cycle(config, store, out)
    # the operator adds B to the config and restarts
    config, store2 = _setup(tmp_path, [("A", a), ("B", b)])
    store.close()
    report, delivery = await _cycle(config, store2, out)
    assert (report.backfilled, delivery.sent) == (1, 0)
    # removed from the config, then back: what it published meanwhile is backlog again
    store2.sync_feeds(config.feeds[:1])
    feed_server.set("/b", body=rss([NEW_12, RECENT_33]))
    store2.sync_feeds(config.feeds)
    report, delivery = await _cycle(config, store2, out)
    assert (report.new_items, report.backfilled, delivery.sent) == (1, 1, 0)
    store2.close()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_opml_import_takes_in_the_backlog_without_alerts_and_status_says_so(tmp_path, feed_server):
    url = feed_server.set("/imported", body=rss([OLD_71, RECENT_33]))
    cfg = tmp_path / "config.toml"
    cfg.write_text('database = "rw.db"\nallow_private_feed_urls = true\n')
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" text="Importada" '
                    f'xmlUrl="{url}"/></body></opml>')
    imported = _run("feeds", "import", str(opml), "--config", str(cfg))
    assert imported.returncode == 0 and "imported 1 new feeds" in imported.stdout, imported.stderr
    status = _run("status", "--config", str(cfg))
    assert "first fetch pending" in status.stdout
    first = _run("poll", "--once", "--config", str(cfg), "--console", "es")
    assert first.returncode == 0, first.stderr
    assert "Aviso n.º" not in first.stdout and "2 new items, 0 alerts queued" in first.stderr
    status = _run("status", "--config", str(cfg))
    assert "took in 2 items without alerts" in status.stdout, status.stdout
    feed_server.set("/imported", body=rss([NEW_12, OLD_71, RECENT_33]))
    with sqlite3.connect(tmp_path / "rw.db") as db:  # due again at once, as if poll_interval had passed
        db.execute("UPDATE feeds SET next_attempt=NULL")
    second = _run("poll", "--once", "--config", str(cfg), "--console", "es")
    assert second.stdout.count("Aviso n.º") == 1 and "El Helicoide" in second.stdout, second.stderr


def test_a_database_of_schema_6_keeps_its_fetched_feeds_as_already_read(tmp_path):
    from tests.test_store import _db_at_version

    db = _db_at_version(tmp_path / "v6.db", 6)
    db.execute("INSERT INTO feeds (name, url, last_success, created) VALUES "
               "('Read', 'https://a.example/f', '2026-11-01T00:00:00+00:00', '2026-01-01'), "
               "('Never', 'https://b.example/f', NULL, '2026-01-01')")
    db.execute("INSERT INTO items (id, feed_id, key, guid, link, title, summary, published, content_hash, fetched) "
               "VALUES ('i1', 1, 'k1', 'g', '', 't', 's', '2026-10-30T12:00:00+00:00', 'h1', '2026-11-01')")
    db.conn.commit()
    db.conn.close()
    store = Store(tmp_path / "v6.db")
    read, never = store.feeds()
    assert (read.first_fetch, read.last_item, read.quiet) == (datetime(2026, 11, 1, tzinfo=UTC),
                                                              datetime(2026, 10, 30, 12, tzinfo=UTC), False)
    assert never.first_fetch is None and not never.review and not never.allow_private
    store.close()


# -- section 2: feeds that go quiet, and sources without feeds ---------------------------------------------


def _daily(n: int, newest_days_ago: float, prefix: str) -> list[dict[str, str]]:
    return [{"title": f"{prefix}: nota {i}", "description": "Crónica del día.", "guid": f"{prefix}-{i}",
             "pubDate": ago(days=newest_days_ago + i)} for i in range(n)]


async def test_a_feed_that_stops_publishing_is_told_to_staff_once_and_marked_quiet(tmp_path, feed_server):
    # a daily feed silent for five days; a weekly bulletin silent for as long is only between issues
    daily = feed_server.set("/daily", body=rss(_daily(10, 5, "diario")))
    weekly = feed_server.set("/weekly", body=rss([{"title": f"Boletín {i}", "description": "Balance semanal.",
                                                    "guid": f"w-{i}", "pubDate": ago(days=5 + 7 * i)}
                                                   for i in range(6)]))
    config, store = _setup(tmp_path, [("Diario", daily), ("Boletín", weekly)])
    staff = store.subscribe("telegram", "-100", "en", "staff")
    service = Service(config, store)
    try:
        report = await service.poll_once()
        assert report.newly_quiet == ["Diario"]
        store.db.execute("UPDATE feeds SET next_attempt=NULL")
        assert (await service.poll_once()).newly_quiet == []  # told once, not on every poll
        notices = [r for r in store.db.execute("SELECT payload FROM outbox WHERE subscriber_id=?", [staff.id])
                   if "feeds.quiet_notice" in r[0]]
        assert len(notices) == 1 and "Diario" in notices[0][0]
        quiet = {f.name: f.quiet for f in store.feeds()}
        assert quiet == {"Diario": True, "Boletín": False}
        text = feeds_report(store, "en").text
        assert text.count("last new item") == 2 and "quiet: nothing new for longer than usual" in text

        # it publishes again: no longer quiet, and a later silence is told again
        feed_server.set("/daily", body=rss([*_daily(1, 0, "hoy"), *_daily(10, 5, "diario")]))
        store.db.execute("UPDATE feeds SET next_attempt=NULL")
        await service.poll_once()
        assert {f.name: f.quiet for f in store.feeds()}["Diario"] is False
    finally:
        await service.aclose_clients()
        store.close()


async def test_quiet_feeds_show_on_the_metrics_gauge(tmp_path, feed_server):
    from bot.health import _StoreCollector

    daily = feed_server.set("/daily", body=rss(_daily(10, 5, "diario")))
    config, store = _setup(tmp_path, [("Diario", daily)])
    service = Service(config, store)
    try:
        await service.poll_once()
        (gauge, *_) = list(_StoreCollector(service.watched()).collect())
        assert {s.labels["state"]: s.value for s in gauge.samples}["quiet"] == 1
    finally:
        await service.aclose_clients()
        store.close()


async def test_a_private_address_is_allowed_for_the_one_feed_that_says_so(tmp_path, feed_server):
    bridge = feed_server.set("/bridge?key=BRIDGE-SECRET-42", body=rss([RECENT_33]))
    other = feed_server.set("/other", body=rss([NEW_12]))
    config = Config(database=tmp_path / "rw.db", request_timeout=3, allow_private_feed_urls=False,
                    feeds=(FeedConfig("Puente", bridge, "es", allow_private=True), FeedConfig("Otro", other, "es")))
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    service = Service(config, store)
    try:
        report = await service.poll_once()
    finally:
        await service.aclose_clients()
    feeds = {f.name: f for f in store.feeds()}
    assert report.feeds_failed == 1 and feeds["Puente"].error_count == 0 and feeds["Puente"].backfilled == 1
    assert "private or local" in (feeds["Otro"].last_error or "")
    assert "BRIDGE-SECRET-42" not in feeds_report(store, "en").text
    store.close()


async def test_items_of_a_review_feed_are_held_for_staff_whatever_the_mode(tmp_path, feed_server, console_out):
    url = feed_server.set("/x", body=rss([NEW_12]))
    config = Config(database=tmp_path / "rw.db", request_timeout=3, allow_private_feed_urls=True, review_mode="off",
                    feeds=(FeedConfig("Foro Penal en X", url, "es", review=True),))
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "family", "es")
    store.subscribe("console", "staff", "es", "staff")
    report, delivery = await _cycle(config, store, ConsoleNotifier(stream=console_out))
    assert (report.held, report.alerts_queued) == (1, 0)
    assert len(store.held()) == 1
    assert "staff review" in feeds_report(store, "en").text
    store.close()


async def test_without_a_staff_chat_a_review_feed_alerts_rather_than_holding_unseen(tmp_path, feed_server, console_out):
    url = feed_server.set("/x", body=rss([NEW_12]))
    config = Config(database=tmp_path / "rw.db", request_timeout=3, allow_private_feed_urls=True,
                    feeds=(FeedConfig("Foro Penal en X", url, "es", review=True),))
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "family", "es")
    report, _ = await _cycle(config, store, ConsoleNotifier(stream=console_out))
    assert (report.held, report.alerts_queued) == (0, 1)
    store.close()


def test_a_page_names_its_feeds_in_link_alternate_resolved_against_its_address():
    page = b"""<html><head><link rel="stylesheet" href="/s.css">
    <link rel="alternate" type="text/html" hreflang="en" href="/en/">
    <link rel="alternate" type="application/rss+xml" title="Noticias" href="/feed/">
    <link rel="alternate" type="application/atom+xml" href="https://cdn.example/atom.xml">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head><body>hola</body></html>"""
    assert feed_links(page, "https://site.example/noticias/") == ["https://site.example/feed/",
                                                                  "https://cdn.example/atom.xml"]
    assert feed_links(b"<html><p>no feed here</p></html>", "https://site.example/") == []


def test_a_bridge_token_shows_in_no_log_status_or_export_only_in_the_opml_export(tmp_path, feed_server):
    bridge = feed_server.set("/telegram/channel/foropenal?key=BRIDGE-TOKEN-9", body=rss([OLD_71, RECENT_33]))
    broken = feed_server.set("/x/user/foropenal?key=BRIDGE-TOKEN-9", status=503)
    cfg = tmp_path / "config.toml"
    cfg.write_text('database = "rw.db"\n'
                   f'[[feeds]]\nname = "Foro Penal (Telegram)"\nurl = "{bridge}"\nallow_private = true\nreview = true\n'
                   f'[[feeds]]\nname = "Foro Penal (X)"\nurl = "{broken}"\nallow_private = true\n')
    shown = [_run("poll", "--once", "-v", "--config", str(cfg), "--console", "es"),
             _run("status", "--config", str(cfg)),
             _run("export", "--format", "json", "--config", str(cfg)),
             _run("export", "--format", "csv", "--config", str(cfg))]
    for proc in shown:
        assert proc.returncode == 0, proc.stderr
        assert "BRIDGE-TOKEN-9" not in proc.stdout + proc.stderr
    assert "HTTP 503" in shown[1].stdout and "took in 2 items without alerts" in shown[1].stdout
    opml = _run("feeds", "export", "--config", str(cfg))
    assert opml.stdout.count("key=BRIDGE-TOKEN-9") == 2  # the one place the real address is kept
