"""Child process: synthetic feeds on 127.0.0.1, in their own process so serving them does not
compete with the code under test for the interpreter lock.

It is an aiohttp server rather than tests/feedserver.py's thread-per-connection server: that
one stands in well for a handful of feeds, but with hundreds of concurrent connections its own
accept loop and thread switches delayed the start of slow answers by ~0.4 s, which the poll
figure would have charged to the poller. Every real feed is its own server.

Feed i is served at /feed/<i> with items [v, v+K) of bench.synth's generator, v its version.
A share of the feeds answer slowly, a share fail (HTTP 500 or a body cut short), a share send
an ETag (and answer 304 to it). /live carries the release items the latency figure publishes.
Commands on stdin, one JSON line back:

    advance N     N healthy feeds (in turn) get one new item
    publish SEQ   /live gets release item SEQ; answers the time.monotonic() of publication
    hits          requests served so far
    quit          stop
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bench._common import serve_commands
from bench.synth import Generator, feed_body, release_item, rss


@dataclass(frozen=True)
class _Route:
    body: bytes = b""
    status: int = 200
    etag: str | None = None
    delay: float = 0.0
    cut: bool = False  # announce the whole length, send half, drop the connection


class _Server:
    def __init__(self) -> None:
        self.routes: dict[str, _Route] = {}
        self.hits = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.etag and request.headers.get("If-None-Match") == route.etag:
            return web.Response(status=304, headers={"ETag": route.etag})
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if route.etag:
            headers["ETag"] = route.etag
        if route.cut:
            resp = web.StreamResponse(status=200, headers=headers)
            resp.content_length = len(route.body) + 1000
            await resp.prepare(request)
            await resp.write(route.body[: len(route.body) // 2])
            if request.transport is not None:
                request.transport.close()
            return resp
        return web.Response(status=route.status, body=route.body, headers=headers)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        self._loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(runner.cleanup())

    def start(self) -> _Server:
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("feed server did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--items", type=int, default=20, help="items per feed")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--slow-share", type=float, default=0.0)
    ap.add_argument("--slow-delay", type=float, default=2.0)
    ap.add_argument("--fail-share", type=float, default=0.0)
    ap.add_argument("--etag-share", type=float, default=0.5)
    ap.add_argument("--release-share", type=float, default=0.25, help="share of items about releases")
    ap.add_argument("--lifetime", type=float, default=900.0)
    args = ap.parse_args()

    gen = Generator(seed=args.seed, release_share=args.release_share)
    rng = random.Random(args.seed)
    order = list(range(args.feeds))
    rng.shuffle(order)
    n_slow = round(args.feeds * args.slow_share)
    n_fail = round(args.feeds * args.fail_share)
    slow = set(order[:n_slow])
    failing = set(order[n_slow:n_slow + n_fail])
    with_etag = {i for i in range(args.feeds) if rng.random() < args.etag_share}
    healthy = [i for i in range(args.feeds) if i not in failing]
    version = dict.fromkeys(range(args.feeds), 0)
    server = _Server().start()

    def serve(i: int) -> None:
        path = f"/feed/{i}"
        if i in failing:
            server.routes[path] = (_Route(status=500, body=b"oops") if i % 2
                                   else _Route(body=feed_body(gen, i, args.items), cut=True))
            return
        v = version[i]
        server.routes[path] = _Route(body=feed_body(gen, i, args.items, start=v),
                                     etag=f'"f{i}-v{v}"' if i in with_etag else None,
                                     delay=args.slow_delay if i in slow else 0.0)

    for i in range(args.feeds):
        serve(i)
    live: list[Any] = []
    server.routes["/live"] = _Route(body=rss([], "Live", "es"))
    cursor = 0

    def advance(arg: str) -> dict[str, Any]:
        nonlocal cursor
        changed = []
        for _ in range(min(int(arg or 1), len(healthy))):
            i = healthy[cursor % len(healthy)]
            cursor += 1
            version[i] += 1
            serve(i)
            changed.append(i)
        return {"changed": changed}

    def publish(arg: str) -> dict[str, Any]:
        live.append(release_item(int(arg), datetime.now(UTC)))
        del live[:-20]
        server.routes["/live"] = _Route(body=rss(live, "Live", "es"))
        return {"t": time.monotonic()}

    print(json.dumps({"url": f"http://127.0.0.1:{server.port}", "feeds": args.feeds, "slow": sorted(slow),
                      "failing": sorted(failing), "etag": len(with_etag)}), flush=True)
    try:
        serve_commands({"advance": advance, "publish": publish, "hits": lambda _: {"hits": server.hits},
                        "quit": lambda _: {"ok": True}}, args.lifetime)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
