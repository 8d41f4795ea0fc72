"""End-to-end fixtures: the real service (scheduler, outbox, real python-telegram-bot Application)
in the test's event loop, talking to the Bot API emulator and reading a loopback feed server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Config, FeedConfig, TelegramConfig
from bot.platforms.telegram import TelegramPlatform
from bot.service import Service
from bot.store import Store
from loopback.tg_emulator import BotApiEmulator
from tests.feedserver import rss

STAFF = 999


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    emu = BotApiEmulator(global_rate=None, per_chat_rate=None, group_per_minute=None)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


class Harness:
    """A running service plus handy ways to talk to it as a Telegram user would."""

    def __init__(self, emu: BotApiEmulator, service: Service, store: Store, feeds) -> None:
        self.emu = emu
        self.service = service
        self.store = store
        self.feeds = feeds

    def publish(self, items: list[dict]) -> None:
        """The loopback feed now carries these items."""
        self.feeds.set("/feed", body=rss(items))

    async def say(self, chat_id: int, text: str, **kw) -> dict:
        """Send a message as a user and wait for the bot's next reply in that chat."""
        before = len(self.emu.messages_for(chat_id))
        self.emu.inject_message(chat_id, text, **kw)
        return await self.next_message(chat_id, before)

    async def press(self, chat_id: int, message: dict, data: str, user_id: int | None = None) -> dict:
        before = len(self.emu.messages_for(chat_id))
        self.emu.inject_callback(chat_id, message["message_id"], data, user_id=user_id)
        return await self.next_message(chat_id, before)

    async def next_message(self, chat_id: int, before: int, timeout: float = 15) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            msgs = self.emu.messages_for(chat_id)
            if len(msgs) > before:
                return msgs[before]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no reply in chat {chat_id} within {timeout} s")

    async def poll_and_deliver(self) -> None:
        """One poll cycle now (feeds due at once), then deliver everything that is due."""
        self.store.db.execute("UPDATE feeds SET next_attempt=NULL")
        await self.service.poll_once()
        await self.service.deliverer.drain()


def button(message: dict, data_prefix: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if b.get("callback_data", "").startswith(data_prefix):
                return b["callback_data"]
    raise AssertionError(f"no button {data_prefix!r} in {message.get('reply_markup')}")


def button_for(message: dict, label: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if b.get("text") == label:
                return b["callback_data"]
    raise AssertionError(f"no button labelled {label!r}")


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change Config fields (e.g. review settings)."""
    return {}


@pytest.fixture
def telegram_overrides() -> dict:
    """Override in a test module to change TelegramConfig fields (e.g. staff_chat_id)."""
    return {}


@pytest.fixture
async def harness(tmp_path: Path, emulator: BotApiEmulator, feed_server, config_overrides,
                  telegram_overrides) -> AsyncIterator[Harness]:
    feed_url = feed_server.set("/feed", body=b'<?xml version="1.0"?><rss version="2.0"><channel>'
                               b"<title>Empty</title></channel></rss>")
    config = Config(
        database=tmp_path / "rw.db",
        poll_interval=3600,
        allow_private_feed_urls=True,
        request_timeout=5,
        feeds=(FeedConfig(name="Noticias Loopback", url=feed_url, lang="es"),),
    )
    telegram = {"enabled": True, "api_base_url": emulator.url, "staff_user_ids": (STAFF,), **telegram_overrides}
    config = replace(config, telegram=TelegramConfig(**telegram), **config_overrides)
    store = Store(config.database)
    platform = TelegramPlatform(config, store, token=emulator.token)
    service = Service(config, store, [platform])
    task = asyncio.create_task(service.run(install_signals=False))
    h = Harness(emulator, service, store, feed_server)
    # wait until the bot polls getUpdates, i.e. it is ready to receive commands
    for _ in range(200):
        if emulator.count_requests.get("getUpdates", 0):
            break
        await asyncio.sleep(0.05)
    # and until the first poll read the (empty) feed: what a test publishes next is news, not the
    # feed's first-fetch backlog (which alerts nobody)
    for _ in range(200):
        if service.cycles:
            break
        await asyncio.sleep(0.05)
    try:
        yield h
    finally:
        service.stop()
        await asyncio.wait_for(task, timeout=30)
        store.close()
