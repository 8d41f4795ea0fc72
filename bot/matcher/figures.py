"""Every figure an item gives, with who gave it: an official body announces (never confirms), an
independent verifier confirms, the outlet counts for itself; running totals carry their start date,
official figures a verifier doubts are marked disputed.

Pure: reads the folded text, the numbers' roles and the gazetteer; never picks the headline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..figures import Figure, Role
from .cues import Span
from .lexicon import WORD, Lexicon, behind, grammar, one_of
from .parts import abroad, authorised, balance_entry, is_subgroup, official_figure, waiting, without_parts
from .roles import Mention
from .running import SAME_PERIOD, official_running_claim, parse_date, running_totals
from .speakers import INDEPENDENT, OFFICIAL, OUTLET, Speaker, Voice, speaker_of, voices

# Word lists from bot/data/grammar.toml (its comments say what each is for); what stands around
# each list is the rule's own structure and stays here.
_G = grammar()
# "entre el 8 y el 14 de enero", "del 8 al 14": the number may be a running span's date
_SPAN_START = re.compile(r"\b" + one_of((*_G.since_words, *_G.of_the_words)) + r"\s+(?:" + one_of(_G.singular_articles) + r"\s+)?$")
GOVERNMENT = Speaker("Gobierno", OFFICIAL, False)  # who authorises a release when no one is named


@dataclass(frozen=True)
class Said:
    """A release number of the item and the figure it gives."""

    mention: Mention
    figure: Figure


_THE_FIGURE = re.compile(r"\b" + one_of(_G.the_figure_before) + " " + one_of(_G.figure_nouns) + r"\b")


def attribute(folded: str, spans: list[Span], title_end: int, releases: list[Mention], totals: list[Mention],
              total: int | None, published: str | None, lex: Lexicon) -> list[Said]:
    """The release numbers that are figures of their own, each with its speaker, role, running
    span and dispute; subgroups, parts, weekly balance lines, people still waiting and numbers in
    a prison's name ("Zona 7") are left out."""
    everyone = voices(folded, lex, lex.finders)
    vs = [v for v in everyone if v.speaks]
    kept = [m for m in releases if not _in_a_name(folded, m, lex) and not abroad(folded, spans, m, lex)
            and not is_subgroup(folded, spans, m, releases, lex) and not waiting(folded, spans, m)
            and not balance_entry(folded, spans, m, total, lex)]
    spoken = {id(m): speaker_of(everyone, folded, spans[m.sentence], m.start, m.end) for m in kept}
    kept = without_parts(folded, spans, kept, spoken, lex)
    for m in kept:
        if spoken.get(id(m)) is None:
            spoken[id(m)] = _fallback(m, kept, spoken, vs, spans, title_end, folded, lex)
    _named_over_generic(folded, spans, kept, spoken, vs, lex)
    pub = parse_date(published)
    runs = running_totals(folded, spans, kept, totals, lex, pub)
    said = [Said(m, _figure(folded, spans, m, spoken.get(id(m)), runs.get(id(m)), vs, lex)) for m in kept]
    # the authorities' figure inferred for a number a verifier gives as walked out is that verifier's
    confirmed = {s.figure.value for s in said if s.figure.role == "confirmed"}
    said = [s for s in said if not (s.figure.role == "announced" and s.figure.value in confirmed
                                    and (spoken.get(id(s.mention)) or GOVERNMENT).kind != OFFICIAL)]
    said = _running_claims(folded, spans, said, lex)
    if _disputed(folded, spans, vs, lex) and any(s.figure.by_kind == OFFICIAL for s in said):
        said = [Said(s.mention, replace(s.figure, disputed=True)) if s.figure.by_kind == OFFICIAL else s
                for s in said]
    return _same_period(said)


def _running_claims(folded: str, spans: list[Span], said: list[Said], lex: Lexicon) -> list[Said]:
    """Where every verifier figure is a running count ("Foro Penal ha verificado 72 desde el 8 de
    enero"), an official total stated as done ("406 personas han sido excarceladas") is the
    government's running claim, not a round's figure: cumulative too."""
    verified = [s.figure for s in said if s.figure.role == "confirmed" and s.figure.by_kind == INDEPENDENT]
    if not verified or not all(f.cumulative for f in verified):
        return said
    claims = {s.figure.value for s in said if s.figure.by_kind == OFFICIAL
              and official_running_claim(folded, spans[s.mention.sentence], s.mention, lex)}
    # the title's "habla de 406" is the same claim as the lead's "406 han sido excarceladas"
    return [Said(s.mention, replace(s.figure, cumulative=True))
            if s.figure.by_kind == OFFICIAL and s.figure.value in claims else s for s in said]


def _in_a_name(folded: str, m: Mention, lex: Lexicon) -> bool:
    """'Zona 7', 'Rodeo 1', 'entre el 8 y el 14 de enero': the number is part of a prison's name
    or of a running span's date."""
    lo, hi = max(0, m.start - 60), min(len(folded), m.end + 40)
    patterns = [lex.finders["prison"].pattern]
    if _SPAN_START.search(folded, max(0, m.start - 30), m.start):
        patterns.append(lex.cues["running"])  # only a running span's date can hold the number
    return any(a.start() <= m.start < a.end() for pattern in patterns for a in pattern.finditer(folded, lo, hi))


def _tells(folded: str, v: Voice, hi: int, lex: Lexicon) -> bool:
    """A verb of saying or confirming within a few words after the speaker."""
    words = list(WORD.finditer(folded, v.end, min(hi, v.end + 120)))[:8]
    end = words[-1].end() if words else v.end
    return any(lex.cues[r].search(folded, v.end, end) for r in ("speech", "confirm", "announce"))


def speaker_for(folded: str, spans: list[Span], title_end: int, m: Mention, lex: Lexicon) -> Speaker | None:
    """Who gives a count (of prisoners still held): beside it, else the speaker of the sentences
    before ("It still counts 889 political prisoners")."""
    vs = [v for v in voices(folded, lex, lex.finders) if v.speaks]
    sp = speaker_of(vs, folded, spans[m.sentence], m.start, m.end)
    if sp is None:
        before = [v for v in vs if title_end <= v.start < spans[m.sentence][0]] or [
            v for v in vs if v.start < title_end]
        sp = before[-1].speaker if before else None
    return sp


def _named_over_generic(folded: str, spans: list[Span], kept: list[Mention], spoken: dict[int, Speaker | None],
                        vs: list[Voice], lex: Lexicon) -> None:
    """Relatives or lawyers give a number a named verifier gives too, or that one confirms
    afterwards ("The committee CLIPPVE confirmed the figure"): the named verifier confirms it."""
    _named_gives_it_too(kept, spoken)
    _the_lead_names_them(spans, kept, spoken, vs)
    _confirmed_afterwards(folded, spans, kept, spoken, vs, lex)


def _named_gives_it_too(kept: list[Mention], spoken: dict[int, Speaker | None]) -> None:
    """The same value from unnamed verifiers and from a named one: the named one's."""
    named = {m.value: sp for m in kept if (sp := spoken.get(id(m))) and sp.named and sp.kind == INDEPENDENT}
    for m in kept:
        sp = spoken.get(id(m))
        if sp is not None and not sp.named and sp.kind == INDEPENDENT and m.value in named:
            spoken[id(m)] = named[m.value]


def _the_lead_names_them(spans: list[Span], kept: list[Mention], spoken: dict[int, Speaker | None],
                         vs: list[Voice]) -> None:
    """The title's "lawyers" are those the lead names."""
    lead = [v for v in vs if len(spans) > 1 and spans[1][0] <= v.start < spans[1][1]]
    lead_named = [v.speaker for v in lead if v.speaker.named and v.speaker.kind == INDEPENDENT]
    for m in kept:
        sp = spoken.get(id(m))
        if m.sentence == 0 and lead_named and sp is not None and not sp.named and sp.kind == INDEPENDENT:
            spoken[id(m)] = lead_named[0]


def _confirmed_afterwards(folded: str, spans: list[Span], kept: list[Mention], spoken: dict[int, Speaker | None],
                          vs: list[Voice], lex: Lexicon) -> None:
    """A later sentence with no number of its own in which a named verifier confirms "the figure":
    the last figure before it, when no one named and no official gives it, is that verifier's (its
    value everywhere before that sentence)."""
    for si, (lo, hi) in enumerate(spans):
        if any(m.sentence == si for m in kept) or not _THE_FIGURE.search(folded, lo, hi):
            continue
        if not lex.cues["confirm"].search(folded, lo, hi):
            continue
        who = [v.speaker for v in vs if lo <= v.start < hi and v.speaker.named and v.speaker.kind == INDEPENDENT]
        earlier = [m for m in kept if m.sentence < si]
        if who and earlier:
            last = earlier[-1]
            sp = spoken.get(id(last))
            if sp is None or (not sp.named and sp.kind != OFFICIAL):
                for m in kept:
                    if m.value == last.value and m.sentence < si:
                        spoken[id(m)] = who[0]


def disputed(folded: str, spans: list[Span], lex: Lexicon) -> bool:
    """Does a verifier dispute or doubt an official figure in the item?"""
    return _disputed(folded, spans, voices(folded, lex, lex.finders), lex)


def _figure(folded: str, spans: list[Span], m: Mention, sp: Speaker | None, run: tuple[bool, str | None] | None,
            vs: list[Voice], lex: Lexicon) -> Figure:
    role = m.role
    if official_figure(folded, spans[m.sentence], m):
        role = "announced"  # "las 116 excarcelaciones oficiales", "61 de las 99 excarcelaciones"
        if sp is None or sp.kind != OFFICIAL:
            sp = GOVERNMENT
    if sp is not None and sp.kind == OFFICIAL:
        role = "announced"  # an official "we freed 225" is a claim, never a confirmation
    elif sp is not None and role == "announced" and not authorised(folded, spans[m.sentence], m, lex):
        role = "confirmed"  # a verifier "announcing" releases reports that they happened
    if role == "announced" and (sp is None or sp.kind != OFFICIAL):
        sp = GOVERNMENT  # a verifier or the outlet reports what the authorities authorised
    # said by no one: the outlet's own statement; no verifier's name is put on it
    cumulative, since = run if run else (False, None)
    return Figure(Role(role), m.value, sp.by if sp else None, sp.kind if sp else OUTLET, cumulative, since)


def _fallback(m: Mention, kept: list[Mention], spoken: dict[int, Speaker | None], vs: list[Voice],
              spans: list[Span], title_end: int, folded: str, lex: Lexicon) -> Speaker | None:
    """A number no speaker stands beside: the speaker of the same number elsewhere in the item,
    else (in the title) the subject of the lead, else the speaker of the sentences before."""
    for other in kept:
        sp = spoken.get(id(other))
        if other is not m and other.value == m.value and sp is not None:
            return sp
    body = [s for s in spans if s[0] >= title_end]
    if m.start < title_end and body:
        # the lead's speaker, if it tells or confirms something there (not "Foro Penal pidió la lista")
        lead = [v for v in vs if body[0][0] <= v.start < body[0][1] and _tells(folded, v, body[0][1], lex)]
        if lead:
            v = lead[0]
            named = [x for x in lead if x.speaker.named and x.speaker.kind == INDEPENDENT]
            if not v.speaker.named and v.speaker.kind == INDEPENDENT and named:
                v = named[0]
            return v.speaker
        return None
    before = [v for v in vs if title_end <= v.start < spans[m.sentence][0]]
    if before:
        sp = before[-1].speaker
        if (sp.kind == OFFICIAL) == (m.role == "announced"):
            return sp
    return None


def _same_period(said: list[Said]) -> list[Said]:
    """'... 538 in the same period': a running total told over the same period as another takes
    that one's start date."""
    starts = [s.figure.since for s in said if s.figure.since and s.figure.since != SAME_PERIOD]
    return [Said(s.mention, replace(s.figure, since=starts[0] if starts else None)) if s.figure.since == SAME_PERIOD
            else s for s in said]


_A_FIGURE = re.compile(r"\b" + one_of(_G.figure_nouns) + r"\b")
_NOT_YET = re.compile(r"\w*\s+" + one_of(_G.yet_words) + r"\b")  # "not verified yet"
_FIGURE_STEM = re.compile("|".join(_G.figure_stems))


def doubts_official_figure(folded: str, spans: list[Span], lex: Lexicon) -> bool:
    """A verifier disputes the official figure without repeating it ("CLIPPVE corrobora 63
    nombres y duda de la cifra oficial", "cuestiona la cifra del Gobierno", "doubts the
    government's figure"): a dispute word, then within a few words a figure word and an official
    body, in a sentence where a verifier speaks."""
    vs = voices(folded, lex, lex.finders)
    for lo, hi in spans:
        if not any(v.speaker.kind == INDEPENDENT and lo <= v.start < hi for v in vs):
            continue
        for m in lex.cues["dispute"].finditer(folded, lo, hi):
            if _no_dispute(folded, lo, m):
                continue
            end = min(hi, m.end() + 50)
            if _A_FIGURE.search(folded, m.end(), end) and any(
                    v.speaker.kind == OFFICIAL and m.end() <= v.start < end for v in vs):
                return True
    return False


def _no_dispute(folded: str, lo: int, m: re.Match[str]) -> bool:
    """'sin duda', 'no doubt', 'not yet verified': the dispute word disputes nothing."""
    before = WORD.findall(behind(folded, lo, m.start(), 30))[-2:]
    if any(w in _G.no_doubt for w in before):
        return True
    return bool(_NOT_YET.match(folded[m.end():m.end() + 20]))


def _disputed(folded: str, spans: list[Span], vs: list[Voice], lex: Lexicon) -> bool:
    """A verifier disputes, doubts or cannot verify an official figure; an outlet's "not yet
    verified" and a verifier's "could only confirm N" are no dispute."""
    for lo, hi in spans:
        for m in lex.cues["dispute"].finditer(folded, lo, hi):
            if _no_dispute(folded, lo, m):
                continue
            who = [v.speaker for v in vs if lo <= v.start < hi]
            if any(s.kind == INDEPENDENT for s in who) or _FIGURE_STEM.search(folded[lo:hi]):
                return True
    return False


