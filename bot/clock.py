"""Time, in one place: the wall clock (UTC, for what is stored and shown) and the monotonic clock
(for what is waited for). Waits never use the wall clock: an NTP step or a restored VM moves it
by hours, and a schedule kept in wall time would stop until the clock caught up.

Pure: reads clocks, never sleeps, stores or logs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

STEP = timedelta(seconds=30)  # a jump of the wall clock against the monotonic one larger than this is a step


def utcnow() -> datetime:
    return datetime.now(UTC)


class StepWatch:
    """Notices when the wall clock steps: the offset between wall and monotonic time should not move
    (apart from slow NTP slewing). step() returns how far it stepped since the last call, if it did."""

    def __init__(self, wall: Callable[[], datetime] = utcnow, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.wall = wall
        self.monotonic = monotonic
        self._offset = self._now_offset()

    def _now_offset(self) -> timedelta:
        return self.wall() - datetime.fromtimestamp(0, UTC) - timedelta(seconds=self.monotonic())

    def step(self) -> timedelta | None:
        offset = self._now_offset()
        delta, self._offset = offset - self._offset, offset
        return delta if abs(delta) > STEP else None
