"""Cue words around a number: how far the nearest cue of a role stands, and whether a release or
arrest word is cancelled (negated, only demanded, or merely describing people).

Pure functions of the folded text and the lexicon; they never decide a number's role themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .lexicon import WORD, Lexicon, behind, grammar, is_word, lexicon, longest_first, one_of

Span = tuple[int, int]  # (start, end) offsets of a sentence or any stretch of the text

# Word lists from bot/data/grammar.toml; the patterns' structure (what stands before and after
# the list) is the rule's and stays here.
_G = grammar()
_PARTICIPLE_NOUN = re.compile(one_of(_G.participle_nouns))
_DETAINEE_NOUN = re.compile(one_of(_G.detainee_nouns))
# a participle used as an adjective: followed by a place or a time, not after an auxiliary verb
_ATTRIBUTIVE = re.compile(one_of(_G.held_participles) + r"\s+" + one_of(_G.held_where) + r"\b")
_AUXILIARY = re.compile(r"\b" + one_of(_G.auxiliaries) + r"\s+$")
_RELATIVE = re.compile(one_of(_G.relative) + r"(\s+\w+){0,2}\s*$")
_PARTICIPLE_END = re.compile(r"(ad[oa]s?|id[oa]s?|ed)$")  # "detenidos", "jailed": a participle, as words end
# "liberar cupos", "frees up funds", "libera los fondos": the thing freed, after a particle or an article
_BEFORE_THING = frozenset((*_G.up_words, *_G.plural_articles))
# a title "Opinión: ...", "Interview - ...": an opinion or feature genre, not a report (lexicon.toml `genre`)
GENRE_TITLE = re.compile(r"\s*[\w ]{0,20}?(" + lexicon().cues["genre"].pattern + r")\s*[:|-]")


def tokens_before(folded: str, start: int, lo: int, n: int) -> list[str]:
    return WORD.findall(folded[lo:start])[-n:]


def tokens_after(folded: str, end: int, hi: int, n: int) -> list[str]:
    return WORD.findall(folded[end:hi])[:n]


def negated(folded: str, at: int, lo: int) -> bool:
    """Is the release word at `at` cancelled: negated ("no releases") or only asked for
    ("exige la liberación", "urge the release of")?"""
    cues = lexicon().cues
    before = WORD.findall(behind(folded, lo, at, 60))
    if any(is_word(cues["negation"], w) for w in before[-4:]):
        return True
    if cues["denial"].search(" ".join(before[-8:])):
        return True
    around = before[-3:] + WORD.findall(folded[at:at + 50])[1:4]
    if any(is_word(cues["media"], w) for w in around):
        return True  # "Provea releases annual report", "a documentary gets its US release"
    # "liberar cupos", "frees up funds": the thing freed is not a person
    nxt = WORD.findall(folded[at:at + 40])[1:3]
    if nxt and (is_word(cues["not_prisoner"], nxt[0]) or (nxt[0] in _BEFORE_THING and len(nxt) > 1
                                                         and is_word(cues["not_prisoner"], nxt[1]))):
        return True
    # "a freed political prisoner", "los excarcelados": a participle used as a noun or adjective
    if before and before[-1] in _G.articles and _PARTICIPLE_NOUN.match(folded[at:at + 12]):
        return True
    return bool(cues["demand"].search(" ".join(before[-4:])))


def descriptive(folded: str, at: int, lo: int) -> bool:
    """Is the arrest word at `at` describing the people ("personas detenidas tras las elecciones",
    "defendants, arrested in 2024", "who were jailed") rather than reporting an arrest?"""
    before = behind(folded, lo, at, 40)
    words = WORD.findall(before)
    if words and is_word(lexicon().cues["person"], words[-1]):
        return True  # "personas detenidas", "students held": who they are, not what happened
    if _ATTRIBUTIVE.match(folded, at) and not _AUXILIARY.search(before):
        return True  # "ciudadanos de EE. UU. detenidos en Venezuela", "Colombians held in Venezuela"
    if words and words[-1].isdigit():
        # "4 detenidos", "148 jailed protesters": a noun or an adjective for the people
        if _DETAINEE_NOUN.match(folded[at:at + 9]):
            return True
        words_at = WORD.findall(folded[at:at + 40])[:2]
        participle = bool(words_at and _PARTICIPLE_END.search(words_at[0]))
        if participle and len(words_at) > 1 and is_word(lexicon().cues["person"], words_at[1]):
            return True
    return bool(_RELATIVE.search(before))


# "33 of 87 authorised releases": the noun after a ratio belongs to both its numbers
_RATIO_GAP = re.compile(r"\s*" + one_of(_G.of_words) + r"\s+(?:" + one_of((*_G.plural_articles, *_G.demonstratives))
                        + r"\s+)?\d[\d.,]*\s+(\w+\s+)?")


_MONTHS = one_of(longest_first(_G.months))
# dates between a number and its word are no other count ("held over the July 28 vote had been released")
_DATES = re.compile(_MONTHS + r"\.?\s+\d{1,2}\b|\b\d{1,2}\s+(de\s+)?" + _MONTHS + r"|\b(19|20)\d\d\b")
_DIGIT = re.compile(r"\d")
_NUMBER_RUN = re.compile(r"\d[\d.,]*")
_JOINED = re.compile(r"(,|\b" + one_of(_G.and_words) + "|" + "|".join(_G.list_joiners) + r")\s+$")


def _in_a_list(gap: str) -> bool:
    """'65 hombres salieron de Tocorón, además de 3 mujeres ... y 3 adolescentes': every number
    between is the next item of a list, so the verb is shared."""
    return all(_JOINED.search(gap, 0, m.start()) for m in _NUMBER_RUN.finditer(gap))


def cue_distance(pattern: re.Pattern[str], folded: str, lo: int, hi: int, start: int, end: int,
                 negatable: bool = False, descriptive_ok: bool = False, own: bool = False) -> int | None:
    """Distance in words from the number at [start, end) to the nearest cue in [lo, hi). With
    `own`, a cue with another number between is that number's ("1.849 presos y ... las 956
    liberaciones"), unless the two make a ratio ("33 of 87 authorised releases")."""
    best: int | None = None
    for m in pattern.finditer(folded, lo, hi):
        if negatable and negated(folded, m.start(), lo):
            continue
        if descriptive_ok and descriptive(folded, m.start(), lo):
            continue
        if m.end() <= start:
            gap = folded[m.end():start]
        elif m.start() >= end:
            gap = folded[end:m.start()]
        else:
            gap = ""
        if own and _DIGIT.search(gap) and _DIGIT.search(_DATES.sub(" ", gap)) and not (
                _RATIO_GAP.fullmatch(gap) or _in_a_list(gap)):
            continue
        d = len(WORD.findall(gap))
        if best is None or d < best:
            best = d
    return best


@dataclass(frozen=True)
class Context:
    """One number and the words around it, within its sentence (clipped to [lo, hi))."""

    folded: str
    lo: int
    hi: int
    start: int  # the number stands at folded[start:end]
    end: int
    value: int | float
    after: list[str]  # the first words after the number
    before: list[str]  # the last words before it
    d: dict[str, int | None]  # role -> distance in words to the nearest cue

    def near(self, role: str, window: int = 12) -> bool:
        v = self.d[role]
        return v is not None and v <= window

    @cached_property
    def person_after(self) -> bool:
        """A noun for people follows ("33 presos", "12 more")."""
        return any(is_word(lexicon().cues["person"], t) for t in self.after_words[:3])

    @cached_property
    def after_words(self) -> list[str]:
        """The words after the number, up to the next number ("2 etapas: 459 excarcelaciones")."""
        out = []
        for w in self.after:
            if w[:1].isdigit():
                break
            out.append(w)
        return out

    @cached_property
    def political_after(self) -> bool:
        """Political prisoners follow ("866 presos políticos")."""
        political, after = lexicon().cues["political"], self.after
        return any(is_word(political, " ".join(after[i:i + 2])) or is_word(political, after[i])
                   for i in range(min(3, len(after))))


def common_prisoners(folded: str, span: Span, lex: Lexicon) -> bool:
    """Does the span speak of ordinary (not political) prisoners?"""
    lo, hi = span
    return bool(lex.cues["common"].search(folded, lo, hi)) and not lex.cues["political"].search(folded, lo, hi)
