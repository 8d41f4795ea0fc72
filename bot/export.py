"""Exports for NGO reports: every event's figures (who said how many, when, manual or not) and
every tally, as CSV or JSON. Reading a CSV back gives the same rows (tests round-trip it)."""

from __future__ import annotations

import csv
import io
import json
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
    events = []
    for ev in store.latest_events(100_000):
        events.append({
            "id": ev.id, "announced": ev.announced, "confirmed": ev.confirmed, "gap": ev.gap,
            "prisons": list(ev.prisons), "first_published": iso(ev.first_published),
            "last_published": iso(ev.last_published), "revision": ev.revision,
            "figures": [r for r in rows(store) if r["event_id"] == ev.id],
        })
    tallies = [r for r in rows(store) if r["type"] == "tally"]
    return json.dumps({"events": events, "tallies": tallies}, ensure_ascii=False, indent=2)
