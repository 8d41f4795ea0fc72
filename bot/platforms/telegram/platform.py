"""Telegram adapter: the python-telegram-bot Application, routing commands and buttons from
bot/commands/registry.py, and the notifier the outbox sends through. It only translates (who is staff,
who manages the chat, the arguments, how to reply); it never decides who may run a command.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from ... import commands as cmd
from ... import review
from ...alerts import Message, split_html
from ...commands.keyboards import Keyboard
from ...config import Config
from ...i18n import LANGS, t
from ...notify import DeliveryError, Gone, Rejected, Transient
from ...notify import RetryAfter as RetryLater
from ...store import Store, utcnow
from ...vault import Vault
from .limits import SendLimiter
from .transport import AiohttpRequest

log = logging.getLogger("releasewatch.telegram")

PLATFORM = "telegram"
# Telegram's rules live here: HTML parse mode, 4096-character messages, ~30 messages/s overall and
# 20/min per group (bot/platforms/telegram/limits.py), 1/s per private chat (spacing below), 429 → wait
# retry_after, 403 / chat not found → the subscriber is deactivated, group → supergroup migration.

# Telegram's free broadcast limit; above it every outbox message is a paid broadcast
# (allow_paid_broadcast: up to 1000/s, 0.1 Stars each from the bot's balance)
FREE_MESSAGES_PER_SECOND = 30.0
# what a refused paid broadcast says (Telegram does not document the text; these words cover
# "not enough Stars", "balance", "payment required")
_PAID_REFUSED = re.compile(r"star|balance|paid|payment")
MESSAGES = filters.UpdateType.MESSAGES | filters.UpdateType.CHANNEL_POSTS
R = TypeVar("R")


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramNotifier:
    """Sends outbox messages with the Application's bot (which carries the rate limiter)."""

    platform = PLATFORM

    def __init__(self, app: Application, store: Store, per_chat_interval: float = 1.05,
                 paid_broadcast: bool = False) -> None:
        self.app = app
        self.store = store
        self.per_chat_interval = per_chat_interval
        self.paid_broadcast = paid_broadcast
        self._last: OrderedDict[str, float] = OrderedDict()
        # a long message cut short (429, network) resumes at the part that failed on retry,
        # instead of sending its first parts again: (chat, hash of html) -> (parts sent, first id)
        self._progress: OrderedDict[tuple[str, int], tuple[int, str | None]] = OrderedDict()

    async def _space(self, chat_id: str) -> None:
        """At most one message per second to one chat (Telegram's per-chat limit)."""
        last = self._last.get(chat_id)
        now = time.monotonic()
        if last is not None and now - last < self.per_chat_interval:
            await asyncio.sleep(self.per_chat_interval - (now - last))
        self._last[chat_id] = now = time.monotonic()
        self._last.move_to_end(chat_id)
        # oldest first: a chat last served longer ago than the interval needs no entry. A broadcast
        # reaches a new chat with every message, so keeping them would grow with the subscribers
        # (and pin memory in between the short-lived objects of each send)
        while self._last:
            oldest, at = next(iter(self._last.items()))
            if now - at < self.per_chat_interval:
                break
            del self._last[oldest]

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        parts = split_html(message.html, 4000)
        key = (chat_id, hash(message.html))
        done, first = self._progress.pop(key, (0, None))
        for i, part in enumerate(parts):
            if i < done:
                continue
            await self._space(chat_id)
            reply = ReplyParameters(int(reply_to), allow_sending_without_reply=True) if reply_to and i == 0 else None
            last = i == len(parts) - 1
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                            for label, data in message.buttons]]) if message.buttons and last else None
            paid = self.paid_broadcast  # this request's: others in flight may be refused meanwhile
            try:
                sent = await self.app.bot.send_message(
                    chat_id=int(chat_id), text=part, parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True), reply_parameters=reply,
                    disable_notification=message.silent, reply_markup=markup,
                    allow_paid_broadcast=paid or None,
                )
            except TelegramError as exc:
                if self._resumable(exc, paid):
                    self._remember(key, i, first)
                raise self._delivery_error(exc, chat_id, paid) from exc
            if first is None:
                first = str(sent.message_id)
        return first

    def _resumable(self, exc: TelegramError, paid: bool) -> bool:
        """Will this message be sent again as it is (so the parts already sent must not be)?"""
        if isinstance(exc, ChatMigrated | Forbidden):
            return False
        if isinstance(exc, BadRequest):
            return paid and bool(_PAID_REFUSED.search(str(exc).lower()))
        return True  # RetryAfter, network trouble, anything else transient

    def _delivery_error(self, exc: TelegramError, chat_id: str, paid: bool) -> DeliveryError:
        """Telegram's refusal in bot.notify's words: wait, gone, rejected or transient."""
        if isinstance(exc, RetryAfter):
            return RetryLater(_seconds(exc.retry_after))
        if isinstance(exc, ChatMigrated):
            self.store.migrate_chat(PLATFORM, chat_id, exc.new_chat_id)
            return RetryLater(0.1)
        if isinstance(exc, Forbidden):
            return Gone(str(exc))
        if not isinstance(exc, BadRequest):
            return Transient(str(exc))
        text = str(exc).lower()
        if "chat not found" in text or "user is deactivated" in text or "kicked" in text:
            return Gone(str(exc))
        if paid and _PAID_REFUSED.search(text):
            if self.paid_broadcast:  # the first refusal switches and tells staff
                self._stop_paying(str(exc))
            return RetryLater(1.0)  # the same message, now as a free one
        return Rejected(str(exc))

    def _stop_paying(self, reason: str) -> None:
        """Telegram refused a paid broadcast (the bot's Stars ran out, most likely): go on at the
        free 30 messages/s rather than lose alerts, and tell staff once."""
        self.paid_broadcast = False
        limiter = getattr(self.app.bot, "rate_limiter", None)
        if isinstance(limiter, SendLimiter):
            limiter.set_rate(FREE_MESSAGES_PER_SECOND)
        log.warning("paid broadcasts refused; sending at the free rate", extra={"reason": reason[:200]})
        review.tell_staff(self.store, "telegram.paid_refused", {"reason": reason[:200]}, utcnow())

    def _remember(self, key: tuple[str, int], done: int, first: str | None) -> None:
        if done:
            self._progress[key] = (done, first)
            if len(self._progress) > 1000:
                self._progress.popitem(last=False)


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
            # PTB's default httpx transport (bot/platforms/telegram/transport.py)
            .request(self._requests[0]).get_updates_request(self._requests[1])
        )
        if tg.api_base_url:
            base = tg.api_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        self.app = builder.build()
        self.notifier = TelegramNotifier(self.app, store,
                                         paid_broadcast=tg.messages_per_second > FREE_MESSAGES_PER_SECOND)
        self.staff = set(tg.staff_user_ids)
        self.vault = Vault.from_env()
        self.commands = cmd.Dispatcher(cmd.Deps(store, self.vault, config.allow_private_feed_urls,
                                                config.request_timeout, self.wake))
        self._turns = _Turns()
        self._add_handlers()

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.app.initialize()
        await self._register_commands()
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

    async def _register_commands(self) -> None:
        for lang in LANGS:
            menu = [BotCommand(c.name, t(lang, c.help)) for c in cmd.COMMANDS if c.menu]
            try:
                await self.app.bot.set_my_commands(menu, scope=BotCommandScopeDefault(), language_code=lang)
                if lang == "es":
                    await self.app.bot.set_my_commands(menu, scope=BotCommandScopeDefault())
            except TelegramError as exc:  # cosmetic: the bot works without the menu
                log.warning("setMyCommands failed", extra={"reason": str(exc)})

    def _add_handlers(self) -> None:
        """PTB routes: one CommandHandler per declared command, one CallbackQueryHandler per button kind."""
        app = self.app
        for spec in cmd.COMMANDS:
            app.add_handler(CommandHandler(list(spec.names), self._on_command(spec), filters=MESSAGES))
        for kind in cmd.BUTTONS:
            app.add_handler(CallbackQueryHandler(self._on_button(kind), pattern=f"^{re.escape(kind.kind)}:"))
        app.add_handler(CallbackQueryHandler(self.on_unknown_button))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_error_handler(self.on_error)

    # -- translating updates ----------------------------------------------------------------------
    def _chat(self, update: Update) -> cmd.Chat:
        chat = update.effective_chat
        assert chat is not None
        user = update.effective_user
        lang = cmd.chat_lang(self.store, PLATFORM, chat.id, user.language_code if user else None)
        return cmd.Chat(PLATFORM, str(chat.id), lang)

    def _request(self, update: Update, args: str) -> cmd.Request:
        chat = self._chat(update)
        user = update.effective_user
        return cmd.Request(
            chat, user=str(user.id) if user else chat.chat_id, args=args,
            private=bool(update.effective_chat and update.effective_chat.type == ChatType.PRIVATE),
            staff=self._is_staff(update), who=self._who(update), prefix="/", buttons=True, files=True,
            manages=partial(self._may_manage, update),
        )

    @staticmethod
    def _args(update: Update) -> str:
        message = update.effective_message
        return (message.text or "").partition(" ")[2].strip() if message else ""

    def _is_staff(self, update: Update) -> bool:
        user = update.effective_user
        return bool(user and user.id in self.staff)

    @staticmethod
    def _who(update: Update) -> str:
        user = update.effective_user
        if user is None:
            return "?"
        return f"@{user.username}" if user.username else f"{user.first_name} ({user.id})"

    async def _may_manage(self, update: Update) -> bool:
        """In groups the administrators manage the chat; in private chats the person, in channels posting is proof."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or chat.type in (ChatType.PRIVATE, ChatType.CHANNEL):
            return True
        if user is None:
            return False
        try:
            member = await chat.get_member(user.id)
        except TelegramError:
            return False
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    # -- commands and buttons: bot/commands/registry.py says what each does --------------------------
    def _on_command(self, spec: cmd.Command) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
        async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            """A declared command: run it, then answer (a private argument's message is deleted first)."""
            answer = await self.commands.command(spec, self._request(update, self._args(update)))
            if answer.hide_request and update.effective_message:
                # the name should not stay in the chat history longer than needed, even if the reply fails
                try:
                    await update.effective_message.delete()
                except TelegramError:
                    pass
            await self._answer(update, answer)

        return on_command

    def _on_button(self, spec: cmd.Button) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
        async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            """A press on one kind of inline button ("kind:value")."""
            query = update.callback_query
            assert query is not None and query.data is not None  # the pattern matched its data
            answer = await self.commands.button(spec, self._request(update, query.data.partition(":")[2]))
            try:
                await query.answer()
            except TelegramError:
                pass
            await self._answer(update, answer)

        return on_button

    async def on_unknown_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button no kind claims (stale or forged): stop its spinner, say nothing."""
        if update.callback_query:
            try:
                await update.callback_query.answer()
            except TelegramError:
                pass

    async def _answer(self, update: Update, answer: cmd.Answer) -> None:
        chat = update.effective_chat
        assert chat is not None
        if not answer.replies:
            return
        async with self._turns.turn(chat.id):
            for reply in answer.replies:
                if not await self._send(chat.id, reply):
                    return  # flood control outlasted our patience: the rest would wait as long

    async def _send(self, chat_id: int, reply: cmd.Reply) -> bool:
        """One reply, waiting out a 429 (bounded); False if it was given up."""
        bot = self.app.bot
        if reply.file is not None:
            caption = reply.message.text
            send = (partial(bot.send_photo, chat_id, reply.file, caption=caption) if reply.image
                    else partial(bot.send_document, chat_id, reply.file, filename=reply.filename, caption=caption))
            return await cmd.patiently(partial(_flood_controlled, send)) is not None
        parts = split_html(reply.message.html, 4000)
        for i, part in enumerate(parts):
            send = partial(bot.send_message, chat_id, part, parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True),
                           reply_markup=_markup(reply.keyboard) if i == len(parts) - 1 else None)
            if await cmd.patiently(partial(_flood_controlled, send)) is None:
                return False
        return True

    # -- migrations, errors ----------------------------------------------------------------------------
    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: move its subscription to the new chat id."""
        message = update.effective_message
        if message and message.migrate_to_chat_id:
            self.store.migrate_chat(PLATFORM, message.chat.id, message.migrate_to_chat_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log without chat content; tell the user plainly that something failed."""
        log.warning("handler failed", extra={"reason": type(context.error).__name__}, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat:
            try:
                chat = self._chat(update)
                await self.app.bot.send_message(update.effective_chat.id, t(chat.lang, "error.generic"))
            except TelegramError:
                pass

    wake_hook = None

    def wake(self) -> None:
        if self.wake_hook:
            self.wake_hook()


class _Turns:
    """Replies to one chat go one at a time. Sent all at once, a burst of replies to one chat (a
    user sending /status twenty times) met Telegram's per-chat limit: every 429 spent a slot of
    the bot's overall 30 messages/s, and each reply waited and retried alongside the others, so a
    300-chat broadcast took 14 s instead of 10. One at a time, a reply that meets the limit waits it
    out before the next is tried: a flood costs a broadcast about one slot per reply."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat -> (its lock, replies waiting or sending)

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]  # only chats with replies under way are remembered
            else:
                self._locks[chat_id] = (lock, users - 1)


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in keyboard])


async def _flood_controlled(send: Callable[[], Awaitable[R]]) -> R:
    """Telegram's 429 in bot.notify's words, so cmd.patiently can wait it out."""
    try:
        return await send()
    except RetryAfter as exc:
        raise RetryLater(_seconds(exc.retry_after)) from exc
