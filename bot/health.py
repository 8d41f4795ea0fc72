"""The service's health endpoint: /healthz (the process answers), /readyz (it is doing its job)
and /metrics (Prometheus text format, from a registry of its own).

Reads what the service hands it (Watched), never the service itself; changes nothing. Never puts a chat id, a watched name,
a feed URL (bridge URLs carry tokens) or an error text (it may quote a URL) on a page.
Run as `python -m bot.health [URL]` it is the container's HEALTHCHECK (no curl in the image).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from . import listen
from .feedhealth import feeds_health
from .notify import RetryAfter

if TYPE_CHECKING:
    from .alerts import Message
    from .config import HealthConfig
    from .notify import Notifier
    from .pipeline import CycleReport
    from .store.protocols import HealthReads

log = logging.getLogger("releasewatch.health")

DEFAULT_URL = "http://127.0.0.1:9469/healthz"
DB_CHECK_TIMEOUT = 2.0  # seconds /readyz waits for the database's write lock
OUTBOX_STATES = ("pending", "sent", "failed")  # always on the page, 0 when empty


@dataclass(frozen=True)
class Watched:
    """What the health endpoint reads of the running service and the hooks it counts through; the
    service hands it over (Service.watched()), so this module never imports the service."""

    store: HealthReads  # read only: feeds, WebSub, outbox and held counts; its file for the write check
    poll_interval: int  # /readyz fails after two intervals without a finished poll cycle
    platforms: Callable[[], Iterable[tuple[str, bool]]]  # (platform, connected) for each chat platform
    delivery: Callable[[], dict[str, object]]  # the outbox's Deliverer.health(): failing platforms, store trouble
    notifiers: dict[str, Notifier]  # the outbox's own dict: each notifier is wrapped in place to count 429s
    on_cycle: list[Callable[[CycleReport], Awaitable[None]]] = field(default_factory=list)  # after each poll cycle
    on_push: list[Callable[[CycleReport], Awaitable[None]]] = field(default_factory=list)  # after each WebSub push
    on_poll_time: list[Callable[[float], None]] = field(default_factory=list)  # seconds each poll took


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed and a short reason when it did not."""

    name: str
    ok: bool
    detail: str = ""


class _StoreCollector(Collector):
    """Gauges read from the database at scrape time, so they are right after a restart too."""

    def __init__(self, watched: Watched) -> None:
        self.watched = watched

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        store = self.watched.store
        # the same view of each feed as status, /feeds and /sources (bot/feedhealth.py)
        health = feeds_health(store.feeds(), store.websub_rows(), datetime.now(UTC))
        by_state = GaugeMetricFamily("releasewatch_feeds", "Active feeds by state (quiet ones are also ok)",
                                     labels=["state"])
        failing = sum(1 for h in health if h.failing)
        by_state.add_metric(["ok"], len(health) - failing)
        by_state.add_metric(["failing"], failing)
        # a feed that answers but has published nothing for longer than its rhythm (the pipeline
        # marks it, bot/freshness.py)
        by_state.add_metric(["quiet"], sum(1 for h in health if h.feed.quiet))
        # a hub pushes them (WebSub, a live lease): polled only as a safety net
        by_state.add_metric(["pushed"], sum(1 for h in health if h.pushed))
        yield by_state

        push = GaugeMetricFamily("releasewatch_feed_pushed", "For each feed that names a WebSub hub: 1 while the hub "
                                 "pushes it, 0 while it is only polled", labels=["feed"])
        for h in health:
            if h.push is not None:
                push.add_metric([h.feed.name], 1 if h.pushed else 0)
        yield push

        pushes = CounterMetricFamily("releasewatch_websub_pushes", "WebSub pushes received: taken in (accepted) or "
                                     "dropped (unsigned, bad_signature)", labels=["result"])
        for result, count in store.websub_totals().items():
            pushes.add_metric([result], count)
        yield pushes

        last = GaugeMetricFamily("releasewatch_feed_last_success_timestamp_seconds",
                                 "When each feed was last fetched without error (Unix time)", labels=["feed"])
        for h in health:
            if h.feed.last_ok is not None:
                last.add_metric([h.feed.name], h.feed.last_ok.timestamp())
        yield last

        outbox = GaugeMetricFamily("releasewatch_outbox_messages", "Messages in the outbox by status",
                                   labels=["status"])
        counts = store.outbox_counts()
        for status in sorted({*OUTBOX_STATES, *counts}):
            outbox.add_metric([status], counts.get(status, 0))
        yield outbox

        yield GaugeMetricFamily("releasewatch_held_alerts", "Alerts held for staff review", value=len(store.held()))

        connected = GaugeMetricFamily("releasewatch_platform_connected", "1 if the chat platform is connected",
                                      labels=["platform"])
        for name, ok in self.watched.platforms():
            connected.add_metric([name], 1 if ok else 0)
        yield connected

        failing_platforms = cast(dict[str, object], self.watched.delivery()["failing"])
        delivery = GaugeMetricFamily("releasewatch_delivery_failing",
                                     "1 while delivery to the platform keeps failing", labels=["platform"])
        for name in self.watched.notifiers:
            delivery.add_metric([name], 1 if name in failing_platforms else 0)
        yield delivery


class _Counted:
    """A notifier that counts the platform's 'slow down' answers (429) before passing them on."""

    def __init__(self, inner: Notifier, counter: Counter) -> None:
        self._inner = inner
        self._counter = counter.labels(platform=inner.platform)
        self.platform = inner.platform

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        try:
            return await self._inner.send(chat_id, message, reply_to)
        except RetryAfter:
            self._counter.inc()
            raise

    def __getattr__(self, name: str) -> Any:  # send_image and whatever else a platform offers
        return getattr(self._inner, name)


class Health:
    """The metrics of one service and the checks behind /readyz."""

    def __init__(self, watched: Watched) -> None:
        self.watched = watched
        # a '_created' series beside every counter only doubles the page; a process-wide switch,
        # and this module is the only user of prometheus-client
        disable_created_metrics()
        self.registry = CollectorRegistry()
        r = self.registry
        self.cycles = Counter("releasewatch_poll_cycles", "Poll cycles finished", registry=r)
        self.cycle_seconds = Histogram("releasewatch_poll_cycle_duration_seconds", "Time one poll cycle took",
                                       buckets=(0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300), registry=r)
        self.last_cycle = Gauge("releasewatch_last_poll_cycle_timestamp_seconds",
                                "When the last poll cycle finished (Unix time)", registry=r)
        self.last_items = Gauge("releasewatch_last_cycle_new_items", "New items in the last poll cycle", registry=r)
        self.last_alerts = Gauge("releasewatch_last_cycle_alerts_queued",
                                 "Alerts queued by the last poll cycle", registry=r)
        self.items = Counter("releasewatch_new_items", "New items taken in", registry=r)
        self.alerts = Counter("releasewatch_alerts_queued", "Alerts queued for delivery", registry=r)
        self.held = Counter("releasewatch_alerts_held", "Alerts held for staff review", registry=r)
        self.feed_failures = Counter("releasewatch_feed_fetch_failures", "Feed fetches that failed", registry=r)
        self.rate_limited = Counter("releasewatch_rate_limited", "Sends the platform answered with 'slow down' (429)",
                                    ["platform"], registry=r)
        r.register(_StoreCollector(watched))
        self._last_cycle_at: float | None = None  # monotonic

    def instrument(self) -> None:
        """Hook into the service: counts after each cycle and push, the time of each poll, a counting
        wrapper around each notifier (the outbox holds the same dict, so its sends are counted)."""
        w = self.watched
        w.on_cycle.append(self._cycle_done)
        w.on_push.append(self._push_done)
        w.on_poll_time.append(self.cycle_seconds.observe)
        for name, notifier in list(w.notifiers.items()):
            if not isinstance(notifier, _Counted):
                w.notifiers[name] = _Counted(notifier, self.rate_limited)  # type: ignore[assignment]
        for label in w.notifiers:
            self.rate_limited.labels(platform=label)  # on the page at 0 from the start

    async def _cycle_done(self, report: CycleReport) -> None:
        self._last_cycle_at = time.monotonic()
        self.cycles.inc()
        self.last_cycle.set_to_current_time()
        self.last_items.set(report.new_items)
        self.last_alerts.set(report.alerts_queued)
        self.items.inc(report.new_items)
        self.alerts.inc(report.alerts_queued)
        self.held.inc(report.held)
        self.feed_failures.inc(report.feeds_failed)

    async def _push_done(self, report: CycleReport) -> None:
        """A WebSub push taken in: its items and alerts count as a cycle's do."""
        self.items.inc(report.new_items)
        self.alerts.inc(report.alerts_queued)
        self.held.inc(report.held)

    # -- readiness -----------------------------------------------------------------------------
    async def checks(self) -> list[Check]:
        w = self.watched
        limit = 2 * w.poll_interval
        if self._last_cycle_at is None:
            poll = Check("poll", False, "no poll cycle has finished yet")
        else:
            age = time.monotonic() - self._last_cycle_at
            poll = Check("poll", age <= limit, "" if age <= limit else
                         f"the last poll cycle finished {int(age)} s ago (more than {limit} s)")
        down = [name for name, ok in w.platforms() if not ok]
        platforms = Check("platforms", not down, f"not connected: {', '.join(down)}" if down else "")
        db_error = await asyncio.to_thread(database_writable, w.store.path)
        database = Check("database", db_error is None, db_error or "")
        health = w.delivery()
        failing = cast(dict[str, dict[str, str]], health["failing"])
        problems = [f"{name} failing since {info['since']}" for name, info in failing.items()]
        if health["store"]:
            problems.append("delivery rounds cannot read or write the database")
        delivery = Check("delivery", not problems, "; ".join(problems))
        return [poll, platforms, database, delivery]

    # -- HTTP ------------------------------------------------------------------------------------
    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def _readyz(self, request: web.Request) -> web.Response:
        checks = await self.checks()
        ready = all(c.ok for c in checks)
        body = {"ready": ready, "failed": [c.name for c in checks if not c.ok],
                "checks": {c.name: {"ok": c.ok, **({"detail": c.detail} if c.detail else {})} for c in checks}}
        return web.json_response(body, status=200 if ready else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        return app


def database_writable(path: Path) -> str | None:
    """None if a write transaction can be opened on the database file, else why not. A connection
    of its own with a short timeout: the service's would wait 30 s for a busy lock."""
    try:
        # mode=rw: a missing file is an error here, not a new empty database
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=DB_CHECK_TIMEOUT,
                               isolation_level=None)
    except sqlite3.Error as exc:
        return f"the database cannot be opened ({type(exc).__name__})"
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return None
    except sqlite3.Error as exc:
        return f"the database is not writable ({exc})"
    finally:
        conn.close()


async def serve(cfg: HealthConfig, watched: Watched) -> None:
    """The endpoint for as long as the service runs ([health] enabled = true); a task of
    Service.run. A port that cannot be taken is logged, never fatal: alerts matter more."""
    if not cfg.enabled:
        return
    health = Health(watched)
    health.instrument()  # before the first await: the first poll cycle is counted too
    try:
        # idle clients are closed and connections capped (bot/listen.py): a crowd of them must not
        # take the descriptors the bot needs, nor keep /healthz from answering
        runner, _site = await listen.serve(health.app(), cfg.host, cfg.port, cfg.max_connections, name="health")
    except OSError as exc:
        log.error(f"health endpoint not started: cannot listen on {cfg.host}:{cfg.port}; "
                  "change [health] port", extra={"reason": exc.strerror})
        return
    try:
        log.info(f"health endpoint listening on http://{cfg.host}:{cfg.port}/ (healthz, readyz, metrics)")
        await asyncio.Event().wait()  # until the service cancels this task at stop
    finally:
        await runner.cleanup()


def probe(url: str = DEFAULT_URL, timeout: float = 5.0) -> int:
    """0 if url answers 200 within timeout, else 1: the container's HEALTHCHECK."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (a loopback URL)
            return 0 if resp.status == 200 else 1
    except (OSError, ValueError):
        return 1


if __name__ == "__main__":
    sys.exit(probe(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL))
