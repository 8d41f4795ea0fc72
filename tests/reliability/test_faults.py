"""A broadcast through the real Deliverer and TelegramNotifier (python-telegram-bot Application
with its rate limiter) while the Bot API emulator misbehaves the way Telegram does:

- 429 + retry_after to a burst (its global limit is below the bot's sending rate, and its
  per-chat limit of one message per second applies to chats that get two messages),
- 403 "bot was blocked by the user" for 5 % of the chats,
- 500 Internal Server Error for some calls (`fail_ratio`),
- dropped connections (`drop_ratio`).

Promises checked: every chat that did not block the bot gets each of its messages exactly once
and in order; blocked chats are deactivated and never tried again; no send to a chat comes
before the retry_after the emulator gave it; the number of requests stays a small multiple of
the messages (no busy loop).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.config import Config, FeedConfig, TelegramConfig
from bot.feeds import ParsedItem
from bot.outbox import Deliverer
from bot.pipeline import Pipeline
from bot.platforms.telegram import TelegramPlatform
from bot.store import Store
from tests.reliability.support import RecordingEmulator, query, seed_subscribers
from tests.test_pipeline import ANNOUNCE

SUBSCRIBERS = 300
FIRST_CHAT = 70_000_001
BOT_RATE = 200  # what the bot allows itself (messages/s) ...
EMULATOR_RATE = 60  # ... is more than the emulator accepts, paid broadcasts too: the burst is answered 429
# a 500 or a drop is retried after 5 s, then 10 s, 20 s... (the outbox's backoff): ratios this low
# keep a chain of three failures on one message rare, so the test stays well under a minute
FAIL_RATIO = 0.02
DROP_RATIO = 0.02
# a request per message, plus its 429s, 500s and drops: with the rates above a message needs a
# few tries on average; a busy loop would need hundreds
MAX_REQUESTS_PER_MESSAGE = 5

# bot/platforms/telegram/ reads RetryAfter.retry_after, which PTB 22.2+ flags as changing type
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")


def _release_item() -> ParsedItem:
    return ParsedItem(
        guid=ANNOUNCE["guid"],
        link=ANNOUNCE["link"],
        title=ANNOUNCE["title"],
        summary=ANNOUNCE["description"],
        published=datetime(2025, 12, 31, 18, tzinfo=UTC),
        lang="es",
    )


async def _drain_until_settled(deliverer: Deliverer, store: Store, timeout: float) -> None:
    """Run the outbox worker until no row is pending or claimed."""
    stop = asyncio.Event()
    worker = asyncio.create_task(deliverer.run(stop))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            counts = store.outbox_counts()
            if not counts.get("pending") and not counts.get("claimed"):
                return
            assert loop.time() < deadline, f"outbox not drained after {timeout:g} s: {counts}"
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        deliverer.wake.set()
        await asyncio.wait_for(worker, timeout=30)


async def test_broadcast_survives_429_403_500_and_dropped_connections(tmp_path, figures):
    chats = list(range(FIRST_CHAT, FIRST_CHAT + SUBSCRIBERS))
    blocked = set(chats[::20])  # 5 %
    second_message = set(chats[1::10])  # these chats also get a text after the alert
    db = tmp_path / "rw.db"
    seed_subscribers(db, chats)

    emu = RecordingEmulator(global_rate=EMULATOR_RATE, paid_rate=EMULATOR_RATE, per_chat_rate=1.0, group_per_minute=None).start()
    store = Store(db)
    platform = None
    try:
        for chat in blocked:
            emu.block(chat)
        emu.fail_ratio = FAIL_RATIO
        emu.drop_ratio = DROP_RATIO

        config = Config(database=db, feeds=())
        config = replace(
            config,
            telegram=TelegramConfig(enabled=True, api_base_url=emu.url, messages_per_second=BOT_RATE),
        )
        # the alert goes through the real pipeline: matcher, event, one outbox row per subscriber
        store.sync_feeds([FeedConfig(name="Loopback", url="http://127.0.0.1/feed")])
        feed = store.feeds()[0]
        report = Pipeline(store, config, client=None).ingest([(feed, _release_item())])  # type: ignore[arg-type]
        assert report.alerts_queued == SUBSCRIBERS
        with store.transaction():
            for chat in sorted(second_message):
                sub = store.subscriber("telegram", chat)
                assert sub is not None
                store.enqueue(
                    sub.id,
                    "bc:test",
                    "text",
                    {"text": "Segundo mensaje", "html": "Segundo mensaje"},
                )

        platform = TelegramPlatform(config, store, token=emu.token)
        await platform.app.initialize()
        deliverer = Deliverer(store, {"telegram": platform.notifier})
        claims = 0
        real_claim = store.claim

        def counting_claim(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - observe, never alter
            nonlocal claims
            claims += 1
            return real_claim(*args, **kwargs)

        store.claim = counting_claim  # type: ignore[method-assign]
        await _drain_until_settled(deliverer, store, timeout=150)
    finally:
        if platform is not None:
            await platform.app.shutdown()
        store.close()
        emu.stop()

    expected = {c: (2 if c in second_message else 1) for c in chats if c not in blocked}
    messages = sum(expected.values())
    received: dict[int, list[str]] = {}
    for m in emu.sent:
        received.setdefault(m["chat_id"], []).append(m["text"])
    lost = sum(max(0, n - len(received.get(c, []))) for c, n in expected.items())
    duplicated = sum(max(0, len(received.get(c, [])) - n) for c, n in expected.items())
    requests = emu.count_requests["sendMessage"]
    errors = dict(emu.count_errors)
    drops = requests - len(emu.sent) - sum(errors.values())
    figures.add(
        f"faults: {SUBSCRIBERS} subscribers",
        f"429 x{errors.get(429, 0)}, 403 x{errors.get(403, 0)} ({len(blocked)} blocked), "
        f"500 x{errors.get(500, 0)}, dropped x{drops}",
        sent=len(emu.sent),
        expected=messages,
        lost=lost,
        duplicated=duplicated,
        note=f"{requests} requests, {claims} claim rounds",
    )

    # nothing lost, nothing twice, each chat's messages in order
    assert lost == 0
    assert duplicated == 0
    for chat in second_message - blocked:
        assert received[chat][1] == "Segundo mensaje", received[chat]
    assert query(
        db,
        "SELECT count(*) FROM outbox WHERE status != 'sent' AND subscriber_id IN "
        "(SELECT id FROM subscribers WHERE active = 1)",
    ) == [(0,)]

    # blocked chats: deactivated, nothing delivered, and never asked again after the 403
    inactive = {int(c) for (c,) in query(db, "SELECT chat_id FROM subscribers WHERE active = 0")}
    assert inactive == blocked
    assert not blocked & set(received)
    sends = emu.sends_by_chat()
    for chat, at in emu.refusals:
        assert all(t <= at for t in sends[chat]), f"chat {chat} was tried again after its 403"

    # every 429's retry_after was honoured: no send to that chat before the wait was over
    assert emu.throttles, "the burst was never rate-limited: the test did not test retry_after"
    early = [(th, t) for th in emu.throttles for t in sends[th.chat_id] if th.at < t < th.at + th.retry_after]
    assert not early, f"{len(early)} sends came before their retry_after, e.g. {early[:3]}"

    # no busy loop: requests are a small multiple of the messages, and so are claim rounds
    assert errors.get(500, 0) and drops, "the 500 and drop faults were not exercised"
    assert requests <= MAX_REQUESTS_PER_MESSAGE * (messages + len(blocked))
    assert claims <= MAX_REQUESTS_PER_MESSAGE * (messages + len(blocked))


async def test_worker_sleeps_while_a_chat_waits_out_its_retry_after(tmp_path):
    chat = 80_000_001
    db = tmp_path / "rw.db"
    (sub_id,) = seed_subscribers(db, [chat])
    emu = RecordingEmulator(global_rate=None, per_chat_rate=None, group_per_minute=None).start()
    store = Store(db)
    platform = None
    stop = asyncio.Event()
    try:
        config = Config(database=db)
        config = replace(config, telegram=TelegramConfig(enabled=True, api_base_url=emu.url))
        platform = TelegramPlatform(config, store, token=emu.token)
        await platform.app.initialize()
        deliverer = Deliverer(store, {"telegram": platform.notifier})
        # the first message meets a 429 that asks for a few seconds' wait
        wait = 4
        emu.set_chat_error(chat, 429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        store.enqueue(sub_id, "t:1", "text", {"text": "uno"})
        worker = asyncio.create_task(deliverer.run(stop))
        await emu.await_until(lambda: emu.count_429, timeout=10)
        emu.clear_fault(chat)
        # meanwhile a second message for the same chat is queued: it must wait behind the first
        claims = 0
        real_claim = store.claim

        def counting_claim(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            nonlocal claims
            claims += 1
            return real_claim(*args, **kwargs)

        store.claim = counting_claim  # type: ignore[method-assign]
        store.enqueue(sub_id, "t:2", "text", {"text": "dos"})
        deliverer.wake.set()
        await emu.await_until(lambda: len(emu.messages_for(chat)) == 2, timeout=wait + 10)
        assert [m["text"] for m in emu.messages_for(chat)] == ["uno", "dos"]
        # waking once for the new row and once when the wait is over is enough; every 50 ms is not
        assert claims <= 5, f"{claims} claim rounds while one chat waited {wait} s"
    finally:
        stop.set()
        if platform is not None:
            deliverer.wake.set()
            await asyncio.wait_for(worker, timeout=30)
            await platform.app.shutdown()
        store.close()
        emu.stop()


async def test_long_message_cut_short_by_a_429_resumes_without_repeating_parts(tmp_path, figures):
    chat = 80_000_002
    db = tmp_path / "rw.db"
    (sub_id,) = seed_subscribers(db, [chat])
    emu = RecordingEmulator(global_rate=None, per_chat_rate=None, group_per_minute=None).start()
    store = Store(db)
    platform = None
    try:
        config = Config(database=db)
        config = replace(config, telegram=TelegramConfig(enabled=True, api_base_url=emu.url))
        platform = TelegramPlatform(config, store, token=emu.token)
        await platform.app.initialize()
        # a staff broadcast long enough to go out in three parts; the second part meets a 429
        lines = [f"Línea {i}: " + "x" * 90 for i in range(100)]
        store.enqueue(sub_id, "bc:long", "text", {"text": "\n".join(lines), "html": "\n".join(lines)})
        emu.throttle_nth_send(chat, 2, retry_after=1)
        await _drain_until_settled(Deliverer(store, {"telegram": platform.notifier}), store, 60)
    finally:
        if platform is not None:
            await platform.app.shutdown()
        store.close()
        emu.stop()

    parts = [m["text"] for m in emu.messages_for(chat)]
    distinct = {p.splitlines()[0] for p in parts}
    figures.add(
        "long message, 429 on part 2 of 3",
        "one planned 429",
        sent=len(parts),
        expected=3,
        lost=3 - len(distinct),
        duplicated=len(parts) - len(distinct),
    )
    assert emu.throttles, "the planned 429 was not answered"
    assert len(parts) == 3 and len(distinct) == 3, [p.splitlines()[0] for p in parts]
    assert "\n".join(parts) == "\n".join(lines)
