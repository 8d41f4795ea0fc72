"""Exports for NGO reports: every event's figures (who said how many, when, manual or not) and
every tally, as CSV or JSON. Reading a CSV back gives the same rows (tests round-trip it)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .store import Store, iso

COLUMNS = ("type", "event_id", "value", "source", "outlet", "manual", "published", "link")


def rows(store: Store) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in store.all_figures():
        out.append({"type": f["role"], "event_id": f["event_id"], "value": f["value"],
                    "source": f["org"] or "", "outlet": f["outlet"], "manual": bool(f["manual"]),
                    "published": f["published"], "link": f["link"]})
    for tl in store.all_tallies():
        out.append({"type": "tally", "event_id": None, "value": tl["total"], "source": tl["org"] or "",
                    "outlet": tl["outlet"], "manual": False, "published": tl["published"], "link": tl["link"]})
    return out


def to_csv(store: Store) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows(store):
        writer.writerow({**r, "event_id": "" if r["event_id"] is None else r["event_id"],
                         "manual": "yes" if r["manual"] else "no"})
    return buf.getvalue()


def from_csv(text: str) -> list[dict[str, Any]]:
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        out.append({"type": r["type"], "event_id": int(r["event_id"]) if r["event_id"] else None,
                    "value": int(r["value"]), "source": r["source"], "outlet": r["outlet"],
                    "manual": r["manual"] == "yes", "published": r["published"], "link": r["link"]})
    return out


def to_json(store: Store) -> str:
    """Every event with its figures, and every tally. One pass over the figures (it re-read them all
    for each event: 13 s for 1,000 events, on the event loop)."""
    everything = rows(store)
    by_event: dict[int, list[dict[str, Any]]] = {}
    for r in everything:
        if r["event_id"] is not None:
            by_event.setdefault(r["event_id"], []).append(r)
    events = []
    for ev in store.latest_events(100_000):
        events.append({
            "id": ev.id, "announced": ev.announced, "confirmed": ev.confirmed, "gap": ev.gap,
            "prisons": list(ev.prisons), "first_published": iso(ev.first_published),
            "last_published": iso(ev.last_published), "revision": ev.revision,
            "figures": by_event.get(ev.id or 0, []),
        })
    tallies = [r for r in everything if r["type"] == "tally"]
    return json.dumps({"events": events, "tallies": tallies}, ensure_ascii=False, indent=2)


def export_file(path: Path, fmt: str) -> str:
    """The export of the database at path, read through its own read-only connection: call it in a
    worker thread (asyncio.to_thread) so a large ledger never stalls delivery."""
    store = Store(path, read_only=True)
    try:
        return to_csv(store) if fmt == "csv" else to_json(store)
    finally:
        store.close()
