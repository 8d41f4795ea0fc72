"""The long-running service: one asyncio loop hosting the APScheduler poll job, the outbox worker
and the chat platforms' clients. Starts, runs until told to stop (SIGTERM/SIGINT), stops cleanly.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from . import review
from .config import Config
from .feeds import make_client
from .notify import Notifier
from .outbox import Deliverer
from .pipeline import FAILING_STREAK, CycleReport, Pipeline
from .store import Store
from .vault import Vault

log = logging.getLogger("releasewatch.service")


class Platform(Protocol):
    """A chat platform adapter: a notifier plus whatever it runs (command handling, sync)."""

    notifier: Notifier

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Service:
    def __init__(self, config: Config, store: Store, platforms: list[Platform] | None = None,
                 extra_notifiers: dict[str, Notifier] | None = None) -> None:
        self.config = config
        self.store = store
        self.platforms = platforms or []
        notifiers = {p.notifier.platform: p.notifier for p in self.platforms}
        notifiers.update(extra_notifiers or {})
        self.vault = Vault.from_env()
        self.deliverer = Deliverer(store, notifiers, vault=self.vault)
        for p in self.platforms:
            # commands that queue messages (subscribe, broadcast) wake the outbox worker
            if hasattr(p, "wake_hook"):
                p.wake_hook = self.deliverer.wake.set
        self.client = make_client(config.request_timeout, allow_private=config.allow_private_feed_urls)
        self.pipeline = Pipeline(store, config, self.client, vault=self.vault)
        self.stop_event = asyncio.Event()
        self.cycles = 0
        self.on_cycle: list[Callable[[CycleReport], Awaitable[None]]] = []

    async def poll_once(self) -> CycleReport:
        report = await self.pipeline.poll()
        self.cycles += 1
        for name in report.newly_failing:  # once per failing streak, not on every poll
            review.tell_staff(self.store, "feeds.failing_notice", {"name": name, "count": FAILING_STREAK}, _now())
            self.deliverer.wake.set()
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
                   "new_items": report.new_items, "alerts": report.alerts_queued},
        )
        return report

    async def _prune_job(self) -> None:
        if not self.config.retention_days:
            return
        try:
            removed = self.store.prune(_now() - timedelta(days=self.config.retention_days))
            log.info("retention pruned old rows", extra={"rows": sum(removed.values())})
        except Exception:
            log.exception("retention pruning failed")

    def register_staff_chats(self) -> None:
        """The staff chat and room receive held alerts and review notices (filter 'staff')."""
        lang = self.config.default_lang
        if self.config.telegram.enabled and self.config.telegram.staff_chat_id is not None:
            self.store.subscribe("telegram", str(self.config.telegram.staff_chat_id), lang, "staff")
        if self.config.matrix.enabled and self.config.matrix.staff_room:
            self.store.subscribe("matrix", self.config.matrix.staff_room, lang, "staff")

    async def _remind_job(self) -> None:
        try:
            if review.remind(self.store, timedelta(minutes=self.config.review_remind_minutes), _now()):
                self.deliverer.wake.set()
        except Exception:
            log.exception("review reminders failed")

    async def _poll_job(self) -> None:
        try:
            await self.poll_once()
        except Exception:  # one bad cycle must not kill the schedule
            log.exception("poll cycle failed")

    def tick_seconds(self) -> int:
        intervals = [f.interval for f in self.config.feeds if f.interval]
        return max(10, min([self.config.poll_interval, *intervals]))

    async def run(self, install_signals: bool = True) -> None:
        """Run until stop() or a signal; then finish in-flight sends and close everything."""
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                try:
                    loop.add_signal_handler(sig, self.stop_event.set)
                except (NotImplementedError, RuntimeError):
                    pass
        self.store.sync_feeds(self.config.feeds)
        self.register_staff_chats()
        reclaimed = self.store.reclaim()
        if reclaimed:
            log.info("reclaimed unfinished deliveries", extra={"rows": reclaimed})
        scheduler = AsyncIOScheduler()
        scheduler.add_job(self._poll_job, "interval", seconds=self.tick_seconds(),
                          next_run_time=_now(), max_instances=1, coalesce=True, id="poll")
        scheduler.add_job(self._prune_job, "interval", hours=6, next_run_time=_now(), id="prune",
                          max_instances=1, coalesce=True)
        scheduler.add_job(self._remind_job, "interval", minutes=1, id="remind", max_instances=1, coalesce=True)
        scheduler.start()
        worker = asyncio.create_task(self.deliverer.run(self.stop_event))
        try:
            for p in self.platforms:
                await p.start()
            await self.stop_event.wait()
        finally:
            scheduler.shutdown(wait=False)
            await asyncio.wait_for(worker, timeout=30)
            for p in reversed(self.platforms):
                try:
                    await p.stop()
                except Exception:
                    log.exception("platform stop failed")
            await self.client.aclose()
            log.info("stopped")

    def stop(self) -> None:
        self.stop_event.set()


def _now():  # noqa: ANN202 - APScheduler wants a datetime with tzinfo
    from datetime import UTC, datetime

    return datetime.now(UTC)
