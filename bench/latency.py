"""Figure 2 — feed-to-phone latency, relative to the poll interval.

The real Service (bot.service.Service: its monotonic poll job, pipeline, outbox worker, Telegram
platform with polling) runs against a loopback feed server and the Bot API emulator, both in
their own processes, with one subscribed chat. Items are published on the /live feed one at a
time, each at a random moment of its own slot of two poll intervals (so any phase of the poll
tick is equally likely and two items never share a cycle); each is a confirmation that opens a
new event, so it makes exactly one sendMessage. latency = emulator receive time − publication
time (both time.monotonic, one clock for all processes on Linux).

The service floors its tick at 10 s and the config validates poll_interval ≥ 30 s; the bench
builds Config directly with a short interval P (poll_interval, min_interval and max_interval: the
rhythm the live feed shows would otherwise slow its polls, bot/cadence.py) and a Service whose
tick is P, nothing else. bench/publish.py has the publish → phone rows for WebSub and priority feeds.
"""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import Child, Result, pct, rounded
from bot.config import Config, FeedConfig, TelegramConfig
from bot.platforms.telegram import TelegramPlatform
from bot.service import Service
from bot.store import Store

CHAT = 500_000_001


class BenchService(Service):
    def tick_seconds(self) -> float:  # type: ignore[override]
        return float(self.config.poll_interval)


async def _wait_for(pred, timeout: float, step: float = 0.05) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await pred():
            return True
        await asyncio.sleep(step)
    return False


async def measure(items: int, poll: float, background_feeds: int = 4, seed: int = 11) -> Result:
    emu = Child("bench._emulator", "--lifetime", str(items * poll * 2 + 300))
    # background outlets carry ordinary news only: their alerts would queue ahead in the one chat
    feeds = Child("bench._feedserver", "--feeds", str(background_feeds), "--items", "10", "--etag-share", "0.5",
                  "--release-share", "0", "--lifetime", str(items * poll * 2 + 300))
    rng = random.Random(seed)
    published: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="rw-bench-") as tmp:
            base = feeds.info["url"]
            config = Config(
                # every feed at every tick P, whatever the rhythm it learns: the figure is the poll's
                database=Path(tmp) / "rw.db", poll_interval=poll, min_interval=poll, max_interval=poll,  # type: ignore[arg-type]
                allow_private_feed_urls=True,
                request_timeout=5.0,
                feeds=(FeedConfig(name="Live", url=f"{base}/live", lang="es"),
                       *(FeedConfig(name=f"Outlet{i}", url=f"{base}/feed/{i}") for i in range(background_feeds))),
                telegram=TelegramConfig(enabled=True, api_base_url=emu.info["url"]),
            )
            store = Store(config.database)
            store.subscribe("telegram", str(CHAT), "es")
            platforms: list[Any] = [TelegramPlatform(config, store, token=emu.info["token"])]
            service = BenchService(config, store, platforms)
            task = asyncio.create_task(service.run(install_signals=False))
            try:
                async def warmed() -> bool:
                    return service.cycles >= 2

                if not await _wait_for(warmed, 60):
                    raise RuntimeError("the service did not finish two poll cycles within 60 s")
                before = int((await asyncio.to_thread(emu.ask, "stats"))["sent"])
                start = time.monotonic()
                for k in range(items):
                    at = start + 2 * poll * k + rng.uniform(0, poll)
                    await asyncio.sleep(max(0.0, at - time.monotonic()))
                    answer = await asyncio.to_thread(feeds.ask, f"publish {k}")
                    published.append(float(answer["t"]))

                async def delivered() -> bool:
                    stats = await asyncio.to_thread(emu.ask, "stats")
                    return int(stats["sent"]) >= before + items

                await _wait_for(delivered, 3 * poll + 30, step=0.2)
                cycles = service.cycles
            finally:
                service.stop()
                await asyncio.wait_for(task, 60)
                store.close()
        texts = emu.ask("texts")["texts"]
    finally:
        emu.close()
        feeds.close()
    sends = sorted((t, text) for t, chat, text in texts if chat == CHAT)
    latencies = []
    for k, t_pub in enumerate(published):
        number = str(1000 + 7 * k)  # bench.synth.release_item's count for item k
        hit = next((t for t, text in sends if t >= t_pub and number in re.sub(r"[.,\u00a0\u202f ]", "", text or "")),
                   None)
        if hit is not None:
            latencies.append(hit - t_pub)
    missing = len(published) - len(latencies)
    p50, p95 = pct(latencies, 0.5), pct(latencies, 0.95)
    return Result(
        key="latency", figure=2, title=f"feed-to-phone p95, poll {poll:g} s, {items} items",
        value=rounded(p95), reference=poll, ratio=rounded(p95 / poll),
        units={"value": "s from publication on the feed to sendMessage at the emulator (p95)",
               "reference": "s poll interval", "ratio": "p95 / poll interval"},
        target=f"p95 ≤ poll interval + 1 s (ratio ≤ {1 + 1 / poll:.2g})",
        ok=missing == 0 and p95 <= poll + 1.0,
        sizes={"items": items, "poll_interval_s": poll, "subscribers": 1, "feeds": background_feeds + 1},
        details={"p50_s": rounded(p50), "p50_ratio": rounded(p50 / poll), "max_s": rounded(max(latencies, default=0)),
                 "min_s": rounded(min(latencies, default=0)), "missing": missing, "cycles": cycles},
    )
