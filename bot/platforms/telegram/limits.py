"""How fast the bot may send: python-telegram-bot's rate-limiter hook, holding every request to a
chat to the configured overall rate and every request to a group to its per-minute limit.

PTB's own AIORateLimiter lets paid broadcasts (allow_paid_broadcast) bypass both and allows
1000 at once: an operator who configured 300/s would pay for 1000/s, and a group could get more
than Telegram's 20 messages a minute. Paid or not, here the configured rate is the rate. No
retries: a 429 goes back to the outbox, which waits the retry_after (bot/outbox.py).
Never imports bot modules.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import BaseRateLimiter

MAX_GROUP_LIMITERS = 512  # idle ones beyond this are dropped (a full bucket remembers nothing)


class SendLimiter(BaseRateLimiter[int]):
    """Overall messages/s (counted in tenths of a second: a small opening burst, so a broadcast
    does not start with 429s) and messages/min per group, supergroup or channel."""

    def __init__(self, per_second: float, group_per_minute: float) -> None:
        self.set_rate(per_second)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}

    def set_rate(self, per_second: float) -> None:
        """The overall rate from now on (requests already waiting keep the old one)."""
        # a bucket must hold at least one message: below 10/s, one per 1/rate seconds
        burst = max(1.0, per_second / 10)
        self._overall = AsyncLimiter(max_rate=burst, time_period=burst / per_second)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _group(self, chat: int | str) -> AsyncLimiter:
        limiter = self._groups.get(chat)
        if limiter is None:
            if len(self._groups) > MAX_GROUP_LIMITERS:
                for key, old in list(self._groups.items()):
                    if old.has_capacity(old.max_rate):
                        del self._groups[key]
            limiter = self._groups[chat] = AsyncLimiter(max_rate=self._group_per_minute, time_period=60)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        if chat is None:  # getUpdates, answerCallbackQuery …: not messages
            return await callback(*args, **kwargs)
        with contextlib.suppress(ValueError, TypeError):
            chat = int(chat)
        # negative ids and @usernames are groups, supergroups and channels
        group = self._group(chat) if (isinstance(chat, int) and chat < 0) or isinstance(chat, str) else None
        async with (group or contextlib.nullcontext()), self._overall:
            return await callback(*args, **kwargs)
