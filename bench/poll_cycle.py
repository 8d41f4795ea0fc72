"""Figure 4 — poll cycle wall time vs the slowest feed's own time.

F feeds on a loopback server in its own process (10% answer after a delay D, 5% fail: HTTP 500
or a body cut short, half send an ETag), polled by the real Pipeline.poll() with the client the
service builds (bot.feeds.make_client). A first, cold cycle stores every item (reported in
`details`); each measured cycle then follows a steady change: 10% of the healthy feeds carry one
new item, the rest are unchanged (304 with an ETag, the same bytes without). A clock that jumps
a day between cycles makes every feed due, failing ones included.

reference = the slowest feed fetched and parsed alone (median of three), i.e. D plus its
parse: no cycle can be shorter. The cycle is measured at the default max_concurrent_fetches
and at larger settings; the best is the figure, all are in `details`.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench._common import Child, Result, median, rounded
from bot.config import Config, FeedConfig
from bot.feeds import fetch, make_client
from bot.pipeline import Pipeline
from bot.store import Store, utcnow


class _Clock:
    """Real time plus an offset the benchmark moves forward to make every feed due."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self):  # noqa: ANN204
        return utcnow() + self.offset


async def measure(feeds: int, per_feed: int, slow_delay: float, concurrencies: tuple[int, ...] = (16, 64)) -> Result:
    server = Child("bench._feedserver", "--feeds", str(feeds), "--items", str(per_feed),
                   "--slow-share", "0.1", "--slow-delay", str(slow_delay), "--fail-share", "0.05",
                   "--etag-share", "0.5", "--lifetime", "900")
    try:
        base = server.info["url"]
        config = Config(
            allow_private_feed_urls=True,
            feeds=tuple(FeedConfig(name=f"Outlet{i}", url=f"{base}/feed/{i}", lang="es" if i % 2 == 0 else "en")
                        for i in range(feeds)),
            max_concurrent_fetches=concurrencies[0],
        )
        clock = _Clock()
        with tempfile.TemporaryDirectory(prefix="rw-bench-") as tmp:
            config = replace(config, database=Path(tmp) / "rw.db")
            store = Store(config.database)
            try:
                store.sync_feeds(config.feeds)
                async with make_client(config.request_timeout) as client:
                    pipeline = Pipeline(store, config, client, clock=clock)
                    t0 = time.perf_counter()
                    cold = await pipeline.poll()
                    cold_s = time.perf_counter() - t0
                    cycles: dict[str, dict[str, Any]] = {}
                    for c in concurrencies:
                        pipeline.config = replace(config, max_concurrent_fetches=c)
                        server.ask(f"advance {max(1, feeds // 10)}")
                        clock.offset += timedelta(days=1)
                        t0 = time.perf_counter()
                        rep = await pipeline.poll()
                        wall = time.perf_counter() - t0
                        cycles[str(c)] = {"wall_s": rounded(wall, 4), "feeds_polled": rep.feeds_polled,
                                          "failed": rep.feeds_failed, "not_modified": rep.not_modified,
                                          "new_items": rep.new_items}
                    alone = []
                    for _ in range(3):
                        res = await fetch(client, f"{base}/feed/{server.info['slow'][0]}",
                                          deadline=config.request_timeout * 3) if server.info["slow"] else None
                        alone.append(res.seconds if res else 0.0)
            finally:
                store.close()
    finally:
        server.close()
    reference = median(alone)
    best = min(cycles, key=lambda c: cycles[c]["wall_s"])
    ratio = cycles[best]["wall_s"] / reference
    default = str(concurrencies[0])
    return Result(
        key="poll_cycle", figure=4, title=f"poll cycle, {feeds} feeds, concurrency {best}",
        value=rounded(cycles[best]["wall_s"]), reference=rounded(reference), ratio=rounded(ratio),
        units={"value": "s wall time of one steady Pipeline.poll() cycle",
               "reference": "s to fetch and parse the slowest feed alone", "ratio": "cycle / slowest feed"},
        target="≤ 1.5", ok=ratio <= 1.5,
        sizes={"feeds": feeds, "items_per_feed": per_feed, "slow": len(server.info["slow"]),
               "slow_delay_s": slow_delay, "failing": len(server.info["failing"]),
               "with_etag": server.info["etag"], "max_concurrent_fetches": int(best)},
        details={"by_concurrency": cycles,
                 "default_concurrency_ratio": rounded(cycles[default]["wall_s"] / reference),
                 "cold_cycle_s": rounded(cold_s), "cold_cycle_new_items": cold.new_items,
                 "cold_cycle_ratio": rounded(cold_s / reference), "slowest_alone_runs_s": [rounded(a, 4) for a in alone]},
    )
