"""Release events: several outlets retell one round of releases; this module decides which event an
extraction belongs to and whether it changes what families must be told.

Pure logic over dataclasses. A new event or a higher confirmed count makes a new revision; nothing
else does (a retelling adds a source but no alert). Never touches storage or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from .matcher import Extraction


@dataclass(frozen=True)
class Observation:
    """An extraction together with the item that carried it."""

    extraction: Extraction
    item_id: str
    outlet: str  # feed name
    link: str
    title: str
    published: datetime


@dataclass(frozen=True)
class Figure:
    """One source's number for one event: who said how many were announced or confirmed."""

    role: str  # announced | confirmed
    value: int
    outlet: str
    org: str | None
    item_id: str
    link: str
    published: datetime


@dataclass(frozen=True)
class Event:
    id: int | None
    announced: int | None
    confirmed: int | None
    prisons: tuple[str, ...]
    names: tuple[str, ...]
    first_published: datetime
    last_published: datetime
    revision: int
    figures: tuple[Figure, ...]

    @property
    def numbers(self) -> set[int]:
        return {f.value for f in self.figures}

    @property
    def gap(self) -> int | None:
        if self.announced is None or self.confirmed is None:
            return None
        return max(self.announced - self.confirmed, 0)

    def latest(self, role: str) -> Figure | None:
        figs = [f for f in self.figures if f.role == role]
        return max(figs, key=lambda f: (f.value, f.published)) if figs else None


class SubscriberLike(Protocol):
    """What wants() reads of a subscriber (bot.store.Subscriber)."""

    @property
    def filter(self) -> str: ...

    @property
    def prison(self) -> str | None: ...


def wants(sub: SubscriberLike, event: Event) -> bool:
    """Does this subscriber's filter take this event revision?"""
    if sub.filter == "staff":
        return False  # the staff room gets review posts, not family alerts
    if sub.filter == "confirmations" and not event.confirmed:
        return False
    if sub.prison and sub.prison not in event.prisons:
        return False
    return True


def _figures(obs: Observation) -> list[Figure]:
    ex = obs.extraction
    out = []
    if ex.announced is not None:
        out.append(Figure("announced", ex.announced, obs.outlet, ex.announced_by, obs.item_id,
                          obs.link, obs.published))
    confirmed = ex.cumulative if ex.cumulative and (ex.confirmed or 0) < ex.cumulative else ex.confirmed
    if confirmed is not None:
        out.append(Figure("confirmed", confirmed, obs.outlet, ex.confirmed_by, obs.item_id,
                          obs.link, obs.published))
    return out


def _score(obs: Observation, event: Event, window: timedelta) -> float:
    """How surely obs reports event (0 = not at all)."""
    if abs(obs.published - event.last_published) > window and abs(obs.published - event.first_published) > window:
        return 0.0
    ex = obs.extraction
    mine = {v for v in (ex.announced, ex.confirmed, ex.released, ex.cumulative) if v}
    score = 0.0
    if ex.announced is not None and ex.announced == event.announced:
        score += 2.0
    shared = mine & event.numbers
    score += 1.0 * len(shared)
    same_place = bool(set(ex.prisons) & set(event.prisons))
    # an NGO confirming part of an announcement, at the same prison, within days
    close = abs(obs.published - event.last_published) <= timedelta(days=3)
    if (not score and ex.announced is None and ex.confirmed is not None and event.announced
            and ex.confirmed <= event.announced and same_place and close):
        score += 0.5
    if score and same_place:
        score += 0.25
    # a release told without a number ("dozens freed from Rodeo I") joins a same-place event of the day
    if not mine and same_place and abs(obs.published - event.last_published) <= timedelta(days=2):
        score += 0.5
    return score


def find_event(obs: Observation, candidates: list[Event], window: timedelta) -> Event | None:
    """The existing event obs reports, if any."""
    scored = [(s, e) for e in candidates if (s := _score(obs, e, window)) > 0]
    if not scored:
        return None
    return max(scored, key=lambda se: (se[0], se[1].last_published))[1]


def apply(obs: Observation, event: Event | None) -> tuple[Event, bool]:
    """Fold obs into event (or open one). Returns the new state and whether it is a new revision."""
    ex = obs.extraction
    new_figs = _figures(obs)
    if event is None:
        conf = max((f.value for f in new_figs if f.role == "confirmed"), default=None)
        return Event(
            id=None,
            announced=ex.announced,
            confirmed=conf,
            prisons=ex.prisons,
            names=ex.names,
            first_published=obs.published,
            last_published=obs.published,
            revision=1,
            figures=tuple(new_figs),
        ), True

    known = {(f.role, f.item_id) for f in event.figures}
    figures = event.figures + tuple(f for f in new_figs if (f.role, f.item_id) not in known)
    announced_figs = [f for f in figures if f.role == "announced"]
    # the latest government figure stands: authorities revise their own announcements
    announced = max(announced_figs, key=lambda f: f.published).value if announced_figs else None
    confirmed = max((f.value for f in figures if f.role == "confirmed"), default=None)
    grew = confirmed is not None and (event.confirmed is None or confirmed > event.confirmed)
    updated = replace(
        event,
        announced=announced,
        confirmed=confirmed,
        prisons=tuple(dict.fromkeys(event.prisons + ex.prisons)),
        names=tuple(dict.fromkeys(event.names + ex.names)),
        first_published=min(event.first_published, obs.published),
        last_published=max(event.last_published, obs.published),
        revision=event.revision + 1 if grew else event.revision,
        figures=figures,
    )
    return updated, grew
