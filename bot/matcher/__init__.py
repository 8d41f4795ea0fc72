"""Release matcher: the text of one news item in, an Extraction out.

Finds the numbers in an item, gives each a role (announced release, confirmed release, prisoners
still held, or nothing) from the words around it, and picks the item's headline event. Pure: it
reads its word lists from bot/data once and never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from text_to_num import alpha2digit

from ._text import NUMBER, fold, normalize, parse_number, sentences

KINDS = ("announcement", "confirmation", "tally", "none")
MAX_TEXT = 20_000  # characters of one item the matcher reads; a feed item is never longer
MAX_NUMBERS = 120  # numbers of one item given a role; a news item has far fewer
CONTEXT_CHARS = 300  # how far around a number its cue words are looked for


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
        }


# ---------------------------------------------------------------------------------------------
# Language data


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Lexicon:
    cues: dict[str, re.Pattern[str]]
    prisons: tuple[_Entry, ...]
    orgs: tuple[_Entry, ...]
    countries: tuple[_Entry, ...]
    # one pass over the text per section: every alias in one alternation, and which entry it names
    finders: dict[str, tuple[re.Pattern[str], dict[str, _Entry]]] = field(default_factory=dict)


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    # longest first so "rodeo ii" wins over "rodeo i"
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(f"(?:{p})" for p in ordered) + r")(?![\w])")


def _literal(alias: str) -> str:
    return re.escape(fold(normalize(alias))).replace(r"\ ", r"\s+")


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data_dir = resources.files("bot") / "data"
    lex = tomllib.loads((data_dir / "lexicon.toml").read_text("utf-8"))
    gaz = tomllib.loads((data_dir / "gazetteer.toml").read_text("utf-8"))
    cues = {role: _alternation(patterns) for role, patterns in lex.items()}

    def entries(section: str, default_kind: str) -> tuple[_Entry, ...]:
        out = []
        for e in gaz.get(section, []):
            aliases = [e["name"], *e.get("aliases", [])]
            out.append(
                _Entry(
                    name=e["name"],
                    kind=e.get("kind", default_kind),
                    pattern=_alternation([_literal(a) for a in aliases]),
                )
            )
        return tuple(out)

    finders = {}
    for section, default_kind in (("prison", "prison"), ("org", "ngo"), ("country", "country")):
        by_alias: dict[str, _Entry] = {}
        for e, raw in zip(entries(section, default_kind), gaz.get(section, []), strict=True):
            for alias in [raw["name"], *raw.get("aliases", [])]:
                by_alias.setdefault(" ".join(fold(normalize(alias)).split()), e)
        finders[section] = (_alternation([_literal(a) for a in by_alias]), by_alias)
    return _Lexicon(
        cues=cues,
        prisons=entries("prison", "prison"),
        orgs=entries("org", "ngo"),
        countries=entries("country", "country"),
        finders=finders,
    )


# ---------------------------------------------------------------------------------------------
# Numbers and their roles


@dataclass(frozen=True)
class _Mention:
    value: int
    start: int
    end: int
    sentence: int
    role: str  # announced | confirmed | total | other
    strength: float
    cumulative: bool = False
    increment: bool = False


_WORD = re.compile(r"[\w%$]+(?:['-]\w+)*")


def _tokens_before(folded: str, start: int, lo: int, n: int) -> list[str]:
    return _WORD.findall(folded[lo:start])[-n:]


def _tokens_after(folded: str, end: int, hi: int, n: int) -> list[str]:
    return _WORD.findall(folded[end:hi])[:n]


def _negated(folded: str, at: int, lo: int) -> bool:
    """Is the release word at `at` cancelled: negated ("no releases") or only asked for
    ("exige la liberación", "urge the release of")?"""
    cues = lexicon().cues
    before = _WORD.findall(folded[max(lo, at - 60):at])
    if any(_is_word(cues["negation"], w) for w in before[-4:]):
        return True
    if cues["denial"].search(" ".join(before[-8:])):
        return True
    around = before[-3:] + _WORD.findall(folded[at:at + 50])[1:4]
    if any(_is_word(cues["media"], w) for w in around):
        return True  # "Provea releases annual report", "a documentary gets its US release"
    # "liberar cupos", "frees up funds": the thing freed is not a person
    nxt = _WORD.findall(folded[at:at + 40])[1:3]
    if nxt and (_is_word(cues["not_prisoner"], nxt[0]) or (nxt[0] in ("up", "los", "las", "the") and len(nxt) > 1
                                                          and _is_word(cues["not_prisoner"], nxt[1]))):
        return True
    # "a freed political prisoner", "los excarcelados": a participle used as a noun or adjective
    if before and before[-1] in _ARTICLES and re.match(r"(freed|released|excarcelad|liberad)", folded[at:at + 12]):
        return True
    return bool(cues["demand"].search(" ".join(before[-4:])))


_EXISTENTIAL = re.compile(
    r"(?<!\w)(hay|habia|habian|existen|tiene|tienen|cuenta con|there (are|were)|holds?|hold|had)(?!\w)")
_FUNCTION_WORDS = frozenset(
    "de del of en in el la los las the este esta this that on at since desde hasta until por for to a al "
    "y and o or que who which were was are is fueron fue han have had habian ya already hoy today ayer "
    "yesterday anoche overnight esta este on durante during tras after entre among segun according "
    "mas more otros otras others another additional nuevos nuevas new".split()
)
_ARTICLES = frozenset("a an the un una el la los las former ex".split())
# "junto con otros 17", "with 17 others": companions of one person, told in passing
_COMPANIONS = re.compile(r"(junto con|junto a|along with|together with|alongside|(con|with) otr[oa]s)\s+(otr[oa]s\s+)?$")


_RELATIVE = re.compile(r"(que|who|quienes|which|los cuales|las cuales)(\s+\w+){0,2}\s*$")


def _descriptive(folded: str, at: int, lo: int) -> bool:
    """Is the arrest word at `at` describing the people ("personas detenidas tras las elecciones",
    "defendants, arrested in 2024", "who were jailed") rather than reporting an arrest?"""
    before = folded[max(lo, at - 40):at]
    words = _WORD.findall(before)
    if words and _is_word(lexicon().cues["person"], words[-1]):
        return True  # "personas detenidas", "students held": who they are, not what happened
    if words and words[-1].isdigit():
        # "4 detenidos", "148 jailed protesters": a noun or an adjective for the people
        if re.match(r"(detenid|detainee)", folded[at:at + 9]):
            return True
        words_at = _WORD.findall(folded[at:at + 40])[:2]
        participle = bool(words_at and re.search(r"(ad[oa]s?|id[oa]s?|ed)$", words_at[0]))
        if participle and len(words_at) > 1 and _is_word(lexicon().cues["person"], words_at[1]):
            return True
    return bool(_RELATIVE.search(before))


def _cue_distance(pattern: re.Pattern[str], folded: str, lo: int, hi: int, start: int, end: int,
                  negatable: bool = False, descriptive_ok: bool = False) -> int | None:
    """Distance in words from the number at [start, end) to the nearest cue in [lo, hi)."""
    best: int | None = None
    for m in pattern.finditer(folded, lo, hi):
        if negatable and _negated(folded, m.start(), lo):
            continue
        if descriptive_ok and _descriptive(folded, m.start(), lo):
            continue
        if m.end() <= start:
            gap = folded[m.end():start]
        elif m.start() >= end:
            gap = folded[end:m.start()]
        else:
            gap = ""
        d = len(_WORD.findall(gap))
        if best is None or d < best:
            best = d
    return best


def _is_word(pattern: re.Pattern[str], token: str) -> bool:
    return bool(pattern.fullmatch(token))


_NOT_COUNT_BEFORE = re.compile(
    r"(?:\$|us\$|bs\.?|n[°ºo]\.?|numero|number|no\.|articulo|article|art\.|ley|resolucion|decreto"
    r"|aged|edad|age|de edad|km|page|pagina|expediente|caso|case|gaceta|file|sala|room|celda|cell"
    r"|piso|floor|calle|street|avenida|avenue|top|ranking|puesto|#|tomo|vol\.?|capitulo|chapter)\s*$"
)
_PARTITIVE_AFTER = re.compile(r"^\s*(de|of)\s+(ellos|ellas|them|those|these|los|las|the)\b")


@dataclass(frozen=True)
class _Context:
    """The words around one number, within its sentence."""

    after: list[str]
    before: list[str]
    d: dict[str, int | None]  # role -> distance in words to the nearest cue

    def near(self, role: str, window: int = 12) -> bool:
        v = self.d[role]
        return v is not None and v <= window


def _not_a_count(folded: str, lo: int, start: int, end: int, value: int | float, ctx: _Context) -> bool:
    """Dates, years, ages, money, percentages, units, ranges, compound adjectives ("42-page")."""
    cues = lexicon().cues
    after, before = ctx.after, ctx.before
    if isinstance(value, float) or value <= 0:
        return True
    if _NOT_COUNT_BEFORE.search(folded[max(lo, start - 25):start]):
        return True
    nxt = folded[end:end + 2]
    if nxt[:1] in ("%", "-") or nxt in (" %",) or folded[max(lo, start - 1):start] in ("$", "#", "-"):
        return True
    first = after[0] if after else ""
    second = after[1] if len(after) > 1 else ""
    if _is_word(cues["month"], first) or (first in ("de", "of") and _is_word(cues["month"], second)):
        return True
    if before and _is_word(cues["month"], before[-1]) and not re.search(r"[,;:]\s*$", folded[max(lo, start - 3):start]):
        return True
    if _is_word(cues["unit"], first) or (first in ("de", "of") and _is_word(cues["unit"], second)):
        return True
    if 1950 <= value <= 2100 and not any(_is_word(cues["person"], t) and t.endswith("s") for t in after[:2]):
        return True  # a year, unless a plural noun for people follows ("2018 prisoners")
    if first in ("among", "entre") and second.isdigit():
        return True  # "2 journalists among 11": a part of the count that follows
    if first in ("a", "y", "and", "to", "o", "or") and second.isdigit():
        return True  # ranges "entre 5 y 10", "24 to 26"
    if first in ("de", "of") and second.isdigit():
        third = after[2] if len(after) > 2 else ""
        if not (_is_word(cues["person"], third) or _is_word(cues["release"], third) or _is_word(cues["political"], third)):
            return True  # "19 of 23 governorships": a ratio of something else
    # "a prisoner, 68, died", "Carla Pérez, 34, said": an age set off by commas
    if folded[max(lo, start - 2):start] == ", " and folded[end:end + 1] == "," and value <= 110:
        return True
    return False


def _classify(folded: str, sent: tuple[int, int], start: int, end: int, value: int | float) -> tuple[str, float, bool, bool]:
    """Role of the number at [start, end) within its sentence span; with strength 0..1."""
    cues = lexicon().cues
    # words further than a few lines away say nothing about this number; the bound also keeps a
    # hostile sentence of thousands of numbers linear in time
    lo, hi = max(sent[0], start - CONTEXT_CHARS), min(sent[1], end + CONTEXT_CHARS)
    roles = ("release", "arrest", "harm", "remain", "historical", "cumulative", "rearrest", "transfer",
             "announce", "confirm")
    d = {r: _cue_distance(cues[r], folded, lo, hi, start, end, negatable=(r == "release"),
                          descriptive_ok=(r == "arrest")) for r in roles}
    d["increment"] = _cue_distance(cues["increment"], folded, max(lo, start - 30), min(hi, end + 30), start, end)
    ctx = _Context(_tokens_after(folded, end, hi, 6), _tokens_before(folded, start, lo, 8), d)
    if _not_a_count(folded, lo, start, end, value, ctx):
        return "other", 0.0, False, False
    after = ctx.after
    person_after = any(_is_word(cues["person"], t) for t in after[:3])
    if any(_is_word(cues["not_prisoner"], t) for t in after[:3]):
        return "other", 0.0, False, False
    # "2 excarcelados relatan ...": freed people telling their story, not a new release
    if len(after) > 1 and _is_word(cues["release"], after[0]) and any(_is_word(cues["narrative"], t) for t in after[1:3]):
        return "other", 0.0, False, False
    if _COMPANIONS.search(folded[max(lo, start - 20):start]) or (
            re.search(r"\b(con|with)\s+$", folded[max(lo, start - 6):start]) and after[:1] in (["others"], ["otros"], ["otras"])):
        return "other", 0.0, False, False
    # "2 comparecencias", "4 cargamentos": a count of some other thing
    cue_next = any(cues[r].match(folded, folded.find(after[0], end)) for r in
                   ("release", "arrest", "remain", "announce", "confirm", "harm", "political")) if after else False
    if after and not person_after and not cue_next and after[0] not in _FUNCTION_WORDS:
        near_text = folded[end:end + 3]
        if not re.match(r"\s*[,.;:)]", near_text):
            return "other", 0.0, False, False
    political_after = any(_is_word(cues["political"], " ".join(after[i:i + 2])) or _is_word(cues["political"], after[i])
                          for i in range(min(3, len(after))))

    # "Excarcelados: 0 ... Encarcelados: 21 ... Total presos politicos: 866": a label and a colon
    m = re.search(r"([\w ]+):\s*$", folded[max(lo, start - 40):start])
    if m and re.match(r"\s*([.;,)\n|/·]|$)", folded[end:end + 3]):
        lab = m.group(1).strip()
        if cues["remain"].search(lab) or cues["political"].search(lab):
            if not cues["release"].search(lab) and not cues["arrest"].search(lab):
                return "total", 0.9, False, False
        if cues["arrest"].search(lab) or cues["harm"].search(lab):
            return "other", 0.0, False, False
        if cues["release"].search(lab):
            return "confirmed", 0.7, False, False
        return "other", 0.0, False, False  # "Civiles: 701": a breakdown line of a balance

    # freed people jailed again, or moved between prisons: not a release
    if ctx.near("rearrest", 40) and (ctx.near("arrest", 40) or d["rearrest"] is not None):
        return "other", 0.0, False, False
    if ctx.near("transfer", 6) and (d["release"] is None or d["transfer"] <= d["release"]):  # type: ignore[operator]
        return "other", 0.0, False, False
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
    weak = d_remain is not None and _cue_distance(_EXISTENTIAL, folded, lo, hi, start, end) == d_remain
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
        return "total", 0.9, False, False
    if political_after and (d_release is None or (ctx.near("remain") and d_remain < d_release)):  # type: ignore[operator]
        if nearest_block is None or nearest_block > 2 or (d_remain is not None and d_remain < nearest_block):
            if ctx.near("remain") or d_release is None:
                return "total", 0.8 if ctx.near("remain") else 0.5, False, False

    if ctx.near("historical", 10) and (d["release"] is None or d["historical"] <= d["release"] + 6):  # type: ignore[operator]
        # "detenidos desde 2023", "held since 2020" date the detention, not the releases
        if not _detention_dated(folded, lo, hi, start, end):
            return "other", 0.0, False, False
    if d_release is None or d_release > 12:
        return "other", 0.0, False, False
    if nearest_block is not None and nearest_block < d_release:
        return "other", 0.0, False, False
    if not person_after and d_release > 6 and not _PARTITIVE_AFTER.match(folded[end:end + 20]):
        return "other", 0.0, False, False  # a bare number far from the release word is something else

    strength = 0.6 + (0.2 if person_after else 0.0) + (0.1 if d_release <= 3 else 0.0)
    cumulative = ctx.near("cumulative", 4)
    increment = ctx.near("increment", 3)
    return _sub_role(folded, lo, hi, start, end), strength, cumulative, increment


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
        before = " ".join(_WORD.findall(folded[max(lo, m.start() - 30):m.start()])[-2:])
        if not (cues["arrest"].search(before) or cues["remain"].search(before) or re.search(r"\bpres[oa]s\b", before)):
            return False
        near = True
    return near


def _sub_role(folded: str, lo: int, hi: int, start: int, end: int) -> str:
    """Announced (authorities promise, authorise or claim) or confirmed (people walked out, as NGOs,
    families or reporters say)."""
    cues = lexicon().cues
    d_ann = _cue_distance(cues["announce"], folded, lo, hi, start, end)
    d_conf = _cue_distance(cues["confirm"], folded, lo, hi, start, end)
    speaker = _speaker(folded, lo, start)
    # an NGO "announcing" releases is confirming them; a government "saying" they happened is a claim
    speech_only = d_ann is not None and _cue_distance(
        re.compile(r"(?<!\w)(anunci\w*|announc\w*)(?!\w)"), folded, lo, hi, start, end) == d_ann
    if speaker == "ngo" and speech_only:
        return "confirmed"
    if d_ann is not None and (d_conf is None or d_ann < d_conf):
        return "announced"
    if speaker == "government":
        return "announced"
    return "confirmed"


def _mentions(text: str, folded: str, spans: list[tuple[int, int]]) -> list[_Mention]:
    out: list[_Mention] = []
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
            role, strength, cum, inc = _classify(folded, (lo, hi), m.start(), m.end(), value)
            if role != "other" and isinstance(value, int) and value < 10_000_000:
                out.append(_Mention(value, m.start(), m.end(), si, role, strength, cum, inc))
    return out


# ---------------------------------------------------------------------------------------------
# Places, organisations, names, language


def _found(section: str, folded: str) -> list[tuple[int, _Entry]]:
    """Where the text names entries of a gazetteer section, in order."""
    pattern, by_alias = lexicon().finders[section]
    hits = []
    for m in pattern.finditer(folded):
        entry = by_alias.get(" ".join(m.group().split()))
        if entry is not None:
            hits.append((m.start(), entry))
    return hits


_ES_WORDS = frozenset("el la los las de del que en por con para una se fueron presos su al es lo como más este".split())
_EN_WORDS = frozenset("the of and to in were was have has that with for by from is are their on this".split())


def detect_lang(folded: str) -> str:
    words = re.findall(r"[a-z]+", folded[:4000])
    es = sum(w in _ES_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return "en" if en > es else "es"


# Where names of freed people stand: after a list cue ("los nombres ... son:", "among them") or
# right after a role noun ("el periodista X", "activist X") in a sentence about releases.
_LIST_CUE = re.compile(
    r"(nombres?[^:.]{0,80}?(son|es|fueron|figuran)\b:?|entre (ellos|ellas|los (excarcelados|liberados|beneficiados)"
    r"|las (excarceladas|liberadas))|se trata de|identificad[oa]s? como|among (them|those|the freed|the released)"
    r"|the (names|freed|released) (were|are|include)|names? (of|were|are)[^:.]{0,60}:?|including|incluid[oa]s?"
    r"|destacan|figuran)"
)
_ROLE = re.compile(
    r"\b(periodista|activista|dirigente|defensor[a]?|abogad[oa]|sindicalista|estudiante|militar|capitan|coronel"
    r"|teniente|sargento|concejal|diputad[oa]|alcalde|profesor[a]?|medic[oa]|journalist|activist|leader|lawyer"
    r"|defender|unionist|student|captain|colonel|lieutenant|sergeant|councillor|councilor|lawmaker|mayor"
    r"|professor|doctor|opositor[a]?|preso politico|presa politica)\s+$"
)
_NAME = re.compile(
    r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'’]+(?:-[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)?"
    r"(?:\s+(?:(?:de|del|de la|de los|da|van)\s+)?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü'’]+(?:-[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)?|[A-Z]\.)){1,4}"
)
# Capitalised words that are not parts of personal names.
_NOT_NAME = frozenset(fold(w) for w in (
    "El La Los Las The Un Una A An En De Del Por Para Con Este Esta Según According Hoy Ayer Today "
    "Foro Penal Comité Committee Tribunal Ministerio Gobierno Government Asamblea Nacional National "
    "Human Rights Derechos Humanos Political Prisoners Presos Políticos Day Christmas Navidad Año Nuevo "
    "New Year Western Hemisphere Venezuela Venezuelan Caracas Estados Unidos United States Unión Europea "
    "European Union Fiscalía Defensoría Sebin Dgcim Policía Police Guardia Guard Ejército Army "
    "Lunes Martes Miércoles Jueves Viernes Sábado Domingo Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday Centro Center Centre Penitenciario Prison Cárcel Internado Judicial Zona Rodeo "
    "Amnistía Amnesty Ley Law Organización Organization ONG NGO Observatorio Justicia Encuentro Perdón "
    "Madres Mothers Truth Verdad Defensa Defense Libertad Freedom Internacional International Watch "
    "Misión Mission Naciones Unidas Nations Consejo Council Reuters EFE AP AFP Europa Press"
).split())


def _name_ok(name: str, lex: _Lexicon) -> bool:
    words = [fold(w.strip(".,")) for w in name.split() if w not in ("de", "del", "la", "los", "y", "da", "van")]
    if len(words) < 2 or any(w in _NOT_NAME for w in words):
        return False
    f = fold(name)
    if any(e.pattern.search(f) for e in (*lex.orgs, *lex.prisons, *lex.countries)):
        return False
    return not (lex.cues["venezuela"].search(f) or lex.cues["month"].fullmatch(words[0]))


def _names(text: str, folded: str, spans: list[tuple[int, int]], lex: _Lexicon) -> list[str]:
    """Names of people the item reports as released, in order of appearance."""
    out: list[str] = []
    for lo, hi in spans:
        if not lex.cues["release"].search(folded, lo, hi):
            continue
        cue = _LIST_CUE.search(folded, lo, hi)
        for m in _NAME.finditer(text, lo, hi):
            name = m.group().strip()
            # trim a trailing connective caught by the pattern ("... y")
            name = re.sub(r"\s+(y|de|del)$", "", name)
            after_cue = cue is not None and m.start() >= cue.start()
            after_role = bool(_ROLE.search(folded[max(lo, m.start() - 30):m.start()]))
            if not (after_cue or after_role) or not _name_ok(name, lex):
                continue
            if name not in out:
                out.append(name)
    return out[:50]


def _attribution(
    folded: str, span: tuple[int, int], hits: list[tuple[int, _Entry]], kinds: tuple[str, ...],
    fallback: bool = True,
) -> str | None:
    lo, hi = span
    inside = [e for pos, e in hits if lo <= pos < hi and e.kind in kinds]
    if inside:
        return inside[0].name
    if not fallback:
        return None
    for _pos, e in hits:
        if e.kind in kinds:
            return e.name
    return None


# ---------------------------------------------------------------------------------------------
# The matcher


# Vague plurals that text2num would turn into 100 / 1000: "hundreds" is not a count.
_VAGUE_PLURAL = re.compile(
    r"\b(hundreds|thousands|millions?|billions?|dozens|cientos|centenares|miles|millares|mill[oó]n|millones"
    r"|decenas)\b", re.I
)


_SMALL = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_SMALL_WORD = re.compile(r"\b(" + "|".join(_SMALL) + r")\b", re.I)


def _words_to_digits(text: str, lang: str) -> str:
    """'sesenta y cinco' -> '65', 'nine' -> '9', leaving vague plurals ('cientos', 'hundreds') as words."""
    pieces = _VAGUE_PLURAL.split(text)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 or not piece.strip():
            out.append(piece)
            continue
        try:
            out.append(alpha2digit(piece, lang))
        except Exception:  # text2num is defensive, but arbitrary input may still trip it
            out.append(piece)
    # text2num leaves lone small numbers ("nine workers") as words
    return _SMALL_WORD.sub(lambda m: str(_SMALL[m.group().lower()]), "".join(out))


def _relevant(folded: str) -> bool:
    """Could this item be about releases or prisoners at all? Most news is not: sport, oil,
    weather. Those skip number reading and the gazetteers (one cheap pass instead of many)."""
    cues = lexicon().cues
    # a tally always names political prisoners, so "remain" words alone do not count
    return bool(cues["release"].search(folded) or cues["political"].search(folded)
                or cues["transfer"].search(folded) or cues["visits"].search(folded))


def prepare(title: str, summary: str, lang: str | None = None) -> tuple[str, str, str, bool]:
    """Normalised text (title on its own line), its folded twin, the language, and whether the
    item could be about releases at all (only then are number words turned into digits)."""
    text = normalize(f"{title.strip()}\n{summary.strip()}")[:MAX_TEXT]
    folded = fold(text)
    lang = lang if lang in ("es", "en") else detect_lang(folded)
    if not _relevant(folded):
        return text, folded, lang, False
    converted = _words_to_digits(text, lang)
    if converted != text:
        text = converted
        folded = fold(text)
    # digits never make an item relevant or not: no need to ask again after the conversion
    return text, folded, lang, True


def match(title: str, summary: str = "", lang: str | None = None) -> Extraction:
    """Classify one item and extract its numbers in their roles."""
    text, folded, lang, relevant = prepare(title, summary, lang)
    if not relevant:
        return Extraction(lang=lang, confidence=0.95)
    lex = lexicon()
    spans = sentences(text)
    if not spans:
        return Extraction(lang=lang, confidence=0.95)
    title_end = text.find("\n") if "\n" in text else len(text)

    org_hits = _found("org", folded)
    prisons = tuple(dict.fromkeys(e.name for _, e in _found("prison", folded)))
    orgs = tuple(dict.fromkeys(e.name for _, e in org_hits))
    mentions = _mentions(text, folded, spans)
    releases = [m for m in mentions if m.role in ("announced", "confirmed")]
    totals = [m for m in mentions if m.role == "total"]

    political = bool(lex.cues["political"].search(folded)) or any(e.kind in ("ngo", "family") for _, e in org_hits)
    # freed hostages, players or tankers are not our news; prisoners with no link to Venezuela's
    # authorities, NGOs, prisons or politics neither
    context = political or bool(org_hits or prisons) or bool(
        lex.cues["government"].search(folded) or lex.cues["ngo"].search(folded))
    base = Extraction(lang=lang, prisons=prisons, orgs=orgs, prison_news=_prison_news(folded, spans, prisons, lex))

    # a count of prisoners is the national tally only when someone keeps it: a "remain" word,
    # a balance label, or an NGO in the same sentence (not "38 political prisoners of the X case")
    totals = [m for m in totals if m.strength >= 0.8 or any(
        spans[m.sentence][0] <= pos < spans[m.sentence][1] and e.kind in ("ngo", "family") for pos, e in org_hits)]
    total = totals[0].value if totals else None
    total_by = _attribution(folded, spans[totals[0].sentence], org_hits, ("ngo", "family"), fallback=False) if totals else None

    title_span = (0, title_end)
    if re.match(r"\s*[\w ]{0,20}?(" + lex.cues["genre"].pattern + r")\s*[:|-]", folded[:title_end]):
        releases = []  # "Opinión: ...", "Interview: ...": not a report of releases
    # an item whose title is about a death, a re-arrest, a transfer or a denial is not a release alert
    if not context or any(lex.cues[r].search(folded, 0, title_end) for r in ("harm", "rearrest", "transfer", "denial")):
        releases = []
    releases = [m for m in releases if not (_common_prisoners(folded, spans[m.sentence], lex)
                                            or _common_prisoners(folded, title_span, lex))]
    if releases and _foreign(folded, spans, releases[0], title_end, lex):
        return replace(base, confidence=0.8, prison_news=None)
    if not releases and total is not None and not political:
        total = None

    if not releases:
        vague = _numberless_release(text, folded, spans, title_end, lex) if context and total is None else None
        if vague is not None:
            kind, count, si = vague
            span = spans[si]
            return replace(
                base, kind=kind, released=count, announced=count if kind == "announcement" else None,
                confirmed=count if kind == "confirmation" else None, total_prisoners=total,
                total_by=total_by, names=tuple(_names(text, folded, spans, lex)), confidence=0.5,
                evidence=text[span[0]:span[1]].strip()[:500],
            )
        if total is not None:
            return replace(base, kind="tally", total_prisoners=total, total_by=total_by, confidence=0.8)
        return replace(base, confidence=0.9)

    # headline: the first release in the title, else the strongest early one in the body
    in_title = [m for m in releases if m.start < title_end]
    head = in_title[0] if in_title else max(releases, key=lambda m: (m.strength, -m.start))
    if head.cumulative:
        increments = [m for m in releases if m.increment and not m.cumulative and m.role == head.role]
        if increments:
            head = increments[0]
    head = _with_named_one(text, folded, spans[head.sentence], head)
    announced = confirmed = cumulative = None
    if head.role == "announced":
        announced = head.value
        later = [m for m in releases if m.role == "confirmed" and m.value <= head.value]
        confirmed = later[0].value if later else None
    else:
        confirmed = head.value
        bigger = [m for m in releases if m.role == "announced" and m.value >= head.value]
        announced = bigger[0].value if bigger else None
    cums = [m for m in releases if m.cumulative and m.role == "confirmed" and m is not head]
    if cums:
        cumulative = max(m.value for m in cums)
    if head.cumulative and head.role == "confirmed":
        cumulative = head.value

    names = tuple(_names(text, folded, spans, lex))
    span = spans[head.sentence]
    confidence = min(0.99, head.strength + (0.1 if head.start < title_end else 0.0) + (0.1 if political else -0.2))
    return Extraction(
        kind="announcement" if head.role == "announced" else "confirmation",
        released=head.value,
        announced=announced,
        confirmed=confirmed,
        cumulative=cumulative,
        total_prisoners=total,
        prisons=prisons,
        orgs=orgs,
        names=names,
        lang=lang,
        prison_news=base.prison_news,
        confidence=round(max(confidence, 0.05), 2),
        announced_by=_attribution(folded, span, org_hits, ("government",)) if announced else None,
        confirmed_by=_attribution(folded, span, org_hits, ("ngo", "family")) if confirmed else None,
        total_by=total_by,
        evidence=text[span[0]:span[1]].strip()[:500],
    )


_SINGULAR = re.compile(
    r"\b(al|a la|a el|the|el|la|del|de la)\s+(periodista|activista|dirigente|defensor[a]?|abogad[oa]|sindicalista|estudiante"
    r"|militar|capitan|coronel|teniente|sargento|concejal|diputad[oa]|alcalde|profesor[a]?|medic[oa]|opositor[a]?"
    r"|journalist|activist|leader|lawyer|defender|unionist|student|captain|colonel|lieutenant|sergeant|mayor"
    r"|professor|doctor|preso politico|presa politica|political prisoner)\b"
)


_ROLE_WORD = re.compile(
    r"\b(periodista|activista|dirigente|defensora?|abogad[oa]|sindicalista|opositora?|journalist|activist"
    r"|leader|lawyer|defender|unionist|colonel|captain|coronel|capitan)\b"
)


def _with_named_one(text: str, folded: str, span: tuple[int, int], head: _Mention) -> _Mention:
    """'excarcelan al periodista X y a otros 4' frees 5, not 4."""
    lo, _hi = span
    before = folded[lo:head.start]
    if re.search(r"\b(otr[oa]s|other)\s*$", before) and _SINGULAR.search(before):
        return replace(head, value=head.value + 1)
    return head


def _common_prisoners(folded: str, span: tuple[int, int], lex: _Lexicon) -> bool:
    lo, hi = span
    return bool(lex.cues["common"].search(folded, lo, hi)) and not lex.cues["political"].search(folded, lo, hi)


def _numberless_release(text: str, folded: str, spans: list[tuple[int, int]], title_end: int,
                        lex: _Lexicon) -> tuple[str, int | None, int] | None:
    """A release stated without a count ("dozens freed", "excarcelan al dirigente X"), in the title
    or the first sentences: (kind, 1 for one named person else None, sentence index)."""
    cues = lex.cues
    for si, (lo, hi) in enumerate(s for s in spans if s[0] < title_end):
        release = [m for m in cues["release"].finditer(folded, lo, hi) if not _negated(folded, m.start(), lo)]
        if not release:
            continue
        if any(cues[r].search(folded, lo, hi) for r in ("rearrest", "transfer", "harm", "historical")):
            continue
        if _common_prisoners(folded, (lo, hi), lex):
            continue
        if any(e.pattern.search(folded, lo, hi) for e in lex.countries) and not cues["venezuela"].search(folded, lo, hi):
            continue
        if cues["opposition"].search(folded, lo, hi) and not cues["government"].search(folded, lo, hi):
            continue
        if re.match(r"\s*[\w ]{0,20}?(" + cues["genre"].pattern + r")\s*[:|-]", folded[lo:hi]):
            continue
        if cues["narrative"].search(folded, lo, hi):
            continue  # freed people telling their story
        if cues["media"].search(folded, lo, hi) or cues["not_prisoner"].search(folded, lo, hi):
            continue
        sentence = folded[lo:hi]
        prisoner = bool(cues["political"].search(sentence)) or any(
            _is_word(cues["person"], w) for w in _WORD.findall(sentence))
        single = _SINGULAR.search(sentence) or _ROLE_WORD.search(sentence)
        if not (prisoner or single):
            continue
        kind = "announcement" if cues["announce"].search(sentence) and not cues["confirm"].search(sentence) else "confirmation"
        plural = cues["vague"].search(sentence) or re.search(r"\b(presos|prisoners|detenidos|detainees)\b", sentence)
        return kind, (1 if single and not plural else None), si
    return None


def _prison_news(folded: str, spans: list[tuple[int, int]], prisons: tuple[str, ...], lex: _Lexicon) -> str | None:
    """Transfers or visit restrictions at a named prison, said in the title or first sentence."""
    if not prisons or not spans:
        return None
    hi = spans[1][1] if len(spans) > 1 else spans[0][1]
    if lex.cues["transfer"].search(folded, 0, hi):
        return "transfer"
    if lex.cues["visits"].search(folded, 0, hi):
        return "visits"
    return None


def _foreign(folded: str, spans: list[tuple[int, int]], head: _Mention, title_end: int, lex: _Lexicon) -> bool:
    """True when the headline release happens in another country: a foreign place stands nearer
    to the number than any Venezuelan one, in its sentence or in the title."""
    lo, hi = spans[head.sentence]
    d_foreign = min((d for e in lex.countries
                     if (d := _cue_distance(e.pattern, folded, lo, hi, head.start, head.end)) is not None), default=None)
    if d_foreign is not None:
        d_home = _cue_distance(lex.cues["venezuela"], folded, lo, hi, head.start, head.end)
        if d_home is None or d_foreign < d_home:
            return True
    scopes = [(lo, hi), (0, title_end)]
    for a, b in scopes:
        foreign = any(e.pattern.search(folded, a, b) for e in lex.countries)
        if foreign and not lex.cues["venezuela"].search(folded, a, b):
            venezuelan_place = any(e.pattern.search(folded, a, b) for e in lex.prisons)
            if not venezuelan_place:
                return True
    return False
