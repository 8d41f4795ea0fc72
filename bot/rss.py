"""The plain RSS reader: the common feed, read in a twentieth of feedparser's time.

Nearly every outlet serves the same document: UTF-8 RSS 2.0, items of title, link, guid, pubDate
and an escaped or CDATA description. feedparser reads it through a SAX parser and a Python
callback per element and per run of text (about 150 µs an item, most of the pipeline's parse
cost, bench/pipeline_cost.py); the C ElementTree reads it in a few µs. This module reads *only*
that plain shape and answers exactly what feedparser would answer for it (tests/test_rss.py
checks the two side by side over thousands of generated documents). Anything else — another
format or version, another encoding, a DOCTYPE, xml:base or xml:lang, an element it does not
know, a date or link written unusually, markup inside a text element — returns None, and
feedparser reads the document as before. It never raises.

What it hands back has the shape of feedparser's answer, with only the keys bot.feeds reads:
each entry's title, summary (the description, else content:encoded), link, id (the guid) and
published_parsed; the channel's language and own links ({rel, href}); version and bozo.
"""

from __future__ import annotations

import calendar
import re
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_tz
from typing import Any

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MEDIA = "{http://search.yahoo.com/mrss/}"

# elements that carry nothing bot.feeds reads, and that feedparser reads into keys of their own
_ITEM_IGNORED = frozenset(("category", "comments", "author", "enclosure", f"{_DC}creator",
                           "{http://wellformedweb.org/CommentAPI/}commentRss",
                           "{http://purl.org/rss/1.0/modules/slash/}comments"))
_CHANNEL_IGNORED = frozenset(("title", "description", "copyright", "managingEditor", "webMaster", "pubDate",
                              "lastBuildDate", "category", "generator", "docs", "ttl",
                              "{http://purl.org/rss/1.0/modules/syndication/}updatePeriod",
                              "{http://purl.org/rss/1.0/modules/syndication/}updateFrequency"))
# an item's picture as WordPress and most CMSs attach it: attributes only, no text, no children
_ITEM_MEDIA = frozenset((f"{_MEDIA}content", f"{_MEDIA}thumbnail"))
_IMAGE_PARTS = frozenset(("url", "title", "link", "width", "height", "description"))
_ITEM_TEXT = ("title", "link", "guid", "pubDate", "description", _CONTENT)

# the document's head: an XML declaration naming UTF-8 or none, then the <rss> element (comments,
# processing instructions and a DOCTYPE before it send the document to feedparser)
_HEAD = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*(?:<\?xml\s+version\s*=\s*["\']1\.0["\']'
                   rb'(?:\s+encoding\s*=\s*["\']utf-8["\'])?(?:\s+standalone\s*=\s*["\'](?:yes|no)["\'])?\s*\?>\s*)?<rss[\s>]',
                   re.IGNORECASE)
# what feedparser rewrites and this reader would not: C1 controls (feedparser maps them to
# Windows-1252's quotes and dashes), written as bytes or as character references
_REWRITTEN = re.compile(rb"\xc2[\x80-\x9f]|&#(?:0*1(?:2[89]|[34]\d|5\d)|[xX]0*[89][0-9a-fA-F]);")
# RFC 822 as outlets write it: "Sun, 28 Dec 2025 06:01:04 +0000", seconds optional, a numeric
# zone, GMT/UT/UTC or a US zone name (any other form: feedparser)
_RFC822 = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"(\d{4}) \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UTC?|[ECMP][SD]T)")
# a link or guid feedparser leaves as it is: it drops the slashes after "://" ("https:///x") and
# rewrites "&amp;" and "&name;" in links; whitespace inside is the document's own oddity
_ODD_URI = re.compile(r":///|\s|&.*;")


class _Declined(Exception):
    """The document is not the plain shape: feedparser reads it."""


def read_plain(body: bytes) -> dict[str, Any] | None:
    """feedparser's answer, as far as bot.feeds reads it, if `body` is a plain UTF-8 RSS 2.0
    document (see the module's docstring); else None."""
    if not _HEAD.match(body) or b"<!" in body.replace(b"<![CDATA[", b"") or b"xml:" in body \
            or _REWRITTEN.search(body):
        return None
    try:
        root = ET.fromstring(body)
        if root.tag != "rss" or root.get("version") != "2.0" or len(root) != 1 or root[0].tag != "channel" \
                or set(root.attrib) - {"version"} or _text(root):
            return None
        return _channel(root[0])
    except (ET.ParseError, _Declined, ValueError, OverflowError):
        return None


def _channel(channel: ET.Element) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    language: str | None = None
    links: list[dict[str, str]] = []
    _no_loose_text(channel)
    for el in channel:
        tag = el.tag
        if tag == "item":
            entries.append(_entry(el))
        elif tag == "language":
            if language is not None or len(el):
                raise _Declined
            language = _text(el)
        elif tag in ("link", f"{_ATOM}link"):
            links.extend(_link(el))
        elif tag == "image":
            _image(el)
        elif tag not in _CHANNEL_IGNORED or len(el) or el.attrib:
            raise _Declined
    feed: dict[str, Any] = {"links": links}
    if language:
        feed["language"] = language
    return {"entries": entries, "feed": feed, "version": "rss20", "bozo": 0}


def _image(el: ET.Element) -> None:
    """The channel's <image> (its logo): plain text children only, read by no one here."""
    if el.attrib or _text(el) or any(len(c) or c.attrib or c.tag not in _IMAGE_PARTS for c in el):
        raise _Declined


def _link(el: ET.Element) -> list[dict[str, str]]:
    """The channel's <link> (its site) or <atom:link rel="hub" href="…"/> (its hub, its own address)."""
    if el.tag == "link":
        href = _uri(el)
        return [{"rel": "alternate", "href": href}] if href else []
    if len(el) or _text(el) or set(el.attrib) - {"rel", "href", "type", "title"}:
        raise _Declined
    href = _uri_of(el.get("href", "").strip())
    return [{"rel": el.get("rel") or "alternate", "href": href}] if href else []


def _entry(item: ET.Element) -> dict[str, Any]:
    if item.attrib:
        raise _Declined
    _no_loose_text(item)
    seen = _read_elements(item)
    order = list(seen)
    if "description" in seen and _CONTENT in seen and order.index(_CONTENT) < order.index("description"):
        raise _Declined  # feedparser then reads the description as a second content
    guid = None
    link = _uri(seen["link"]) if "link" in seen else None
    if "guid" in seen:
        el = seen["guid"]
        permalink = el.get("isPermaLink", "true")
        if set(el.attrib) - {"isPermaLink"} or permalink not in ("true", "false"):
            raise _Declined
        guid = _uri(el)
        if permalink == "true" and "link" not in seen:
            link = guid
    # feedparser's summary is the description; content:encoded fills it when there is none
    summary = (_text(seen["description"]) if "description" in seen else "") or (
        _text(seen[_CONTENT]) if _CONTENT in seen else "")
    entry: dict[str, Any] = {"title": _text(seen["title"]) if "title" in seen else "", "summary": summary,
                             "link": link or "", "id": guid or None}
    if "pubDate" in seen:
        entry["published_parsed"] = _date(seen["pubDate"])
    return entry


def _read_elements(item: ET.Element) -> dict[str, ET.Element]:
    """The item's text elements by tag, in document order; what no one reads is skipped; any other
    element, a second of one tag, attributes or children where none belong decline the document."""
    seen: dict[str, ET.Element] = {}
    for el in item:
        tag = el.tag
        if tag in _ITEM_IGNORED or (tag in _ITEM_MEDIA and not len(el) and not _text(el)):
            continue
        if tag not in _ITEM_TEXT or tag in seen or len(el) or (el.attrib and tag != "guid"):
            raise _Declined
        seen[tag] = el
    return seen


def _no_loose_text(parent: ET.Element) -> None:
    """Text between a channel's or an item's elements is no shape this reader knows."""
    if _text(parent) or any(child.tail and child.tail.strip() for child in parent):
        raise _Declined


def _text(el: ET.Element) -> str:
    return (el.text or "").strip()


def _uri(el: ET.Element) -> str:
    return _uri_of(_text(el))


def _uri_of(value: str) -> str:
    if _ODD_URI.search(value):
        raise _Declined
    return value


def _date(el: ET.Element) -> time.struct_time:
    value = _text(el)
    written = _RFC822.fullmatch(value)
    if written is None:
        raise _Declined
    parts = parsedate_tz(value)
    # email.utils reads "0001" as 2001 (two-digit years): the year must be the one written
    if parts is None or parts[9] is None or parts[0] != int(written.group(1)):
        raise _Declined
    datetime(*parts[:6])  # a day or an hour that does not exist raises ValueError: feedparser reads it
    return time.gmtime(calendar.timegm(parts[:9]) - parts[9])
