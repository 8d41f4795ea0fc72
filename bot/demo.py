"""`releasewatch demo`: the whole pipeline offline. Serves the bundled sample feeds (bot/demo/*.xml,
written by us) from a loopback HTTP server, runs the real fetch, match, store, events and outbox
code against a temporary database, and prints the alerts and a /status summary to the console.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TextIO

from .alerts import render_status
from .config import Config, FeedConfig
from .feeds import make_client
from .notify import ConsoleNotifier
from .outbox import Deliverer
from .pipeline import Pipeline
from .store import Store

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
    """Run the demo; returns the number of alerts printed."""
    console = ConsoleNotifier(out)
    with tempfile.TemporaryDirectory(prefix="releasewatch-demo-") as tmp:
        db_path = database or Path(tmp) / "demo.db"
        with serve_files(demo_files()) as base:
            feeds = tuple(FeedConfig(name=n, url=f"{base}/{f}", lang=lg) for f, (n, lg) in DEMO_FEEDS.items())
            config = Config(database=db_path, feeds=feeds, allow_private_feed_urls=True, request_timeout=10)
            store = Store(db_path)
            try:
                store.sync_feeds(config.feeds)
                store.subscribe("console", "demo", lang)
                async with make_client(config.request_timeout) as client:
                    report = await Pipeline(store, config, client).poll()
                await Deliverer(store, {"console": console}).drain()
                print("─" * 72, file=console.stream)
                summary = (
                    f"{report.feeds_polled} feeds, {report.new_items} items, "
                    f"{len(store.latest_events(100))} events, {console.count} alerts"
                )
                status = render_status(store.latest_events(5), store.latest_tallies(2), lang,
                                       running=store.running_counts())
                print(status.text, file=console.stream)
                print("─" * 72, file=console.stream)
                print(summary, file=console.stream)
            finally:
                store.close()
    return console.count


def main(lang: str = "en") -> int:
    return asyncio.run(run_demo(lang))
