"""Shared pieces of the benchmarks: the result record, child processes spoken to in JSON lines,
and small measuring helpers. Never measures anything itself.
"""

from __future__ import annotations

import json
import os
import select
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    """One figure: a value measured beside its reference in the same run, and their ratio."""

    key: str
    figure: int
    title: str
    value: float
    reference: float
    ratio: float
    units: dict[str, str]
    target: str
    ok: bool | None
    sizes: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("key")
        return data


class Child:
    """A helper process (Bot API emulator, feed server) started with `python -m bench.<module>`.

    It prints one JSON line when ready, answers one JSON line per command line, and exits when
    its stdin closes or its lifetime ends, so nothing outlives the benchmark.
    """

    def __init__(self, module: str, *args: str, ready_timeout: float = 60.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
        )
        self.info = self._read(ready_timeout)

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise RuntimeError(f"{self.proc.args!r} did not answer within {timeout:g} s")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.proc.args!r} exited with {self.proc.wait(5)}")
        return dict(json.loads(line))

    def ask(self, command: str, timeout: float = 60.0) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read(timeout)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_commands(handlers: dict[str, Any], lifetime: float) -> None:
    """The child side of Child: answer commands from stdin until it closes or lifetime ends."""
    deadline = time.monotonic() + lifetime
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        ready, _, _ = select.select([sys.stdin], [], [], min(left, 1.0))
        if not ready:
            continue
        line = sys.stdin.readline()
        if not line:
            return
        name, _, arg = line.strip().partition(" ")
        handler = handlers.get(name)
        answer = handler(arg) if handler else {"error": f"unknown command {name!r}"}
        print(json.dumps(answer), flush=True)
        if name == "quit":
            return


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM … of a process, in kB (Linux /proc)."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key.startswith("Vm"):
                out[key] = int(rest.split()[0])
    return out


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation, as numpy's default."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


def rounded(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}g}") if x == x and abs(x) != float("inf") else x
