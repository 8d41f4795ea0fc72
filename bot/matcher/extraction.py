"""One item in, one Extraction out: the item's kind, its headline release, the running total, the
count still held, and who said each; built from the numbers' roles and the entities around them.

Pure: reads its word lists from bot/data once; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from .._text import fold, normalize, sentences
from .cues import Span, common_prisoners
from .entities import SINGULAR, Hit, attribution, foreign, found, freed_names, named_among_freed, prison_news
from .figures import Figure, Said, attribute, disputed, doubts_official_figure, speaker_for
from .language import detect_lang
from .lexicon import lexicon
from .numberless import NumberlessRelease, law_enacted, numberless_release
from .numbers import words_to_digits
from .parts import subgroup_total
from .roles import Mention, find_mentions
from .speakers import OFFICIAL, voices

KINDS = ("announcement", "confirmation", "tally", "none")
MAX_TEXT = 20_000  # characters of one item the matcher reads; a feed item is never longer


@dataclass(frozen=True)
class Extraction:
    """What one item says about releases. Numbers are None when the item does not give them."""

    kind: str = "none"
    released: int | None = None  # headline: people freed, or announced to be freed
    announced: int | None = None
    confirmed: int | None = None
    cumulative: int | None = None  # running total confirmed ("444 since 8 January")
    total_prisoners: int | None = None
    prisons: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    lang: str = "es"
    confidence: float = 0.0
    announced_by: str | None = None
    confirmed_by: str | None = None
    total_by: str | None = None
    evidence: str = ""  # the sentence that carried the headline
    prison_news: str | None = None  # "transfer" | "visits": news about a prison that is no release
    figures: tuple[Figure, ...] = ()  # every number in its role, with who said it
    disputed: bool = False  # a verifier disputes or doubts the official figure

    @property
    def is_alert(self) -> bool:
        return self.kind in ("announcement", "confirmation")

    def to_json(self, item_id: str) -> dict[str, Any]:
        return {
            "id": item_id,
            "kind": self.kind,
            "released": self.released,
            "announced": self.announced,
            "confirmed": self.confirmed,
            "cumulative": self.cumulative,
            "total_prisoners": self.total_prisoners,
            "prisons": list(self.prisons),
            "orgs": list(self.orgs),
            "names": list(self.names),
            "lang": self.lang,
            "confidence": round(self.confidence, 2),
            "announced_by": self.announced_by,
            "confirmed_by": self.confirmed_by,
            "total_by": self.total_by,
            "prison_news": self.prison_news,
            "disputed": self.disputed,
            "figures": [f.to_json() for f in self.figures],
        }

def _relevant(folded: str) -> bool:
    """Could this item be about releases or prisoners at all? Most news is not: sport, oil,
    weather. Those skip number reading and the gazetteers (one cheap pass instead of many)."""
    cues = lexicon().cues
    # a tally always names political prisoners, so "remain" words alone do not count
    return bool(cues["release"].search(folded) or cues["political"].search(folded)
                or cues["transfer"].search(folded) or cues["visits"].search(folded))


class Prepared(NamedTuple):
    """An item's text made ready for reading."""

    text: str  # normalised, title on its own line, number words as digits when relevant
    folded: str  # the same, lower-case and without accents, offset for offset
    lang: str  # "es" | "en"
    relevant: bool  # could the item be about releases or prisoners at all


def prepare(title: str, summary: str, lang: str | None = None) -> Prepared:
    """Normalised text (title on its own line), its folded twin, the language, and whether the
    item could be about releases at all (only then are number words turned into digits)."""
    text = normalize(f"{title.strip()}\n{summary.strip()}")[:MAX_TEXT]
    folded = fold(text)
    lang = lang if lang in ("es", "en") else detect_lang(folded)
    if not _relevant(folded):
        return Prepared(text, folded, lang, False)
    converted = words_to_digits(text, lang)
    if converted != text:
        text = converted
        folded = fold(text)
    # digits never make an item relevant or not: no need to ask again after the conversion
    return Prepared(text, folded, lang, True)


@dataclass(frozen=True)
class _Item:
    """One relevant item as the headline rules read it."""

    text: str
    folded: str
    spans: list[Span]
    title_end: int
    published: str | None  # the item's date ("2026-01-26T18:00:00Z"), to date running totals
    org_hits: list[Hit]
    political: bool  # political prisoners are named, or an NGO or families speak
    context: bool  # something ties the item to Venezuela's prisons, authorities, NGOs or politics


class _Tally(NamedTuple):
    value: int | None  # prisoners still held
    by: str | None  # the NGO that keeps the count


def match(title: str, summary: str = "", lang: str | None = None, published: str | None = None) -> Extraction:
    """Classify one item and extract its numbers in their roles, each with who said it.
    `published` (ISO date) gives the year of a running total's start ("desde el 8 de enero")."""
    text, folded, lang, relevant = prepare(title, summary, lang)
    if not relevant:
        return Extraction(lang=lang, confidence=0.95)
    lex = lexicon()
    spans = sentences(text)
    if not spans:
        return Extraction(lang=lang, confidence=0.95)
    title_end = text.find("\n") if "\n" in text else len(text)

    org_hits = found("org", folded)
    prisons = tuple(dict.fromkeys(e.name for _, e in found("prison", folded)))
    orgs = tuple(dict.fromkeys(e.name for _, e in org_hits))
    political = bool(lex.cues["political"].search(folded)) or any(e.kind in ("ngo", "family") for _, e in org_hits)
    # freed hostages, players or tankers are not our news; prisoners with no link to Venezuela's
    # authorities, NGOs, prisons or politics neither
    context = political or bool(org_hits or prisons) or bool(
        lex.cues["government"].search(folded) or lex.cues["ngo"].search(folded)) or _official_speaks(folded) or named_among_freed(
        text, folded, spans, lex)
    item = _Item(text, folded, spans, title_end, published, org_hits, political, context)
    base = Extraction(lang=lang, prisons=prisons, orgs=orgs, prison_news=prison_news(folded, spans, prisons, lex))

    mentions = find_mentions(text, folded, spans)
    mentions = _title_decides(mentions, title_end)
    totals = [m for m in mentions if m.role == "total"]
    tally = _tally(item, [m for m in totals if not subgroup_total(folded, spans[m.sentence], m, lex)])
    releases = _reported_releases(item, [m for m in mentions if m.role in ("announced", "confirmed")])
    if releases and foreign(folded, spans, releases[0], title_end, lex):
        return replace(base, confidence=0.8, prison_news=None)
    said = attribute(folded, spans, title_end, releases, totals, tally.value, published, lex) if releases else []
    if not said:
        return _without_count(item, base, tally if political else tally._replace(value=None))
    return _with_count(item, base, said, tally)


def _official_speaks(folded: str) -> bool:
    """An official body of the gazetteer says something ("Servicio Penitenciario anuncia 116
    excarcelaciones"): Venezuela's authorities are the context even without "presos políticos"."""
    lex = lexicon()
    return any(v.speaks and v.speaker.kind == OFFICIAL for v in voices(folded, lex, lex.finders))


def _title_decides(mentions: list[Mention], title_end: int) -> list[Mention]:
    """A number the title gives as released ("80 presos salieron") and the body as a count ("son
    al menos 80") is a release; one the title gives as the count still held ("falls to 433") is
    no release."""
    released = {m.value for m in mentions if m.start < title_end and m.role in ("announced", "confirmed")}
    held = {m.value for m in mentions if m.start < title_end and m.role == "total"} - released
    out = []
    for m in mentions:
        if m.role == "total" and m.value in released and m.start >= title_end:
            m = replace(m, role="confirmed")
        elif m.role in ("announced", "confirmed") and m.value in held:
            continue
        out.append(m)
    return out


def _tally(item: _Item, totals: list[Mention]) -> _Tally:
    """A count of prisoners is the national tally only when someone keeps it: a "remain" word, a
    balance label, or an NGO in the same sentence (not "38 political prisoners of the X case")."""
    spans = item.spans
    totals = [m for m in totals if m.strength >= 0.8 or any(
        spans[m.sentence][0] <= pos < spans[m.sentence][1] and e.kind in ("ngo", "family") for pos, e in item.org_hits)]
    if not totals:
        return _Tally(None, None)
    who = speaker_for(item.folded, spans, item.title_end, totals[0], lexicon())
    by = who.by if who is not None and who.kind == "independent" and who.named else attribution(
        item.folded, spans[totals[0].sentence], item.org_hits, ("ngo", "family"), fallback=False)
    return _Tally(totals[0].value, by)


def _reported_releases(item: _Item, releases: list[Mention]) -> list[Mention]:
    """The release numbers that report releases: none in opinion pieces, in items with no tie to
    Venezuela's prisoners, or whose title is about a death, a re-arrest, a transfer or a denial;
    none about ordinary prisoners."""
    lex, folded, title_end = lexicon(), item.folded, item.title_end
    if re.match(r"\s*[\w ]{0,20}?(" + lex.cues["genre"].pattern + r")\s*[:|-]", folded[:title_end]):
        return []  # "Opinión: ...", "Interview: ...": not a report of releases
    if not item.context or any(lex.cues[r].search(folded, 0, title_end) for r in ("harm", "rearrest", "transfer", "denial")):
        return []
    title_span = (0, title_end)
    return [m for m in releases if not (common_prisoners(folded, item.spans[m.sentence], lex)
                                        or common_prisoners(folded, title_span, lex))]


def _without_count(item: _Item, base: Extraction, tally: _Tally) -> Extraction:
    """No number carries a release: a release said without a count, a tally, or nothing."""
    lex, text, spans = lexicon(), item.text, item.spans
    total, total_by = tally
    figures = (_total_figure(tally),) if total is not None else ()
    vague = numberless_release(text, item.folded, spans, item.title_end, lex) if item.context and total is None else None
    if vague is None and total is None and (law := law_enacted(item.folded, spans, item.title_end, lex)) is not None:
        vague = NumberlessRelease("announcement", None, law)  # the amnesty passes: releases are announced
    if vague is not None:
        kind, count = vague.kind, vague.released
        span = spans[vague.sentence]
        who = _numberless_speaker(item, vague.sentence, kind)
        return replace(
            base, kind=kind, released=count, announced=count if kind == "announcement" else None,
            confirmed=count if kind == "confirmation" else None, total_prisoners=total,
            announced_by=who if kind == "announcement" else None, confirmed_by=who if kind == "confirmation" else None,
            total_by=total_by, names=tuple(freed_names(text, item.folded, spans, lex)), confidence=0.5,
            evidence=text[span[0]:span[1]].strip()[:500], disputed=kind == "announcement" and disputed(item.folded, spans, lex),
        )
    if total is not None:
        return replace(base, kind="tally", total_prisoners=total, total_by=total_by, confidence=0.8, figures=figures)
    return replace(base, confidence=0.9)


def _numberless_speaker(item: _Item, sentence: int, kind: str) -> str | None:
    """Who announces (an official) or reports (a verifier) a release told without a count: the
    first such speaker of its sentence, else of the item."""
    vs = [v for v in voices(item.folded, lexicon(), lexicon().finders) if v.speaks]
    lo, hi = item.spans[sentence]
    want = (lambda k: k == OFFICIAL) if kind == "announcement" else (lambda k: k != OFFICIAL)
    for group in ([v for v in vs if lo <= v.start < hi], vs):
        for v in group:
            if want(v.speaker.kind):
                return v.speaker.by
    return None


def _total_figure(tally: _Tally) -> Figure:
    return Figure("total", tally.value or 0, tally.by, "independent" if tally.by else "outlet")


def _headline(item: _Item, said: list[Said]) -> Mention:
    """The first release in the title, else the strongest early one in the body; the day's
    increment rather than the running total; the person named beside a count added to it."""
    releases = [s.mention for s in said]
    running = {s.mention.start for s in said if s.figure.cumulative}
    in_title = [m for m in releases if m.start < item.title_end]
    head = in_title[0] if in_title else max(releases, key=lambda m: (m.strength, -m.start))
    if head.start in running:
        increments = [m for m in releases if m.increment and m.start not in running and m.role == head.role]
        if increments:
            head = increments[0]
    return _with_named_one(item.text, item.folded, item.spans[head.sentence], head)


def _merged(said: list[Said]) -> list[Figure]:
    """One figure per (role, value, speaker): the title and the body often give the same one."""
    out: dict[tuple[str, int, str | None], Figure] = {}
    for s in said:
        f = s.figure
        key = (f.role, f.value, f.by)
        if key in out:
            g = out[key]
            out[key] = replace(g, cumulative=g.cumulative or f.cumulative, since=g.since or f.since,
                               disputed=g.disputed or f.disputed)
        else:
            out[key] = f
    # "Gobierno" stands in for the authorities when no one is named: not beside a named official
    named = {(f.role, f.value) for f in out.values() if f.by_kind == OFFICIAL and f.by != "Gobierno"}
    return [f for f in out.values() if not (f.by == "Gobierno" and (f.role, f.value) in named)]


def _with_count(item: _Item, base: Extraction, said: list[Said], tally: _Tally) -> Extraction:
    """The headline release, the figures that go with it and who gave them: announced is the
    official figure of the round, confirmed the highest verifier figure for it (a running total
    only when the item gives no round figure of verifiers)."""
    head = _headline(item, said)
    own = next(s for s in said if s.mention.start == head.start)
    if head.value != own.mention.value:  # "al periodista X y a otros 4": one more than the digits
        said = [Said(s.mention, replace(s.figure, value=head.value)) if s is own else s for s in said]
        own = next(s for s in said if s.mention.start == head.start)
    figures = _merged(said)
    head_fig = next((f for f in figures if (f.role, f.value, f.by) == (own.figure.role, own.figure.value, own.figure.by)),
                    None) or next(f for f in figures if (f.role, f.value) == (own.figure.role, own.figure.value))
    rounds = [f for f in figures if not f.cumulative]
    pool = rounds or figures
    announced_fig = head_fig if head_fig.role == "announced" and head_fig in pool else next(
        (f for f in pool if f.role == "announced"), None)
    verified = [f for f in pool if f.role == "confirmed"] or [f for f in figures if f.role == "confirmed"]
    # of several running counts, one dated ("266 since 8 January") over an undated one ("383 since December")
    confirmed_fig = max(verified, key=lambda f: (f.since is not None, f.value)) if verified else None
    cums = [f.value for f in figures if f.cumulative and f.role == "confirmed"]
    if tally.value is not None:
        figures.append(_total_figure(tally))

    kind = "announcement" if head_fig.role == "announced" else "confirmation"
    if tally.value is not None and all(f.by_kind == OFFICIAL and f.disputed for f in figures if f.role != "total"):
        kind = "tally"  # a count still held beside an official figure the verifier cannot vouch for
    text, folded, title_end = item.text, item.folded, item.title_end
    names = tuple(freed_names(text, folded, item.spans, lexicon()))
    span = item.spans[head.sentence]
    confidence = min(0.99, head.strength + (0.1 if head.start < title_end else 0.0) + (0.1 if item.political else -0.2))
    return Extraction(
        kind=kind,
        released=head.value if kind != "tally" else None,
        announced=announced_fig.value if announced_fig else None,
        confirmed=confirmed_fig.value if confirmed_fig else None,
        cumulative=max(cums) if cums else None,
        total_prisoners=tally.value,
        prisons=base.prisons,
        orgs=base.orgs,
        names=names,
        lang=base.lang,
        prison_news=base.prison_news,
        confidence=round(max(confidence, 0.05), 2),
        announced_by=announced_fig.by if announced_fig else None,
        confirmed_by=confirmed_fig.by if confirmed_fig else None,
        total_by=tally.by,
        evidence=text[span[0]:span[1]].strip()[:500],
        figures=tuple(figures),
        # a verifier doubting "la cifra oficial" the item does not repeat still disputes it
        disputed=any(f.disputed for f in figures) or (
            not any(f.by_kind == OFFICIAL for f in figures) and doubts_official_figure(folded, item.spans, lexicon())),
    )


def _with_named_one(text: str, folded: str, span: Span, head: Mention) -> Mention:
    """'excarcelan al periodista X y a otros 4' frees 5, not 4."""
    lo, _hi = span
    before = folded[lo:head.start]
    if re.search(r"\b(otr[oa]s|other)\s*$", before) and SINGULAR.search(before):
        return replace(head, value=head.value + 1)
    return head

