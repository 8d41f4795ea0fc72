"""Helpers shared by the reliability tests: an emulator that keeps a full log of the requests it
rate-limited, subscriber seeding, outbox inspection, and per-chat delivery counts.

Everything here observes real parts (the emulator, SQLite files); nothing replaces them.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.store import Store
from loopback.tg_emulator import ApiError, BotApiEmulator


@dataclass(frozen=True)
class Throttle:
    """One 429 the emulator answered: when (monotonic), to which chat, and the wait it asked."""

    at: float
    chat_id: int
    retry_after: int


class RecordingEmulator(BotApiEmulator):
    """The Bot API emulator, plus a complete log of its 429 answers and a longer call log.

    The stock emulator keeps the last 2,000 calls and counts 429s; the retry_after checks need
    every 429 with its chat and time, and every call after it.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._calls = deque(maxlen=200_000)
        self.throttles: list[Throttle] = []
        self.refusals: list[tuple[int, float]] = []  # (chat_id, monotonic time) of each 403
        self._planned: dict[tuple[int, int], int] = {}  # (chat, nth send) -> retry_after
        self._sends_seen: Counter[int] = Counter()

    def throttle_nth_send(self, chat_id: int, nth: int, retry_after: int) -> None:
        """Answer the nth send to chat_id (counting from 1) with 429 + retry_after, once."""
        with self._lock:
            self._planned[(chat_id, nth)] = retry_after

    def _rate_limit(self, method: str, chat_id: int, paid: bool = False) -> None:
        self._sends_seen[chat_id] += 1
        planned = self._planned.pop((chat_id, self._sends_seen[chat_id]), None)
        try:
            if planned is not None:
                raise ApiError(429, f"Too Many Requests: retry after {planned}", {"retry_after": planned})
            super()._rate_limit(method, chat_id, paid)
        except ApiError as exc:
            if exc.status == 429 and exc.parameters:
                self.throttles.append(Throttle(time.monotonic(), chat_id, int(exc.parameters["retry_after"])))
            raise

    def _check_chat(self, chat_id: int, write: bool = True) -> None:
        try:
            super()._check_chat(chat_id, write)
        except ApiError as exc:
            if exc.status == 403:
                self.refusals.append((chat_id, time.monotonic()))
            raise

    def sends_by_chat(self) -> dict[int, list[float]]:
        """Monotonic times of every send request (whatever its outcome), per chat."""
        out: dict[int, list[float]] = {}
        for at, method, params in self.calls:
            if method == "sendMessage":
                out.setdefault(int(params["chat_id"]), []).append(at)
        return out


def seed_subscribers(db: Path, chat_ids: Iterable[int], platform: str = "telegram") -> list[int]:
    """Active subscribers for these chats, half in Spanish and half in English."""
    store = Store(db)
    try:
        with store.transaction():
            ids = [store.subscribe(platform, str(c), "es" if i % 2 else "en").id for i, c in enumerate(chat_ids)]
    finally:
        store.close()
    return ids


def outbox_status(db: Path) -> Counter[str]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return Counter(dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()))
    finally:
        conn.close()


def query(db: Path, sql: str, params: Iterable[object] = ()) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()


def deliveries(emu: BotApiEmulator, chats: Iterable[int]) -> Counter[int]:
    """How many messages each of these chats received (chats with none are absent)."""
    wanted = set(chats)
    return Counter(m["chat_id"] for m in emu.sent if m["method"] == "sendMessage" and m["chat_id"] in wanted)


def lost_and_duplicated(counts: Counter[int], chats: Iterable[int], each: int = 1) -> tuple[int, int]:
    """(chats that got fewer than `each` messages, messages beyond `each` per chat)."""
    chats = list(chats)
    lost = sum(1 for c in chats if counts.get(c, 0) < each)
    dup = sum(max(0, counts.get(c, 0) - each) for c in chats)
    return lost, dup


def wait_until(condition, timeout: float, what: str, interval: float = 0.05):  # noqa: ANN001, ANN201
    """Poll condition() until truthy; fail the test with `what` if it never is."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
