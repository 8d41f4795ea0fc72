"""Watched names, stored only as ciphertext (bot.vault holds the key), and the private alerts about
them, kept so that a copy of the file without the key cannot tell who waits for whom."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

from ..clock import utcnow
from .base import StoreBase, iso


class WatchRow(TypedDict):
    """A watched name: whose, and the name as ciphertext (never in clear here)."""

    id: int
    subscriber_id: int
    name_enc: str
    created: str


class WatchesMixin(StoreBase):
    if TYPE_CHECKING:  # from OutboxMixin, beside this one in Store
        def enqueue(self, sub_id: int, key: str, kind: str, payload: dict[str, Any], now: datetime | None = None,
                    reply_key: str | None = None) -> bool: ...

    # -- watches (names are ciphertext here; bot.vault holds the key) ---------------------------
    def add_watch(self, sub_id: int, name_enc: str) -> int:
        cur = self.db.execute("INSERT INTO watches (subscriber_id, name_enc, created) VALUES (?,?,?)",
                              [sub_id, name_enc, iso(utcnow())])
        return int(cur.lastrowid or 0)

    def watches(self, sub_id: int | None = None) -> list[WatchRow]:
        if sub_id is None:
            return cast("list[WatchRow]", self._rows(
                "SELECT w.* FROM watches w JOIN subscribers s ON s.id = w.subscriber_id WHERE s.gone = 0 ORDER BY w.id"))
        return cast("list[WatchRow]", self._rows("SELECT * FROM watches WHERE subscriber_id=? ORDER BY id", [sub_id]))

    def remove_watch(self, sub_id: int, watch_id: int) -> bool:
        cur = self.db.execute("DELETE FROM watches WHERE id=? AND subscriber_id=?", [watch_id, sub_id])
        return bool(cur.rowcount)

    def rotate_secrets(self, rotate: Any) -> int:
        """Re-encrypt every stored secret with rotate(token) -> token, in one transaction."""
        n = 0
        with self.transaction():
            for row in self._rows("SELECT id, name_enc FROM watches"):
                self.db.execute("UPDATE watches SET name_enc=? WHERE id=?", [rotate(row["name_enc"]), row["id"]])
                n += 1
            for row in self._rows("SELECT id, payload FROM outbox WHERE kind='watch'"):
                payload = json.loads(row["payload"])
                payload["enc"] = rotate(payload["enc"])
                self.db.execute("UPDATE outbox SET payload=? WHERE id=?", [json.dumps(payload), row["id"]])
                n += 1
        return n

    def enqueue_watch(self, sub_id: int, mark: str, payload: dict[str, Any], now: datetime,
                      known: Iterable[str] = ()) -> bool:
        """A private alert about a watched name. Its key is a keyed digest (mark) of which watch
        and which event: a copy of the file without the key cannot tell who waits for whom.
        Nothing is queued if this mark (or one of `known`, its marks under old keys) was delivered."""
        marks = [mark, *known]
        found = self.db.execute(f"SELECT 1 FROM watch_marks WHERE mark IN ({','.join('?' * len(marks))})", marks)
        if found.fetchone():
            return False
        return self.enqueue(sub_id, f"watch:{mark}", "watch", payload, now)

    def finish_watch(self, row_id: int, key: str) -> None:
        """A private alert went out (or never can): keep only its mark, drop the row and its times."""
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO watch_marks (mark) VALUES (?)", [key.removeprefix("watch:")])
            self.db.execute("DELETE FROM outbox WHERE id=?", [row_id])
