"""`releasewatch demo`: the whole pipeline offline. Serves the bundled sample feeds (bot/demo/*.xml,
written by us) from a loopback HTTP server, runs the real fetch, match, store, events and outbox
code against a temporary database, and prints the alerts and a /status summary to the console.
The sample items are months old, so a first run alerts nobody (old news is never a new alert):
the demo says so, then replays them as new news to show the alerts.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TextIO

import httpx

from .alerts import render_status
from .config import Config, FeedConfig
from .feeds import fetch, make_client
from .i18n import day, t
from .items import Item
from .notify import ConsoleNotifier
from .outbox import Deliverer
from .pipeline import Pipeline
from .store import FeedRow, Store

DEMO_FEEDS = {
    "noticias-caracas.xml": ("Noticias Caracas (demo)", "es"),
    "diario-del-sur.xml": ("Diario del Sur (demo)", "es"),
    "southern-wire.xml": ("Southern Wire (demo)", "en"),
    "andes-post.xml": ("Andes Post (demo)", "en"),
}


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = self.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # silence per-request logs
        pass


@contextmanager
def serve_files(files: dict[str, bytes]) -> Iterator[str]:
    """Serve files on a free loopback port for as long as the block runs; yields the base URL."""
    handler = type("DemoHandler", (_Handler,), {"files": files})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_files() -> dict[str, bytes]:
    folder = resources.files("bot") / "demo"
    return {name: (folder / name).read_bytes() for name in DEMO_FEEDS}


async def run_demo(lang: str = "en", out: TextIO | None = None, database: Path | None = None) -> int:
    """Run the demo; returns the number of alerts printed.

    Two ledgers. First, a first run as an operator would start one: the sample feeds' first fetch,
    whose items (all from past weeks) go into the ledger without alerting anyone. Then the same
    items, fetched again, replayed as new news into a fresh ledger: the alerts families would get.
    One line of the output says so, with the first run's numbers."""
    console = ConsoleNotifier(out, lang)
    with tempfile.TemporaryDirectory(prefix="releasewatch-demo-") as tmp:
        db_path = database or Path(tmp) / "demo.db"
        with serve_files(demo_files()) as base:
            feeds = tuple(FeedConfig(name=n, url=f"{base}/{f}", lang=lg) for f, (n, lg) in DEMO_FEEDS.items())
            config = Config(database=db_path, feeds=feeds, allow_private_feed_urls=True, request_timeout=10)
            async with make_client(config.request_timeout) as client:
                first = await _first_run(replace(config, database=Path(tmp) / "first-run.db"), client, lang)
                store = Store(db_path)
                try:
                    store.sync_feeds(config.feeds)
                    store.subscribe("console", "demo", lang)
                    print(first, file=console.stream)
                    report = Pipeline(store, config, client).ingest(await _fetch_all(store, config, client))
                    await Deliverer(store, {"console": console}).drain()
                    print("─" * 72, file=console.stream)
                    summary = t(lang, "demo.summary", feeds=len(config.feeds), items=report.new_items,
                                events=len(store.latest_events(100)), alerts=console.count)
                    status = render_status(store.latest_events(5), store.latest_tallies(2), lang,
                                           running=store.running_counts())
                    print(status.text, file=console.stream)
                    print("─" * 72, file=console.stream)
                    print(summary, file=console.stream)
                finally:
                    store.close()
    return console.count


async def _first_run(config: Config, client: httpx.AsyncClient, lang: str) -> str:
    """A first run on the sample feeds, as the service polls them; the line that says what it did."""
    store = Store(config.database)
    try:
        store.sync_feeds(config.feeds)
        store.subscribe("console", "first-run", lang)
        report = await Pipeline(store, config, client).poll()
        unseen = ConsoleNotifier(io.StringIO())
        await Deliverer(store, {"console": unseen}).drain()
        dates = store.db.execute("SELECT min(published), max(published) FROM items").fetchone()
    finally:
        store.close()
    span = " – ".join(day(lang, datetime.fromisoformat(d)) for d in dates if d)
    return t(lang, "demo.first_run", feeds=report.feeds_polled, items=report.backfilled, span=span, alerts=unseen.count,
             quiet=len(report.newly_quiet))


async def _fetch_all(store: Store, config: Config, client: httpx.AsyncClient) -> list[tuple[FeedRow, Item]]:
    """Every feed's items, fetched and read by the real feed code, tied to their feed rows."""
    batch = []
    for feed in store.feeds():
        res = await fetch(client, feed.url, feed_lang=feed.lang, max_bytes=config.max_feed_bytes)
        batch += [(feed, replace(it, feed_id=feed.id, lang=it.lang or feed.lang)) for it in res.items]
    return batch


def main(lang: str = "en") -> int:
    return asyncio.run(run_demo(lang))
