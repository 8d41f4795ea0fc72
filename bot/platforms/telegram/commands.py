"""Telegram's commands and buttons: python-telegram-bot handlers for every command and button of
bot/commands/registry.py, each update translated into a bot.commands Request (who is staff, who
manages the chat, the arguments) and its answer sent back (split, one reply at a time per chat,
a 429 waited out). It only translates; it never decides who may run a command.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from functools import partial
from typing import Any

from telegram import BotCommand, BotCommandScopeDefault, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from ... import commands as cmd
from ...alerts import split_html
from ...commands.keyboards import Keyboard
from ...i18n import LANGS, t
from ...store import Store
from .notifier import PLATFORM, flood_controlled

log = logging.getLogger("releasewatch.telegram")

MESSAGES = filters.UpdateType.MESSAGES | filters.UpdateType.CHANNEL_POSTS


class TelegramCommands:
    """Routes the Application's updates to the one registry of commands and buttons."""

    def __init__(self, app: Application, store: Store, dispatcher: cmd.Dispatcher, staff: set[int]) -> None:
        self.app = app
        self.store = store
        self.dispatcher = dispatcher
        self.staff = staff
        self._turns = _Turns()

    def add_handlers(self) -> None:
        """PTB routes: one CommandHandler per declared command, one CallbackQueryHandler per button kind."""
        app = self.app
        for spec in cmd.COMMANDS:
            app.add_handler(CommandHandler(list(spec.names), self._on_command(spec), filters=MESSAGES))
        for kind in cmd.BUTTONS:
            app.add_handler(CallbackQueryHandler(self._on_button(kind), pattern=f"^{re.escape(kind.kind)}:"))
        app.add_handler(CallbackQueryHandler(self.on_unknown_button))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_error_handler(self.on_error)

    async def register_menu(self) -> None:
        """The command menu in each language (Spanish also as the default)."""
        for lang in LANGS:
            menu = [BotCommand(c.name, t(lang, c.help)) for c in cmd.COMMANDS if c.menu]
            try:
                await self.app.bot.set_my_commands(menu, scope=BotCommandScopeDefault(), language_code=lang)
                if lang == "es":
                    await self.app.bot.set_my_commands(menu, scope=BotCommandScopeDefault())
            except TelegramError as exc:  # cosmetic: the bot works without the menu
                log.warning("setMyCommands failed", extra={"reason": str(exc)})

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
            answer = await self.dispatcher.command(spec, self._request(update, self._args(update)))
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
            answer = await self.dispatcher.button(spec, self._request(update, query.data.partition(":")[2]))
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
            return await cmd.patiently(partial(flood_controlled, send)) is not None
        parts = split_html(reply.message.html, 4000)
        for i, part in enumerate(parts):
            send = partial(bot.send_message, chat_id, part, parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True),
                           reply_markup=_markup(reply.keyboard) if i == len(parts) - 1 else None)
            if await cmd.patiently(partial(flood_controlled, send)) is None:
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
