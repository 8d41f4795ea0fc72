"""Families see only sure numbers (issue 22, point 2): a release whose numbers the text does not
bind reaches families without a number, in the outlet's words; with staff review on it is held,
the review card shows every figure with its quote, and staff confirm, fix or drop each one before
it goes out. Every such decision is a labelled test item (`releasewatch corrections export`).

Real parts: SQLite files, the real pipeline, the real renderer and command actions.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import review
from bot.alerts import render_event, render_review
from bot.commands import actions as act
from bot.commands.args import BadArgs
from bot.config import Config
from bot.items import make_item
from bot.pipeline import Pipeline
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.now(UTC)
# a release the outlet reports, with numbers no one in the text is named as giving
UNSURE = ("Excarcelan a 30 presos políticos en Tocuyito",
          "Unos 30 presos políticos salieron el domingo del penal de Tocuyito. Familiares esperaban en la puerta "
          "desde la madrugada; quedan 800 detenidos por motivos políticos en el país.")


def _ingest(store: Store, title: str, summary: str, hours: float = 1) -> Pipeline:
    store.add_feed("Diario del Sur", "https://diario.example/feed", "es")
    feed = store.feeds()[0]
    store.db.execute("UPDATE feeds SET first_fetch=?", [(NOW - timedelta(days=1)).isoformat()])
    feed = store.feeds()[0]
    item = make_item(guid=f"g-{title[:10]}", link="https://diario.example/1", title=title, summary=summary,
                     published=NOW - timedelta(hours=hours), lang="es", now=NOW)
    assert item is not None
    pipeline = Pipeline(store, Config(database=store.path), client=None)  # type: ignore[arg-type]
    pipeline.ingest([(feed, item)])
    return pipeline


def _family_alerts(store: Store) -> list[dict]:
    rows = store.db.execute("SELECT o.payload FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id "
                            "WHERE s.filter != 'staff' AND o.kind = 'event'").fetchall()
    return [store.revision_snapshot(p["event_id"], p["revision"]) for p in (json.loads(r[0]) for r in rows)]


def test_without_staff_an_unsure_release_reaches_families_without_a_number(store):
    store.subscribe("console", "family", "es")
    _ingest(store, *UNSURE)
    (snap,) = _family_alerts(store)
    assert snap["confirmed"] is None and snap["announced"] is None and snap["figures"] == []
    message = render_event(snap, "es")
    assert message.text.startswith("📰 Se informa de excarcelaciones — Tocuyito")
    assert "Cifras aún sin verificar" in message.text and "Excarcelan a 30 presos políticos en Tocuyito" in message.text
    assert "30" not in message.text.replace("Excarcelan a 30", "") and "800" not in message.text
    en = render_event(snap, "en").text
    assert en.startswith("📰 Releases reported — Tocuyito") and "Numbers not yet verified" in en


def test_staff_read_each_figure_and_families_get_the_one_they_confirm(store, tmp_path):
    store.subscribe("console", "family", "es")
    store.subscribe("console", "staff", "es", "staff")
    _ingest(store, *UNSURE)
    (held,) = store.held()
    event_id, revision = held["event_id"], held["revision"]
    assert _family_alerts(store) == []
    card = render_review(store.revision_snapshot(event_id, revision), dict(held), "es", "telegram").text
    # every figure of the item, numbered, marked, with its quote
    assert "1. ? Confirmadas: 30 — nadie la atribuye «Excarcelan a 30 presos políticos en Tocuyito»" in card
    assert "/figure" in card

    # the count still held is no release figure: it is not on the list of figures to read
    assert "800" not in card.split("Lo que dice la noticia")[1]
    # staff first drop the reading, then (the last decision stands) give who counted it
    reply = act.figure_fix(store, f"{event_id} 1 not", "ana", "es").text
    assert "no es una excarcelación" in reply
    reply = act.figure_fix(store, f'{event_id} 1 by="Foro Penal"', "ana", "es").text
    assert "corregida" in reply and "✓ Confirmadas: 30 — Foro Penal" in reply
    assert act.figure_fix(store, f"{event_id} 9 ok", "ana", "es").text.startswith("El evento")
    with pytest.raises(BadArgs):  # the dispatcher answers it with the command's usage (figure.usage)
        act.figure_fix(store, f"{event_id} 1 maybe", "ana", "es")
    review.decide(store, event_id, revision, True, "ana", None, NOW)
    (snap,) = _family_alerts(store)
    assert snap["confirmed"] == 30
    assert "Confirmadas: 30 — Foro Penal" in render_event(snap, "es").text
    assert store.event(event_id).confirmed == 30

    # the corrections become labelled test items in the matcher's label format
    config = tmp_path / "c.toml"
    config.write_text(f'database = "{store.path}"\n', encoding="utf-8")
    store.close()
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "corrections", "export", "--config", str(config)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    (item,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert item["title"] == UNSURE[0] and item["gold"]["kind"] == "confirmation"
    assert (item["gold"]["confirmed"], item["gold"]["confirmed_by"]) == (30, "Foro Penal")
    assert [(n["value"], n["counts"], n["by"]) for n in item["gold"]["numbers"]] == [(30, "confirmed", "Foro Penal")]


def test_event_history_shows_each_figure_of_each_item_sure_or_not_with_its_quote(store):
    store.subscribe("console", "family", "es")
    _ingest(store, *UNSURE)
    (event,) = store.latest_events(5)
    text = act.event_history(store, str(event.id), "es").text
    assert "? Confirmadas: 30 — nadie la atribuye «Excarcelan a 30 presos políticos en Tocuyito»" in text
