"""Subscribers: the chats and rooms that get alerts, with their language and filter, and what
erasing one means. The list is sensitive: nothing here logs a chat id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..clock import utcnow
from ..redact import redact
from .base import StoreBase, iso

# tables with a subscriber_id column: /forget deletes a chat's rows from each
FORGET_TABLES = ("outbox", "watches")


@dataclass(frozen=True)
class Subscriber:
    id: int
    platform: str
    chat_id: str
    lang: str
    filter: str  # all | confirmations
    prison: str | None
    active: bool
    notes: bool = True  # low-priority prison news (transfers, visits) for a watched prison
    gone: bool = False  # the chat blocked or removed the bot: nothing can be delivered


class SubscribersMixin(StoreBase):
    # -- subscribers ---------------------------------------------------------------------------
    def subscribe(self, platform: str, chat_id: str, lang: str, filter: str = "all",
                  prison: str | None = None) -> Subscriber:
        now = iso(utcnow())
        self.db.execute(
            "INSERT INTO subscribers (platform, chat_id, lang, filter, prison, active, created) "
            "VALUES (?,?,?,?,?,1,?) ON CONFLICT(platform, chat_id) DO UPDATE SET "
            "lang=excluded.lang, filter=excluded.filter, prison=excluded.prison, active=1, gone=0",
            [platform, str(chat_id), lang, filter, prison, now],
        )
        sub = self.subscriber(platform, chat_id)
        assert sub is not None
        return sub

    def subscriber(self, platform: str, chat_id: str | int) -> Subscriber | None:
        rows = self._rows("SELECT * FROM subscribers WHERE platform=? AND chat_id=?", [platform, str(chat_id)])
        return _subscriber(rows[0]) if rows else None

    def subscriber_by_id(self, sub_id: int) -> Subscriber | None:
        rows = self._rows("SELECT * FROM subscribers WHERE id=?", [sub_id])
        return _subscriber(rows[0]) if rows else None

    def active_subscribers(self) -> list[Subscriber]:
        cur = self.db.conn.execute(
            "SELECT id, platform, chat_id, lang, filter, prison, active, notes, gone FROM subscribers "
            "WHERE active=1 AND gone=0 ORDER BY id")
        return [Subscriber(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7]), bool(r[8])) for r in cur]

    def staff_subscribers(self) -> list[Subscriber]:
        return [_subscriber(r) for r in self._rows(
            "SELECT * FROM subscribers WHERE filter='staff' AND gone=0 ORDER BY id")]

    def set_lang(self, platform: str, chat_id: str | int, lang: str) -> None:
        """Remember a chat's language; a chat that never subscribed stays inactive."""
        self.db.execute(
            "INSERT INTO subscribers (platform, chat_id, lang, active, created) VALUES (?,?,?,0,?) "
            "ON CONFLICT(platform, chat_id) DO UPDATE SET lang=excluded.lang, gone=0",
            [platform, str(chat_id), lang, iso(utcnow())],
        )

    def set_notes(self, sub_id: int, on: bool) -> None:
        self.db.execute("UPDATE subscribers SET notes=? WHERE id=?", [int(on), sub_id])

    def unsubscribe(self, sub_id: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE subscribers SET active=0 WHERE id=?", [sub_id])
            self.db.execute("DELETE FROM outbox WHERE subscriber_id=? AND status='pending'", [sub_id])

    def forget(self, platform: str, chat_id: str | int) -> bool:
        """Erase everything stored about one chat. Returns whether anything was there."""
        sub = self.subscriber(platform, chat_id)
        if sub is None:
            return False
        with self.transaction():
            for table in FORGET_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE subscriber_id=?", [sub.id])
            self.db.execute("DELETE FROM subscribers WHERE id=?", [sub.id])
        self.checkpoint()
        return True

    def migrate_chat(self, platform: str, old_chat_id: str | int, new_chat_id: str | int) -> None:
        """A Telegram group became a supergroup: same subscriber, new chat id."""
        with self.transaction():
            if self.subscriber(platform, new_chat_id) is not None:
                self.forget(platform, old_chat_id)
                return
            self.db.execute(
                "UPDATE subscribers SET chat_id=? WHERE platform=? AND chat_id=?",
                [str(new_chat_id), platform, str(old_chat_id)],
            )

    def deactivate(self, sub_id: int, reason: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE subscribers SET active=0, gone=1 WHERE id=?", [sub_id])
            self.db.execute(
                "UPDATE outbox SET status='dead', error=? WHERE subscriber_id=? AND status IN "
                "('pending','claimed')",
                [redact(reason)[:200], sub_id],
            )

    def subscriber_stats(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT platform, lang, filter, prison, count(*) AS n FROM subscribers WHERE active=1 AND gone=0 "
            "GROUP BY platform, lang, filter, prison ORDER BY n DESC"
        )



def _subscriber(r: dict[str, Any]) -> Subscriber:
    return Subscriber(r["id"], r["platform"], r["chat_id"], r["lang"], r["filter"], r["prison"], bool(r["active"]),
                      bool(r.get("notes", 1)), bool(r.get("gone", 0)))
