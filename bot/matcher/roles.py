"""The role of each number in an item: announced release, confirmed release, prisoners still held,
or nothing, read from the cue words around it within its sentence.

Pure: reads the folded text and the lexicon; never decides the item's headline (extraction.py does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .._text import NUMBER, parse_number
from .cues import Context, Span, cue_distance, tokens_after, tokens_before
from .lexicon import WORD, behind, grammar, is_word, lexicon, one_of
from .numbers import not_a_count

MAX_NUMBERS = 120  # numbers of one item given a role; a news item has far fewer
CONTEXT_CHARS = 300  # how far around a number its cue words are looked for


class Classified(NamedTuple):
    """What the words around one number make of it."""

    role: str  # announced | confirmed | total | other
    strength: float  # 0..1
    cumulative: bool = False  # a running total ("444 since 8 January")
    increment: bool = False  # the day's new ones ("22 more")


OTHER = Classified("other", 0.0)


@dataclass(frozen=True)
class Mention:
    """A number of the item that plays a role, where it stands, and how sure the role is."""

    value: int
    start: int
    end: int
    sentence: int
    role: str  # announced | confirmed | total | other
    strength: float
    cumulative: bool = False
    increment: bool = False


# Word lists from bot/data/grammar.toml (its comments say what each is for); what stands around
# the list in each pattern is the rule's own structure and stays here.
_G = grammar()
_AND = one_of(_G.and_words)
_EXISTENTIAL = re.compile(r"(?<!\w)" + one_of(_G.existential) + r"(?!\w)")
_FUNCTION_WORDS = _G.function_words
# "junto con otros 17", "with 17 others": companions of one person, told in passing
_COMPANIONS = re.compile(one_of(_G.companions) + r"\s+(" + one_of(_G.others_words, capture=False) + r"\s+)?$")
_WITH_BEFORE = re.compile(r"\b" + one_of(_G.with_words) + r"\s+$")
_PARTITIVE_AFTER = re.compile(r"^\s*" + one_of(_G.of_words) + r"\s+" + one_of(_G.partitive_pronouns) + r"\b")
_BREAKDOWN = re.compile(one_of(_G.breakdown) + r"\s+(" + one_of(_G.approximately) + r"\s+)?$")
# "asked courts to review 225 cases" is no release; "down from more than 800" is a former count
_REVIEW_OR_FORMER = re.compile(r"\b" + one_of(_G.review_or_former) + r"\s+(" + one_of((*_G.plural_articles, *_G.former_hedges))
                               + r"\s+)?$")
# "ha verificado 56", "verified 383 since December and 266 since January 8"
_VERIFIED_BEFORE = re.compile(r"\b" + one_of(_G.verified_words) + r"\s+(" + one_of(_G.verified_hedges, capture=False) + r"\s+)?"
                              r"(\d[\d.,]*\s+[^.;:\d]{0,40}\b" + _AND + r"\s+)?$")
_ATTRIBUTED_AFTER = re.compile(r"\s+" + one_of(_G.attributed_by) + r"\s+by\b|\s+(que\s+)?" + one_of(_G.according_words) + r"\b")
_STILL_HELD = re.compile(r"\s+(\w+\s+){0,2}?" + one_of((*_G.still_words, *_G.still_held)) + r"\b")
_ANNOUNCE_SPEECH = re.compile(r"(?<!\w)" + one_of(_G.announce_speech) + r"(?!\w)")
_OF_THEM = re.compile(r"\s+" + one_of(_G.partitive_after) + r"\b")  # "verified 12 of them"
_AFTER_A_LIST = re.compile(r"\d[^.;:\d]{0,80}\b" + _AND + r"\s+$")  # "459 came before the amnesty and 144 after it"
_PRISONERS = re.compile(r"\b" + one_of(_G.prisoner_nouns) + r"\b")
_LABEL = re.compile(r"([\w ]+):\s*$")  # "Excarcelados: 14" (group 1: the label)
_LINE_END = re.compile(r"\s*([.;,)\n|/·]|$)")
_PUNCT_AFTER = re.compile(r"\s*[,.;:)]")


def classify(folded: str, sent: Span, start: int, end: int, value: int | float) -> Classified:
    """Role of the number at [start, end) within its sentence span; with strength 0..1.

    The rules run in order, each able to settle the role: not a count of prisoners at all, a line
    of a balance ("Total presos políticos: 866"), prisoners moved or jailed again, a count of those
    still held, and last a release, if a release word stands close enough."""
    n = _context(folded, sent, start, end, value)
    if _not_prisoners(n):
        return OTHER
    labelled = _balance_line(n)
    if labelled is not None:
        return labelled
    if _moved_or_rearrested(n):
        return OTHER
    total = _still_held(n)
    if total is not None:
        return total
    if not _release_near(n):
        return OTHER
    strength = 0.6 + (0.2 if n.person_after else 0.0) + (0.1 if n.near("release", 3) else 0.0)
    return Classified(_sub_role(folded, n.lo, n.hi, start, end), strength, n.near("cumulative", 4), n.near("increment", 3))


_DISTANCE_ROLES = ("release", "arrest", "harm", "remain", "historical", "cumulative", "rearrest", "transfer",
                   "announce", "confirm")


def _context(folded: str, sent: Span, start: int, end: int, value: int | float) -> Context:
    cues = lexicon().cues
    # words further than a few lines away say nothing about this number; the bound also keeps a
    # hostile sentence of thousands of numbers linear in time
    lo, hi = max(sent[0], start - CONTEXT_CHARS), min(sent[1], end + CONTEXT_CHARS)
    d = _Distances(cues, folded, lo, hi, start, end)
    return Context(folded, lo, hi, start, end, value, tokens_after(folded, end, hi, 6), tokens_before(folded, start, lo, 8), d)


class _Distances(dict[str, int | None]):
    """Role -> distance in words to its nearest cue, each found when a rule first asks (most
    numbers are settled, as a date or a unit, before any distance is needed)."""

    def __init__(self, cues: dict[str, re.Pattern[str]], folded: str, lo: int, hi: int, start: int, end: int) -> None:
        super().__init__()
        self._args = (cues, folded, lo, hi, start, end)

    def __missing__(self, role: str) -> int | None:
        cues, folded, lo, hi, start, end = self._args
        if role == "increment":
            value = cue_distance(cues[role], folded, max(lo, start - 30), min(hi, end + 30), start, end)
        else:
            value = cue_distance(cues[role], folded, lo, hi, start, end, negatable=(role == "release"),
                                 descriptive_ok=(role == "arrest"), own=(role == "release"))
        self[role] = value
        return value


def _not_prisoners(n: Context) -> bool:
    """Not a count of prisoners: a date, an amount, things, storytellers, companions, other nouns,
    cases to review, a former count ("down from 800")."""
    return (not_a_count(n) or _things(n) or _storytellers(n) or _companions(n) or _other_noun(n)
            or bool(_REVIEW_OR_FORMER.search(n.folded, max(n.lo, n.start - 30), n.start)))


def _things(n: Context) -> bool:
    """'3 tankers', '40 hostages': freed, but not prisoners."""
    return any(is_word(lexicon().cues["not_prisoner"], t) for t in n.after[:3])


def _storytellers(n: Context) -> bool:
    """'2 excarcelados relatan ...': freed people telling their story, not a new release."""
    cues, after = lexicon().cues, n.after
    return len(after) > 1 and is_word(cues["release"], after[0]) and any(is_word(cues["narrative"], t) for t in after[1:3])


def _companions(n: Context) -> bool:
    folded, lo, start = n.folded, n.lo, n.start
    return bool(_COMPANIONS.search(behind(folded, lo, start, 20)) or (
        _WITH_BEFORE.search(behind(folded, lo, start, 6)) and n.after[:1] and n.after[0] in _G.others_after))


def _other_noun(n: Context) -> bool:
    """'2 comparecencias', '4 cargamentos': a count of some other thing."""
    cues, folded, after = lexicon().cues, n.folded, n.after
    if not after or n.person_after or after[0] in _FUNCTION_WORDS:
        return False
    cue_next = any(cues[r].match(folded, folded.find(after[0], n.end)) for r in
                   ("release", "arrest", "remain", "announce", "confirm", "harm", "political", "speech"))
    return not cue_next and not _PUNCT_AFTER.match(folded[n.end:n.end + 3])


def _balance_line(n: Context) -> Classified | None:
    """'Excarcelados: 0 ... Encarcelados: 21 ... Total presos politicos: 866': a label and a colon."""
    cues, folded = lexicon().cues, n.folded
    window = behind(folded, n.lo, n.start, 40)
    m = _LABEL.search(window) if ":" in window else None  # the label's colon first: the search is slow
    if not (m and _LINE_END.match(folded[n.end:n.end + 3])):
        return None
    lab = m.group(1).strip()
    if cues["remain"].search(lab) or cues["political"].search(lab):
        if not cues["release"].search(lab) and not cues["arrest"].search(lab):
            return Classified("total", 0.9)
    if cues["arrest"].search(lab) or cues["harm"].search(lab):
        return OTHER
    if cues["release"].search(lab):
        return Classified("confirmed", 0.7)
    return OTHER  # "Civiles: 701": a breakdown line of a balance


def _moved_or_rearrested(n: Context) -> bool:
    """Freed people jailed again, or moved between prisons: not a release."""
    d = n.d
    if n.near("rearrest", 40) and (n.near("arrest", 40) or d["rearrest"] is not None):
        return True
    return n.near("transfer", 6) and (d["release"] is None or d["transfer"] <= d["release"])  # type: ignore[operator]


def _nearest_block(n: Context) -> int | None:
    """Distance to the nearest arrest or harm word: a number nearer to one is no release."""
    blockers = [v for v in (n.d["arrest"], n.d["harm"]) if v is not None]
    return min(blockers) if blockers else None


# the count's noun, then "among those freed": a count of released people, not of those held
_AMONG_FREED = re.compile(r"(?:\s+[^\W\d][\w-]*){1,3}?\s+" + one_of(_G.among_words, capture=False) + r"\s+(?:\w+\s+){0,3}?"
                          + one_of(_G.among_freed) + r"\b")


def _still_held(n: Context) -> Classified | None:
    """A count of prisoners still held: "quedan 441 personas privadas de libertad por motivos
    politicos", "687 people remain jailed for political reasons", "the count stands at 402": a
    remain word next to the number, politics around."""
    d_release = n.d["release"]
    d_remain = _remain_distance(n)
    if _freed_after(n) or _AMONG_FREED.match(n.folded, n.end, n.hi):
        return None  # "contabiliza 712 presos políticos excarcelados", "39 activists among everyone let out"
    if not _breakdown(n) and d_remain is not None and d_remain <= 2 and _political_around(n, d_remain) and (
            d_release is None or d_remain < d_release):
        return Classified("total", 0.9)
    if n.political_after and (d_release is None or (n.near("remain") and d_remain < d_release)):  # type: ignore[operator]
        block = _nearest_block(n)
        if block is None or block > 2 or (d_remain is not None and d_remain < block):
            if n.near("remain") or d_release is None:
                return Classified("total", 0.8 if n.near("remain") else 0.5)
    return None


def _freed_after(n: Context) -> bool:
    """Political prisoners followed by a release word: '712 presos políticos excarcelados',
    '80 political prisoners freed', '626 los liberados'; '107 people held over the unrest ...
    had been released' (held describes them)."""
    d_release, words = n.d["release"], n.after_words
    if d_release is None:
        return False
    if len(words) > 1 and words[1] in _G.held_after:
        return True
    if d_release > 3:
        return False  # no release word among the next words
    release = lexicon().cues["release"]
    if any(is_word(release, t) for t in words[:3]) and not n.near("remain", 0):
        return True
    return n.political_after and any(is_word(release, t) for t in words[1:4])


def _remain_distance(n: Context) -> int | None:
    """Distance to the remain word; "había 33 casos", "holds 4 cargoes": an existential verb makes a
    tally only before political prisoners."""
    d_remain = n.d["remain"]
    weak = d_remain is not None and cue_distance(_EXISTENTIAL, n.folded, n.lo, n.hi, n.start, n.end) == d_remain
    if weak and not (n.political_after or lexicon().cues["political"].search(" ".join(n.after[:4]))):
        return None
    return d_remain


def _breakdown(n: Context) -> bool:
    """'de ellos 12 mujeres', 'including 5 soldiers': a part of a count, not the count."""
    folded, start = n.folded, n.start
    return bool(_PARTITIVE_AFTER.match(folded[n.end:n.end + 20]) or _BREAKDOWN.search(behind(folded, n.lo, start, 25)))


def _political_around(n: Context, d_remain: int) -> bool:
    """Politics near the number, else in its sentence or the title. A counting verb ("contabiliza",
    "registra") counts releases as well as prisoners: it makes a tally only with the prisoners named
    after it ("contabiliza 866 presos políticos"), not on the strength of politics elsewhere
    ("... 87 presos políticos; JEyP contabiliza 33")."""
    political, folded = lexicon().cues["political"], n.folded
    if n.political_after or political.search(" ".join(n.after[:8])):
        return True
    if n.d["confirm"] == d_remain:
        return False
    title_end = folded.find("\n") if "\n" in folded else len(folded)
    if political.search(folded, n.lo, n.hi) or political.search(folded, 0, title_end):
        return True
    # "JEyP has confirmed 603 releases since January; 759 still jailed": an NGO's count of those
    # still held, in its sentence or the title
    if not _STILL_HELD.match(folded, n.end):
        return False
    finder = lexicon().finders["org"]
    hits = [*finder.pattern.finditer(folded, n.lo, n.hi), *finder.pattern.finditer(folded, 0, title_end)]
    return any(e is not None and e.kind in ("ngo", "family") for e in (
        finder.by_alias.get(" ".join(m.group().split())) for m in hits))


def _release_near(n: Context) -> bool:
    """A release word close to the number, and nothing nearer that makes it something else."""
    d = n.d
    d_hist = d["historical"]
    if d_hist is not None and d_hist <= 10 and (d["release"] is None or d_hist <= d["release"] + 6) \
            and not _campaign_start(n):
        # "detenidos desde 2023", "held since 2020" date the detention, not the releases
        if not _detention_dated(n.folded, n.lo, n.hi, n.start, n.end):
            return False
    d_release = d["release"]
    if (d_release is None or d_release > 6) and n.near("confirm", 8) and not n.political_after and _VERIFIED_BEFORE.search(
            n.folded, max(n.lo, n.start - 80), n.start) and not (n.near("arrest", 4) or n.near("harm", 4)):
        return True  # "ha verificado 56", "could confirm 131": a verifier's count of releases
    if _ATTRIBUTED_AFTER.match(n.folded, n.end) and lexicon().cues["release"].search(n.folded, n.lo, n.hi):
        return True  # "less than half the 897 claimed by Cabello": a figure of releases told with its source
    if d_release is None and n.near("confirm", 1) and _OF_THEM.match(n.folded[n.end:n.end + 20]):
        return True  # "verified 12 of them": the verified part of releases told just before
    # "107 people held over the unrest that followed the vote had been released": the clause
    # describing them stands between the number and its verb
    reach = 16 if len(n.after_words) > 1 and n.after_words[1] in _G.held_after else 12
    if d_release is None or d_release > reach:
        return False
    block = _nearest_block(n)
    if block is not None and block < d_release:
        return False
    # a bare number far from the release word is something else, unless it goes on a list of
    # releases ("459 releases came before the amnesty and 144 after it")
    return (n.person_after or d_release <= 6 or bool(_PARTITIVE_AFTER.match(n.folded[n.end:n.end + 20]))
            or bool(_AFTER_A_LIST.search(n.folded[n.lo:n.start])))


def _speaker(folded: str, lo: int, start: int) -> str | None:
    """Who says the sentence's figure: 'government', 'ngo' or None, from the last speaker named
    before the number (an organisation from the gazetteer or a word such as 'gobierno', 'ONG')."""
    lex = lexicon()
    head = folded[lo:start]
    if not lex.cues["speech"].search(head):
        return None
    found: list[tuple[int, str]] = []
    finder = lex.finders["org"]  # one pass for every organisation's aliases
    for m in finder.pattern.finditer(head):
        e = finder.by_alias.get(" ".join(m.group().split()))
        if e is not None:
            found.append((m.start(), "government" if e.kind == "government" else "ngo"))
    for role, kind in (("government", "government"), ("ngo", "ngo")):
        for m in lex.cues[role].finditer(head):
            found.append((m.start(), kind))
    return max(found)[1] if found else None


def _campaign_start(n: Context) -> bool:
    """'desde que comenzó el proceso': the start of the running count, not history."""
    cues = lexicon().cues
    starts = {m.start() for m in cues["running"].finditer(n.folded, n.lo, n.hi)}
    return all(m.start() in starts for m in cues["historical"].finditer(n.folded, n.lo, n.hi))


def _detention_dated(folded: str, lo: int, hi: int, start: int, end: int) -> bool:
    """Is every historical phrase near the number the date of a detention ("presos desde 2023")?"""
    cues = lexicon().cues
    near = False
    for m in cues["historical"].finditer(folded, lo, hi):
        before = " ".join(WORD.findall(behind(folded, lo, m.start(), 30))[-2:])
        if not (cues["arrest"].search(before) or cues["remain"].search(before) or _PRISONERS.search(before)):
            return False
        near = True
    return near


def speech_only(folded: str, lo: int, hi: int, start: int, end: int) -> bool:
    """Is the nearest announce word a verb of saying ("anunció", "announced")? A verifier that
    "announces" releases is reporting that they happened."""
    d_ann = cue_distance(lexicon().cues["announce"], folded, lo, hi, start, end)
    return d_ann is not None and cue_distance(_ANNOUNCE_SPEECH, folded, lo, hi, start, end) == d_ann


def _sub_role(folded: str, lo: int, hi: int, start: int, end: int) -> str:
    """Announced (authorities promise, authorise or claim) or confirmed (people walked out, as NGOs,
    families or reporters say)."""
    cues = lexicon().cues
    d_ann = cue_distance(cues["announce"], folded, lo, hi, start, end)
    d_conf = cue_distance(cues["confirm"], folded, lo, hi, start, end)
    speaker = _speaker(folded, lo, start)
    # an NGO "announcing" releases is confirming them; a government "saying" they happened is a claim
    speech_only = d_ann is not None and cue_distance(
        _ANNOUNCE_SPEECH, folded, lo, hi, start, end) == d_ann
    if speaker == "ngo" and speech_only:
        return "confirmed"
    if d_ann is not None and (d_conf is None or d_ann < d_conf):
        return "announced"
    if speaker == "government":
        return "announced"
    return "confirmed"


def find_mentions(text: str, folded: str, spans: list[Span]) -> list[Mention]:
    out: list[Mention] = []
    seen = 0
    for si, (lo, hi) in enumerate(spans):
        for m in NUMBER.finditer(text, lo, hi):
            seen += 1
            if seen > MAX_NUMBERS:
                return out
            try:
                value = parse_number(m.group())
            except ValueError:
                continue
            c = classify(folded, (lo, hi), m.start(), m.end(), value)
            if c.role != "other" and isinstance(value, int) and value < 10_000_000:
                out.append(Mention(value, m.start(), m.end(), si, c.role, c.strength, c.cumulative, c.increment))
    return out


# ---------------------------------------------------------------------------------------------
