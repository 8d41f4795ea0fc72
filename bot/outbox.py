"""Outbox delivery: claim queued rows, render, send through the subscriber's platform, mark sent.

Exactly-once per (subscriber, event revision) rests on three facts: queueing is an INSERT OR
IGNORE on that unique key; a row is marked sent right after its send returns (in one commit with
the other sends that returned in the same turn of the event loop, and the sender waits for that
commit before it sends anything else); rows left claimed by a dead process are reclaimed at
start-up. The one duplicate a hard kill can cause is a message whose send succeeded but whose mark
did not land: at most the sends in flight at the kill (`concurrency`). Messages for one subscriber
go in order, so an update can reply to its alert.

It is longer than most modules (over 400 lines): claiming, sending, marking and the backoff of
failures are one loop whose ordering guarantees above only hold when read together.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache

from .alerts import Message, plain, render_event, render_note, render_review, render_watch
from .backoff import backoff
from .i18n import notice
from .notify import Gone, Notifier, Rejected, RetryAfter, Transient
from .store import DeliveryStore, OutboxRow, Subscriber, utcnow
from .vault import Vault, VaultError

log = logging.getLogger("releasewatch.outbox")

# An outage is not the message's fault: a Transient failure (network, a 5xx) is retried for as long
# as it takes, each message at most every RETRY_CAP seconds, and while a platform keeps failing
# only one message probes it at a time (see _Platform). Only a permanent refusal gives a message up.
RETRY_CAP = 600.0
PROBE_CAP = 300.0  # longest pause between two probes of a platform that is down
ALARM_AFTER = timedelta(minutes=10)  # staff hear once delivery to a platform has failed this long
# an error no adapter foresaw is a bug, not an outage: it gets this many tries, then the message is
# given up (logged at warning level and told to staff)
MAX_ATTEMPTS = 8
STORE_BACKOFF_CAP = 300.0  # seconds between two delivery rounds while the database fails
MARK_WINDOW = 0.005  # seconds a 'sent' mark may wait for others to share its commit (_SentMarks)

Notice = Callable[[str, dict[str, object]], Awaitable[None]]


@dataclass
class _Platform:
    """Delivery health of one platform: failing since when, and when to probe it next."""

    failing_since: datetime | None = None
    failures: int = 0
    resume_at: float = 0.0  # monotonic; before it, this platform's rows stay queued
    alarmed: bool = False
    reason: str = ""


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deactivated: int = 0
    rate_limited: int = 0
    gave_up: int = 0  # messages given up after an unforeseen error kept recurring
    errors: list[str] = field(default_factory=list)


Renderer = Callable[[OutboxRow, Subscriber], Message]


class _SentMarks:
    """Group commit of 'sent' marks: the sends that return within MARK_WINDOW of each other are
    marked in one transaction (a commit per message was a tenth of a broadcast's CPU; in the same
    turn of the event loop only one send returns, the rate limiter spaces them). Each sender awaits
    its mark before it sends again, so a send is unmarked only while it still holds its place among
    the Deliverer's `concurrency`: the crash bound stays the same. When all of them wait, no other
    send can return: the marks are written at once."""

    def __init__(self, store: DeliveryStore, most: int) -> None:
        self.store = store
        self.most = most  # every sender waiting for its mark: nothing else can return, flush now
        self._pending: list[tuple[int, str | None, datetime, asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def mark(self, row_id: int, ref: str | None, at: datetime) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._pending.append((row_id, ref, at, done))
        if len(self._pending) >= self.most:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(MARK_WINDOW, self._flush)
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            self._flush()  # cancelled while waiting (a shutdown): the marks land now, not never
            raise

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            self.store.mark_sent_many([(row_id, ref, at) for row_id, ref, at, _ in pending])
        except Exception as exc:  # each sender handles it as it handled a failed mark of its own
            for *_, done in pending:
                done.set_exception(exc)
                done.exception()  # read here too: a sender cancelled meanwhile never reads it
        else:
            for *_, done in pending:
                done.set_result(None)


class Deliverer:
    """Drains the outbox through the notifiers it was given, one per platform."""

    def __init__(
        self,
        store: DeliveryStore,
        notifiers: dict[str, Notifier],
        *,
        concurrency: int = 32,
        batch: int = 200,
        renderers: dict[str, Renderer] | None = None,
        clock: Callable[[], datetime] = utcnow,
        vault: Vault | None = None,
        notice: Notice | None = None,
        monotonic: Callable[[], float] | None = None,
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
        self._cache: LRUCache[tuple[int, int, str, bool], Message] = LRUCache(maxsize=512)  # rendered alerts
        self._marks = _SentMarks(store, concurrency)
        self.wake = asyncio.Event()
        self.in_flight = 0
        # staff hear through this (key of a catalog text, its values): outages, recoveries, give-ups
        self.notice = notice
        # how long a platform that is down rests between probes is waited on this clock
        self.monotonic = monotonic or (lambda: asyncio.get_running_loop().time())
        self._platforms: dict[str, _Platform] = {}
        self._pending_notices: list[tuple[str, dict[str, object]]] = []
        self.trouble: str | None = None  # why delivery rounds fail (the database), for health checks

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
        return plain(notice(sub.lang, row.payload["key"], row.payload["values"]))  # its reason in the reader's words

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
            if row.kind == "watch":
                self.store.finish_watch(row.id, row.key)
            else:
                await self._marks.mark(row.id, ref, self.clock())
            report.sent += 1
            self._sent(sub.platform)
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
            if row.kind == "watch":
                self.store.finish_watch(row.id, row.key)
            else:
                self.store.mark_failed(row.id, str(exc))
            return "failed", None
        except Transient as exc:
            report.retried += 1
            self._failed(sub.platform, str(exc))
            at = self._retry_at(backoff(5, row.attempts, RETRY_CAP, doublings=12, jitter=0.2))
            self.store.mark_retry(row.id, str(exc), at)
            return "retry", at
        except Exception as exc:  # a bug in rendering or an adapter: a few tries, then given up, loudly
            if row.attempts + 1 >= MAX_ATTEMPTS:
                report.failed += 1
                report.gave_up += 1
                log.warning("message given up after repeated unexpected errors",
                            extra={"row": row.id, "reason": type(exc).__name__})
                self.store.mark_failed(row.id, f"gave up: {type(exc).__name__}: {exc}")
                return "failed", None
            report.retried += 1
            at = self._retry_at(backoff(5, row.attempts, 900, jitter=0.2))
            self.store.mark_retry(row.id, f"{type(exc).__name__}: {exc}", at)
            return "retry", at

    # -- platform health ---------------------------------------------------------------------------
    def _platform(self, name: str) -> _Platform:
        return self._platforms.setdefault(name, _Platform())

    def _failed(self, platform: str, reason: str) -> None:
        """A transient failure: the platform is probed again after a growing pause, not hammered."""
        p = self._platform(platform)
        p.failures += 1
        p.reason = reason[:200]
        if p.failing_since is None:
            p.failing_since = self.clock()
        p.resume_at = self.monotonic() + backoff(2.0, p.failures - 1, PROBE_CAP, doublings=10)

    def _sent(self, platform: str) -> None:
        p = self._platforms.get(platform)
        if p is not None and p.failing_since is not None:
            if p.alarmed:
                log.warning("delivery recovered", extra={"platform": platform})
                self._pending_notices.append(("delivery.recovered_notice", {"platform": platform}))
            self._platforms[platform] = _Platform()

    def paused(self, platform: str) -> bool:
        p = self._platforms.get(platform)
        return p is not None and p.resume_at > self.monotonic()

    def _check_alarms(self) -> None:
        now = self.clock()
        for name, p in self._platforms.items():
            if p.failing_since is not None and not p.alarmed and now - p.failing_since >= ALARM_AFTER:
                p.alarmed = True
                minutes = int((now - p.failing_since).total_seconds() // 60)
                log.warning("delivery failing", extra={"platform": name, "seconds": minutes * 60, "reason": p.reason})
                self._pending_notices.append(("delivery.failing_notice",
                                              {"platform": name, "minutes": minutes, "reason": p.reason}))

    async def _flush_notices(self) -> None:
        notices, self._pending_notices = self._pending_notices, []
        for key, values in notices:
            if self.notice is not None:
                try:
                    await self.notice(key, values)
                except Exception:
                    log.exception("telling staff failed")

    def health(self) -> dict[str, object]:
        """For health checks: platforms failing (since when, why) and database trouble."""
        failing = {name: {"since": p.failing_since.isoformat(), "reason": p.reason}
                   for name, p in self._platforms.items() if p.failing_since is not None}
        return {"failing": failing, "store": self.trouble}

    async def _deliver_chat(self, rows: list[OutboxRow], sub: Subscriber, report: DeliveryReport,
                            sem: asyncio.Semaphore, stop: asyncio.Event | None) -> None:
        async with sem:
            for i, row in enumerate(rows):
                if stop is not None and stop.is_set():
                    # shutting down: what has not started goes back to the queue, in order, at once
                    # (a claimed round at 30 messages/s would otherwise hold the exit for seconds)
                    self.store.release(self.worker_id, [r.id for r in rows[i:]])
                    return
                if self.paused(sub.platform):
                    # the platform is down: these wait for the next probe, no attempt counted
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
            platforms = [p for p in self.notifiers if not self.paused(p)]
            rows = self.store.claim(self.worker_id, self.clock(), self.batch, platforms) if platforms else []
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
        self._check_alarms()
        if report.gave_up:
            self._pending_notices.append(("delivery.gave_up_notice", {"count": report.gave_up, "reason": report.errors[-1]
                                          if report.errors else "unexpected error"}))
        await self._flush_notices()
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until stop is set: wakes when new rows are queued or a retry falls due. While the
        database fails (a damaged page, a full disk) rounds back off instead of spinning, the first
        failure is logged in full and told to staff, later ones in one line a minute."""
        failures = 0
        last_warning = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await self.drain(stop=stop)
                nxt = self.store.next_pending_time()
            except Exception as exc:  # a store hiccup must not end delivery for good, nor spin
                failures += 1
                reason = f"{type(exc).__name__}: {exc}"[:200]
                if failures == 1:
                    log.exception("delivery round failed")
                    self.trouble = reason
                    await self._store_notice(reason)
                elif loop.time() - last_warning > 60:
                    log.warning("delivery rounds still failing", extra={"count": failures, "reason": reason})
                    last_warning = loop.time()
                await self._pause(stop, backoff(0.5, failures, STORE_BACKOFF_CAP, doublings=12))
                continue
            if failures:
                log.warning("delivery rounds work again", extra={"count": failures})
                failures, self.trouble = 0, None
            timeout = 30.0
            if nxt is not None:
                timeout = max(0.05, min(timeout, (nxt - self.clock()).total_seconds()))
            now = self.monotonic()
            probes = [p.resume_at - now for p in self._platforms.values() if p.resume_at > now]
            if probes:
                timeout = min(timeout, max(0.05, min(probes)))
            await self._pause(stop, timeout)

    async def _pause(self, stop: asyncio.Event, timeout: float) -> None:
        """Until timeout, a wake (new rows queued) or stop."""
        self.wake.clear()
        waiters = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())]
        _done, pending = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for w in pending:
            w.cancel()

    async def _store_notice(self, reason: str) -> None:
        if self.notice is not None:
            try:
                await self.notice("delivery.store_trouble_notice", {"reason": reason})
            except Exception:
                log.warning("could not tell staff about the database trouble")
