"""The pure parts of WebSub (https://www.w3.org/TR/websub/): where a feed names its hub and itself,
the signature on what a hub pushes, what a hub's check of our intent asks and whether we confirm
it, and when a lease is renewed. Never does I/O; every value read here came from the network and
is capped and checked before it is used.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urljoin, urlsplit

from ..backoff import backoff

MAX_URL = 2000  # characters of a hub or topic address
MAX_LINKS = 20  # Link header entries read
MAX_LINK_HEADER = 8000
MAX_CHALLENGE = 1000  # characters of hub.challenge echoed back
MAX_REASON = 300  # characters of a hub's hub.reason kept
REQUESTED_LEASE = 10 * 86400  # seconds asked for (the hub decides)
MAX_LEASE = 366 * 86400  # a longer lease is read as this: renewed within the year anyway
VERIFY_WAIT = timedelta(minutes=10)  # a request the hub has not verified by then has failed
MAX_RETRY = timedelta(hours=6)  # a hub that keeps failing is asked again at least this often
DENIED_RETRY = timedelta(days=1)  # a hub that said no is asked again after a day
RENEW_MARGIN = timedelta(days=1)  # a long lease is renewed this long before it ends

# hub.secret signatures the Recommendation allows (section 8): X-Hub-Signature: method=hexdigest
SIGNATURE_METHODS: dict[str, Callable[..., object]] = {
    "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512,
}

Signature = Literal["ok", "unsigned", "bad"]


class BadRequest(Exception):
    """A hub's request we cannot read; the message is one plain sentence for the answer."""


@dataclass(frozen=True)
class Discovery:
    """Where a feed is pushed from: its hubs (first is used) and its topic (its own address)."""

    hubs: tuple[str, ...]
    topic: str

    @property
    def hub(self) -> str:
        return self.hubs[0]


def _http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= MAX_URL


_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_PARAM = re.compile(r';\s*([A-Za-z*-]+)\s*=\s*("[^"]*"|[^;,\s]*)')


def parse_link_header(value: str | None) -> list[tuple[str, frozenset[str]]]:
    """The links of an HTTP Link header (RFC 8288) as (address, rels), in order; several rels in
    one rel="hub self" count for each."""
    out: list[tuple[str, frozenset[str]]] = []
    for m in _LINK.finditer((value or "")[:MAX_LINK_HEADER]):
        rels: set[str] = set()
        for name, raw in _PARAM.findall(m.group(2)):
            if name.lower() == "rel":
                rels.update(raw.strip('"').lower().split())
        out.append((m.group(1).strip(), frozenset(rels)))
        if len(out) >= MAX_LINKS:
            break
    return out


def discover(link_header: str | None, doc_links: Iterable[tuple[str, str]], feed_url: str) -> Discovery | None:
    """The feed's hub(s) and topic, None if it names no hub. The HTTP Link header is read first,
    then the document's own <link rel="hub"> / <atom:link rel="hub"> (section 4); the topic is the
    rel="self" address found with the hubs, else the feed's own address. Relative addresses are
    read against the feed's; anything but http(s) is ignored."""
    header = [(urljoin(feed_url, url), rels) for url, rels in parse_link_header(link_header)]
    document = [(urljoin(feed_url, href), frozenset({rel})) for rel, href in doc_links]
    for links in (header, document):
        hubs = tuple(dict.fromkeys(url for url, rels in links if "hub" in rels and _http_url(url)))
        if hubs:
            self_urls = [url for url, rels in links if "self" in rels and _http_url(url)]
            return Discovery(hubs[:MAX_LINKS], self_urls[0] if self_urls else feed_url)
    return None


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    """The X-Hub-Signature header a hub sends for body (what our test hub and the bench send)."""
    digest = hmac.new(secret.encode(), body, SIGNATURE_METHODS[method]).hexdigest()  # type: ignore[arg-type]
    return f"{method}={digest}"


def check_signature(header: str | None, secret: str, body: bytes) -> Signature:
    """Does X-Hub-Signature prove the body came from our hub? 'unsigned' without the header,
    'bad' for an unknown method or a digest that does not match (compared in constant time)."""
    if not header:
        return "unsigned"
    method, _, given = header.strip().partition("=")
    algorithm = SIGNATURE_METHODS.get(method.strip().lower())
    if algorithm is None or not given:
        return "bad"
    expected = hmac.new(secret.encode(), body, algorithm).hexdigest()  # type: ignore[arg-type]
    return "ok" if hmac.compare_digest(expected, given.strip().lower()[:200]) else "bad"


@dataclass(frozen=True)
class Intent:
    """A hub's check of our intent (section 5.3), or its denial (section 5.2)."""

    mode: Literal["subscribe", "unsubscribe", "denied"]
    topic: str
    challenge: str = ""
    lease_seconds: int | None = None
    reason: str = ""


def read_intent(query: Mapping[str, str]) -> Intent:
    """The hub.* parameters of a verification or denial request; BadRequest if they are not one."""
    mode = query.get("hub.mode", "")
    topic = query.get("hub.topic", "")
    if mode not in ("subscribe", "unsubscribe", "denied"):
        raise BadRequest("hub.mode must be subscribe, unsubscribe or denied.")
    if not topic or len(topic) > MAX_URL:
        raise BadRequest("hub.topic is required.")
    if mode == "denied":
        return Intent("denied", topic, reason=query.get("hub.reason", "")[:MAX_REASON])
    challenge = query.get("hub.challenge", "")
    if not challenge or len(challenge) > MAX_CHALLENGE:
        raise BadRequest(f"hub.challenge is required, at most {MAX_CHALLENGE} characters.")
    lease: int | None = None
    if mode == "subscribe":
        raw = query.get("hub.lease_seconds", "")
        if not raw.isdigit() or len(raw) > 12 or int(raw) == 0:
            raise BadRequest("hub.lease_seconds must be a whole number of seconds above 0.")
        lease = min(int(raw), MAX_LEASE)
    return Intent("subscribe" if mode == "subscribe" else "unsubscribe", topic, challenge, lease)


def confirms(intent: Intent, topic: str, pending: str | None) -> bool:
    """Do we confirm this check? Only for the topic of the subscription it reached, and only a
    request we made and the hub has not verified yet (section 5.3: a pending subscription or
    unsubscription): a stranger who asks a hub to subscribe our callback gets no confirmation."""
    return intent.mode != "denied" and intent.topic == topic and intent.mode == pending


def renew_at(expires: datetime, lease_seconds: int) -> datetime:
    """When a lease is renewed: a tenth of it before it ends (a minute at least, a day at most,
    never more than half of it), so a hub that is briefly down still has time to answer."""
    lease = timedelta(seconds=lease_seconds)
    margin = min(max(lease / 10, timedelta(minutes=1)), lease / 2, RENEW_MARGIN)
    return expires - margin


def retry_delay(failures: int) -> timedelta:
    """How long after `failures` consecutive failed requests a hub is asked again: a minute,
    doubling, at most MAX_RETRY."""
    return timedelta(seconds=backoff(60, failures - 1, MAX_RETRY.total_seconds(), doublings=20))
