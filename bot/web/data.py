"""The published ledger as tables a newsroom or an NGO can reuse: its rounds and its running counts
as CSV and JSON, and every figure as CSV (the rows of bot.export, public ledger only).

Pure functions from a PublicLedger to text. Names are given as the ledger keeps them (the round's
one name for each speaker, untranslated): data, not prose. A CSV cell that a spreadsheet would run
as a formula (=, +, -, @ first) is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import export
from ..alerts import shown
from ..store import iso
from .ledger import PublicLedger

ROUND_COLUMNS = ("round", "first_published", "last_published", "prisons", "announced", "announced_by",
                 "confirmed", "confirmed_by", "verifiers", "gap", "disputed", "disputed_by", "alerts", "url")
RUNNING_COLUMNS = ("by", "role", "by_kind", "value", "since", "published", "outlet", "link")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def rounds(ledger: PublicLedger, base: str, prison: str | None = None) -> list[dict[str, Any]]:
    """Each round as families were last told it, newest first: the official figure and who gave it,
    each verifier's figure, the gap, the dispute. base: the site's address, for each round's page."""
    out = []
    for pe in ledger.events_at(prison) if prison else ledger.events:
        ev, view = pe.event, shown(pe.snapshot)
        verifiers = [{"by": view.speaker_of(f), "value": f.value, "outlet": f.outlet, "published": iso(f.published),
                      "link": f.link} for f in view.verifiers]
        disputer = pe.snapshot.get("disputed_by")
        out.append({
            "round": pe.id, "first_published": iso(ev.first_published), "last_published": iso(ev.last_published),
            "prisons": list(ev.prisons),
            "announced": view.official.value if view.official else None,
            "announced_by": view.speaker_of(view.official) if view.official else None,
            "confirmed": ev.confirmed, "confirmed_by": verifiers[0]["by"] if verifiers else None, "verifiers": verifiers,
            "gap": ev.gap if view.official and verifiers else None, "disputed": ev.disputed,
            "disputed_by": view.names.get(disputer, disputer) if disputer else pe.disputed_in,
            "alerts": len(pe.revisions), "url": f"{base}event/{pe.id}",
        })
    return out


def running(ledger: PublicLedger) -> list[dict[str, Any]]:
    """Every running count given over the campaign, oldest first."""
    return [{"by": rc.by, "role": rc.role, "by_kind": rc.by_kind, "value": rc.value,
             "since": rc.since.isoformat() if rc.since else None, "published": iso(rc.published),
             "outlet": rc.outlet, "link": rc.link} for rc in ledger.running]


def rounds_json(ledger: PublicLedger, base: str, prison: str | None = None) -> str:
    return json.dumps({"rounds": rounds(ledger, base, prison)}, ensure_ascii=False, indent=2)


def running_json(ledger: PublicLedger) -> str:
    return json.dumps({"running_counts": running(ledger)}, ensure_ascii=False, indent=2)


def rounds_csv(ledger: PublicLedger, base: str, prison: str | None = None) -> str:
    rows = []
    for r in rounds(ledger, base, prison):
        rows.append({**r, "prisons": "; ".join(r["prisons"]),
                     "verifiers": "; ".join(f"{v['by']}: {v['value']}" for v in r["verifiers"]),
                     "disputed": "yes" if r["disputed"] else "no"})
    return _csv(ROUND_COLUMNS, rows)


def running_csv(ledger: PublicLedger) -> str:
    return _csv(RUNNING_COLUMNS, running(ledger))


def ledger_csv(ledger: PublicLedger) -> str:
    """Every figure, tally and running count (bot.export's columns) of what was published."""
    rows = [{**r, "event_id": "" if r["event_id"] is None else r["event_id"], "manual": "yes" if r["manual"] else "no",
             "disputed": "yes" if r["disputed"] else "no"} for r in export.rows(ledger)]
    return _csv(export.COLUMNS, rows)


def _csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value
