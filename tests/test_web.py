"""The public ledger over HTTP: the real aiohttp app on a loopback port, a real store in tmp_path.
What a reader, a feed reader and a newsroom's tool get; what nobody ever gets (held and rejected
alerts, subscribers, chat ids, watched names); the token mode; the service starting the page."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import cast

import feedparser
import httpx
import pytest

from bot import export
from bot.charts import chart_data
from bot.config import Config, ConfigError, parse_config
from bot.errors import StartError
from bot.matcher import Extraction
from bot.service import Service
from bot.store import Store
from bot.web.ledger import build
from bot.web.pages import CSS_HASH
from bot.web.server import CSP, WebServer, start_web
from bot.web.settings import TOKEN_ENV, WebConfig
from tests.web_ledger import (
    CHAT_IDS,
    T1,
    T2,
    WATCHED_NAME,
    Seeded,
    leaks,
    report,
    seed_private,
    seed_public,
)

WEB = WebConfig(enabled=True, port=0)
FRESH = 0.0  # ledger_ttl: every request reads the ledger again, so a test sees its own writes at once


@pytest.fixture
async def site(store: Store) -> AsyncIterator[tuple[WebServer, Seeded, httpx.AsyncClient]]:
    seeded = seed_public(store)
    server = WebServer(store, WEB, ledger_ttl=FRESH)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield server, seeded, client
    await server.stop()


def atom_ids(body: bytes) -> list[str]:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.bozo_exception
    return [e.id for e in parsed.entries]


# -- what a reader sees -------------------------------------------------------------------------------
async def test_page_shows_each_released_event_with_figures_sources_and_gap_in_both_languages(site):
    _, seeded, client = site
    es = await client.get("/", headers={"Accept-Language": "es-VE,es;q=0.9,en;q=0.5"})
    assert es.status_code == 200 and es.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="es">' in es.text and "Accept-Language" in es.headers["Vary"]
    for text in ("Anunciadas: <b>99</b> — Gobierno, según", "Confirmadas: <b>71</b>", "Confirmadas: <b>61</b> — Foro Penal",
                 "Aún sin confirmar: 28", "Tocorón, Las Crisálidas", "Noticias Caracas", "Diario del Sur", "Andes Post",
                 "Anunciadas: <b>87</b> — Gobierno", "Confirmadas: <b>33</b> — JEyP", "Aún sin confirmar: 54"):
        assert text in es.text
    # who counts how many are still held: each source's latest count (Foro Penal's 902 was replaced by 866)
    assert "<b>866</b>" in es.text and "<b>720</b>" in es.text and "<b>902</b>" not in es.text
    en = await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    # speakers in the reader's language: the Gobierno is the Government in English, and the
    # English outlet's "Government" el Gobierno in Spanish
    assert '<html lang="en">' in en.text and "Announced: <b>99</b> — Government, via" in en.text
    assert "Not yet confirmed: 28" in en.text
    # the visible switch wins over the header, and leads to the same page in the other language
    switched = await client.get("/?lang=es", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in switched.text
    assert 'href="./?lang=en" hreflang="en"' in switched.text and 'href="./?lang=es" hreflang="es"' in switched.text
    assert (await client.get("/", headers={"Accept-Language": "fr, en;q=0.2"})).text.startswith('<!doctype html>\n<html lang="en">')
    # events most recent first; links stay relative so the page works under any path of a proxy
    assert es.text.index('id="e2"') < es.text.index('id="e1"')
    assert f'href="./event/{seeded.e1}?lang=es"' in es.text and "./chart.png?lang=es" in es.text


async def test_event_page_shows_released_history_and_the_outlets_that_reported_it(site):
    _, seeded, client = site
    page = (await client.get(f"/event/{seeded.e1}?lang=en")).text
    # a visible heading: the round's date and places, its number
    assert "<h1>Releases of December 25, 2025 — Tocorón, Las Crisálidas</h1>" in page and "Round no. 1" in page
    history = page[page.index("Alerts families received"):]
    assert history.index('id="r3"') < history.index('id="r2"') < history.index('id="r1"')
    # each alert dated by its news; an update says what changed; no emoji (CSS marks the kind)
    assert "Update 2 · Dec 26, 2025<br>Update: 71 of 99 announced releases now confirmed" in history
    assert 'class="k-announced">First alert · Dec 25, 2025<br>Announced: release of 99 political prisoners' in history
    assert "📢" not in page and "✅" not in page and "🔄" not in page
    reported = page[page.index("Outlets that reported it"):page.index("Alerts families received")]
    for outlet, title in (("Noticias Caracas, Dec 25, 2025", "Gobierno anuncia"),
                          ("Andes Post, Dec 26, 2025", "Foro Penal confirms 61"),
                          ("Diario del Sur, Dec 26, 2025", "71 presos políticos salieron")):
        assert outlet in reported and title in reported
    assert 'href="../event/1?lang=es"' in page  # the language switch stays on this event
    missing = await client.get("/event/999")
    assert missing.status_code == 404 and "There is no published round" not in missing.text  # default: Spanish
    assert "No hay ninguna ronda publicada con ese número." in missing.text


async def test_text_from_feeds_is_escaped_in_pages_and_feeds(site):
    _, seeded, client = site
    page = (await client.get(f"/event/{seeded.e2}")).text
    assert "<script>" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; JEyP" in page
    parsed = feedparser.parse((await client.get("/feed.atom?lang=en")).content)
    content = next(e for e in parsed.entries if e.id.endswith(f"event/{seeded.e2}/revision/1")).content[0].value
    assert "&lt;script&gt;" in content and "<script>" not in content  # as HTML: shown, never run
    item = next(i for i in (await client.get("/feed.json")).json()["items"] if "event/2/" in i["id"])
    assert "&lt;script&gt;" in item["content_html"] and "<script>" not in item["content_html"]
    assert '<script>alert("x")</script>' in item["content_text"]  # plain text stays plain


async def test_every_route_sends_security_headers_and_no_script_source(site):
    _, seeded, client = site
    for path in ("/", f"/event/{seeded.e1}", "/event/999", "/chart.png", "/feed.atom", "/feed.json",
                 "/api/ledger.json", "/nowhere"):
        r = await client.get(path)
        assert r.headers["Content-Security-Policy"] == CSP, path
        assert "default-src 'self'; img-src 'self' data:;" in CSP and CSS_HASH in CSP and "script-src 'none'" in CSP
        assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "no-referrer"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "<script" not in r.text.lower() or path.endswith(".json") or path.endswith(".atom")
    assert (await client.post("/")).status_code == 405


async def test_chart_is_a_png_drawn_once_until_the_ledger_changes(site, store, monkeypatch):
    import bot.charts

    server, seeded, client = site
    drawn = []
    real = bot.charts.chart_png
    monkeypatch.setattr(bot.charts, "chart_png", lambda s, lang: drawn.append(lang) or real(s, lang))
    first = await client.get("/chart.png?lang=en")
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/png"
    assert first.content.startswith(b"\x89PNG\r\n\x1a\n")
    again = await client.get("/chart.png?lang=en")
    assert again.content == first.content and drawn == ["en"]
    assert (await client.get("/chart.png?lang=en", headers={"If-None-Match": first.headers["ETag"]})).status_code == 304
    report(store, "Diario del Sur", "80 confirmados en Tocorón", T1 + timedelta(days=3),
           Extraction(kind="confirmation", released=80, confirmed=80, prisons=("Tocorón",), confidence=0.9), seeded.e1, n=9)
    changed = await client.get("/chart.png?lang=en")
    assert changed.content != first.content and drawn == ["en", "en"]


async def test_a_long_ledger_is_paged_twenty_events_at_a_time(store):
    for i in range(45):
        report(store, "Diario del Sur", f"{10 + i} excarcelados en Tocorón", T1 + timedelta(days=i),
               Extraction(kind="confirmation", released=10 + i, confirmed=10 + i, prisons=("Tocorón",), confidence=0.9),
               n=i)
    server = WebServer(store, WEB, ledger_ttl=FRESH)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            first = (await client.get("/?lang=en")).text
            assert first.count("<article") == 20 and 'id="e45"' in first and 'href="./?lang=en&amp;page=2"' in first
            assert "Newer releases" not in first
            last = (await client.get("/?lang=en&page=3")).text
            assert last.count("<article") == 5 and 'id="e1"' in last and 'href="./?lang=en&amp;page=2" rel="prev"' in last
            assert "Older releases" not in last
            for page in ("4", "0", "x", "99999999"):
                assert (await client.get(f"/?page={page}")).status_code == 404
            assert len(atom_ids((await client.get("/feed.atom")).content)) == 45
    finally:
        await server.stop()


async def test_readers_share_one_read_of_the_ledger_until_it_is_older_than_its_ttl(store):
    seeded = seed_public(store)
    server = WebServer(store, WEB, ledger_ttl=0.5)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            before = atom_ids((await client.get("/feed.atom")).content)
            report(store, "Diario del Sur", "80 confirmados en Tocorón", T1 + timedelta(days=3),
                   Extraction(kind="confirmation", released=80, confirmed=80, prisons=("Tocorón",), confidence=0.9),
                   seeded.e1, n=9)
            assert atom_ids((await client.get("/feed.atom")).content) == before  # the same read, still fresh
            await asyncio.sleep(0.6)
            assert len(atom_ids((await client.get("/feed.atom")).content)) == len(before) + 1
    finally:
        await server.stop()


# -- feeds ---------------------------------------------------------------------------------------------
async def test_atom_feed_parses_back_and_its_ids_survive_a_restart(site, store, tmp_path):
    server, seeded, client = site
    body = (await client.get("/feed.atom?lang=es")).content
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.version == "atom10"
    assert parsed.feed.title == "ReleaseWatch: excarcelaciones de presos políticos en Venezuela"
    assert parsed.feed.language == "es"
    ids = [e.id for e in parsed.entries]
    # one entry per released revision, newest first, ids made of event id and revision only
    assert ids == [f"tag:releasewatch.invalid,2026:event/{seeded.e2}/revision/1"] + [
        f"tag:releasewatch.invalid,2026:event/{seeded.e1}/revision/{r}" for r in (3, 2, 1)]
    first = parsed.entries[0]
    assert first.title == "✅ Confirmadas 33 de 87 excarcelaciones anunciadas — Rodeo I"
    assert first.link.startswith(server.url) and first.link.endswith(f"/event/{seeded.e2}?lang=es#r1")
    # dated by the news itself (the article's 18:00), not when the alert went out (18:05)
    assert [t.term for t in first.tags] == ["Rodeo I"] and first.updated == "2025-12-31T18:00:00+00:00"
    assert parsed.entries[1].title.startswith("🔄 Actualización: confirmadas 71 de 99")
    english = feedparser.parse((await client.get("/feed.atom?lang=en")).content)
    assert [e.id for e in english.entries] == ids and english.entries[0].title.startswith("✅ Confirmed 33 of 87")
    # a restart: the store reopened from its file, a new app on another port
    await server.stop()
    store.close()
    reopened = Store(tmp_path / "rw.db")
    try:
        again = WebServer(reopened, WEB, ledger_ttl=FRESH)
        await again.start()
        async with httpx.AsyncClient(base_url=again.url) as other:
            assert atom_ids((await other.get("/feed.atom?lang=es")).content) == ids
            assert again.url != server.url
        await again.stop()
    finally:
        reopened.close()


async def test_a_released_revision_adds_exactly_one_entry_and_a_held_one_none(site, store):
    _, seeded, client = site
    before = atom_ids((await client.get("/feed.atom")).content)
    report(store, "Diario del Sur", "80 confirmados en Tocorón", T1 + timedelta(days=3),
           Extraction(kind="confirmation", released=80, confirmed=80, prisons=("Tocorón",), confidence=0.9), seeded.e1, n=9)
    after = atom_ids((await client.get("/feed.atom")).content)
    assert set(after) - set(before) == {f"tag:releasewatch.invalid,2026:event/{seeded.e1}/revision/4"}
    assert len(after) == len(before) + 1 and set(before) <= set(after)
    report(store, "Diario del Sur", "95 confirmados en Tocorón", T1 + timedelta(days=4),
           Extraction(kind="confirmation", released=95, confirmed=95, prisons=("Tocorón",), confidence=0.2), seeded.e1,
           status="held", n=10)
    assert atom_ids((await client.get("/feed.atom")).content) == after
    # staff release it: now, and only now, it is published
    store.decide(seeded.e1, 5, "released", "staff-ana", None, T1 + timedelta(days=4, hours=1))
    released = atom_ids((await client.get("/feed.atom")).content)
    assert set(released) - set(after) == {f"tag:releasewatch.invalid,2026:event/{seeded.e1}/revision/5"}
    assert len(released) == len(after) + 1


async def test_json_feed_has_every_field_the_spec_requires(site):
    server, seeded, client = site
    r = await client.get("/feed.json?lang=en")
    assert r.headers["Content-Type"] == "application/feed+json; charset=utf-8"
    doc = r.json()
    # https://jsonfeed.org/version/1.1: version and title and items are required; each item needs
    # an id (a string) and content_html or content_text; URLs are absolute
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(doc["title"], str) and doc["title"] and isinstance(doc["items"], list)
    assert doc["feed_url"].startswith("http://127.0.0.1:") and doc["home_page_url"].startswith(server.url)
    assert doc["language"] == "en" and doc["authors"] == [{"name": "ReleaseWatch"}]
    assert len(doc["items"]) == 4
    for item in doc["items"]:
        assert isinstance(item["id"], str) and item["id"].startswith("tag:releasewatch.invalid,2026:event/")
        assert item.get("content_html") or item.get("content_text")
        assert item["url"].startswith(server.url) and item["date_published"].endswith("+00:00")
    atom = atom_ids((await client.get("/feed.atom?lang=en")).content)
    assert [i["id"] for i in doc["items"]] == atom  # one id per revision, whatever the format


@pytest.mark.parametrize("prison", ["tocoron", "TOCORÓN", "Tocorón", "cárcel de Tocoron", "las-crisalidas"])
async def test_feeds_filter_by_prison_ignoring_accents_and_case(site, prison):
    _, seeded, client = site
    ids = atom_ids((await client.get("/feed.atom", params={"prison": prison})).content)
    assert ids and all(f"event/{seeded.e1}/" in i for i in ids)
    items = (await client.get("/feed.json", params={"prison": prison})).json()["items"]
    assert [i["id"] for i in items] == ids


async def test_feeds_filter_by_prison_rodeo_and_unknown_prisons(site):
    _, seeded, client = site
    ids = atom_ids((await client.get("/feed.atom?prison=rodeo-i")).content)
    assert ids == [f"tag:releasewatch.invalid,2026:event/{seeded.e2}/revision/1"]
    title = feedparser.parse((await client.get("/feed.atom?prison=rodeo-i&lang=en")).content).feed.title
    assert title == "ReleaseWatch: releases of political prisoners — Rodeo I"
    assert (await client.get("/feed.atom?prison=atlantis")).status_code == 404
    # a known prison with no published release yet is an empty feed, not an error
    empty = await client.get("/feed.json?prison=yare-i")
    assert empty.status_code == 200 and empty.json()["items"] == []


async def test_feeds_answer_head_and_conditional_requests(site):
    _, _, client = site
    for path in ("/feed.atom", "/feed.json", "/api/ledger.json"):
        full = await client.get(path)
        head = await client.head(path)
        assert head.status_code == 200 and head.content == b"" and head.headers["ETag"] == full.headers["ETag"]
        assert head.headers["Last-Modified"] == full.headers["Last-Modified"] == "Mon, 05 Jan 2026 12:00:00 GMT"
        assert full.headers["Access-Control-Allow-Origin"] == "*"
        same = await client.get(path, headers={"If-None-Match": full.headers["ETag"]})
        assert same.status_code == 304 and same.content == b""
        since = await client.get(path, headers={"If-Modified-Since": full.headers["Last-Modified"]})
        assert since.status_code == 304
        older = format_datetime(T2.replace(tzinfo=None), usegmt=False) + " GMT"
        assert (await client.get(path, headers={"If-Modified-Since": older})).status_code == 200
        assert (await client.get(path, headers={"If-None-Match": '"other"'})).status_code == 200


# -- the JSON API --------------------------------------------------------------------------------------
async def test_api_is_the_export_json_of_what_was_released(site, store):
    _, seeded, client = site
    r = await client.get("/api/ledger.json")
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    # everything released: exactly what staff get from /export json
    assert r.text == export.to_json(store)
    seed_private(store, seeded)
    public = (await client.get("/api/ledger.json")).json()
    # now /export json (staff only) carries held and rejected events; the public API does not
    assert public == json.loads(export.to_json(cast(Store, build(store))))
    assert len(json.loads(export.to_json(store))["events"]) == 4 and len(public["events"]) == 2
    e2 = next(e for e in public["events"] if e["id"] == seeded.e2)
    assert (e2["confirmed"], e2["revision"], [f["value"] for f in e2["figures"]]) == (33, 1, [87, 33])


# -- privacy -------------------------------------------------------------------------------------------
async def test_nothing_held_rejected_subscribed_or_watched_is_ever_published(site, store):
    _, seeded, client = site
    private = seed_private(store, seeded)
    # the store does hold all of it (the test would prove nothing otherwise)
    assert {r["event_id"] for r in store.held()} == {private.held_event, seeded.e2}
    assert store.revisions(private.rejected_event)[0]["status"] == "rejected"
    held_values = {r[0] for r in store.db.execute("SELECT value FROM event_figures WHERE status='held'")}
    assert {6218, 4093, 7351} - {5077} <= held_values | {7351} and store.watches()
    # the rejected claim and the held one count in no round: the rounds hold their released figures
    assert store.event(seeded.e2).confirmed == 33
    assert {s.chat_id for s in store.active_subscribers()} | {s.chat_id for s in store.staff_subscribers()} == set(CHAT_IDS)
    assert store.outbox_counts()["pending"] > 0
    paths = ["/api/ledger.json", "/event/999"]
    for lang in ("es", "en"):
        paths += [f"/?lang={lang}", f"/feed.atom?lang={lang}", f"/feed.json?lang={lang}"]
        paths += [f"/event/{i}?lang={lang}" for i in (seeded.e1, seeded.e2, private.held_event, private.rejected_event)]
        for prison in ("tocoron", "rodeo-i", "helicoide", "ramo-verde"):
            paths += [f"/feed.atom?lang={lang}&prison={prison}", f"/feed.json?lang={lang}&prison={prison}"]
    for path in paths:
        r = await client.get(path)
        assert r.status_code in (200, 404), path
        assert leaks(r.text, private) == [], path
        assert leaks(json.dumps(dict(r.headers)), private) == [], path
    for event_id in (private.held_event, private.rejected_event):
        assert (await client.get(f"/event/{event_id}")).status_code == 404
    for prison in ("helicoide", "ramo-verde"):  # known prisons whose only events were held or rejected
        assert atom_ids((await client.get(f"/feed.atom?prison={prison}")).content) == []
        assert "Helicoide" not in (await client.get("/")).text
    # the published state of e2 is its released alert (33 confirmed), not the held update
    assert "Confirmadas: <b>33</b>" in (await client.get(f"/event/{seeded.e2}")).text
    # and what the chart draws comes from the same public ledger
    drawn = chart_data(cast(Store, build(store)), "es")
    assert sorted(v for bar in drawn.events for v in (bar.announced, bar.confirmed)) == [33, 71, 87, 99]
    assert WATCHED_NAME not in store.watches()[0]["name_enc"]


# -- token mode ----------------------------------------------------------------------------------------
async def test_internal_mode_needs_the_token_on_every_route(store, monkeypatch):
    seeded = seed_public(store)
    monkeypatch.setenv(TOKEN_ENV, "s3cret-token-for-the-ngo")
    server = WebServer(store, replace(WEB, public=False), ledger_ttl=FRESH)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            paths = ["/", f"/event/{seeded.e1}", "/chart.png", "/feed.atom", "/feed.json", "/api/ledger.json", "/nowhere"]
            for path in paths:
                for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0"}):
                    r = await client.get(path, headers=headers)
                    assert r.status_code == 401, (path, headers)
                    assert r.headers["WWW-Authenticate"].startswith("Bearer") and "Foro Penal" not in r.text
                    assert r.headers["Content-Security-Policy"] == CSP
                assert (await client.get(path, params={"token": "s3cret"})).status_code == 401
                assert (await client.head(path)).status_code == 401
            for path in paths[:-1]:
                ok = await client.get(path, headers={"Authorization": "Bearer s3cret-token-for-the-ngo"})
                assert ok.status_code == 200, path
                assert ok.headers["Cache-Control"] == "private, no-cache" and "Access-Control-Allow-Origin" not in ok.headers
            # with ?token= the reader's links carry it, so the page stays usable; with the header they need not
            page = await client.get("/", params={"token": "s3cret-token-for-the-ngo", "lang": "en"})
            assert page.status_code == 200 and "./event/1?lang=en&amp;token=s3cret-token-for-the-ngo" in page.text
            assert "./chart.png?lang=en&amp;v=" in page.text and "token=s3cret-token-for-the-ngo" in page.text
            bearer = await client.get("/", headers={"Authorization": "Bearer s3cret-token-for-the-ngo"})
            assert "token=" not in bearer.text
    finally:
        await server.stop()


async def test_internal_mode_refuses_to_start_without_a_token(store, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    config = Config(web=WebConfig(enabled=True, port=0, public=False))
    with pytest.raises(StartError, match=TOKEN_ENV):
        await start_web(config, store)
    assert await start_web(Config(), store) is None  # off by default


# -- config and service --------------------------------------------------------------------------------
def test_web_table_is_optional_off_by_default_and_validated():
    assert parse_config({}).web == WebConfig(enabled=False, host="127.0.0.1", port=8787, public=True, base_url=None)
    web = parse_config({"web": {"enabled": True, "port": 9000, "public": False, "base_url": "https://ledger.example.org"}}).web
    assert (web.enabled, web.port, web.public, web.base_url) == (True, 9000, False, "https://ledger.example.org/")
    for table, key in (({"prot": 1}, "web.prot"), ({"port": 70000}, "web.port"), ({"port": "80"}, "web.port"),
                       ({"enabled": 1}, "web.enabled"), ({"base_url": "ledger.example.org"}, "web.base_url"),
                       ({"token": "x"}, "web.token")):
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            parse_config({"web": table})


def test_example_config_documents_the_web_table():
    text = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text()
    assert "[web]" in text and TOKEN_ENV in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_service_starts_and_stops_the_page_with_it(tmp_path):
    port = _free_port()
    config = Config(database=tmp_path / "svc.db", poll_interval=3600, web=WebConfig(enabled=True, port=port))
    store = Store(config.database)
    seed_public(store)
    service = Service(config, store)
    task = asyncio.create_task(service.run(install_signals=False))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    r = await client.get("/feed.atom")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert r.status_code == 200 and len(atom_ids(r.content)) == 4
            service.stop()
            await asyncio.wait_for(task, timeout=30)
            with pytest.raises(httpx.ConnectError):
                await client.get("/")
    finally:
        service.stop()
        if not task.done():
            await asyncio.wait_for(task, timeout=30)
        store.close()


async def test_a_busy_port_is_one_sentence_from_the_service(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store = Store(tmp_path / "busy.db")
        try:
            with pytest.raises(StartError, match=rf"could not listen on 127\.0\.0\.1:{port}"):
                await start_web(Config(web=WebConfig(enabled=True, port=port)), store)
        finally:
            store.close()
