"""Child process: what `releasewatch run --config FILE` runs (bot.cli.cmd_run), with the poll tick
shortened to --tick seconds so ten cycles take seconds, not minutes.

The config file is validated as usual (poll_interval ≥ 30 s); only the in-memory copy gets the
short interval (and min_interval and max_interval: every feed is polled at every tick), and the
service's 10 s floor on its tick is lifted. Logs go to stderr as in
production; the memory figure counts the "poll cycle done" lines.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace

from bot.cli import _platforms
from bot.config import load_config
from bot.logs import setup_logging
from bot.service import Service
from bot.store import Store


class _ShortTick(Service):
    def tick_seconds(self) -> float:  # type: ignore[override]
        return float(self.config.poll_interval)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--tick", type=float, required=True)
    args = ap.parse_args()
    # every feed polled at every tick, whatever the rhythm it learns (bot/cadence.py), as before
    config = replace(load_config(args.config), poll_interval=args.tick, min_interval=args.tick, max_interval=args.tick)
    setup_logging(config.log_format, False)
    store = Store(config.database)
    try:
        service = _ShortTick(config, store, _platforms(config, store))
        asyncio.run(service.run())
    finally:
        store.close()


if __name__ == "__main__":
    main()
