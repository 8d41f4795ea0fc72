"""Idle connections cannot starve the service (issue 21, point 3): the web page and the health
endpoint close silent clients and keep their connections under a cap, the systemd unit gives the
process room for both, and a log flood (asyncio's "accept() out of system resource") is cut to a
few lines a minute.

Real parts only: `releasewatch run` in a subprocess with the unit's descriptor limit, real sockets
on 127.0.0.1, its own /proc/<pid>/fd. Each scenario adds a row to the reliability table.
"""

from __future__ import annotations

import logging
import os
import re
import resource
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bot.listen import IDLE_TIMEOUT
from bot.logs import FloodFilter

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "releasewatch.service"
FLOOD = 1100  # idle sockets to each port: more than the default soft limit of 1024 descriptors
SYSTEMD_DEFAULT_NOFILE = 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unit_nofile() -> int:
    """The descriptor limit the unit gives the service (systemd's default soft limit without one)."""
    found = re.search(r"^LimitNOFILE=(\d+)", UNIT.read_text(), re.MULTILINE)
    return int(found.group(1)) if found else SYSTEMD_DEFAULT_NOFILE


def _room_for(sockets: int) -> None:
    """This test process opens the flood's client ends: raise its own soft limit if needed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = sockets + 500
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            pytest.skip(f"this machine allows {hard} descriptors per process; the flood needs {want}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _start(tmp_path: Path, nofile: int, extra: str = "") -> tuple[subprocess.Popen[str], int, int]:
    """`releasewatch run` with the page and the health endpoint, under a descriptor limit."""
    health, page = _free_port(), _free_port()
    config = tmp_path / "config.toml"
    config.write_text(f'database = "rw.db"\npoll_interval = 3600\n[health]\nenabled = true\nport = {health}\n'
                      f"[web]\nenabled = true\nport = {page}\n{extra}", encoding="utf-8")

    def limit() -> None:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        cap = nofile if hard == resource.RLIM_INFINITY else min(nofile, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (cap, cap))

    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    deadline = time.monotonic() + 60
    while True:
        try:
            for url in (f"http://127.0.0.1:{health}/healthz", f"http://127.0.0.1:{page}/"):
                with urllib.request.urlopen(url, timeout=5) as resp:
                    assert resp.status == 200
            return proc, health, page
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"the service did not start: {proc.communicate()[1][-2000:]}") from None
            time.sleep(0.1)


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _open_idle(port: int, n: int) -> list[socket.socket]:
    """n connections that never send a byte."""
    out = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(10)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        out.append(s)
    return out


def _wait_closed(sockets: list[socket.socket], timeout: float) -> tuple[int, float]:
    """(sockets the server has not closed by the deadline, seconds until the last one was)."""
    started = time.monotonic()
    sel = selectors.DefaultSelector()
    for s in sockets:
        sel.register(s, selectors.EVENT_READ)
    left, last = len(sockets), 0.0
    while left and time.monotonic() - started < timeout:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            assert isinstance(s, socket.socket)
            try:
                data = s.recv(4096)  # a refused one first reads its 503
            except (ConnectionResetError, BlockingIOError) as exc:
                data = b"" if isinstance(exc, ConnectionResetError) else b"x"
            if not data:
                sel.unregister(s)
                left -= 1
                last = time.monotonic() - started
    sel.close()
    return left, last


def _healthz(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
        return int(resp.status)


def test_idle_connections_are_closed_and_capped_and_healthz_answers_through_a_flood(tmp_path, figures):
    nofile = _unit_nofile()
    _room_for(2 * FLOOD)
    proc, health, page = _start(tmp_path, nofile)
    sockets: list[socket.socket] = []
    peak = [0]
    flooding = threading.Event()

    def watch() -> None:  # the process's descriptors, sampled all through the flood
        while flooding.is_set():
            peak[0] = max(peak[0], _fds(proc.pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        base = _fds(proc.pid)
        flooding.set()
        watcher.start()
        sockets = _open_idle(page, FLOOD) + _open_idle(health, FLOOD)
        # the endpoint answers while a crowd holds (or has just tried to hold) every slot
        assert _healthz(health) == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{page}/", timeout=10) as resp:
            assert resp.status == 200
        left, last = _wait_closed(sockets, timeout=60)
        flooding.clear()
        watcher.join()
        # never more connections than the caps (1000 page + 100 health, deploy/releasewatch.service),
        # plus what asyncio has accepted and not yet handed over (up to a backlog of 128 a batch,
        # two batches a listener) and closed connections whose descriptor goes at the next turn
        assert base + 100 < peak[0] <= base + 1000 + 100 + 4 * 128 < nofile // 2, (base, peak[0])
        assert left == 0, f"{left} idle connections still open after 60 s"
        for s in sockets:
            s.close()
        sockets = []
        deadline = time.monotonic() + 20
        while _fds(proc.pid) > base + 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        after = _fds(proc.pid)
        assert after <= base + 2, (base, after)
    finally:
        flooding.clear()
        for s in sockets:
            s.close()
        err = _stop(proc)
    assert "out of system resource" not in err and "Traceback" not in err, err[-3000:]
    figures.add("idle connections", f"{FLOOD} silent sockets each to the page and /healthz (LimitNOFILE={nofile})",
                note=f"the last closed {last:.0f} s after the flood (idle timeout {IDLE_TIMEOUT:g} s, caps 1000/100); /healthz "
                     f"answered; process fds {base} -> at most {peak[0]} -> {after}")


def test_a_flood_of_accept_errors_writes_a_few_lines_a_minute(tmp_path, figures):
    """The process really out of descriptors (a low limit, caps above it): asyncio logs each failed
    accept with a traceback, once a second per listener; the log keeps five and counts the rest."""
    _room_for(1200)
    proc, _, page = _start(tmp_path, 96, extra="max_connections = 5000\n")
    held: list[socket.socket] = []
    try:
        end = time.monotonic() + 12
        while time.monotonic() < end:  # keep the process at its limit for twelve seconds
            held = _alive_only(held)
            while len(held) < 400:
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", page))
                held.append(s)
            time.sleep(0.2)
    finally:
        for s in held:
            s.close()
        time.sleep(1.5)  # the listener retries, now with room
        err = _stop(proc)
    accept_errors = len(re.findall(r"asyncio: socket\.accept\(\) out of system resource", err))
    summaries = re.findall(r"(\d+) more like this suppressed in \d+ s: socket\.accept\(\) out of system resource", err)
    assert 1 <= accept_errors <= 5, err[-3000:]
    assert len(summaries) == 1 and int(summaries[0]) >= 1, err[-3000:]
    figures.add("log flood at EMFILE", "descriptors exhausted for 12 s (limit 96, caps above it)",
                note=f"{accept_errors} accept errors logged, {summaries[0]} counted in one line")


def _alive_only(held: list[socket.socket]) -> list[socket.socket]:
    """The sockets the process still holds open; ours of those it closed are closed too."""
    alive = []
    for s in held:
        if _alive(s):
            alive.append(s)
        else:
            s.close()
    return alive


def _alive(s: socket.socket) -> bool:
    try:
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_the_flood_filter_keeps_five_a_minute_then_says_how_many_it_dropped():
    now = [0.0]
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect()
    flood = FloodFilter(limit=5, window=60, clock=lambda: now[0])
    flood.handler = handler
    handler.addFilter(flood)
    log = logging.getLogger("test.flood")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        for i in range(100):
            log.error("socket.accept() out of system resource\nsocket: %d", i)
            log.info("poll cycle done")  # below warning: never held back
            now[0] += 0.3
        assert sum("out of system resource" in line for line in lines) == 5
        assert lines.count("poll cycle done") == 100
        now[0] = 61.0
        log.warning("something else")
        assert lines[-2] == "95 more like this suppressed in 61 s: socket.accept() out of system resource"
        log.error("socket.accept() out of system resource\nsocket: 101")  # a new minute: written again
        assert lines[-1].startswith("socket.accept() out of system resource")
    finally:
        log.removeHandler(handler)
