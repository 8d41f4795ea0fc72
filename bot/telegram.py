"""Telegram adapter: the python-telegram-bot Application (commands, buttons) and the notifier the
outbox sends through. Handlers are thin: they parse the update and call bot.commands.

Telegram's rules live here: HTML parse mode, 4096-character messages, ~30 messages/s overall
and 20/min per group (bot/telegram_limits.py), 1/s per private chat (spacing below), 429 → wait
retry_after, 403 / chat not found → the subscriber is deactivated, group → supergroup migration.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from datetime import timedelta

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
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from . import commands as cmd
from . import review
from .alerts import Message, split_html
from .config import Config
from .i18n import LANGS, t
from .notify import Gone, Rejected, Transient
from .notify import RetryAfter as RetryLater
from .store import Store, utcnow
from .telegram_http import AiohttpRequest
from .telegram_limits import SendLimiter
from .vault import Vault

log = logging.getLogger("releasewatch.telegram")

PLATFORM = "telegram"
# Telegram's free broadcast limit; above it every outbox message is a paid broadcast
# (allow_paid_broadcast: up to 1000/s, 0.1 Stars each from the bot's balance)
FREE_MESSAGES_PER_SECOND = 30.0
# what a refused paid broadcast says (Telegram does not document the text; these words cover
# "not enough Stars", "balance", "payment required")
_PAID_REFUSED = re.compile(r"star|balance|paid|payment")
MESSAGES = filters.UpdateType.MESSAGES | filters.UpdateType.CHANNEL_POSTS
PUBLIC_COMMANDS = ("start", "help", "language", "subscribe", "unsubscribe", "status", "latest", "sources",
                   "watch", "watches", "unwatch", "notes", "forget")
STAFF_COMMANDS = ("feeds", "stats", "broadcast", "queue", "approve", "reject", "edit", "record", "event", "chart",
                  "export", "addfeed", "removefeed")


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
            except RetryAfter as exc:
                self._remember(key, i, first)
                raise RetryLater(_seconds(exc.retry_after)) from exc
            except ChatMigrated as exc:
                self.store.migrate_chat(PLATFORM, chat_id, exc.new_chat_id)
                raise RetryLater(0.1) from exc
            except Forbidden as exc:
                raise Gone(str(exc)) from exc
            except BadRequest as exc:
                text = str(exc).lower()
                if "chat not found" in text or "user is deactivated" in text or "kicked" in text:
                    raise Gone(str(exc)) from exc
                if paid and _PAID_REFUSED.search(text):
                    if self.paid_broadcast:  # the first refusal switches and tells staff
                        self._stop_paying(str(exc))
                    self._remember(key, i, first)
                    raise RetryLater(1.0) from exc  # the same message, now as a free one
                raise Rejected(str(exc)) from exc
            except (NetworkError, TelegramError) as exc:
                self._remember(key, i, first)
                raise Transient(str(exc)) from exc
            if first is None:
                first = str(sent.message_id)
        return first

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
            # PTB's default httpx transport (bot/telegram_http.py)
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
            cmds = [BotCommand(c, t(lang, f"cmd.{c}")) for c in PUBLIC_COMMANDS]
            try:
                await self.app.bot.set_my_commands(cmds, scope=BotCommandScopeDefault(), language_code=lang)
                if lang == "es":
                    await self.app.bot.set_my_commands(cmds, scope=BotCommandScopeDefault())
            except TelegramError as exc:  # cosmetic: the bot works without the menu
                log.warning("setMyCommands failed", extra={"reason": str(exc)})

    def _add_handlers(self) -> None:
        app = self.app
        handlers = {
            "start": self.on_start, "language": self.on_language, "help": self.on_help,
            "subscribe": self.on_subscribe, "unsubscribe": self.on_unsubscribe, "status": self.on_status,
            "latest": self.on_latest, "sources": self.on_sources, "forget": self.on_forget,
            "feeds": self.on_feeds, "stats": self.on_stats, "broadcast": self.on_broadcast,
            "watch": self.on_watch, "watches": self.on_watches, "unwatch": self.on_unwatch, "notes": self.on_notes,
            "queue": self.on_queue, "approve": self.on_approve, "reject": self.on_reject, "edit": self.on_edit,
            "record": self.on_record, "event": self.on_event, "chart": self.on_chart, "export": self.on_export,
            "addfeed": self.on_addfeed, "removefeed": self.on_removefeed,
        }
        for name, fn in handlers.items():
            app.add_handler(CommandHandler(name, fn, filters=MESSAGES))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_error_handler(self.on_error)

    # -- helpers ---------------------------------------------------------------------------------
    def _chat(self, update: Update) -> cmd.Chat:
        chat = update.effective_chat
        assert chat is not None
        user = update.effective_user
        lang = cmd.chat_lang(self.store, PLATFORM, chat.id, user.language_code if user else None)
        return cmd.Chat(PLATFORM, str(chat.id), lang)

    async def _reply(self, update: Update, msg: Message, markup: InlineKeyboardMarkup | None = None) -> None:
        chat = update.effective_chat
        assert chat is not None
        parts = split_html(msg.html, 4000)
        for i, part in enumerate(parts):
            await self.app.bot.send_message(
                chat.id, part, parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=markup if i == len(parts) - 1 else None,
            )

    def _is_staff(self, update: Update) -> bool:
        user = update.effective_user
        return bool(user and user.id in self.staff)

    async def _may_manage(self, update: Update) -> bool:
        """In groups only administrators change the subscription; in channels posting is proof."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or chat.type in (ChatType.PRIVATE, ChatType.CHANNEL):
            return True
        if user is None:
            return False
        if user.id in self.staff:
            return True
        try:
            member = await chat.get_member(user.id)
        except TelegramError:
            return False
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    async def _refuse_staff(self, update: Update, chat: cmd.Chat) -> None:
        await self._reply(update, cmd.plain(t(chat.lang, "staff.refused")))

    # -- public commands ---------------------------------------------------------------------------
    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome and language choice."""
        chat = self._chat(update)
        await self._reply(update, cmd.welcome(chat.lang), _language_buttons())

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Change the chat's language."""
        chat = self._chat(update)
        await self._reply(update, cmd.plain(t(chat.lang, "lang.choose")), _language_buttons())

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What the bot does and its commands."""
        chat = self._chat(update)
        await self._reply(update, cmd.help_text(chat.lang, "/", self._is_staff(update)))

    async def on_subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer the subscription choices as buttons."""
        chat = self._chat(update)
        if not await self._may_manage(update):
            await self._reply(update, cmd.plain(t(chat.lang, "group.admins_only")))
            return
        await self._reply(update, cmd.plain(t(chat.lang, "subscribe.choose")), _filter_buttons(chat.lang))

    async def on_unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop alerts for this chat."""
        chat = self._chat(update)
        if not await self._may_manage(update):
            await self._reply(update, cmd.plain(t(chat.lang, "group.admins_only")))
            return
        await self._reply(update, cmd.unsubscribe(self.store, chat))

    async def on_status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The ledger: announced vs confirmed, by source, and the latest tallies."""
        chat = self._chat(update)
        await self._reply(update, cmd.status(self.store, chat.lang, staff=self._is_staff(update)))

    async def on_latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The last few alerts again."""
        chat = self._chat(update)
        for msg in cmd.latest(self.store, chat.lang):
            await self._reply(update, msg)

    async def on_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The outlets watched and whether each is healthy."""
        chat = self._chat(update)
        await self._reply(update, cmd.sources(self.store, chat.lang))

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Erase everything about this chat, after a confirmation button."""
        chat = self._chat(update)
        if not await self._may_manage(update):
            await self._reply(update, cmd.plain(t(chat.lang, "group.admins_only")))
            return
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(t(chat.lang, "forget.yes"), callback_data="forget:yes"),
            InlineKeyboardButton(t(chat.lang, "forget.no"), callback_data="forget:no"),
        ]])
        await self._reply(update, cmd.plain(t(chat.lang, "forget.confirm")), buttons)

    # -- families: names and prison notes ---------------------------------------------------------
    @staticmethod
    def _args(update: Update) -> str:
        message = update.effective_message
        return (message.text or "").partition(" ")[2].strip() if message else ""

    async def on_watch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Follow a name, privately."""
        chat = self._chat(update)
        private = bool(update.effective_chat and update.effective_chat.type == ChatType.PRIVATE)
        name = self._args(update)
        if not name and private:
            await self._reply(update, cmd.usage(chat.lang, "watch"))
            return
        await self._reply(update, cmd.watch_add(self.store, self.vault, chat, name, private))
        if private and name and update.effective_message:
            # the name should not stay in the chat history longer than needed
            try:
                await update.effective_message.delete()
            except TelegramError:
                pass

    async def on_watches(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The names this chat follows."""
        chat = self._chat(update)
        if update.effective_chat and update.effective_chat.type != ChatType.PRIVATE:
            await self._reply(update, cmd.plain(t(chat.lang, "watch.private_only")))
            return
        await self._reply(update, cmd.watch_list(self.store, self.vault, chat))

    async def on_unwatch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop following one name."""
        chat = self._chat(update)
        await self._reply(update, cmd.watch_remove(self.store, chat, self._args(update)))

    async def on_notes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Turn quiet prison notes on or off."""
        chat = self._chat(update)
        if not await self._may_manage(update):
            await self._reply(update, cmd.plain(t(chat.lang, "group.admins_only")))
            return
        await self._reply(update, cmd.notes(self.store, chat, self._args(update).lower()))

    # -- staff commands ----------------------------------------------------------------------------
    async def on_feeds(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: health of every feed."""
        chat = self._chat(update)
        if not self._is_staff(update):
            return await self._refuse_staff(update, chat)
        await self._reply(update, cmd.feeds_report(self.store, chat.lang))

    async def on_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: subscribers and deliveries."""
        chat = self._chat(update)
        if not self._is_staff(update):
            return await self._refuse_staff(update, chat)
        await self._reply(update, cmd.stats(self.store, chat.lang))

    async def on_broadcast(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: send a text to every subscriber, through the outbox."""
        chat = self._chat(update)
        if not self._is_staff(update):
            return await self._refuse_staff(update, chat)
        message = update.effective_message
        text = (message.text or "").partition(" ")[2].strip() if message else ""
        if not text:
            await self._reply(update, cmd.usage(chat.lang, "broadcast"))
            return
        n = cmd.broadcast(self.store, text)
        await self._reply(update, cmd.plain(t(chat.lang, "broadcast.queued", count=n)))
        self.wake()

    @staticmethod
    def _who(update: Update) -> str:
        user = update.effective_user
        if user is None:
            return "?"
        return f"@{user.username}" if user.username else f"{user.first_name} ({user.id})"

    async def _staff_only(self, update: Update) -> cmd.Chat | None:
        chat = self._chat(update)
        if not self._is_staff(update):
            await self._refuse_staff(update, chat)
            return None
        return chat

    async def on_queue(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: held alerts waiting for a decision."""
        if chat := await self._staff_only(update):
            await self._reply(update, cmd.queue(self.store, chat.lang))

    async def on_approve(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: release a held alert to families."""
        if chat := await self._staff_only(update):
            await self._reply(update, cmd.approve_or_reject(self.store, self._args(update), True, self._who(update), chat.lang))
            self.wake()

    async def on_reject(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: stop a held alert, with a reason."""
        if chat := await self._staff_only(update):
            await self._reply(update, cmd.approve_or_reject(self.store, self._args(update), False, self._who(update), chat.lang))
            self.wake()

    async def on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: correct an event's numbers (a new revision, attributed to them)."""
        if chat := await self._staff_only(update):
            await self._reply(update, cmd.edit_numbers(self.store, self._args(update), self._who(update), chat.lang))
            self.wake()

    async def on_record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: add a figure that arrived outside RSS, marked manual."""
        if chat := await self._staff_only(update):
            await self._reply(update, cmd.record_figure(self.store, self._args(update), self._who(update), chat.lang))
            self.wake()

    async def on_event(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: one event's history, every source and revision."""
        if chat := await self._staff_only(update):
            await self._reply(update, cmd.event_history(self.store, self._args(update), chat.lang))

    async def on_chart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: a PNG chart of prisoners held over time and releases per event."""
        from .charts import chart_png

        if chat := await self._staff_only(update):
            data = await asyncio.to_thread(chart_png, self.store, chat.lang)
            await self.app.bot.send_photo(int(chat.chat_id), data, caption=t(chat.lang, "chart.caption"))

    async def on_export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: events, sources and tallies as a CSV (or JSON) document."""
        from . import export

        if chat := await self._staff_only(update):
            fmt = (self._args(update) or "csv").lower()
            if fmt not in ("csv", "json"):
                await self._reply(update, cmd.usage(chat.lang, "export"))
                return
            body = export.to_csv(self.store) if fmt == "csv" else export.to_json(self.store)
            await self.app.bot.send_document(int(chat.chat_id), body.encode("utf-8"),
                                             filename=f"releasewatch.{fmt}", caption=t(chat.lang, "export.caption"))

    async def on_addfeed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: add a feed (checked before it is kept)."""
        if chat := await self._staff_only(update):
            await self._reply(update, await cmd.add_feed(self.store, self.config.allow_private_feed_urls,
                                                         self.config.request_timeout, self._args(update), chat.lang))

    async def on_removefeed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff: stop polling a feed."""
        if chat := await self._staff_only(update):
            await self._reply(update, cmd.remove_feed(self.store, self._args(update), chat.lang))

    # -- buttons, migrations, errors ----------------------------------------------------------------
    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline button presses: language, subscription filter, prison, forget."""
        query = update.callback_query
        if query is None or not query.data:
            return
        chat = self._chat(update)
        kind, _, value = query.data.partition(":")
        reply: Message | None = None
        markup = None
        if kind == "lang" and value in LANGS:
            reply = cmd.set_language(self.store, chat, value)
            chat = cmd.Chat(chat.platform, chat.chat_id, value)
            reply = reply + cmd.help_text(value)
        elif kind in ("sub", "forget") and not await self._may_manage(update):
            reply = cmd.plain(t(chat.lang, "group.admins_only"))
        elif kind == "sub" and value in cmd.FILTERS:
            reply = cmd.subscribe(self.store, chat, value)
            self.wake()
        elif kind == "sub" and value == "prison":
            reply, markup = cmd.plain(t(chat.lang, "subscribe.choose_prison")), _prison_buttons()
        elif kind == "prison" and value.isdigit() and int(value) < len(cmd.prisons()):
            name = cmd.prisons()[int(value)]
            reply = cmd.plain(t(chat.lang, "subscribe.choose_filter_for_prison", prison=name))
            markup = _filter_buttons(chat.lang, prison=int(value))
        elif kind == "pf" and not await self._may_manage(update):
            reply = cmd.plain(t(chat.lang, "group.admins_only"))
        elif kind == "pf":
            index, _, filt = value.partition(":")
            if index.isdigit() and int(index) < len(cmd.prisons()) and filt in cmd.FILTERS:
                reply = cmd.subscribe(self.store, chat, filt, cmd.prisons()[int(index)])
                self.wake()
        elif kind == "forget":
            reply = cmd.forget(self.store, chat) if value == "yes" else cmd.plain(t(chat.lang, "forget.kept"))
        elif kind == "rv":
            reply = self._review_button(update, chat, value)
        try:
            await query.answer()
        except TelegramError:
            pass
        if reply is not None:
            await self._reply(update, reply, markup)

    def _review_button(self, update: Update, chat: cmd.Chat, value: str) -> Message:
        """Approve / Reject / Edit on a held alert posted to the staff chat."""
        if not self._is_staff(update):
            return cmd.plain(t(chat.lang, "staff.refused"))
        action, _, rest = value.partition(":")
        event, _, revision = rest.partition(":")
        if not (event.isdigit() and revision.isdigit()) or action not in ("a", "r", "e"):
            return cmd.plain(t(chat.lang, "review.missing"))
        if action == "e":
            ev = self.store.event(int(event))
            return cmd.plain(t(chat.lang, "review.edit_hint", event=event, announced=ev.announced if ev else 0,
                               confirmed=ev.confirmed if ev else 0))
        outcome = review.decide(self.store, int(event), int(revision), action == "a", self._who(update), None,
                                utcnow())
        self.wake()
        return cmd.decision_reply(outcome, chat.lang)

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


def _language_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("🇻🇪 Español", callback_data="lang:es"),
        InlineKeyboardButton("🇬🇧 English", callback_data="lang:en"),
    ]])


def _filter_buttons(lang: str, prison: int | None = None) -> InlineKeyboardMarkup:
    if prison is not None:
        return InlineKeyboardMarkup([
            [InlineKeyboardButton(t(lang, "subscribe.filter.all"), callback_data=f"pf:{prison}:all")],
            [InlineKeyboardButton(t(lang, "subscribe.filter.confirmations"),
                                  callback_data=f"pf:{prison}:confirmations")],
        ])
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t(lang, "subscribe.filter.all"), callback_data="sub:all")],
        [InlineKeyboardButton(t(lang, "subscribe.filter.confirmations"), callback_data="sub:confirmations")],
        [InlineKeyboardButton(t(lang, "subscribe.filter.prison"), callback_data="sub:prison")],
    ])


def _prison_buttons() -> InlineKeyboardMarkup:
    names = cmd.prisons()
    rows = [
        [InlineKeyboardButton(n, callback_data=f"prison:{i}") for i, n in enumerate(names[j:j + 2], start=j)]
        for j in range(0, min(len(names), 24), 2)
    ]
    return InlineKeyboardMarkup(rows)
