"""bind(): every number of an item with what the grammar makes of it, a Bound: whether it counts
releases (counts), whose frame it stands in and whose figure it is (frames, agents), and what else
it may be (competing, dates); a count joined by "y" to a count of releases before it counts
releases too.

Pure: text in, readings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..._text import NUMBER, parse_number
from ...figures import Role
from ..cues import Span
from ..lexicon import behind, lexicon, one_of
from ..running import parse_date
from ..speakers import INDEPENDENT, OFFICIAL, OUTLET, Speaker, Voice
from .agents import _agent
from .clauses import _clause, _last, _tokens
from .competing import LIFTED_MEASURES, NATIONALS, _a_prison_part, _competing, nationals_speaker, one_part_of_more, political_part
from .counts import _ARRESTED, _HELD_WORDS, _QUANTIFIED, _REMAIN, _counts_releases, _elided, named_and_others
from .dates import _not_a_count
from .frames import GOVERNMENT, _frame, _known, gapped, promised_by, voiced
from .lists import _AND, _G, _L, _OF, _THE, _THEM, _WHEN, _Words, words

# why a count of releases is not sure when only its speaker is unknown
NO_SPEAKER = "no known speaker in its frame"
NO_NAMED_SPEAKER = "no known speaker: organisations the text does not name"
SPEAKER_UNKNOWN = (NO_SPEAKER, NO_NAMED_SPEAKER)


@dataclass(frozen=True)
class Bound:
    """What the grammar makes of one number of an item."""

    value: int
    start: int
    end: int
    sentence: int
    counts: str  # release | other: what the words around it say it counts
    speaker: Speaker | None  # whose frame it stands in
    sure: bool
    why: str  # why it is not sure ("" when it is)
    quote: str  # the sentence it came from
    clause: Span = (0, 0)  # the clause it stands in
    named_figure: bool = False  # the speaker is the one a figure is named after ("la lista oficial de las 99")
    named: int = 0  # people named beside the count of others it adds to its value ("Carreño y otros 4": 1)
    antecedent: int | None = None  # where the count stands whose noun (and span) a bare number takes

    @property
    def told(self) -> bool:
        """A count of releases nothing else reads it as: sure, or sure but for whose it is."""
        return self.counts == "release" and (self.sure or self.why in SPEAKER_UNKNOWN)

    @property
    def role(self) -> Role | None:
        if self.speaker is None:
            return None
        return Role.ANNOUNCED if self.speaker.kind == OFFICIAL else Role.CONFIRMED


def bind(text: str, folded: str, spans: list[Span], title_end: int, published: str | None,
         vs: list[Voice]) -> list[Bound]:
    """Every number of the item with what its grammar makes of it (see the package docstring)."""
    w = words()
    pub = parse_date(published)
    out: list[Bound] = []
    vs = _known(folded, vs, spans, w)
    prisons = lexicon().finders["prison"].pattern
    venezuelan = bool(w.held_in_venezuela.search(folded) or w.venezuela_frees.search(folded, 0, title_end))
    for si, (lo, hi) in enumerate(spans):
        for m in NUMBER.finditer(text, lo, hi):
            value = _count_value(m.group())
            if value is None:
                continue
            s, e = m.start(), m.end()
            quote = text[lo:hi].strip()[:500]
            if _not_a_count(folded, lo, hi, s, e, value, prisons):
                out.append(Bound(value, s, e, si, "other", None, False, "not a count", quote, (lo, hi)))
                continue
            a, b = _clause(folded, lo, hi, s)
            counts, antecedent = _what_it_counts(folded, spans, si, a, b, s, e, out, w)
            # "Foro Penal cuenta 139 excarcelados y la PUD 155": the second subject's count of the same
            told = next((x for x in reversed(out) if x.sentence == si and x.counts == "release" and x.sure), None)
            gap = gapped(folded, lo, s, e, vs, told.speaker if told else None)
            if gap is not None and told is not None:
                counts, antecedent = "release", told.start
            # "liberan a Roland Carreño y a otros 4": the round is the others and the people named
            named = named_and_others(text, folded, a, s, e, w)
            if named:
                counts, value = "release", value + named
            agent = _agent(folded, s, e, b, vs)
            # "las 110 personas indultadas por el gobierno": the agent's figure, else the frame's
            speaker = agent if agent is not None else gap.speaker if gap is not None else _frame(
                folded, a, b, lo, hi, s, e, vs, w, title_end, spans, si)[0]
            if speaker is not None and speaker.kind not in (OFFICIAL, INDEPENDENT, OUTLET):
                speaker = None
            if counts == "release" and agent is None:
                # a release still to come is its promiser's figure, whoever reports the promise
                speaker = promised_by(text, folded, a, s, vs, w) or speaker
                # a pardon is the state's act: its count is the authorities' figure, whoever tells it
                if (speaker is None or speaker.kind != OFFICIAL) and _pardoned(folded, a, s):
                    speaker = GOVERNMENT
            why = "" if counts == "release" else "it does not count releases"
            if not why:  # what else it may be comes first: it says whether the item is release news at all
                why = _competing(folded, a, b, s, e, speaker, w, pub, title_end, spans)
            if why == NATIONALS and s < title_end and venezuelan and (
                    own := nationals_speaker(folded, s, e, [v.speaker for v in vs if voiced(folded, v, w)])):
                # a headline's count of a country's nationals, that country's government speaking in
                # the item ("Venezuela frees 7 jailed Americans …; the White House said …"): its count
                speaker, why = own, _competing(folded, a, b, s, e, own, w, pub, title_end, spans)
            why = why or _unbound(folded, text, lo, hi, s, e, speaker, antecedent, out)
            if not why and _a_joint_range(folded, a, b, s, vs):
                why = "one end of a range two speakers give together (whose end is whose is not said)"
            out.append(Bound(value, s, e, si, counts, speaker, not why, why, quote, (a, b), agent is not None, named,
                             antecedent))
    return _read_as_a_whole(folded, spans, title_end, out)


# "tras el indulto a los 110 civiles", "pardoned 26 prisoners": the count is the pardon's object
_PARDON_BEFORE = re.compile(r"\b" + one_of(_L.pardon_before, capture=False) + r"\s+(?:" + one_of(_L.quantifiers, capture=False)
                            + r"\s+)?$")


def _pardoned(folded: str, a: int, s: int) -> bool:
    """Is the count at s (its clause from a) the object of a pardon?"""
    return bool(_PARDON_BEFORE.search(folded, max(a, s - 40), s))


def _unbound(folded: str, text: str, lo: int, hi: int, s: int, e: int, speaker: Speaker | None,
             antecedent: int | None, earlier: list[Bound]) -> str:
    """Why a count of releases with no other reading is still not bound, or "": no known speaker,
    the noun of an earlier round, one prison of several."""
    if speaker is None:
        return NO_SPEAKER
    if speaker.unnamed_organisations:
        return NO_NAMED_SPEAKER
    if antecedent is not None and any(x.start == antecedent and "earlier" in x.why for x in earlier):
        return "an earlier round (its noun is that round's)"  # "At Christmas … 99. Foro Penal had registered 61"
    if _a_prison_part(folded, lo, hi, s, e, text):
        return "a part of the round (one prison of several)"
    return ""


def _read_as_a_whole(folded: str, spans: list[Span], title_end: int, out: list[Bound]) -> list[Bound]:
    """What the item as a whole makes of its numbers: a count at one prison or of one group beside a
    larger round is a part; a headline's count the body shows to be lifted measures is none. (An item
    about another country is no release news at all: extraction.py never binds it.)"""
    told = [x for x in out if x.told]
    parts = one_part_of_more(folded, spans, [(x.value, x.start, x.end, x.sentence) for x in told], title_end)
    # a headline retells its lead: a count the body shows to be lifted measures is no release above it either
    lifted = {x.value for x in out if x.start >= title_end and x.why in ("house arrest", LIFTED_MEASURES)}
    return [replace(x, sure=False, why="a part of the round (one prison or group of a larger round)") if x.sure and x.start in parts
            else replace(x, sure=False, why=LIFTED_MEASURES) if x.sure and x.start < title_end and x.value in lifted
            else x for x in out]


def _count_value(token: str) -> int | None:
    """The value of a number that may count people: a whole number from 1 to 999,999."""
    try:
        value = parse_number(token)
    except ValueError:
        return None
    return value if isinstance(value, int) and 0 < value < 1_000_000 else None


def _what_it_counts(folded: str, spans: list[Span], si: int, a: int, b: int, s: int, e: int, earlier: list[Bound],
                    w: _Words) -> tuple[str, int | None]:
    """"release" or "other", and where the count stands whose noun a bare number takes (its
    antecedent: "… 344 excarcelaciones, mientras que la PUD habla de 349"), if it takes one."""
    if _counts_releases(folded, a, b, s, e, w):
        return "release", None
    # "40 y 53 liberaciones": the count joined before another shares its noun
    shared = _SHARES_NOUN.match(folded, e) if not _RANGE_OPENS.search(folded, max(a, s - 12), s) else None
    nxt = NUMBER.match(folded, shared.end()) if shared else None
    if nxt is not None and _counts_releases(folded, a, b, nxt.start(), nxt.end(), w):
        return "release", None
    # the political part of a count of releases before it in its sentence counts the political releases
    whole = next((x for x in reversed(earlier) if x.sentence == si and x.counts == "release"), None)
    if whole is not None and political_part(folded, whole.end, whole.why, s, e):
        return "release", None
    lo, hi = spans[si]
    # the antecedent in the sentence, or in the one before when a ';' or ':' joins them
    joined = si and folded[spans[si - 1][0]:spans[si - 1][1]].rstrip()[-1:] in (";", ":")
    antecedent = _elided(folded, spans[si - 1][0] if joined else lo, hi, a, b, s, e, w)
    if antecedent is not None or _coordinated(folded, a, s, earlier, si):
        return "release", antecedent
    put = _figure_put_at(folded, lo, a, s, earlier, si, w)
    if put is not None:
        return put
    return "other", None


# "entre 139 y 155": the range's second end, after its first
_RANGE_SECOND = re.compile(r"\b" + one_of(_L.range_openers) + r"\s+[\d.,]+\s+" + _AND + r"\s+$")
# two speakers joined as one subject: "Foro Penal y la PUD", "the NGO Foro Penal and of the PUD"
_JOINT = re.compile(r"\s+" + _AND + r"\s+(?:" + _OF + r"\s+)?(?:" + _THE + r"\s+)?")

# a speaker and another subject the lists do not name, with their verb: "Foro Penal and opposition bloc count"
_JOINT_SUBJECT_SAYS = re.compile(_JOINT.pattern + r"(?:[^\W\d][\w-]*\s+){1,3}?" + words().report_verbs.pattern + r"\b")


def _a_joint_range(folded: str, a: int, b: int, s: int, vs: list[Voice]) -> bool:
    """An end of a range ("between 139 and 155") in a clause whose speakers are two joined as one
    ("according to Foro Penal and the PUD", "Foro Penal and opposition bloc count"): each gave one end,
    and which is not said."""
    if not (_RANGE_OPENS.search(folded, max(a, s - 12), s) or _RANGE_SECOND.search(folded, max(a, s - 40), s)):
        return False
    here = [v for v in vs if a <= v.start < b]
    return any(u.speaker.by != v.speaker.by and _JOINT.fullmatch(folded, u.end, v.start) for u in here for v in here) or any(
        _JOINT_SUBJECT_SAYS.match(folded, v.end, s) for v in here if v.end <= s)


_SHARES_NOUN = re.compile(r"\s+" + _AND + r"\s+(?=\d)")
_RANGE_OPENS = re.compile(r"\b" + one_of(_L.range_openers) + r"\s+$")  # "entre 140 y 166": a range, its ends


# "the government put the figure at 400", "put the number freed since Thursday at about 50" (the
# figure's own words in group "q"), "sitúa la cifra en 48"
_FIGURE_PUT_AT = re.compile(r"\b" + one_of(_L.figure_put_verbs) + r"\s+(?:" + one_of((*_G.definite_articles, *_G.possessives))
                            + r"\s+)?" + one_of(_L.figure_words) + r"\b(?P<q>[^\d.;:,]{0,60}?)\s+" + one_of(_L.figure_put_at)
                            + r"\s+$")


def _figure_put_at(folded: str, lo: int, a: int, s: int, earlier: list[Bound], si: int,
                   w: _Words) -> tuple[str, int | None] | None:
    """A figure put at the number counts what the figure counts: its own words ("the number freed
    since Thursday"), else the count of releases told before it in the sentence ("Foro Penal
    confirmed 56 releases …, while the government put the figure at 400"), else the last of the
    release and held words before it ("announced the releases: Penal Forum put the number at 70").
    None when no figure is put at it."""
    put = _FIGURE_PUT_AT.search(_QUANTIFIED.sub("", behind(folded, a, s, 120)))
    if put is None:
        return None
    own = put.group("q")
    if own.strip():
        return ("release", None) if w.release_nouns.search(own) and not _HELD_WORDS.search(own) else ("other", None)
    told = next((x for x in reversed(earlier) if x.sentence == si and x.start < s and x.counts == "release"), None)
    if told is not None:
        return "release", told.start
    release, held = _last(w.release_nouns, folded[lo:s]), _last(_HELD_WORDS, folded[lo:s])
    if release is not None and (held is None or held.start() < release.start()):
        return "release", None
    return "other", None


_PLACED_AFTER = re.compile(r"[\d.,]+\s+(\w+\s+){0,2}?" + one_of(_L.placed_after) + r"\s+")
# between a count of releases and the next count: "y otros 15", "and another 15", ", 13 en Zulia"
_JOINED_GAP = re.compile(r"[^\d;:.]{0,50}?\s" + _AND + r"\s+(" + one_of(_L.object_markers) + r"\s+)?("
                         + one_of(_L.joined_before, capture=False) + r"\s+)?")
_LISTED_GAP = re.compile(r"[^\d;:.]{0,50}?,\s+")
_LATEST_GAP = re.compile(r"[^\d;:.]{0,90}?,\s+")
_LATEST = re.compile(r"[\d.,]+\s+" + _OF + r"\s+" + _THEM + r"\s+" + _WHEN)  # "nueve de ellas este fin de semana"
_PARALLEL_GAP = re.compile(r"[^\d;:.]{0,90}?(?:,|\s" + _AND + r")\s+" + _OF + r"\s+")
_OF_BEFORE = re.compile(r"\b" + _OF + r"\s+(?:[^\W\d]+\s+){0,2}$")  # "de al menos 65"
_PLACE_OR_OF = frozenset((*_G.place_words, *_G.of_words))
_DIGITS = re.compile(r"[\d.,]+")


def w_modifier(word: str) -> bool:
    return bool(words().modifiers.fullmatch(word))


def _coordinated(folded: str, a: int, s: int, earlier: list[Bound], si: int) -> bool:
    """"la salida de 9 mujeres de La Crisálida y 15 hombres de Rodeo I": a count joined by "y"
    to a count of releases just before it in its clause counts releases too."""
    prev = next((x for x in reversed(earlier) if x.sentence == si and a <= x.start < s), None)
    if prev is None or prev.counts != "release":
        return False
    gap = folded[prev.end:s]
    joined = _JOINED_GAP.fullmatch(gap)
    # "15 … en Lara, 13 en Zulia y 10 en Táchira": an enumeration of places joins by commas too
    listed = _LISTED_GAP.fullmatch(gap) and _PLACED_AFTER.match(folded, s)
    # "212 personas han salido desde …, nueve de ellas este fin de semana": the latest of them
    latest = _LATEST_GAP.fullmatch(gap) and _LATEST.match(folded[s:s + 60])
    if latest:
        return True
    # "la salida de 65 hombres de Tocorón, de 3 mujeres de Las Crisálidas y de 3 adolescentes": the
    # same preposition again, before each count of a list of the same noun's complements
    parallel = _PARALLEL_GAP.fullmatch(gap) and _OF_BEFORE.search(folded, max(a, prev.start - 16), prev.start)
    if not (joined or listed or parallel):
        return False
    # its own noun stands: "112 excarcelaciones y 15 nuevos encarcelamientos"
    own = _tokens(folded, s, min(len(folded), s + 60))[1:4]
    head = next((t.group() for t in own if not w_modifier(t.group())), None)
    if head is not None and not (words().person_nouns.fullmatch(head) or words().release_nouns.fullmatch(head)
                                 or words().release_predicates.match(folded, folded.find(head, s))
                                 or head in _PLACE_OR_OF):
        return False
    # its own predicate stands: "50 salieron … y 336 siguen presos"
    digits = _DIGITS.match(folded[s:])
    end = s + (digits.end() if digits else 0)
    return not _REMAIN.match(folded[end:end + 60]) and not _ARRESTED.search(folded[end:end + 40])
