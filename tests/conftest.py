"""Shared fixtures: real SQLite files in tmp_path, a real loopback feed server, and the run's table of
reliability figures (faults injected, messages sent, lost, duplicated) that any test may fill in and
pytest prints at the end of the run. The table lives in the pytest config's stash: one per run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pytest

from bot.store import Store
from tests.feedserver import FeedServer

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "rw.db")
    yield s
    s.close()


@pytest.fixture
def console_out(tmp_path: Path) -> Iterator[TextIO]:
    """tmp_path/out.txt open for a ConsoleNotifier to print into, closed after the test."""
    with open(tmp_path / "out.txt", "w") as stream:
        yield stream


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()

@dataclass(frozen=True)
class Figure:
    scenario: str
    faults: str
    sent: int | None = None  # messages the Bot API (emulator) accepted, or alerts delivered
    expected: int | None = None  # distinct recipients that had to get the message
    lost: int | None = None
    duplicated: int | None = None
    note: str = ""


@dataclass
class Figures:
    rows: list[Figure] = field(default_factory=list)

    def add(self, scenario: str, faults: str, **values: object) -> None:
        self.rows.append(Figure(scenario, faults, **values))  # type: ignore[arg-type]

    def table(self) -> list[str]:
        head = ("scenario", "faults injected", "sent", "expected", "lost", "dup", "note")
        body = [
            (
                r.scenario,
                r.faults,
                _cell(r.sent),
                _cell(r.expected),
                _cell(r.lost),
                _cell(r.duplicated),
                r.note,
            )
            for r in sorted(self.rows, key=lambda r: r.scenario)
        ]
        widths = [max(len(str(row[i])) for row in (head, *body)) for i in range(len(head))]
        line = "  ".join("-" * w for w in widths)
        out = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True)).rstrip(), line]
        for row in body:
            out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        return out


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


FIGURES = pytest.StashKey[Figures]()


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> Figures:
    """The run's figures table; tests add one row per scenario they measured."""
    return pytestconfig.stash.setdefault(FIGURES, Figures())


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    figs = config.stash.get(FIGURES, None)
    if not figs or not figs.rows:
        return
    terminalreporter.write_sep("=", "ReleaseWatch reliability figures")
    for line in figs.table():
        terminalreporter.write_line(line)
