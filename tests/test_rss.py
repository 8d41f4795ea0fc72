"""The plain RSS reader (bot/rss.py) answers what feedparser answers, or declines.

Thousands of generated documents mix the plain shape with everything that leaves it (other
encodings, DOCTYPEs, markup in text, odd dates and links, C1 characters, unknown elements); each
is read twice by bot.feeds.read_feed, once as shipped and once with feedparser alone, and the
two readings must be the same items, entry count, skipped entries and links. The reader must
also take most plain documents and leave the rest, or the comparison would prove nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bench.synth import Generator, feed_body
from bot import feeds, rss
from tests.feedserver import rss as fixture_rss

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

TITLES = ["Excarcelan a 17 presos políticos en Tocorón", "Foro Penal: 33 liberados", "  spaced   title  ",
          "A &amp; B", "&lt;b&gt;bold&lt;/b&gt; claim", "<![CDATA[<i>CDATA</i> title & more]]>", "", "Ñandú — «comillas»",
          "Emoji \U0001F600 &#x1F600; &#55357;&#56832;", "tab\there", "C1 \u0093quoted\u0094", "ref &#150; dash",
          "<b>markup</b> inside", "&nbsp;entity", "x &#0; nul"]
DESCRIPTIONS = ["&lt;p&gt;Foro Penal verificó 33 excarcelaciones.&lt;/p&gt;", "<![CDATA[<p>CDATA <a href='/x'>link</a></p>]]>",
                "", "  plain text  ", "<p>well-formed child</p>", "line one\nline two", "&lt;script&gt;x()&lt;/script&gt;gone",
                "a &amp;amp; b", "<![CDATA[<!-- comment --> text]]>"]
LINKS = ["https://outlet.example/news/1", "http://outlet.example/a?b=1&amp;c=2", "https://outlet.example/a?x=&amp;amp;y;",
         "/relative/path", "https:///extra/slash", "  https://outlet.example/spaced  ", "", "mailto:x@example.org",
         "https://outlet.example/ñ", "javascript:alert(1)",
         "https://outlet.example/a b", "HTTPS://OUTLET.EXAMPLE/X"]
GUIDS = [("", "bench-1"), (' isPermaLink="false"', "urn:uuid:1234"), (' isPermaLink="true"', "https://outlet.example/p/9"),
         ("", "https://outlet.example/?p=12"), (' isPermaLink="TRUE"', "x"), (' isPermaLink="false"', ""),
         (' isPermaLink="false" extra="1"', "k"), ("", "tag:outlet.example,2025:1"),
         ("", "https://outlet.example/?p=1&amp;amp;x;"), (' isPermaLink="true"', "/relative/7")]
DATES = ["Sun, 28 Dec 2025 06:01:04 +0000", "28 Dec 2025 06:01:04 GMT", "Mon, 28 Dec 2025 06:01:04 -0400",
         "Sun, 28 Dec 2025 06:01 +0000", "Sun, 31 Feb 2025 06:01:04 +0000", "2025-12-28T06:01:04Z", "Sun, 28 Dec 25 06:01:04 +0000",
         "Sun, 28 Dec 2025 06:01:04 EST", "Sun, 28 Dec 2025 25:01:04 +0000", "yesterday", "Sun, 28 Dec 2025 06:01:04 UT",
         "Sun, 28 Dec 2025 06:01:04 +1400", "Sun, 28 Dec 1890 06:01:04 +0000", "Sun, 28 Dec 2025 06:01:60 +0000",
         "Sun, 28 Dec 2025 06:01:04 UTC", "  Sun, 28 Dec 2025 06:01:04 +0530  ", "Sun, 28 Dec 2025 23:59 PDT",
         "Sun, 28 Dec 2025 00:00:00 CST", "Sun, 28 Dec 2025 06:01:04 Z", "Sun, 28 Dec 2025 06:01:04 +2400",
         "Sun, 29 Feb 2024 06:01:04 +0000", "Sun, 29 Feb 2025 06:01:04 +0000", "Sun,  8 Dec 2025 06:01:04 +0000",
         "Mon, 01 Jan 0001 00:00:00 GMT", "Thu, 01 Jan 0099 00:00:00 GMT", "Fri, 01 Jan 1999 00:00:00 GMT"]
HEADS = ['<?xml version="1.0" encoding="UTF-8"?>', "", '<?xml version="1.0"?>', "\ufeff<?xml version='1.0' encoding='utf-8'?>",
         '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
         '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE rss [<!ENTITY e "x">]>', '<?xml version="1.0" encoding="UTF-8"?><!-- c -->']
NS = ('xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
      'xmlns:media="http://search.yahoo.com/mrss/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"')


def _pick(r: random.Random, values: list, plain: float) -> object:
    """The first value (the plain one) with probability `plain`, else any."""
    return values[0] if r.random() < plain else r.choice(values)


def _item(r: random.Random, plain: float) -> str:
    parts = []
    if r.random() < 0.9:
        parts.append(f"<title>{_pick(r, TITLES, plain)}</title>")
    if r.random() < 0.85:
        parts.append(f"<link>{_pick(r, LINKS, plain)}</link>")
    if r.random() < 0.8:
        attrs, value = _pick(r, GUIDS, plain)  # type: ignore[misc]
        parts.append(f"<guid{attrs}>{value}</guid>")
    if r.random() < 0.85:
        parts.append(f"<pubDate>{_pick(r, DATES, plain)}</pubDate>")
    if r.random() < 0.85:
        parts.append(f"<description>{_pick(r, DESCRIPTIONS, plain)}</description>")
    if r.random() < 0.25:
        full = r.choice(["full text", "El texto completo: 12 liberados", ""])
        parts.append(f"<content:encoded><![CDATA[<p>{full}</p>]]></content:encoded>")
    for extra in EXTRAS:
        if r.random() < 0.02 + 0.08 * (1 - plain):
            parts.append(extra)
    r.shuffle(parts) if r.random() < 0.3 else None
    return "<item>" + "".join(parts) + "</item>"


EXTRAS = ("<dc:creator>Redacción</dc:creator>", "<category><![CDATA[Política]]></category>",
          "<comments>https://x.example/c</comments>", '<enclosure url="https://x.example/a.jpg" length="1"/>',
          "<dc:date>2025-12-28T06:01:04Z</dc:date>", '<source url="https://y.example/rss">Other</source>',
          "<author>a@example.org (A)</author>", '<title xml:lang="en">t</title>', "loose text",
          '<media:content url="https://x.example/a.jpg" medium="image"/>', '<media:thumbnail url="https://x.example/t.jpg"/>',
          '<media:content url="https://x.example/v.mp4"><media:title>Video</media:title></media:content>',
          "<media:description>Otra descripción</media:description>", "<media:title>Otro título</media:title>")


def _document(r: random.Random) -> bytes:
    channel = []
    if r.random() < 0.9:
        channel.append("<title>Outlet</title><link>https://outlet.example/</link><description>News</description>")
    if r.random() < 0.7:
        channel.append(f"<language>{r.choice(['es', 'en-US', 'es-VE', 'fr', ' es ', ''])}</language>")
    if r.random() < 0.4:
        channel.append('<atom:link rel="hub" href="https://hub.example/"/>'
                       '<atom:link rel="self" href="https://outlet.example/feed" type="application/rss+xml"/>')
    if r.random() < 0.3:
        channel.append("<generator>https://wordpress.org/?v=6.5</generator><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>")
    if r.random() < 0.15:
        channel.append("<image><url>https://outlet.example/logo.png</url><title>Outlet</title><link>https://outlet.example/</link>"
                       + r.choice(["", "<width>32</width><height>32</height>", "<description>Logo</description>"]) + "</image>")
    if r.random() < 0.05:
        channel.append("<lastBuildDate>Sun, 28 Dec 2025 06:01:04 +0000</lastBuildDate><ttl>60</ttl>")
    plain = r.choice((0.0, 0.9, 0.97, 1.0))  # how plain this document's items are
    items = [_item(r, plain) for _ in range(r.randint(0, 6))]
    body = "".join(channel + items) if r.random() < 0.7 else "".join(items + channel)
    version = r.choice(['2.0'] * 18 + ['0.91', '2.0.1'])
    head = r.choice(HEADS[:4] * 12 + HEADS[4:])
    doc = f'{head}<rss version="{version}" {NS}><channel>{body}</channel></rss>'
    encoding = "iso-8859-1" if "ISO-8859-1" in head else "utf-8"
    return doc.encode(encoding, "replace")


def _both(body: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[feeds.ParsedFeed | str, feeds.ParsedFeed | str, bool]:
    taken = rss.read_plain(feeds.safe_char_refs(body)) is not None
    shipped = _read(body)
    with monkeypatch.context() as m:
        m.setattr(rss, "read_plain", lambda doc: None)
        alone = _read(body)
    return shipped, alone, taken


def _read(body: bytes) -> feeds.ParsedFeed | str:
    try:
        return feeds.read_feed(body, "https://outlet.example/feed", now=NOW)
    except feeds.FeedError as exc:
        return f"FeedError: {exc}"


def test_generated_documents_read_the_same_as_feedparser(monkeypatch: pytest.MonkeyPatch) -> None:
    r = random.Random(2026)
    taken = 0
    n = 1500
    for i in range(n):
        body = _document(r)
        shipped, alone, took = _both(body, monkeypatch)
        assert shipped == alone, f"document {i} read differently:\n{body.decode('utf-8', 'replace')}"
        taken += took
    # both paths exercised: most plain documents taken, the rest left to feedparser
    assert 0.2 * n < taken < 0.8 * n, taken


def test_every_value_of_the_generator_is_read_the_same_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each title, description, link, guid and date alone in an otherwise plain item, so a rare
    combination cannot hide one value's difference."""
    def doc(item: str) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" {NS}><channel><title>T</title>'
                f'<language>es</language>{item}</channel></rss>').encode()
    base = {"title": "<title>Excarcelan a 17</title>", "link": "<link>https://o.example/1</link>",
            "guid": '<guid isPermaLink="false">g1</guid>', "date": "<pubDate>Sun, 28 Dec 2025 06:01:04 +0000</pubDate>",
            "desc": "<description>&lt;p&gt;texto&lt;/p&gt;</description>", "extra": ""}
    variants = ([("title", f"<title>{t}</title>") for t in TITLES]
                + [("desc", f"<description>{d}</description>") for d in DESCRIPTIONS]
                + [("link", f"<link>{x}</link>") for x in LINKS] + [("guid", f"<guid{a}>{v}</guid>") for a, v in GUIDS]
                + [("date", f"<pubDate>{d}</pubDate>") for d in DATES] + [("extra", x) for x in EXTRAS])
    for key, value in variants:
        parts = dict(base, **{key: value})
        shipped, alone, _ = _both(doc("<item>" + "".join(parts.values()) + "</item>"), monkeypatch)
        assert shipped == alone, value


def test_the_bench_day_and_the_test_fixtures_are_taken_and_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    gen = Generator(seed=11)
    bodies = [feed_body(gen, f, 40) for f in range(4)]
    bodies.append(fixture_rss([{"title": "Excarcelan a 12", "link": "https://o.example/a", "description": "<p>Foro Penal</p>",
                                "guid": "g-1", "pubDate": "Sun, 28 Dec 2025 06:01:04 +0000"}]))
    for body in bodies:
        shipped, alone, took = _both(body, monkeypatch)
        assert took and shipped == alone and not isinstance(shipped, str) and shipped.items


WORDPRESS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	xmlns:media="http://search.yahoo.com/mrss/">
<channel>
	<title>Diario de Ejemplo</title>
	<atom:link href="https://diario.example/feed/" rel="self" type="application/rss+xml" />
	<link>https://diario.example</link>
	<description>Noticias de Venezuela</description>
	<lastBuildDate>Mon, 07 Dec 2026 10:15:00 +0000</lastBuildDate>
	<language>es-VE</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.7</generator>
	<image><url>https://diario.example/icon-32.png</url><title>Diario de Ejemplo</title><link>https://diario.example</link>
	<width>32</width><height>32</height></image>
	<item>
		<title>Foro Penal verifica 21 excarcelaciones en Tocorón y Rodeo I</title>
		<link>https://diario.example/2026/12/07/foro-penal-21/</link>
		<comments>https://diario.example/2026/12/07/foro-penal-21/#respond</comments>
		<dc:creator><![CDATA[Redacción]]></dc:creator>
		<pubDate>Mon, 07 Dec 2026 09:40:12 +0000</pubDate>
		<category><![CDATA[Nacionales]]></category>
		<category><![CDATA[Presos políticos]]></category>
		<guid isPermaLink="false">https://diario.example/?p=48213</guid>
		<description><![CDATA[<p>La ONG contó 21 salidas durante la madrugada; familiares esperaban desde el domingo.</p>
<p>The post <a href="https://diario.example/?p=48213">Foro Penal verifica 21</a> appeared first.</p>]]></description>
		<content:encoded><![CDATA[<p>Texto completo del artículo.</p>]]></content:encoded>
		<wfw:commentRss>https://diario.example/2026/12/07/foro-penal-21/feed/</wfw:commentRss>
		<slash:comments>0</slash:comments>
		<media:content url="https://diario.example/wp-content/uploads/2026/12/tocoron.jpg" medium="image" />
	</item>
</channel>
</rss>
"""


def test_a_wordpress_feed_is_taken_and_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shape most Venezuelan outlets serve (WordPress's RSS 2.0): the plain reader takes it."""
    shipped, alone, took = _both(WORDPRESS.encode("utf-8"), monkeypatch)
    assert took and shipped == alone and not isinstance(shipped, str)
    assert [(i.title, i.guid, i.lang) for i in shipped.items] == [
        ("Foro Penal verifica 21 excarcelaciones en Tocorón y Rodeo I", "https://diario.example/?p=48213", "es")]
    assert shipped.links == (("self", "https://diario.example/feed/"), ("alternate", "https://diario.example"))


def test_what_the_reader_leaves_to_feedparser() -> None:
    plain = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><item><title>{}</title>'
             '<pubDate>{}</pubDate></item></channel></rss>')
    assert rss.read_plain(plain.format("t", "Sun, 28 Dec 2025 06:01:04 +0000").encode()) is not None
    for body in (plain.format("t", "2025-12-28T06:01:04Z"),  # a date in another form
                 plain.format("<b>t</b>", "Sun, 28 Dec 2025 06:01:04 +0000"),  # markup as elements
                 plain.format("\u0093t\u0094", "Sun, 28 Dec 2025 06:01:04 +0000"),  # C1 characters
                 plain.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').format("t", "Sun, 28 Dec 2025 06:01:04 +0000"),
                 '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title></feed>',
                 plain.format("t", "Sun, 28 Dec 2025 06:01:04 +0000")[:-10],  # cut off
                 plain.replace("<channel>", '<!DOCTYPE rss [<!ENTITY a "aaaa">]><channel>').format("&a;", "x")):
        assert rss.read_plain(body.encode("utf-8")) is None, body
