"""Feeds over a real loopback HTTP server: conditional GET, timeouts, malformed XML, size caps."""

import asyncio
import gzip

import pytest

from bot.feeds import FeedError, canonical_link, fetch, make_client, parse_feed
from bot.feedtext import plain_text
from tests.feedserver import rss

ITEM = {"title": "Foro Penal verificó 17 excarcelaciones", "description": "<p>En <b>Tocorón</b>.</p>",
        "guid": "g-1", "link": "https://example.org/a?utm_source=x", "pubDate": "Wed, 31 Dec 2025 10:00:00 GMT"}


async def test_fetch_parses_items_and_normalises_them(feed_server):
    url = feed_server.set("/feed", body=rss([ITEM]))
    async with make_client(5) as client:
        res = await fetch(client, url)
    assert res.status == "ok"
    (item,) = res.items
    assert item.title == "Foro Penal verificó 17 excarcelaciones"
    assert item.summary == "En Tocorón."
    assert item.guid == "g-1"
    assert item.published.isoformat() == "2025-12-31T10:00:00+00:00"
    assert item.lang == "es"
    ua = feed_server.requests[0][1]["User-Agent"]
    assert ua.startswith("ReleaseWatch/")


async def test_conditional_get_returns_not_modified_on_304(feed_server):
    url = feed_server.set("/feed", body=rss([ITEM]), etag='"v1"', last_modified="Wed, 31 Dec 2025 10:00:00 GMT")
    async with make_client(5) as client:
        first = await fetch(client, url)
        second = await fetch(client, url, etag=first.etag, last_modified=first.last_modified)
    assert first.etag == '"v1"'
    assert second.status == "not_modified"
    assert feed_server.requests[1][1]["If-None-Match"] == '"v1"'


async def test_slow_feed_times_out_without_blocking_others(feed_server):
    slow = feed_server.set("/slow", body=rss([ITEM]), delay=3)
    fast = feed_server.set("/fast", body=rss([ITEM]))
    async with make_client(0.5) as client:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        res_slow, res_fast = await asyncio.gather(fetch(client, slow, deadline=1), fetch(client, fast))
        elapsed = loop.time() - t0
    assert res_slow.status == "error" and "timed out" in res_slow.error or "within" in res_slow.error
    assert res_fast.status == "ok"
    assert elapsed < 2.9


async def test_malformed_xml_is_a_feed_error(feed_server):
    url = feed_server.set("/bad", body=b"<?xml version='1.0'?><rss><chan<<>>&&", content_type="text/xml")
    async with make_client(5) as client:
        res = await fetch(client, url)
    assert res.status == "error"
    assert "not a readable RSS or Atom feed" in res.error


async def test_cut_off_feed_keeps_the_items_it_recovers(feed_server):
    body = rss([ITEM, {**ITEM, "guid": "g-2", "title": "Segundo"}])
    url = feed_server.set("/cut", body=body[: body.index(b"Segundo")], content_type="text/xml")
    async with make_client(5) as client:
        res = await fetch(client, url)
    assert res.status == "ok"
    assert res.items[0].guid == "g-1"


async def test_html_page_is_a_feed_error(feed_server):
    url = feed_server.set("/page", body=b"<html><body>hello</body></html>", content_type="text/html")
    async with make_client(5) as client:
        res = await fetch(client, url)
    assert res.status == "error"


async def test_http_error_is_recorded(feed_server):
    url = feed_server.set("/gone", status=500, body=b"oops")
    async with make_client(5) as client:
        res = await fetch(client, url)
    assert res == res.__class__("error", error="the server answered HTTP 500", seconds=res.seconds, http_status=500)


async def test_body_over_the_cap_is_refused_even_when_gzipped(feed_server):
    big = rss([ITEM]) + b" " * 3_000_000
    url = feed_server.set("/bomb", body=big, gzip=True)
    assert len(gzip.compress(big)) < 100_000
    async with make_client(5) as client:
        res = await fetch(client, url, max_bytes=1_000_000)
    assert res.status == "error" and "larger than" in res.error


async def test_redirect_loop_is_an_error(feed_server):
    feed_server.set("/a", redirect_to="/b")
    url = feed_server.set("/b", redirect_to="/a")
    async with make_client(5) as client:
        res = await fetch(client, feed_server.url + "/a")
    assert res.status == "error" and "redirects" in res.error
    assert url


def test_items_without_guid_link_or_date_still_get_stable_ids():
    body = rss([{"title": "Liberan a 12 presos políticos", "description": "Según Foro Penal."}])
    (a,) = parse_feed(body, "http://x")
    (b,) = parse_feed(body, "http://x")
    assert a.stable_id == b.stable_id
    assert a.link == ""


def test_scripts_and_markup_are_stripped_from_text():
    assert plain_text("<script>alert(1)</script><b>Hola</b> &amp; adiós", 100) == "Hola & adiós"


def test_canonical_link_drops_tracking_and_fragment():
    assert canonical_link("HTTPS://Example.org/a?utm_source=x&id=3#top") == "https://example.org/a?id=3"


def test_non_feed_bytes_raise_feed_error():
    with pytest.raises(FeedError):
        parse_feed(b"\x00\x01 not xml at all", "http://x")


async def test_redirect_to_a_private_address_is_refused(feed_server):
    # every request is checked, the first and each redirect (make_client event hook)
    feed_server.set("/jump", redirect_to="http://127.0.0.1:9/admin")
    async with make_client(5, allow_private=False) as client:
        res = await fetch(client, "http://localhost.invalid/feed")
        assert res.status == "error"
        res = await fetch(client, feed_server.url + "/jump")
    assert res.status == "error" and "private or local" in res.error


def test_plain_markup_read_without_the_parser_reads_as_the_parser_does(monkeypatch):
    """Summaries of plain tags skip HTMLParser (a fifth of the pipeline's own cost); whatever the
    markup, the text is what the parser would give: entities split by a tag, quotes of another
    kind, comments, a stray '<', script, cut-off tags."""
    import random

    import bot.feedtext as feedtext

    pieces = ["<p>", "</p>", "<br/>", "<BR>", "<b>", "</b>", "&amp;", "&lt;", "&#65;", "&#0;", "a", "7", " ", "\n",
              "<", ">", '"', "'", '<a href="u>v">', "<a href='u'>", "</a>", "&", "x&y;", "&am", "p;", "<!-- c -->",
              "<script>", "</script>", "<li>", "<p class=\"x\" hidden>", "<p\n>", "< p>", "<title>", "</title>", "<p"]
    rng = random.Random(7)
    cases = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(4000)]
    fast = [plain_text(c, 400) for c in cases]
    took_fast = sum(feedtext._simple_markup(c) is not None for c in cases)
    monkeypatch.setattr(feedtext, "_simple_markup", lambda html: None)
    assert fast == [plain_text(c, 400) for c in cases]
    assert 500 < took_fast < 3900  # both ways were exercised
