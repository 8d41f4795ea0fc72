"""Telegram adapter: the python-telegram-bot Application (over the aiohttp transport of transport.py,
held to Telegram's limits by limits.py), started and stopped with the service; the notifier the
outbox sends through (notifier.py) and the command handlers (commands.py) share it.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.ext import Application

from ... import commands as cmd
from ... import vault
from ...config import Config
from ...store import Store
from .commands import TelegramCommands
from .limits import SendLimiter
from .notifier import FREE_MESSAGES_PER_SECOND, TelegramNotifier
from .transport import AiohttpRequest


class TelegramPlatform:
    """The Telegram bot: command handling plus the notifier, sharing one Application."""

    def __init__(self, config: Config, store: Store, token: str | None = None) -> None:
        self.config = config
        self.store = store
        tg = config.telegram
        token = token or tg.token
        if not token:
            raise ValueError("no Telegram token")
        self._requests = (AiohttpRequest(connect_timeout=10, read_timeout=20, write_timeout=20, pool_timeout=10),
                          AiohttpRequest(pool_size=2, connect_timeout=10, read_timeout=40))
        builder = (
            Application.builder()
            .token(token)
            .rate_limiter(SendLimiter(tg.messages_per_second, tg.group_messages_per_minute))
            .concurrent_updates(True)
            # keep-alive over aiohttp: a broadcast message costs a third of the CPU it took with
            # PTB's default httpx transport (transport.py)
            .request(self._requests[0]).get_updates_request(self._requests[1])
        )
        if tg.api_base_url:
            base = tg.api_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        self.app = builder.build()
        self.wake_hook: Callable[[], object] | None = None  # the service's: wakes the outbox
        self.notifier = TelegramNotifier(self.app, store,
                                         paid_broadcast=tg.messages_per_second > FREE_MESSAGES_PER_SECOND)
        self.staff = set(tg.staff_user_ids)
        self.vault = vault.current()
        dispatcher = cmd.Dispatcher(cmd.Deps(store, self.vault, config.allow_private_feed_urls,
                                             config.request_timeout, self.wake))
        self.commands = TelegramCommands(self.app, store, dispatcher, self.staff)
        self.commands.add_handlers()

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.app.initialize()
        await self.commands.register_menu()
        await self.app.start()
        tg = self.config.telegram
        if tg.mode == "webhook" and tg.webhook_url:
            await self.app.updater.start_webhook(  # type: ignore[union-attr]
                listen=tg.webhook_listen, port=tg.webhook_port, webhook_url=tg.webhook_url,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await self.app.updater.start_polling(  # type: ignore[union-attr]
                poll_interval=0.0, timeout=30, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False,
            )

    async def stop(self) -> None:
        if self.app.updater and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        # an initialize() that failed half-way (getMe refused) leaves PTB thinking it has nothing
        # to shut down: close the HTTP sessions ourselves (closing twice is harmless)
        for request in self._requests:
            await request.shutdown()

    @property
    def connected(self) -> bool:
        """The Application runs and its updater (polling or webhook), if any, too."""
        app = self.app
        return bool(app.running and (app.updater is None or app.updater.running))

    def wake(self) -> None:
        if self.wake_hook:
            self.wake_hook()
