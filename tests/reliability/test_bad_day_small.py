"""The smaller bad-day findings of issue 21 (point 5): feed links that followed a request's Host
header, a token of spaces, a doctor that passed what `run` refuses, an English reason in a Spanish
refusal, a traceback per cycle with the disk full, a damaged outbox staff never heard of, a lone
surrogate that answered "Algo falló", and one user's command flood slowing a broadcast.

Real parts only: the real web server and service on 127.0.0.1, the Bot API emulator with the real
python-telegram-bot Application, SQLite files in tmp_path. Each scenario adds a row to the
reliability table.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bot import doctor
from bot.config import Config, FeedConfig, HealthConfig, TelegramConfig
from bot.i18n import because, notice, t
from bot.items import Item
from bot.pipeline import Pipeline
from bot.platforms.telegram import TelegramPlatform
from bot.service import Service
from bot.store import Store
from bot.vault import Vault
from bot.web.server import WebServer
from bot.web.settings import WebConfig
from loopback.tg_emulator import BotApiEmulator
from tests.feedserver import rss
from tests.news import ago
from tests.reliability.support import RecordingEmulator, deliveries
from tests.web_ledger import seed_public

ROOT = Path(__file__).resolve().parents[2]
STAFF = 999
MOTHER = 4001


@dataclass
class Bot:
    """A running service with the real python-telegram-bot Application on the Bot API emulator."""

    emu: BotApiEmulator
    service: Service
    store: Store

    async def say(self, chat_id: int, text: str, lang: str = "es", timeout: float = 15) -> str:
        """Send a message as a user of that chat; the bot's next reply there."""
        before = len(self.emu.messages_for(chat_id))
        self.emu.inject_message(chat_id, text, language_code=lang)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            msgs = self.emu.messages_for(chat_id)
            if len(msgs) > before:
                return str(msgs[before]["text"])
            await asyncio.sleep(0.05)
        raise AssertionError(f"no reply in chat {chat_id} within {timeout} s")


@asynccontextmanager
async def running_bot(tmp_path: Path, emu: BotApiEmulator | None = None, **config: Any) -> AsyncIterator[Bot]:
    emu = emu or BotApiEmulator(global_rate=None, per_chat_rate=None, group_per_minute=None)
    emu.start()
    settings = Config(database=tmp_path / "rw.db", poll_interval=3600, request_timeout=5,
                      telegram=TelegramConfig(enabled=True, api_base_url=emu.url, staff_user_ids=(STAFF,),
                                              **config.pop("telegram", {})), **config)
    store = Store(settings.database)
    service = Service(settings, store, [TelegramPlatform(settings, store, token=emu.token)])
    task = asyncio.create_task(service.run(install_signals=False))
    try:
        for _ in range(400):
            if emu.count_requests.get("getUpdates", 0) and service.cycles:
                break
            await asyncio.sleep(0.05)
        yield Bot(emu, service, store)
    finally:
        service.stop()
        await asyncio.wait_for(task, timeout=30)
        store.close()
        emu.stop()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={**os.environ, **(env or {})})

# -- (a) feed links never follow the request's Host header ---------------------------------------------


async def test_feed_links_never_follow_the_host_header_a_request_names(tmp_path, figures):
    store = Store(tmp_path / "rw.db")
    seed_public(store)
    server = WebServer(store, WebConfig(enabled=True, port=0), ledger_ttl=0.0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            headers = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
            atom = (await client.get("/feed.atom", headers=headers)).content
            doc = (await client.get("/feed.json", headers=headers)).json()
    finally:
        await server.stop()
        store.close()
    assert b"evil.example" not in atom and "evil.example" not in json.dumps(doc)
    hrefs = [el.get("href") or "" for el in ET.fromstring(atom).iter("{http://www.w3.org/2005/Atom}link")]
    urls = [doc["home_page_url"], doc["feed_url"], *(item["url"] for item in doc["items"])]
    assert hrefs and all(h.startswith(server.url) for h in hrefs + urls), (server.url, hrefs, urls)
    figures.add("feed links and the Host header", "Host: evil.example on /feed.atom and /feed.json (no base_url)",
                note=f"links point at {server.url} (where the page listens); the Host header is never used")


# -- (b) a token of spaces; doctor refuses what `run` refuses ------------------------------------------


def test_a_web_token_of_spaces_is_refused_at_config_load_and_doctor_fails_an_internal_page_without_one(
        tmp_path, monkeypatch, figures):
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{tmp_path / "rw.db"}"\n[web]\nenabled = true\npublic = false\nport = 1\n',
                      encoding="utf-8")
    proc = _cli("run", "--config", str(config), env={"RELEASEWATCH_WEB_TOKEN": "   "})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and "RELEASEWATCH_WEB_TOKEN holds only spaces" in proc.stderr, proc.stderr
    monkeypatch.delenv("RELEASEWATCH_WEB_TOKEN", raising=False)
    out = io.StringIO()
    assert doctor.main(config, out) == 1
    (web,) = [line for line in out.getvalue().splitlines() if line.split()[1:2] == ["web"]]
    assert web.startswith("FAIL") and "RELEASEWATCH_WEB_TOKEN is not set" in web and "Fix:" in web, web
    monkeypatch.setenv("RELEASEWATCH_WEB_TOKEN", "a-long-random-token")
    out = io.StringIO()
    doctor.main(config, out)
    assert [line for line in out.getvalue().splitlines() if line.split()[1:2] == ["web"]][0].startswith("OK")
    figures.add("web token checks", "RELEASEWATCH_WEB_TOKEN of three spaces; public = false without a token",
                note="run: exit 2, one sentence; doctor: FAIL web with a fix (as run refuses)")


# -- (c) a Spanish refusal gives its reason in Spanish ------------------------------------------------

ENGLISH = re.compile(r"\b(the|host|network|address|resolves?|server|answered|request|private)\b")


async def test_a_spanish_refusal_gives_its_reason_in_spanish(tmp_path, feed_server, figures):
    broken = feed_server.set("/roto", status=500, body=b"oops")
    async with running_bot(tmp_path) as bot:
        private = await bot.say(STAFF, "/addfeed http://[::1]/feed.xml", "es")
        local = await bot.say(STAFF, "/addfeed http://localhost:8080/feed", "es")
        english = await bot.say(STAFF, "/addfeed http://[::1]/feed.xml", "en")
        # a feed that failed: its stored error is English (logs, the database); /feeds reads it in Spanish
        bot.store.add_feed("Puente Roto", broken, "es")
        (feed,) = [f for f in bot.store.feeds() if f.url == broken]
        from bot.feeds import fetch, make_client

        async with make_client(5, allow_private=True) as client:
            res = await fetch(client, broken)
        bot.store.record_fetch_error(feed.id, datetime.now(UTC), res.error or "", datetime.now(UTC))
        report = await bot.say(STAFF, "/feeds", "es")
    assert private == "No añadí la fuente: la dirección ::1 es de una red privada o local.", private
    assert local.startswith("No añadí la fuente: la dirección localhost es de una red privada"), local
    for reply in (private, local):
        assert not ENGLISH.search(reply), reply
    assert "the host ::1 is on a private or local network" in english  # English readers keep theirs
    assert res.error == "the server answered HTTP 500" and "el servidor respondió HTTP 500" in report, report
    # staff notices carry reasons too: read back in each staff chat's language
    told = notice("es", "feeds.items_failed_notice",
                  {"name": "Puente", "count": 1, "reason": because("reason.entry_unreadable", n=3, error="ValueError")})
    assert "(la entrada 3 no se pudo leer (ValueError))" in told, told
    figures.add("a Spanish refusal", "/addfeed of ::1 and localhost in Spanish; /feeds with an HTTP 500",
                note="the reason in Spanish too (gettext catalogs); logs and database keep English")


# -- (d) the disk full: one traceback, then one line a cycle --------------------------------------------


async def test_a_full_disk_logs_one_traceback_then_one_line_a_cycle(tmp_path, feed_server, caplog, figures):
    url = feed_server.set("/wire", body=rss([_release(0)], "Wire"))
    config = Config(database=tmp_path / "rw.db", poll_interval=3600, allow_private_feed_urls=True, request_timeout=5,
                    feeds=(FeedConfig(name="Wire", url=url, lang="es"),))
    store = Store(config.database)
    service = Service(config, store)
    store.sync_feeds(config.feeds)
    try:
        await service._poll_job()  # the feed's first fetch: recorded
        # the disk is full: the database may not grow by a page
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        caplog.set_level(logging.INFO)
        per_cycle = []
        for n in range(1, 5):
            feed_server.set("/wire", body=rss([_release(i) for i in range(n * 30)], "Wire"))
            store.db.execute("UPDATE feeds SET next_attempt=NULL")
            caplog.clear()
            await service._poll_job()
            per_cycle.append([r for r in caplog.records if r.levelno >= logging.WARNING])
        store.db.execute("PRAGMA max_page_count = 1073741823")  # room again
        caplog.clear()
        await service._poll_job()
        recovered = [r.getMessage() for r in caplog.records]
    finally:
        await service.aclose_clients()
        store.close()
    first, *later = per_cycle
    assert [bool(r.exc_info) for r in first] == [True] and "full" in str(first[0].exc_info[1]), first
    for records in later:
        assert len(records) == 1 and not records[0].exc_info, [r.getMessage() for r in records]
        assert "database or disk is full" in records[0].__dict__["reason"]
    assert "poll cycles work again" in recovered and "poll cycle done" in recovered, recovered
    figures.add("disk full during polls", "PRAGMA max_page_count at the database's size, 4 cycles with new items",
                note="1 traceback, then 1 line a cycle; 'work again' once there is room")


def _release(i: int) -> dict[str, str]:
    return {"title": f"Foro Penal verificó {i + 2} excarcelaciones de presos políticos en Tocorón (parte {i})",
            "description": "Presos políticos salieron de Tocorón. " * 20, "guid": f"w-{i}",
            "link": f"https://wire.example/{i}", "pubDate": ago(hours=2)}


# -- (e) a damaged outbox: /readyz says so and staff hear it once -------------------------------------------

STAFF_GROUP = -100777


def _damage_outbox_leaf(db: Path) -> None:
    """Overwrite the outbox's first leaf page: new rows still go in, every claim fails."""
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (page,) = conn.execute("SELECT pageno FROM dbstat WHERE name='outbox' AND pagetype='leaf' "
                           "ORDER BY pageno LIMIT 1").fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * page_size)
        fh.write(b"\xff" * page_size)


async def test_a_damaged_outbox_page_is_told_to_staff_once_directly(tmp_path, figures):
    db = tmp_path / "rw.db"
    store = Store(db)
    with store.transaction():
        for i in range(300):
            sub = store.subscribe("telegram", str(700_000 + i), "es")
            store.enqueue(sub.id, "bc:1", "text", {"text": "hola " * 50})
    store.close()
    _damage_outbox_leaf(db)
    port = _free_port()
    async with running_bot(tmp_path, telegram={"staff_chat_id": STAFF_GROUP},
                           health=HealthConfig(enabled=True, port=port)) as bot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while loop.time() < deadline and not bot.emu.messages_for(STAFF_GROUP):
            await asyncio.sleep(0.1)
        async with httpx.AsyncClient(timeout=10) as client:
            ready = await client.get(f"http://127.0.0.1:{port}/readyz")
        await asyncio.sleep(3)  # rounds keep failing meanwhile: no second notice
        told = [m["text"] for m in bot.emu.messages_for(STAFF_GROUP)]
    assert ready.status_code == 503 and "delivery" in ready.json()["failed"], ready.text
    assert len(told) == 1 and told[0].startswith("⚠️ La base de datos falla (DatabaseError: database disk image is "
                                                 "malformed)"), told
    figures.add("damaged outbox page, told to staff", "the outbox's first leaf page overwritten",
                note="/readyz 503; staff told once, through Telegram directly (a queued notice would never leave)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- (f) a /watch name with a lone surrogate gets a clear answer ---------------------------------------------


async def test_a_watch_name_with_a_lone_surrogate_gets_a_clear_answer_in_the_users_language(tmp_path, monkeypatch,
                                                                                          figures):
    monkeypatch.setenv("RELEASEWATCH_KEY", Vault.new_key())
    async with running_bot(tmp_path) as bot:
        unreadable = await bot.say(MOTHER, "/watch \ud800\u202e\ud83d", "es")
        english = await bot.say(MOTHER + 1, "/watch \udfff \u200b", "en")
        kept = await bot.say(MOTHER + 2, "/watch Rocío \ud800San\u202e Miguel", "es")
        listed = await bot.say(MOTHER + 2, "/watches", "es")
    assert unreadable == t("es", "watch.unreadable") and english == t("en", "watch.unreadable"), (unreadable, english)
    assert kept == t("es", "watch.added"), kept
    assert "Rocío San Miguel" in listed, listed
    for reply in (unreadable, english, kept):
        assert reply != t("es", "error.generic") and reply != t("en", "error.generic")
    figures.add("/watch with a lone surrogate", "U+D800, U+202E and zero-width characters in the name",
                note="invisible characters dropped (one cleaning path); nothing left: one sentence in the user's language")


# -- (g) one user's command flood does not slow a broadcast ------------------------------------------------

FANOUT = 300
FLOODER = 4999


async def _fanout_seconds(tmp_path: Path, flood: bool) -> tuple[float, int, int, int]:
    """Seconds until one alert reached FANOUT chats through Telegram's limits (30 messages/s, 1/s a
    chat), with or without a chat sending /status every 20 ms meanwhile; also the messages sent,
    the 429s answered to the flooding chat and the replies it got."""
    tmp_path.mkdir()
    seed = Store(tmp_path / "rw.db")
    with seed.transaction():
        chats = [700_000_000 + i for i in range(FANOUT)]
        for i, chat in enumerate(chats):
            seed.subscribe("telegram", str(chat), "es" if i % 2 else "en")
    seed.add_feed("Wire", "http://127.0.0.1:9/none", "es")
    seed.close()
    emu = RecordingEmulator(global_rate=30.0, per_chat_rate=1.0, max_sent=100_000)
    async with running_bot(tmp_path, emu) as bot:
        stop = threading.Event()

        def flooder() -> None:
            while not stop.is_set():
                emu.inject_message(FLOODER, "/status", language_code="en")
                time.sleep(0.02)

        thread = threading.Thread(target=flooder, daemon=True)
        if flood:
            thread.start()
            await asyncio.sleep(1.0)  # the flood is under way when the alert comes
        try:
            started = time.monotonic()
            feed = bot.store.feeds()[0]
            item = Item("flood-1", "https://wire.example/1", "Foro Penal confirma 33 excarcelaciones en Tocorón",
                        "Los 33 presos políticos salieron de Tocorón durante la noche, informó Foro Penal.",
                        datetime.now(UTC), "es")
            async with httpx.AsyncClient() as client:
                queued = Pipeline(bot.store, bot.service.config, client).ingest([(feed, item)]).alerts_queued
            assert queued == FANOUT
            bot.service.deliverer.wake.set()
            deadline = time.monotonic() + 120
            while len(deliveries(emu, chats)) < FANOUT and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            seconds = time.monotonic() - started
        finally:
            stop.set()
            if flood:
                thread.join()
        sent = len(deliveries(emu, chats))
        throttled = sum(1 for th in emu.throttles if th.chat_id == FLOODER)
        replies = len(emu.messages_for(FLOODER))
    return seconds, sent, throttled, replies


async def test_one_users_command_flood_does_not_slow_a_broadcast(tmp_path, figures):
    calm, sent_calm, _, _ = await _fanout_seconds(tmp_path / "calm", flood=False)
    busy, sent_busy, throttled, replies = await _fanout_seconds(tmp_path / "flood", flood=True)
    assert sent_calm == sent_busy == FANOUT
    assert busy <= calm * 1.2, (calm, busy)
    # each reply to the flooding chat may meet its per-chat limit once, not once per retry of a crowd
    assert throttled <= replies, (throttled, replies)
    figures.add("a /status flood during a broadcast", f"one chat sends /status every 20 ms; alert to {FANOUT} chats "
                "at 30/s", sent=sent_busy, expected=FANOUT, lost=FANOUT - sent_busy, duplicated=0,
                note=f"fan-out {calm:.1f} s alone, {busy:.1f} s with the flood (x{busy / calm:.2f}; before: 11.4 -> "
                     f"14.4 s); {throttled} 429s to the flooder for {replies} replies")
