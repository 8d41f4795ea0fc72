"""Nothing false on the page, nothing lost on a bad day (issue 21): a claim staff rejected leaves
its round; restore takes only a ReleaseWatch database; idle connections cannot starve the service;
a failure of the machine (not of the item) is retried; every way text enters is cleaned alike.

Real parts only: the loopback feed server, SQLite files, the real web server, real subprocesses.
Each scenario adds a row to the reliability table.
"""

from __future__ import annotations

import io
import json

import httpx

from bot import review
from bot.clock import utcnow
from bot.config import Config, FeedConfig
from bot.feeds import make_client
from bot.notify import ConsoleNotifier
from bot.outbox import Deliverer
from bot.pipeline import Pipeline
from bot.store import Store
from bot.web.server import WebServer
from bot.web.settings import WebConfig
from tests.feedserver import rss
from tests.news import ago, already_read


def _item(guid: str, title: str, summary: str, hours: float) -> dict[str, str]:
    return {"title": title, "description": summary, "guid": guid, "link": f"https://{guid}.example/a",
            "pubDate": ago(hours=hours)}


FIRST_20 = _item("wire-1", "Foro Penal verificó 20 excarcelaciones de presos políticos en Tocorón",
                 "La ONG Foro Penal confirmó que 20 presos políticos salieron de Tocorón este lunes.", 6)
BOGUS_77 = _item("bridge-1", "Foro Penal confirma 77 excarcelaciones de presos políticos en Tocorón",
                 "Según una cuenta que reenvía mensajes, Foro Penal confirmó 77 presos políticos liberados de Tocorón.", 5)
REAL_45 = _item("wire-2", "Foro Penal confirma 45 excarcelaciones de presos políticos en Tocorón",
                "Foro Penal corrigió su balance del lunes: 45 presos políticos salieron de Tocorón.", 4)


async def _poll(config: Config, store: Store) -> None:
    async with make_client(2) as client:
        await Pipeline(store, config, client).poll()
    store.db.execute("UPDATE feeds SET next_attempt=NULL")


async def test_a_rejected_claim_leaves_its_round_and_a_later_real_figure_alerts(tmp_path, feed_server, figures):
    wire = feed_server.set("/wire", body=rss([FIRST_20], "Wire"))
    bridge = feed_server.set("/bridge", body=rss([], "Bridge"))
    config = Config(database=tmp_path / "rw.db", allow_private_feed_urls=True, request_timeout=2,
                    feeds=(FeedConfig(name="Wire", url=wire), FeedConfig(name="Bridge", url=bridge, review=True)))
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    store.subscribe("console", "family", "es")
    store.subscribe("console", "staff", "es", "staff")
    out = io.StringIO()
    deliver = Deliverer(store, {"console": ConsoleNotifier(out)})

    await _poll(config, store)  # 20 confirmed: families told
    feed_server.set("/bridge", body=rss([BOGUS_77], "Bridge"))
    await _poll(config, store)  # 77 from a feed under review: held for staff
    (held,) = store.held()
    event_id, revision = held["event_id"], held["revision"]
    assert store.event(event_id).confirmed == 20  # a held claim counts in no round yet
    outcome = review.decide(store, event_id, revision, False, "staff-ana", "not what Foro Penal said", utcnow())
    assert outcome.status == "rejected"

    feed_server.set("/wire", body=rss([FIRST_20, REAL_45], "Wire"))
    await _poll(config, store)  # the real 45: judged against 20, not against the rejected 77
    await deliver.drain()
    event = store.event(event_id)
    assert event is not None and event.confirmed == 45
    family = [json.loads(r[0]) for r in store.db.execute(
        "SELECT o.payload FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id "
        "WHERE s.chat_id='family' AND o.kind='event' ORDER BY o.id")]
    snaps = [store.revision_snapshot(p["event_id"], p["revision"]) for p in family]
    assert [s["confirmed"] for s in snaps] == [20, 45], snaps
    assert all(f["value"] != 77 for s in snaps for f in s["figures"])

    # the page, the feeds and the API show only released figures: never the rejected claim or its link
    server = WebServer(store, WebConfig(enabled=True, port=0), ledger_ttl=0.0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            bodies = [(await client.get(p)).text for p in
                      ("/api/ledger.json", f"/event/{event_id}", "/", "/feed.atom", "/feed.json", "/?lang=en")]
    finally:
        await server.stop()
    for body in bodies:
        assert "bridge-1.example" not in body and ">77<" not in body and '"value": 77' not in body
    assert '"value": 45' in bodies[0]
    store.close()
    figures.add("a claim staff rejected", "20, then 77 (held, rejected), then 45", sent=2, expected=2, lost=0,
                duplicated=0, note="45 reaches families; 77 and its link on no page, feed or API")


def test_a_figure_staff_corrected_counts_no_more_and_later_figures_are_judged_against_theirs(store, figures):
    from datetime import timedelta

    from bot.matcher import Extraction
    from tests.web_ledger import T1, report

    def confirmed(n: int) -> Extraction:
        return Extraction(kind="confirmation", released=n, confirmed=n, confirmed_by="Foro Penal",
                          prisons=("Tocorón",), confidence=0.9)

    e = report(store, "Wire", "Foro Penal: 20 excarcelados de Tocorón", T1, confirmed(20))
    assert e.id is not None
    report(store, "Other", "Foro Penal: 77 excarcelados de Tocorón", T1 + timedelta(hours=1), confirmed(77), e.id)
    outcome = review.edit(store, e.id, "staff-ana", T1 + timedelta(hours=2), confirmed=30)
    assert outcome.ok and store.event(e.id).confirmed == 30
    later = report(store, "Wire", "Foro Penal: 45 excarcelados de Tocorón", T1 + timedelta(hours=3), confirmed(45),
                   e.id, n=2)
    assert later.confirmed == 45 and later.revision == outcome.revision + 1
    snap = store.revision_snapshot(e.id, later.revision)
    assert snap is not None and 77 not in {f["value"] for f in snap["figures"]}
    figures.add("a figure staff corrected", "20, 77, staff edit to 30, then 45", note="45 is news; 77 never returns")
