"""The HTTP transport python-telegram-bot talks to the Bot API through: aiohttp, one keep-alive
pool per Application. Only transport: PTB still builds every request, reads every answer and
turns error codes into its exceptions (which bot/platforms/telegram/ maps for the outbox).

Why not PTB's default (httpx): its connection pool walks every connection on every request, so
one broadcast message cost ~1.9 ms of CPU and the bot topped out near 500 messages/s on one core,
half of the 1000/s Telegram allows paid broadcasts (bench/fanout.py). Why the proxy is looked up
once and the form encoded here: see AiohttpRequest. Never imports bot modules.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from urllib.parse import quote_plus

import aiohttp
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

_DefaultValue = type(BaseRequest.DEFAULT_NONE)
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@functools.lru_cache(maxsize=256)
def _form_value(value: str) -> str:
    """One form value percent-encoded. A broadcast sends the same text to every chat: encoded once
    (quote_plus works byte by byte in Python: most of a Spanish alert's encoding cost)."""
    return quote_plus(value)


def _form(params: dict[str, str]) -> bytes:
    """What aiohttp's FormData sends for these fields (application/x-www-form-urlencoded, UTF-8),
    without its per-request multipart writer."""
    return "&".join(f"{quote_plus(k)}={_form_value(v)}" for k, v in params.items()).encode()


class AiohttpRequest(BaseRequest):
    """A PTB request backend over one aiohttp session; every request has a total deadline.

    HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read once per host, at its first request (as PTB's
    httpx transport read them once per client), not by aiohttp's trust_env on every request: that
    read ~/.netrc and the proxy variables in a worker thread twice per message, over a third of the
    bot's CPU in a broadcast (bench/README.md). The Bot API authenticates with the token in the
    path, so ~/.netrc is read only for a proxy's credentials."""

    def __init__(self, pool_size: int = 128, connect_timeout: float = 10.0, read_timeout: float | None = 20.0,
                 write_timeout: float = 20.0, pool_timeout: float = 10.0, media_write_timeout: float = 60.0) -> None:
        self.pool_size = pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        # by URL: one per Bot API method, a few dozen at most
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            context = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self.pool_size, ssl=context, keepalive_timeout=30, ttl_dns_cache=300)
            # no cookies, no automatic retries (the outbox decides what to retry); the proxy from
            # the environment is looked up by _proxy, once per host
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  headers={"User-Agent": self.USER_AGENT}, trust_env=False)
            self._proxies.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy the environment names for this URL (None: connect directly), as aiohttp's
        trust_env would choose it."""
        found = self._proxies.get(url)
        if found is None:
            found = (None, None)
            with contextlib.suppress(LookupError):  # no proxy for this scheme, or NO_PROXY names the host
                found = get_env_proxy_for_url(URL(url))
            self._proxies[url] = found
        return found

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
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        params = request_data.json_parameters if request_data else None
        data: aiohttp.FormData | bytes | None = _form(params) if params else None
        headers = _FORM if params else None
        if files:  # uploads (charts, exports) go as multipart, like PTB's own transport sends them
            headers = None
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
        proxy, proxy_auth = self._proxy(url)
        try:
            async with self._session.request(method, url, data=data, headers=headers, timeout=timeout,
                                             proxy=proxy, proxy_auth=proxy_auth) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # the class name says most when the message is empty (e.g. a dropped connection)
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
