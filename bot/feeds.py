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
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx

from . import __version__, netguard, rss
from .cadence import MAX_BACKOFF  # noqa: F401 - part of this module's API (failing feeds back off up to it)
from .feedtext import safe_char_refs, strip_controls
from .i18n import because
from .items import EARLIEST, MAX_SUMMARY, MAX_TITLE, Item, canonical_link, make_item  # noqa: F401 - part of this API

USER_AGENT = f"ReleaseWatch/{__version__} (+https://github.com/releasewatch; political-prisoner release alerts)"
MAX_ITEMS_PER_FEED = 200
# the answer's headers that schedule the next fetch (bot/cadence.py) or name a WebSub hub (Link)
KEPT_HEADERS = ("cache-control", "age", "retry-after", "link")
MAX_KEPT_HEADER = 4000  # characters of each
MAX_LINKS = 20  # <link> elements of a feed read for its hub and its own address


class FeedError(Exception):
    """A feed could not be fetched or read; the message is one plain sentence."""


ParsedItem = Item  # what parse_feed returns: items not yet tied to a feed (feed_id 0)


@dataclass(frozen=True)
class FetchResult:
    status: str  # ok | not_modified | error
    items: tuple[ParsedItem, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    seconds: float = 0.0
    digest: bytes | None = None  # of the body: an unchanged body can skip parsing next time
    entries: int = 0  # entries the feed held; above MAX_ITEMS_PER_FEED only the newest were read
    skipped: tuple[str, ...] = ()  # one sentence per entry that could not be read (only it is lost)
    # an answer that was no feed (a site's page, perhaps): its body and address after redirects,
    # where feed_links can look for the feed it announces (/addfeed with a site's address)
    page: bytes | None = None
    page_url: str | None = None
    http_status: int | None = None  # None: no HTTP answer at all (refused, timed out)
    headers: tuple[tuple[str, str], ...] = ()  # KEPT_HEADERS present in the answer (lower-case names)
    links: tuple[tuple[str, str], ...] = ()  # the document's own (rel, href) links: its hub, itself
    url: str | None = None  # where the answer came from, after redirects

    @property
    def header_map(self) -> dict[str, str]:
        return dict(self.headers)


@dataclass(frozen=True)
class ParsedFeed:
    items: list[Item]
    entries: int  # entries in the document (items holds the newest MAX_ITEMS_PER_FEED of them)
    skipped: tuple[str, ...]  # why each unreadable entry was left out
    links: tuple[tuple[str, str], ...] = ()  # the feed's own <link>s as (rel, href): rel="hub", rel="self"




def _date(entry: feedparser.FeedParserDict, keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        # the entry's own key: FeedParserDict.get("updated_parsed") on an entry without one answers
        # its published date instead, with a DeprecationWarning (feedparser issue 310)
        value = dict.get(entry, key)
        if value:
            try:
                dt = datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
            if dt >= EARLIEST:
                return dt
    return None


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower()[:2]
    return code if code in ("es", "en") else None


def _item(entry: feedparser.FeedParserDict, lang: str | None, now: datetime, feed_id: int = 0) -> Item | None:
    summary_html = entry.get("summary", "") or ""
    if not summary_html and entry.get("content"):
        summary_html = entry["content"][0].get("value", "") or ""
    return make_item(guid=entry.get("id"), link=entry.get("link") or "", title=entry.get("title", "") or "",
                     summary=summary_html, published=_date(entry, ("published_parsed", "updated_parsed", "created_parsed")),
                     lang=lang or _lang(entry.get("language")), now=now, updated=_date(entry, ("updated_parsed",)),
                     feed_id=feed_id)


def _newest(entries: list[feedparser.FeedParserDict], limit: int) -> list[feedparser.FeedParserDict]:
    """The newest `limit` entries whatever the feed's order (some feeds list the oldest first);
    entries without a date keep their place among themselves, after the dated ones."""
    if len(entries) <= limit:
        return entries
    dated = [(_date(e, ("published_parsed", "updated_parsed", "created_parsed")), i) for i, e in enumerate(entries)]
    order = sorted(range(len(entries)), key=lambda i: (dated[i][0] is None, -(dated[i][0] or EARLIEST).timestamp(), i))
    return [entries[i] for i in order[:limit]]


def read_feed(body: bytes, url: str, feed_lang: str | None = None, now: datetime | None = None, *,
              feed_id: int = 0) -> ParsedFeed:
    """Parse feed bytes into items (at most MAX_ITEMS_PER_FEED, the newest), tied to feed_id when
    the caller knows the feed. Raises FeedError if it is no feed. An entry that cannot be read
    costs that entry only: it is left out and said why."""
    now = now or datetime.now(UTC)
    doc = safe_char_refs(body)
    # the plain RSS most outlets serve is read without feedparser (bot/rss.py, same answer);
    # plain_text() below strips every tag (and the content of script/style), so feedparser's
    # own HTML sanitising and URI rewriting inside summaries would be work thrown away: about a
    # quarter of its parse time (bench/pipeline_cost.py)
    parsed = rss.read_plain(doc) or feedparser.parse(doc, sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    # feedparser recovers what it can from sloppy XML (a stray "&", a cut-off tail); the items
    # it recovers are kept, since dropping a whole outlet for one bad byte would cost an alert
    if parsed.get("bozo") and not entries:
        exc = parsed.get("bozo_exception")
        reason = type(exc).__name__ if exc else "unknown error"
        raise FeedError(because("reason.unreadable_feed", error=reason))
    if not entries and not parsed.get("version"):
        raise FeedError(because("reason.not_a_feed"))
    lang = feed_lang or _lang(parsed.get("feed", {}).get("language"))
    links = _links(parsed.get("feed", {}))
    items: list[Item] = []
    skipped: list[str] = []
    for n, entry in enumerate(_newest(entries, MAX_ITEMS_PER_FEED), 1):
        try:
            item = _item(entry, lang, now, feed_id)
        except Exception as exc:  # one malformed entry must not cost the others
            skipped.append(because("reason.entry_unreadable", n=n, error=type(exc).__name__))
            continue
        if item is not None:
            items.append(item)
    if parsed.get("bozo") and not items:
        # a broken document that yielded nothing readable is a failing feed, not an empty one
        bozo = parsed.get("bozo_exception")
        reason = type(bozo).__name__ if bozo else "unknown error"
        raise FeedError(because("reason.unreadable_feed", error=reason))
    return ParsedFeed(items, len(entries), tuple(skipped), links)


def _links(feed: feedparser.FeedParserDict) -> tuple[tuple[str, str], ...]:
    """The feed's own links (atom:link in RSS, link in Atom) as (rel, href), capped."""
    out = []
    for link in (feed.get("links") or [])[:MAX_LINKS]:
        rel = str(link.get("rel") or "").strip().lower()[:40]
        href = strip_controls(str(link.get("href") or "").strip()[:1000])
        if rel and href:
            out.append((rel, href))
    return tuple(out)


def parse_feed(body: bytes, url: str, feed_lang: str | None = None, now: datetime | None = None, *,
               feed_id: int = 0) -> list[Item]:
    """The items of a feed document (see read_feed)."""
    return read_feed(body, url, feed_lang, now, feed_id=feed_id).items


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
        raise FeedError(because("reason.http_only"))
    if allow_private:
        return
    try:
        netguard.check_url_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), resolve)
    except netguard.AddressRefused as exc:
        raise FeedError(str(exc)) from None
    except ValueError:  # a port that is no number
        raise FeedError(because("reason.bad_feed_url")) from None


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


class _Refused(Exception):
    """The answer cannot be a feed (an HTTP error, too large, an unknown compression): its sentence."""


async def _read_body(resp: httpx.Response, max_bytes: int) -> bytes:
    """The body, decompressed a piece at a time and never beyond max_bytes (raises _Refused)."""
    if resp.status_code >= 400:
        raise _Refused(because("reason.http_status", status=resp.status_code))
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes * 4:
        raise _Refused(because("reason.too_large", max_bytes=max_bytes))
    encoding = resp.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise _Refused(because("reason.unknown_compression", encoding=encoding[:40]))
    inflate = _Inflate(encoding) if encoding not in ("identity", "") else None
    chunks = []
    size = 0
    async for raw in resp.aiter_raw():
        # ask for one byte more than the room left: getting it means over the cap
        chunk = inflate.feed(raw, max_bytes - size + 1) if inflate else raw
        size += len(chunk)
        if size > max_bytes:
            raise _Refused(because("reason.too_large", max_bytes=max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)


def _failure(exc: BaseException, deadline: float) -> str | None:
    """One plain sentence for what went wrong fetching a feed, or None if it is not a feed problem."""
    if isinstance(exc, TimeoutError):
        return because("reason.deadline", seconds=deadline)
    if isinstance(exc, _Refused | FeedError):  # FeedError: a redirect to a private address (see make_client)
        return str(exc)
    if isinstance(exc, httpx.TooManyRedirects):
        return because("reason.too_many_redirects")
    if isinstance(exc, httpx.TimeoutException):
        return because("reason.timed_out")
    if isinstance(exc, httpx.HTTPError):
        return because("reason.request_failed", error=type(exc).__name__)
    if isinstance(exc, zlib.error):
        return because("reason.damaged_compression")
    return None


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
    feed_id: int = 0,
) -> FetchResult:
    """Conditional GET of one feed within a total deadline; never raises for feed problems.

    A body whose digest equals known_digest (of the last body parsed) is "not_modified" without
    parsing it: many feeds send neither ETag nor Last-Modified, just the same bytes again."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    headers = {}
    # every fetch is conditional once the feed has sent a validator: a poll of an unchanged feed
    # costs one 304 (the validators are stored with the feed, so a restart keeps them)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    status: int | None = None
    kept: tuple[tuple[str, str], ...] = ()
    try:
        async with asyncio.timeout(deadline):
            async with client.stream("GET", url, headers=headers) as resp:
                status, kept = resp.status_code, _kept(resp.headers)
                if resp.status_code == 304:
                    # a 304 may carry a new validator (RFC 9110 13.1.2): the next request sends it
                    return FetchResult("not_modified", etag=resp.headers.get("etag") or etag,
                                       last_modified=resp.headers.get("last-modified") or last_modified,
                                       seconds=loop.time() - started, http_status=status, headers=kept)
                body = await _read_body(resp, max_bytes)
                new_etag = resp.headers.get("etag")
                new_lm = resp.headers.get("last-modified")
                final_url = str(resp.url)
    except (TimeoutError, _Refused, FeedError, httpx.HTTPError, zlib.error) as exc:
        return FetchResult("error", error=_failure(exc, deadline), seconds=loop.time() - started,
                           http_status=status, headers=kept)
    digest = hashlib.sha256(body).digest()
    if digest == known_digest:
        return FetchResult("not_modified", etag=new_etag or etag, last_modified=new_lm or last_modified,
                           seconds=loop.time() - started, digest=digest, http_status=status, headers=kept,
                           url=final_url)
    try:
        feed = await asyncio.to_thread(read_feed, body, url, feed_lang, feed_id=feed_id) if len(body) > 200_000 \
            else read_feed(body, url, feed_lang, feed_id=feed_id)
    except FeedError as exc:
        return FetchResult("error", error=str(exc), seconds=loop.time() - started,
                           page=body if len(body) <= MAX_PAGE else None, page_url=final_url,
                           http_status=status, headers=kept)
    except Exception as exc:  # a parser bug on hostile input costs this feed, never the cycle
        return FetchResult("error", error=because("reason.unparsable", error=type(exc).__name__),
                           seconds=loop.time() - started, http_status=status, headers=kept)
    return FetchResult("ok", tuple(feed.items), new_etag, new_lm, seconds=loop.time() - started, digest=digest,
                       entries=feed.entries, skipped=feed.skipped, http_status=status, headers=kept,
                       links=feed.links, url=final_url)


def _kept(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """The headers the schedule and WebSub discovery read (several Link headers joined), capped."""
    out = []
    for name in KEPT_HEADERS:
        values = headers.get_list(name)
        if values:
            out.append((name, ", ".join(values)[:MAX_KEPT_HEADER]))
    return tuple(out)


# -- a site's page that announces its feed ------------------------------------------------------------

MAX_PAGE = 2_000_000  # a page larger than this is not searched for feed links
FEED_TYPES = ("application/rss+xml", "application/atom+xml")


class _FeedLinks(HTMLParser):
    """<link rel="alternate" type="application/rss+xml|atom+xml" href="…"> in a page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link" or len(self.hrefs) >= 20:
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        rels = a.get("rel", "").lower().split()
        kind = a.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and a.get("href", "").strip():
            self.hrefs.append(a["href"].strip())


def feed_links(page: bytes, page_url: str) -> list[str]:
    """The RSS and Atom feeds a page announces with <link rel="alternate">, in the page's order,
    as absolute http(s) URLs (relative addresses resolved against the page's own)."""
    parser = _FeedLinks()
    try:
        parser.feed(page[:MAX_PAGE].decode("utf-8", errors="replace"))
        parser.close()
    except Exception:  # HTMLParser is lenient; a page it still cannot read announces nothing
        return []
    out = []
    for href in parser.hrefs:
        url = urljoin(page_url, strip_controls(href))
        if urlsplit(url).scheme in ("http", "https") and url not in out:
            out.append(url)
    return out

