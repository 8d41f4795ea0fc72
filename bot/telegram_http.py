"""The HTTP transport python-telegram-bot talks to the Bot API through: aiohttp, one keep-alive
pool per Application. Only transport: PTB still builds every request, reads every answer and
turns error codes into its exceptions (which bot/telegram.py maps for the outbox).

Why not PTB's default (httpx): its connection pool walks every connection on every request, so
one broadcast message cost ~1.9 ms of CPU and the bot topped out near 500 messages/s on one core,
half of the 1000/s Telegram allows paid broadcasts (bench/fanout.py). Never imports bot modules.
"""

from __future__ import annotations

import ssl

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_DefaultValue = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    """A PTB request backend over one aiohttp session; every request has a total deadline."""

    def __init__(self, pool_size: int = 128, connect_timeout: float = 10.0, read_timeout: float | None = 20.0,
                 write_timeout: float = 20.0, pool_timeout: float = 10.0, media_write_timeout: float = 60.0) -> None:
        self.pool_size = pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            context = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self.pool_size, ssl=context, keepalive_timeout=30, ttl_dns_cache=300)
            # no cookies, no automatic retries (the outbox decides what to retry); HTTPS_PROXY and
            # NO_PROXY from the environment are honoured, as PTB's httpx transport did
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  headers={"User-Agent": self.USER_AGENT}, trust_env=True)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        params = request_data.json_parameters if request_data else None
        data: aiohttp.FormData | dict[str, str] | None = params
        if files:  # uploads (charts, exports) go as multipart, like PTB's own transport sends them
            data = aiohttp.FormData()
            for name, value in (params or {}).items():
                data.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                data.add_field(name, content, filename=filename, content_type=mimetype)

        def pick(value: object, default: float | None) -> float | None:
            return default if isinstance(value, _DefaultValue) else value  # type: ignore[return-value]

        connect = pick(connect_timeout, self._connect)
        read = pick(read_timeout, self._read)
        write = pick(write_timeout, self._media_write if files else self._write)
        pool = pick(pool_timeout, self._pool)
        # aiohttp has no separate write or pool timeout: the total bounds them (a None part
        # counts as a minute, so no request can wait forever)
        total = sum(60.0 if t is None else t for t in (connect, read, write, pool))
        timeout = aiohttp.ClientTimeout(total=total, connect=(connect or 0) + (pool or 0) or None,
                                        sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # the class name says most when the message is empty (e.g. a dropped connection)
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
