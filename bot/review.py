"""Staff review: NGO staff stop a false alarm before families see it, correct a number, add figures
from outside RSS; the first decision wins and every staff chat hears who decided. Works on the store
and the pure event logic; never knows a chat platform nor reads what staff type (bot/commands/args.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from .config import Config
from .events import INDEPENDENT, OFFICIAL, OUTLET, Figure, Observation, apply, restate
from .figures import Role
from .matcher import Extraction
from .store import ReviewStore, StaffQueue, iso

MANUAL_OUTLET = "manual"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: str  # released | rejected | held | missing
    decided_by: str | None = None
    event_id: int | None = None
    revision: int | None = None


def needs_review(config: Config, confidence: float, has_staff: bool, feed_review: bool = False) -> bool:
    """Hold this revision for staff? Always for a feed marked review = true (a social media bridge:
    anyone can post there), whatever the mode; never when no staff chat would see it: nothing is
    held unseen."""
    mode = config.review_mode
    if not has_staff:
        return False
    if feed_review:
        return True
    return mode == "all" or (mode != "off" and confidence < config.review_threshold)


def post_for_review(store: StaffQueue, event_id: int, revision: int, now: datetime, reminder: int = 0) -> int:
    """Queue the held alert to every staff chat (a reminder gets its own key)."""
    key = f"review:{event_id}:r{revision}" + (f":{reminder}" if reminder else "")
    n = 0
    for sub in store.staff_subscribers():
        n += store.enqueue(sub.id, key, "review", {"event_id": event_id, "revision": revision, "reminder": reminder}, now)
    return n


def tell_staff(store: StaffQueue, text_key: str, values: dict[str, object], now: datetime) -> int:
    """Queue a short notice (rendered in each staff chat's language) to every staff chat."""
    digest = hashlib.sha256(f"{text_key}|{sorted(values.items())}|{iso(now)}".encode()).hexdigest()[:16]
    n = 0
    for sub in store.staff_subscribers():
        n += store.enqueue(sub.id, f"staff:{digest}", "staff", {"key": text_key, "values": values}, now)
    return n


def decide(store: ReviewStore, event_id: int, revision: int, approve: bool, who: str, reason: str | None,
           now: datetime) -> Outcome:
    """Approve (families get it through the outbox) or reject a held revision; first decision wins."""
    row = store.revision(event_id, revision)
    if row is None:
        return Outcome(False, "missing", event_id=event_id, revision=revision)
    status = "released" if approve else "rejected"
    with store.transaction():
        first = store.decide(event_id, revision, status, who, reason, now)
        if first:
            # the figures it brought count from now on, or never (a rejected claim leaves the round)
            event = store.decide_figures(event_id, revision, status)
            if approve:
                assert event is not None
                store.enqueue_revision(event, now, revision=revision)
            tell_staff(store, "review.decided_" + status,
                       {"event": event_id, "revision": revision, "who": who, "reason": reason or ""}, now)
    row = store.revision(event_id, revision)
    assert row is not None
    return Outcome(first, row["status"], row["decided_by"], event_id, revision)


def latest_held(store: ReviewStore, event_id: int) -> int | None:
    held = [r for r in store.held() if r["event_id"] == event_id]
    return held[-1]["revision"] if held else None


def edit(store: ReviewStore, event_id: int, who: str, now: datetime, announced: int | None = None,
         confirmed: int | None = None) -> Outcome:
    """Staff correct the numbers: a new revision, attributed to them, released to families
    (a held revision of the same event is superseded)."""
    event = store.event(event_id)
    if event is None:
        return Outcome(False, "missing", event_id=event_id)
    item_id = f"manual:edit:{event_id}:{event.revision + 1}"
    values = ((Role.ANNOUNCED, announced), (Role.CONFIRMED, confirmed))
    figs = tuple(
        Figure(role, value, f"{who} (staff)", OFFICIAL if role == Role.ANNOUNCED else INDEPENDENT, sure=True,
               quote=f"{who} (staff)").sourced(MANUAL_OUTLET, item_id, "", now)
        for role, value in values if value is not None
    )
    obs = _manual_observation(item_id, f"Corrección / correction: {who}", now)
    with store.transaction():
        for r in store.held():
            if r["event_id"] == event_id:
                store.decide(event_id, r["revision"], "superseded", who, "edited", now)
                store.decide_figures(event_id, r["revision"], "superseded")
        # the figures staff corrected no longer count: the round is what staff say, and a later
        # report is judged against that
        store.correct_figures(event_id, [role for role, value in values if value is not None])
        current = store.event(event_id)
        assert current is not None
        new = restate(replace(current, revision=current.revision + 1,
                              last_published=max(current.last_published, now), figures=current.figures + figs))
        saved = store.save_event(new, obs, True, now, status="released", confidence=1.0, manual=True)
        store.enqueue_revision(saved, now)
        tell_staff(store, "review.edited", {"event": event_id, "revision": saved.revision, "who": who}, now)
    return Outcome(True, "released", who, event_id, saved.revision)


def record(store: ReviewStore, event_id: int, role: str, value: int, source: str, who: str, now: datetime) -> Outcome:
    """A figure that arrived outside RSS (a call, social media), marked manual. A higher confirmed
    count makes a new revision for families, like any source."""
    event = store.event(event_id)
    if event is None:
        return Outcome(False, "missing", event_id=event_id)
    item_id = f"manual:{hashlib.sha256(f'{event_id}|{role}|{value}|{source}|{iso(now)}'.encode()).hexdigest()[:12]}"
    ex = Extraction(
        kind="confirmation" if role == "confirmed" else "announcement",
        released=value,
        announced=value if role == "announced" else None,
        confirmed=value if role == "confirmed" else None,
        confirmed_by=source if role == "confirmed" else None,
        announced_by=source if role == "announced" else None,
        confidence=1.0,
    )
    obs = Observation(ex, item_id, MANUAL_OUTLET, "", f"{source} ({who})", now)
    updated, new_revision = apply(obs, event)
    with store.transaction():
        saved = store.save_event(updated, obs, new_revision, now, confidence=1.0, manual=True)
        if new_revision:
            store.enqueue_revision(saved, now)
    return Outcome(True, "released" if new_revision else "recorded", who, event_id, saved.revision)


def remind(store: ReviewStore, after: timedelta, now: datetime) -> int:
    """Re-announce held alerts nobody decided on: they are never silently dropped."""
    n = 0
    for r in store.held(reminded_before=now - after):
        reminder = int((now - datetime.fromisoformat(r["created"])).total_seconds() // 60) or 1
        n += post_for_review(store, r["event_id"], r["revision"], now, reminder)
        store.mark_reminded(r["event_id"], r["revision"], now)
    return n


def _manual_observation(item_id: str, title: str, now: datetime) -> Observation:
    return Observation(Extraction(kind="confirmation", confidence=1.0), item_id, MANUAL_OUTLET, "", title, now)


# -- staff read a held item's figures one by one (issue 22) ----------------------------------------

def correct_figure(store: ReviewStore, event_id: int, number: int, action: str, changes: dict[str, str | int], who: str,
                   now: datetime) -> Outcome:
    """Staff confirm ('ok'), fix (role, value, who said it) or drop ('not': not a release) figure
    `number` of the event's held item, as the review card numbers them. A confirmed or fixed
    figure waits with the held revision and reaches families when it is approved; every decision
    is kept as a correction in the label format of the matcher's test sets."""
    revision = latest_held(store, event_id)
    snap = store.revision_snapshot(event_id, revision) if revision is not None else None
    trigger = (snap or {}).get("trigger") or {}
    figs = [f for f in trigger.get("figures") or [] if f.get("role") in (Role.ANNOUNCED, Role.CONFIRMED)]
    if revision is None or snap is None or not 1 <= number <= len(figs):
        return Outcome(False, "missing", event_id=event_id, revision=revision)
    was = figs[number - 1]
    reading = None
    if action != "not":
        role = Role(str(changes.get("role", was["role"])))
        by = str(changes["by"]) if "by" in changes else was.get("by")
        kind = OFFICIAL if role == Role.ANNOUNCED else (INDEPENDENT if by else OUTLET)
        reading = Figure(role, int(changes.get("value", was["value"])), by, kind, bool(was.get("cumulative")),
                         was.get("since"), sure=True, quote=was.get("quote") or "").sourced(
            trigger.get("outlet") or MANUAL_OUTLET, f"{trigger.get('item', '')}#{number}", trigger.get("link") or "",
            datetime.fromisoformat(str(trigger["published"])) if trigger.get("published") else now)
    item = store.item_text(trigger.get("item", ""))
    with store.transaction():
        store.record_correction({
            "item_id": trigger.get("item", ""), "event_id": event_id, "revision": revision, "figure": number,
            "action": "not_a_release" if reading is None else ("confirmed" if action == "ok" else "fixed"),
            "role": str(reading.role) if reading else None, "value": reading.value if reading else None,
            "by": reading.by if reading else None, "was": json.dumps(was, ensure_ascii=False),
            "title": item[0] if item else trigger.get("title", ""), "summary": item[1] if item else "",
            "lang": item[2] if item else None, "published": item[3] if item else (trigger.get("published") or iso(now)),
            "who": who[:100], "created": iso(now)})
        if reading is not None and not reading.cumulative:  # a running count is no figure of the round
            store.hold_figure(event_id, revision, reading)
        _restate_held(store, event_id, revision, snap, number, reading)
    return Outcome(True, "held", who, event_id, revision)


def _restate_held(store: ReviewStore, event_id: int, revision: int, snap: Mapping[str, Any], number: int,
                  reading: Figure | None) -> None:
    """The held revision now says what its released figures and the figures staff read say."""
    event = store.event(event_id)
    if event is None:
        return
    candidate = restate(replace(event, figures=event.figures + tuple(store.held_figures(event_id, revision))))
    trigger = dict(snap.get("trigger") or {})
    figs = [dict(f) for f in trigger.get("figures") or []]
    shown = [f for f in figs if f.get("role") in (Role.ANNOUNCED, Role.CONFIRMED)]
    if reading is None:
        shown[number - 1].update({"sure": False, "staff": "not_a_release"})
    else:
        shown[number - 1].update({"sure": True, "staff": "read", "role": str(reading.role), "value": reading.value,
                                  "by": reading.by, "by_kind": str(reading.by_kind)})
    trigger["figures"] = figs
    snap = {**snap, "announced": candidate.announced, "confirmed": candidate.confirmed,
            "figures": [f.to_record() for f in candidate.figures], "trigger": trigger}
    store.rewrite_snapshot(event_id, revision, snap)
