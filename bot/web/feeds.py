"""Atom (RFC 4287) and JSON Feed 1.1 documents of released revisions, one entry per revision.

Pure functions from a PublicLedger to bytes. An entry's id is a tag: URI (RFC 4151) built from
the event id and the revision number only, so it never changes across restarts, languages or
hosts; an entry's text is the alert families received (bot.alerts.render_event), escaped there
once and by the XML or JSON writer for its document.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode, urlparse

from ..alerts import headline, render_event
from ..i18n import t
from ..store import iso
from .ledger import PublicLedger, Revision, prison_slug

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
TAG_DATE = "2026"  # part of every id: never change it
DEFAULT_AUTHORITY = "releasewatch.invalid"  # RFC 2606: nobody owns it, so no id can collide with theirs
EMPTY_UPDATED = "2026-01-01T00:00:00+00:00"  # an empty feed still needs a stable <updated>
AUTHOR = "ReleaseWatch"

ET.register_namespace("", ATOM_NS)


@dataclass(frozen=True)
class FeedSpec:
    lang: str
    base: str  # absolute URL of the site root, ending in /
    authority: str  # the tag: URI authority (the public host name)
    prison: str | None = None  # the prison name as events carry it
    limit: int = 50  # newest released revisions; older ones stay in the API
    token: str | None = None  # carried into links when the reader came with ?token=

    def url(self, path: str, **query: str) -> str:
        q = {k: v for k, v in query.items() if v}
        if self.token:
            q["token"] = self.token
        return self.base + path + ("?" + urlencode(q) if q else "")


def authority(base_url: str | None) -> str:
    host = urlparse(base_url).hostname if base_url else None
    return host or DEFAULT_AUTHORITY


def entry_id(spec: FeedSpec, event_id: int, revision: int) -> str:
    return f"tag:{spec.authority},{TAG_DATE}:event/{event_id}/revision/{revision}"


def feed_id(spec: FeedSpec) -> str:
    where = f"/prison/{prison_slug(spec.prison)}" if spec.prison else ""
    return f"tag:{spec.authority},{TAG_DATE}:feed/{spec.lang}{where}"


def _title(spec: FeedSpec) -> str:
    if spec.prison:
        return t(spec.lang, "web.feed_title_prison", prison=spec.prison)
    return t(spec.lang, "web.feed_title")


def _entries(ledger: PublicLedger, spec: FeedSpec) -> list[tuple[Revision, str, str, str]]:
    """(revision, title, html, text) of the newest released revisions."""
    first = {pe.id: pe.revisions[0].revision for pe in ledger.events}
    out = []
    for r in ledger.revisions(spec.prison)[:spec.limit]:
        message = render_event(r.snapshot, spec.lang)
        title = headline(r.snapshot, spec.lang, update=r.revision != first[r.event_id])
        out.append((r, title, message.html.replace("\n", "<br>\n"), message.text))
    return out


def _event_url(spec: FeedSpec, r: Revision) -> str:
    return spec.url(f"event/{r.event_id}", lang=spec.lang) + f"#r{r.revision}"


def atom(ledger: PublicLedger, spec: FeedSpec) -> bytes:
    entries = _entries(ledger, spec)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": spec.lang})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "id", feed_id(spec))
    sub(feed, "title", _title(spec))
    # the newest entry's news date: a backfill of old news is history, not today's news
    sub(feed, "updated", iso(entries[0][0].dated) if entries else EMPTY_UPDATED)
    sub(feed, "link", rel="self", type="application/atom+xml",
        href=spec.url("feed.atom", lang=spec.lang, prison=prison_slug(spec.prison or "")))
    sub(feed, "link", rel="alternate", type="text/html", href=spec.url("", lang=spec.lang))
    sub(sub(feed, "author"), "name", AUTHOR)
    sub(feed, "generator", AUTHOR)
    for r, title, html, _text in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(spec, r.event_id, r.revision))
        sub(entry, "title", title, type="text")
        sub(entry, "updated", iso(r.dated))
        sub(entry, "published", iso(r.dated))
        sub(entry, "link", rel="alternate", type="text/html", href=_event_url(spec, r))
        for prison in r.snapshot.get("prisons") or []:
            sub(entry, "category", term=prison)
        sub(entry, "content", html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def json_feed(ledger: PublicLedger, spec: FeedSpec) -> bytes:
    items = []
    for r, title, html, text in _entries(ledger, spec):
        items.append({
            "id": entry_id(spec, r.event_id, r.revision),
            "url": _event_url(spec, r),
            "title": title,
            "content_html": html,
            "content_text": text,
            "date_published": iso(r.dated),
            "tags": list(r.snapshot.get("prisons") or []),
            "language": spec.lang,
        })
    doc = {
        "version": JSON_FEED_VERSION,
        "title": _title(spec),
        "home_page_url": spec.url("", lang=spec.lang),
        "feed_url": spec.url("feed.json", lang=spec.lang, prison=prison_slug(spec.prison or "")),
        "language": spec.lang,
        "authors": [{"name": AUTHOR}],
        "items": items,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode() + b"\n"
