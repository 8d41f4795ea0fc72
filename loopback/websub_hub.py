"""A WebSub hub of our own on 127.0.0.1 (aiohttp, in its own thread and loop), for the tests and the
bench: it takes subscribe and unsubscribe requests, checks the subscriber's intent at its callback
(hub.challenge), and delivers what a publisher gives it, signed with each subscriber's secret. It
misbehaves on request (refuses, denies, never checks, signs wrongly) and stops with its fixture.
It can also be the publisher's site: pages it serves (with ETag and 304), and a ping that makes it
fetch a topic and deliver it, as a hub does when a blog pings it.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bot.websub.protocol import sign


@dataclass
class Subscription:
    callback: str
    topic: str
    secret: str
    lease_seconds: int
    since: float = field(default_factory=time.monotonic)


@dataclass
class Check:
    """One check of intent the hub made at a callback, and what it got back."""

    mode: str
    callback: str
    status: int
    confirmed: bool


class LoopbackHub:
    """The hub. `behaviour`: "verify" (checks the callback before it answers 202, as many hubs do),
    "later" (answers 202, checks afterwards), "silent" (answers 202, never checks), "refuse" (400),
    "deny" (answers 202, then tells the callback hub.mode=denied)."""

    def __init__(self, lease_seconds: int = 3600, behaviour: str = "verify", port: int = 0) -> None:
        self.lease_seconds = lease_seconds
        self.behaviour = behaviour
        self.requests: list[dict[str, str]] = []  # every subscribe / unsubscribe request's form
        self.checks: list[Check] = []
        self.subscriptions: dict[tuple[str, str], Subscription] = {}  # (callback, topic) -> verified
        self.deliveries: list[int] = []  # the callbacks' answers to pushes
        self.pages: dict[str, bytes] = {}  # path -> body: the publisher's own feeds, served by GET
        self.port = port  # 0: any free one; a hub restarted on its old port is "back up"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    # -- the hub's endpoint ---------------------------------------------------------------------------
    async def _hub(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append(form)
        mode, callback, topic = form.get("hub.mode", ""), form.get("hub.callback", ""), form.get("hub.topic", "")
        if mode not in ("subscribe", "unsubscribe") or not callback or not topic:
            return web.Response(status=400, text="hub.mode, hub.callback and hub.topic are required\n")
        if self.behaviour == "refuse":
            return web.Response(status=400, text="this hub does not serve that topic\n")
        if self.behaviour == "verify":
            await self._check(form)
        elif self.behaviour == "later":
            asyncio.get_running_loop().create_task(self._check(form))
        elif self.behaviour == "deny":
            asyncio.get_running_loop().create_task(self._deny(form))
        return web.Response(status=202)

    async def _check(self, form: dict[str, str]) -> None:
        mode, callback, topic = form["hub.mode"], form["hub.callback"], form["hub.topic"]
        challenge = secrets.token_urlsafe(16)
        query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
        if mode == "subscribe":
            query["hub.lease_seconds"] = str(self.lease_seconds)
        assert self._session is not None
        async with self._session.get(_with_query(callback, query)) as resp:
            body = await resp.text()
        confirmed = resp.status // 100 == 2 and body == challenge
        self.checks.append(Check(mode, callback, resp.status, confirmed))
        if not confirmed:
            return
        if mode == "subscribe":
            self.subscriptions[(callback, topic)] = Subscription(callback, topic, form.get("hub.secret", ""),
                                                                 self.lease_seconds)
        else:
            self.subscriptions.pop((callback, topic), None)

    async def _deny(self, form: dict[str, str]) -> None:
        query = {"hub.mode": "denied", "hub.topic": form["hub.topic"], "hub.reason": "not today"}
        assert self._session is not None
        async with self._session.get(_with_query(form["hub.callback"], query)) as resp:
            self.checks.append(Check("denied", form["hub.callback"], resp.status, resp.status == 200))

    # -- publishing -------------------------------------------------------------------------------------
    async def _deliver(self, topic: str, body: bytes, content_type: str, signature: str | None,
                       secret: str | None) -> list[int]:
        assert self._session is not None
        answers = []
        for sub in [s for s in self.subscriptions.values() if s.topic == topic]:
            headers = {"Content-Type": content_type, "Link": f'<{self.url}>; rel="hub", <{topic}>; rel="self"'}
            if signature != "none":
                headers["X-Hub-Signature"] = signature or sign(secret if secret is not None else sub.secret, body)
            async with self._session.post(sub.callback, data=body, headers=headers) as resp:
                await resp.read()
                answers.append(resp.status)
        self.deliveries += answers
        return answers

    def publish(self, topic: str, body: bytes, content_type: str = "application/rss+xml; charset=utf-8",
                signature: str | None = None, secret: str | None = None) -> list[int]:
        """Deliver body to every verified subscriber of topic, signed with its secret (or with
        `secret`, or the literal header `signature`; "none": unsigned). Returns their answers.
        Blocks: from an event loop that serves the callback, await deliver() instead."""
        return self._call(self._deliver(topic, body, content_type, signature, secret))

    async def deliver(self, topic: str, body: bytes, content_type: str = "application/rss+xml; charset=utf-8",
                      signature: str | None = None, secret: str | None = None) -> list[int]:
        """publish() for a caller on another event loop (the one serving the callback)."""
        future = asyncio.run_coroutine_threadsafe(self._deliver(topic, body, content_type, signature, secret),
                                                  self._loop)
        return list(await asyncio.wrap_future(future))

    async def check_again(self, form: dict[str, str]) -> None:
        """Check a request's intent again (a replayed check: nothing is pending any more)."""
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._check(form), self._loop))

    async def _page(self, request: web.Request) -> web.Response:
        body = self.pages.get(request.path)
        if body is None:
            return web.Response(status=404)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml; charset=utf-8",
                                                "Link": f'<{self.url}>; rel="hub"'})

    def set_page(self, path: str, body: bytes) -> str:
        """Serve body at path (a feed that names this hub in its Link header); returns its URL."""
        self.pages[path] = body
        return self.url + path.lstrip("/")

    async def _ping(self, topic: str) -> list[int]:
        assert self._session is not None
        async with self._session.get(topic) as resp:
            body = await resp.read()
        return await self._deliver(topic, body, resp.headers.get("Content-Type", "application/rss+xml"), None, None)

    def ping(self, topic: str) -> list[int]:
        """A publisher's ping: fetch the topic and deliver it to its subscribers (blocking)."""
        return self._call(self._ping(topic))

    # -- running ----------------------------------------------------------------------------------------
    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/", self._hub)
        app.router.add_get("/{tail:.*}", self._page)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)

        async def up() -> None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", self.port)
            await site.start()
            self.port = runner.addresses[0][1]
            self._stop = asyncio.Event()

        async def down() -> None:
            assert self._session is not None
            await self._session.close()
            await runner.cleanup()

        self._loop.run_until_complete(up())
        self._ready.set()
        try:
            assert self._stop is not None
            self._loop.run_until_complete(self._stop.wait())
        finally:
            self._loop.run_until_complete(down())
            self._loop.close()

    def start(self) -> LoopbackHub:
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("the loopback hub did not start")
        return self

    def stop(self) -> None:
        """Stop listening (a hub that is down); start() again is not possible, make a new one."""
        if self._thread.is_alive() and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(15)


def _with_query(url: str, query: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(query)
