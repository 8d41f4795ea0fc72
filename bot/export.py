"""Exports for NGO reports: every event's figures (who said how many, when, manual or not) and
every tally, as CSV or JSON. Reading a CSV back gives the same rows (tests round-trip it)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .store import Published, Store, iso

# source: who said the figure; by_kind: official (announced), independent (a verifier) or the outlet
# itself; disputed: an official figure a verifier disputes. type "running": a running count over the
# campaign (since: its start), never a round's figure
COLUMNS = ("type", "event_id", "value", "source", "outlet", "manual", "published", "link", "by_kind", "disputed",
           "since")


def rows(store: Published) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in store.all_figures():
        out.append({"type": f["role"], "event_id": f["event_id"], "value": f["value"],
                    "source": f["org"] or "", "outlet": f["outlet"], "manual": bool(f["manual"]),
                    "published": f["published"], "link": f["link"], "by_kind": f.get("by_kind") or "outlet",
                    "disputed": bool(f.get("disputed")), "since": ""})
    for tl in store.all_tallies():
        out.append({"type": "tally", "event_id": None, "value": tl["total"], "source": tl["org"] or "",
                    "outlet": tl["outlet"], "manual": False, "published": tl["published"], "link": tl["link"],
                    "by_kind": "independent" if tl["org"] else "outlet", "disputed": False, "since": ""})
    for rc in store.all_running_counts():
        out.append({"type": "running", "event_id": None, "value": rc.value, "source": rc.by, "outlet": rc.outlet,
                    "manual": False, "published": iso(rc.published), "link": rc.link, "by_kind": rc.by_kind,
                    "disputed": False, "since": rc.since.isoformat() if rc.since else ""})
    return out


def to_csv(store: Published) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows(store):
        writer.writerow({**r, "event_id": "" if r["event_id"] is None else r["event_id"],
                         "manual": "yes" if r["manual"] else "no", "disputed": "yes" if r["disputed"] else "no"})
    return buf.getvalue()


def from_csv(text: str) -> list[dict[str, Any]]:
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        out.append({"type": r["type"], "event_id": int(r["event_id"]) if r["event_id"] else None,
                    "value": int(r["value"]), "source": r["source"], "outlet": r["outlet"],
                    "manual": r["manual"] == "yes", "published": r["published"], "link": r["link"],
                    "by_kind": r.get("by_kind") or "outlet", "disputed": r.get("disputed") == "yes",
                    "since": r.get("since") or ""})
    return out


def to_json(store: Published) -> str:
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
            "last_published": iso(ev.last_published), "revision": ev.revision, "disputed": ev.disputed,
            "disputed_by": ev.disputed_by, "announced_by": ev.announced_by, "confirmations": ev.confirmations(),
            "figures": by_event.get(ev.id or 0, []),
        })
    tallies = [r for r in everything if r["type"] == "tally"]
    running = [r for r in everything if r["type"] == "running"]
    return json.dumps({"events": events, "tallies": tallies, "running_counts": running}, ensure_ascii=False, indent=2)


def export_file(path: Path, fmt: str) -> str:
    """The export of the database at path, read through its own read-only connection: call it in a
    worker thread (asyncio.to_thread) so a large ledger never stalls delivery."""
    store = Store(path, read_only=True)
    try:
        return to_csv(store) if fmt == "csv" else to_json(store)
    finally:
        store.close()


def corrections(store: Store) -> list[dict[str, Any]]:
    """What staff made of held items' figures, one labelled item per news item, in the label
    format of the matcher's test sets (../shared/tools/score_matcher.py, tests/data/numbers/GUIDE.md):
    a deployment's own corrections become tests. Only the figures staff read are labelled."""
    items: dict[str, dict[str, Any]] = {}
    for c in store.corrections():
        item = items.setdefault(c["item_id"], {
            "id": c["item_id"], "lang": c["lang"] or "es", "title": c["title"], "summary": c["summary"],
            "published": c["published"], "source_note": f"staff correction by {c['who']} on {c['created'][:10]}",
            "gold": {"kind": "none", "kinds_ok": [], "released_ok": [None], "total": None, "traps": "",
                     "announced": None, "announced_by": None, "confirmed": None, "confirmed_by": None,
                     "cumulative": False, "disputed": False, "alt": {"announced": [], "confirmed": []}, "numbers": []}})
        gold = item["gold"]
        was = json.loads(c["was"])
        if c["action"] == "not_a_release":
            gold["numbers"].append({"value": was["value"], "counts": "other", "by": None, "at": (was.get("quote") or "")[:80]})
            gold["traps"] = (gold["traps"] + f"; {was['value']} is not a release (staff)").lstrip("; ")
            continue
        role = c["role"]
        by = "government" if role == "announced" else c["by"]
        cumulative = bool(was.get("cumulative"))
        gold["numbers"].append({"value": c["value"], "counts": "running" if cumulative else role, "by": by,
                                "at": (was.get("quote") or "")[:80]})
        if gold[role] is None or (role == "confirmed" and c["value"] > gold[role]):
            if gold[role] is not None:
                gold["alt"][role].append(gold[role])
            gold[role], gold[f"{role}_by"] = c["value"], by
            gold["cumulative"] = cumulative if role == "confirmed" else gold["cumulative"]
        else:
            gold["alt"][role].append(c["value"])
    for item in items.values():
        gold = item["gold"]
        if gold["announced"] is not None or gold["confirmed"] is not None:
            gold["kind"] = "announcement" if gold["announced"] is not None else "confirmation"
            gold["released_ok"] = [v for v in (gold["announced"], gold["confirmed"]) if v is not None]
        gold["kinds_ok"] = [gold["kind"]]
    return list(items.values())
