"""WebSub subscriptions: one row per feed whose hub we know, with the secret that signs what the hub
pushes, the lease, and what was pushed or dropped. Storage only: when to ask a hub, and what a
hub's request means, are bot/websub's."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ..redact import redact
from .base import StoreBase, iso, parse_iso

# states in which the hub may be pushing this feed to us (or will, once it verifies our request)
AT_THE_HUB = ("requested", "active")
Counter = Literal["pushes", "unsigned", "bad_signature"]


@dataclass(frozen=True)
class WebSubRow:
    feed_id: int
    hub: str
    topic: str
    callback: str
    secret: str
    state: str
    pending: str | None
    requested: datetime | None
    lease_seconds: int | None
    expires: datetime | None
    failures: int
    retry_at: datetime | None
    error: str | None
    pushes: int
    unsigned: int
    bad_signature: int
    last_push: datetime | None

    def pushed(self, now: datetime) -> bool:
        """Does the hub push this feed now: a verified subscription whose lease has not run out."""
        return self.state == "active" and self.expires is not None and self.expires > now


def new_secret() -> str:
    """hub.secret: random, unique, under the 200 bytes the WebSub Recommendation allows."""
    return secrets.token_hex(32)


def new_callback_id() -> str:
    """The callback address's last part: unguessable, so only the hub we told knows it."""
    return secrets.token_urlsafe(24)


class WebSubMixin(StoreBase):
    def note_hub(self, feed_id: int, hub: str, topic: str, now: datetime) -> bool:
        """A feed names this hub and topic: keep them. A hub or topic that changed, or a feed back
        after it was unsubscribed, starts afresh (new callback and secret). True if it changed."""
        row = self.websub(feed_id)
        if row is not None and row.hub == hub and row.topic == topic and row.state != "gone":
            return False
        with self.transaction():
            self.db.execute("DELETE FROM websub WHERE feed_id=?", [feed_id])
            self.db.execute(
                "INSERT INTO websub (feed_id, hub, topic, callback, secret, state, created) VALUES (?,?,?,?,?,?,?)",
                [feed_id, hub, topic, new_callback_id(), new_secret(), "new", iso(now)])
        return True

    def websub(self, feed_id: int) -> WebSubRow | None:
        rows = self._rows("SELECT * FROM websub WHERE feed_id=?", [feed_id])
        return _row(rows[0]) if rows else None

    def websub_by_callback(self, callback: str) -> WebSubRow | None:
        rows = self._rows("SELECT * FROM websub WHERE callback=?", [callback])
        return _row(rows[0]) if rows else None

    def websub_rows(self) -> list[WebSubRow]:
        return [_row(r) for r in self._rows("SELECT * FROM websub ORDER BY feed_id")]

    def pushed_feeds(self, now: datetime) -> set[int]:
        """Feeds a hub pushes now (verified, lease not run out): polled only as a safety net."""
        return {int(r[0]) for r in self.db.execute(
            "SELECT feed_id FROM websub WHERE state='active' AND expires > ?", [iso(now)]).fetchall()}

    def websub_requested(self, feed_id: int, mode: str, now: datetime) -> None:
        """A request is about to go to the hub (written first: a hub may check it before it answers)."""
        self.db.execute(
            "UPDATE websub SET pending=?, requested=?, "
            "state=CASE WHEN ?='unsubscribe' THEN 'unsubscribing' WHEN state='active' THEN 'active' "
            "ELSE 'requested' END WHERE feed_id=?",
            [mode, iso(now), mode, feed_id])

    def websub_failed(self, feed_id: int, error: str, retry_at: datetime) -> None:
        """A request the hub refused, did not answer or did not verify in time. A live subscription
        stays live until its lease ends (a renewal may still succeed)."""
        self.db.execute(
            "UPDATE websub SET pending=NULL, failures=failures+1, error=?, retry_at=?, "
            "state=CASE WHEN state IN ('active', 'unsubscribing') THEN state ELSE 'failed' END WHERE feed_id=?",
            [redact(error)[:300], iso(retry_at), feed_id])

    def websub_verified(self, feed_id: int, lease_seconds: int, now: datetime) -> None:
        """The hub checked our subscribe request and we confirmed it: pushed until the lease ends."""
        self.db.execute(
            "UPDATE websub SET state='active', pending=NULL, lease_seconds=?, expires=?, failures=0, "
            "retry_at=NULL, error=NULL WHERE feed_id=?",
            [lease_seconds, iso(now + timedelta(seconds=lease_seconds)), feed_id])

    def websub_ended(self, feed_id: int, state: Literal["gone", "denied", "lapsed"], now: datetime,
                     error: str | None = None, retry_at: datetime | None = None) -> None:
        """No longer pushed: unsubscribed (gone), refused by the hub (denied) or run out (lapsed).
        The feed is due at once: polling takes over where the push stopped."""
        with self.transaction():
            self.db.execute(
                "UPDATE websub SET state=?, pending=NULL, expires=NULL, error=COALESCE(?, error), "
                "retry_at=COALESCE(?, retry_at) WHERE feed_id=?",
                [state, redact(error)[:300] if error else None, iso(retry_at), feed_id])
            self.db.execute("UPDATE feeds SET next_attempt=? WHERE id=? AND active=1", [iso(now), feed_id])

    def websub_count(self, feed_id: int, counter: Counter, now: datetime) -> None:
        """One push taken in (pushes) or dropped (unsigned, bad_signature)."""
        column = {"pushes": "pushes", "unsigned": "unsigned", "bad_signature": "bad_signature"}[counter]
        self.db.execute(f"UPDATE websub SET {column}={column}+1, last_push=COALESCE(?, last_push) WHERE feed_id=?",
                        [iso(now) if counter == "pushes" else None, feed_id])

    def websub_totals(self) -> dict[str, int]:
        """Pushes taken in and dropped, over every subscription there ever was."""
        row = self.db.execute("SELECT COALESCE(sum(pushes), 0), COALESCE(sum(unsigned), 0), "
                              "COALESCE(sum(bad_signature), 0) FROM websub").fetchone()
        return {"accepted": int(row[0]), "unsigned": int(row[1]), "bad_signature": int(row[2])}

    def shift_deadlines(self, delta: timedelta) -> None:
        """The wall clock stepped: a lease, a retry and a pending request move with it too."""
        with self.transaction():
            super().shift_deadlines(delta)
            for column in ("expires", "retry_at", "requested"):
                rows = self.db.execute(f"SELECT feed_id, {column} FROM websub WHERE {column} IS NOT NULL").fetchall()
                self.db.conn.executemany(f"UPDATE websub SET {column}=? WHERE feed_id=?",
                                         [(iso(datetime.fromisoformat(at) + delta), fid) for fid, at in rows])


def _row(r: dict[str, Any]) -> WebSubRow:
    return WebSubRow(
        r["feed_id"], r["hub"], r["topic"], r["callback"], r["secret"], r["state"], r["pending"],
        parse_iso(r["requested"]), r["lease_seconds"], parse_iso(r["expires"]), r["failures"],
        parse_iso(r["retry_at"]), r["error"], r["pushes"], r["unsigned"], r["bad_signature"], parse_iso(r["last_push"]),
    )
