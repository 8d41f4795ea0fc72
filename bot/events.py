"""Release events: several outlets retell one round of releases; this module decides which round an
item reports, what the round now says (who announced how many, what each verifier confirmed,
whether the official figure is disputed) and whether families must hear of it again.

A round (a day or a few days, a set of places) is an event. A verifier's running count over a
whole campaign ("426 verified since 8 January") is not a round: it is a ledger line of its own
(RunningCount), never a round's count and never a new round. A new revision (an alert) comes with
a new round, a verifier's figure for the round rising (a first figure counts), the official figure
first arriving, or the official figure becoming disputed — never with a retelling.

Pure logic over dataclasses; never touches storage or the network.

It is longer than most modules (over 400 lines) because finding a round and folding a report into
it read the same scoring of figures, places and dates; split, each half would import the other's
private helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol

from cachetools import LRUCache
from rapidfuzz import fuzz

from .figures import Figure, Kind, Role
from .matcher import Extraction

OFFICIAL, INDEPENDENT, OUTLET = Kind.OFFICIAL, Kind.INDEPENDENT, Kind.OUTLET
ANNOUNCED, CONFIRMED = Role.ANNOUNCED, Role.CONFIRMED
CLOSE = timedelta(days=3)  # reports this close may be one round without sharing a number
SAME_DAY = timedelta(hours=24)  # an official figure this soon after a round's counts, with nothing else, is its
FOLLOW_UP = timedelta(hours=36)  # a verifier's count this soon after a round, with nothing else to go on, is its
MAX_TITLES = 5  # headlines kept per event to compare the next report with


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
class RunningCount:
    """A running total over a campaign, as one speaker gave it ("Foro Penal: 426 since 8 January")."""

    role: str  # confirmed (a verifier's count) | announced (an official claim)
    by: str
    by_kind: str
    value: int
    since: date | None
    outlet: str
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
    disputed: bool = False  # a verifier disputes or doubts the official figure
    titles: tuple[str, ...] = ()  # the latest headlines that reported it
    disputed_by: str | None = None  # who disputes it, when the report says

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

    @property
    def announced_by(self) -> str | None:
        official = _summary(self.figures).official
        return (official.org or "government") if official else None

    def confirmations(self) -> dict[str, int]:
        """Each speaker's highest confirmed figure for this round, highest first."""
        return dict(sorted(_summary(self.figures).confirmed.items(), key=lambda kv: -kv[1]))


# -- what an observation says ----------------------------------------------------------------------


def claims(ex: Extraction) -> list[Figure]:
    """What the item says that may count: its sure figures only (families see nothing else, and a
    round is made of them). An extraction without figures (a figure staff typed in) gives its
    headline, which staff vouch for."""
    if ex.figures:
        return [f for f in ex.figures if f.sure]
    out = []
    if ex.announced is not None:
        out.append(Figure(Role.ANNOUNCED, ex.announced, ex.announced_by, Kind.OFFICIAL, disputed=ex.disputed, sure=True))
    if ex.confirmed is not None:
        out.append(Figure(Role.CONFIRMED, ex.confirmed, ex.confirmed_by, Kind.INDEPENDENT if ex.confirmed_by else Kind.OUTLET,
                          sure=True))
    if ex.cumulative is not None and ex.cumulative != ex.confirmed:
        out.append(Figure(Role.CONFIRMED, ex.cumulative, ex.confirmed_by,
                          Kind.INDEPENDENT if ex.confirmed_by else Kind.OUTLET, True, sure=True))
    return out


def round_figures(obs: Observation) -> list[Figure]:
    """The observation's figures for one round (running totals excluded: see running_counts)."""
    out = []
    found = claims(obs.extraction)
    official = {c.value for c in found if c.by_kind == OFFICIAL and not c.cumulative}
    headline = obs.extraction.announced
    for c in found:
        if c.role == CONFIRMED and c.value in official and obs.extraction.disputed:
            continue  # a verifier quoting the official figure it disputes does not confirm it
        if c.by_kind == OFFICIAL and headline is not None and c.value != headline and len(official) > 1:
            continue  # an earlier round's official figure, recalled ("at Christmas it had announced 99")
        if c.cumulative or c.role not in (ANNOUNCED, CONFIRMED):
            continue
        # an official never confirms: a government's "we freed 225" is its announcement
        role = ANNOUNCED if c.by_kind == OFFICIAL else c.role
        out.append(replace(c, role=Role(role), by_kind=Kind(c.by_kind), period=obs.extraction.period).sourced(
            obs.outlet, obs.item_id, obs.link, obs.published))
    return out


def running_counts(obs: Observation) -> list[RunningCount]:
    """The running totals the observation gives, one per speaker."""
    out = []
    for c in claims(obs.extraction):
        if c.cumulative and c.role in (ANNOUNCED, CONFIRMED):
            role = ANNOUNCED if c.by_kind == OFFICIAL else c.role
            out.append(RunningCount(role, c.by or obs.outlet, c.by_kind, c.value, _date(c.since), obs.outlet,
                                    obs.item_id, obs.link, obs.published))
    return out


def reports_a_round(obs: Observation) -> bool:
    """Does the item report a round of releases (not only a running count or a tally)?"""
    ex = obs.extraction
    if not ex.is_alert:
        return False
    if round_figures(obs):
        return True
    # a release told without a count ("dozens freed", an amnesty law passes): a round, numberless
    return not any(c.cumulative for c in claims(ex))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- which round -----------------------------------------------------------------------------------


def _score(obs: Observation, event: Event, window: timedelta, figs: list[Figure] | None = None) -> float:
    """How surely obs reports event (0 = not at all). Shared numbers are the strongest sign; dates,
    places, speakers and how alike the headlines are count too, so an outlet that gives only a
    partial count still finds the round another outlet reported with the official figure."""
    apart = min(abs(obs.published - event.last_published), abs(obs.published - event.first_published))
    if apart > window:
        return 0.0
    figs = round_figures(obs) if figs is None else figs
    ex = obs.extraction
    mine = {f.value for f in figs} | ({ex.released} if ex.released and not figs and ex.cumulative is None else set())
    summary = _summary(event.figures)
    official = summary.official
    score = 1.0 * len(mine & summary.numbers)
    # "179 excarcelaciones del 10 al 14 de diciembre" after "103 … del 10 al 12 de diciembre": the
    # same days, the same round (a count told for them, updated), whatever its numbers
    if _overlap(_spans(figs), _spans(event.figures)):
        score += 1.0
    if any(f.role == ANNOUNCED and official is not None and f.value == official.value for f in figs):
        score += 2.0
    same_place = bool(set(ex.prisons) & set(event.prisons))
    if apart <= CLOSE:
        score += _closeness(obs, event, figs, score, same_place)
    # a release told without a number ("dozens freed from Rodeo I") joins a same-place round of the day
    if not mine and same_place and apart <= timedelta(days=2):
        score += 0.25
    # told without a number the text binds, naming no other place, a day after a round: that round's
    # (a vague retelling, a doubt about "the official figure"): never a round of its own
    if not score and not mine and apart <= FOLLOW_UP and (same_place or not ex.prisons or not event.prisons):
        score += 0.5
    # nothing else to go on, and no other place named: the most recent round's (see find_event)
    if not score and apart <= FOLLOW_UP and figs and (same_place or not ex.prisons or not event.prisons):
        score += _nothing_else(event, figs, apart)
    return score


def _nothing_else(event: Event, figs: list[Figure], apart: timedelta) -> float:
    """What counts for a round when nothing else ties an item's figures to it, within FOLLOW_UP."""
    if not event.figures:
        return 0.5  # the first counts of a round announced without a number
    if all(f.by_kind != OFFICIAL for f in figs):
        return 0.5  # a verifier's count a day after a round: that round's
    if apart <= SAME_DAY and event.announced is None:
        return 0.5  # the official figure for a round so far counted only by verifiers
    return 0.0


def _spans(figs: list[Figure] | tuple[Figure, ...]) -> list[tuple[date, date]]:
    """The closed spans of days the figures' items tell releases for."""
    return [_span(f.period) for f in figs if f.period]


@lru_cache(maxsize=1024)
def _span(period: str) -> tuple[date, date]:
    start, end = period.split("/")
    return date.fromisoformat(start), date.fromisoformat(end)


def _overlap(a: list[tuple[date, date]], b: list[tuple[date, date]]) -> bool:
    return any(s1 <= e2 and s2 <= e1 for s1, e1 in a for s2, e2 in b)


def _closeness(obs: Observation, event: Event, figs: list[Figure], score: float, same_place: bool) -> float:
    """What links two reports days apart without a shared number: the place, the headline, the speaker."""
    extra = 0.0
    # an NGO confirming part of an announcement, at the same prison, within days
    if not score and event.announced and same_place and any(f.role == CONFIRMED and f.value <= event.announced
                                                            for f in figs):
        extra += 0.5
    if same_place:
        extra += 0.5 if not score else 0.25
    alike = max((fuzz.token_set_ratio(obs.title.lower(), t.lower()) for t in event.titles), default=0)
    extra += 0.75 if alike >= 80 else 0.4 if alike >= 65 else 0.0
    speakers = {f.speaker for f in figs if f.by_kind != OUTLET} & _summary(event.figures).speakers
    if speakers and (same_place or alike >= 65):
        extra += 0.25
    return extra


def find_event(obs: Observation, candidates: list[Event], window: timedelta) -> Event | None:
    """The existing round obs reports, if any (it must score at least half a shared number)."""
    figs = round_figures(obs)
    scored = [(s, e) for e in candidates if (s := _score(obs, e, window, figs)) >= 0.5]
    if not scored:
        return None
    return max(scored, key=lambda se: (se[0], se[1].last_published))[1]


# -- what the round says, and whether it is news ---------------------------------------------------


@dataclass(frozen=True)
class _Summary:
    """What the scoring and folding read of a round's figures, gathered in one pass (a retold
    round carries a figure per outlet: several passes per report were most of the ledger's cost)."""

    numbers: frozenset[int]
    official: Figure | None  # the official figure that stands
    confirmed: dict[str, int]  # each speaker's highest confirmed figure
    verifiers: dict[str, int]  # the same, independent verifiers only
    speakers: frozenset[str]  # who spoke, outlets aside
    keys: frozenset[tuple[str, str, str]]  # (role, item, speaker): a figure already folded in
    disputed: bool  # an official figure is marked disputed


_SUMMARIES: LRUCache[int, tuple[tuple[Figure, ...], _Summary]] = LRUCache(maxsize=4096)


def _summary(figures: tuple[Figure, ...]) -> _Summary:
    cached = _SUMMARIES.get(id(figures))
    if cached is not None and cached[0] is figures:
        return cached[1]
    numbers: set[int] = set()
    confirmed: dict[str, int] = {}
    verifiers: dict[str, int] = {}
    speakers: set[str] = set()
    keys: set[tuple[str, str, str]] = set()
    official: Figure | None = None
    disputed = False
    for f in figures:
        who = f.speaker
        numbers.add(f.value)
        keys.add((f.role, f.item_id, who))
        if f.by_kind != OUTLET:
            speakers.add(who)
        if f.role == ANNOUNCED:
            disputed = disputed or f.disputed
            if official is None or (f.published, f.value) > (official.published, official.value):
                official = f
        elif f.role == CONFIRMED:
            confirmed[who] = max(confirmed.get(who, 0), f.value)
            if f.by_kind == INDEPENDENT:
                verifiers[who] = max(verifiers.get(who, 0), f.value)
    summary = _Summary(frozenset(numbers), official, confirmed, verifiers, frozenset(speakers), frozenset(keys), disputed)
    _SUMMARIES[id(figures)] = (figures, summary)
    return summary


def apply(obs: Observation, event: Event | None) -> tuple[Event, bool]:
    """Fold obs into event (or open one). Returns the new state and whether it is a new revision."""
    ex = obs.extraction
    new_figs = round_figures(obs)
    said_disputed = ex.disputed
    if event is None:
        figures = tuple(new_figs)
        first = _summary(figures)
        announced = first.official.value if first.official else None
        confirmed = max(first.confirmed.values()) if first.confirmed else None
        disputed = said_disputed or first.disputed
        return Event(id=None, announced=announced, confirmed=confirmed, prisons=ex.prisons, names=ex.names,
                     first_published=obs.published, last_published=obs.published, revision=1, figures=figures,
                     disputed=disputed, titles=(obs.title[:300],),
                     disputed_by=_disputer(obs, new_figs) if disputed else None), True

    before = _summary(event.figures)
    added = tuple(f for f in new_figs if (f.role, f.item_id, f.speaker) not in before.keys)
    figures = event.figures + added
    after = _summary(figures)
    announced = after.official.value if after.official else None
    confirmed = max(after.confirmed.values()) if after.confirmed else None
    # an item saying an official figure is disputed disputes the round's official figure, whoever gave it
    disputed = event.disputed or after.disputed or (said_disputed and after.official is not None)
    # a named verifier's figure rising (a first figure counts) is news; an outlet retelling a count
    # without saying whose it is is news only when it raises the round's highest figure.
    # A new verifier's first figure is news, unless it is a part: below what is known, at some of
    # the round's places only (relatives counting 14 out of Tocorón when 22 are verified at three)
    part = bool(ex.prisons) and set(ex.prisons) < set(event.prisons)
    news = (any(v > before.verifiers.get(who, 0)
                and (who in before.verifiers or _news_from_a_new_verifier(v, event.confirmed, part))
                for who, v in after.verifiers.items())
            or (confirmed is not None and (event.confirmed is None or confirmed > event.confirmed))
            or (announced is not None and event.announced is None)  # the official figure arrived
            or (disputed and not event.disputed and announced is not None))  # and is now disputed
    titles = tuple(dict.fromkeys((*event.titles, obs.title[:300])))[-MAX_TITLES:]
    updated = replace(
        event,
        announced=announced,
        confirmed=confirmed,
        prisons=tuple(dict.fromkeys(event.prisons + ex.prisons)),
        names=tuple(dict.fromkeys(event.names + ex.names)),
        first_published=min(event.first_published, obs.published),
        last_published=max(event.last_published, obs.published),
        revision=event.revision + 1 if news else event.revision,
        figures=figures,
        disputed=disputed,
        titles=titles,
        # who disputes is named by the item that says so: a later report of the disputed round
        # (another verifier's count, a retelling) never becomes the disputer
        disputed_by=event.disputed_by or (_disputer(obs, new_figs) if disputed and (
            said_disputed or any(f.disputed for f in new_figs)) else None),
    )
    return updated, news


def restate(event: Event) -> Event:
    """What the round holds, read from its figures alone: the official figure that stands, the
    highest confirmed count, the dispute if a figure still carries it. After staff reject or correct
    a figure, the round is what its remaining figures say, and later reports are judged against it."""
    s = _summary(event.figures)
    # a dispute an item said in words stands while its teller's figures do (or if it named no one)
    disputed = s.disputed or (event.disputed and s.official is not None
                              and (event.disputed_by is None or event.disputed_by in s.speakers))
    return replace(event, announced=s.official.value if s.official else None,
                   confirmed=max(s.confirmed.values()) if s.confirmed else None,
                   disputed=disputed, disputed_by=event.disputed_by if disputed else None)


def _news_from_a_new_verifier(value: int, headline: int | None, part: bool) -> bool:
    """A verifier's first figure for the round: news unless it only repeats the round's count (a
    co-verifier of the same figure) or is a part of it counted at some of its places."""
    if headline is None or value > headline:
        return True
    return value != headline and not part


def _disputer(obs: Observation, figures: list[Figure]) -> str | None:
    """Who disputes the official figure: the report's verifier, when it names one."""
    verifiers = [f.speaker for f in figures if f.by_kind == INDEPENDENT]
    return verifiers[0] if verifiers else obs.extraction.confirmed_by


# -- who wants which revision ----------------------------------------------------------------------


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
