"""The long-running service: one asyncio loop hosting the periodic jobs (poll, prune, review
reminders), the outbox worker and the chat platforms' clients. Starts, runs until told to stop
(SIGTERM/SIGINT), stops cleanly; a start that fails ends quickly with one sentence.

Jobs are timed on the loop's monotonic clock, never on the wall clock: APScheduler 3 keeps its
next run times in wall time, so a step back of the clock (an NTP step, a restored VM) stopped
every poll until the clock caught up. Deadlines stored in wall time move with a step (StepWatch).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from . import review, vault
from .alerts import plain
from .cadence import PRIORITY_INTERVAL
from .clock import StepWatch, utcnow
from .config import Config
from .errors import StartError
from .feeds import make_client
from .health import Watched
from .health import serve as serve_health
from .i18n import notice
from .notify import Notifier
from .outbox import Deliverer
from .pipeline import FAILING_STREAK, CycleReport, Pipeline
from .platforms import Platform
from .store import Store
from .web.server import start_web, stop_web
from .websub.subscriber import Subscriber

log = logging.getLogger("releasewatch.service")

MIN_WAIT = 0.5  # seconds the poll scheduler waits at least between cycles: it never spins


class Service:
    def __init__(self, config: Config, store: Store, platforms: list[Platform] | None = None,
                 extra_notifiers: dict[str, Notifier] | None = None) -> None:
        self.config = config
        self.store = store
        self.platforms = platforms or []
        notifiers = {p.notifier.platform: p.notifier for p in self.platforms}
        notifiers.update(extra_notifiers or {})
        self.notifiers = notifiers
        self.vault = vault.current()
        self.deliverer = Deliverer(store, notifiers, vault=self.vault, notice=self.tell_staff)
        for p in self.platforms:
            # commands that queue messages (subscribe, broadcast) wake the outbox worker
            p.wake_hook = self.deliverer.wake.set
        self.client = make_client(config.request_timeout, allow_private=config.allow_private_feed_urls)
        # a second, unguarded client only for the feeds the config allows on a private address
        self.private_client = (make_client(config.request_timeout, allow_private=True)
                               if not config.allow_private_feed_urls and any(f.allow_private for f in config.feeds)
                               else None)
        self.pipeline = Pipeline(store, config, self.client, vault=self.vault, private_client=self.private_client)
        self.stop_event = asyncio.Event()
        self.cycles = 0
        self.on_cycle: list[Callable[[CycleReport], Awaitable[None]]] = []
        self.on_push: list[Callable[[CycleReport], Awaitable[None]]] = []  # after each WebSub push taken in
        self.on_poll_time: list[Callable[[float], None]] = []  # seconds each poll of the pipeline took
        # WebSub push for feeds that name a hub, when hubs can reach us ([web] public_url); hubs are
        # asked through the same guarded client as feeds
        self.websub: Subscriber | None = None
        if config.web.enabled and config.web.public_url:
            self.websub = Subscriber(store, self.pipeline, self.client, config.web.public_url,
                                     allow_insecure_hubs=config.allow_private_feed_urls,
                                     max_body=config.max_feed_bytes, timeout=config.request_timeout,
                                     on_report=self.pushed)
            self.pipeline.on_answer = self.websub.discovered
        self.steps = StepWatch()
        self._told: set[tuple[str, str]] = set()  # (feed, reason) of unreadable entries staff heard of
        self._poll_trouble: str | None = None  # why the last poll cycle failed, if it did

    # -- telling staff ------------------------------------------------------------------------------
    async def tell_staff(self, key: str, values: dict[str, object]) -> None:
        """A notice to every staff chat through the outbox; while the outbox cannot be delivered
        (delivery rounds fail on the database) or the notice cannot be queued, straight through
        the platforms to the configured staff chats."""
        if self.deliverer.trouble is None:
            try:
                review.tell_staff(self.store, key, values, utcnow())
                self.deliverer.wake.set()
                return
            except Exception:
                log.warning("staff notice could not be queued; sending it directly")
        # a damaged outbox page can take a new row and still fail every claim: queued, it would wait forever
        message = plain(notice(self.config.default_lang, key, values))
        targets = []
        if self.config.telegram.enabled and self.config.telegram.staff_chat_id is not None:
            targets.append(("telegram", str(self.config.telegram.staff_chat_id)))
        if self.config.matrix.enabled and self.config.matrix.staff_room:
            targets.append(("matrix", self.config.matrix.staff_room))
        for platform, chat in targets:
            notifier = self.notifiers.get(platform)
            if notifier is None:
                continue
            try:
                await asyncio.wait_for(notifier.send(chat, message), timeout=30)
            except Exception as exc:
                log.warning("staff notice not delivered", extra={"platform": platform, "reason": type(exc).__name__})

    # -- jobs ----------------------------------------------------------------------------------------
    async def poll_once(self) -> CycleReport:
        step = self.steps.step()
        if step is not None:
            log.warning("the wall clock stepped; stored deadlines moved with it",
                        extra={"seconds": int(step.total_seconds())})
            self.store.shift_deadlines(step)
        started = time.perf_counter()
        try:
            report = await self.pipeline.poll()
        finally:
            for observe in self.on_poll_time:
                observe(time.perf_counter() - started)
        self.cycles += 1
        for name in report.newly_failing:  # once per failing streak, not on every poll
            await self.tell_staff("feeds.failing_notice", {"name": name, "count": FAILING_STREAK})
        for name in report.newly_quiet:  # once until it publishes again
            await self.tell_staff("feeds.quiet_notice", {"name": name})
        await self._tell_item_failures(report)
        if report.alerts_queued or report.held:
            self.deliverer.wake.set()
        for hook in self.on_cycle:
            try:
                await hook(report)
            except Exception:
                log.exception("cycle hook failed")
        log.info(
            "poll cycle done",
            extra={"feeds": report.feeds_polled, "failed": report.feeds_failed,
                   "new_items": report.new_items, "alerts": report.alerts_queued,
                   "backfilled": report.backfilled, "too_old": report.too_old},
        )
        return report

    async def pushed(self, report: CycleReport) -> None:
        """A WebSub push was taken in: deliver what it queued now, as after a poll cycle."""
        if report.alerts_queued or report.held:
            self.deliverer.wake.set()
        await self._tell_item_failures(report)
        for hook in self.on_push:
            try:
                await hook(report)
            except Exception:
                log.exception("push hook failed")

    async def _tell_item_failures(self, report: CycleReport) -> None:
        """Entries that could not be read or processed: staff hear once per feed and reason."""
        by_feed: dict[tuple[str, str], int] = {}
        for feed, reason in report.item_failures:
            by_feed[(feed, reason)] = by_feed.get((feed, reason), 0) + 1
        for (feed, reason), count in by_feed.items():
            if (feed, reason) in self._told:
                continue
            if len(self._told) > 10_000:
                self._told.clear()
            self._told.add((feed, reason))
            await self.tell_staff("feeds.items_failed_notice", {"name": feed, "count": count, "reason": reason})

    async def _poll_job(self) -> None:
        try:
            await self.poll_once()
        except Exception as exc:  # one bad cycle must not kill the schedule
            # a full disk fails every cycle the same way: its traceback once, then one line a cycle
            trouble = f"{type(exc).__name__}: {exc}"[:200]
            if trouble != self._poll_trouble:
                log.exception("poll cycle failed")
            else:
                log.error("poll cycle failed again, as the last one did", extra={"reason": trouble})
            self._poll_trouble = trouble
            return
        if self._poll_trouble is not None:
            log.warning("poll cycles work again")
            self._poll_trouble = None

    async def _prune_job(self) -> None:
        if not self.config.retention_days:
            return
        try:
            removed = self.store.prune(utcnow() - timedelta(days=self.config.retention_days))
            log.info("retention pruned old rows", extra={"rows": sum(removed.values())})
        except Exception:
            log.exception("retention pruning failed")

    async def _remind_job(self) -> None:
        try:
            if review.remind(self.store, timedelta(minutes=self.config.review_remind_minutes), utcnow()):
                self.deliverer.wake.set()
        except Exception:
            log.exception("review reminders failed")

    async def _every(self, seconds: float, job: Callable[[], Awaitable[None]], first_delay: float = 0.0) -> None:
        """Run job now (or after first_delay), then every `seconds` on the monotonic clock; a run
        that overruns its period is followed at once by the next, never by several."""
        loop = asyncio.get_running_loop()
        next_at = loop.time() + first_delay
        while not self.stop_event.is_set():
            if await self._sleep_until(next_at):
                return
            await job()
            next_at = max(next_at + seconds, loop.time())

    async def _sleep_until(self, at: float) -> bool:
        """Wait until the monotonic time `at`; True if the service is stopping."""
        delay = at - asyncio.get_running_loop().time()
        if delay > 0:
            try:
                await asyncio.wait_for(self.stop_event.wait(), timeout=delay)
            except TimeoutError:
                pass
        return self.stop_event.is_set()

    # -- what the health endpoint reads -------------------------------------------------------------
    def watched(self) -> Watched:
        """The parts of this service the health endpoint reads and the hooks it counts through."""
        return Watched(self.store, self.config.poll_interval, self.platform_states, self.deliverer.health,
                       self.notifiers, self.on_cycle, self.on_push, self.on_poll_time)

    def platform_states(self) -> list[tuple[str, bool]]:
        """(platform, connected) for each chat platform this service runs."""
        return [(p.notifier.platform, p.connected) for p in self.platforms]

    def register_staff_chats(self) -> None:
        """The staff chat and room receive held alerts and review notices (filter 'staff')."""
        lang = self.config.default_lang
        if self.config.telegram.enabled and self.config.telegram.staff_chat_id is not None:
            self.store.subscribe("telegram", str(self.config.telegram.staff_chat_id), lang, "staff")
        if self.config.matrix.enabled and self.config.matrix.staff_room:
            self.store.subscribe("matrix", self.config.matrix.staff_room, lang, "staff")

    async def _poll_loop(self) -> None:
        """Poll cycles: one at start, then one whenever the earliest feed falls due (bot/cadence.py
        decides when), and at least every tick_seconds() (a feed added meanwhile is due at once).
        Waits are on the monotonic clock; only their length comes from the stored due times."""
        loop = asyncio.get_running_loop()
        while not self.stop_event.is_set():
            await self._poll_job()
            if await self._sleep_until(loop.time() + self.until_due()):
                return

    def until_due(self) -> float:
        """Seconds until the next feed falls due by the pipeline's clock, at most one tick."""
        tick = float(self.tick_seconds())
        try:
            due = self.store.next_due()
        except Exception:  # a database that cannot be read: look again after a tick
            log.exception("the next due feed could not be read")
            return tick
        if due is None:
            return tick
        return min(tick, max(MIN_WAIT, (due - self.pipeline.clock()).total_seconds()))

    def tick_seconds(self) -> int:
        """The longest the scheduler waits between looks for due feeds: as often as the most
        frequent feed may be polled."""
        intervals = [f.interval for f in self.config.feeds if f.interval]
        if any(f.priority for f in self.config.feeds):
            intervals.append(PRIORITY_INTERVAL)
        return max(10, min([self.config.poll_interval, self.config.min_interval, *intervals]))

    # -- lifecycle -------------------------------------------------------------------------------------
    async def run(self, install_signals: bool = True) -> None:
        """Run until stop() or a signal; then finish in-flight sends and close everything. Raises
        StartError (one sentence, nothing secret) when a platform cannot start."""
        if install_signals:
            self._stop_on_signals()
        self.store.lock()
        self.store.sync_feeds(self.config.feeds)
        self.register_staff_chats()
        reclaimed = self.store.reclaim()
        if reclaimed:
            log.info("reclaimed unfinished deliveries", extra={"rows": reclaimed})
        jobs = [
            # first: it hooks in before the first poll
            asyncio.create_task(serve_health(self.config.health, self.watched()), name="health"),
            asyncio.create_task(self._poll_loop(), name="poll"),
            asyncio.create_task(self._every(6 * 3600, self._prune_job), name="prune"),
            asyncio.create_task(self._every(60, self._remind_job, first_delay=60), name="remind"),
        ]
        worker = asyncio.create_task(self.deliverer.run(self.stop_event))
        web = None
        try:
            # the public ledger page (None unless [web] enabled), with the WebSub callback beside it
            web = await start_web(self.config, self.store, [self.websub.mount()] if self.websub else [])
            if self.websub is not None:  # only now: a hub checks our requests at the callback at once
                jobs.append(asyncio.create_task(self.websub.run(self.stop_event), name="websub"))
            await self._start_platforms()
            await self.stop_event.wait()
        finally:
            self.stop_event.set()  # a failed start must not wait for a worker that waits for this
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            await asyncio.wait_for(worker, timeout=30)
            await self._stop_platforms()
            await stop_web(web)
            await self.aclose_clients()
            log.info("stopped")

    def _stop_on_signals(self) -> None:
        """SIGTERM and SIGINT set stop_event (where the loop can hear signals)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.stop_event.set)
            except (NotImplementedError, RuntimeError):
                pass

    async def _start_platforms(self) -> None:
        for p in self.platforms:
            try:
                await p.start()
            except Exception as exc:
                name = p.notifier.platform
                # the exception's text may carry a token (PTB's InvalidToken quotes it): only its type
                raise StartError(f"{name} could not start ({type(exc).__name__}); check its settings, "
                                 "its token and that its server is reachable.") from None

    async def _stop_platforms(self) -> None:
        """In the reverse order of their start; one that fails to stop does not keep the others up."""
        for p in reversed(self.platforms):
            try:
                await p.stop()
            except Exception:
                log.exception("platform stop failed")

    async def aclose_clients(self) -> None:
        await self.client.aclose()
        if self.private_client is not None:
            await self.private_client.aclose()

    def stop(self) -> None:
        self.stop_event.set()
