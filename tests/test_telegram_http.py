"""The Bot API transport (bot/platforms/telegram/transport.py) under the real python-telegram-bot Bot: answers
come back as PTB reads them, and a server that hangs or drops the connection becomes the errors
the outbox retries, within the request's deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.alerts import Message
from bot.notify import RetryAfter as RetryLater
from bot.notify import Transient
from bot.platforms.telegram.notifier import TelegramNotifier, _seconds
from bot.platforms.telegram.transport import AiohttpRequest
from loopback.tg_emulator import BotApiEmulator


@pytest.fixture
async def misbehaving() -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback 'Bot API' whose sendMessage hangs (chat 1), drops the connection (chat 2) or
    answers 429 (chat 3); it records the form fields it was sent."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        seen.append(str(form.get("text")))
        chat = str(form.get("chat_id"))
        if chat == "1":
            await asyncio.sleep(30)
        if chat == "2":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
                                  "parameters": {"retry_after": 7}}, status=429)

    async def get_me(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": {"id": 123, "is_bot": True, "first_name": "RW",
                                                         "username": "rw_bot"}})

    app = web.Application()
    app.router.add_post("/bot{token}/sendMessage", handle)
    app.router.add_post("/bot{token}/getMe", get_me)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/bot", seen
    await runner.cleanup()


def _bot(base_url: str, token: str = "123:abc", read_timeout: float = 0.5) -> Bot:
    return Bot(token, base_url=base_url, request=AiohttpRequest(connect_timeout=1, read_timeout=read_timeout,
                                                                write_timeout=1, pool_timeout=1))


async def test_a_bot_api_that_never_answers_times_out(misbehaving):
    url, seen = misbehaving
    async with _bot(url) as bot:
        with pytest.raises(TimedOut):
            await asyncio.wait_for(bot.send_message(1, "hola"), timeout=20)
    assert seen == ["hola"]


async def test_a_dropped_connection_is_a_network_error_and_a_429_keeps_its_wait(misbehaving):
    url, _seen = misbehaving
    async with _bot(url) as bot:
        with pytest.raises(NetworkError) as dropped:
            await bot.send_message(2, "hola")
        assert "aiohttp" in str(dropped.value) and not isinstance(dropped.value, TimedOut)
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(3, "hola")
        assert _seconds(limited.value.retry_after) == 7


async def test_the_outbox_notifier_sees_transient_and_retry_after(misbehaving, store):
    """What the outbox decides on: a hang or a drop is retried later, a 429 waits its time."""
    url, _seen = misbehaving

    class App:  # the notifier only needs the Application's bot
        def __init__(self, bot: Bot) -> None:
            self.bot = bot

    async with _bot(url) as bot:
        notifier = TelegramNotifier(App(bot), store, per_chat_interval=0)  # type: ignore[arg-type]
        for chat in ("1", "2"):
            with pytest.raises(Transient):
                await notifier.send(chat, Message("hola", "hola"))
        with pytest.raises(RetryLater) as wait:
            await notifier.send("3", Message("hola", "hola"))
        assert wait.value.seconds == 7


async def test_messages_and_uploads_reach_the_emulator_over_one_kept_alive_pool():
    emu = BotApiEmulator().start()
    try:
        async with Bot(emu.token, base_url=emu.base_url, request=AiohttpRequest()) as bot:
            chat = 700_000_001
            first = await bot.send_message(chat, "<b>33</b> confirmadas &amp; verificadas", parse_mode="HTML")
            photo = await bot.send_photo(chat, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, caption="gráfico")
            with pytest.raises(BadRequest):  # the emulator checks HTML as Telegram does
                await bot.send_message(chat, "<b>sin cerrar", parse_mode="HTML")
        texts = [m.get("text") or m.get("caption") for m in emu.messages_for(chat)]
        assert texts == ["33 confirmadas & verificadas", "gráfico"]
        assert first.message_id != photo.message_id
        assert emu.count_requests["sendPhoto"] == 1
    finally:
        emu.stop()


async def test_a_proxy_from_the_environment_carries_bot_api_requests(monkeypatch):
    """HTTP_PROXY is honoured (read once per URL, not per request): the loopback server doubles as
    a forward proxy and sees the Bot API's absolute URL; a host NO_PROXY names is dialled directly."""
    seen: list[str] = []

    async def get_me(request: web.Request) -> web.Response:
        seen.append(request.host)
        return web.json_response({"ok": True, "result": {"id": 123, "is_bot": True, "first_name": "RW",
                                                         "username": "rw_bot"}})

    app = web.Application()
    app.router.add_post("/bot{token}/getMe", get_me)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    try:
        # api.telegram.invalid resolves nowhere: only the proxy can answer for it
        async with _bot("http://api.telegram.invalid/bot") as bot:  # getMe on entering, then twice
            await bot.get_me()
            await bot.get_me()
        async with _bot(f"http://127.0.0.1:{port}/bot"):  # NO_PROXY: straight to the server
            pass
    finally:
        await runner.cleanup()
    assert seen == ["api.telegram.invalid"] * 3 + [f"127.0.0.1:{port}"]
