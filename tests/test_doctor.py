"""`releasewatch doctor` against real parts: the Bot API emulator, the loopback feed server, a real
Synapse for Matrix, real database files with real permissions."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Store
from bot.vault import Vault
from loopback.tg_emulator import BotApiEmulator
from tests.feedserver import FeedServer, rss
from tests.synapse_fixtures import matrix_users_fixture, synapse_fixture  # noqa: F401

FEED = rss([{"title": "Foro Penal: 12 excarcelaciones", "guid": "a-1", "link": "https://n.example/1"}])


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    emu = BotApiEmulator().start()
    yield emu
    emu.stop()


def write_config(tmp_path: Path, feeds: list[tuple[str, str]], telegram: str = "", matrix: str = "") -> Path:
    lines = [f'database = "{tmp_path / "rw.db"}"', "allow_private_feed_urls = true", "request_timeout = 5"]
    for name, url in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{url}"']
    if telegram:
        lines += ["[telegram]", "enabled = true", f'api_base_url = "{telegram}"']
    if matrix:
        lines += ["[matrix]", matrix]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def with_watch(tmp_path: Path, key: str) -> None:
    """A database holding one watched name, saved under key."""
    store = Store(tmp_path / "rw.db")
    sub = store.subscribe("telegram", "42", "es")
    store.add_watch(sub.id, Vault(key).encrypt("Rocío San Miguel"))
    store.close()


def doctor(config: Path, capsys) -> tuple[int, list[str]]:
    code = main(["doctor", "--config", str(config)])
    return code, capsys.readouterr().out.splitlines()


def line(lines: list[str], status: str, name: str) -> str:
    found = [x for x in lines if x.split()[:2] == [status, name]]
    assert found, f"no {status} {name} line in:\n" + "\n".join(lines)
    return found[0]


def test_a_sound_setup_passes_every_check(tmp_path, feed_server: FeedServer, emulator, monkeypatch, capsys):
    key = Vault.new_key()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", emulator.token)
    monkeypatch.setenv("RELEASEWATCH_KEY", key)
    with_watch(tmp_path, key)
    config = write_config(tmp_path, [("Noticias", feed_server.set("/feed", body=FEED))], telegram=emulator.url)
    code, lines = doctor(config, capsys)
    assert code == 0, lines
    assert "the bot is @releasewatch_test_bot" in line(lines, "OK", "telegram")
    assert '"Noticias" answers and parses: 1 entries' in line(lines, "OK", "feed")
    assert "reads all 1 watched names" in line(lines, "OK", "key")
    assert "owner-only" in line(lines, "OK", "files")
    assert line(lines, "SKIP", "matrix")
    assert lines[-1].startswith("all ") and lines[-1].endswith("checks passed.")
    assert emulator.token not in "\n".join(lines) and key not in "\n".join(lines)


def test_each_problem_gets_its_line_and_a_fix(tmp_path, feed_server, emulator, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:WRONG")
    with_watch(tmp_path, Vault.new_key())
    monkeypatch.setenv("RELEASEWATCH_KEY", Vault.new_key())  # not the key the name was saved with
    broken = feed_server.set("/bridge?key=s3cret", status=500, body=b"down")
    config = write_config(tmp_path, [("Noticias", feed_server.set("/feed", body=FEED)), ("Puente", broken)],
                          telegram=emulator.url)
    os.chmod(tmp_path / "rw.db", 0o644)
    (tmp_path / "backups").mkdir(mode=0o755)
    os.chmod(tmp_path / "backups", 0o755)  # whatever the umask

    code, lines = doctor(config, capsys)
    assert code == 1
    assert "refused the token" in line(lines, "FAIL", "telegram") and "@BotFather" in line(lines, "FAIL", "telegram")
    assert '"Puente": the server answered HTTP 500' in line(lines, "FAIL", "feed")
    assert line(lines, "OK", "feed").count('"Noticias"') == 1
    assert "1 of 1 watched names cannot be read" in line(lines, "FAIL", "key")
    assert "rotate-key" in line(lines, "FAIL", "key")
    assert f"Fix: chmod 600 {tmp_path / 'rw.db'}" in line(lines, "FAIL", "files")
    assert f"Fix: chmod 700 {tmp_path / 'backups'}" in line(lines, "FAIL", "backups")
    assert lines[-1].endswith("checks failed.")
    report = "\n".join(lines)
    assert "WRONG" not in report and "s3cret" not in report


def test_unreachable_servers_and_a_missing_key_are_told_plainly(tmp_path, feed_server, monkeypatch, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST")
    monkeypatch.delenv("RELEASEWATCH_KEY", raising=False)
    with_watch(tmp_path, Vault.new_key())
    config = write_config(tmp_path, [("Caído", closed + "/feed")], telegram=closed)
    code, lines = doctor(config, capsys)
    assert code == 1
    assert "cannot reach" in line(lines, "FAIL", "telegram")
    assert line(lines, "FAIL", "feed").startswith('FAIL  feed       "Caído": the request failed')
    assert "RELEASEWATCH_KEY is not set" in line(lines, "FAIL", "key")


def test_a_bad_config_is_one_failed_line(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("pol_interval = 300\n")
    code, lines = doctor(config, capsys)
    assert code == 1
    assert "Unknown config key 'pol_interval'" in line(lines, "FAIL", "config")
    assert len(lines) == 2


def test_matrix_tokens_are_checked_with_whoami(tmp_path, synapse, matrix_users, monkeypatch, capsys, feed_server):
    bot = matrix_users("bot")
    matrix = f'enabled = true\nhomeserver = "{synapse.url}"\nuser_id = "{bot.user_id}"'
    config = write_config(tmp_path, [("Noticias", feed_server.set("/feed", body=FEED))], matrix=matrix)
    monkeypatch.delenv("MATRIX_PASSWORD", raising=False)
    monkeypatch.setenv("MATRIX_ACCESS_TOKEN", bot.access_token)
    code, lines = doctor(config, capsys)
    assert code == 0, lines
    assert f"whoami says {bot.user_id}" in line(lines, "OK", "matrix")

    monkeypatch.setenv("MATRIX_ACCESS_TOKEN", "syt_not_a_token")
    code, lines = doctor(config, capsys)
    assert code == 1 and "refused MATRIX_ACCESS_TOKEN" in line(lines, "FAIL", "matrix")

    monkeypatch.delenv("MATRIX_ACCESS_TOKEN")
    monkeypatch.setenv("MATRIX_PASSWORD", bot.password)
    code, lines = doctor(config, capsys)
    assert code == 0 and f"password accepted for {bot.user_id}" in line(lines, "OK", "matrix")
