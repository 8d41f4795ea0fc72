"""Feeds: fetch one RSS/Atom feed over HTTP and turn it into normalised items.

Everything a feed sends is untrusted: requests have a per-request timeout and a total deadline,
bodies are streamed and capped (after decompression, so a gzip bomb stops at the cap), redirects
are limited, and text is reduced to plain, size-capped strings. A failure is a FetchResult with
an error sentence, never an exception that could stop the other feeds.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import random
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import httpx

from . import __version__, netguard

USER_AGENT = f"ReleaseWatch/{__version__} (+https://github.com/releasewatch; political-prisoner release alerts)"
MAX_ITEMS_PER_FEED = 200
MAX_TITLE = 400
MAX_SUMMARY = 4000
MAX_BACKOFF = timedelta(hours=6)


class FeedError(Exception):
    """A feed could not be fetched or read; the message is one plain sentence."""


@dataclass(frozen=True)
class ParsedItem:
    guid: str | None
    link: str
    title: str
    summary: str
    published: datetime
    lang: str | None

    @property
    def stable_id(self) -> str:
        key = self.guid or canonical_link(self.link) or f"{self.title}|{self.summary}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class FetchResult:
    status: str  # ok | not_modified | error
    items: tuple[ParsedItem, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    seconds: float = 0.0
    digest: bytes | None = None  # of the body: an unchanged body can skip parsing next time


# -- plain text ------------------------------------------------------------------------------------


class _TextOnly(HTMLParser):
    _BREAKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "blockquote"}
    _SKIP = {"script", "style", "iframe", "object", "noscript", "template", "applet"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(html: str, limit: int) -> str:
    """Visible text of an HTML fragment, whitespace tidied, at most limit characters."""
    if "<" in html or "&" in html:
        parser = _TextOnly()
        try:
            parser.feed(html[: limit * 4])
            parser.close()
            html = "".join(parser.parts)
        except Exception:  # HTMLParser is lenient; this is belt and braces
            html = re.sub(r"<[^>]*>", " ", html)
    lines = [" ".join(line.split()) for line in html.splitlines()]
    text = "\n".join(line for line in lines if line)
    return text[:limit]


_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ref_src$|cmpid$|__twitter)")


def canonical_link(link: str) -> str:
    """A link without tracking parameters or fragment, so re-shared URLs compare equal."""
    try:
        parts = urlsplit(link.strip())
    except ValueError:
        return link.strip()
    if not parts.scheme:
        return link.strip()
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def _published(entry: feedparser.FeedParserDict, fallback: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                dt = datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
            # a date far in the future is a broken feed; do not let it pin an event forever
            return min(dt, fallback + timedelta(days=1))
    return fallback


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower()[:2]
    return code if code in ("es", "en") else None


def parse_feed(body: bytes, url: str, feed_lang: str | None = None, now: datetime | None = None) -> list[ParsedItem]:
    """Parse feed bytes into items (newest feed order kept). Raises FeedError if it is no feed."""
    now = now or datetime.now(UTC)
    # plain_text() below strips every tag (and the content of script/style), so feedparser's
    # own HTML sanitising and URI rewriting inside summaries would be work thrown away: about a
    # quarter of the parse time (bench/pipeline_cost.py)
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    # feedparser recovers what it can from sloppy XML (a stray "&", a cut-off tail); the items
    # it recovers are kept, since dropping a whole outlet for one bad byte would cost an alert
    if parsed.get("bozo") and not entries:
        exc = parsed.get("bozo_exception")
        reason = type(exc).__name__ if exc else "unknown error"
        raise FeedError(f"the response is not a readable RSS or Atom feed ({reason})")
    if not entries and not parsed.get("version"):
        raise FeedError("the response is not an RSS or Atom feed")
    lang = feed_lang or _lang(parsed.get("feed", {}).get("language"))
    items = []
    for entry in entries[:MAX_ITEMS_PER_FEED]:
        title = plain_text(entry.get("title", "") or "", MAX_TITLE)
        summary_html = entry.get("summary", "") or ""
        if not summary_html and entry.get("content"):
            summary_html = entry["content"][0].get("value", "") or ""
        summary = plain_text(summary_html, MAX_SUMMARY)
        link = (entry.get("link") or "").strip()[:1000]
        guid = (entry.get("id") or "").strip()[:500] or None
        if not (title or summary):
            continue
        if not link.startswith(("http://", "https://")):
            link = ""
        items.append(
            ParsedItem(
                guid=guid,
                link=link,
                title=title,
                summary=summary,
                published=_published(entry, now),
                lang=lang or _lang(entry.get("language")),
            )
        )
    if parsed.get("bozo") and not items:
        # a broken document that yielded nothing readable is a failing feed, not an empty one
        exc = parsed.get("bozo_exception")
        reason = type(exc).__name__ if exc else "unknown error"
        raise FeedError(f"the response is not a readable RSS or Atom feed ({reason})")
    return items


# -- fetching ----------------------------------------------------------------------------------------


def make_client(timeout: float, max_connections: int = 256, allow_private: bool = True, *,
                guard: netguard.Guard | None = None) -> httpx.AsyncClient:
    # the pipeline's semaphore (max_concurrent_fetches, at most 256) bounds concurrent fetches;
    # a smaller pool would cap it silently and turn waits for a free connection into "the
    # request timed out" on slow cycles (bench/poll_cycle.py)
    guard = None if allow_private else (guard or netguard.Guard())
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=5,
        # only what _Inflate decodes: fetch() reads raw bytes and decompresses them itself
        headers={"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, "
                 "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
                 "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=max_connections,
                            max_keepalive_connections=min(max_connections, 32)),
        # every request, redirects included, is checked for literal local hosts, and every
        # connection resolves its name and dials only public addresses (bot/netguard.py)
        event_hooks={} if guard is None else {"request": [guard.request_hook(FeedError)]},
    )
    if guard is not None:
        guard.install(client, FeedError)
    return client


def check_feed_url(url: str, allow_private: bool, resolve: bool = True) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts that are or resolve to addresses that are
    not public (bot/netguard.py). resolve=False judges the host as written only (offline imports:
    names are resolved, and judged, on every connection anyway)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError("only http and https feed URLs are allowed")
    if allow_private:
        return
    try:
        netguard.check_url_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), resolve)
    except netguard.AddressRefused as exc:
        raise FeedError(str(exc)) from None
    except ValueError:  # a port that is no number
        raise FeedError("the feed URL is not valid") from None


class _Inflate:
    """Decompresses a gzip or deflate body a piece at a time, never producing more than asked.

    httpx's own decoder inflates each network read whole: 64 KiB of a gzip bomb become ~64 MB
    in memory before any size check can run. Here each piece stops at the room left under the cap.
    """

    def __init__(self, encoding: str) -> None:
        gzip_ = encoding in ("gzip", "x-gzip")
        self._raw_fallback = not gzip_  # some servers send raw deflate without the zlib header
        self._d = zlib.decompressobj(zlib.MAX_WBITS | (16 if gzip_ else 0))
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Up to limit (>= 1) bytes of output for data; more input than that is left unread."""
        try:
            out = self._d.decompress(data, limit)
        except zlib.error:
            if self._started or not self._raw_fallback:
                raise
            self._d = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._d.decompress(data, limit)
        self._started = True
        return out


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 5_000_000,
    deadline: float = 60.0,
    feed_lang: str | None = None,
    known_digest: bytes | None = None,
) -> FetchResult:
    """Conditional GET of one feed within a total deadline; never raises for feed problems.

    A body whose digest equals known_digest (of the last body parsed) is "not_modified" without
    parsing it: many feeds send neither ETag nor Last-Modified, just the same bytes again."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(deadline):
            async with client.stream("GET", url, headers=headers) as resp:
                if resp.status_code == 304:
                    return FetchResult("not_modified", etag=etag, last_modified=last_modified,
                                       seconds=loop.time() - started)
                if resp.status_code >= 400:
                    return FetchResult("error", error=f"the server answered HTTP {resp.status_code}",
                                       seconds=loop.time() - started)
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes * 4:
                    return FetchResult("error", error=f"the feed is larger than {max_bytes} bytes")
                encoding = resp.headers.get("content-encoding", "identity").strip().lower()
                if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
                    reason = f"the server used an unknown compression ({encoding[:40]})"
                    return FetchResult("error", error=reason, seconds=loop.time() - started)
                inflate = _Inflate(encoding) if encoding not in ("identity", "") else None
                chunks = []
                size = 0
                async for raw in resp.aiter_raw():
                    # ask for one byte more than the room left: getting it means over the cap
                    chunk = inflate.feed(raw, max_bytes - size + 1) if inflate else raw
                    size += len(chunk)
                    if size > max_bytes:
                        return FetchResult("error", error=f"the feed is larger than {max_bytes} bytes",
                                           seconds=loop.time() - started)
                    chunks.append(chunk)
                body = b"".join(chunks)
                new_etag = resp.headers.get("etag")
                new_lm = resp.headers.get("last-modified")
    except TimeoutError:
        return FetchResult("error", error=f"no complete answer within {deadline:g} seconds",
                           seconds=loop.time() - started)
    except FeedError as exc:  # a redirect to a private address (see make_client)
        return FetchResult("error", error=str(exc), seconds=loop.time() - started)
    except httpx.TooManyRedirects:
        return FetchResult("error", error="too many redirects", seconds=loop.time() - started)
    except httpx.TimeoutException:
        return FetchResult("error", error="the request timed out", seconds=loop.time() - started)
    except httpx.HTTPError as exc:
        reason = type(exc).__name__
        return FetchResult("error", error=f"the request failed ({reason})", seconds=loop.time() - started)
    except zlib.error:
        return FetchResult("error", error="the compressed body is damaged",
                           seconds=loop.time() - started)
    digest = hashlib.sha256(body).digest()
    if digest == known_digest:
        return FetchResult("not_modified", etag=new_etag or etag, last_modified=new_lm or last_modified,
                           seconds=loop.time() - started, digest=digest)
    try:
        items = await asyncio.to_thread(parse_feed, body, url, feed_lang) if len(body) > 200_000 \
            else parse_feed(body, url, feed_lang)
    except FeedError as exc:
        return FetchResult("error", error=str(exc), seconds=loop.time() - started)
    return FetchResult("ok", tuple(items), new_etag, new_lm, seconds=loop.time() - started, digest=digest)


def backoff(interval: int, errors: int, rng: random.Random | None = None) -> timedelta:
    """Next attempt after `errors` consecutive failures: doubling, jittered, at most 6 hours."""
    rng = rng or random.Random()
    base = timedelta(seconds=interval) * min(2 ** max(errors - 1, 0), 64)
    jitter = 1 + rng.uniform(-0.1, 0.1)
    return min(base * jitter, MAX_BACKOFF)
