"""The command line as a user runs it: real subprocesses, real files, a loopback feed server."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from tests.conftest import SEEDS
from tests.feedserver import rss
from tests.news import already_read_file
from tests.test_pipeline import ANNOUNCE, CONFIRM

ROOT = Path(__file__).resolve().parents[1]


def run(*args, stdin=None, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120)


CONTRACT = {"id", "kind", "released", "announced", "confirmed", "total_prisoners", "prisons", "orgs",
            "names", "lang", "confidence"}


def seed(name, title_prefix):
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(title_prefix))
    date = name.split("-", 1)[1][:10]  # the file names carry the article's day
    return {"id": name, "title": lines[i], "summary": "\n".join(lines[i + 1:]), "published": f"{date}T12:00:00Z"}


@pytest.fixture
def seeds():
    if not SEEDS.exists():
        pytest.skip("the shared seed articles are not beside this checkout")
    return [seed("elpais-2026-01-01-87-authorized.txt", "Venezuela authorizes"),
            seed("mercopress-2025-12-26-71-released.txt", "Caracas releases")]


def test_match_jsonl_follows_the_contract_on_the_seed_articles(seeds):
    proc = run("match", "--jsonl", stdin="".join(json.dumps(s) + "\n" for s in seeds))
    assert proc.returncode == 0, proc.stderr
    elpais, merco = [json.loads(line) for line in proc.stdout.splitlines()]
    for answer in (elpais, merco):
        assert CONTRACT <= answer.keys()
        assert answer["lang"] == "en" and 0 <= answer["confidence"] <= 1
    assert (elpais["kind"], elpais["announced"], elpais["confirmed"]) == ("announcement", 87, 33)
    assert elpais["released"] == 87
    assert "Tocorón" in elpais["prisons"] and "JEyP" in elpais["orgs"]
    assert (merco["kind"], merco["released"], merco["total_prisoners"]) == ("confirmation", 71, 902)
    assert {"Tocorón", "Las Crisálidas"} <= set(merco["prisons"])


def test_match_jsonl_skips_bad_lines_with_a_message():
    proc = run("match", "--jsonl", stdin='not json\n{"id":"n","title":"Hoy llueve en Caracas","summary":""}\n')
    assert proc.returncode == 0
    assert "line 1" in proc.stderr
    (answer,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert answer["kind"] == "none" and answer["released"] is None


def test_every_command_has_help():
    for cmd in ("run", "poll", "match", "demo", "status"):
        proc = run(cmd, "--help")
        assert proc.returncode == 0 and "usage:" in proc.stdout


def test_poll_once_then_restart_sends_nothing_again(tmp_path, feed_server):
    url = feed_server.set("/a", body=rss([ANNOUNCE, CONFIRM]))
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'database = "rw.db"\nallow_private_feed_urls = true\n[[feeds]]\nname = "A"\nurl = "{url}"\n')
    already_read_file(tmp_path / "rw.db", load_config(cfg).feeds)
    first = run("poll", "--once", "--config", str(cfg), "--console", "es")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("Aviso n.º") == 2
    second = run("poll", "--once", "--config", str(cfg), "--console", "es")
    assert second.returncode == 0, second.stderr
    assert "Aviso n.º" not in second.stdout
    status = run("status", "--config", str(cfg), "--lang", "en")
    assert "Announced: 87" in status.stdout and "Confirmed: 33" in status.stdout
