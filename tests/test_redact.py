"""No secret leaves the process: bot tokens, the environment's secret values, URL userinfo and
secret query parameters are redacted in logs (both formats), crash traces, stored errors and the
feed names and links people see. Real parts: the Bot API emulator, a real `releasewatch run`
process, a loopback server that loops redirects, the loopback feed server, real SQLite files.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web

from bot.commands import actions as commands  # add_feed and sources moved into actions
from bot.config import Config, TelegramConfig
from bot.logs import JsonFormatter, TextFormatter
from bot.notify import ConsoleNotifier
from bot.opml import read_opml
from bot.outbox import Deliverer
from bot.platforms.telegram import TelegramPlatform
from bot.redact import MASK, display_name, display_url, install_excepthook, redact
from bot.store import Store
from loopback.tg_emulator import BotApiEmulator
from tests.feedserver import rss
from tests.news import already_read
from tests.test_pipeline import ANNOUNCE, cycle

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"
SECRET_HALF = TOKEN.split(":")[1]

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")


# -- the redactor ------------------------------------------------------------------------------------


def test_bot_tokens_are_redacted_alone_and_inside_api_urls():
    assert redact(f"token {TOKEN} rejected") == f"token {MASK} rejected"
    assert redact(f"GET https://api.telegram.org/bot{TOKEN}/getMe") == f"GET https://api.telegram.org/bot{MASK}/getMe"


def test_the_environments_secret_values_are_redacted_wherever_they_appear(monkeypatch):
    monkeypatch.setenv("MATRIX_ACCESS_TOKEN", "syt_bWF0cml4_abcdefghij")
    monkeypatch.setenv("MATRIX_PASSWORD", "correct horse")
    monkeypatch.setenv("RELEASEWATCH_KEY", "k" * 44)
    monkeypatch.setenv("RELEASEWATCH_OLD_KEYS", "oldkey-one-AAAA, oldkey-two-BBBB")
    text = ("Authorization: Bearer syt_bWF0cml4_abcdefghij; login 'correct horse' "
            f"key={'k' * 44} old oldkey-two-BBBB")
    out = redact(text)
    for secret in ("syt_bWF0cml4_abcdefghij", "correct horse", "k" * 44, "oldkey-two-BBBB"):
        assert secret not in out
    assert out.count(MASK) == 4


def test_userinfo_and_secret_parameters_are_redacted():
    out = redact("fetch https://reader:s3cr%40t@feeds.example.org/rss?lang=es&api_key=XYZ123&Token=abc#top failed")
    assert out == f"fetch https://{MASK}@feeds.example.org/rss?lang=es&api_key={MASK}&Token={MASK}#top failed"


def test_display_url_and_name_show_an_address_without_its_secrets():
    url = "https://reader:hunter2@Feeds.Example.org:8443/rss?api_key=XYZ123&lang=es&sig=0f0f"
    assert display_url(url) == f"https://feeds.example.org:8443/rss?api_key={MASK}&lang=es&sig={MASK}"
    assert display_name(url) == "feeds.example.org"
    assert display_name(f"https://bots.example/bot{TOKEN}/feed") == "bots.example"


# -- logs ---------------------------------------------------------------------------------------------


def _record_with_a_token() -> logging.LogRecord:
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("bot.test", logging.ERROR, __file__, 1, "send to %s failed", (f"bot{TOKEN}",), exc_info)
    record.reason = f"https://user:pw@feeds.example/rss?token={TOKEN}"
    return record


@pytest.mark.parametrize("formatter", [TextFormatter("%(levelname)s %(name)s: %(message)s"), JsonFormatter()],
                         ids=["text", "json"])
def test_both_log_formats_redact_message_extras_and_traceback(formatter):
    line = formatter.format(_record_with_a_token())
    assert SECRET_HALF not in line and "user:pw" not in line
    assert line.count(MASK) >= 3  # message, reason, traceback
    if isinstance(formatter, JsonFormatter):
        data = json.loads(line)
        assert MASK in data["msg"] and MASK in data["reason"] and MASK in data["exc"]


def test_an_uncaught_exception_prints_a_redacted_traceback(monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook()
    try:
        raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert "ValueError: The token `[redacted]` was rejected" in stderr.getvalue()
    assert SECRET_HALF not in stderr.getvalue()


# -- a Bot API that refuses the token at start-up ---------------------------------------------------


def _run_config(tmp_path: Path, api_base_url: str, fmt: str) -> Path:
    cfg = tmp_path / f"config-{fmt}.toml"
    cfg.write_text(f'database = "rw-{fmt}.db"\nlog_format = "{fmt}"\nallow_private_feed_urls = true\n'
                   '[[feeds]]\nname = "Loopback"\nurl = "http://127.0.0.1:9/feed"\n'
                   f'[telegram]\nenabled = true\napi_base_url = "{api_base_url}"\n', encoding="utf-8")
    return cfg


def test_a_refused_token_at_start_up_never_reaches_stderr(tmp_path):
    # the emulator answers 401 to a token it does not know, and 404 under a wrong base path;
    # python-telegram-bot raises InvalidToken with the token in its message, and the crash trace
    # printed it in both log formats. Four real processes, run side by side
    emu = BotApiEmulator().start()  # knows only its own token, not TOKEN
    procs = {}
    try:
        for case, base in (("401", emu.url), ("404", emu.url + "/no-such-api")):
            for fmt in ("text", "json"):
                (tmp_path / case).mkdir(exist_ok=True)
                cfg = _run_config(tmp_path / case, base, fmt)
                procs[(case, fmt)] = subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "run", "--config", str(cfg)], cwd=ROOT,
                    env={**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for key, proc in procs.items():
            _, err = proc.communicate(timeout=120)
            text = err.decode("utf-8", "replace")
            assert proc.returncode != 0, key
            assert "InvalidToken" in text, (key, text[-2000:])
            assert SECRET_HALF not in text, (key, text[-2000:])
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
        emu.stop()


# -- a Bot API that loops redirects once started -----------------------------------------------------


async def _redirect_loop_api() -> tuple[web.AppRunner, str]:
    """getMe answers; every other method redirects to itself (a misconfigured reverse proxy)."""

    async def get_me(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": {"id": 987654321, "is_bot": True, "first_name": "RW",
                                                         "username": "rw_bot"}})

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(str(request.url))

    app = web.Application()
    app.router.add_route("*", "/bot{token}/getMe", get_me)
    app.router.add_route("*", "/{tail:.*}", loop)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def test_a_redirect_loop_stores_and_logs_no_token(tmp_path):
    runner, base = await _redirect_loop_api()
    lines = io.StringIO()
    handlers = [logging.StreamHandler(lines), logging.StreamHandler(lines)]
    handlers[0].setFormatter(TextFormatter("%(levelname)s %(name)s: %(message)s"))
    handlers[1].setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    for h in handlers:
        root.addHandler(h)
    store = Store(tmp_path / "rw.db")
    platform = None
    try:
        config = replace(Config(database=tmp_path / "rw.db"), telegram=TelegramConfig(enabled=True, api_base_url=base))
        platform = TelegramPlatform(config, store, token=TOKEN)
        await platform.app.initialize()
        sub = store.subscribe("telegram", "4242", "es")
        store.enqueue(sub.id, "t:1", "text", {"text": "hola"})
        deliverer = Deliverer(store, {"telegram": platform.notifier})
        await deliverer.drain(max_rounds=1)
    finally:
        if platform is not None:
            await platform.app.shutdown()
        for h in handlers:
            root.removeHandler(h)
        root.setLevel(old_level)
        await runner.cleanup()
    (error,) = store.db.execute("SELECT error FROM outbox").fetchone()
    store.close()
    # aiohttp names the URL it gave up on: /bot<token>/sendMessage
    assert "TooManyRedirects" in error and f"/bot{MASK}/sendMessage" in error, error
    assert SECRET_HALF not in error
    assert SECRET_HALF not in lines.getvalue()


def test_stored_fetch_errors_and_deactivation_reasons_are_redacted(store):
    from datetime import UTC, datetime

    store.add_feed("F", "https://feeds.example/rss", None)
    feed = store.feeds()[0]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    store.record_fetch_error(feed.id, now, f"redirected to https://u:p@h.example/?api_key={TOKEN}", now)
    sub = store.subscribe("telegram", "1", "es")
    store.enqueue(sub.id, "t:1", "text", {"text": "x"})
    store.deactivate(sub.id, f"Forbidden: bot{TOKEN} was blocked")
    stored = store.feeds()[0].last_error or ""
    reason = store.db.execute("SELECT error FROM outbox").fetchone()[0]
    assert SECRET_HALF not in stored and "u:p@" not in stored and MASK in stored
    assert SECRET_HALF not in reason and MASK in reason


# -- feed addresses shown to people -------------------------------------------------------------------


async def test_a_feed_added_with_credentials_is_named_and_linked_without_them(tmp_path, feed_server, store):
    # before: /addfeed named the feed "reader:hunter2pw@127.0.0.1:port", the outlet name in every
    # alert, and /sources (open to anyone) linked the raw URL with its api_key
    feed_server.set("/feed?api_key=SECRETKEY123", body=rss([ANNOUNCE]))
    port = feed_server.url.rsplit(":", 1)[1]
    url = f"http://reader:hunter2pw@127.0.0.1:{port}/feed?api_key=SECRETKEY123"
    reply = await commands.add_feed(store, True, 5, url, "es")
    already_read(store)  # the alert below is of news after the feed's first fetch
    sources = commands.sources(store, "es")
    store.subscribe("console", "c", "es")
    config = Config(database=tmp_path / "rw.db", allow_private_feed_urls=True, request_timeout=2)
    out_path = tmp_path / "out.txt"
    with out_path.open("w") as out:
        report, _ = await cycle(config, store, ConsoleNotifier(stream=out))
    assert report.new_items == 1
    alert = out_path.read_text()
    assert store.feeds()[0].name == "127.0.0.1"
    assert "127.0.0.1" in alert  # the outlet is named ...
    for shown in (reply.text, reply.html, sources.text, sources.html, alert):
        assert "hunter2pw" not in shown and "SECRETKEY123" not in shown and "reader:" not in shown
    assert f"api_key={MASK}" in sources.html


def test_opml_outline_without_a_title_is_named_by_its_host():
    opml = ('<?xml version="1.0"?><opml version="2.0"><body>'
            '<outline type="rss" xmlUrl="https://u:pw@feeds.example.org/rss?token=abcdef"/></body></opml>')
    (feed,) = read_opml(opml)
    assert feed.name == "feeds.example.org"
