"""The web server: aiohttp routes over the public ledger, started and stopped with the service.

Read-only, GET and HEAD only, apart from what others mount on it (the WebSub callback, which
answers hubs without the token: bot/websub/subscriber.py guards it). Every response carries a strict Content-Security-Policy (no script
runs, nothing loads from another host), an ETag (and Last-Modified for feeds and data) so readers
revalidate for free. With `public = false` every route needs the token (Authorization: Bearer, or
?token=). The ledger is read through a second Store on the same file, in a worker thread, at most
once per LEDGER_TTL seconds: readers never hold up the bot's event loop, and see only committed
rows (WAL). No access log: a ?token= in a logged URL would be a leaked secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aiohttp import web

from .. import export, listen
from ..errors import StartError
from ..i18n import DEFAULT_LANG, LANGS, t
from ..store import Store
from ..store.protocols import LedgerSource
from . import data, feeds, pages
from .ledger import PublicLedger, build, prison_slug, resolve_prison
from .settings import TOKEN_ENV, WebConfig

if TYPE_CHECKING:
    from ..config import Config

log = logging.getLogger("releasewatch.web")

CSP = ("default-src 'self'; img-src 'self' data:; style-src '" + pages.CSS_HASH + "'; script-src 'none'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a ?token= must not travel to the outlets the page links to
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
MAX_QUERY_VALUE = 200  # longer ?lang= / ?prison= values are not names of anything we have
# a build reads a few rows per event (300 events: ~0.3 s on a busy 2-core machine); a crowd of
# readers causes one build per LEDGER_TTL, and a page is at most that much behind the ledger
LEDGER_TTL = 5.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Mount = tuple[str, web.Application]  # (path prefix, sub-application) another module serves on this server


class WebApp:
    """The routes, bound to one store and one [web] config."""

    def __init__(self, store: Store, config: WebConfig, default_lang: str = DEFAULT_LANG,
                 ledger_ttl: float = LEDGER_TTL, mounts: Sequence[Mount] = ()) -> None:
        self.store = store  # this app's own connection: only used in a worker thread, one build at a time
        self.mounts = tuple(mounts)
        self.config = config
        self.ledger_ttl = ledger_ttl
        self._ledger: tuple[float, PublicLedger] | None = None  # (loop time built, ledger)
        self._ledger_lock = asyncio.Lock()
        self.default_lang = default_lang if default_lang in LANGS else DEFAULT_LANG
        self._charts: dict[tuple[str, str], bytes] = {}  # (ledger fingerprint, lang) -> PNG
        self._chart_lock = asyncio.Lock()
        self.own_url: str | None = None  # where this app listens, once it does (WebServer sets it)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers, self._auth])
        app.router.add_get("/", self.index)
        app.router.add_get("/event/{id:[0-9]{1,12}}", self.event)
        app.router.add_get("/prison/{slug}", self.prison)
        app.router.add_get("/chart.png", self.chart)
        app.router.add_get("/feed.atom", self.atom)
        app.router.add_get("/feed.json", self.json_feed)
        app.router.add_get("/api/ledger.json", self.api)
        app.router.add_get("/api/ledger.csv", self.api_csv)
        app.router.add_get("/api/rounds.json", self.rounds_json)
        app.router.add_get("/api/rounds.csv", self.rounds_csv)
        app.router.add_get("/api/running.json", self.running_json)
        app.router.add_get("/api/running.csv", self.running_csv)
        for prefix, sub in self.mounts:
            app.add_subapp(prefix, sub)
        return app

    async def public_ledger(self) -> PublicLedger:
        async with self._ledger_lock:
            now = asyncio.get_running_loop().time()
            if self._ledger is None or now - self._ledger[0] >= self.ledger_ttl:
                self._ledger = (now, await asyncio.to_thread(_read, self.store))
            return self._ledger[1]

    # -- middlewares ---------------------------------------------------------------------------------
    @web.middleware
    async def _headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # 404, 405 ... get the same headers as any page
            response = web.Response(status=exc.status, text=exc.text or exc.reason, headers=exc.headers)
        response.headers.update(SECURITY_HEADERS)
        if self.config.public:
            response.headers.setdefault("Cache-Control", "public, max-age=60")
            if request.path in ("/feed.atom", "/feed.json") or request.path.startswith("/api/"):
                response.headers["Access-Control-Allow-Origin"] = "*"  # newsrooms' tools may read them
        else:  # shared caches must never keep an internal page
            response.headers["Cache-Control"] = "private, no-cache"
        return response

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.config.public or any(request.path.startswith(prefix) for prefix, _ in self.mounts):
            return await handler(request)
        expected = self.config.token
        given = request.query.get("token", "")
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            given = header[7:].strip()
        if expected and given and hmac.compare_digest(given.encode(), expected.encode()):
            return await handler(request)
        lang = self._lang(request)
        return web.Response(status=401, text=t(lang, "web.unauthorized") + "\n",
                            headers={"WWW-Authenticate": 'Bearer realm="ReleaseWatch"', "Vary": "Accept-Language"})

    # -- helpers ---------------------------------------------------------------------------------------
    def _lang(self, request: web.Request) -> str:
        """?lang= wins; then the best of Accept-Language; then the configured default."""
        asked = request.query.get("lang", "")
        if asked in LANGS:
            return asked
        best, best_q = self.default_lang, 0.0
        for part in request.headers.get("Accept-Language", "")[:500].split(",")[:20]:
            tag, _, params = part.strip().partition(";")
            code = tag.strip().lower()[:2]
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    q = 0.0
            if code in LANGS and q > best_q:
                best, best_q = code, q
        return best

    def _token_in_links(self, request: web.Request) -> str | None:
        """A reader who came with ?token= needs it in every link; one with a header does not."""
        if self.config.public or "Authorization" in request.headers:
            return None
        return request.query.get("token") or None

    def _href(self, request: web.Request) -> pages.Href:
        depth = request.path.count("/") - 1
        prefix = "../" * depth if depth else "./"
        token = self._token_in_links(request)

        def href(path: str, query: dict[str, str]) -> str:
            q = dict(query)
            if token:
                q["token"] = token
            return prefix + path + ("?" + urlencode(q) if q else "")
        return href

    def _base(self, request: web.Request) -> str:
        """Where feed links point: base_url, else the address the page listens on. Never the
        request's Host header: a cache keyed without it would serve one reader's links to all."""
        return self.config.base_url or self.own_url or own_url(self.config.host, self.config.port)

    def _respond(self, request: web.Request, body: bytes, content_type: str,
                 modified: datetime | None = None, vary: bool = True, filename: str | None = None) -> web.Response:
        """The body with its ETag (and Last-Modified); 304 when the reader already has it. With a
        filename, browsers save it (a CSV download) rather than show it."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": etag}
        if filename:
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        if vary:
            headers["Vary"] = "Accept-Language"
        if modified is not None:
            headers["Last-Modified"] = format_datetime(modified.astimezone(UTC).replace(microsecond=0), usegmt=True)
        match = request.headers.get("If-None-Match")
        if match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
            if etag in tags or "*" in tags:
                return web.Response(status=304, headers=headers)
        elif modified is not None and "If-Modified-Since" in request.headers:
            try:
                since = parsedate_to_datetime(request.headers["If-Modified-Since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo is not None and modified.replace(microsecond=0) <= since:
                return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type=content_type, charset="utf-8"
                            if not content_type.startswith("image/") else None, headers=headers)

    def _prison(self, request: web.Request, public: PublicLedger) -> tuple[bool, str | None]:
        """(ok, prison name) for ?prison=; not ok when it names no prison we know."""
        asked = request.query.get("prison", "")[:MAX_QUERY_VALUE]
        if not asked:
            return True, None
        name = resolve_prison(asked, public)
        return name is not None, name

    def _spec(self, request: web.Request, lang: str, prison: str | None) -> feeds.FeedSpec:
        return feeds.FeedSpec(lang=lang, base=self._base(request), authority=feeds.authority(self.config.base_url),
                              prison=prison, token=self._token_in_links(request))

    # -- routes ----------------------------------------------------------------------------------------
    async def index(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        public = await self.public_ledger()
        asked = request.query.get("page", "1")
        page = int(asked) if asked.isdigit() and len(asked) < 6 else 0
        if not 1 <= page <= pages.pages_count(public):
            response = self._respond(request, pages.not_found_page(public, lang, self._href(request)).encode(), "text/html")
            response.set_status(404)
            return response
        html = pages.ledger_page(public, lang, self._href(request), page)
        return self._respond(request, html.encode(), "text/html")

    async def event(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        public = await self.public_ledger()
        found = public.event(int(request.match_info["id"]))
        if found is None:
            html = pages.not_found_page(public, lang, self._href(request))
            response = self._respond(request, html.encode(), "text/html")
            response.set_status(404)
            return response
        return self._respond(request, pages.event_page(public, found, lang, self._href(request)).encode(), "text/html")

    async def prison(self, request: web.Request) -> web.Response:
        """/prison/<slug>: a prison's rounds and figures; a prison we do not know is a 404."""
        lang = self._lang(request)
        public = await self.public_ledger()
        name = resolve_prison(request.match_info["slug"][:MAX_QUERY_VALUE], public)
        if name is None:
            html = pages.not_found_page(public, lang, self._href(request), "web.unknown_prison_page")
            response = self._respond(request, html.encode(), "text/html")
            response.set_status(404)
            return response
        return self._respond(request, pages.prison_page(public, name, lang, self._href(request)).encode(), "text/html")

    async def chart(self, request: web.Request) -> web.Response:
        from ..charts import chart_png  # matplotlib loads on the first chart, not at start-up

        lang = self._lang(request)
        public = await self.public_ledger()
        key = (public.fingerprint, lang)
        png = self._charts.get(key)
        if png is None:
            async with self._chart_lock:  # one drawing at a time; the next reader gets it cached
                png = self._charts.get(key)
                if png is None:
                    # export and charts read a store through three methods; the ledger has them
                    png = await asyncio.to_thread(chart_png, public, lang)
                    self._charts = {k: v for k, v in self._charts.items() if k[0] == public.fingerprint}
                    self._charts[key] = png
        return self._respond(request, png, "image/png", public.changed)

    async def atom(self, request: web.Request) -> web.Response:
        return await self._feed(request, feeds.atom, "application/atom+xml")

    async def json_feed(self, request: web.Request) -> web.Response:
        return await self._feed(request, feeds.json_feed, "application/feed+json")

    async def _feed(self, request: web.Request, render: Callable[[PublicLedger, feeds.FeedSpec], bytes],
                    content_type: str) -> web.Response:
        lang = self._lang(request)
        public = await self.public_ledger()
        ok, prison = self._prison(request, public)
        if not ok:
            raise web.HTTPNotFound(text=t(lang, "web.unknown_prison") + "\n")
        return self._respond(request, render(public, self._spec(request, lang, prison)), content_type, public.changed)

    async def api(self, request: web.Request) -> web.Response:
        public = await self.public_ledger()
        body = export.to_json(public).encode()
        return self._respond(request, body, "application/json", public.changed, vary=False)

    async def api_csv(self, request: web.Request) -> web.Response:
        public = await self.public_ledger()
        return self._respond(request, data.ledger_csv(public).encode(), "text/csv", public.changed, vary=False,
                             filename="releasewatch-ledger.csv")

    async def _rounds(self, request: web.Request) -> tuple[PublicLedger, str | None, str]:
        public = await self.public_ledger()
        ok, prison = self._prison(request, public)
        if not ok:
            raise web.HTTPNotFound(text=t(self._lang(request), "web.unknown_prison") + "\n")
        suffix = f"-{prison_slug(prison)}" if prison else ""
        return public, prison, suffix

    async def rounds_json(self, request: web.Request) -> web.Response:
        public, prison, _ = await self._rounds(request)
        body = data.rounds_json(public, self._base(request), prison).encode()
        return self._respond(request, body, "application/json", public.changed, vary=False)

    async def rounds_csv(self, request: web.Request) -> web.Response:
        public, prison, suffix = await self._rounds(request)
        body = data.rounds_csv(public, self._base(request), prison).encode()
        return self._respond(request, body, "text/csv", public.changed, vary=False,
                             filename=f"releasewatch-rounds{suffix}.csv")

    async def running_json(self, request: web.Request) -> web.Response:
        public = await self.public_ledger()
        return self._respond(request, data.running_json(public).encode(), "application/json", public.changed, vary=False)

    async def running_csv(self, request: web.Request) -> web.Response:
        public = await self.public_ledger()
        return self._respond(request, data.running_csv(public).encode(), "text/csv", public.changed, vary=False,
                             filename="releasewatch-running-counts.csv")


def own_url(host: str, port: int) -> str:
    """The page's address on this machine; a wildcard address (listening on every interface) is
    named by its loopback one, which at least reaches the page from here."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://{host if ':' not in host else f'[{host}]'}:{port}/"


def _read(store: LedgerSource) -> PublicLedger:
    """Build the ledger and its fingerprint (a hash over all of it) in the worker thread."""
    public = build(store)
    assert public.fingerprint
    return public


class WebServer:
    """The app on its own host and port (port 0: any free one, see .port), reading the ledger
    through its own connection to the store's file."""

    def __init__(self, store: Store, config: WebConfig, default_lang: str = DEFAULT_LANG,
                 ledger_ttl: float = LEDGER_TTL, mounts: Sequence[Mount] = (),
                 idle_timeout: float = listen.IDLE_TIMEOUT) -> None:
        self.config = config
        self.mounts = tuple(mounts)
        self.path = store.path
        self.idle_timeout = idle_timeout
        self.default_lang = default_lang
        self.ledger_ttl = ledger_ttl
        self.reader: Store | None = None
        self.runner: web.AppRunner | None = None
        self.port = config.port

    @property
    def url(self) -> str:
        return own_url(self.config.host, self.port)

    async def start(self) -> None:
        self.reader = Store(self.path)
        routes = WebApp(self.reader, self.config, self.default_lang, self.ledger_ttl, self.mounts)
        try:
            # idle clients are closed and connections capped (bot/listen.py): readers must never
            # take the descriptors the bot needs to fetch feeds and send alerts
            runner, site = await listen.serve(routes.app(), self.config.host, self.config.port,
                                              self.config.max_connections, idle_timeout=self.idle_timeout, name="web")
        except OSError:
            self.reader.close()
            self.reader = None
            raise
        self.runner = runner
        self.port = site.port
        routes.own_url = self.url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        if self.reader is not None:
            self.reader.close()
            self.reader = None


async def start_web(config: Config, store: Store, mounts: Sequence[Mount] = ()) -> WebServer | None:
    """Start the page if [web] enables it, with mounts (the WebSub callback) beside it; a problem is
    a StartError, one sentence."""
    web_config = config.web
    if not web_config.enabled:
        return None
    if not web_config.public and not web_config.token:
        raise StartError(f"The web page is internal (web.public = false) but {TOKEN_ENV} is not set; "
                         "set it to a long random token, or make the page public.")
    server = WebServer(store, web_config, config.default_lang, mounts=mounts)
    try:
        await server.start()
    except OSError as exc:
        raise StartError(f"The web page could not listen on {web_config.host}:{web_config.port} "
                         f"({exc.strerror or type(exc).__name__}); change web.host or web.port.") from None
    log.info("web page serving", extra={"host": web_config.host, "port": server.port, "public": web_config.public})
    return server


async def stop_web(server: WebServer | None) -> None:
    if server is not None:
        await server.stop()
