"""Nothing false on the page, nothing lost on a bad day (issue 21): a claim staff rejected leaves
its round; restore takes only a ReleaseWatch database; idle connections cannot starve the service;
a failure of the machine (not of the item) is retried; every way text enters is cleaned alike.

Real parts only: the loopback feed server, SQLite files, the real web server, real subprocesses.
Each scenario adds a row to the reliability table.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import feedparser
import httpx

from bot import review
from bot.clock import utcnow
from bot.config import Config, FeedConfig
from bot.feeds import make_client
from bot.matcher import Extraction
from bot.notify import ConsoleNotifier
from bot.outbox import Deliverer
from bot.pipeline import Pipeline
from bot.store import Store
from bot.web.server import WebServer
from bot.web.settings import WebConfig
from tests.feedserver import rss
from tests.news import ago, already_read
from tests.web_ledger import T1, report


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


# -- 2. restore takes only a ReleaseWatch database -------------------------------------------------------

def _cli(*args: str, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])


def _live(tmp_path: Path) -> tuple[Path, Path]:
    """A config and its live database with one subscriber and one feed."""
    db = tmp_path / "live.db"
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{db}"\n[[feeds]]\nname = "A"\nurl = "https://a.example/feed"\n', encoding="utf-8")
    s = Store(db)
    s.subscribe("telegram", "42", "es")
    s.close()
    return config, db


def _subscribers(db: Path) -> int:
    s = Store(db)
    try:
        return len(s.active_subscribers())
    finally:
        s.close()


def test_restore_refuses_anything_but_a_releasewatch_database_and_changes_nothing(tmp_path, figures):
    config, db = _live(tmp_path)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    con.execute("INSERT INTO notes (text) VALUES ('shopping list')")
    con.commit()
    con.close()
    folder = tmp_path / "a-folder"
    folder.mkdir()
    tried = {"0-byte file": empty, "unrelated SQLite database": other, "missing path": tmp_path / "nowhere.db",
             "a directory": folder}
    for what, path in tried.items():
        proc = _cli("restore", str(path), "--config", str(config))
        assert proc.returncode == 2, (what, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, (what, proc.stderr)
        assert "nothing was changed" in proc.stderr
        assert _subscribers(db) == 1, what
    assert not list(tmp_path.glob("live.db.before-restore-*"))
    figures.add("restore of a non-database", ", ".join(tried), note="exit 2, one sentence, live database untouched")


def test_restore_refuses_while_the_service_holds_the_database_and_keeps_what_it_replaces(tmp_path, figures):
    config, db = _live(tmp_path)
    backup = tmp_path / "backup.db"
    s = Store(db)
    s.backup(backup)
    s.subscribe("telegram", "43", "en")  # after the backup: the restore would lose it
    s.lock()  # the service runs
    proc = _cli("restore", str(backup), "--config", str(config))
    assert proc.returncode == 2 and "stop it first" in proc.stderr and "Traceback" not in proc.stderr
    assert _subscribers(db) == 2
    s.close()  # the service stopped
    proc = _cli("restore", str(backup), "--config", str(config))
    assert proc.returncode == 0, proc.stderr
    assert _subscribers(db) == 1
    (kept,) = tmp_path.glob("live.db.before-restore-*")
    assert _subscribers(kept) == 2 and str(kept) in proc.stdout
    figures.add("restore under a running service", "the lock held by another process",
                note="refused; after the stop the replaced database is kept beside it")


def test_backup_and_replay_and_run_fail_in_one_sentence(tmp_path, figures):
    config, db = _live(tmp_path)
    proc = _cli("backup", str(tmp_path / "missing" / "b.db"), "--config", str(config))
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all " * 200)
    item = '{"id": "a", "title": "Foro Penal: 5 excarcelados", "published": "2026-01-08T10:00:00Z"}\n'
    proc = _cli("replay", "--jsonl", "--db", str(garbage), stdin=item)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    # a damaged file (its pages overwritten past the header)
    (tmp_path / "d").mkdir()
    damaged_config, damaged = _live(tmp_path / "d")
    with open(damaged, "r+b") as fh:
        fh.seek(4096)
        fh.write(os.urandom(8192))
    proc = _cli("status", "--config", str(damaged_config))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "cannot be used" in proc.stderr, proc.stderr
    # a read-only file, as root cannot be kept from writing by its mode: immutable where chattr works
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode == 0:
        try:
            proc = _cli("run", "--config", str(config))
            assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
        finally:
            subprocess.run(["chattr", "-i", str(db)], capture_output=True)
    proc = _cli("match", "--jsonl", stdin="not json\n{also not\n")
    assert proc.returncode == 2 and "nothing was matched" in proc.stderr
    figures.add("CLI failures", "backup into a missing folder, replay on garbage, match with no readable line",
                note="exit != 0, one sentence, no traceback")


# -- 4. one cleaning path ----------------------------------------------------------------------------------

def test_a_backfill_is_cleaned_like_a_feed_and_loses_no_item(tmp_path, figures):
    lines = [
        {"id": "ctl", "title": "Foro Penal verificó 12 excarcelaciones\x07 en Tocorón\u202e\ufffe",
         "summary": "Los 12 presos políticos\x1b salieron de Tocorón.", "published": "2026-01-09T10:00:00Z",
         "feed": "Wire\u202e", "link": "https://wire.example/1"},
        {"id": "sur", "title": "Foro Penal confirmó 7 excarcelaciones en Rodeo I \ud800",
         "summary": "Siete presos políticos salieron de Rodeo I.", "published": "2026-01-10T10:00:00Z"},
        {"id": "y1", "title": "JEyP: 9 presos políticos excarcelados en Yare III", "summary": "",
         "published": "0001-01-01T00:00:00Z"},
    ]
    stream = "".join(json.dumps(line, ensure_ascii=True) + "\n" for line in lines)
    db = tmp_path / "backfill.db"
    proc = _cli("replay", "--jsonl", "--db", str(db), stdin=stream)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    store = Store(db)
    try:
        titles = [r[0] for r in store.db.execute("SELECT title FROM items ORDER BY published")]
        assert len(titles) == 3
        for t in titles:
            assert t.isprintable(), repr(t)
        names = [f.name for f in store.feeds(active_only=False)]
        assert all(n.isprintable() for n in names)
        snaps = [r[0] for r in store.db.execute("SELECT snapshot FROM revisions")]
        assert snaps and all("\u202e" not in s and "\\u202e" not in s for s in snaps)
    finally:
        store.close()

    async def atom() -> bytes:
        store = Store(db)
        server = WebServer(store, WebConfig(enabled=True, port=0), ledger_ttl=0.0)
        await server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                return (await client.get("/feed.atom")).content
        finally:
            await server.stop()
            store.close()

    body = asyncio.run(atom())
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.entries, parsed.get("bozo_exception")
    figures.add("a dirty backfill", "C0 controls, U+202E, U+FFFE, a lone surrogate, a year-1 date",
                sent=3, expected=3, lost=0, note="every item in the ledger; /feed.atom well-formed")
