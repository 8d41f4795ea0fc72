"""The health endpoint of a real running service: the real python-telegram-bot Application on the
Bot API emulator, loopback feeds, a real SQLite file, and a real HTTP client scraping it."""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import aiohttp
import pytest

from bot.config import Config, FeedConfig, HealthConfig, TelegramConfig
from bot.platforms.telegram import TelegramPlatform
from bot.service import Service
from bot.store import Store
from loopback.tg_emulator import BotApiEmulator
from tests.feedserver import FeedServer, rss

CHAT = 4242  # a private chat: its id must never appear on the metrics page
FEED_DELAY = 1.0  # the good feed answers slowly: the first cycle is still running when /readyz is asked


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    service: Service
    store: Store
    emu: BotApiEmulator
    feeds: FeedServer
    base: str
    http: aiohttp.ClientSession

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.base + path) as resp:
            return resp.status, await resp.text()

    async def wait_for(self, path: str, status: int, timeout: float = 20) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last = None
        while loop.time() < deadline:
            try:
                got, body = await self.get(path)
                if got == status:
                    return body
                last = (got, body)
            except aiohttp.ClientConnectionError as exc:
                last = exc
            await asyncio.sleep(0.05)
        raise AssertionError(f"{path} did not answer {status} within {timeout} s (last: {last})")


def _config(tmp_path: Path, feeds: FeedServer, emu: BotApiEmulator, port: int) -> Config:
    now = format_datetime(datetime.now(UTC))
    good = feeds.set("/noticias", delay=FEED_DELAY, body=rss([{
        "title": "Foro Penal confirma la excarcelación de 12 presos políticos en Tocorón",
        "guid": "n-1", "link": "https://noticias.example/1", "pubDate": now}]))
    broken = feeds.set("/roto?token=s3cret", status=500, body=b"oops")
    return Config(
        database=tmp_path / "rw.db", poll_interval=3600, allow_private_feed_urls=True, request_timeout=5,
        feeds=(FeedConfig("Noticias Loopback", good, "es"), FeedConfig("Puente Roto", broken, "es")),
        telegram=TelegramConfig(enabled=True, api_base_url=emu.url),
        health=HealthConfig(enabled=True, host="127.0.0.1", port=port),
    )


@pytest.fixture
async def running(tmp_path: Path, feed_server: FeedServer) -> AsyncIterator[Running]:
    # stricter than the notifier's own spacing (about one a second per chat): some sends get a 429
    emu = BotApiEmulator(global_rate=None, per_chat_rate=0.5, per_chat_burst=0, group_per_minute=None).start()
    port = free_port()
    config = _config(tmp_path, feed_server, emu, port)
    store = Store(config.database)
    store.subscribe("telegram", str(CHAT), "es")
    service = Service(config, store, [TelegramPlatform(config, store, token=emu.token)])
    task = asyncio.create_task(service.run(install_signals=False))
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    try:
        r = Running(service, store, emu, feed_server, f"http://127.0.0.1:{port}", http)
        await r.wait_for("/healthz", 200)
        yield r
    finally:
        await http.close()
        service.stop()
        await asyncio.wait_for(task, timeout=30)
        store.close()
        emu.stop()


async def test_readyz_waits_for_the_first_poll_cycle_then_reports_ready(running):
    status, body = await running.get("/readyz")
    assert status == 503 and '"poll"' in body  # the slow feed holds the first cycle up
    body = await running.wait_for("/readyz", 200)
    assert '"ready": true' in body
    assert all(f'"{name}": {{"ok": true}}' in body for name in ("poll", "platforms", "database", "delivery"))


async def test_healthz_is_what_the_container_healthcheck_calls(running):
    ok = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot.health", running.base + "/healthz"],
                                 timeout=30)
    assert ok.returncode == 0
    down = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot.health",
                                                    f"http://127.0.0.1:{free_port()}/healthz"], timeout=30)
    assert down.returncode == 1


async def test_metrics_page_counts_feeds_cycles_outbox_and_429s_but_names_no_chat_and_no_url(running):
    await running.wait_for("/readyz", 200)
    sub = running.store.subscriber("telegram", CHAT)
    for n in range(3):  # three messages at once to one private chat
        running.store.enqueue(sub.id, f"note-{n}", "text", {"text": f"aviso {n}"}, datetime.now(UTC))
    running.service.deliverer.wake.set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while running.store.outbox_counts().get("sent", 0) < 3 and loop.time() < deadline:
        await asyncio.sleep(0.1)
    assert running.emu.count_429 >= 1

    status, page = await running.get("/metrics")
    assert status == 200
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
               for line in page.splitlines() if line and not line.startswith("#")}
    assert samples['releasewatch_feeds{state="ok"}'] == 1
    assert samples['releasewatch_feeds{state="failing"}'] == 1
    assert samples['releasewatch_feeds{state="quiet"}'] == 0
    assert samples['releasewatch_feed_last_success_timestamp_seconds{feed="Noticias Loopback"}'] > 1.7e9
    assert not any('feed="Puente Roto"' in key for key in samples)  # never fetched without error
    assert samples["releasewatch_poll_cycles_total"] >= 1
    assert samples["releasewatch_poll_cycle_duration_seconds_count"] >= 1
    assert samples["releasewatch_poll_cycle_duration_seconds_sum"] >= FEED_DELAY
    assert samples["releasewatch_feed_fetch_failures_total"] >= 1
    assert samples["releasewatch_new_items_total"] >= 1
    assert "releasewatch_last_cycle_alerts_queued" in samples
    assert samples['releasewatch_outbox_messages{status="sent"}'] >= 3
    assert samples['releasewatch_outbox_messages{status="failed"}'] == 0
    assert samples['releasewatch_rate_limited_total{platform="telegram"}'] >= 1
    assert samples["releasewatch_held_alerts"] == 0
    assert samples['releasewatch_platform_connected{platform="telegram"}'] == 1
    assert samples['releasewatch_delivery_failing{platform="telegram"}'] == 0
    assert str(CHAT) not in page
    assert "127.0.0.1" not in page and "s3cret" not in page and "noticias.example" not in page


async def test_readyz_names_the_database_when_it_cannot_be_written(running):
    await running.wait_for("/readyz", 200)
    # the store is synchronous: a delivery writing while another process holds the lock would
    # block the whole loop (and /readyz with it) for the busy timeout. Wait until delivery is idle
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while set(running.store.outbox_counts()) - {"sent"} and loop.time() < deadline:
        await asyncio.sleep(0.1)
    other = sqlite3.connect(running.store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        status, body = await running.get("/readyz")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert status == 503
    assert '"failed": ["database"]' in body and "locked" in body
    await running.wait_for("/readyz", 200)


async def test_a_taken_port_is_logged_and_the_service_runs_on(tmp_path, feed_server, caplog):
    emu = BotApiEmulator(global_rate=None, per_chat_rate=None, group_per_minute=None).start()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = _config(tmp_path, feed_server, emu, taken.getsockname()[1])
        store = Store(config.database)
        service = Service(config, store, [TelegramPlatform(config, store, token=emu.token)])
        cycle = asyncio.Event()

        async def seen(report) -> None:
            cycle.set()

        service.on_cycle.append(seen)
        with caplog.at_level(logging.ERROR, logger="releasewatch.health"):
            task = asyncio.create_task(service.run(install_signals=False))
            try:
                await asyncio.wait_for(cycle.wait(), timeout=20)
            finally:
                service.stop()
                await asyncio.wait_for(task, timeout=30)
                store.close()
                emu.stop()
    assert any("health endpoint not started" in r.getMessage() for r in caplog.records)
