"""Figure 5 — memory of the running service, by load and across cycles.

A `releasewatch run` process (bench/_service.py: the same code path, with a short poll tick)
runs against a loopback feed server and the Bot API emulator, both in their own processes, on a
database prepared beforehand with S stored items and U subscribers (Telegram chats). F feeds
serve 20 items each (all already stored, as in steady state; half send an ETag, 5% fail), a
few feeds get a new item after every cycle, and the first cycle carries one release that fans
out to every subscriber (delivery at the default 30 messages/s goes on during the cycles).

RSS (VmRSS) is read from /proc/<pid>/status after every cycle, and the peak (VmHWM) after cycle
C (10). The run is repeated at 1/scale of the load (and, in the full run, with no load at all, to
separate the interpreter's and libraries' fixed cost from growth).

Growth across cycles is judged on cycles C to 2·C at full load, beside the first C: in the first
cycles RSS rises by a few MB and then stays flat. That rise is CPython's small-object allocator
settling, not data kept: measured with sys._debugmallocstats at cycles 3 and 12, the bytes in
live Python blocks stayed at 39.8-40.0 MB while free pools pinned in partly used 1 MiB arenas
grew from 3 to 10 MB, up to the arena high-water mark already reached at cycle 3.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench._common import ROOT, Child, Result, proc_status, rounded
from bench.synth import Generator
from bot.feedtext import plain_text
from bot.items import Item
from bot.store import Store, utcnow

PER_FEED = 20
GRACE = 10.0  # seconds the service gets to stop after SIGTERM (finishing the sends in flight) before it is killed
SEED = 5  # the feed server's default seed: the same items, the same ids


def _prepare(db: Path, base_url: str, feeds: int, items: int, subscribers: int) -> list[tuple[str, str]]:
    """The feeds (name, url), and a database holding `items` items and `subscribers` chats."""
    urls = [("Live", f"{base_url}/live")] + [(f"Outlet{i}", f"{base_url}/feed/{i}") for i in range(feeds)]
    store = Store(db)
    try:
        from bot.config import FeedConfig

        store.sync_feeds([FeedConfig(name=n, url=u) for n, u in urls])
        ids = {f.url: f.id for f in store.feeds()}
        gen = Generator(seed=SEED)

        def row(feed: int, index: int) -> Item:
            it = gen.item(feed, index)
            return Item(it.guid, it.link, it.title, plain_text(it.description, 4000), it.published, it.lang,
                        feed_id=ids[f"{base_url}/feed/{feed}"])

        now = utcnow()
        # every feed was read before (steady state): the release published below is news, not a
        # first fetch's backlog, which would alert nobody (bot/freshness.py)
        store.db.execute("UPDATE feeds SET first_fetch=?", [now.isoformat(timespec="seconds")])
        # what the feeds serve now is stored already (steady state) …
        current = [row(f, i) for f in range(feeds) for i in range(PER_FEED)]
        for start in range(0, len(current), 5000):
            store.add_items(current[start:start + 5000], now)
        # … and older items fill the table up to `items`
        index = 1_000_000
        while feeds and store.item_count() < items:
            need = items - store.item_count()
            batch = [row(k % feeds, index + k) for k in range(min(need, 5000))]
            index += len(batch)
            store.add_items(batch, now)
        with store.transaction():
            for i in range(subscribers):
                store.subscribe("telegram", str(400_000_000 + i), "es" if i % 2 else "en",
                                "confirmations" if i % 4 == 0 else "all")
    finally:
        store.close()
    return urls


def _config(path: Path, db: Path, urls: list[tuple[str, str]], emu_url: str, rate: float) -> None:
    lines = [f'database = "{db}"', "poll_interval = 30", "allow_private_feed_urls = true", "",
             "[telegram]", "enabled = true", f'api_base_url = "{emu_url}"', f"messages_per_second = {rate}", ""]
    for name, url in urls:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{url}"', ""]
    path.write_text("\n".join(lines))


def run_service(feeds: int, items: int, subscribers: int, cycles: int, poll: float,
                rate: float = 30.0, peak_at: int | None = None) -> dict[str, Any]:
    """Run the service for `cycles` cycles; the peak RSS is read after cycle `peak_at` (the last)."""
    peak_at = peak_at or cycles
    lifetime = str(cycles * poll * 4 + 600)
    emu = Child("bench._emulator", "--lifetime", lifetime, "--global-rate", str(rate), "--max-sent", "50000")
    server = Child("bench._feedserver", "--feeds", str(max(feeds, 1)), "--items", str(PER_FEED),
                   "--seed", str(SEED), "--fail-share", "0.05", "--etag-share", "0.5", "--lifetime", lifetime)
    samples: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="rw-bench-") as tmp:
            db = Path(tmp) / "rw.db"
            t0 = time.monotonic()
            urls = _prepare(db, server.info["url"], feeds, items, subscribers)
            samples["prepare_s"] = rounded(time.monotonic() - t0)
            conf = Path(tmp) / "config.toml"
            _config(conf, db, urls, emu.info["url"], rate)
            server.ask("publish 0")  # one release: the first cycle fans it out to every subscriber
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": emu.info["token"],
                   "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
            env.pop("RELEASEWATCH_KEY", None)
            proc = subprocess.Popen([sys.executable, "-m", "bench._service", "--config", str(conf), "--tick", str(poll)],
                                    cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
            lines: queue.Queue[str] = queue.Queue()
            tail: list[str] = []

            def pump() -> None:
                assert proc.stderr is not None
                for line in proc.stderr:
                    lines.put(line)

            threading.Thread(target=pump, daemon=True).start()
            done = 0
            deadline = time.monotonic() + cycles * poll * 4 + 300
            try:
                while done < cycles and time.monotonic() < deadline:
                    try:
                        line = lines.get(timeout=1.0)
                    except queue.Empty:
                        if proc.poll() is not None:
                            break
                        continue
                    tail = (tail + [line.rstrip()])[-5:]
                    if "poll cycle done" not in line:
                        continue
                    done += 1
                    st = proc_status(proc.pid)
                    samples.setdefault("rss_by_cycle_mb", []).append(rounded(st["VmRSS"] / 1024))
                    if done == 1:
                        samples["new_items_cycle_1"] = line.rsplit("new_items=", 1)[-1].split()[0]
                        samples["alerts_cycle_1"] = line.rsplit("alerts=", 1)[-1].split()[0]
                    if done == 2:
                        samples["rss_cycle_2_kb"] = st["VmRSS"]
                    if done == peak_at:
                        samples["rss_peak_at_kb"] = st["VmRSS"]
                        samples["hwm_kb"] = st["VmHWM"]
                    if done == cycles:
                        samples["rss_last_kb"] = st["VmRSS"]
                    if done < cycles:
                        server.ask(f"advance {max(1, feeds // 20)}")
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    stopping = time.monotonic()
                    try:
                        proc.wait(GRACE)
                        samples["exit_after_sigterm_s"] = rounded(time.monotonic() - stopping)
                    except subprocess.TimeoutExpired:
                        # Service.run waits up to 30 s for a broadcast in progress (see README)
                        proc.kill()
                        proc.wait(10)
                        samples["exit_after_sigterm_s"] = f"> {GRACE} (killed)"
            samples["cycles"] = done
            samples["sent_by_then"] = emu.ask("stats")["sent"]
            if done < cycles:
                raise RuntimeError(f"the service finished {done} of {cycles} cycles; last log lines: {tail}")
    finally:
        emu.close()
        server.close()
    return samples


def measure(feeds: int, items: int, subscribers: int, cycles: int, poll: float, scale: int,
            base: bool = True) -> list[Result]:
    big = run_service(feeds, items, subscribers, 2 * cycles, poll, peak_at=cycles)
    small = run_service(max(1, feeds // scale), items // scale, subscribers // scale, cycles, poll)
    zero = run_service(1, 0, 0, cycles, poll) if base else None
    mb = 1 / 1024
    big_mb, small_mb = big["hwm_kb"] * mb, small["hwm_kb"] * mb
    sizes = {"feeds": feeds, "items": items, "subscribers": subscribers, "cycles": cycles,
             "poll_s": poll, "scale": scale}
    details: dict[str, Any] = {"full_load": big, "small_load": small}
    ratio = big_mb / small_mb
    ok = ratio < scale
    target = f"sublinear: growth < {scale}× for {scale}× the load"
    if zero is not None:
        zero_mb = zero["hwm_kb"] * mb
        growth = (big_mb - zero_mb) / max(small_mb - zero_mb, 1e-9)
        per_10k = (big_mb - small_mb) / ((items - items // scale) / 10_000)
        details.update(no_load=zero, no_load_hwm_mb=rounded(zero_mb), growth_above_no_load_ratio=rounded(growth),
                       mb_per_10k_items_and_4k_subscribers=rounded(per_10k))
        ok = growth < scale
        target = f"sublinear: growth above a no-load run < {scale}× for {scale}× the load"
    load = Result(
        key="memory_load", figure=5, title=f"peak RSS, {feeds} feeds / {items} items / {subscribers} subs",
        value=rounded(big_mb), reference=rounded(small_mb), ratio=rounded(ratio),
        units={"value": "MB peak RSS (VmHWM) at full load", "reference": f"MB peak RSS at 1/{scale} of the load",
               "ratio": "full / small"},
        target=target, ok=ok, sizes=sizes, details=details)
    cyc_ratio = big["rss_last_kb"] / big["rss_peak_at_kb"]
    cycles_result = Result(
        key="memory_cycles", figure=5, title=f"RSS after cycle {2 * cycles} vs cycle {cycles} (full load)",
        value=rounded(big["rss_last_kb"] * mb), reference=rounded(big["rss_peak_at_kb"] * mb), ratio=rounded(cyc_ratio),
        units={"value": f"MB RSS after cycle {2 * cycles}", "reference": f"MB RSS after cycle {cycles}",
               "ratio": "late / early"},
        target="≤ 1.05 (no growth across cycles, once settled)", ok=cyc_ratio <= 1.05, sizes=sizes,
        details={f"settling_cycle_{cycles}_vs_2": rounded(big["rss_peak_at_kb"] / big["rss_cycle_2_kb"]),
                 f"small_load_cycle_{cycles}_vs_2": rounded(small["rss_last_kb"] / small["rss_cycle_2_kb"])})
    return [load, cycles_result]
