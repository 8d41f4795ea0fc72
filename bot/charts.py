"""Charts for NGO reports: political prisoners held over time (tallies, one line per source) and
announced vs confirmed releases per event. matplotlib's Agg backend: no display needed.
The data behind a chart is a plain dataclass, so tests check what is plotted, not pixels, and the
page writes the same numbers out as a table and as the image's text alternative.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
from babel.dates import format_skeleton  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .i18n import DEFAULT_LANG, LANGS, day, t  # noqa: E402
from .naming import speaker  # noqa: E402
from .store import Published, Store  # noqa: E402

# the page's colours for announced and confirmed figures (bot/web/templates/page.css)
ANNOUNCED_COLOUR, CONFIRMED_COLOUR = "#8a4b00", "#1d6b3a"


class Bar(NamedTuple):
    """One round's bars: announced and confirmed (0 when not given)."""

    label: str
    announced: int
    confirmed: int
    event_id: int | None = None
    date: datetime | None = None


@dataclass(frozen=True)
class ChartData:
    tallies: dict[str, list[tuple[datetime, int]]]  # source -> (published, political prisoners held), oldest first
    events: list[Bar]  # oldest first


def chart_data(store: Published, lang: str, max_events: int = 12) -> ChartData:
    tallies: dict[str, list[tuple[datetime, int]]] = {}
    for row in store.all_tallies():
        source = speaker(lang, row["org"]) or row["outlet"]
        tallies.setdefault(source, []).append((datetime.fromisoformat(row["published"]), row["total"]))
    events = []
    for ev in reversed(store.latest_events(max_events)):
        label = f"#{ev.id} {day(lang, ev.first_published)}"
        events.append(Bar(label, ev.announced or 0, ev.confirmed or 0, ev.id, ev.first_published))
    return ChartData({k: sorted(v) for k, v in tallies.items()}, events)


def _date_axis(lang: str) -> FuncFormatter:
    """Dates on the axis as the reader writes them ('8 ene 2026', 'Jan 8, 2026'), not ISO."""
    locale = lang if lang in LANGS else DEFAULT_LANG
    return FuncFormatter(lambda x, _pos: format_skeleton("yMMMd", mdates.num2date(x), locale=locale))


def draw(data: ChartData, lang: str) -> Figure:
    fig = Figure(figsize=(10, 8), dpi=100)
    top, bottom = fig.subplots(2, 1)
    top.set_title(t(lang, "chart.held_title"))
    top.set_ylabel(t(lang, "chart.held_axis"))
    for source, points in sorted(data.tallies.items()):
        top.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=source)
    if data.tallies:
        top.legend(loc="best", fontsize="small")
        top.xaxis.set_major_formatter(_date_axis(lang))
        for label in top.get_xticklabels():
            label.set_rotation(20)
            label.set_horizontalalignment("right")
    else:
        top.text(0.5, 0.5, t(lang, "chart.no_data"), ha="center", va="center", transform=top.transAxes)
    bottom.set_title(t(lang, "chart.events_title"))
    bottom.set_ylabel(t(lang, "chart.events_axis"))
    xs = range(len(data.events))
    width = 0.4
    bottom.bar([x - width / 2 for x in xs], [e.announced for e in data.events], width, label=t(lang, "label.announced"),
               color=ANNOUNCED_COLOUR)
    bottom.bar([x + width / 2 for x in xs], [e.confirmed for e in data.events], width, label=t(lang, "label.confirmed"),
               color=CONFIRMED_COLOUR)
    bottom.set_xticks(list(xs), [e.label for e in data.events], rotation=30, ha="right", fontsize="small")
    if data.events:
        bottom.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def chart_png(store: Published, lang: str) -> bytes:
    return png(draw(chart_data(store, lang), lang))


def chart_file(path: Path, lang: str) -> bytes:
    """The chart of the database at path through its own read-only connection (for a worker thread)."""
    store = Store(path, read_only=True)
    try:
        return chart_png(store, lang)
    finally:
        store.close()
