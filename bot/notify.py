"""The notifier interface every chat platform implements, its error vocabulary, and the console
notifier used by the demo and dry runs.

Adapters translate their platform's failures into these errors so the outbox decides the same
way for all: wait and retry, back off, drop the message, or deactivate the subscriber.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

from .alerts import Message
from .i18n import t


class DeliveryError(Exception):
    """A message could not be delivered this time."""


class RetryAfter(DeliveryError):
    """The platform asked us to wait (Telegram 429, Matrix M_LIMIT_EXCEEDED)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited for {seconds:g} s")
        self.seconds = seconds


class Gone(DeliveryError):
    """The chat is unreachable for good (blocked, kicked, deleted): deactivate the subscriber."""


class Rejected(DeliveryError):
    """The platform refused this message (bad request): retrying it would fail again."""


class Transient(DeliveryError):
    """Network trouble or a server error: retry later with backoff."""


class Notifier(Protocol):
    platform: str

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        """Deliver message; returns the platform's message reference (for later replies)."""
        ...


class ConsoleNotifier:
    """Prints alerts: the demo's and dry runs' 'chat'."""

    platform = "console"

    def __init__(self, stream: TextIO | None = None, lang: str = "en") -> None:
        self.stream = stream or sys.stdout
        self.lang = lang  # of the line above each alert ("alert #2 (reply to #1)")
        self.count = 0

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        self.count += 1
        bar = "─" * 72
        head = t(self.lang, "console.reply", n=self.count, reply_to=reply_to) if reply_to else \
            t(self.lang, "console.alert", n=self.count)
        print(f"{bar}\n{head}\n{message.text}", file=self.stream, flush=True)
        return str(self.count)
