"""Issue 18 point 4, as an attacker would try it: every spelling of a local address on every path a
feed URL takes (/addfeed, OPML import, the fetch itself, a redirect hop, a name that resolves to
loopback when polled), and a bot token pushed through a Bot API that loops redirects. Each sweep
adds a row to the reliability figures: how many attempts, how many got through.
"""

from __future__ import annotations

import io
import logging

from bot import netguard
from bot.feeds import FeedError, check_feed_url, fetch, make_client
from bot.logs import JsonFormatter, TextFormatter
from bot.redact import MASK
from tests.feedserver import rss
from tests.test_netguard import FETCHABLE, ITEM, LOCAL_HOSTS
from tests.test_redact import SECRET_HALF, TOKEN, _redirect_loop_api


async def test_no_local_address_is_reached_on_any_path(feed_server, figures):
    port = int(feed_server.url.rsplit(":", 1)[1])
    feed_server.set("/feed", body=rss([ITEM]))
    attempts = through = 0
    for resolve in (True, False):  # /addfeed resolves; OPML import and the redirect hook do not
        for host in LOCAL_HOSTS:
            attempts += 1
            try:
                check_feed_url(f"http://{host}:{port}/feed", allow_private=False, resolve=resolve)
                through += 1
            except FeedError:
                pass
    trusted = frozenset({("127.0.0.1", port)})
    rebinding = netguard.Guard(resolver=_answers(["127.0.0.1"]), trusted=trusted)
    async with make_client(5, allow_private=False, guard=rebinding) as client:
        for host in FETCHABLE:
            attempts += 2
            for url in (f"http://{host}:{port}/feed",  # polled directly, and as a redirect hop
                        feed_server.set(f"/hop-{host}", redirect_to=f"http://{host}:{port}/feed")):
                res = await fetch(client, url)
                through += res.status == "ok"
        attempts += 2
        for url in (f"http://rebind.test:{port}/feed", feed_server.set("/hop-rebind", redirect_to=f"http://rebind.test:{port}/feed")):
            res = await fetch(client, url)
            through += res.status == "ok"
    reached = feed_server.hits("/feed")
    figures.add("private addresses, every path", "local address spellings, redirect hops, DNS rebinding",
                expected=attempts, note=f"{attempts - through}/{attempts} refused, {reached} reached the server")
    assert through == 0 and reached == 0


def _answers(addresses: list[str]) -> netguard.Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return addresses

    return resolve


async def test_a_token_in_a_redirect_loop_is_neither_stored_nor_logged(tmp_path, figures):
    from dataclasses import replace

    from bot.config import Config, TelegramConfig
    from bot.outbox import Deliverer
    from bot.platforms.telegram import TelegramPlatform
    from bot.store import Store

    runner, base = await _redirect_loop_api()
    lines = io.StringIO()
    handlers = [logging.StreamHandler(lines), logging.StreamHandler(lines)]
    handlers[0].setFormatter(TextFormatter())
    handlers[1].setFormatter(JsonFormatter())
    root = logging.getLogger()
    for h in handlers:
        root.addHandler(h)
    store = Store(tmp_path / "rw.db")
    platform = None
    rows = 20
    try:
        config = replace(Config(database=tmp_path / "rw.db"), telegram=TelegramConfig(enabled=True, api_base_url=base))
        platform = TelegramPlatform(config, store, token=TOKEN)
        await platform.app.initialize()
        for i in range(rows):
            sub = store.subscribe("telegram", str(5000 + i), "es")
            store.enqueue(sub.id, f"t:{i}", "text", {"text": "hola"})
        await Deliverer(store, {"telegram": platform.notifier}).drain(max_rounds=1)
    finally:
        if platform is not None:
            await platform.app.shutdown()
        for h in handlers:
            root.removeHandler(h)
        await runner.cleanup()
    errors = [e for (e,) in store.db.execute("SELECT error FROM outbox").fetchall()]
    store.close()
    leaked = sum(SECRET_HALF in (e or "") for e in errors) + (SECRET_HALF in lines.getvalue())
    figures.add("bot token in errors and logs", "Bot API redirect loop on every send",
                expected=rows, note=f"{sum(MASK in (e or '') for e in errors)} errors stored redacted, {leaked} leaks")
    assert leaked == 0 and all(MASK in (e or "") for e in errors)
