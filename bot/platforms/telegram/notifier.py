"""Telegram's outbox notifier: sends alerts as HTML messages with the Application's bot (split at
4,000 characters, one message a second per chat, paid broadcasts above the free rate) and says
Telegram's refusals in bot.notify's words (wait, gone, rejected, transient). Never reads updates.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from ... import review
from ...alerts import Message, split_html
from ...notify import DeliveryError, Gone, Rejected, Transient
from ...notify import RetryAfter as RetryLater
from ...store import Store, utcnow
from .limits import SendLimiter

log = logging.getLogger("releasewatch.telegram")

PLATFORM = "telegram"
# Telegram's rules live here: HTML parse mode, 4096-character messages, ~30 messages/s overall and
# 20/min per group (limits.py), 1/s per private chat (spacing below), 429 → wait
# retry_after, 403 / chat not found → the subscriber is deactivated, group → supergroup migration.

# Telegram's free broadcast limit; above it every outbox message is a paid broadcast
# (allow_paid_broadcast: up to 1000/s, 0.1 Stars each from the bot's balance)
FREE_MESSAGES_PER_SECOND = 30.0
# what a refused paid broadcast says (Telegram does not document the text; these words cover
# "not enough Stars", "balance", "payment required")
_PAID_REFUSED = re.compile(r"star|balance|paid|payment")
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


async def flood_controlled(send: Callable[[], Awaitable[R]]) -> R:
    """Telegram's 429 to a command's reply in bot.notify's words, so cmd.patiently can wait it out."""
    try:
        return await send()
    except RetryAfter as exc:
        raise RetryLater(_seconds(exc.retry_after)) from exc
