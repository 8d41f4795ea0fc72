"""A ledger for the web tests, written through the real store as the pipeline writes it: feeds,
items, extractions, events with their revisions (released, held, rejected), tallies, and, for
the privacy tests, subscribers, a watched name and queued alerts that must never be published.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.events import Event, Observation, apply
from bot.items import Item
from bot.matcher import Extraction
from bot.replay import replay
from bot.review import post_for_review
from bot.store import Store
from bot.vault import Vault

CAMPAIGN = Path(__file__).parent / "data" / "streams" / "campaign.jsonl"
T1 = datetime(2025, 12, 25, 14, tzinfo=UTC)
T2 = datetime(2025, 12, 31, 18, tzinfo=UTC)
TITLE_WITH_MARKUP = 'Government authorizes 87 more <script>alert("x")</script> & JEyP says 33 "carried out"'


def _slug(outlet: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", outlet.lower()).strip("-")


def report(store: Store, outlet: str, title: str, published: datetime, ex: Extraction, event_id: int | None = None,
           status: str = "released", n: int = 1) -> Event:
    """One article joining (or opening) an event, stored as the pipeline stores it."""
    url = f"https://{_slug(outlet)}.example/feed"
    store.add_feed(outlet, url, ex.lang)
    feed_id = next(f.id for f in store.feeds() if f.url == url)
    link = f"https://{_slug(outlet)}.example/{published:%Y%m%d}-{n}"
    item = Item(guid=link, link=link, title=title, summary=title, published=published, lang=ex.lang, feed_id=feed_id)
    store.add_items([item], published)
    obs = Observation(ex, item.id, outlet, link, title, published)
    event, new_revision = apply(obs, store.event(event_id) if event_id else None)
    saved = store.save_event(event, obs, new_revision, published + timedelta(minutes=5), status=status,
                             confidence=ex.confidence)
    store.record_extractions([(item.id, ex, saved.id)], published)
    if new_revision and status == "released":
        store.enqueue_revision(saved, published + timedelta(minutes=5))
    return saved


@dataclass(frozen=True)
class Seeded:
    e1: int  # Tocorón and Las Crisálidas, 25-26 Dec: three released revisions
    e2: int  # Rodeo I, 31 Dec: one released revision


def seed_public(store: Store) -> Seeded:
    """The seed articles' week: 99 announced, 61 then 71 confirmed; 87 announced, 33 confirmed."""
    e1 = report(store, "Noticias Caracas", "Gobierno anuncia la excarcelación de 99 presos políticos", T1,
                Extraction(kind="announcement", released=99, announced=99, announced_by="Gobierno",
                           prisons=("Tocorón", "Las Crisálidas"), confidence=0.9))
    assert e1.id is not None
    report(store, "Andes Post", "Foro Penal confirms 61 releases from Tocorón", T1 + timedelta(days=1),
           Extraction(kind="confirmation", released=61, confirmed=61, confirmed_by="Foro Penal", prisons=("Tocorón",),
                      lang="en", confidence=0.9), e1.id)
    report(store, "Diario del Sur", "71 presos políticos salieron de Tocorón y Las Crisálidas",
           T1 + timedelta(days=1, hours=3),
           Extraction(kind="confirmation", released=71, confirmed=71, prisons=("Tocorón", "Las Crisálidas"),
                      confidence=0.9), e1.id)
    e2 = report(store, "Southern Wire", TITLE_WITH_MARKUP, T2,
                Extraction(kind="announcement", released=87, announced=87, confirmed=33, announced_by="Government",
                           confirmed_by="JEyP", prisons=("Rodeo I",), lang="en", confidence=0.9))
    assert e2.id is not None
    store.record_tally("t-902", 902, "Foro Penal", "Diario del Sur", "https://diario-del-sur.example/902",
                       datetime(2025, 12, 15, 12, tzinfo=UTC))
    store.record_tally("t-720", 720, None, "Andes Post", "https://andes-post.example/720", T1 + timedelta(days=1))
    store.record_tally("t-866", 866, "Foro Penal", "Noticias Caracas", "https://noticias-caracas.example/866",
                       datetime(2026, 1, 5, 12, tzinfo=UTC))
    return Seeded(e1.id, e2.id)


# -- what must never be published ------------------------------------------------------------------
WATCHED_NAME = "Eulalia Prudencia Villarroel Quintero"
CHAT_IDS = ("-1009876543210", "55501234567", "!secretroom:example.org", "-1001112223334")
HELD_NUMBERS = (4093, 6218, 5077)  # a held new event, a held update of e2 (and its retelling), a superseded one
REJECTED_NUMBERS = (7351,)
SECRET_WORDS = ("HELD Outlet", "REJECTED Outlet", "HeldOrgQ", "HeldOrgW", "RejectedOrgZ", "SupersededOrgV", "HELDTITLE",
                "REJECTEDTITLE", "RetellOutlet", "secretroom", WATCHED_NAME)


@dataclass(frozen=True)
class Private:
    held_event: int
    rejected_event: int
    watch_ciphertext: str


def seed_private(store: Store, seeded: Seeded) -> Private:
    """Subscribers, a watched name, and alerts families never received: none of it may be published."""
    store.subscribe("telegram", CHAT_IDS[0], "es")
    store.subscribe("telegram", CHAT_IDS[1], "en", "confirmations")
    room = store.subscribe("matrix", CHAT_IDS[2], "es")
    store.subscribe("telegram", CHAT_IDS[3], "es", "staff")
    vault = Vault(Vault.new_key())
    ciphertext = vault.encrypt(WATCHED_NAME)
    store.add_watch(room.id, ciphertext)
    e1 = store.event(seeded.e1)
    assert e1 is not None
    store.enqueue_revision(e1, T2, revision=3)  # alerts queued to these chats, in the outbox
    held = report(store, "HELD Outlet", "HELDTITLE 4093 liberados de El Helicoide", T2 + timedelta(days=2),
                  Extraction(kind="confirmation", released=4093, confirmed=4093, confirmed_by="HeldOrgQ",
                             prisons=("El Helicoide",), confidence=0.3), status="held")
    rejected = report(store, "REJECTED Outlet", "REJECTEDTITLE 7351 excarcelados de Ramo Verde", T2 + timedelta(days=3),
                      Extraction(kind="confirmation", released=7351, confirmed=7351, confirmed_by="RejectedOrgZ",
                                 prisons=("Ramo Verde",), confidence=0.2), status="held")
    assert held.id is not None and rejected.id is not None
    post_for_review(store, held.id, 1, T2 + timedelta(days=2))  # the staff chat's review post
    store.decide(rejected.id, 1, "rejected", "staff-ana", "not a release", T2 + timedelta(days=3, hours=1))
    # a held update of a public event, then another outlet under review retelling the held number:
    # judged against the round's released figures it is news, and held in its turn
    update = report(store, "HELD Outlet", "HELDTITLE Rodeo I: 6218 confirmados", T2 + timedelta(hours=5),
                    Extraction(kind="confirmation", released=6218, confirmed=6218, confirmed_by="HeldOrgW",
                               prisons=("Rodeo I",), confidence=0.3), seeded.e2, status="held", n=2)
    assert update.revision == 2
    report(store, "RetellOutlet", "Rodeo I: 6218 excarcelados, repite otro medio", T2 + timedelta(hours=6),
           Extraction(kind="confirmation", released=6218, confirmed=6218, prisons=("Rodeo I",), confidence=0.3),
           seeded.e2, status="held")
    # a held update of e1 that staff's edit superseded
    report(store, "HELD Outlet", "HELDTITLE Tocorón 5077", T1 + timedelta(days=2),
           Extraction(kind="confirmation", released=5077, confirmed=5077, confirmed_by="SupersededOrgV",
                      prisons=("Tocorón",), confidence=0.3), seeded.e1, status="held", n=3)
    store.decide(seeded.e1, 4, "superseded", "staff-ana", "edited", T1 + timedelta(days=2, hours=1))
    return Private(held.id, rejected.id, ciphertext)


def leaks(text: str, private: Private) -> list[str]:
    """Whatever of the private seed shows in text (numbers in any locale's grouping)."""
    found = [w for w in (*SECRET_WORDS, *CHAT_IDS, private.watch_ciphertext) if w.lower() in text.lower()]
    for value in (*HELD_NUMBERS, *REJECTED_NUMBERS):
        s = str(value)
        grouped = rf"{s[:-3]}[.,\u00a0\u202f ]?{s[-3:]}"
        if re.search(rf"(?<![\w.,]){grouped}(?![\w])", text):
            found.append(s)
    for event_id in (private.held_event, private.rejected_event):
        if re.search(rf"event/{event_id}(?!\d)|#{event_id}(?!\w)|\"id\": {event_id},", text):
            found.append(f"event {event_id}")
    return found


def backfill(path: Path, stream: Path = CAMPAIGN) -> list[dict]:
    """Seven weeks of reporting (tests/data/streams/campaign.jsonl) replayed into a database, as
    `releasewatch replay --jsonl --db` backfills one: rounds, a dispute, running counts, tallies.
    Returns the stream's items."""
    with open(stream, encoding="utf-8") as fh:
        replay(fh, io.StringIO(), path)
    return [json.loads(line) for line in stream.read_text(encoding="utf-8").splitlines() if line.strip()]
