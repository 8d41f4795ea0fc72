"""What else a number that counts releases may be: a part of the round, house arrest, another
country, an earlier round, a call or a promise, a bound, the authorities' figure quoted, the whole
a part is taken of, ordinary prisoners … The first reading that holds says why the number is not
sure (and, for some, that the item is no release news of now at all).

Pure: text in, readings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

from ..._text import NUMBER, parse_number
from ..cues import Span, common_prisoners
from ..lexicon import behind, lexicon, one_of, words_from
from ..speakers import INDEPENDENT, OFFICIAL, Speaker, countries_named, governments_abroad, voices
from .clauses import _DATE, _another_number, _last, hi_of
from .counts import _HELD_WORDS, _PART_OF_WHOLE, _PAUSE, _QUANTIFIED, _object_of_a_release, _predicate_follows
from .counts import nationals_of as _nationals_of
from .dates import _dated_earlier
from .lists import _AND, _G, _L, _OF, _PART_OF, _SPAN, _THE, _THE_PL, _THEM, _WHEN, _Words, words

_SINCE_YEAR = re.compile(r"\b" + one_of(_G.since_words) + r"\s+(" + one_of(_L.the_year, capture=False) + r"\s+)?(19|20)\d\d")
_WEEKLY = re.compile(r"\b" + one_of(_L.weekly) + r"\b")


_PLACE_WORDS = one_of(_L.place_nouns)
# a preposition of place (group 1), then perhaps an article: "en la", "in the", "desde"
_AT = re.compile(r"\b" + one_of(_G.place_words) + r"\s+(?:" + _THE + r"\s+)?")
_PLACE = re.compile(r"(" + one_of(_L.place_nouns_before, capture=False) + r" )?" + _PLACE_WORDS + r"(\s+\w+)?")
_DIGIT_OR_STOP = re.compile(r"\d|[;:]")
_DIGIT_OR_PAUSE = re.compile(r"\d|[,;:]")


_COMPOSITION = re.compile(r"\b" + one_of(_L.composition) + r"\b")


def _placed(folded: str, e: int, hi: int, prisons: re.Pattern[str]) -> str | None:
    """The place a count is tied to ("60 excarcelaciones en Tocuyito", "19 en el anexo", "3
    adolescentes de un centro de menores en La Guaira"), if any."""
    window = folded[e:min(hi, e + 80)]
    first = _DIGIT_OR_STOP.search(window)
    window = window[:first.start()] if first else window
    made_of = _COMPOSITION.search(window)  # "55 salidas, todas menos una desde Tocorón": what it is made of
    window = window[:made_of.start()] if made_of else window
    for m in _AT.finditer(window):
        for at in (e + m.end(), e + m.end(1) + 1):  # after the article, or with it ("La Crisálida")
            p = prisons.match(folded, at)
            if p is not None:
                return p.group()
            state = lexicon().cues["venezuela"].match(folded, at)  # "15 salieron en Lara, 13 en Zulia"
            if state and not state.group().startswith("venezuel"):
                return state.group()
        place = _PLACE.match(folded[e + m.end():e + m.end() + 40])
        if place:
            return place.group()
    # "65 hombres abandonaron Tocorón": the prison named right after, no count between
    p = prisons.search(folded, e, min(hi, e + 45))
    if p is not None and not _DIGIT_OR_PAUSE.search(folded[e:p.start()]):
        return p.group()
    return None


_OTHERS_BEFORE = re.compile(r"\b" + one_of(_L.others_before) + r"\s+$")


def _a_prison_part(folded: str, lo: int, hi: int, s: int, e: int, text: str) -> bool:
    """A count at one place in a sentence that counts at another place too ("60 en Tocuyito y
    otras 19 en el anexo femenino"), or "otras 4 en Rodeo I" beside a release at another prison:
    a part of the round, whose figure is their sum."""
    prisons = lexicon().finders["prison"].pattern
    mine = _placed(folded, e, hi, prisons)
    if mine is None:
        return False
    for m in NUMBER.finditer(text, lo, hi):
        if m.start() != s and (other := _placed(folded, m.end(), hi, prisons)) is not None and other != mine:
            return True
    if _OTHERS_BEFORE.search(behind(folded, lo, s, 15)):
        return any(p.group() != mine for p in prisons.finditer(folded, lo, hi))
    return False


def _prison_of(folded: str, lo: int, hi: int, s: int, e: int, prisons: re.Pattern[str]) -> str | None:
    """The one prison a count is told at: named after it ("15 releases from Rodeo I"), or before it
    in its sentence with no pause or other count between ("del penal Rodeo I apenas salieron 15")."""
    place = _placed(folded, e, hi, prisons)
    if place is not None:
        return place if prisons.fullmatch(place) else None
    # not across another clause ("huelga de hambre en el Rodeo I mientras Foro Penal cuenta 139")
    before = [p for p in prisons.finditer(folded, max(lo, s - _PRISON_REACH), s)
              if not _DIGIT_OR_PAUSE.search(folded, p.end(), s) and not _CONTRAST_OPENS.search(folded, p.end(), s)]
    return before[-1].group() if before else None


_PRISON_REACH = 120  # characters before a count where the prison it is told at may stand
_CONTRAST_OPENS = re.compile(r"\b" + one_of(_L.second_clause) + r"\b")


def one_part_of_more(folded: str, spans: Sequence[Span], counts: Sequence[tuple[int, int, int, int]],
                     title_end: int) -> set[int]:
    """Of the release counts (value, start, end, sentence), the starts of those told at one prison
    or, below the headline, of one group of people while the item tells a larger count not at that
    prison, not of that group: a part of a larger round ("Foro Penal reported 15 releases from Rodeo
    I" beside the ministry's 116 and the parties' 54; "the group had reported 16 teenagers released"
    beside 80). A headline's group is what the item is news of ("5 minors released, OVP says")."""
    prisons = lexicon().finders["prison"].pattern
    # the headline's group is the item's news, and so is the same count of it retold below
    # ("Fifteen journalists among latest prisoners freed" … "At least 15 reporters … have been let out")
    headline = {v for v, s, _e, _si in counts if s < title_end}
    placed = {s: _prison_of(folded, spans[si][0], spans[si][1], s, e, prisons)
              or (_group_of(folded, e) if s >= title_end and v not in headline else None) for v, s, e, si in counts}
    if not any(placed.values()):
        return set()
    # the largest count, and the largest told elsewhere than it: one pass, however many counts
    top = max(counts)
    other = max((c for c in counts if placed[c[1]] != placed[top[1]]), default=None)
    def larger_elsewhere(v: int, s: int) -> bool:
        best = top if placed[top[1]] != placed[s] else other
        return best is not None and best[0] > v
    return {s for v, s, _e, _si in counts if placed[s] is not None and larger_elsewhere(v, s)}


# the count's noun (perhaps after one word: "16 more teenagers") names a group by age or sex
_GROUP = re.compile(r"\s+(?:[^\W\d][\w-]*\s+)?(" + one_of(_L.group_nouns, capture=False) + r")\b")


def _group_of(folded: str, e: int) -> str | None:
    """The group of people by age or sex a count counts ("16 teenagers" -> "teenagers"), if any."""
    m = _GROUP.match(folded, e)
    return m.group(1) if m else None


# after the number: "12 de ellos", "of whom", "5 of them" (+ a time: "9 de ellas este fin de semana")
_OF_WHICH = re.compile(r"\s+" + _OF + r"\s+" + one_of((*_G.them_words, *_L.of_which)) + r"\b")
_OF_THEM = re.compile(r"\s+" + _OF + r"\s+" + _THEM + r"\b")
_OF_THEM_WHEN = re.compile(r"\s+" + _OF + r"\s+" + _THEM + r"\s+" + _WHEN)
_EXCLUDING = re.compile(r"\b" + one_of(_L.excluding) + r"\b")
_DEMANDED = re.compile(r"\b" + one_of(_L.demanded))
_OF_THE_BEFORE = re.compile(r"\b" + _OF + r"\s+(?:" + _THE_PL + r"\s+)?$")
_OWN_DEMANDED = re.compile(r"\s+(?:[^\W\d][\w-]*\s+)?" + one_of(_L.demanded))
# "60 de las salidas verificadas": a part of releases already counted
_OF_COUNTED_RELEASES = re.compile(r"\s+" + _OF + r"\s+(?:" + one_of((*_G.plural_articles, *_G.demonstratives)) + r"\s+"
                                  + one_of(_L.counted_releases) + r"\s+" + one_of(_L.counted_participles)
                                  # "60 de esas salidas ocurrieron el 25": a demonstrative points back to them
                                  + r"|" + one_of(_G.demonstratives) + r"\s+" + one_of(_L.counted_releases)
                                  # "4 de los excarcelados son estadounidenses", "seis de los estadounidenses liberados
                                  # eran …", "six of those released", "15 of the 36 people freed": some of the people
                                  # freed (a partitive of them)
                                  + r"|" + one_of((*_G.plural_articles, *_G.demonstratives))
                                  + r"\s+(?:\d[\d.,]*\s+)?(?:[^\W\d][\w-]*\s+){0,2}?" + one_of(_L.freed_people) + r"\b)")
_WHOLE_BEFORE = re.compile(r"(^|[^\w])(" + "|".join(_L.whole_before) + r")\s+$")
_FRONTED_OF = re.compile(r"(^|[:,])\s*" + _OF + r"\s+$")
_ONLY = re.compile(r"\b" + one_of(_L.only_words) + r"\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
_SET_AGAINST = re.compile(r"(^|[^\w])" + one_of(_G.set_against) + r"\s+(?:" + _THE_PL + r"\s+)?$")
_DOUBT_ENDS = re.compile(r"[,;]|\b" + one_of((*_G.and_words, *_L.but_words)) + r"\b")
# a count's own words, then the part of the day it is told at: "177 salidas se acordaron en la mañana"
_AT_DAY_PART = re.compile(r"[^\d;:.]{0,40}?\b" + one_of(_L.during) + r"\s+(?:" + one_of((*_G.singular_articles, *_G.this_day_before))
                          + r"\s+)?" + one_of(_G.day_parts) + r"\b")
_SPLIT_IN_TIME = re.compile(r"[\s\w]{0,30}?\b(" + one_of(_L.happened, capture=False) + r" )?" + one_of(_L.before_after) + r"\b")


@dataclass(frozen=True)
class _At:
    """One number that counts releases, in its clause, as the checks below read it."""

    folded: str
    a: int  # its clause: folded[a:b]
    b: int
    s: int  # the number: folded[s:e]
    e: int
    speaker: Speaker | None  # whose frame it stands in
    w: _Words
    pub: date | None  # the item's date
    title_end: int
    spans: Sequence[Span] = ()  # the item's sentences, to read a number's retellings in theirs

    @property
    def clause(self) -> str:
        return self.folded[self.a:self.b]

    @property
    def rest(self) -> str:
        """Its clause after it."""
        return self.folded[self.e:self.b]

    def before(self, reach: int) -> str:
        """Up to `reach` characters of its clause before it (whole words): folded[start_before(reach):s]."""
        return self.folded[self.start_before(reach):self.s]

    def start_before(self, reach: int) -> int:
        """Where before(reach) starts (a position in folded, for what is read off its matches)."""
        return words_from(self.folded, self.a, self.s - reach)

    @property
    def not_official(self) -> bool:
        return self.speaker is None or self.speaker.kind != OFFICIAL


def _a_part(n: _At) -> bool:
    """The cue before it ("de ellos, 12", "including 12 women") or right after it ("12 de ellos");
    not "104 excarcelaciones, entre ellas la de Kennedy Tejeda" (names some of them), nor "212 …
    desde el 8 de enero, 9 de ellas este fin de semana" (the round's latest)."""
    folded, a, b, s, e = n.folded, n.a, n.b, n.s, n.e
    sub = n.w.subgroup.search(folded, max(a, s - 25), s) or _OF_WHICH.match(n.rest)
    of_them = _OF_THEM.match(n.rest)
    own_release = of_them is not None and _predicate_follows(folded[e + of_them.end():b], 5, n.w)
    return bool(sub and not own_release and not _of_the_held(folded, e, s, b, n.w) and not (
        _OF_THEM_WHEN.match(folded[e:min(b, e + 50)]) and _SPAN.search(folded, a, s)) and not _said_political(n))


# the part's own words say it is the political one: "entre ellos 19 políticos", "de las cuales 19
# estaban detenidas por motivos políticos"
_POLITICAL_OWN = re.compile(r"[^.;:,\d]{0,60}?\b" + one_of(_L.political_words) + r"\b")


def _said_political(n: _At) -> bool:
    """The part is the political one of the count it is taken of (the round of political releases)."""
    own = _POLITICAL_OWN.match(n.folded, n.e, n.b)
    return own is not None and not n.w.negation.search(own.group())


def _house_arrest(n: _At) -> bool:
    """House arrest in its clause, not said of another count after it ("salgan 185 personas que
    estaban encarceladas y que otras 3.266 con … casa por cárcel obtengan la libertad plena")."""
    home = n.w.house_arrest.search(n.folded, n.a, n.b)
    if home is None or _EXCLUDING.search(behind(n.folded, n.a, home.start(), 40)):
        return False
    return not (home.start() > n.e and _another_count(n.folded[n.e:home.start()]))


def _another_count(text: str) -> bool:
    """A count in text ("3.266" too), not a year, a date or a length of time ("in 4 days")."""
    text = _DATE.sub(" ", _DURATION.sub(" ", text))
    return any(not (1900 <= (_value(m.group()) or 0) <= 2100) for m in NUMBER.finditer(text))


def _includes_lifted_measures(n: _At) -> bool:
    """The clause after the count says what it includes, and that is house arrest or other measures
    lifted ("3,200 fully freed, counting … people who had been under house arrest", "…, entre ellas
    179 … y miles que tenían medidas cautelares"): not releases from prison."""
    including = _INCLUDING.search(n.folded, n.e, min(hi_of(n.folded, n.e), n.b + 2))
    if including is None:
        return False
    end = hi_of(n.folded, including.end())
    stop = _INCLUSION_ENDS.search(n.folded, including.end(), end)  # "…, but not Leopoldo López, under house arrest"
    return bool(n.w.house_arrest.search(n.folded, including.end(), stop.start() if stop else end))


# the count's noun (perhaps after a word: "7.654 personas"), then that they benefited from a law
_LAW_BENEFICIARIES = re.compile(r"(?:\s+[^\W\d][\w-]*){0,2}?\s+" + one_of(_L.law_beneficiaries, capture=False) + r"\b")
_PRISONERS_AFTER = re.compile(r"\s+(?:[^\W\d][\w-]*\s+)?" + one_of(_L.beneficiary_prisoners, capture=False) + r"\b")


def _law_beneficiaries(n: _At) -> bool:
    """"7.654 personas se han beneficiado de la Ley de Amnistía: 247 estaban detenidas y 7.407 tenían
    medidas cautelares": the law's beneficiaries (people under measures too), not people freed; a count
    of prisoners who benefited ("110 presos se han beneficiado …") is another matter."""
    return bool(_LAW_BENEFICIARIES.match(n.folded, n.e)) and not _PRISONERS_AFTER.match(n.folded, n.e)


def _ordinary_prisoners(n: _At) -> bool:
    """Not a count of a country's nationals ("10 Americans freed by Venezuela land in Texas": theirs,
    whatever else the clause is about, a swap for migrants, a landing in Texas)."""
    lex = lexicon()
    return not _nationals(n.folded, n.e) and bool(
        n.w.not_political.search(n.clause) or common_prisoners(n.folded, (n.a, n.b), lex)
        or (n.s >= n.title_end and common_prisoners(n.folded, (0, n.title_end), lex)))


def _another_country(n: _At) -> bool:
    return _foreign(n.folded, n.a, n.b) or _held_abroad(n)


def _held_abroad(n: _At) -> bool:
    """"freed 2 young Venezuelans unjustly held in the United States", "252 of its nationals had been
    let out of CECOT": people held in another country, or let out of its prison, are that country's
    release, whoever they are."""
    held = _HELD_IN.match(n.folded, n.e, n.b) or _LET_OUT_OF.match(n.folded, n.e, n.b)
    if held is None:
        return False
    lex = lexicon()
    at = held.end()
    if lex.cues["venezuela"].match(n.folded, at):
        return False
    # a country with political prisoners of its own, or one whose government speaks for its nationals
    return bool(lex.finders["country"].pattern.match(n.folded, at) or countries_named(bare=True).match(n.folded, at))


def _nationals_of_another(n: _At) -> bool:
    """"Venezuela frees 6 Americans", "con 2 italianos entre los excarcelados": a count of another
    country's nationals is their government's to confirm; told by anyone else (the Venezuelan
    authorities who let them go, an NGO counting a round they are part of) it is not sure."""
    country = _nationals_counted(n.folded, n.s, n.e)
    return country is not None and (n.speaker is None or n.speaker.by != country)


NATIONALS = "foreign nationals (their own government's count)"


def nationals_speaker(folded: str, s: int, e: int, vs: Sequence[Speaker]) -> Speaker | None:
    """The government whose nationals the count counts, when it speaks in the item ("the White
    House said …" beside "Venezuela frees 7 jailed Americans"): the count is its count."""
    country = _nationals_counted(folded, s, e)
    return next((v for v in vs if v.by == country), None) if country else None


def _nationals_counted(folded: str, s: int, e: int) -> str | None:
    """The country whose nationals the count counts: its noun ("10 Americans"), or the same count
    told with that noun elsewhere in the item ("the 17 were released")."""
    return _nationals_of(folded, e) or _retold_nationals(folded, s, e)


def _a_foreign_government(n: _At) -> bool:
    """"while the United States freed 2 nephews of …": what a foreign government itself frees is its
    own release, not a Venezuelan one (its nationals that Venezuela lets go are another reading)."""
    if n.speaker is None or n.speaker.by not in governments_abroad():
        return False
    if _nationals_counted(n.folded, n.s, n.e) == n.speaker.by:
        return False
    before = n.before(60)
    doer = _last(countries_named(bare=True), before, 0, len(before))
    if doer is not None and _FREES.fullmatch(before, doer.end()):
        return True
    # by a pronoun for the speaker itself: "President Biden said … after he granted clemency to 2 nephews"
    pronoun = _last(_SUBJECT_PRONOUN, before, 0, len(before))
    if pronoun is not None and _FREES.fullmatch(before, pronoun.end()):
        return True
    # by another of its names: "in exchange for Washington freeing 2 nephews"
    lex = lexicon()
    return any(v.speaker.by == n.speaker.by and n.s - 60 <= v.end <= n.s and _FREES.fullmatch(n.folded, v.end, n.s)
               for v in voices(n.folded, lex, lex.finders))


def _obtained_from_another(n: _At) -> bool:
    """"the Venezuelan government said talks … had won the release of 2 young Venezuelans": what the
    authorities obtain from another country is that country's release, not theirs to announce."""
    return n.speaker is not None and n.speaker.kind == OFFICIAL and bool(_OBTAINED.search(n.before(50)))


_OBTAINED = re.compile(r"\b" + one_of(_L.obtained_release) + r"\s+" + _OF + r"\s+(?:\w+\s+){0,2}$")


# between a government named as the doer and the count: "freed", "has released", "liberó a"
_SUBJECT_PRONOUN = re.compile(r"\b" + one_of(_L.subject_pronouns) + r"\b")
_FREES = re.compile(r"(?:\s+" + one_of(_L.have_words, capture=False) + r")?\s+" + words().release_actions.pattern
                    + r"\s+(?:a\s+)?(?:" + one_of(_G.definite_articles, capture=False) + r"\s+)?")


def _retold_nationals(folded: str, s: int, e: int) -> str | None:
    """"the 17 were released" after "17 Colombian prisoners": a count with the definite article
    retells the same count told with its nationals' noun elsewhere in the item."""
    if not _THE_BEFORE.search(folded, max(0, s - 6), s):
        return None
    value = _value(folded[s:e])
    # the item's first numbers only: a hostile text of thousands stays linear
    return next((c for m in islice(NUMBER.finditer(folded), _RETOLD_REACH) if m.start() != s
                 and _value(m.group()) == value and (c := _nationals_of(folded, m.end())) is not None), None)


def _among_the_freed(n: _At) -> bool:
    """"39 activists among those let out", "2 italianos entre los excarcelados": some of a release;
    not where their own government counts its nationals ("según la cancillería española, 5 españoles
    figuran entre los excarcelados": its count, confirmed)."""
    return bool(_AMONG_THE_FREED.match(n.folded, n.e, n.b)) and not (
        n.speaker is not None and _nationals_counted(n.folded, n.s, n.e) == n.speaker.by)


def _beside_arrests(n: _At) -> bool:
    """"807 presos políticos después de 55 excarcelaciones y 9 arrestos": releases set beside
    arrests are a balance's line (its changes), not a round told."""
    arrest = lexicon().cues["arrest"]
    after = _AND_A_COUNT_AFTER.match(n.folded, n.e, n.b)
    before = _A_COUNT_AND_BEFORE.search(n.folded, max(n.a, n.s - 60), n.s)
    return bool(after and arrest.match(n.folded, after.end()) or before and arrest.match(n.folded, before.start(1)))


def _a_multiplier(n: _At) -> bool:
    """"more than 4 dozen opposition figures": the number multiplies, it does not count."""
    return bool(_MULTIPLIER.match(n.folded, n.e, n.b))


def _release_terms(n: _At) -> bool:
    """"listing only 2 release conditions", "3 rounds of release talks": the release word describes
    the noun counted, which is no person."""
    return bool(_RELEASE_TERMS.match(n.folded, n.e, n.b))


def _a_call(n: _At) -> bool:
    """The number stands in a call for releases: "piden la liberación de 30", "exigen ante la
    Fiscalía las 225 excarcelaciones anunciadas" (the demanded word before it, or its own noun)."""
    before = n.folded[n.a:n.s]
    ask = _last(n.w.demand, before)
    # its own noun only where the count is the demand's object (no pause between), not the complement
    # of another noun ("urged the authorities to publish the official list of the 120 people freed")
    return bool(ask and (_DEMANDED.search(before[ask.end():])
                         or (_OWN_DEMANDED.match(n.folded, n.e) and not _PAUSE.search(before, ask.end())
                             and not _OF_THE_BEFORE.search(before))))


_TOLD_TO_THEM = re.compile(r"\b" + one_of(_L.told_to_them) + r"\b[^;:.]{0,40}$")


def _told_to_them(n: _At) -> bool:
    """"les habían hablado de 14 liberados", "they were told 30 had been freed": what the speaker
    was told, by someone the item does not name, is not the speaker's count."""
    return bool(_TOLD_TO_THEM.search(n.before(80)))


_VAGUE_BEFORE = re.compile(r"\b" + one_of(_L.vague_before) + r"\s+$")


def _a_vague_quantity(n: _At) -> bool:
    """"the several thousand people rounded up", "several hundred prisoners": no count."""
    return _value(n.folded[n.s:n.e]) in (100, 1000) and bool(_VAGUE_BEFORE.search(n.before(20)))


def _a_bound(n: _At) -> bool:
    """A bound right before it, only quantifiers between ("hasta unos 3.000", "up to 500"), or who may
    be freed ("eligible")."""
    before = n.before(25)
    cue = _last(n.w.bound, before)
    if cue is not None and not _QUANTIFIED.sub("", before[cue.end():]).strip():
        return True
    return bool(n.w.eligible.search(before))


def _not_done_yet(n: _At) -> bool:
    """A promise told by a verifier or the outlet (the authorities' own promise is their announcement)."""
    return n.speaker is not None and n.speaker.kind != OFFICIAL and bool(
        n.w.future.search(n.folded[max(n.a, n.s - 40):min(n.b, n.e + 60)]) or _PROMISED_BEFORE.search(n.before(40)))


_PROMISED_BEFORE = re.compile(r"\b" + one_of(_L.promised_before) + r"\b")


def _an_earlier_round(n: _At) -> bool:
    """Told as another round: "last week", a date well before the item (or before a relative clause
    of time that holds it), the batch the news adds to ("que se añaden a los 5 excarcelados"), a
    figure given before ("an earlier figure of 80")."""
    return bool(_said_of_it(n, n.w.earlier, _DATES_A_PROCESS) or _JOINING_EARLIER.search(n.before(40))
                or _EARLIER_FIGURE.search(n.before(60))) or _dated_earlier(n.clause, n.pub) or _of_an_earlier_time(n)


def _said_of_it(n: _At, pattern: re.Pattern[str], not_after: re.Pattern[str] | None = None) -> bool:
    """A match of `pattern` in its clause, not nearer another count ("3 more Spaniards, on top of the
    5 released last week": the week is the five's), nor right after `not_after` (what it tells of
    instead: "the process announced last week")."""
    for m in pattern.finditer(n.folded, n.a, n.b):
        if not_after is not None and not_after.search(n.folded, max(n.a, m.start() - 40), m.start()):
            continue
        lo, hi = (m.end(), n.s) if m.end() <= n.s else (n.e, m.start())
        if not _another_count(n.folded[lo:hi]):
            return True
    return False


def _of_an_earlier_time(n: _At) -> bool:
    """A relative clause of the time named just before it ("en diciembre de 2025, cuando se
    produjeron 194 liberaciones"): that time dates its count."""
    rel = _TIME_RELATIVE.search(n.before(60))
    if rel is None:
        return False
    at = n.start_before(60) + rel.start()
    return _dated_earlier(behind(n.folded, n.a, at, 50), n.pub)


# a time relative opening the number's stretch: ", cuando se produjeron "
_TIME_RELATIVE = re.compile(r",\s*" + one_of(_L.time_relatives) + r"\b[^,;:]*$")
_EARLIER_FIGURE = re.compile(r"\b" + one_of(_L.earlier_figure) + r"\b[^.;,\d]{0,40}$")
# "the process announced last week", "la ley aprobada el mes pasado": the time dates the process
_DATES_A_PROCESS = re.compile(r"\b" + one_of(_L.dated_processes) + r"\s+\w+(?:ed|en|ad[oa]s?|id[oa]s?)\s+$")
_JOINING_EARLIER = re.compile(r"\b" + one_of(_G.joining_earlier) + r"\s+(?:" + _THE_PL + r"\s+)?$")


def _conceded(n: _At) -> bool:
    """A concession granted before the news: "pese al indulto a 110 personas, siguen 333 presos"."""
    return bool(_CONCESSIVE.search(n.folded, max(n.a, n.s - 40), n.s))


def _a_batch_before(n: _At) -> bool:
    """A batch the main clause follows: "40 leave today, after 39 were freed on Friday"."""
    return _after_a_batch(n.folded, n.a, n.s, n.w)


def _those_who_were_not(n: _At) -> bool:
    """Those who were not something: "de los 39 excarcelados, 16 no eran opositores"; or who are
    something, of a whole: "solo 50 de los 110 indultados están presos por motivos políticos"."""
    if _NOT_WHAT_IT_SAYS.match(n.folded, n.e, n.b):
        return True
    what = _OF_A_WHOLE_WHO_ARE.match(n.folded, n.e, n.b)
    return what is not None and not lexicon().cues["release"].match(n.folded, what.end())


def _and_others(n: _At) -> bool:
    """"5 ejecutivos de Citgo y otros 2 estadounidenses": the round is 7."""
    return bool(_AND_OTHERS_AFTER.match(n.folded, n.e, n.b)) or (
        bool(_AND_OTHERS_BEFORE.search(n.folded, max(n.a, n.s - 20), n.s)) and _another_number(n.folded[n.a:n.s]))


def _officials_quoted(n: _At) -> bool:
    """"la cifra oficial de 225", "the 99 the government announced": a verifier quoting the
    authorities' figure. The words before the number are its own only up to another number ("de
    las 79 liberaciones anunciadas solo 38": "anunciadas" is the 79's)."""
    before = n.before(30)
    other = _last(NUMBER, n.folded, max(n.a, n.s - 60), n.s)
    if other is not None and not _PHRASE_END.search(n.folded, other.end(), n.s):
        before = ""  # the words after another number, no joint between, are that number's
    own = before + " " + _own_phrase(n.folded, n.e, n.b)
    return n.speaker is not None and n.speaker.kind == INDEPENDENT and bool(n.w.official_figure.search(own))


# "23 personas …, de las cuales 19 estaban detenidas por motivos políticos", "23 prisoners, among them
# 19 political detainees": the part after the count, said to be the political one
_POLITICAL_PART = re.compile(r"[^.;:]{0,60}?\b" + one_of(_L.political_part_openers, capture=False) + r"\s+(?:[^\W\d][\w-]*\s+){0,3}?"
                             r"(?P<n>\d[\d.,]*)\b[^.;:\d]{0,60}?\b" + one_of(_L.political_words, capture=False))


def _political_part_after(n: _At) -> bool:
    """A count whose political part the sentence gives after it (a smaller count "of whom" said
    to be political prisoners): the whole counts others too, it is no count of political releases."""
    m = _POLITICAL_PART.match(n.folded, n.e, hi_of(n.folded, n.e))
    if m is None:
        return False
    whole, part = _value(n.folded[n.s:n.e]), _value(m.group("n"))
    return whole is not None and part is not None and part < whole


# the part said to be political after its whole: "de los 40 excarcelados, solo 20 son presos políticos"
_SAID_POLITICAL = re.compile(r"\s+(?:[^\W\d][\w-]*\s+){0,2}?" + one_of(_L.being) + r"\s+(?:[^\W\d][\w-]*\s+){0,2}?"
                             + one_of(_L.political_words) + r"\b")


def political_part(folded: str, whole_end: int, whole_why: str, s: int, e: int) -> bool:
    """The number at s is the political part of the count of releases ending at whole_end (its
    reading `whole_why`): "23 personas …, de las cuales 19 estaban detenidas por motivos políticos",
    "de los 40 excarcelados …, solo 20 son presos políticos". It counts the political releases."""
    if whole_why == POLITICAL_WHOLE:
        m = _POLITICAL_PART.match(folded, whole_end, hi_of(folded, whole_end))
        return m is not None and m.start("n") == s
    return whole_why == WHOLE_OF_A_PART and bool(_SAID_POLITICAL.match(folded, e, hi_of(folded, e)))


def _whole_of_a_part(n: _At) -> bool:
    """The 99 of "61 de las 99", the 2,400 of "225 of roughly 2,400"."""
    return n.not_official and bool(_PART_OF_WHOLE.search(n.before(40)))


def _of_counted_releases(n: _At) -> bool:
    """A part of releases counted already: "60 de las salidas verificadas ocurrieron el 25", "4 de
    los excarcelados son estadounidenses"."""
    return bool(_OF_COUNTED_RELEASES.match(n.folded[n.e:min(n.b, n.e + 60)]))


def _whole_before_a_part(n: _At) -> bool:
    """"de las 99 anunciadas, Foro Penal confirma 75"; fronted: "de 110 indultados solo 50 salieron"."""
    later = n.folded[n.e:hi_of(n.folded, n.e)]
    return n.not_official and _another_number(later) and bool(
        _WHOLE_BEFORE.search(n.before(12)) or (_FRONTED_OF.search(n.folded[n.a:n.s]) and _ONLY.search(later)))


def _over_years(n: _At) -> bool:
    since = _SINCE_YEAR.search(n.clause)
    pub = n.pub
    return since is not None and pub is not None and any(int(y) < pub.year - 1 for y in _YEAR.findall(since.group()))


def _weekly(n: _At) -> bool:
    return _said_of_it(n, _WEEKLY, _DATES_A_PROCESS)


def _a_question(n: _At) -> bool:
    return n.s >= n.title_end and "?" in n.clause


def _set_against(n: _At) -> bool:
    """A figure set against the one given: "431 excarcelaciones verificadas, no 897"."""
    return bool(_SET_AGAINST.search(n.before(20)))


def _hedged(n: _At) -> bool:
    """A count its own words doubt, a hedge between it and what is said of it ("esas 626 personas
    supuestamente liberadas", "the 626 supposedly freed"): the speaker does not give it."""
    return bool(_HEDGED.match(n.folded, n.e, n.b))


# the count's noun (a word or two) and then a hedge
_HEDGED = re.compile(r"(?:\s+[^\W\d][\w-]*){0,2}?\s+" + one_of(_L.hedges) + r"\b")


def _disputed(n: _At) -> bool:
    """A figure doubted: "questioned the figure of 225", "cuestiona las 116 excarcelaciones"."""
    doubt = _last(lexicon().cues["dispute"], n.before(50))
    return doubt is not None and not _DOUBT_ENDS.search(n.folded[n.start_before(50) + doubt.end():n.s])


def _split_in_time(n: _At) -> bool:
    """"459 came before the amnesty and 144 after it"; "177 salidas se acordaron en la mañana y 46 en
    la tarde": two counts of one clause, each told at its part of the day."""
    if _another_number(n.rest) and _SPLIT_IN_TIME.match(n.rest):
        return True
    if not _AT_DAY_PART.match(n.folded, n.e, n.b):
        return False
    # another count of the clause, near it, told at its part of the day
    lo, hi = max(n.a, n.s - _DAY_PART_REACH), min(n.b, n.e + _DAY_PART_REACH)
    return any(m.start() != n.s and _AT_DAY_PART.match(n.folded, m.end(), n.b) for m in NUMBER.finditer(n.folded, lo, hi))


def _a_breakdown(n: _At) -> bool:
    return _sums_to_another(n.folded, n.a, n.b, n.s, n.e)


def _a_breakdown_of_a_count_before(n: _At) -> bool:
    """"Foro Penal confirmó la salida de 20 presos políticos más … se trata de 15 venezolanos y 5
    extranjeros": the list of counts this one stands in (counts of one clause joined by commas or
    "y", a noun or two apart) adds up to a count of releases told before the clause: it is that
    count's breakdown, each a part of it. The whole list, not a run of it: "unas 45 salidas, de 27
    hombres, 15 mujeres y 3 adolescentes" breaks down 45, whatever 45 + 27 + 15 happens to make."""
    found = [m for m in NUMBER.finditer(n.folded, n.a, n.b) if (v := _value(m.group())) is not None and not 1900 <= v <= 2100]
    mine = next((i for i, m in enumerate(found) if m.start() == n.s), None)
    if mine is None or len(found) < 2 or len(found) > _MOST_NUMBERS:
        return False
    lo = hi = mine
    while lo > 0 and _LISTED.fullmatch(n.folded, found[lo - 1].end(), found[lo].start()):
        lo -= 1
    while hi + 1 < len(found) and _LISTED.fullmatch(n.folded, found[hi].end(), found[hi + 1].start()):
        hi += 1
    if lo == hi:
        return False
    whole = sum(_value(m.group()) or 0 for m in found[lo:hi + 1])
    return any(_value(m.group()) == whole and _counts_releases_said(n.folded, m.end(), min(len(n.folded), m.end() + 80), n.w)
               for m in NUMBER.finditer(n.folded, 0, n.a))


# between two counts of one list: a noun or two and a comma or "y" ("15 venezolanos y 5", "27 hombres, 15")
_LISTED = re.compile(r"(?=[^\d:;.]{1,30}$)[^\d:;.]*?(?:,|\s" + _AND + r"\s)[^\d:;.]*")


def _a_breakdown_elsewhere(n: _At) -> bool:
    """The same count told elsewhere in the item as a part of a breakdown of releases: "48
    Venezuelans freed" in the title of "57 released …: 48 Venezuelans and 9 Americans" is that part
    again (not when the whole counts something else: "4.151 beneficiados: 217 salieron y 3.934 …")."""
    token = n.folded[n.s:n.e]
    at, looked, found = n.folded.find(token), 0, 0
    # a few retellings at most, among a few dozen places the digits stand: hostile text repeats itself
    while at != -1 and looked < _ELSEWHERE_LOOKS and found < 12 * _ELSEWHERE_LOOKS:
        found += 1
        m = NUMBER.match(n.folded, at)
        if at != n.s and m is not None and m.group() == token:
            looked += 1
            i = bisect_right(n.spans, (at, len(n.folded))) - 1
            if i < 0:
                break
            a, b = n.spans[i]
            whole = _whole_of(n.folded, a, b, at)
            if whole is not None and _counts_releases_said(n.folded, whole.end(), b, n.w):
                return True
        at = n.folded.find(token, at + len(token))
    return False


_ELSEWHERE_LOOKS = 4


def _counts_releases_said(folded: str, e: int, b: int, w: _Words) -> bool:
    """Do the words right after a number say it counts releases ("57 released people", "31 también
    salió", "los 110 indultados")?"""
    phrase = _own_phrase(folded, e, b)
    return any(p.search(phrase) for p in (w.release_nouns, w.release_predicates, w.release_actions))


# What else the number may be, in the order asked: the first that holds is its reading, so where
# two hold, the earlier one's words are the reason given (and extraction reads some of them to
# tell an item that is no release news of now: "an earlier round", "house arrest" …).
LIFTED_MEASURES = "lifted measures counted in (not releases from prison)"
POLITICAL_WHOLE = "not political prisoners (a whole whose political part is given)"
WHOLE_OF_A_PART = "the whole a part is taken of"
_CHECKS: tuple[tuple[str, Callable[[_At], bool]], ...] = (
    ("a part of the round", _a_part),
    ("house arrest", _house_arrest),
    (LIFTED_MEASURES, _includes_lifted_measures),
    ("a law's beneficiaries, not people freed", _law_beneficiaries),
    ("not political prisoners", _ordinary_prisoners),
    (POLITICAL_WHOLE, _political_part_after),
    ("another country", _another_country),
    (NATIONALS, _nationals_of_another),
    ("another government's count (not of its nationals)", _a_foreign_government),
    ("another country (a release the authorities won from it)", _obtained_from_another),
    ("a part of the round (among those freed)", _among_the_freed),
    ("a balance line (releases beside arrests)", _beside_arrests),
    ("a multiplier, not a count", _a_multiplier),
    ("a vague quantity, not a count", _a_vague_quantity),
    ("it counts a release's terms, not people", _release_terms),
    ("a call for releases", _a_call),
    ("hearsay (told to its speaker by someone unnamed)", _told_to_them),
    ("a bound, not a count", _a_bound),
    ("not done yet", _not_done_yet),
    ("an earlier round", _an_earlier_round),
    ("a figure set against, not given", _conceded),
    ("an earlier round (a batch the main clause follows)", _a_batch_before),
    ("a part of the round (those who were not)", _those_who_were_not),
    ("a part of the round (and others)", _and_others),
    ("the authorities' figure quoted", _officials_quoted),
    (WHOLE_OF_A_PART, _whole_of_a_part),
    ("a part of releases already counted", _of_counted_releases),
    (WHOLE_OF_A_PART, _whole_before_a_part),
    ("a total over years, not a round", _over_years),
    ("a line of a weekly balance", _weekly),
    ("a question", _a_question),
    ("a figure set against, not given", _set_against),
    ("a figure disputed, not given", _disputed),
    ("a figure disputed, not given", _hedged),
    ("a part of a split in time", _split_in_time),
    ("a part of a breakdown", _a_breakdown),
    ("a part of a breakdown given elsewhere", _a_breakdown_elsewhere),
    ("a part of a breakdown of a count before", _a_breakdown_of_a_count_before),
)


def _competing(folded: str, a: int, b: int, s: int, e: int, speaker: Speaker | None, w: _Words,
               pub: date | None, title_end: int, spans: Sequence[Span] = ()) -> str:
    """Why the number may be something else than this round's releases, or "": the first of the
    checks above that holds."""
    at = _At(folded, a, b, s, e, speaker, w, pub, title_end, spans)
    return next((why for why, holds in _CHECKS if holds(at)), "")


# a concession: what the clause grants is set against its news ("pese al indulto a 110, siguen 333")
_CONCESSIVE = re.compile(r"\b" + one_of(_L.concessive) + r"\s+[^,;:.\d]{0,30}$")
# a subordinate clause set before the main one: its count is an earlier batch
_AFTER_CLAUSE = re.compile(r"\b" + one_of(_L.after_clause) + r"\s+(?:[^\W\d][\w-]*\s+){0,3}$")


def _of_the_held(folded: str, e: int, s: int, b: int, w: _Words) -> bool:
    """"keeping around 270 activists behind bars …, it would free 80 of them": a count "of them" whose
    them are people held is the round (who go free of those held), not a part of another release;
    but when a release is said of those people ("27 de los detenidos han salido, 20 de ellos
    adolescentes", "fueron excarcelados otros 24 presos, 2 de ellos italianos"), them are the freed,
    and the count of them is a part."""
    if not _OF_THEM.match(folded[e:b]):
        return False
    last = _last(NUMBER, folded, max(0, s - 250), s)
    # (a release said before them counts them freed too: "fueron excarcelados otros 24 presos, 2 de ellos …")
    return last is not None and bool(_HELD_WORDS.search(folded, last.end(), min(s, last.end() + 40))) \
        and not _predicate_follows(folded[last.end():s], 6, w) \
        and not _object_of_a_release(folded, max(0, s - 250), last.start(), folded[last.end():s], w)


def _nationals(folded: str, e: int) -> bool:
    """The number counts a foreign country's nationals: "10 Americans", "5 ciudadanos españoles"."""
    return _nationals_of(folded, e) is not None


# the count's noun, perhaps a word on it, then "held in" (the country at the match's end, after an article)
_HELD_IN = re.compile(r"(?:\s+[^\W\d][\w-]*){0,3}?\s+" + one_of(_G.held_participles) + r"\s+" + one_of(("in", "en"))
                      + r"\s+(?:" + _THE + r"\s+)?")
# a release, then where from: "252 of its nationals had been let out of CECOT", "salieron del Cecot"
_LET_OUT_OF = re.compile(r"[^\d.;:]{0,60}?(?:" + lexicon().cues["release"].pattern + r"|" + words().release_predicates.pattern
                         + r")\s+" + one_of(_L.out_of) + r"\s+(?:" + _THE + r"\s+)?")
# a clause that says what a count includes: ", counting both …", ", entre ellas …", ", including …"
_INCLUDING = re.compile(r",\s*" + one_of(_L.including) + r"\b")
_INCLUSION_ENDS = re.compile(r";|\b" + one_of((*_L.but_words, *_L.while_words)) + r"\b")
_DURATION = re.compile(r"\d[\d.,]*\s+" + one_of(_L.duration_units) + r"\b")
_RETOLD_REACH = 60
_DAY_PART_REACH = 150
_THE_BEFORE = re.compile(r"\b" + _THE_PL + r"\s+$")
# "2 italianos entre los excarcelados", "39 activists among those let out": words, then "among the freed"
_AMONG_THE_FREED = re.compile(r"(?:\s+[^\W\d][\w-]*){0,3}?\s+" + one_of(_G.among_words) + r"\s+(?:"
                              + one_of((*_G.plural_articles, *_G.demonstratives), capture=False) + r"\s+)?"
                              + one_of(_G.among_freed) + r"\b")
# "55 excarcelaciones y 9 arrestos" (the next count's noun at the match's end) ...
_AND_A_COUNT_AFTER = re.compile(r"\s+[^\W\d][\w-]*\s+" + _AND + r"\s+\d[\d.,]*\s+")
# ... "9 arrestos y 55 excarcelaciones", "dos nuevos arrestos y 14 excarcelaciones" (the earlier count's noun in group 1)
_A_COUNT_AND_BEFORE = re.compile(r"\d[\d.,]*\s+(?:[^\W\d][\w-]*\s+)?([^\W\d][\w-]*)\s+" + _AND + r"\s+$")
_RELEASE_TERMS = re.compile(r"\s+(?:[^\W\d][\w-]*\s+){0,2}?" + one_of(_L.release_terms_before) + r"\s+"
                            + one_of(_L.release_terms) + r"\b")
_MULTIPLIER = re.compile(r"\s+" + one_of(_L.multipliers) + r"\b")


def _after_a_batch(folded: str, a: int, s: int, w: _Words) -> bool:
    """"said 40 activists were leaving prison on Saturday, after 39 were released on Friday": the
    count of a clause set after another batch told released in the same sentence is the earlier
    batch (not "the count passes 600 after 23 freed on Thursday": 600 is a running count)."""
    cue = _AFTER_CLAUSE.search(folded, max(a, s - 40), s)
    if cue is None:
        return False
    last = _last(NUMBER, folded, a, cue.start())
    if last is None:
        return False
    told = folded[last.end():cue.start()]
    running = _SPAN.search(told) or lexicon().cues["cumulative"].search(folded, a, cue.start())
    # the main clause's count is of releases, or of arrests ("13 nuevas detenciones tras la excarcelación
    # de 13 presos": the news is the arrests, the releases came before)
    return bool(w.release_predicates.search(told) or w.release_inverted.search(told)
                or (lexicon().cues["arrest"].search(told) and not _HELD_WORDS.search(told))) and not running


# "16 no eran opositores", "10 were not political prisoners": those who were not something
_NOT_WHAT_IT_SAYS = re.compile(r"(?:\s+[^\W\d][\w-]*){0,2}?\s+" + one_of(_L.not_words) + r"\s+" + one_of(_L.copulas) + r"\b")
# "50 de los 110 indultados están …", "12 of the 40 freed are …" (then what they are, at the match's end)
_OF_A_WHOLE_WHO_ARE = re.compile(r"\s+" + _OF + r"\s+(?:" + _THE_PL + r"\s+)?\d[\d.,]*(?:\s+[^\W\d][\w-]*){0,2}?\s+"
                                 + one_of(_L.being) + r"\s+")
# one count of a pair, "N X y (de) otros M Y": the two add up to the round
_AND_OTHERS = (r"\s" + _AND + r"\s+(" + one_of(_L.object_markers) + r"\s+)?" + one_of(_G.others_words) + r"\s+")
_AND_OTHERS_AFTER = re.compile(r"[^\d;:.]{0,50}?" + _AND_OTHERS + r"\d")
_AND_OTHERS_BEFORE = re.compile(_AND_OTHERS + r"$")


def _sums_to_another(folded: str, a: int, b: int, s: int, e: int) -> bool:
    """"21 presos, 8 estadounidenses y 13 venezolanos": a number that, with its neighbours after
    a larger one, adds up to it is a part of the larger one."""
    return _whole_of(folded, a, b, s) is not None


def _whole_of(folded: str, a: int, b: int, s: int) -> re.Match[str] | None:
    """The larger number the one at `s` adds up to with its neighbours after it, if any: the first
    number before it whose run of two or more numbers after it, through this one, sums to it."""
    found = [(m, v) for m in NUMBER.finditer(folded, a, b) if (v := _value(m.group())) is not None and not 1900 <= v <= 2100]
    mine = next((i for i, (m, _v) in enumerate(found) if m.start() == s), None)
    if mine is None or len(found) > _MOST_NUMBERS:  # no breakdown reads like a list of a hundred numbers
        return None
    for i in range(mine):
        whole, total = found[i][1], 0
        for j in range(i + 1, len(found)):  # the run found[i + 1 .. j]
            total += found[j][1]
            if total > whole:
                break  # counts are not negative: the run only grows
            if j >= mine and j >= i + 2 and total == whole:
                return found[i][0]
    return None


_MOST_NUMBERS = 80


def _value(token: str) -> int | None:
    try:
        v = parse_number(token)
    except ValueError:
        return None
    return v if isinstance(v, int) else None


_PHRASE_END = re.compile(r"[,;:]|\s" + one_of((*_G.and_words, *_L.but_words, *_L.while_words)) + r"\s|\s" + _PART_OF
                         + r"\s+(" + _THE_PL + r"\s+)?\d")


def _own_phrase(folded: str, e: int, b: int) -> str:
    """The words after a number up to its clause's next joint: its noun phrase and what is said of it
    (not the whole it is a part of: "52 excarcelaciones de las 99 que anunció el gobierno")."""
    m = _PHRASE_END.search(folded[e:b])
    return folded[e:e + m.start()] if m else folded[e:b]


def _foreign(folded: str, a: int, b: int) -> bool:
    lex = lexicon()
    if not lex.finders["country"].pattern.search(folded, a, b):
        return False
    return not lex.cues["venezuela"].search(folded, a, b) and not lex.finders["prison"].pattern.search(folded, a, b)
