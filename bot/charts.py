"""Charts for NGO reports: political prisoners held over time (tallies, one line per source) and
announced vs confirmed releases per event. matplotlib's Agg backend: no display needed.
The data behind a chart is a plain dataclass, so tests check what is plotted, not pixels.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .i18n import day, t  # noqa: E402
from .store import Store  # noqa: E402


@dataclass(frozen=True)
class ChartData:
    tallies: dict[str, list[tuple[datetime, int]]]  # source -> (published, political prisoners held)
    events: list[tuple[str, int, int]]  # (label, announced or 0, confirmed or 0), oldest first


def chart_data(store: Store, lang: str, max_events: int = 12) -> ChartData:
    tallies: dict[str, list[tuple[datetime, int]]] = {}
    for row in store.all_tallies():
        source = row["org"] or row["outlet"]
        tallies.setdefault(source, []).append((datetime.fromisoformat(row["published"]), row["total"]))
    events = []
    for ev in reversed(store.latest_events(max_events)):
        label = f"#{ev.id} {day(lang, ev.first_published)}"
        events.append((label, ev.announced or 0, ev.confirmed or 0))
    return ChartData(tallies, events)


def draw(data: ChartData, lang: str) -> Figure:
    fig = Figure(figsize=(10, 8), dpi=100)
    top, bottom = fig.subplots(2, 1)
    top.set_title(t(lang, "chart.held_title"))
    top.set_ylabel(t(lang, "chart.held_axis"))
    for source, points in sorted(data.tallies.items()):
        points = sorted(points)
        top.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=source)
    if data.tallies:
        top.legend(loc="best", fontsize="small")
        top.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    else:
        top.text(0.5, 0.5, t(lang, "chart.no_data"), ha="center", va="center", transform=top.transAxes)
    bottom.set_title(t(lang, "chart.events_title"))
    bottom.set_ylabel(t(lang, "chart.events_axis"))
    xs = range(len(data.events))
    width = 0.4
    bottom.bar([x - width / 2 for x in xs], [e[1] for e in data.events], width, label=t(lang, "label.announced"))
    bottom.bar([x + width / 2 for x in xs], [e[2] for e in data.events], width, label=t(lang, "label.confirmed"))
    bottom.set_xticks(list(xs), [e[0] for e in data.events], rotation=30, ha="right", fontsize="small")
    if data.events:
        bottom.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def chart_png(store: Store, lang: str) -> bytes:
    return png(draw(chart_data(store, lang), lang))


def chart_file(path: Path, lang: str) -> bytes:
    """The chart of the database at path through its own read-only connection (for a worker thread)."""
    store = Store(path, read_only=True)
    try:
        return chart_png(store, lang)
    finally:
        store.close()
