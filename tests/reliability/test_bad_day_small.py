"""The smaller bad-day findings of issue 21 (point 5): feed links that followed a request's Host
header, a token of spaces, a doctor that passed what `run` refuses, an English reason in a Spanish
refusal, a traceback per cycle with the disk full, a damaged outbox staff never heard of, a lone
surrogate that answered "Algo falló", and one user's command flood slowing a broadcast.

Real parts only: the real web server and service on 127.0.0.1, the Bot API emulator with the real
python-telegram-bot Application, SQLite files in tmp_path. Each scenario adds a row to the
reliability table.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx

from bot import doctor
from bot.store import Store
from bot.web.server import WebServer
from bot.web.settings import WebConfig
from tests.web_ledger import seed_public

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={**os.environ, **(env or {})})

# -- (a) feed links never follow the request's Host header ---------------------------------------------


async def test_feed_links_never_follow_the_host_header_a_request_names(tmp_path, figures):
    store = Store(tmp_path / "rw.db")
    seed_public(store)
    server = WebServer(store, WebConfig(enabled=True, port=0), ledger_ttl=0.0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            headers = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
            atom = (await client.get("/feed.atom", headers=headers)).content
            doc = (await client.get("/feed.json", headers=headers)).json()
    finally:
        await server.stop()
        store.close()
    assert b"evil.example" not in atom and "evil.example" not in json.dumps(doc)
    hrefs = [el.get("href") or "" for el in ET.fromstring(atom).iter("{http://www.w3.org/2005/Atom}link")]
    urls = [doc["home_page_url"], doc["feed_url"], *(item["url"] for item in doc["items"])]
    assert hrefs and all(h.startswith(server.url) for h in hrefs + urls), (server.url, hrefs, urls)
    figures.add("feed links and the Host header", "Host: evil.example on /feed.atom and /feed.json (no base_url)",
                note=f"links point at {server.url} (where the page listens); the Host header is never used")


# -- (b) a token of spaces; doctor refuses what `run` refuses ------------------------------------------


def test_a_web_token_of_spaces_is_refused_at_config_load_and_doctor_fails_an_internal_page_without_one(
        tmp_path, monkeypatch, figures):
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{tmp_path / "rw.db"}"\n[web]\nenabled = true\npublic = false\nport = 1\n',
                      encoding="utf-8")
    proc = _cli("run", "--config", str(config), env={"RELEASEWATCH_WEB_TOKEN": "   "})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and "RELEASEWATCH_WEB_TOKEN holds only spaces" in proc.stderr, proc.stderr
    monkeypatch.delenv("RELEASEWATCH_WEB_TOKEN", raising=False)
    out = io.StringIO()
    assert doctor.main(config, out) == 1
    (web,) = [line for line in out.getvalue().splitlines() if line.split()[1:2] == ["web"]]
    assert web.startswith("FAIL") and "RELEASEWATCH_WEB_TOKEN is not set" in web and "Fix:" in web, web
    monkeypatch.setenv("RELEASEWATCH_WEB_TOKEN", "a-long-random-token")
    out = io.StringIO()
    doctor.main(config, out)
    assert [line for line in out.getvalue().splitlines() if line.split()[1:2] == ["web"]][0].startswith("OK")
    figures.add("web token checks", "RELEASEWATCH_WEB_TOKEN of three spaces; public = false without a token",
                note="run: exit 2, one sentence; doctor: FAIL web with a fix (as run refuses)")
