"""Fail small and loud (issue 18): one bad item costs that item, one bad feed that feed; an outage
delays alerts but never drops them; a broken database backs off instead of spinning; a copy of
the file says nothing of who waits for whom; one process per database; a clock step stops nothing.

Real parts only: the loopback feed server, the Bot API emulator with the real python-telegram-bot
Application, SQLite files, real subprocesses. Each scenario adds a row to the reliability table.
"""

from __future__ import annotations

import asyncio
import fcntl
import io
import logging
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
import weakref
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bot.pipeline
from bot.config import Config, FeedConfig, TelegramConfig
from bot.feeds import make_client
from bot.notify import ConsoleNotifier
from bot.outbox import ALARM_AFTER, Deliverer
from bot.pipeline import Pipeline
from bot.platforms.telegram import TelegramPlatform
from bot.service import Service
from bot.store import Store
from bot.vault import Vault, current
from loopback.tg_emulator import BotApiEmulator
from tests.feedserver import rss
from tests.news import ago, already_read
from tests.reliability.support import RecordingEmulator, query, seed_subscribers
from tests.test_pipeline import ANNOUNCE, CONFIRM, RETOLD

ROOT = Path(__file__).resolve().parents[2]

RELEASE_A = {"title": "Excarcelan a 40 presos políticos en Tocorón&#xD800; según Foro Penal",
             "description": "Foro Penal verificó 40 excarcelaciones en Tocorón.", "guid": "x-1",
             "link": "https://x.example/1", "pubDate": ago(hours=6)}
RELEASE_B = {"title": "Foro Penal confirma 12 excarcelaciones en Rodeo I",
             "description": "Los 12 presos políticos salieron de Rodeo I.", "guid": "y-1",
             "link": "https://y.example/1", "pubDate": ago(hours=5)}


def _raw(items: list[dict[str, str]], title: str = "Feed") -> bytes:
    """rss() escapes '&'; these tests need character references to reach the parser as written."""
    return rss(items, title).replace(b"&amp;#x", b"&#x")


_notifiers: weakref.WeakKeyDictionary[io.StringIO, ConsoleNotifier] = weakref.WeakKeyDictionary()


def _config(tmp_path: Path, feeds: list[tuple[str, str]], **kw: object) -> Config:
    return Config(database=tmp_path / "rw.db", feeds=tuple(FeedConfig(name=n, url=u) for n, u in feeds),
                  allow_private_feed_urls=True, request_timeout=2, **kw)  # type: ignore[arg-type]


async def _cycle(config: Config, store: Store, out: io.StringIO) -> tuple[int, int]:
    async with make_client(2) as client:
        report = await Pipeline(store, config, client).poll()
    store.db.execute("UPDATE feeds SET next_attempt=NULL")
    notifier = _notifiers.setdefault(out, ConsoleNotifier(out))  # one "chat" per output: its count goes on
    delivery = await Deliverer(store, {"console": notifier}).drain()
    return report.feeds_failed, delivery.sent


# -- 1. one bad item ---------------------------------------------------------------------------------


async def test_unreadable_characters_cost_one_character_not_every_feed(tmp_path, feed_server, figures):
    bad = dict(RELEASE_A, title=RELEASE_A["title"] + " &#xD83D;&#xDE00; &#x110000; &#0;")
    a = feed_server.set("/a", body=_raw([bad], "A"))
    b = feed_server.set("/b", body=_raw([RELEASE_B], "B"))
    config = _config(tmp_path, [("A", a), ("B", b)])
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "c", "es")
    out = io.StringIO()
    failed, sent = await _cycle(config, store, out)
    assert failed == 0 and sent == 2, out.getvalue()
    title = store.db.execute("SELECT title FROM items WHERE guid='x-1'").fetchone()[0]
    assert "😀" in title and "\ufffd" in title and "\x00" not in title
    store.close()
    figures.add("one bad item: lone surrogate, &#x110000;, NUL", "3 unreadable references in one title",
                sent=sent, expected=2, lost=2 - sent, duplicated=0, note="both feeds alert, no feed error")


async def test_a_placeholder_date_is_read_as_now_and_alerts(tmp_path, feed_server):
    item = dict(RELEASE_B, pubDate="Mon, 01 Jan 0001 00:00:00 GMT")
    a = feed_server.set("/a", body=rss([item]))
    config = _config(tmp_path, [("A", a)])
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "c", "es")
    _, sent = await _cycle(config, store, io.StringIO())
    assert sent == 1
    published = datetime.fromisoformat(store.db.execute("SELECT published FROM items").fetchone()[0])
    assert published > datetime.now(UTC) - timedelta(minutes=5)
    store.close()


async def test_an_item_that_fails_inside_costs_itself_and_staff_hear_once(tmp_path, feed_server, monkeypatch, figures):
    a = feed_server.set("/a", body=rss([ANNOUNCE, RELEASE_B]))
    config = _config(tmp_path, [("A", a)])
    store = Store(config.database)
    store.subscribe("console", "staff", "en", "staff")
    real = bot.pipeline.match

    def match(title: str, summary: str = "", lang: str | None = None, published: str | None = None):  # noqa: ANN202
        if title == ANNOUNCE["title"]:
            raise OverflowError("date value out of range")
        return real(title, summary, lang, published)

    monkeypatch.setattr(bot.pipeline, "match", match)
    service = Service(config, store)
    store.sync_feeds(config.feeds)
    already_read(store)
    report = await service.poll_once()
    assert report.new_items == 1 and len(report.item_failures) == 1
    store.db.execute("UPDATE feeds SET next_attempt=NULL")
    await service.poll_once()  # the same feed again: the failed item is skipped, nobody is told twice
    notices = query(config.database, "SELECT payload FROM outbox WHERE kind='staff'")
    assert len(notices) == 1 and "feeds.items_failed_notice" in notices[0][0]
    (feed,) = store.feeds()
    assert feed.items_failed == 1 and "OverflowError" in (feed.last_item_error or "")
    await service.client.aclose()
    store.close()
    figures.add("one item fails inside the pipeline", "OverflowError in one of 2 items", note="1 alert queued, staff told once")


# -- 3. items lost or suppressed by feed shape --------------------------------------------------------


async def test_two_outlets_with_one_guid_are_two_stories(tmp_path, feed_server):
    a = feed_server.set("/a", body=rss([dict(RELEASE_B, guid="1")]))
    b = feed_server.set("/b", body=rss([dict(ANNOUNCE, guid="1", link=RELEASE_B["link"])]))
    config = _config(tmp_path, [("A", a), ("B", b)])
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "c", "es")
    _, sent = await _cycle(config, store, io.StringIO())
    assert store.item_count() == 2 and sent == 2
    store.close()


async def test_an_article_updated_in_place_makes_an_update(tmp_path, feed_server):
    first = {"title": "Foro Penal confirma 20 excarcelaciones en Tocorón", "guid": "live-1",
             "description": "Los 20 presos políticos salieron de Tocorón, informó Foro Penal.",
             "link": "https://x.example/live", "pubDate": ago(hours=6)}
    a = feed_server.set("/a", body=rss([first]))
    config = _config(tmp_path, [("A", a)])
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "c", "es")
    out = io.StringIO()
    assert (await _cycle(config, store, out))[1] == 1
    updated = dict(first, title="Foro Penal confirma 45 excarcelaciones en Tocorón",
                   description="Los 45 presos políticos salieron de Tocorón, informó Foro Penal.")
    feed_server.set("/a", body=rss([updated]))
    assert (await _cycle(config, store, out))[1] == 1
    (event,) = store.latest_events(5)
    assert (event.confirmed, event.revision) == (45, 2)
    assert "alert #2 (reply to #1)" in out.getvalue()
    assert (await _cycle(config, store, out))[1] == 0  # the same text again is nothing new
    store.close()


async def test_a_long_feed_oldest_first_still_shows_its_newest_item(tmp_path, feed_server):
    start = datetime.now(UTC) - timedelta(days=31)  # the newest item, 30 days on, is a day old
    old = [{"title": f"Lluvias en Mérida, día {i}", "description": "Sin novedades.", "guid": f"o{i}",
            "pubDate": (start + timedelta(hours=i)).strftime("%a, %d %b %Y %H:%M:%S GMT")} for i in range(300)]
    newest = dict(RELEASE_B, pubDate=(start + timedelta(days=30)).strftime("%a, %d %b %Y %H:%M:%S GMT"))
    a = feed_server.set("/a", body=rss([*old, newest]))
    config = _config(tmp_path, [("A", a)])
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "c", "es")
    _, sent = await _cycle(config, store, io.StringIO())
    assert sent == 1
    (feed,) = store.feeds()
    assert feed.entries == 301 and store.item_count() == 200
    store.close()


# -- 2. alerts given up in silence --------------------------------------------------------------------


class _Clock:
    """A wall clock and a monotonic clock that tests move by hand (the emulator stays real)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 2, 12, tzinfo=UTC)
        self.mono = 1000.0

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


async def test_a_12_minute_outage_delays_alerts_but_loses_none(tmp_path, caplog, figures):
    chats = list(range(81_000_001, 81_000_041))
    db = tmp_path / "rw.db"
    seed_subscribers(db, chats)
    emu = RecordingEmulator(global_rate=None, per_chat_rate=None, group_per_minute=None).start()
    store = Store(db)
    staff = store.subscribe("console", "staff", "en", "staff")
    clock = _Clock()
    platform = None
    notices: list[str] = []
    try:
        config = replace(Config(database=db), telegram=TelegramConfig(enabled=True, api_base_url=emu.url))
        store.sync_feeds([FeedConfig(name="Loopback", url="http://127.0.0.1/feed")])
        feed = store.feeds()[0]
        item = replace(ANNOUNCE_ITEM, published=clock.now)
        pipeline = Pipeline(store, config, client=None, clock=clock.wall)  # type: ignore[arg-type]
        assert pipeline.ingest([(feed, item)]).alerts_queued == len(chats)
        platform = TelegramPlatform(config, store, token=emu.token)
        await platform.app.initialize()

        async def notice(key: str, values: dict[str, object]) -> None:
            notices.append(key)
            store.enqueue(staff.id, f"staff:{key}:{len(notices)}", "staff", {"key": key, "values": values}, clock.now)

        deliverer = Deliverer(store, {"telegram": platform.notifier}, clock=clock.wall, monotonic=clock.monotonic,
                              notice=notice)
        emu.fail_ratio = 1.0  # every send answered 500 Internal Server Error
        caplog.set_level(logging.WARNING, logger="releasewatch.outbox")
        for _ in range(12 * 6):  # twelve minutes, a round every ten seconds
            await deliverer.drain()
            clock.advance(10)
        requests_down = emu.count_requests["sendMessage"]
        assert store.outbox_counts().get("failed", 0) == 0, query(db, "SELECT error FROM outbox LIMIT 3")
        assert notices == ["delivery.failing_notice"]
        assert any("delivery failing" in r.getMessage() for r in caplog.records)
        emu.fail_ratio = 0.0  # Telegram is back
        for _ in range(40):
            await deliverer.drain()
            if not store.outbox_counts().get("pending"):
                break
            clock.advance(60)
        counts = {int(c): n for c, n in query(db, "SELECT s.chat_id, count(*) FROM outbox o JOIN subscribers s "
                                                  "ON s.id=o.subscriber_id WHERE o.status='sent' AND o.kind='event' "
                                                  "GROUP BY s.chat_id")}
        assert sorted(counts) == chats and set(counts.values()) == {1}
        assert notices == ["delivery.failing_notice", "delivery.recovered_notice"]
    finally:
        if platform is not None:
            await platform.stop()
        emu.stop()
        store.close()
    # while down, a few probes, not one request per message per round
    assert requests_down < 3 * len(chats), requests_down
    figures.add("Bot API 500 for 12 minutes", "every send 500, then recovery", sent=len(counts), expected=len(chats),
                lost=len(chats) - len(counts), duplicated=0,
                note=f"{requests_down} requests while down; staff told at {int(ALARM_AFTER.total_seconds() // 60)} min "
                     "and on recovery")


ANNOUNCE_ITEM = bot.pipeline.Item(ANNOUNCE["guid"], ANNOUNCE["link"], ANNOUNCE["title"], ANNOUNCE["description"],
                                  datetime(2026, 1, 2, 12, tzinfo=UTC), "es")


# -- 7. a damaged database ------------------------------------------------------------------------


def _damage_table(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", [table]).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * page_size)


async def test_a_damaged_outbox_backs_off_instead_of_spinning(tmp_path, caplog, figures):
    db = tmp_path / "rw.db"
    store = Store(db)
    for i in range(300):
        sub = store.subscribe("console", f"c{i}", "es")
        store.enqueue(sub.id, "bc:1", "text", {"text": "hola " * 50})
    store.close()
    _damage_table(db, "outbox")
    store = Store(db)
    told: list[str] = []

    async def notice(key: str, values: dict[str, object]) -> None:
        told.append(key)

    deliverer = Deliverer(store, {"console": ConsoleNotifier(io.StringIO())}, notice=notice)
    caplog.set_level(logging.WARNING, logger="releasewatch.outbox")
    stop = asyncio.Event()
    worker = asyncio.create_task(deliverer.run(stop))
    await asyncio.sleep(4)
    assert deliverer.trouble is not None and "malformed" in deliverer.trouble
    stop.set()
    await asyncio.wait_for(worker, timeout=10)
    store.close()
    lines = [r for r in caplog.records if r.name == "releasewatch.outbox"]
    tracebacks = [r for r in lines if r.exc_info]
    assert len(tracebacks) == 1 and len(lines) <= 3, [r.getMessage() for r in lines]
    assert told == ["delivery.store_trouble_notice"]
    figures.add("damaged outbox page", "outbox root page overwritten", note=f"{len(lines)} log lines in 4 s, staff told once")


# -- 5. who waits for whom ------------------------------------------------------------------------


async def test_a_copy_without_the_key_links_no_chat_to_a_released_name(tmp_path, monkeypatch):
    monkeypatch.setenv("RELEASEWATCH_KEY", Vault.new_key())
    vault = current()
    assert vault is not None
    db = tmp_path / "rw.db"
    store = Store(db)
    chat = "55501234567"
    store.set_lang("telegram", chat, "es")  # a family that only watches a name (no release alerts)
    sub = store.subscriber("telegram", chat)
    assert sub is not None
    store.add_watch(sub.id, vault.encrypt("Rocío San Miguel"))
    store.sync_feeds([FeedConfig(name="A", url="http://127.0.0.1/a")])
    feed = store.feeds()[0]
    item = bot.pipeline.Item("w-1", "https://x.example/w", "Excarcelan a la abogada Rocío San Miguel y a otros 4 presos políticos",
                             "Foro Penal confirmó la excarcelación de Rocío San Miguel en El Helicoide.",
                             datetime(2026, 1, 8, 20, tzinfo=UTC), "es")
    Pipeline(store, Config(database=db), client=None, vault=vault).ingest([(feed, item)])  # type: ignore[arg-type]
    (event,) = store.latest_events(5)
    pending = query(db, "SELECT key, payload FROM outbox WHERE kind='watch'")
    assert len(pending) == 1
    key, payload = pending[0]
    # the key is a keyed digest (no watch or event id in clear), the payload ciphertext
    assert re.fullmatch(r"watch:[0-9a-f]{32}", key) and "San Miguel" not in payload

    class Sink:
        platform = "telegram"

        async def send(self, chat_id: str, message: object, reply_to: str | None = None) -> str:
            return "1"

    await Deliverer(store, {"telegram": Sink()}, vault=vault).drain()
    store.close()
    # the attacker's view: every row of every table, without the key. The chat is a subscriber
    # with an encrypted watch; no other row mentions it, and nothing in clear names the person
    conn = sqlite3.connect(db)
    mentions = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        cols = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
        for row in conn.execute(f"SELECT * FROM {table}"):
            values = dict(zip(cols, row, strict=True))
            if chat in map(str, row) or values.get("subscriber_id") == sub.id:
                mentions.append(table)
            if table in ("watches", "watch_marks", "outbox", "kv"):
                assert not any("San Miguel" in str(v) for v in row), table
    conn.close()
    assert sorted(mentions) == ["subscribers", "watches"]
    # and a retelling of the same event does not alert the family twice
    store = Store(db)
    again = replace(item, guid="w-2", title=item.title + " (actualización)")
    assert Pipeline(store, Config(database=db), client=None, vault=vault).ingest([(feed, again)]).alerts_queued == 0  # type: ignore[arg-type]
    store.close()


def test_a_world_readable_database_is_made_owner_only_at_start(tmp_path):
    db = tmp_path / "rw.db"
    Store(db).close()
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{db}{suffix}")
        p.touch()
        os.chmod(p, 0o644)
    Store(db).close()
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{db}{suffix}")
        if p.exists():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, suffix


def test_forget_leaves_the_chat_id_in_no_file(tmp_path):
    db = tmp_path / "rw.db"
    store = Store(db)
    chat = "98765432109876"
    for i in range(50):
        store.subscribe("telegram", str(10_000 + i), "es")
    sub = store.subscribe("telegram", chat, "es")
    store.enqueue(sub.id, "bc:1", "text", {"text": "hola"})
    store.forget("telegram", chat)
    files = [Path(f"{db}{s}") for s in ("", "-wal", "-shm")]
    leaks = [p.name for p in files if p.exists() and chat.encode() in p.read_bytes()]
    store.close()
    assert leaks == []


# -- 6. one process per database -----------------------------------------------------------------------


def test_a_second_process_on_the_same_database_exits_with_one_sentence(tmp_path, feed_server, figures):
    url = feed_server.set("/a", body=rss([ANNOUNCE]))
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'database = "rw.db"\nallow_private_feed_urls = true\n[[feeds]]\nname = "A"\nurl = "{url}"\n')
    first = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(cfg)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while feed_server.hits("/a") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        lock = tmp_path / "rw.db.lock"
        fd = os.open(lock, os.O_RDWR)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = False
                fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError:
                held = True
        finally:
            os.close(fd)
        assert held
        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--config", str(cfg)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        took = time.monotonic() - started
    finally:
        first.terminate()
        first.communicate(timeout=30)
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "already using" in lines[0] and "Traceback" not in second.stderr
    assert first.returncode == 0
    figures.add("second process on one database", "releasewatch run started twice", note=f"second exits 1 in {took:.1f} s")


def test_a_refused_token_ends_the_start_quickly_in_one_sentence(tmp_path, figures):
    emu = BotApiEmulator(token="123456:RIGHT").start()
    try:
        cfg = tmp_path / "config.toml"
        cfg.write_text(f'database = "rw.db"\n[telegram]\nenabled = true\napi_base_url = "{emu.url}"\n')
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:WRONG-TOKEN-abcdefghijklmnopqrstuvwxyz"}
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--config", str(cfg)], cwd=ROOT,
                              capture_output=True, text=True, timeout=60, env=env)
        took = time.monotonic() - started
    finally:
        emu.stop()
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "WRONG-TOKEN" not in proc.stderr
    assert "telegram could not start" in proc.stderr.strip().splitlines()[-1]
    assert took < 15, took
    figures.add("refused token at start", "Bot API answers 401", note=f"exit 1 in {took:.1f} s, one sentence")


# -- 8. clock steps -----------------------------------------------------------------------------------------


async def test_polls_and_retries_go_on_after_the_wall_clock_steps_back_an_hour(tmp_path, feed_server, figures):
    a = feed_server.set("/a", body=rss([ANNOUNCE]))
    config = replace(_config(tmp_path, [("A", a)]), poll_interval=10)
    store = Store(config.database)
    sub = store.subscribe("console", "c", "es")
    service = Service(config, store, extra_notifiers={"console": ConsoleNotifier(io.StringIO())})
    run = asyncio.create_task(service.run(install_signals=False))
    try:
        deadline = time.monotonic() + 20
        while feed_server.hits("/a") < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert feed_server.hits("/a") == 1
        # the wall clock steps back an hour (an NTP step, a restored VM) ...
        offset = timedelta(hours=-1)

        def stepped() -> datetime:
            return datetime.now(UTC) + offset

        service.pipeline.clock = service.deliverer.clock = service.steps.wall = stepped
        # ... with a message queued to go out in 3 s of the old wall time
        store.enqueue(sub.id, "bc:late", "text", {"text": "later"}, datetime.now(UTC) + timedelta(seconds=3))
        feed_server.set("/a", body=rss([ANNOUNCE, CONFIRM, RETOLD]))
        deadline = time.monotonic() + 25
        while feed_server.hits("/a") < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert feed_server.hits("/a") == 2, "no poll after the clock stepped back"
        deadline = time.monotonic() + 15
        while store.outbox_counts().get("pending") and time.monotonic() < deadline:
            service.deliverer.wake.set()
            await asyncio.sleep(0.2)
        assert not store.outbox_counts().get("pending"), store.outbox_counts()
    finally:
        service.stop()
        await asyncio.wait_for(run, timeout=30)
        store.close()
    figures.add("wall clock steps back 1 h", "clock offset -3600 s mid-run", note="next poll and a queued retry on time")
