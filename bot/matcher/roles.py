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
from .lexicon import WORD, is_word, lexicon
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


_EXISTENTIAL = re.compile(
    r"(?<!\w)(hay|habia|habian|existen|tiene|tienen|cuenta con|there (are|were)|holds?|hold|had)(?!\w)")
_FUNCTION_WORDS = frozenset(
    "de del of en in el la los las the este esta this that on at since desde hasta until por for to a al "
    "y and o or que who which were was are is fueron fue han have had habian ya already hoy today ayer "
    "yesterday anoche overnight esta este on durante during tras after entre among segun according "
    "mas more otros otras others another additional nuevos nuevas new".split()
)

# "junto con otros 17", "with 17 others": companions of one person, told in passing
_COMPANIONS = re.compile(r"(junto con|junto a|along with|together with|alongside|(con|with) otr[oa]s)\s+(otr[oa]s\s+)?$")

_PARTITIVE_AFTER = re.compile(r"^\s*(de|of)\s+(ellos|ellas|them|those|these|los|las|the)\b")


def classify(folded: str, sent: Span, start: int, end: int, value: int | float) -> Classified:
    """Role of the number at [start, end) within its sentence span; with strength 0..1."""
    cues = lexicon().cues
    # words further than a few lines away say nothing about this number; the bound also keeps a
    # hostile sentence of thousands of numbers linear in time
    lo, hi = max(sent[0], start - CONTEXT_CHARS), min(sent[1], end + CONTEXT_CHARS)
    roles = ("release", "arrest", "harm", "remain", "historical", "cumulative", "rearrest", "transfer",
             "announce", "confirm")
    d = {r: cue_distance(cues[r], folded, lo, hi, start, end, negatable=(r == "release"),
                          descriptive_ok=(r == "arrest")) for r in roles}
    d["increment"] = cue_distance(cues["increment"], folded, max(lo, start - 30), min(hi, end + 30), start, end)
    ctx = Context(tokens_after(folded, end, hi, 6), tokens_before(folded, start, lo, 8), d)
    if not_a_count(folded, lo, start, end, value, ctx):
        return OTHER
    after = ctx.after
    person_after = any(is_word(cues["person"], t) for t in after[:3])
    if any(is_word(cues["not_prisoner"], t) for t in after[:3]):
        return OTHER
    # "2 excarcelados relatan ...": freed people telling their story, not a new release
    if len(after) > 1 and is_word(cues["release"], after[0]) and any(is_word(cues["narrative"], t) for t in after[1:3]):
        return OTHER
    if _COMPANIONS.search(folded[max(lo, start - 20):start]) or (
            re.search(r"\b(con|with)\s+$", folded[max(lo, start - 6):start]) and after[:1] in (["others"], ["otros"], ["otras"])):
        return OTHER
    # "2 comparecencias", "4 cargamentos": a count of some other thing
    cue_next = any(cues[r].match(folded, folded.find(after[0], end)) for r in
                   ("release", "arrest", "remain", "announce", "confirm", "harm", "political")) if after else False
    if after and not person_after and not cue_next and after[0] not in _FUNCTION_WORDS:
        near_text = folded[end:end + 3]
        if not re.match(r"\s*[,.;:)]", near_text):
            return OTHER
    political_after = any(is_word(cues["political"], " ".join(after[i:i + 2])) or is_word(cues["political"], after[i])
                          for i in range(min(3, len(after))))

    # "Excarcelados: 0 ... Encarcelados: 21 ... Total presos politicos: 866": a label and a colon
    m = re.search(r"([\w ]+):\s*$", folded[max(lo, start - 40):start])
    if m and re.match(r"\s*([.;,)\n|/·]|$)", folded[end:end + 3]):
        lab = m.group(1).strip()
        if cues["remain"].search(lab) or cues["political"].search(lab):
            if not cues["release"].search(lab) and not cues["arrest"].search(lab):
                return Classified("total", 0.9)
        if cues["arrest"].search(lab) or cues["harm"].search(lab):
            return OTHER
        if cues["release"].search(lab):
            return Classified("confirmed", 0.7)
        return OTHER  # "Civiles: 701": a breakdown line of a balance

    # freed people jailed again, or moved between prisons: not a release
    if ctx.near("rearrest", 40) and (ctx.near("arrest", 40) or d["rearrest"] is not None):
        return OTHER
    if ctx.near("transfer", 6) and (d["release"] is None or d["transfer"] <= d["release"]):  # type: ignore[operator]
        return OTHER
    blockers = [v for v in (d["arrest"], d["harm"]) if v is not None]
    nearest_block = min(blockers) if blockers else None

    # a count of prisoners still held
    d_release, d_remain = d["release"], d["remain"]
    # "quedan 441 personas privadas de libertad por motivos politicos", "687 people remain jailed for
    # political reasons", "the count stands at 402": a remain word next to the number, politics around
    political_near = political_after or bool(cues["political"].search(" ".join(after[:8])))
    breakdown = bool(_PARTITIVE_AFTER.match(folded[end:end + 20]) or re.search(
        r"(including|incluye|includes|incluid[oa]s|entre ell[oa]s|de (los|las) cuales|of whom|among them|among"
        r"|otr[oa]s|other|another)\s+((al menos|unos|unas|about|at least)\s+)?$", folded[max(lo, start - 25):start]))
    # "había 33 casos", "holds 4 cargoes": an existential verb makes a tally only before political prisoners
    weak = d_remain is not None and cue_distance(_EXISTENTIAL, folded, lo, hi, start, end) == d_remain
    if weak and not (political_after or cues["political"].search(" ".join(after[:4]))):
        d_remain = None
    title_end = folded.find("\n") if "\n" in folded else len(folded)
    # a counting verb ("contabiliza", "registra") counts releases as well as prisoners: it makes a
    # tally only with the prisoners named after it ("contabiliza 866 presos políticos"), not on the
    # strength of politics elsewhere ("... 87 presos políticos; JEyP contabiliza 33")
    counting = d_remain is not None and d["confirm"] == d_remain
    political_around = political_near or (not counting and bool(
        cues["political"].search(folded, lo, hi) or cues["political"].search(folded, 0, title_end)))
    if not breakdown and d_remain is not None and d_remain <= 2 and political_around and (
            d_release is None or d_remain < d_release):
        return Classified("total", 0.9)
    if political_after and (d_release is None or (ctx.near("remain") and d_remain < d_release)):  # type: ignore[operator]
        if nearest_block is None or nearest_block > 2 or (d_remain is not None and d_remain < nearest_block):
            if ctx.near("remain") or d_release is None:
                return Classified("total", 0.8 if ctx.near("remain") else 0.5)

    if ctx.near("historical", 10) and (d["release"] is None or d["historical"] <= d["release"] + 6):  # type: ignore[operator]
        # "detenidos desde 2023", "held since 2020" date the detention, not the releases
        if not _detention_dated(folded, lo, hi, start, end):
            return OTHER
    if d_release is None or d_release > 12:
        return OTHER
    if nearest_block is not None and nearest_block < d_release:
        return OTHER
    if not person_after and d_release > 6 and not _PARTITIVE_AFTER.match(folded[end:end + 20]):
        return OTHER  # a bare number far from the release word is something else

    strength = 0.6 + (0.2 if person_after else 0.0) + (0.1 if d_release <= 3 else 0.0)
    cumulative = ctx.near("cumulative", 4)
    increment = ctx.near("increment", 3)
    return Classified(_sub_role(folded, lo, hi, start, end), strength, cumulative, increment)


def _speaker(folded: str, lo: int, start: int) -> str | None:
    """Who says the sentence's figure: 'government', 'ngo' or None, from the last speaker named
    before the number (an organisation from the gazetteer or a word such as 'gobierno', 'ONG')."""
    lex = lexicon()
    head = folded[lo:start]
    found: list[tuple[int, str]] = []
    for e in lex.orgs:
        for m in e.pattern.finditer(head):
            found.append((m.start(), "government" if e.kind == "government" else "ngo"))
    for role, kind in (("government", "government"), ("ngo", "ngo")):
        for m in lex.cues[role].finditer(head):
            found.append((m.start(), kind))
    if not found or not lex.cues["speech"].search(head):
        return None
    return max(found)[1]


def _detention_dated(folded: str, lo: int, hi: int, start: int, end: int) -> bool:
    """Is every historical phrase near the number the date of a detention ("presos desde 2023")?"""
    cues = lexicon().cues
    near = False
    for m in cues["historical"].finditer(folded, lo, hi):
        before = " ".join(WORD.findall(folded[max(lo, m.start() - 30):m.start()])[-2:])
        if not (cues["arrest"].search(before) or cues["remain"].search(before) or re.search(r"\bpres[oa]s\b", before)):
            return False
        near = True
    return near


def _sub_role(folded: str, lo: int, hi: int, start: int, end: int) -> str:
    """Announced (authorities promise, authorise or claim) or confirmed (people walked out, as NGOs,
    families or reporters say)."""
    cues = lexicon().cues
    d_ann = cue_distance(cues["announce"], folded, lo, hi, start, end)
    d_conf = cue_distance(cues["confirm"], folded, lo, hi, start, end)
    speaker = _speaker(folded, lo, start)
    # an NGO "announcing" releases is confirming them; a government "saying" they happened is a claim
    speech_only = d_ann is not None and cue_distance(
        re.compile(r"(?<!\w)(anunci\w*|announc\w*)(?!\w)"), folded, lo, hi, start, end) == d_ann
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
