"""OPML import and export of the feed list (listparser reads; the standard library writes)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

import listparser

from .redact import display_name


@dataclass(frozen=True)
class OpmlFeed:
    name: str
    url: str
    lang: str | None


def read_opml(data: bytes | str) -> list[OpmlFeed]:
    """Feeds listed in an OPML document. Raises ValueError when it is no readable OPML."""
    parsed = listparser.parse(data)
    if parsed.bozo and not parsed.feeds:
        raise ValueError(f"not a readable OPML file ({type(parsed.bozo_exception).__name__})")
    out = []
    for f in parsed.feeds:
        url = (f.url or "").strip()
        if not url.startswith(("http://", "https://")):
            continue
        lang = None
        for tag in f.get("tags", []) or []:
            if tag in ("es", "en"):
                lang = tag
        out.append(OpmlFeed((f.title or "").strip()[:200] or display_name(url), url, lang))
    return out


def write_opml(feeds: list[OpmlFeed], title: str = "ReleaseWatch feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for f in feeds:
        attrs = {"type": "rss", "text": f.name, "title": f.name, "xmlUrl": f.url}
        if f.lang:
            attrs["category"] = f.lang
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
