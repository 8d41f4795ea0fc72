"""The smaller bad-day findings of issue 21 (point 5): feed links that followed a request's Host
header, a token of spaces, a doctor that passed what `run` refuses, an English reason in a Spanish
refusal, a traceback per cycle with the disk full, a damaged outbox staff never heard of, a lone
surrogate that answered "Algo falló", and one user's command flood slowing a broadcast.

Real parts only: the real web server and service on 127.0.0.1, the Bot API emulator with the real
python-telegram-bot Application, SQLite files in tmp_path. Each scenario adds a row to the
reliability table.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx

from bot.store import Store
from bot.web.server import WebServer
from bot.web.settings import WebConfig
from tests.web_ledger import seed_public

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
