"""What an alert for one event revision says, frozen when the revision is made: the round's
figures, the item that made it (with every figure that item gave, sure or not, and its quote),
the dispute and the running counts. The store writes it, the renderer and the page read it.

Pure data; never renders, never touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypedDict

from .events import Event, Observation, RunningCount
from .figures import Figure


class TriggerSnap(TypedDict, total=False):
    """The item that made this revision."""

    item: str  # its id in the store
    outlet: str
    title: str
    link: str
    published: str | None
    kind: str
    disputed: bool  # the item itself says the official figure is disputed (who, when it names no one)
    # every figure the item gave, sure or not, with its quote (Figure.to_json): what staff see on
    # the review card, and what families are told is not yet verified
    figures: list[dict[str, Any]]


class RunningSnap(TypedDict):
    """A speaker's running count over the campaign, as known when the revision was made."""

    role: str  # confirmed (a verifier's count) | announced (an official claim)
    by: str
    value: int
    since: str | None  # YYYY-MM-DD


class Snapshot(TypedDict, total=False):
    """What an alert for one event revision says, frozen when the revision is made (so a retry or a
    late reader renders the same message). total=False: /status builds one with figures only."""

    event_id: int | None
    revision: int
    announced: int | None
    confirmed: int | None
    prisons: list[str]
    figures: list[dict[str, Any]]  # the round's figures (Figure.to_record; read with figures_of)
    trigger: TriggerSnap
    disputed: bool  # a verifier disputes or doubts the official figure
    disputed_by: str | None
    running: list[RunningSnap]  # running counts over the campaign, highest first


def snapshot(event: Event, obs: Observation, running: Sequence[RunningCount] = ()) -> Snapshot:
    """What an alert for this revision says, frozen so a retry renders the same message."""
    return {
        "disputed": event.disputed,
        "disputed_by": event.disputed_by,
        "running": [{"role": str(r.role), "by": r.by, "value": r.value, "since": r.since.isoformat() if r.since else None}
                    for r in running],
        "event_id": event.id,
        "revision": event.revision,
        "announced": event.announced,
        "confirmed": event.confirmed,
        "prisons": list(event.prisons),
        "figures": [f.to_record() for f in event.figures],
        "trigger": {"item": obs.item_id, "outlet": obs.outlet, "title": obs.title[:300], "link": obs.link,
                    "published": iso(obs.published), "kind": obs.extraction.kind, "disputed": obs.extraction.disputed,
                    "figures": [f.to_json() for f in obs.extraction.figures if f.role != "total"]},
    }


def figures_of(snap: Snapshot | dict[str, Any]) -> list[Figure]:
    """The round's figures of a snapshot, whatever release wrote it (before issue 22 a figure's
    speaker was 'org' and it had no 'sure': it reached families, so it was taken as sure)."""
    return [Figure.from_record(f) for f in snap.get("figures") or []]


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None
