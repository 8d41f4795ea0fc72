"""A chaos feed server: every fault a hostile or broken feed can throw, each on its own feed,
beside one healthy feed that publishes a release.

One poll cycle through the real Pipeline (loopback HTTP, real SQLite file): the release is
delivered, every faulty feed is recorded as a feed error or handled (its readable items kept,
cleaned), and the cycle ends within the pipeline's own fetch deadline. A feed that keeps failing
backs off and is reported to staff once, after FAILING_STREAK failures, not on every poll.
"""

from __future__ import annotations

import asyncio
import io
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

import bot.pipeline
from bot.config import Config, FeedConfig
from bot.feeds import MAX_BACKOFF, MAX_ITEMS_PER_FEED, fetch, make_client
from bot.notify import ConsoleNotifier
from bot.outbox import Deliverer
from bot.pipeline import FAILING_STREAK, Pipeline
from bot.store import Store
from tests.feedserver import rss
from tests.news import already_read
from tests.reliability import chaos
from tests.reliability.support import query
from tests.test_pipeline import ANNOUNCE

REQUEST_TIMEOUT = 2.0
MAX_FEED_BYTES = 2_000_000


@dataclass(frozen=True)
class Fault:
    route: dict[str, object]  # tests.feedserver.Route settings
    error: str | None  # a feed error containing this, or None: handled, its items kept
    items: int | None = None  # items a handled feed must leave in the database


def faults(feed_server_url: str) -> dict[str, Fault]:
    plain = rss([{"title": "Agenda", "guid": "plain-1"}])
    return {
        "/slow-headers": Fault({"body": plain, "delay": REQUEST_TIMEOUT * 4}, "timed out"),
        "/slow-body": Fault({"body": plain + b" " * 40_000, "drip": REQUEST_TIMEOUT / 8}, "no complete answer"),
        "/close-early": Fault({"body": plain, "close_early": True}, "request failed"),
        "/gzip-bomb": Fault(
            {"body": chaos.gzip_bomb(64), "headers": {"Content-Encoding": "gzip", "Connection": "close"}},
            f"larger than {MAX_FEED_BYTES}",
        ),
        "/corrupt-gzip": Fault({"body": plain, "headers": {"Content-Encoding": "gzip"}}, "damaged"),
        "/unknown-compression": Fault({"body": plain, "headers": {"Content-Encoding": "br"}}, "unknown compression"),
        "/redirect-loop": Fault({"redirect_to": feed_server_url + "/redirect-loop"}, "too many redirects"),
        "/redirect-to-file": Fault({"redirect_to": "file:///etc/passwd"}, "request failed"),
        "/http-500": Fault({"body": b"oops", "status": 500}, "HTTP 500"),
        "/http-404": Fault({"body": b"gone", "status": 404}, "HTTP 404"),
        "/huge-item-count": Fault({"body": chaos.many_items(10_000)}, None, MAX_ITEMS_PER_FEED),
        "/wrong-encoding": Fault(
            {"body": chaos.WRONG_ENCODING, "content_type": "application/rss+xml; charset=utf-16"},
            None,
            1,
        ),
        "/latin1-declared-utf8": Fault({"body": chaos.LATIN1_DECLARED_UTF8}, None, 1),
        "/wrong-content-type": Fault(
            {"body": rss([{"title": "Cartelera", "guid": "ct-1"}]), "content_type": "image/png"},
            None,
            1,
        ),
        "/not-xml": Fault({"body": chaos.NOT_XML, "content_type": "text/html"}, "not a readable"),
        "/json": Fault({"body": chaos.JSON_BODY, "content_type": "application/json"}, "not a readable"),
        "/binary": Fault({"body": chaos.BINARY, "content_type": "application/octet-stream"}, "not a readable"),
        "/empty": Fault({"body": b""}, "not an RSS"),
        "/malformed-recoverable": Fault({"body": chaos.MALFORMED_RECOVERABLE}, None, 2),
        "/malformed-hopeless": Fault({"body": chaos.MALFORMED_HOPELESS}, "not a readable"),
        "/no-guid-link-date": Fault({"body": chaos.NO_IDS}, None, 1),
        "/scripts-in-titles": Fault({"body": chaos.SCRIPTS}, None, 1),
    }


@pytest.fixture
def endless():
    server = chaos.EndlessServer().start()
    yield server
    server.stop()


async def test_poll_cycle_survives_hostile_feeds_and_delivers_the_release(
    tmp_path, feed_server, endless, monkeypatch, figures
):
    table = faults(feed_server.url)
    urls = {path: feed_server.set(path, **fault.route) for path, fault in table.items()}
    table["/endless"] = Fault({}, f"larger than {MAX_FEED_BYTES}")
    urls["/endless"] = endless.url
    healthy = feed_server.set("/healthy", body=rss([ANNOUNCE]))
    feeds = (
        FeedConfig(name="Healthy", url=healthy, lang="es"),
        *(FeedConfig(name=path.strip("/"), url=url) for path, url in urls.items()),
    )
    config = Config(
        database=tmp_path / "rw.db",
        feeds=feeds,
        allow_private_feed_urls=True,
        request_timeout=REQUEST_TIMEOUT,
        max_feed_bytes=MAX_FEED_BYTES,
        max_concurrent_fetches=len(feeds),
    )
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)  # the release is news, not a feed's first-fetch backlog
    store.subscribe("console", "staff", "es")

    # observe (never alter) the deadline the pipeline gives each fetch
    deadlines: list[float] = []
    real_fetch = bot.pipeline.fetch

    async def observed_fetch(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        deadlines.append(kwargs["deadline"])
        return await real_fetch(*args, **kwargs)

    monkeypatch.setattr(bot.pipeline, "fetch", observed_fetch)
    out = io.StringIO()
    try:
        async with make_client(config.request_timeout) as client:
            pipeline = Pipeline(store, config, client)
            loop = asyncio.get_running_loop()
            started = loop.time()
            # a hung cycle fails here instead of hanging the suite
            report = await asyncio.wait_for(pipeline.poll(), timeout=120)
            elapsed = loop.time() - started
        delivery = await Deliverer(store, {"console": ConsoleNotifier(out)}).drain()
        rows = {
            r[1]: r
            for r in query(
                config.database,
                "SELECT id, name, error_count, last_error, last_success, items_seen FROM feeds",
            )
        }
        titles = {
            r[0]: r[1:]
            for r in query(
                config.database,
                "SELECT f.name, i.title, i.link, i.guid FROM items i JOIN feeds f ON f.id = i.feed_id",
            )
        }
    finally:
        store.close()

    errors = sum(1 for f in table.values() if f.error)
    # every feed was fetched concurrently (one wave), each within the same deadline; parsing and
    # ingesting what came back may take one more request timeout
    assert len(deadlines) == len(feeds) and len(set(deadlines)) == 1
    budget = deadlines[0] + config.request_timeout
    figures.add(
        f"chaos feeds: {len(table)} hostile + 1 healthy",
        f"{errors} recorded as feed errors, {len(table) - errors} handled",
        sent=delivery.sent,
        expected=1,
        lost=1 - min(delivery.sent, 1),
        duplicated=max(0, delivery.sent - 1),
        note=f"cycle {elapsed:.1f} s; fetch deadline {deadlines[0]:g} s",
    )
    assert elapsed <= budget, f"the cycle took {elapsed:.1f} s, over its {budget:g} s budget"

    # the release went out, once
    assert report.alerts_queued == 1 and delivery.sent == 1
    assert "87" in out.getvalue()
    assert report.feeds_polled == len(feeds)
    assert report.feeds_failed == errors, " ".join(n for n, r in rows.items() if not r[3])

    # every fault is a recorded feed error, or handled with its readable items kept
    for path, fault in table.items():
        _, _, error_count, last_error, last_success, items_seen = rows[path.strip("/")]
        if fault.error:
            assert error_count == 1 and fault.error in (last_error or ""), (path, last_error)
            assert items_seen == 0, path
        else:
            assert error_count == 0 and last_success, (path, last_error)
            assert items_seen == fault.items, (path, items_seen)
    assert rows["Healthy"][2] == 0

    # hostile markup is reduced to plain text; script links are dropped; declared encodings
    # that lie do not turn accents into mojibake
    title, link, _guid = titles["scripts-in-titles"]
    assert title == "Hola mundo" and link == ""
    assert not any(c in title for c in "<>") and "alert" not in title
    assert titles["wrong-encoding"][0] == "Crónica del día en Mérida: lluvias y tráfico"
    assert titles["latin1-declared-utf8"][0] == "Pronóstico: sol en Maracaibo"
    assert titles["no-guid-link-date"][1:] == ("", None)


async def test_gzip_bomb_stops_at_the_cap_without_inflating_in_memory(feed_server):
    bomb_mb = 256
    url = feed_server.set(
        "/bomb",
        body=chaos.gzip_bomb(bomb_mb),
        headers={"Content-Encoding": "gzip", "Connection": "close"},  # no keep-alive read after the abort
    )
    async with make_client(REQUEST_TIMEOUT) as client:
        tracemalloc.start()
        try:
            res = await fetch(client, url, max_bytes=MAX_FEED_BYTES, deadline=REQUEST_TIMEOUT * 3)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert res.status == "error" and f"larger than {MAX_FEED_BYTES}" in (res.error or "")
    # the cap holds in memory too: a few times the cap, not a network read inflated ~1000-fold
    assert peak < 8 * MAX_FEED_BYTES, f"peak {peak / 1e6:.0f} MB while reading a {bomb_mb} MB bomb"


async def test_failing_feed_backs_off_and_is_reported_to_staff_once(tmp_path, feed_server, figures):
    interval = 60
    broken = feed_server.set("/broken", body=b"<html>maintenance</html>", status=503)
    healthy = feed_server.set("/healthy", body=rss([ANNOUNCE]))
    config = Config(
        database=tmp_path / "rw.db",
        allow_private_feed_urls=True,
        request_timeout=REQUEST_TIMEOUT,
        feeds=(
            FeedConfig(name="Broken", url=broken, interval=interval),
            FeedConfig(name="Healthy", url=healthy, interval=interval),
        ),
    )
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    polls = FAILING_STREAK + 5
    gaps: list[float] = []
    reported: list[int] = []
    try:
        async with make_client(config.request_timeout) as client:
            pipeline = Pipeline(store, config, client, clock=lambda: now)
            for n in range(1, polls + 1):
                report = await pipeline.poll()
                if "Broken" in report.newly_failing:
                    reported.append(n)
                assert "Healthy" not in report.newly_failing
                feed = next(f for f in store.feeds() if f.name == "Broken")
                assert feed.error_count == n
                due = feed.next_attempt
                assert due is not None
                gaps.append((due - now).total_seconds())
                # just before it is due, the feed is left alone
                now = due - timedelta(seconds=1)
                await pipeline.poll()
                assert feed_server.hits("/broken") == n
                now = due
    finally:
        store.close()

    figures.add(
        "failing feed, 15 polls",
        f"HTTP 503 on every poll; reported after poll {reported}",
        note=f"backoff {gaps[0]:.0f} s -> {max(gaps):.0f} s",
    )
    # the wait doubles (with jitter) up to its cap, and never exceeds MAX_BACKOFF
    assert all(later > earlier for earlier, later in zip(gaps[:6], gaps[1:7], strict=True)), gaps
    assert all(g <= MAX_BACKOFF.total_seconds() for g in gaps), gaps
    assert gaps[0] >= interval * 0.9
    # staff hear about it once, when the streak is reached, not on every later poll
    assert reported == [FAILING_STREAK]
