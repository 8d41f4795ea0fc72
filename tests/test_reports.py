"""Charts, exports and OPML for NGO reports, on a real database."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import export
from bot.charts import chart_data, draw, png
from bot.events import Observation, apply
from bot.matcher import Extraction
from bot.opml import OpmlFeed, read_opml, write_opml
from bot.store import Store

T0 = datetime(2026, 1, 8, 12, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def seed(store):
    store.record_tally("t1", 902, "Foro Penal", "Outlet A", "https://a/1", T0 - timedelta(days=20))
    store.record_tally("t2", 866, "Foro Penal", "Outlet A", "https://a/2", T0 - timedelta(days=5))
    store.record_tally("t3", 1163, "CLIPPVE", "Outlet B", "https://b/1", T0 - timedelta(days=10))
    ex = Extraction(kind="announcement", released=87, announced=87, confirmed=33, confirmed_by="JEyP")
    obs = Observation(ex, "i1", "Outlet A", "https://a/3", "87 autorizadas", T0)
    event, _ = apply(obs, None)
    store.save_event(event, obs, True, T0)


def test_chart_plots_tallies_by_source_and_events_with_labels_in_the_readers_language(store):
    seed(store)
    data = chart_data(store, "es")
    assert {k: [v for _, v in pts] for k, pts in data.tallies.items()} == {"Foro Penal": [902, 866], "CLIPPVE": [1163]}
    assert [(e[1], e[2]) for e in data.events] == [(87, 33)]
    fig = draw(data, "es")
    top, bottom = fig.axes
    assert top.get_ylabel() == "Presos políticos"
    assert sorted(list(line.get_ydata()) for line in top.get_lines()) == [[902, 866], [1163]]
    assert [round(p.get_height()) for p in bottom.patches] == [87, 33]
    assert draw(data, "en").axes[0].get_ylabel() == "Political prisoners"
    assert png(fig).startswith(b"\x89PNG\r\n\x1a\n")


def test_csv_export_round_trips(store):
    seed(store)
    rows = export.rows(store)
    assert export.from_csv(export.to_csv(store)) == rows
    assert {r["type"] for r in rows} == {"announced", "confirmed", "tally"}
    assert '"announced": 87' in export.to_json(store)


def test_opml_round_trip():
    feeds = [OpmlFeed("Efecto Cocuyo", "https://efectococuyo.com/feed/", "es"),
             OpmlFeed("Caracas Chronicles", "https://www.caracaschronicles.com/feed/", None)]
    assert [(f.name, f.url) for f in read_opml(write_opml(feeds))] == [(f.name, f.url) for f in feeds]


def test_cli_chart_export_and_opml(tmp_path, store):
    seed(store)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'database = "{store.path}"\n')
    run = lambda *a: subprocess.run([sys.executable, "-m", "bot.cli", *a, "--config", str(cfg)],  # noqa: E731
                                    capture_output=True, text=True, cwd=ROOT, timeout=120)
    out = tmp_path / "c.png"
    assert run("chart", "--out", str(out)).returncode == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    csv_run = run("export", "--format", "csv")
    assert csv_run.returncode == 0 and csv_run.stdout.startswith("type,event_id,value")
    opml = tmp_path / "feeds.opml"
    opml.write_text(write_opml([OpmlFeed("Runrunes", "https://runrun.es/feed/", "es"),
                                OpmlFeed("Local", "http://127.0.0.1/feed", "es")]))
    imported = run("feeds", "import", str(opml))
    assert imported.returncode == 0, imported.stderr
    assert "1 new feeds" in imported.stdout and "private or local" in imported.stderr
    exported = run("feeds", "export")
    assert "https://runrun.es/feed/" in exported.stdout


@pytest.mark.timeout(90)
def test_export_json_of_thousands_of_events_is_linear(tmp_path):
    """It re-read every figure for each event (about 13 s for 1,000 events, two minutes for 3,000)."""
    store = Store(tmp_path / "rw.db")
    with store.transaction():
        for n in range(3000):
            store.db.execute("INSERT INTO events (id, announced, confirmed, prisons, names, first_published, "
                             "last_published, revision, created, updated) VALUES (?, 87, 33, '[]', '[]', ?, ?, 1, ?, ?)",
                             [n + 1, *(["2026-01-01T00:00:00+00:00"] * 4)])
            store.db.conn.executemany(
                "INSERT INTO event_figures (event_id, role, value, outlet, item_id, link, published, speaker) "
                "VALUES (?,?,?,?,?,?,?,?)",
                [(n + 1, "announced", 87, "A", f"a{n}", "", "2026-01-01T00:00:00+00:00", "A"),
                 (n + 1, "confirmed", 33, "B", f"b{n}", "", "2026-01-01T00:00:00+00:00", "B")])
    store.close()
    data = json.loads(export.export_file(tmp_path / "rw.db", "json"))
    assert len(data["events"]) == 3000
    assert all(len(e["figures"]) == 2 for e in data["events"])
    assert {f["event_id"] for f in data["events"][0]["figures"]} == {data["events"][0]["id"]}
