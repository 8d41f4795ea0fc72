"""Figure 2, publish → phone: from the moment an outlet publishes to the family's sendMessage, p50/p95,
for the two ways news can reach the bot faster than the default poll (issue 25).

WebSub, real time. The real Service (scheduler, pipeline, WebSub subscriber on its web server,
outbox, Telegram platform) subscribes at a loopback hub (bench/_hub.py, its own process, which
is also the publisher's site). Each item is published on the hub's /live feed at a random moment
of its own 2-second slot and the hub is pinged: it fetches /live and pushes it, signed, to the
bot's callback. The feed is otherwise polled hourly, so every alert came by push.

Priority feed, controlled clock. The same Service with the shipped defaults and the feed marked
`priority = true`. Waiting 60 s per poll for real would make the figure take an hour, so the
bot's wall clock is a controlled one (pipeline, outbox, clock-step watch): the scheduler's ticks
(Service.tick_seconds() with those defaults: 60 s) are stepped through one by one, and each item
is published at a uniformly random moment of its own slot of two ticks, so every phase of the
tick is equally likely. Every tick runs a real poll cycle (a real conditional GET, mostly
answered 304) and, when something was published, a real delivery to the emulator. latency =
(tick time − publication time, on the controlled clock) + (real time from the start of that poll
cycle to the emulator's receipt of the sendMessage). Only the idle time between ticks is skipped
(after each delivery the bench still waits 1.2 s of real time, so that Telegram's per-chat limit
of one message a second, kept on the real clock, sees the minutes that passed).
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._common import Child, Result, pct, rounded
from bot.config import Config, FeedConfig, TelegramConfig, WebConfig
from bot.platforms.telegram import TelegramPlatform
from bot.service import Service
from bot.store import Store

CHAT = 500_000_002
WEBSUB_TARGET = 2.0  # s, p95
PRIORITY_P50, PRIORITY_P95 = 45.0, 65.0  # s


async def _wait_for(pred, timeout: float, step: float = 0.02) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await pred():
            return True
        await asyncio.sleep(step)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _received(emu: Child) -> list[tuple[float, str]]:
    return sorted((t, text) for t, chat, text in emu.ask("texts")["texts"] if chat == CHAT)


def _arrival(sends: list[tuple[float, str]], seq: int, after: float) -> float | None:
    number = str(1000 + 7 * seq)  # bench.synth.release_item's count for item seq
    return next((t for t, text in sends if t >= after and number in re.sub(r"[.,\u00a0\u202f ]", "", text or "")),
                None)


def _sent(emu: Child) -> int:
    return int(emu.ask("stats")["sent"])


async def websub(items: int, seed: int = 13) -> Result:
    """publish → phone through the loopback hub, in real time."""
    life = str(items * 2 + 300)
    hub = Child("bench._hub", "--lifetime", life)
    emu = Child("bench._emulator", "--lifetime", life)
    rng = random.Random(seed)
    published: list[float] = []
    answers: list[int] = []
    try:
        with tempfile.TemporaryDirectory(prefix="rw-bench-") as tmp:
            port = _free_port()
            config = Config(
                database=Path(tmp) / "rw.db", poll_interval=3600, min_interval=3600, max_interval=3600,
                allow_private_feed_urls=True, request_timeout=5.0,  # the hub is on 127.0.0.1, over http
                feeds=(FeedConfig(name="Live", url=hub.info["topic"], lang="es"),),
                telegram=TelegramConfig(enabled=True, api_base_url=emu.info["url"]),
                web=WebConfig(enabled=True, host="127.0.0.1", port=port, public_url=f"http://127.0.0.1:{port}/"),
            )
            store = Store(config.database)
            store.subscribe("telegram", str(CHAT), "es")
            service = Service(config, store, [TelegramPlatform(config, store, token=emu.info["token"])])
            task = asyncio.create_task(service.run(install_signals=False))
            try:
                async def subscribed() -> bool:
                    return service.cycles >= 1 and int((await asyncio.to_thread(hub.ask, "subs"))["subs"]) >= 1

                if not await _wait_for(subscribed, 60, step=0.1):
                    raise RuntimeError("the service did not subscribe at the loopback hub within 60 s")
                before = await asyncio.to_thread(_sent, emu)
                start = time.monotonic()
                for k in range(items):
                    at = start + 2.0 * k + rng.uniform(0, 1.0)
                    await asyncio.sleep(max(0.0, at - time.monotonic()))
                    when = datetime.now(UTC).isoformat()
                    answer = await asyncio.to_thread(hub.ask, f"publish {k} {when} ping")
                    published.append(float(answer["t"]))
                    answers += answer["answers"]

                async def delivered() -> bool:
                    return await asyncio.to_thread(_sent, emu) >= before + items

                await _wait_for(delivered, 30, step=0.1)
                pushes = sum(row.pushes for row in store.websub_rows())
                polls = service.cycles
            finally:
                service.stop()
                await asyncio.wait_for(task, 60)
                store.close()
        sends = _received(emu)
    finally:
        emu.close()
        hub.close()
    latencies = [t - p for k, p in enumerate(published) if (t := _arrival(sends, k, p)) is not None]
    missing = len(published) - len(latencies)
    p50, p95 = pct(latencies, 0.5), pct(latencies, 0.95)
    return Result(
        key="publish_websub", figure=2, title=f"publish → phone p95, WebSub via loopback hub, {items} items",
        value=rounded(p95), reference=WEBSUB_TARGET, ratio=rounded(p95 / WEBSUB_TARGET),
        units={"value": "s from publication to sendMessage at the emulator (p95)", "reference": "s target p95",
               "ratio": "p95 / target"},
        target=f"p95 ≤ {WEBSUB_TARGET:g} s", ok=missing == 0 and p95 <= WEBSUB_TARGET,
        sizes={"items": items, "subscribers": 1, "feeds": 1},
        details={"p50_s": rounded(p50), "max_s": rounded(max(latencies, default=0)),
                 "min_s": rounded(min(latencies, default=0)), "missing": missing, "pushes_taken_in": pushes,
                 "hub_saw": sorted(set(answers)), "poll_cycles": polls, "clock": "real time"},
    )


class _Clock:
    """The bot's wall clock, stepped by the bench from tick to tick."""

    def __init__(self, start: datetime) -> None:
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:  # for the clock-step watch: no step, the controlled clock is the only one
        return (self.now - self.start).total_seconds()


class _Driven(Service):
    """The service with its poll tick taken over by the bench (the first cycle still runs at start)."""

    def tick_seconds(self) -> int:
        return 10**6

    def until_due(self) -> float:
        return 10.0**6


async def priority(items: int, seed: int = 17) -> Result:
    """publish → phone for a priority feed polled with the shipped defaults, on a controlled clock."""
    hub = Child("bench._hub", "--lifetime", str(items * 10 + 300))
    emu = Child("bench._emulator", "--lifetime", str(items * 10 + 300))
    rng = random.Random(seed)
    latencies: list[float] = []
    waits: list[float] = []
    not_modified = polls = 0
    try:
        with tempfile.TemporaryDirectory(prefix="rw-bench-") as tmp:
            # the shipped defaults; private addresses allowed only because the feed is on 127.0.0.1
            config = Config(database=Path(tmp) / "rw.db", allow_private_feed_urls=True,
                            feeds=(FeedConfig(name="NGO", url=hub.info["topic"], lang="es", priority=True),),
                            telegram=TelegramConfig(enabled=True, api_base_url=emu.info["url"]))
            store = Store(config.database)
            store.subscribe("telegram", str(CHAT), "es")
            service = _Driven(config, store, [TelegramPlatform(config, store, token=emu.info["token"])])
            # the real scheduler wakes when the feed falls due: every 60 s for a priority feed
            tick = Service.tick_seconds(service)
            clock = _Clock(datetime.now(UTC).replace(microsecond=0))
            service.pipeline.clock = service.deliverer.clock = service.steps.wall = clock
            service.steps.monotonic = clock.monotonic
            service.steps.step()  # forget the offset taken at construction, on the real clock
            task = asyncio.create_task(service.run(install_signals=False))
            try:
                async def started() -> bool:
                    return service.cycles >= 1

                if not await _wait_for(started, 60, step=0.1):
                    raise RuntimeError("the service did not finish its first poll cycle within 60 s")
                t0 = clock.now
                publish = [t0 + timedelta(seconds=tick * (2 * k + rng.random())) for k in range(items)]
                sent = await asyncio.to_thread(_sent, emu)
                k = 0
                for j in range(1, 2 * items + 1):
                    at = t0 + timedelta(seconds=tick * j)
                    fresh = []
                    while k < items and publish[k] < at:
                        await asyncio.to_thread(hub.ask, f"publish {k} {publish[k].isoformat()}")
                        fresh.append(k)
                        k += 1
                    clock.now = at
                    began = time.monotonic()
                    report = await service.poll_once()
                    polls += 1
                    not_modified += report.not_modified
                    if not fresh:
                        continue
                    sent += len(fresh)

                    async def delivered(target: int = sent) -> bool:
                        return await asyncio.to_thread(_sent, emu) >= target

                    await _wait_for(delivered, 30)
                    sends = await asyncio.to_thread(_received, emu)
                    for seq in fresh:
                        got = _arrival(sends, seq, began)
                        if got is not None:
                            wait = (at - publish[seq]).total_seconds()
                            waits.append(wait)
                            latencies.append(wait + got - began)
                    # minutes pass between items on the controlled clock; in real time let the
                    # platform's per-chat limit (one message a second) forget the last send too
                    await asyncio.sleep(1.2)
            finally:
                service.stop()
                await asyncio.wait_for(task, 60)
                store.close()
    finally:
        emu.close()
        hub.close()
    missing = items - len(latencies)
    p50, p95 = pct(latencies, 0.5), pct(latencies, 0.95)
    processing = [lat - w for lat, w in zip(latencies, waits, strict=True)]
    return Result(
        key="publish_priority", figure=2,
        title=f"publish → phone p95, priority feed, shipped defaults (controlled clock), {items} items",
        value=rounded(p95), reference=PRIORITY_P95, ratio=rounded(p95 / PRIORITY_P95),
        units={"value": "s from publication to sendMessage (p95): controlled-clock wait for the poll + real "
                        "poll-to-sendMessage time", "reference": "s target p95", "ratio": "p95 / target"},
        target=f"p50 ≤ {PRIORITY_P50:g} s, p95 ≤ {PRIORITY_P95:g} s",
        ok=missing == 0 and p50 <= PRIORITY_P50 and p95 <= PRIORITY_P95,
        sizes={"items": items, "subscribers": 1, "feeds": 1, "tick_s": tick},
        details={"p50_s": rounded(p50), "max_s": rounded(max(latencies, default=0)), "missing": missing,
                 "poll_to_phone_p50_s": rounded(pct(processing, 0.5)),
                 "poll_to_phone_max_s": rounded(max(processing, default=0)),
                 "poll_cycles": polls, "answered_304": not_modified, "clock": "controlled (ticks stepped)"},
    )


async def measure(items: int) -> list[Result]:
    return [await websub(items), await priority(items)]
