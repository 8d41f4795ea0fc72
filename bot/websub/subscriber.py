"""The WebSub subscriber: asks hubs to push the feeds that name one, answers their checks at a
callback on the bot's web server, renews leases before they end, and hands every signed push to
the pipeline's own ingest path. Polling never stops: a pushed feed is still polled slowly, and a
hub that fails, refuses or lets a lease lapse leaves the feed to the poller.

Everything a hub sends is untrusted: the callback's address is random per subscription, bodies are
capped and read within a deadline, a push counts only with a valid signature under the secret we
gave that hub, and hubs are reached only through the guarded client (bot/netguard.py), at https
addresses unless private ones are allowed. Never logs a callback address, a secret or a body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from aiohttp import web

from ..clock import utcnow
from ..feeds import FeedError, FetchResult
from ..pipeline import CycleReport, Pipeline
from ..store import FeedRow, WebSubRow, WebSubStore
from . import protocol as ws

log = logging.getLogger("releasewatch.websub")

PREFIX = "/websub/"  # on the web server; the callback is <public_url>websub/<random id>
MAINTAIN_EVERY = 60.0  # seconds between rounds of subscribing, renewing and unsubscribing
CONCURRENT_REQUESTS = 8  # requests to hubs at the same time
GIVE_UP_UNSUBSCRIBING = 3  # failed unsubscribe requests after which the hub's lease is left to run out
# every push gets this answer, taken in or dropped: a sender cannot learn whether a signature
# matched (section 8 of the Recommendation lets a subscriber acknowledge a bad one with 2xx)
RECEIVED = "Received; it is taken in only if its signature matches this subscription's secret.\n"

ReportHook = Callable[[CycleReport], Awaitable[None]]


class Subscriber:
    """WebSub for one service: its store, its pipeline, its guarded client and its public address."""

    def __init__(self, store: WebSubStore, pipeline: Pipeline, client: httpx.AsyncClient, public_url: str, *,
                 allow_insecure_hubs: bool = False, max_body: int = 5_000_000, timeout: float = 20.0,
                 clock: Callable[[], datetime] = utcnow, on_report: ReportHook | None = None) -> None:
        self.store = store
        self.pipeline = pipeline
        self.client = client
        self.public_url = public_url if public_url.endswith("/") else public_url + "/"
        self.allow_insecure_hubs = allow_insecure_hubs  # http:// hubs (loopback tests, a hub on your own network)
        self.max_body = max_body
        self.timeout = timeout
        self.clock = clock
        self.on_report = on_report
        self.wake = asyncio.Event()  # a feed named a new hub: subscribe now, not at the next round

    # -- discovery (a pipeline hook) -----------------------------------------------------------------
    def discovered(self, feed: FeedRow, res: FetchResult, now: datetime) -> None:
        """A polled feed's document: keep the hub it names (Link header first, then the document)."""
        found = ws.discover(res.header_map.get("link"), res.links, res.url or feed.url)
        if found is not None and self.store.note_hub(feed.id, found.hub, found.topic, now):
            log.info("feed names a WebSub hub", extra={"feed": feed.name, "hub": _host(found.hub)})
            self.wake.set()

    def callback_url(self, row: WebSubRow) -> str:
        return f"{self.public_url}{PREFIX.strip('/')}/{row.callback}"

    # -- talking to hubs ----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Rounds of maintain() until stop: every MAINTAIN_EVERY seconds, or at once when woken."""
        while not stop.is_set():
            self.wake.clear()
            try:
                await self.maintain()
            except Exception:  # one bad round must not end push for good
                log.exception("WebSub round failed")
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            try:
                await asyncio.wait(waits, timeout=MAINTAIN_EVERY, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waits:
                    w.cancel()

    async def maintain(self) -> None:
        """One round: subscribe feeds that name a hub, renew leases that end soon, mark lapsed ones
        (their feeds go back to polling), unsubscribe feeds that were removed, retry what failed."""
        now = self.clock()
        active = {f.id for f in self.store.feeds()}
        sem = asyncio.Semaphore(CONCURRENT_REQUESTS)

        async def tend(row: WebSubRow) -> None:
            async with sem:
                await self._tend(row, row.feed_id in active, now)

        await asyncio.gather(*(tend(row) for row in self.store.websub_rows() if row.state != "gone"
                               or row.feed_id in active))

    async def _tend(self, row: WebSubRow, wanted: bool, now: datetime) -> None:
        if not wanted:
            await self._leave(row, now)
            return
        if row.state == "gone":  # the feed is followed again: a fresh subscription
            self.store.note_hub(row.feed_id, row.hub, row.topic, now)
            row = self.store.websub(row.feed_id) or row
        if row.state == "active" and row.expires is not None and row.expires <= now:
            self.store.websub_ended(row.feed_id, "lapsed", now, "the lease ran out before the hub renewed it")
            log.warning("WebSub lease lapsed; the feed is polled", extra={"feed_id": row.feed_id})
            row = self.store.websub(row.feed_id) or row
        if row.pending:
            if row.requested is not None and now - row.requested > ws.VERIFY_WAIT:
                self._failed(row, "the hub did not check the request within "
                             f"{int(ws.VERIFY_WAIT.total_seconds() // 60)} minutes", now)
            return
        if row.retry_at is not None and row.retry_at > now:
            return
        if row.state == "active":
            if row.expires is not None and row.lease_seconds and now >= ws.renew_at(row.expires, row.lease_seconds):
                await self._request(row, "subscribe", now)
            return
        await self._request(row, "subscribe", now)  # new, failed, denied (after a day), lapsed

    async def _leave(self, row: WebSubRow, now: datetime) -> None:
        """The feed was removed: unsubscribe where the hub may push it, else forget it."""
        if row.state == "unsubscribing":
            if row.pending:
                if row.requested is not None and now - row.requested > ws.VERIFY_WAIT:
                    # the hub's lease runs out on its own; pushes meanwhile are refused (410)
                    self.store.websub_ended(row.feed_id, "gone", now, "the hub did not check the unsubscribe request")
            elif row.failures >= GIVE_UP_UNSUBSCRIBING:
                self.store.websub_ended(row.feed_id, "gone", now)
            elif row.retry_at is None or row.retry_at <= now:
                await self._request(row, "unsubscribe", now)
            return
        if row.state in ("requested", "active"):
            await self._request(row, "unsubscribe", now)
        else:
            self.store.websub_ended(row.feed_id, "gone", now)

    async def _request(self, row: WebSubRow, mode: str, now: datetime) -> None:
        """Send a subscribe or unsubscribe request (section 5.1); the hub checks it at our callback."""
        hub = urlsplit(row.hub)
        if hub.scheme != "https" and not self.allow_insecure_hubs:
            # hub.secret travels in the request: never in clear over the internet
            self._failed(row, "the hub is not at an https address, so it is not used (the feed is polled)", now)
            return
        self.store.websub_requested(row.feed_id, mode, now)  # first: a hub may check before it answers
        form = {"hub.mode": mode, "hub.topic": row.topic, "hub.callback": self.callback_url(row)}
        if mode == "subscribe":
            form |= {"hub.secret": row.secret, "hub.lease_seconds": str(ws.REQUESTED_LEASE)}
        try:
            async with asyncio.timeout(self.timeout * 2):
                # the answer's body is never read: a hub's error page is not ours to keep
                async with self.client.stream("POST", row.hub, data=form) as resp:
                    status = resp.status_code
        except TimeoutError:
            self._failed(row, f"the hub did not answer within {self.timeout * 2:g} seconds", now)
            return
        except FeedError as exc:  # the guard: a hub on a private or local address
            self._failed(row, str(exc), now)
            return
        except httpx.HTTPError as exc:
            self._failed(row, f"the hub could not be reached ({type(exc).__name__})", now)
            return
        if not 200 <= status < 300:
            self._failed(row, f"the hub refused the {mode} request (HTTP {status})", now)
            return
        log.info("WebSub request accepted by the hub", extra={"feed_id": row.feed_id, "mode": mode,
                                                               "hub": _host(row.hub)})

    def _failed(self, row: WebSubRow, why: str, now: datetime) -> None:
        retry = now + ws.retry_delay(row.failures + 1)
        self.store.websub_failed(row.feed_id, why, retry)
        log.warning("WebSub request failed; the feed is polled", extra={"feed_id": row.feed_id, "reason": why})

    # -- the callback -------------------------------------------------------------------------------
    def mount(self) -> tuple[str, web.Application]:
        """The callback's routes, to mount on the web server under PREFIX (bot/web/server.py)."""
        app = web.Application()
        app.router.add_get("/{id:[A-Za-z0-9_-]{1,64}}", self._check)
        app.router.add_post("/{id:[A-Za-z0-9_-]{1,64}}", self._push)
        return PREFIX, app

    async def _check(self, request: web.Request) -> web.Response:
        """A hub checks our intent (section 5.3) or tells us it refused (section 5.2)."""
        row = self.store.websub_by_callback(request.match_info["id"])
        if row is None:
            return _text(404, "No subscription is known at this address.")
        try:
            intent = ws.read_intent(request.query)
        except ws.BadRequest as exc:
            return _text(400, str(exc))
        if intent.topic != row.topic:
            return _text(404, "This address subscribes to another topic.")
        now = self.clock()
        if intent.mode == "denied":
            self.store.websub_ended(row.feed_id, "denied", now, "the hub refused the subscription"
                                    + (f" ({intent.reason})" if intent.reason else ""), now + ws.DENIED_RETRY)
            log.warning("WebSub hub refused the subscription; the feed is polled", extra={"feed_id": row.feed_id})
            return _text(200, "Noted; the feed will be polled.")
        if not ws.confirms(intent, row.topic, row.pending):
            return _text(404, f"No {intent.mode} request for this topic is waiting here.")
        if intent.mode == "subscribe":
            assert intent.lease_seconds is not None
            self.store.websub_verified(row.feed_id, intent.lease_seconds, now)
            log.info("WebSub subscription verified", extra={"feed_id": row.feed_id, "lease": intent.lease_seconds})
        else:
            self.store.websub_ended(row.feed_id, "gone", now)
            log.info("WebSub unsubscription verified", extra={"feed_id": row.feed_id})
        return web.Response(text=intent.challenge, content_type="text/plain", headers={"Cache-Control": "no-store"})

    async def _push(self, request: web.Request) -> web.Response:
        """A hub delivers the feed (section 7): signature first, then the pipeline's ingest path."""
        row = self.store.websub_by_callback(request.match_info["id"])
        feed = self.store.feed(row.feed_id) if row is not None else None
        if row is None or feed is None:
            return _text(404, "No subscription is known at this address.")
        if not feed.active or row.state in ("gone", "unsubscribing"):
            return _text(410, "This feed is no longer followed here.")
        if request.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity"):
            return _text(415, "Send the feed uncompressed.")
        if request.content_length is not None and request.content_length > self.max_body:
            return _text(413, f"The body is larger than {self.max_body} bytes.")
        try:
            async with asyncio.timeout(self.timeout):
                body = await _read_capped(request, self.max_body)
        except _TooLarge:
            return _text(413, f"The body is larger than {self.max_body} bytes.")
        except TimeoutError:
            return _text(408, f"The body did not arrive within {self.timeout:g} seconds.")
        now = self.clock()
        verdict = ws.check_signature(request.headers.get("X-Hub-Signature"), row.secret, body)
        if verdict != "ok":
            self.store.websub_count(row.feed_id, "unsigned" if verdict == "unsigned" else "bad_signature", now)
            log.warning("WebSub push dropped", extra={"feed": feed.name, "reason": verdict})
            return _text(202, RECEIVED)
        self.store.websub_count(row.feed_id, "pushes", now)
        try:
            report = await self.pipeline.push(feed, body)
        except FeedError as exc:  # signed by our hub but no feed: nothing to take in, nothing to retry
            log.warning("WebSub push is not a feed", extra={"feed": feed.name, "reason": str(exc)})
            return _text(202, RECEIVED)
        log.info("WebSub push taken in", extra={"feed": feed.name, "new_items": report.new_items,
                                                "alerts": report.alerts_queued})
        if self.on_report is not None:
            await self.on_report(report)
        return _text(202, RECEIVED)


class _TooLarge(Exception):
    pass


async def _read_capped(request: web.Request, cap: int) -> bytes:
    """The request body, never more than cap bytes (aiohttp's own limit is for request.read())."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > cap:
            raise _TooLarge
        chunks.append(chunk)


def _text(status: int, sentence: str) -> web.Response:
    return web.Response(status=status, text=sentence if sentence.endswith("\n") else sentence + "\n",
                        content_type="text/plain", headers={"Cache-Control": "no-store"})


def _host(url: str) -> str:
    """A hub named in logs by its host alone (its address may carry a key)."""
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"
