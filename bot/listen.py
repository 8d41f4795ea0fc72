"""Listening for HTTP without being held open: the health endpoint and the web page each keep at
most `max_connections` connections, and one that has sent no complete request within
`idle_timeout` seconds of opening (or of its last answer) is closed. File descriptors are the
whole process's, shared with feeds, chat platforms and the database: idle clients must never take
them all. Wraps aiohttp's server; never reads a request or decides an answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

log = logging.getLogger("releasewatch.listen")

# A reader's browser sends its request at once; a client that opens a connection and says nothing,
# or sends its headers a byte at a time, is holding a descriptor (Apache's KeepAliveTimeout is 5 s)
IDLE_TIMEOUT = 5.0
REFUSAL = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n"
           b"Content-Length: 0\r\n\r\n")
FULL_LOG_SECONDS = 60.0  # "connection limit reached" at most once a minute per listener


class _Tracked(asyncio.Protocol):
    """One accepted connection, handed through to aiohttp's protocol; closed if it stays silent."""

    def __init__(self, pool: _Connections, inner: asyncio.Protocol) -> None:
        self.pool = pool
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.started = False  # a complete request head arrived: from then on aiohttp's keep-alive timer rules
        self.closing = False
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.inner.connection_made(transport)
        if self.closing:  # evicted before it was even set up
            transport.close()
            return
        self._timer = asyncio.get_running_loop().call_later(self.pool.idle_timeout, self._silent)

    def _silent(self) -> None:
        if not self.started:
            self.close()

    def close(self) -> None:
        self.closing = True
        self.pool.forget(self)
        if self._timer is not None:
            self._timer.cancel()
        if self.transport is not None:
            self.transport.close()

    # -- aiohttp's protocol does the work ----------------------------------------------------------
    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.pool.forget(self)
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class _Refused(asyncio.Protocol):
    """A connection beyond the limit while every other one is busy: 503 and closed at once."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(REFUSAL)  # type: ignore[attr-defined]
        transport.close()


class _Connections:
    """The protocol factory of one listener: counts its connections and keeps them under the limit.
    At the limit a new connection takes the place of the oldest one that has not sent a request
    yet (as nginx drains idle connections when it runs out); if every one is busy, it is refused."""

    def __init__(self, factory: Callable[[], asyncio.Protocol], limit: int, idle_timeout: float, name: str) -> None:
        self.factory = factory
        self.limit = limit
        self.idle_timeout = idle_timeout
        self.name = name
        self.open: dict[_Tracked, None] = {}  # oldest first
        self.by_inner: dict[object, _Tracked] = {}
        self._said_full_at: float | None = None

    def __call__(self) -> asyncio.Protocol:
        if len(self.open) >= self.limit:
            self._say_full()
            idle = next((c for c in self.open if not c.started), None)
            if idle is None:
                return _Refused()
            idle.close()
        inner = self.factory()
        conn = _Tracked(self, inner)
        self.open[conn] = None
        self.by_inner[inner] = conn
        return conn

    def forget(self, conn: _Tracked) -> None:
        self.open.pop(conn, None)
        self.by_inner.pop(conn.inner, None)

    def started(self, inner: object) -> None:
        conn = self.by_inner.get(inner)
        if conn is not None:
            conn.started = True

    def _say_full(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._said_full_at is None or now - self._said_full_at >= FULL_LOG_SECONDS:
            self._said_full_at = now
            log.warning(f"{self.name}: {self.limit} connections open; closing idle ones to take new ones",
                        extra={"count": self.limit})


class LimitedSite(web.BaseSite):
    """aiohttp's TCPSite with the connection limit and the silent-client timeout."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, max_connections: int,
                 idle_timeout: float = IDLE_TIMEOUT, name: str = "http") -> None:
        super().__init__(runner, backlog=128)
        self._host = host
        self._port = port
        self._limit = max_connections
        self._idle_timeout = idle_timeout
        self._label = name
        self.connections: _Connections | None = None

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def port(self) -> int:
        sockets = getattr(self._server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else self._port

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        pool = _Connections(server, self._limit, self._idle_timeout, self._label)
        make_request = server.request_factory

        def request_factory(*args: Any, **kwargs: Any) -> web.BaseRequest:
            pool.started(args[2])  # (message, payload, protocol, writer, task): a request head is in
            return make_request(*args, **kwargs)

        server.request_factory = request_factory
        self.connections = pool
        self._server = await asyncio.get_running_loop().create_server(
            pool, self._host, self._port, backlog=self._backlog)


async def serve(app: web.Application, host: str, port: int, max_connections: int,
                idle_timeout: float = IDLE_TIMEOUT, name: str = "http") -> tuple[web.AppRunner, LimitedSite]:
    """Start app on host:port (0: any free port, see the site's .port). Raises OSError if the address
    cannot be taken (nothing is left running then)."""
    # keepalive_timeout: between two requests of one connection, aiohttp's own timer closes a
    # silent one (and one whose next request's headers come too slowly)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=idle_timeout, shutdown_timeout=5)
    await runner.setup()
    site = LimitedSite(runner, host, port, max_connections, idle_timeout, name)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    return runner, site
