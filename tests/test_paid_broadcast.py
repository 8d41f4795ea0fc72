"""How fast the bot sends: above Telegram's free 30 messages/s the outbox sends paid broadcasts,
still at the configured rate (never PTB's 1000 at once), and a group still gets at most its
messages per minute. The real platform and outbox against the emulator."""

from __future__ import annotations

import asyncio

import pytest
from telegram.ext import ExtBot

from bot.config import Config, TelegramConfig
from bot.outbox import Deliverer
from bot.platforms.telegram import TelegramPlatform
from bot.platforms.telegram.limits import SendLimiter
from bot.platforms.telegram.transport import AiohttpRequest
from bot.store import Store
from loopback.tg_emulator import BotApiEmulator

CHATS = 400


async def _broadcast(tmp_path, rate: float, paid_rate: float) -> BotApiEmulator:
    """One message to CHATS private chats through the outbox, the bot configured at `rate`."""
    emu = BotApiEmulator(global_rate=30, paid_rate=paid_rate, max_sent=CHATS + 10).start()
    store = Store(tmp_path / "rw.db")
    platform = None
    try:
        config = Config(database=tmp_path / "rw.db",
                        telegram=TelegramConfig(enabled=True, api_base_url=emu.url, messages_per_second=rate))
        with store.transaction():
            for i in range(CHATS):
                sub = store.subscribe("telegram", str(800_000_000 + i), "es")
                store.enqueue(sub.id, "bc:1", "text", {"text": "Foro Penal confirmó 33 excarcelaciones"})
        platform = TelegramPlatform(config, store, token=emu.token)
        await platform.app.initialize()
        report = await Deliverer(store, {"telegram": platform.notifier}).drain()
        assert report.sent + report.rate_limited >= CHATS
        return emu
    finally:
        if platform is not None:
            await platform.app.shutdown()
        store.close()
        emu.stop()


@pytest.mark.timeout(120)
async def test_above_thirty_per_second_alerts_are_paid_broadcasts_at_the_configured_rate(tmp_path):
    # Telegram would take 1000/s; the operator pays for 200/s and the emulator holds the bot to it
    emu = await _broadcast(tmp_path, rate=200, paid_rate=200)
    assert emu.count_paid == CHATS and emu.sent_count == CHATS
    assert emu.count_429 == 0


@pytest.mark.timeout(120)
async def test_at_the_free_rate_nothing_is_paid(tmp_path):
    emu = await _broadcast(tmp_path, rate=30, paid_rate=1000)
    assert emu.count_paid == 0 and emu.sent_count == CHATS
    assert emu.count_429 == 0


async def test_a_group_gets_its_messages_per_minute_even_as_paid_broadcasts():
    emu = BotApiEmulator(global_rate=30, paid_rate=1000, group_per_minute=3).start()
    group = -1_001_234_567
    try:
        async with ExtBot(emu.token, base_url=emu.base_url, request=AiohttpRequest(),
                          rate_limiter=SendLimiter(per_second=500, group_per_minute=3)) as bot:
            for i in range(3):
                await bot.send_message(group, f"alerta {i}", allow_paid_broadcast=True)
            fourth = asyncio.ensure_future(bot.send_message(group, "alerta 3", allow_paid_broadcast=True))
            await asyncio.sleep(1.0)  # the limiter holds it (the next slot is 20 s away) …
            assert not fourth.done()
            await bot.send_message(700_000_001, "otro chat")  # … without holding other chats
            fourth.cancel()
        assert [m["text"] for m in emu.messages_for(group)] == ["alerta 0", "alerta 1", "alerta 2"]
        assert emu.count_429 == 0
    finally:
        emu.stop()


async def test_a_rate_below_ten_per_second_still_sends():
    """The limiter counts in tenths of a second; at 2/s a tenth would hold less than one message."""
    emu = BotApiEmulator(global_rate=2, per_chat_rate=None).start()
    try:
        async with ExtBot(emu.token, base_url=emu.base_url, request=AiohttpRequest(),
                          rate_limiter=SendLimiter(per_second=2, group_per_minute=20)) as bot:
            for chat in (700_000_001, 700_000_002, 700_000_003, -1_001_234_567):
                await bot.send_message(chat, "alerta")
        assert emu.sent_count == 4 and emu.count_429 == 0
    finally:
        emu.stop()


@pytest.mark.timeout(120)
async def test_when_paid_broadcasts_are_refused_alerts_go_on_for_free_and_staff_hear_once(tmp_path):
    emu = BotApiEmulator(global_rate=30, paid_rate=1000, max_sent=200).start()
    # Telegram does not document the text; a bot without Stars gets a 400 of this kind
    emu.paid_refusal = "Bad Request: not enough Stars to send a paid broadcast"
    store = Store(tmp_path / "rw.db")
    platform = None
    staff_chat = 700_999_999
    try:
        config = Config(database=tmp_path / "rw.db",
                        telegram=TelegramConfig(enabled=True, api_base_url=emu.url, messages_per_second=200))
        store.subscribe("telegram", str(staff_chat), "es", "staff")
        with store.transaction():
            for i in range(60):
                sub = store.subscribe("telegram", str(800_000_000 + i), "es")
                store.enqueue(sub.id, "bc:1", "text", {"text": "Foro Penal confirmó 33 excarcelaciones"})
        platform = TelegramPlatform(config, store, token=emu.token)
        await platform.app.initialize()
        deliverer = Deliverer(store, {"telegram": platform.notifier})
        for _ in range(20):
            await deliverer.drain()
            if store.outbox_counts().get("pending", 0) == 0:
                break
            await asyncio.sleep(1.0)
    finally:
        if platform is not None:
            await platform.app.shutdown()
        store.close()
        emu.stop()
    families = [m for m in emu.sent if m["chat_id"] != staff_chat]
    assert len({m["chat_id"] for m in families}) == len(families) == 60  # nothing lost, nothing twice
    (notice,) = emu.messages_for(staff_chat)
    assert "Stars" in notice["text"] and "30" in notice["text"]
    assert emu.count_paid == 0
