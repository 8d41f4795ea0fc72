"""Releases stated without a count: "dozens freed", "excarcelan al dirigente X". Read in the title
and the first sentences only, and only when no number in the item carries a release.

Pure; never invents a count other than 1 for one named person.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .binding.lists import _L as binding_lists
from .binding.lists import words as binding_words
from .cues import GENRE_TITLE, Span, common_prisoners, negated
from .entities import SINGULAR, foreign_subject, named_freed, names_joined
from .lexicon import WORD, Lexicon, behind, grammar, is_word, one_of


class NumberlessRelease(NamedTuple):
    """A release the item states without a count."""

    kind: str  # announcement | confirmation
    released: int | None  # 1 for one person named by role, else None
    sentence: int  # index of the sentence that says it


# Word lists from bot/data/grammar.toml (its comments say what each is for); what stands around
# each list is the rule's own structure and stays here.
_G = grammar()
# a role noun anywhere in the sentence: one person freed ("el periodista ... fue excarcelado")
_ROLE_WORD = re.compile(r"\b" + one_of(_G.one_person_words) + r"\b")
# plural nouns for prisoners: several people freed, even if one is named by role
_PLURAL = re.compile(r"\b" + one_of(_G.prisoners_plural) + r"\b")
# after a release word, people once freed now in some state: "82 excarcelados siguen en la lista"
_IN_SOME_STATE = re.compile(r"\w*\s+(\w+\s+){0,2}?" + one_of(_G.remain_after) + r"\b")
# after a release word, where those freed go is house arrest: "leaves military prison for house
# arrest", or a predicate joined to the release with no subject of its own, "sale de Ramo Verde y pasa
# a arresto domiciliario" (not "excarcelan a X y el exalcalde Y pasa a casa por cárcel")
_AND_WORD = r"\b" + one_of(_G.and_words) + r"\b"
_INTO_HOUSE_ARREST = re.compile(r"(?:(?!" + _AND_WORD + r")[^.;:,\d]){0,60}?(?:" + _AND_WORD + r"(?:\s+\w+){1,2}\s+|\b)"
                                + one_of(_G.into_words) + r"\s+" + one_of(_G.house_arrest_words) + r"\b")
# a release noun after a definite article or a demonstrative: given, not new
_GIVEN_BEFORE = re.compile(r"\b" + one_of((*_G.definite_articles, *_G.demonstratives, *_G.aforesaid)) + r"\s+$")
_GIVEN_RELEASE = re.compile(one_of(_G.given_releases))
_PREDICATED = re.compile(r"\s+" + one_of(binding_lists.predicated_of_releases, capture=False) + r"\b")
# a concession right before a release word, no pause between: the release is granted as background
_CONCEDED = re.compile(r"\b" + one_of(binding_lists.concessive) + r"\b[^,;:.]*$")
# a release word whose own relative clause denies it: "esperando excarcelaciones que no llegan"
_THAT_DO_NOT = re.compile(r"\s+" + one_of(binding_lists.figure_relatives, capture=False) + r"\s+(?:\w+\s+)?"
                          + one_of(binding_lists.not_words, capture=False) + r"\b")
# an open question: "does not say if anyone will be freed", "no precisó si habrá excarcelaciones"
_ASKED_IF = re.compile(r"\b" + one_of(binding_lists.asked_if) + r"\s+(?:[^\W\d][\w-]*\s+){0,3}$")
# "salen a pedir", "salieron a protestar": going out to do something (a form of "salir", "a", an infinitive)
_GOING_OUT = re.compile(one_of(binding_lists.going_out))
_GOES_OUT_TO = re.compile(r"\s+a\s+[^\W\d]+" + one_of(binding_lists.infinitive_endings, capture=False) + r"\b")
# house arrest, then "after"/"tras" before the release word: "under house arrest two days after leaving prison"
_HOUSE_ARREST_THEN = re.compile(r"\b" + one_of(_G.house_arrest_words) + r"\b[^.;:]{0,40}\b" + one_of(binding_lists.after_clause)
                                + r"\s+(?:[^\W\d][\w-]*\s+){0,2}$")
# a conditional of rumour in the release word's own clause, no "que" or relative pronoun before it:
# "el Gobierno prepararía una liberación masiva", "Maduro soltaría a los 10" (not "anunció que saldrían")
_RUMOURED = re.compile(r"^(?:(?!\b" + one_of(binding_lists.reported_openers, capture=False) + r"\b)[^,;:.\n])*?\b"
                       + one_of(binding_lists.rumour_conditionals, capture=False) + r"\b")
# a state before the release word: "personas bajo medidas cautelares"
_UNDER = re.compile(r"\b" + one_of(binding_lists.under_words, capture=False) + r"\s+$")
# hoped for or aimed at in the release word's stretch: "espera nuevas excarcelaciones", "una señal para liberar"
_HOPED_FOR = re.compile(r"\b" + one_of(binding_lists.hoped_for, capture=False) + r"\b[^,;:.]*$")
# a release word naming a law: "la ley de amnistía", "the amnesty bill"
_LAW_BEFORE = re.compile(r"\b" + one_of(binding_lists.law_before, capture=False) + r"\s+$")
_LAW_AFTER = re.compile(r"\s+" + one_of(binding_lists.law_after, capture=False) + r"\b")
# left out of the release: "quedar fuera de las liberaciones"
_EXCLUDED_FROM = re.compile(r"\b" + one_of(binding_lists.excluded_from, capture=False) + r"\s+(?:"
                            + one_of(_G.definite_articles, capture=False) + r"\s+)?$")
# held, right before "desde 2014": the time someone has been held
_HELD_SINCE = re.compile(r"\b" + one_of(binding_lists.held_since, capture=False) + r",?\s+$")
_CLAUSE_START = re.compile(r"[,;:.\n][^,;:.\n]*$")
# a verb of stopping in the release word's stretch, before it or right after it
_HALTED_BEFORE = re.compile(r"\b" + one_of(binding_lists.halted) + r"\b[^,;:.]*$")
_HALTED_AFTER = re.compile(r"\w*(?:\s+[^\W\d][\w-]*){0,2}?\s+" + one_of(binding_lists.halted) + r"\b")


def numberless_release(text: str, folded: str, spans: list[Span], title_end: int,
                        lex: Lexicon) -> NumberlessRelease | None:
    """A release stated without a count ("dozens freed", "excarcelan al dirigente X"), in the title
    or the first sentences."""
    cues = lex.cues
    for si, (lo, hi) in enumerate(s for s in spans if s[0] < title_end):
        homes = homecomings(folded, lo, hi, lex)
        if not _reports_release(folded, lo, hi, lex, homes):
            continue
        sentence = folded[lo:hi]
        # a homecoming tells it was someone held who came home
        prisoner = bool(cues["political"].search(sentence)) or any(
            is_word(cues["person"], w) for w in WORD.findall(sentence)) or bool(homes)
        named = len(named_freed(text, folded, lo, hi, lex))
        # one foreign national: "Venezuela liberó a un estadounidense, el misionero Joshua Holt"
        national = _one_national(text, folded, lo, hi, lex)
        prisoner = prisoner or national
        single = SINGULAR.search(sentence) or _ROLE_WORD.search(sentence) or named == 1 or national
        if not (prisoner or single or named):
            continue
        kind = "announcement" if cues["announce"].search(sentence) and not cues["confirm"].search(sentence) else "confirmation"
        plural = cues["vague"].search(sentence) or _PLURAL.search(sentence) or named > 1 or names_joined(text, folded, lo, hi, lex)
        return NumberlessRelease(kind, 1 if single and not plural else None, si)
    return None


# an article before a word (a demonym, lexicon.demonyms): "un estadounidense", "al estadounidense Gustavo Cárdenas"
_INDEFINITE = re.compile(r"\b" + one_of(_G.indefinite_articles) + r"\s+(?=([^\W\d][\w]*))")
_DEFINITE = re.compile(r"\b" + one_of(_G.one_person_articles) + r"\s+(?=([^\W\d][\w]*)\s+(\w))")


def _one_national(text: str, folded: str, lo: int, hi: int, lex: Lexicon) -> bool:
    """One person named by a country's demonym: after an indefinite article ("un estadounidense", "an
    American"), or a definite one with the person's name after it ("al estadounidense Gustavo
    Cárdenas"; not "regresa a la Argentina", the country, nor "the U.S.")."""
    demonyms = lex.demonyms
    return any(m.group(2) in demonyms for m in _INDEFINITE.finditer(folded, lo, hi)) or any(
        m.group(2) in demonyms and text[m.start(3)].isupper() for m in _DEFINITE.finditer(folded, lo, hi))


def _reports_release(folded: str, lo: int, hi: int, lex: Lexicon, homes: list[re.Match[str]]) -> bool:
    """Does the sentence [lo, hi) report a release (not a negated or demanded one), and nothing
    that makes it other news: a re-arrest, a transfer, a death, history, ordinary prisoners, a
    foreign country, an opposition promise, an opinion piece, a story, a film or a thing?"""
    cues = lex.cues
    told = [m for m in cues["release"].finditer(folded, lo, hi) if not negated(folded, m.start(), lo)]
    told += homes  # the sentence's homecomings of someone held (homecomings below)
    if not told:
        return False
    # people once freed, now in some state: "82 excarcelados siguen en la lista", "those freed remain
    # under measures"; or freed into house arrest
    if all(_IN_SOME_STATE.match(folded[m.end():m.end() + 40]) or _INTO_HOUSE_ARREST.match(folded[m.end():hi])
           for m in told):
        return False
    # conceded, stopped, going out to do something, after house arrest: "pese al indulto a 110, siguen 333
    # presos", "la falta de boletas frenó las excarcelaciones", "salen a pedir su libertad"
    if all(untold(folded, lo, m) for m in told):
        return False
    # asked for, not done: "exigen una lista de los excarcelados", "piden que las excarcelaciones sean masivas"
    if all(cues["demand"].search(folded, lo, m.end()) for m in told):
        return False
    # releases already known, the object of another verb ("Cabello atribuye a Maduro las
    # excarcelaciones"): news about them, not a new release
    if all(_backgrounded(folded, lo, m) for m in told) and not cues["confirm"].search(folded, lo, hi) \
            and not cues["announce"].search(folded, lo, hi):
        return False
    if any(cues[r].search(folded, lo, hi) for r in ("rearrest", "transfer", "harm")) or _history(folded, lo, hi, lex):
        return False
    if common_prisoners(folded, (lo, hi), lex):
        return False
    if _abroad(folded, lo, hi, lex):
        return False
    # the opposition as the subject promises releases ("la oposición promete liberar a los presos");
    # after the verb it describes the people freed ("releases opposition deputy Edgar Zambrano")
    if cues["opposition"].search(folded, lo, told[0].start()) and not cues["government"].search(folded, lo, hi):
        return False
    if GENRE_TITLE.match(folded[lo:hi]):
        return False
    # freed people telling their story; a film, a report or funds released; hostages, players freed
    return not (cues["narrative"].search(folded, lo, hi) or cues["media"].search(folded, lo, hi)
                or cues["not_prisoner"].search(folded, lo, hi))


# where a homecoming goes: Venezuela is a return from exile, not from prison ("regresa a Venezuela")
_TO_A_PLACE = re.compile(r"\s+(?:" + one_of(binding_lists.homecoming_to) + r"\s+)?(?:" + one_of(_G.definite_articles) + r"\s+)?")
_INFINITIVE = re.compile(r"\s+[^\W\d]+" + one_of(binding_lists.infinitive_endings, capture=False) + r"\b")


def homecomings(folded: str, lo: int, hi: int, lex: Lexicon) -> list[re.Match[str]]:
    """Homecomings in [lo, hi) that tell a release: someone arrives, flies or comes home, in a
    sentence that says they were held in Venezuela or, right after, for how long ("Lorent Saleh
    llega a Madrid tras cuatro años preso", "Americans held in Venezuela head home"); not a return
    to Venezuela, nor "vuelve a" + an infinitive ("vuelve a ser detenido": again)."""
    w = binding_words()
    out = []
    for m in w.homecoming.finditer(folded, lo, hi):
        if m.group().endswith(" a") and _INFINITIVE.match(folded, m.end()):
            continue
        to = _TO_A_PLACE.match(folded, m.end())
        if to is not None and lex.cues["venezuela"].match(folded, to.end()):
            continue
        if w.held_for.search(folded, m.end(), min(hi, m.end() + 120)) or w.held_in_venezuela.search(folded, lo, hi):
            out.append(m)
    return out


def _history(folded: str, lo: int, hi: int, lex: Lexicon) -> bool:
    """A sentence about years gone ("desde 2014", "a lo largo de"), not about someone held since then
    ("Rosmit Mantilla, preso desde 2014")."""
    return any(not _HELD_SINCE.search(folded, max(lo, m.start() - 25), m.start())
               for m in lex.cues["historical"].finditer(folded, lo, hi))


def conceded(folded: str, lo: int, at: int) -> bool:
    """A concession right before `at` (from lo on), no pause between: "pese al indulto a 110", "pese
    a tener boletas de excarcelación" grant the release as background to other news."""
    return bool(_CONCEDED.search(folded, max(lo, at - 40), at))


def untold(folded: str, lo: int, m: re.Match[str]) -> bool:
    """The release word `m` (from lo on) tells no release: granted as a concession, said to have
    stopped, "salir a" + an infinitive ("salen a pedir su libertad": go out to ask), or the release
    set after house arrest ("under house arrest two days after leaving prison"), asked about ("does
    not say if anyone will be freed"), denied by its own relative clause ("excarcelaciones que no
    llegan"), rumoured in the conditional ("prepararía una liberación masiva"), a state people are
    under ("personas bajo medidas cautelares"), hoped for or aimed at ("espera nuevas
    excarcelaciones", "una señal para liberar a"), the name of a law ("la ley de amnistía"), or what
    some are left out of ("quedan fuera de las liberaciones")."""
    return conceded(folded, lo, m.start()) or halted(folded, lo, m) or bool(
        (_GOING_OUT.match(m.group()) and _GOES_OUT_TO.match(folded, m.end()))
        or _HOUSE_ARREST_THEN.search(folded, max(lo, m.start() - 80), m.start())
        or _ASKED_IF.search(folded, max(lo, m.start() - 40), m.start())
        or _THAT_DO_NOT.match(folded, m.end())
        or _rumoured(folded, lo, m)
        or _UNDER.search(folded, max(lo, m.start() - 20), m.start())
        or _HOPED_FOR.search(folded, max(lo, m.start() - 40), m.end())
        or _LAW_BEFORE.search(folded, max(lo, m.start() - 20), m.start()) or _LAW_AFTER.match(folded, m.end())
        or _EXCLUDED_FROM.search(folded, max(lo, m.start() - 24), m.start()))


def _rumoured(folded: str, lo: int, m: re.Match[str]) -> bool:
    """The release word `m` (from lo on) stands in a clause whose verb is a conditional of rumour,
    with no "que" or relative pronoun before it that would make it reported speech: "el Gobierno
    prepararía una liberación masiva, según ABC", "Maduro soltaría a los 10 estadounidenses"; not
    "anunció que saldrían en libertad 24" (a promise, its speaker's announcement)."""
    start = max(lo, m.start() - 80)
    pause = _CLAUSE_START.search(folded, start, m.start())
    return bool(_RUMOURED.match(folded[pause.start() + 1 if pause else start:m.end()]))


def halted(folded: str, lo: int, m: re.Match[str]) -> bool:
    """The release word `m` is said to have stopped, in its own stretch (from lo on): "frenó las
    excarcelaciones", "se paralizó la salida de presos", "as promised releases stall"."""
    return bool(_HALTED_BEFORE.search(folded, max(lo, m.start() - 30), m.start())
                or _HALTED_AFTER.match(folded, m.end(), m.end() + 30))


def _backgrounded(folded: str, lo: int, m: re.Match[str]) -> bool:
    """A release noun with a definite article ("las excarcelaciones", "the releases"), or one a
    copula says something of ("releases were Maduro's decision"): given, not new."""
    given = _GIVEN_RELEASE.match(folded[m.start():m.end() + 14])
    return bool(given and (_GIVEN_BEFORE.search(behind(folded, lo, m.start(), 8))
                           or _PREDICATED.match(folded, m.start() + given.end())))


def _abroad(folded: str, lo: int, hi: int, lex: Lexicon) -> bool:
    """Another country's release: a country named and Venezuela not, or a country as the subject
    of the release verb."""
    return (lex.finders["country"].pattern.search(folded, lo, hi) is not None and not lex.cues["venezuela"].search(folded, lo, hi)) \
        or foreign_subject(folded, lo, hi, lex)
