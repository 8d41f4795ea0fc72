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

from .alerts import Message, render_event, render_note, render_watch
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
    async def _deliver(self, row: OutboxRow, sub: Subscriber, report: DeliveryReport) -> None:
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
        except RetryAfter as exc:
            report.rate_limited += 1
            self.store.mark_retry(row.id, str(exc), self.clock() + timedelta(seconds=exc.seconds),
                                  count_attempt=False)
        except Gone as exc:
            report.deactivated += 1
            log.info("subscriber deactivated", extra={"subscriber": sub.id, "reason": str(exc)})
            self.store.mark_failed(row.id, str(exc))
            self.store.deactivate(sub.id, str(exc))
        except Rejected as exc:
            report.failed += 1
            report.errors.append(str(exc))
            log.warning("message rejected", extra={"row": row.id, "reason": str(exc)})
            self.store.mark_failed(row.id, str(exc))
        except Exception as exc:  # Transient, and anything an adapter did not foresee
            if row.attempts + 1 >= MAX_ATTEMPTS:
                report.failed += 1
                self.store.mark_failed(row.id, f"gave up: {exc}")
                return
            report.retried += 1
            delay = min(5 * 2 ** row.attempts, 900) * random.uniform(0.8, 1.2)
            self.store.mark_retry(row.id, f"{type(exc).__name__}: {exc}", self.clock() + timedelta(seconds=delay))

    async def _deliver_chat(self, rows: list[OutboxRow], sub: Subscriber, report: DeliveryReport,
                            sem: asyncio.Semaphore) -> None:
        async with sem:
            for i, row in enumerate(rows):
                before = report.sent
                await self._deliver(row, sub, report)
                if report.sent == before:
                    # keep this chat's order: later rows wait for the one that did not go out
                    for later in rows[i + 1:]:
                        self.store.mark_retry(later.id, "waiting for an earlier message",
                                              self.clock(), count_attempt=False)
                    return

    async def drain(self, max_rounds: int = 1_000_000) -> DeliveryReport:
        """Send everything that is due now; returns when nothing due is left."""
        report = DeliveryReport()
        sem = asyncio.Semaphore(self.concurrency)
        for _ in range(max_rounds):
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
                tasks.append(self._deliver_chat(sub_rows, sub, report, sem))
            await asyncio.gather(*tasks)
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until stop is set: wakes when new rows are queued or a retry falls due."""
        while not stop.is_set():
            try:
                await self.drain()
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
