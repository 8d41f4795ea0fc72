"""kill -9 in the middle of a broadcast to 2,000 Telegram subscribers, then restart.

The real service runs in a subprocess (`releasewatch run`) with the real python-telegram-bot
Application pointed at the Bot API emulator, against a database seeded with 2,000 subscribers
and a loopback feed that publishes one release. The test kills it when the emulator has taken
25 %, 50 % or 80 % of the messages, restarts it, and waits until the outbox is drained.

Promise checked: every subscriber gets the alert (lost = 0), and the only duplicates are
messages whose send had succeeded when the process died but whose 'sent' mark had not landed:
exactly the rows still 'claimed' with a message already in the chat, at most the Deliverer's
`concurrency` (the sends it allows in flight).
"""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import load_config
from bot.outbox import Deliverer
from loopback.tg_emulator import BotApiEmulator
from tests.feedserver import rss
from tests.news import already_read_file
from tests.reliability.support import (
    deliveries,
    lost_and_duplicated,
    outbox_status,
    query,
    seed_subscribers,
    wait_until,
)
from tests.test_pipeline import ANNOUNCE

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 2000
FIRST_CHAT = 50_000_001
RATE = 300  # messages/s: the bot's configured rate and the emulator's global limit alike
# the Service builds its Deliverer with the default concurrency: that many sends may be in flight
IN_FLIGHT_BOUND = inspect.signature(Deliverer).parameters["concurrency"].default


def _config(tmp_path: Path, feed_url: str, emu: BotApiEmulator) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        'database = "rw.db"\n'
        "poll_interval = 3600\n"
        "allow_private_feed_urls = true\n"
        "request_timeout = 5\n"
        'log_format = "json"\n'
        "[[feeds]]\n"
        'name = "Noticias Loopback"\n'
        f'url = "{feed_url}"\n'
        'lang = "es"\n'
        "[telegram]\n"
        "enabled = true\n"
        f'api_base_url = "{emu.url}"\n'
        f"messages_per_second = {RATE}\n",
        encoding="utf-8",
    )
    return cfg


def _start(cfg: Path, emu: BotApiEmulator, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": emu.token}
    with log.open("ab") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(cfg)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def _stop(proc: subprocess.Popen[bytes], sig: int) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


@pytest.mark.parametrize("kill_at", [0.25, 0.50, 0.80], ids=["kill-at-25pct", "kill-at-50pct", "kill-at-80pct"])
def test_kill9_mid_broadcast_loses_nothing_and_duplicates_only_in_flight_sends(tmp_path, feed_server, figures, kill_at):
    chats = list(range(FIRST_CHAT, FIRST_CHAT + SUBSCRIBERS))
    db = tmp_path / "rw.db"
    seed_subscribers(db, chats)
    feed_url = feed_server.set("/feed", body=rss([ANNOUNCE]))
    emu = BotApiEmulator(global_rate=RATE, per_chat_rate=None, group_per_minute=None).start()
    log = tmp_path / "service.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        cfg = _config(tmp_path, feed_url, emu)
        already_read_file(db, load_config(cfg).feeds)  # the announcement is news, not the feed's backlog
        first = _start(cfg, emu, log)
        procs.append(first)
        target = int(SUBSCRIBERS * kill_at)
        wait_until(
            lambda: emu.sent_count >= target or first.poll() is not None,
            120,
            f"{target} messages at the emulator",
            interval=0.002,
        )
        assert first.poll() is None, f"the service exited early:\n{log.read_text()[-3000:]}"
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL

        # after the kill: which rows were sent but never marked, i.e. will be sent again?
        time.sleep(0.2)  # let the emulator finish requests it had fully received
        delivered_at_kill = emu.sent_count
        received = set(deliveries(emu, chats))
        claimed = query(
            db,
            "SELECT s.chat_id FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE o.status = 'claimed'",
        )
        unmarked = sum(1 for (chat,) in claimed if int(chat) in received)
        counts_at_kill = outbox_status(db)
        assert sum(counts_at_kill.values()) == SUBSCRIBERS, counts_at_kill
        assert counts_at_kill["sent"] < SUBSCRIBERS, "killed too late: the broadcast was already over"

        second = _start(cfg, emu, log)
        procs.append(second)
        wait_until(
            lambda: outbox_status(db)["sent"] == SUBSCRIBERS or second.poll() is not None,
            120,
            "the restarted service to drain the outbox",
        )
        assert second.poll() is None, f"the restarted service exited:\n{log.read_text()[-3000:]}"
        assert _stop(second, signal.SIGTERM) == 0, log.read_text()[-3000:]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        emu.stop()

    status = outbox_status(db)
    counts = deliveries(emu, chats)
    lost, duplicated = lost_and_duplicated(counts, chats)
    figures.add(
        f"kill -9 at {int(kill_at * 100)}% of {SUBSCRIBERS}",
        f"SIGKILL after {delivered_at_kill} sends; 429 x{emu.count_429}",
        sent=sum(counts.values()),
        expected=SUBSCRIBERS,
        lost=lost,
        duplicated=duplicated,
        note=f"sent-but-unmarked at kill {unmarked}, bound {IN_FLIGHT_BOUND}",
    )
    assert status == {"sent": SUBSCRIBERS}, status
    assert lost == 0, f"{lost} subscribers never got the alert"
    # the re-sends are exactly the sends that had landed but were not marked when the process died
    assert duplicated == unmarked
    assert duplicated <= IN_FLIGHT_BOUND
