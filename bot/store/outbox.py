"""Outbox: one row per message to deliver (subscriber × event revision, notices, broadcasts), claimed,
sent, retried or failed. Queueing is idempotent (a unique key); bot.outbox delivers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..clock import utcnow
from ..events import Event, wants
from ..redact import redact
from .base import StoreBase, iso, parse_iso
from .subscribers import Subscriber


@dataclass(frozen=True)
class OutboxRow:
    id: int
    subscriber_id: int
    key: str
    kind: str
    payload: dict[str, Any]
    reply_key: str | None
    attempts: int


class OutboxMixin(StoreBase):
    if TYPE_CHECKING:  # from SubscribersMixin, beside this one in Store
        def active_subscribers(self) -> list[Subscriber]: ...

    def enqueue_revision(self, event: Event, now: datetime, revision: int | None = None,
                         audience: Sequence[Subscriber] | None = None) -> int:
        """One outbox row per matching subscriber for a revision (default: the event's current one).
        Idempotent; an update replies to the first alert of the event the reader received. audience:
        the active subscribers when the caller already read them (one read for a whole batch)."""
        assert event.id is not None
        rev = revision or event.revision
        key = f"ev:{event.id}:r{rev}"
        reply_key = f"ev:{event.id}:" if rev > 1 else None
        payload = json.dumps({"event_id": event.id, "revision": rev})
        stamp = iso(now)
        rows = [(sub.id, key, "event", payload, reply_key, stamp, stamp)
                for sub in (self.active_subscribers() if audience is None else audience) if wants(sub, event)]
        before = self.db.conn.total_changes
        # one statement for every subscriber: a broadcast to thousands is one round of SQLite work
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO outbox (subscriber_id, key, kind, payload, reply_key, next_attempt, created) "
            "VALUES (?,?,?,?,?,?,?)", rows)
        return self.db.conn.total_changes - before

    def enqueue(self, sub_id: int, key: str, kind: str, payload: dict[str, Any],
                now: datetime | None = None, reply_key: str | None = None) -> bool:
        now = now or utcnow()
        cur = self.db.execute(
            "INSERT OR IGNORE INTO outbox (subscriber_id, key, kind, payload, reply_key, next_attempt, "
            "created) VALUES (?,?,?,?,?,?,?)",
            [sub_id, key, kind, json.dumps(payload), reply_key, iso(now), iso(now)],
        )
        return bool(cur.rowcount)

    def reclaim(self) -> int:
        """Rows claimed by a worker that died go back to pending (called at start-up)."""
        cur = self.db.execute("UPDATE outbox SET status='pending', claimed_by=NULL WHERE status='claimed'")
        return cur.rowcount

    def claim(self, worker: str, now: datetime, limit: int, platforms: Iterable[str]) -> list[OutboxRow]:
        plats = list(platforms)
        marks = ",".join("?" * len(plats))
        with self.transaction():
            rows = self._rows(
                f"SELECT o.* FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id "
                f"WHERE o.status='pending' AND o.next_attempt <= ? AND s.platform IN ({marks}) "
                # a chat's messages go in order: skip rows behind one that is not due yet
                f"AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.subscriber_id = o.subscriber_id "
                f"AND e.id < o.id AND (e.status = 'claimed' OR (e.status = 'pending' AND e.next_attempt > ?))) "
                f"ORDER BY o.id LIMIT ?",
                [iso(now), *plats, iso(now), limit],
            )
            if rows:
                ids = [r["id"] for r in rows]
                self.db.execute(
                    f"UPDATE outbox SET status='claimed', claimed_by=?, claimed_at=? "
                    f"WHERE id IN ({','.join('?' * len(ids))})",
                    [worker, iso(now), *ids],
                )
        return [
            OutboxRow(r["id"], r["subscriber_id"], r["key"], r["kind"], json.loads(r["payload"]),
                      r["reply_key"], r["attempts"])
            for r in rows
        ]

    def release(self, worker: str, row_ids: list[int]) -> None:
        """Rows this worker claimed and did not try go back to pending, as they were."""
        if row_ids:
            self.db.execute(f"UPDATE outbox SET status='pending', claimed_by=NULL WHERE status='claimed' "
                            f"AND claimed_by=? AND id IN ({','.join('?' * len(row_ids))})", [worker, *row_ids])

    def mark_sent(self, row_id: int, message_ref: str | None, now: datetime) -> None:
        self.mark_sent_many([(row_id, message_ref, now)])

    def mark_sent_many(self, marks: Sequence[tuple[int, str | None, datetime]]) -> None:
        """Rows sent (id, platform message id, when), in one transaction: a broadcast's sends that
        finish together cost one commit, not one each."""
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE outbox SET status='sent', sent_at=?, message_ref=?, attempts=attempts+1, "
                "error=NULL WHERE id=?",
                [(iso(at), ref, row_id) for row_id, ref, at in marks],
            )

    def mark_retry(self, row_id: int, error: str, next_attempt: datetime, count_attempt: bool = True) -> None:
        self.db.execute(
            "UPDATE outbox SET status='pending', claimed_by=NULL, next_attempt=?, error=?, "
            "attempts=attempts+? WHERE id=?",
            [iso(next_attempt), redact(error)[:200], 1 if count_attempt else 0, row_id],
        )

    def mark_failed(self, row_id: int, error: str) -> None:
        self.db.execute(
            "UPDATE outbox SET status='failed', error=?, attempts=attempts+1 WHERE id=?", [redact(error)[:200], row_id]
        )

    def message_ref(self, sub_id: int, key: str) -> str | None:
        """The platform message id of a sent row; a key ending in ':' means the first sent row
        whose key starts with it (the first alert of an event this reader received)."""
        if key.endswith(":"):
            row = self.db.execute(
                "SELECT message_ref FROM outbox WHERE subscriber_id=? AND key LIKE ? AND status='sent' "
                "ORDER BY id LIMIT 1", [sub_id, key.replace("%", "") + "%"]).fetchone()
        else:
            row = self.db.execute(
                "SELECT message_ref FROM outbox WHERE subscriber_id=? AND key=? AND status='sent'", [sub_id, key]
            ).fetchone()
        return row[0] if row else None

    def next_pending_time(self) -> datetime | None:
        """When the next pending row falls due. A chat's messages go in order, so only each chat's
        first pending row counts: the rows behind it are due no earlier than it is.

        One pass over the pending rows (SQLite takes a bare column from the min() row): the
        former per-row subquery took 50 s with 20,000 rows pending, blocking the event loop."""
        row = self.db.execute(
            "SELECT min(first_due) FROM (SELECT next_attempt AS first_due, min(id) FROM outbox "
            "WHERE status = 'pending' GROUP BY subscriber_id)").fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def outbox_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._rows("SELECT status, count(*) AS n FROM outbox GROUP BY status")}
