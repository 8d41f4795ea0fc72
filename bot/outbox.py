"""Outbox delivery: claim queued rows, render, send through the subscriber's platform, mark sent.

Exactly-once per (subscriber, event revision) rests on three facts: queueing is an INSERT OR
IGNORE on that unique key; a row is marked sent right after its send returns; rows left claimed
by a dead process are reclaimed at start-up. The one duplicate a hard kill can cause is a message
whose send succeeded but whose mark did not land: at most the sends in flight at the kill
(`concurrency`). Messages for one subscriber go in order, so an update can reply to its alert.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .alerts import Message, render_event, render_note, render_review, render_watch
from .i18n import t
from .notify import Gone, Notifier, Rejected, RetryAfter
from .store import OutboxRow, Store, Subscriber, utcnow
from .vault import Vault, VaultError

log = logging.getLogger("releasewatch.outbox")

MAX_ATTEMPTS = 8


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deactivated: int = 0
    rate_limited: int = 0
    errors: list[str] = field(default_factory=list)


Renderer = Callable[[OutboxRow, Subscriber], Message]


class Deliverer:
    """Drains the outbox through the notifiers it was given, one per platform."""

    def __init__(
        self,
        store: Store,
        notifiers: dict[str, Notifier],
        *,
        concurrency: int = 32,
        batch: int = 200,
        renderers: dict[str, Renderer] | None = None,
        clock: Callable[[], datetime] = utcnow,
        vault: Vault | None = None,
    ) -> None:
        self.vault = vault
        self.store = store
        self.notifiers = notifiers
        self.concurrency = concurrency
        self.batch = batch
        self.worker_id = f"{os.getpid()}-{random.randrange(1 << 30):x}"
        self.renderers: dict[str, Renderer] = {
            "event": self._render_event, "text": self._render_text, "watch": self._render_watch,
            "note": lambda row, sub: render_note(row.payload, sub.lang),
            "review": self._render_review,
            "staff": self._render_staff,
        }
        self.renderers.update(renderers or {})
        self.clock = clock
        self._cache: OrderedDict[tuple[int, int, str, bool], Message] = OrderedDict()
        self.wake = asyncio.Event()
        self.in_flight = 0

    # -- rendering -------------------------------------------------------------------------------
    def _render_event(self, row: OutboxRow, sub: Subscriber) -> Message:
        # a reader who never got the first alert (their filter skipped it) gets the whole story
        update = bool(row.reply_key and self.store.message_ref(sub.id, row.reply_key))
        key = (row.payload["event_id"], row.payload["revision"], sub.lang, update)
        msg = self._cache.get(key)
        if msg is None:
            snap = self.store.revision_snapshot(key[0], key[1])
            if snap is None:
                raise Rejected(f"event {key[0]} revision {key[1]} is missing")
            msg = render_event(snap, sub.lang, update)
            self._cache[key] = msg
            if len(self._cache) > 512:
                self._cache.popitem(last=False)
        return msg

    def _render_review(self, row: OutboxRow, sub: Subscriber) -> Message:
        event_id, revision = row.payload["event_id"], row.payload["revision"]
        snap = self.store.revision_snapshot(event_id, revision)
        rev = self.store.revision(event_id, revision)
        if snap is None or rev is None:
            raise Rejected(f"event {event_id} revision {revision} is missing")
        return render_review(snap, rev, sub.lang, sub.platform)

    @staticmethod
    def _render_staff(row: OutboxRow, sub: Subscriber) -> Message:
        text = t(sub.lang, row.payload["key"], **row.payload["values"])
        return Message(text, text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))

    def _render_watch(self, row: OutboxRow, sub: Subscriber) -> Message:
        if self.vault is None:
            raise Rejected("a watch alert needs RELEASEWATCH_KEY")
        try:
            data = json.loads(self.vault.decrypt(row.payload["enc"]))
        except VaultError as exc:
            raise Rejected(str(exc)) from None
        return render_watch(data, sub.lang)

    @staticmethod
    def _render_text(row: OutboxRow, sub: Subscriber) -> Message:
        payload: dict[str, Any] = row.payload
        return Message(payload["text"], payload.get("html") or payload["text"])

    def render(self, row: OutboxRow, sub: Subscriber) -> Message:
        return self.renderers[row.kind](row, sub)

    # -- delivery --------------------------------------------------------------------------------
    def _retry_at(self, seconds: float) -> datetime:
        # the store keeps whole seconds (it truncates); round up, or a retry could go out up to
        # a second before the wait the platform asked for
        at = self.clock() + timedelta(seconds=seconds)
        return at.replace(microsecond=0) + timedelta(seconds=1) if at.microsecond else at

    async def _deliver(self, row: OutboxRow, sub: Subscriber,
                       report: DeliveryReport) -> tuple[str, datetime | None]:
        """Send one row and record its outcome: sent, failed, gone or retry (with its time)."""
        notifier = self.notifiers[sub.platform]
        try:
            message = self.render(row, sub)
            reply_to = self.store.message_ref(sub.id, row.reply_key) if row.reply_key else None
            self.in_flight += 1
            try:
                ref = await notifier.send(sub.chat_id, message, reply_to)
            finally:
                self.in_flight -= 1
            self.store.mark_sent(row.id, ref, self.clock())
            report.sent += 1
            return "sent", None
        except RetryAfter as exc:
            report.rate_limited += 1
            at = self._retry_at(exc.seconds)
            self.store.mark_retry(row.id, str(exc), at, count_attempt=False)
            return "retry", at
        except Gone as exc:
            report.deactivated += 1
            log.info("subscriber deactivated", extra={"subscriber": sub.id, "reason": str(exc)})
            self.store.mark_failed(row.id, str(exc))
            self.store.deactivate(sub.id, str(exc))
            return "gone", None
        except Rejected as exc:
            report.failed += 1
            report.errors.append(str(exc))
            log.warning("message rejected", extra={"row": row.id, "reason": str(exc)})
            self.store.mark_failed(row.id, str(exc))
            return "failed", None
        except Exception as exc:  # Transient, and anything an adapter did not foresee
            if row.attempts + 1 >= MAX_ATTEMPTS:
                report.failed += 1
                self.store.mark_failed(row.id, f"gave up: {exc}")
                return "failed", None
            report.retried += 1
            at = self._retry_at(min(5 * 2 ** row.attempts, 900) * random.uniform(0.8, 1.2))
            self.store.mark_retry(row.id, f"{type(exc).__name__}: {exc}", at)
            return "retry", at

    async def _deliver_chat(self, rows: list[OutboxRow], sub: Subscriber, report: DeliveryReport,
                            sem: asyncio.Semaphore, stop: asyncio.Event | None) -> None:
        async with sem:
            for i, row in enumerate(rows):
                if stop is not None and stop.is_set():
                    # shutting down: what has not started goes back to the queue, in order, at once
                    # (a claimed round at 30 messages/s would otherwise hold the exit for seconds)
                    self.store.release(self.worker_id, [r.id for r in rows[i:]])
                    return
                # the outcome of this row, not a shared counter: other chats send meanwhile
                outcome, retry_at = await self._deliver(row, sub, report)
                if outcome == "sent":
                    continue
                if outcome == "gone":
                    return  # deactivate() already closed this chat's other rows
                # keep this chat's order: later rows wait for the one that did not go out, and
                # fall due with it (not now, which would wake the worker for rows it cannot send)
                for later in rows[i + 1:]:
                    self.store.mark_retry(later.id, "waiting for an earlier message",
                                          retry_at or self.clock(), count_attempt=False)
                return

    async def drain(self, max_rounds: int = 1_000_000, stop: asyncio.Event | None = None) -> DeliveryReport:
        """Send everything that is due now; returns when nothing due is left."""
        report = DeliveryReport()
        sem = asyncio.Semaphore(self.concurrency)
        for _ in range(max_rounds):
            if stop is not None and stop.is_set():
                break  # shutting down: what is not claimed stays queued for the next start
            rows = self.store.claim(self.worker_id, self.clock(), self.batch, self.notifiers)
            if not rows:
                break
            by_sub: dict[int, list[OutboxRow]] = {}
            for row in rows:
                by_sub.setdefault(row.subscriber_id, []).append(row)
            tasks = []
            for sub_id, sub_rows in by_sub.items():
                sub = self.store.subscriber_by_id(sub_id)
                if sub is None or sub.gone:
                    for row in sub_rows:
                        self.store.mark_failed(row.id, "chat unreachable")
                    continue
                tasks.append(self._deliver_chat(sub_rows, sub, report, sem, stop))
            await asyncio.gather(*tasks)
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until stop is set: wakes when new rows are queued or a retry falls due."""
        while not stop.is_set():
            try:
                await self.drain(stop=stop)
            except Exception:  # a store hiccup must not end delivery for good
                log.exception("delivery round failed")
            nxt = self.store.next_pending_time()
            timeout = 30.0
            if nxt is not None:
                timeout = max(0.05, min(timeout, (nxt - self.clock()).total_seconds()))
            self.wake.clear()
            waiters = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())]
            _done, pending = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for w in pending:
                w.cancel()
