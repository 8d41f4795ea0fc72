"""Runs a declared command or button for any platform: the per-user rate limit, the access rule,
arguments that cannot be read (a usage reply), waking the delivery loop; and sends replies
patiently through flood control. Never imports a chat platform's library, never sends by itself.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from cachetools import TTLCache

from ..alerts import Message
from ..i18n import t
from ..notify import RetryAfter
from . import actions as act
from .args import BadArgs
from .registry import REFUSAL, Access, Button, Command, Deps, Reply, Request, Result, allowed

log = logging.getLogger("releasewatch.commands")

# A person types a few commands in a row, then reads. A loop sending /status 20 times a second
# would share Telegram's 30 messages/s with an alert broadcast and slow it down for everyone.
BURST = 20  # commands at once: a person typing a dozen commands in a few seconds is not a flood
REFILL_SECONDS = 1.0  # then one per this many seconds
MAX_TRACKED_USERS = 10_000  # users seen within the last BURST * REFILL_SECONDS; beyond, the oldest are forgotten
REPLY_PATIENCE = 30.0  # seconds a command's reply may wait for flood control, in total

R = TypeVar("R")


@dataclass(frozen=True)
class Answer:
    """What the adapter sends back, in order; hide_request: delete the user's message first."""

    replies: tuple[Reply, ...] = ()
    hide_request: bool = False


class CommandLimiter:
    """A token bucket per user: BURST commands at once, then one every REFILL_SECONDS. An idle user's
    bucket refills completely within BURST * REFILL_SECONDS, so entries older than that are dropped
    (cachetools' TTLCache): memory stays bounded whatever the number of users."""

    OK, WARN, DROP = "ok", "warn", "drop"

    def __init__(self, burst: int = BURST, refill_seconds: float = REFILL_SECONDS,
                 max_users: int = MAX_TRACKED_USERS, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self.window = burst * refill_seconds
        self.clock = clock
        # user -> (tokens, when counted, when last told to slow down)
        self._buckets: TTLCache[tuple[str, str], tuple[float, float, float | None]] = TTLCache(
            maxsize=max_users, ttl=self.window, timer=clock)

    def __len__(self) -> int:
        """Users remembered now (each one's bucket is not full yet)."""
        self._buckets.expire()
        return len(self._buckets)

    def take(self, user: tuple[str, str]) -> str:
        """OK: run it. WARN: drop it and say "slow down" (once per window). DROP: drop it silently."""
        now = self.clock()
        tokens, at, warned = self._buckets.get(user, (float(self.burst), now, None))
        tokens = min(float(self.burst), tokens + (now - at) / self.refill_seconds)
        if tokens >= 1:
            self._buckets[user] = (tokens - 1, now, warned)
            return self.OK
        if warned is not None and now - warned < self.window:
            self._buckets[user] = (tokens, now, warned)
            return self.DROP
        self._buckets[user] = (tokens, now, now)
        return self.WARN


def _replies(result: Result) -> tuple[Reply, ...]:
    items = [result] if isinstance(result, (Message, Reply)) else list(result)
    return tuple(r if isinstance(r, Reply) else Reply(r) for r in items)


class Dispatcher:
    """One per platform: the same rules for Telegram and Matrix."""

    def __init__(self, deps: Deps, limiter: CommandLimiter | None = None) -> None:
        self.deps = deps
        self.limiter = limiter or CommandLimiter()

    async def may(self, access: Access, req: Request) -> bool:
        """Whether this sender may do what the rule covers, here (asks the platform only if needed)."""
        manages = access is Access.MANAGER and not req.staff and await req.manages()
        return allowed(access, staff=req.staff, private=req.private, manages=manages)

    def limited(self, req: Request) -> Answer | None:
        """None if this sender may send a command now; else what to answer (once "slow down", then nothing)."""
        verdict = self.limiter.take((req.chat.platform, req.user))
        if verdict == CommandLimiter.WARN:
            log.info("a user sends commands too fast: dropping them for a while")
            return Answer((Reply(act.plain(t(req.lang, "commands.slow_down"))),))
        if verdict == CommandLimiter.DROP:
            return Answer()
        return None

    async def command(self, spec: Command, req: Request) -> Answer:
        if (limited := self.limited(req)) is not None:
            return limited
        if not await self.may(spec.access, req):
            return Answer((Reply(act.plain(t(req.lang, REFUSAL[spec.access]))),))
        if spec.files and not req.files:
            return Answer((Reply(act.plain(t(req.lang, "matrix.no_files"))),))
        try:
            result = await self._run(spec.run, req)
        except BadArgs:
            if spec.usage is None:
                raise
            result = act.plain(t(req.lang, spec.usage))
        if spec.wakes:
            self.deps.wake()
        return Answer(_replies(result), hide_request=spec.secret and bool(req.args))

    async def button(self, spec: Button, req: Request) -> Answer:
        if not await self.may(spec.access, req):
            return Answer((Reply(act.plain(t(req.lang, REFUSAL[spec.access]))),))
        try:
            result = await self._run(spec.run, req)
        except BadArgs:
            return Answer((Reply(act.plain(t(req.lang, spec.invalid))),))
        if spec.wakes:
            self.deps.wake()
        return Answer(_replies(result))

    async def _run(self, run: Callable[[Deps, Request], object], req: Request) -> Result:
        result = run(self.deps, req)
        if inspect.isawaitable(result):
            result = await result
        return result  # type: ignore[return-value]


async def patiently(send: Callable[[], Awaitable[R]], patience: float = REPLY_PATIENCE) -> R | None:
    """Send one reply, waiting out flood control (bot.notify.RetryAfter) up to `patience` seconds in
    total; then log and give up (None). A person asked: the answer is worth a wait, not a traceback."""
    waited = 0.0
    while True:
        try:
            return await send()
        except RetryAfter as exc:
            if waited + exc.seconds > patience:
                log.warning("a command's reply was dropped: still rate limited after %.0f s", waited)
                return None
            await asyncio.sleep(exc.seconds)
            waited += exc.seconds
