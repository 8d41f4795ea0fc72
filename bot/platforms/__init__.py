"""Chat platforms, each in its own package: telegram/ (python-telegram-bot) and matrix/ (matrix-nio).

`Platform` is everything the service needs of one; importing this package loads neither library.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..notify import Notifier


class Platform(Protocol):
    """A chat platform as the service runs it: the notifier the outbox sends through, a start that
    raises if the platform cannot be reached and a stop, whether it is connected now (/readyz and
    /metrics), and the hook its commands call after queueing messages (subscribe, broadcast) so the
    outbox delivers them at once; the service sets it before the start."""

    wake_hook: Callable[[], object] | None

    @property
    def notifier(self) -> Notifier: ...

    @property
    def connected(self) -> bool: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
