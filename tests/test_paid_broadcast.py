"""Above Telegram's free 30 messages/s the outbox sends paid broadcasts: the real platform and
outbox against the emulator, whose free limit stays at 30/s while paid sends may go faster."""

from __future__ import annotations

import pytest

from bot.config import Config, TelegramConfig
from bot.outbox import Deliverer
from bot.store import Store
from bot.telegram import TelegramPlatform
from tests.tg_emulator import BotApiEmulator

CHATS = 150


async def _broadcast(tmp_path, rate: float) -> BotApiEmulator:
    emu = BotApiEmulator(global_rate=30, paid_rate=1000, max_sent=CHATS + 10).start()
    store = Store(tmp_path / f"rw{int(rate)}.db")
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
async def test_above_thirty_per_second_every_alert_is_a_paid_broadcast(tmp_path):
    emu = await _broadcast(tmp_path, 300)
    assert emu.count_paid == CHATS and emu.sent_count == CHATS
    assert emu.count_429 == 0


@pytest.mark.timeout(120)
async def test_at_the_free_rate_nothing_is_paid(tmp_path):
    emu = await _broadcast(tmp_path, 30)
    assert emu.count_paid == 0 and emu.sent_count == CHATS
    assert emu.count_429 == 0
