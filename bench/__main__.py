"""`python -m bench [--quick] [--only NAME ...] [--out FILE]`: run the figures, print the table,
write bench/results.json. See bench/README.md for what each figure measures."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import Result

HERE = Path(__file__).resolve().parent

# name -> (full sizes, quick sizes); each runner returns one or more Results
SIZES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "fanout": ({"runs": [(30, 600, (32,)), (1000, 10_000, (32, 1, 128))]},
               {"runs": [(30, 120, (32,)), (1000, 3_000, (32,))]}),
    "latency": ({"items": 50, "poll": 2.0}, {"items": 5, "poll": 1.0}),
    "publish": ({"items": 40}, {"items": 8}),
    "pipeline": ({"feeds": 200, "per_feed": 100, "repeats": 3}, {"feeds": 10, "per_feed": 100, "repeats": 2}),
    "poll": ({"feeds": 500, "per_feed": 20, "slow_delay": 2.0, "concurrencies": (16, 64)},
             {"feeds": 100, "per_feed": 10, "slow_delay": 1.0, "concurrencies": (16, 64)}),
    "memory": ({"feeds": 500, "items": 50_000, "subscribers": 20_000, "cycles": 10, "poll": 2.0, "scale": 10,
                "base": True},
               {"feeds": 50, "items": 5_000, "subscribers": 2_000, "cycles": 10, "poll": 0.3, "scale": 10,
                "base": False}),
}


async def _fanout(s: dict[str, Any]) -> list[Result]:
    from bench import fanout

    return [await fanout.measure(rate, n, concurrencies) for rate, n, concurrencies in s["runs"]]


async def _latency(s: dict[str, Any]) -> list[Result]:
    from bench import latency

    return [await latency.measure(s["items"], s["poll"])]


async def _publish(s: dict[str, Any]) -> list[Result]:
    from bench import publish

    return await publish.measure(s["items"])


async def _pipeline(s: dict[str, Any]) -> list[Result]:
    from bench import pipeline_cost

    return await pipeline_cost.measure(s["feeds"], s["per_feed"], repeats=s["repeats"])


async def _poll(s: dict[str, Any]) -> list[Result]:
    from bench import poll_cycle

    return [await poll_cycle.measure(s["feeds"], s["per_feed"], s["slow_delay"], s["concurrencies"])]


async def _memory(s: dict[str, Any]) -> list[Result]:
    from bench import memory

    return memory.measure(**s)


RUNNERS: dict[str, Callable[[dict[str, Any]], Coroutine[Any, Any, list[Result]]]] = {
    "fanout": _fanout, "latency": _latency, "publish": _publish, "pipeline": _pipeline, "poll": _poll,
    "memory": _memory,
}


def table(results: list[Result]) -> str:
    rows = [("fig", "figure", "value", "reference", "ratio", "target", "ok")]
    for r in results:
        ok = "-" if r.ok is None else ("yes" if r.ok else "NO")
        rows.append((str(r.figure), r.title, f"{r.value:g}", f"{r.reference:g}", f"{r.ratio:g}", r.target, ok))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="every figure at a smaller size (under a minute)")
    ap.add_argument("--only", nargs="+", choices=sorted(RUNNERS), help="run only these figures")
    ap.add_argument("--out", type=Path, default=HERE / "results.json", help="results file (default bench/results.json)")
    args = ap.parse_args(argv)
    # the adapters log every 429 with a traceback; the figures count them instead
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("telegram").setLevel(logging.CRITICAL)
    results: list[Result] = []
    timings = {}
    started = time.monotonic()
    for name in args.only or list(RUNNERS):
        sizes = SIZES[name][1 if args.quick else 0]
        t0 = time.monotonic()
        print(f"running {name} …", file=sys.stderr, flush=True)
        got = asyncio.run(RUNNERS[name](sizes))
        timings[name] = round(time.monotonic() - t0, 1)
        results.extend(got)
        for r in got:
            print(f"  {r.title}: {r.value:g} vs {r.reference:g} → {r.ratio:g} ({timings[name]} s)",
                  file=sys.stderr, flush=True)
    print(table(results))
    data = {
        "meta": {"mode": "quick" if args.quick else "full", "when": datetime.now(UTC).isoformat(timespec="seconds"),
                 "python": platform.python_version(), "machine": platform.machine(),
                 "seconds": round(time.monotonic() - started, 1), "seconds_by_figure": timings},
        **{r.key: r.to_json() for r in results},
    }
    if args.only and args.out.exists():  # keep the other figures of an earlier full run
        try:
            old = json.loads(args.out.read_text())
            data = {**old, **data}
        except ValueError:
            pass
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
