"""The ledger page NGOs link to (issue 23), over HTTP from the real app and a real store: disputes
and running counts on the page, true dates after a backfill, a page per prison, CSV beside JSON,
numberless rounds in words, no emoji the page depends on, speakers in the reader's language."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest

from bot.i18n import day
from bot.matcher import Extraction
from bot.store import Store
from bot.web.data import _cell
from bot.web.server import WebServer
from bot.web.settings import WebConfig
from tests.web_ledger import T1, Seeded, backfill, leaks, report, seed_private, seed_public

WEB = WebConfig(enabled=True, port=0)
# emoji and the variation selector that makes a symbol an emoji: a browser without an emoji font
# (Debian's Chromium in CI) draws them as empty boxes
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u2b00-\u2bff]")


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, list[dict], Store]]:
    items = backfill(tmp_path / "campaign.db")
    store = Store(tmp_path / "campaign.db")
    server = WebServer(store, WEB, ledger_ttl=0.0)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client, items, store
    await server.stop()
    store.close()


@pytest.fixture
async def site(store: Store) -> AsyncIterator[tuple[Seeded, httpx.AsyncClient]]:
    seeded = seed_public(store)
    server = WebServer(store, WEB, ledger_ttl=0.0)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield seeded, client
    await server.stop()


def text_of(page: str) -> str:
    """What a reader reads: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# -- true dates --------------------------------------------------------------------------------------
async def test_a_backfilled_database_feeds_and_page_carry_the_news_dates(campaign):
    client, items, store = campaign
    published = {datetime.fromisoformat(i["published"].replace("Z", "+00:00")) for i in items}
    news_days = {d.date() for d in published}
    today = datetime.now(UTC).date()
    # every revision was written today, by the replay: the ledger must not say so
    created = {r[0][:10] for r in store.db.execute("SELECT created FROM revisions")}
    assert created == {today.isoformat()} and today not in news_days
    for lang in ("es", "en"):
        atom = feedparser.parse((await client.get(f"/feed.atom?lang={lang}")).content)
        assert not atom.bozo and len(atom.entries) == 15  # c-32, the amnesty law passing, is no release news
        dates = [datetime.fromisoformat(e.published) for e in atom.entries]
        assert set(dates) <= published and [datetime.fromisoformat(e.updated) for e in atom.entries] == dates
        assert dates == sorted(dates, reverse=True) and len({d.date() for d in dates}) >= 10  # seven weeks, as history
        assert atom.feed.updated == "2026-02-22T20:00:00+00:00"  # the newest news, not the replay's moment
        doc = (await client.get(f"/feed.json?lang={lang}")).json()
        assert [datetime.fromisoformat(i["date_published"]) for i in doc["items"]] == dates
    page = text_of((await client.get("/?lang=en")).text)
    assert "Updated with news up to February 22, 2026" in page
    assert day("en", datetime.now(UTC)) not in page and str(today.year + 1) not in page
    event = text_of((await client.get("/event/2?lang=en")).text)
    assert "First alert · Jan 12, 2026" in event and "Update 3 · Jan 13, 2026" in event
    assert day("en", datetime.now(UTC)) not in event
    es = text_of((await client.get("/event/2?lang=es")).text)
    assert "Primer aviso · 12 ene 2026" in es and "Excarcelaciones del 12 de enero de 2026" in es
    # HTTP's Last-Modified still moves with the backfill: a reader revalidating by date gets it
    modified = (await client.get("/feed.atom")).headers["Last-Modified"]
    assert modified.endswith("GMT") and str(today.year) in modified


# -- disputes and running counts -----------------------------------------------------------------------
async def test_disputes_and_running_counts_are_on_the_page_in_both_languages(campaign):
    client, _, _ = campaign
    es = text_of((await client.get("/?lang=es")).text)
    assert "Conteo acumulado de Foro Penal: 444 excarcelaciones verificadas desde el 8 de enero de 2026 — Infobae (16 feb 2026)" in es
    assert "Evolución: 41 (12 ene 2026) · 72 (14 ene 2026) · 156 (23 ene 2026)" in es
    assert "Gobierno: 895 excarcelaciones en total (cifra oficial)" in es
    # the round of 12 January: the official 116 and who gave it, each verifier once, the dispute and who reported it
    card = text_of((await client.get("/?lang=es")).text.split('id="e2"')[1].split("</article>")[0])
    assert "Anunciadas: 116 — Ministerio de Servicio Penitenciario, según" in card
    assert card.count("Foro Penal, según") == 1 and "Confirmadas: 4 — Estados Unidos, según AFP" in card
    assert "Según NTN24, la cifra oficial está cuestionada" in card
    en = text_of((await client.get("/?lang=en")).text)
    assert "Foro Penal's running count: 444 releases verified since January 8, 2026" in en
    assert "Government: 895 releases in all (official figure)" in en and "According to NTN24, the official figure is disputed" in en
    assert "Confirmed: 4 — United States, via AFP" in en and "Prisons Ministry" in en


async def test_the_event_page_has_a_heading_and_shows_each_figure_with_its_quote(campaign):
    client, _, _ = campaign
    page = (await client.get("/event/2?lang=es")).text
    assert "<h1>Excarcelaciones del 12 de enero de 2026 — Las Crisálidas, Rodeo I</h1>" in page
    assert "Ronda n.º 2" in page and "<title>Excarcelaciones del 12 de enero de 2026 — Las Crisálidas, Rodeo I</title>" in page
    figures = page.split('<ul class="figures">')[1].split("</ul>")[0]
    assert figures.count("<li") == 3 and figures.count('<q class="quote">«') == 3
    assert "«Foro Penal confirma 24 excarcelaciones en la madrugada" in figures
    # an update names what changed
    assert "Estados Unidos confirma 4 excarcelaciones — Las Crisálidas, Rodeo I" in page


async def test_a_round_without_numbers_says_what_is_known_in_words(store):
    seed_public(store)
    report(store, "Diario del Sur", "Anuncian excarcelaciones en Yare I <b>sin cifras</b>", T1 + timedelta(days=20),
           Extraction(kind="announcement", prisons=("Yare I",), confidence=0.9))
    server = WebServer(store, WEB, ledger_ttl=0.0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            page = (await client.get("/?lang=en")).text
            card = page.split('id="e3"')[1].split("</article>")[0]
            assert "Releases were announced without a figure. In Diario del Sur&#39;s words:" in card
            assert "&lt;b&gt;sin cifras&lt;/b&gt;" in card and "<b>sin cifras</b>" not in card
            assert "<h3>" in card and "Releases of January 14, 2026 — Yare I" in card
            es = (await client.get("/event/3?lang=es")).text
            assert "Se anunciaron excarcelaciones sin dar una cifra. En palabras de Diario del Sur:" in es
    finally:
        await server.stop()


# -- a page per prison ---------------------------------------------------------------------------------
async def test_a_prison_page_lists_its_rounds_and_their_figures(site):
    seeded, client = site
    page = (await client.get("/prison/tocoron?lang=en")).text
    assert "<h1>Tocorón</h1>" in page and f'id="e{seeded.e1}"' in page and f'id="e{seeded.e2}"' not in page
    table = text_of(page.split('id="prison-figures"')[1].split("</table>")[0])
    assert "Announced 99 Government, via Noticias Caracas (Dec 25, 2025)" in table
    assert "Confirmed 71 Diario del Sur (Dec 26, 2025)" in table and "Confirmed 61 Foro Penal, via Andes Post" in table
    assert "./feed.atom?lang=en&amp;prison=tocoron" in page.replace("../", "./")
    # accents, case and aliases as ?prison= reads them; the page's own links lead there
    for slug in ("Tocor%C3%B3n", "TOCORON", "carcel-de-tocoron"):
        assert "<h1>Tocorón</h1>" in (await client.get(f"/prison/{slug}")).text
    assert 'href="./prison/las-crisalidas?lang=en"' in (await client.get("/?lang=en")).text
    quiet = await client.get("/prison/yare-i?lang=es")  # a prison we know, no published release
    assert quiet.status_code == 200 and "Todavía no hay excarcelaciones publicadas de este centro." in quiet.text
    unknown = await client.get("/prison/atlantis?lang=en")
    assert unknown.status_code == 404 and "We know no prison or detention centre by that name." in unknown.text


# -- CSV beside JSON -----------------------------------------------------------------------------------
async def test_csv_beside_json_for_the_ledger_rounds_and_running_counts(campaign):
    client, _, _ = campaign
    for name in ("ledger", "rounds", "running"):
        r = await client.get(f"/api/{name}.csv")
        assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert r.headers["Content-Disposition"].startswith("attachment; filename=\"releasewatch-")
        assert r.headers["Access-Control-Allow-Origin"] == "*" and "ETag" in r.headers
    rounds = list(csv.DictReader(io.StringIO((await client.get("/api/rounds.csv")).text)))
    as_json = (await client.get("/api/rounds.json")).json()["rounds"]
    assert [int(r["round"]) for r in rounds] == [r["round"] for r in as_json] == [6, 5, 4, 3, 2, 1]
    second = next(r for r in rounds if r["round"] == "2")
    assert (second["announced"], second["announced_by"], second["confirmed"], second["gap"]) == (
        "116", "Ministerio de Servicio Penitenciario", "24", "92")
    assert second["verifiers"] == "Foro Penal: 24; United States: 4" and second["disputed"] == "yes"
    assert second["disputed_by"] == "NTN24" and second["first_published"] == "2026-01-12T07:00:00+00:00"
    running = list(csv.DictReader(io.StringIO((await client.get("/api/running.csv")).text)))
    assert running == [{k: "" if v is None else str(v) for k, v in row.items()}
                       for row in (await client.get("/api/running.json")).json()["running_counts"]]
    assert [r["value"] for r in running if r["by"] == "Foro Penal"][-1] == "444"
    ledger = list(csv.DictReader(io.StringIO((await client.get("/api/ledger.csv")).text)))
    assert {r["type"] for r in ledger} == {"announced", "confirmed", "tally", "running"}
    only = list(csv.DictReader(io.StringIO((await client.get("/api/rounds.csv?prison=rodeo-i")).text)))
    assert [r["round"] for r in only] == ["6", "2"]
    assert (await client.get("/api/rounds.csv?prison=atlantis")).status_code == 404


def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text():
    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")" and _cell("+1") == "'+1"
    assert _cell("Foro Penal") == "Foro Penal" and _cell(-3) == -3 and _cell(None) == ""


# -- what the page never depends on, and never shows -----------------------------------------------------
async def test_no_page_depends_on_an_emoji_font(campaign):
    client, _, _ = campaign
    for path in ("/", "/event/1", "/event/2", "/event/6", "/prison/rodeo-i", "/event/999"):
        for lang in ("es", "en"):
            page = (await client.get(f"{path}?lang={lang}")).text
            assert not EMOJI.findall(page), (path, lang, EMOJI.findall(page))


async def test_new_routes_publish_nothing_held_rejected_subscribed_or_watched(site, store):
    seeded, client = site
    private = seed_private(store, seeded)
    for path in ("/api/ledger.csv", "/api/rounds.csv", "/api/rounds.json", "/api/running.csv", "/api/running.json",
                 "/prison/tocoron", "/prison/rodeo-i", "/prison/helicoide", "/prison/ramo-verde",
                 "/api/rounds.json?prison=helicoide"):
        for lang in ("es", "en"):
            r = await client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert r.status_code == 200, path
            assert leaks(r.text, private) == [], path
