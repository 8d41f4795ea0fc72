"""Release matcher: the text of one news item in, an Extraction out.

Finds the numbers in an item, gives each a role (announced release, confirmed release, prisoners
still held, or nothing) from the words around it, and picks the item's headline event. Pure: it
reads its word lists from bot/data once and never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from text_to_num import alpha2digit

from ._text import NUMBER, fold, normalize, parse_number, sentences

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
    words: dict[str, frozenset[str]] = field(default_factory=dict)


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

    return _Lexicon(
        cues=cues,
        prisons=entries("prison", "prison"),
        orgs=entries("org", "ngo"),
        countries=entries("country", "country"),
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


_WORD = re.compile(r"[\w%$'-]+")


def _tokens_before(folded: str, start: int, lo: int, n: int) -> list[str]:
    return _WORD.findall(folded[lo:start])[-n:]


def _tokens_after(folded: str, end: int, hi: int, n: int) -> list[str]:
    return _WORD.findall(folded[end:hi])[:n]


def _cue_distance(pattern: re.Pattern[str], folded: str, lo: int, hi: int, start: int, end: int) -> int | None:
    """Distance in words from the number at [start, end) to the nearest cue in [lo, hi)."""
    best: int | None = None
    for m in pattern.finditer(folded, lo, hi):
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


def _classify(folded: str, sent: tuple[int, int], start: int, end: int, value: int | float) -> tuple[str, float, bool, bool]:
    """Role of the number at [start, end) within its sentence span; with strength 0..1."""
    lex = lexicon()
    cues = lex.cues
    lo, hi = sent
    after = _tokens_after(folded, end, hi, 6)
    before = _tokens_before(folded, start, lo, 8)
    prev_text = folded[max(lo, start - 25):start]

    if isinstance(value, float) or value <= 0:
        return "other", 0.0, False, False
    if _NOT_COUNT_BEFORE.search(prev_text):
        return "other", 0.0, False, False
    if folded[end:end + 1] in ("%",) or folded[max(lo, start - 1):start] in ("$", "#"):
        return "other", 0.0, False, False
    # dates: "15 de diciembre", "December 15", "15 December"
    first = after[0] if after else ""
    second = after[1] if len(after) > 1 else ""
    if _is_word(cues["month"], first) or (first in ("de", "of") and _is_word(cues["month"], second)):
        return "other", 0.0, False, False
    if before and _is_word(cues["month"], before[-1]):
        return "other", 0.0, False, False
    # units: votes, percentages, years of age, durations, money ...
    head = first
    if first in ("de", "of", "mas", "more", "than", "que") and second:
        head = second
    if _is_word(cues["unit"], first) or (first in ("de", "of") and _is_word(cues["unit"], second)):
        return "other", 0.0, False, False
    # years (1950-2100) unless clearly a count of people
    person_after = any(_is_word(cues["person"], t) for t in after[:3])
    if 1950 <= value <= 2100 and not person_after:
        return "other", 0.0, False, False
    if after[:1] and after[0] in ("a", "y", "and", "to", "-") and len(after) > 1 and after[1].isdigit():
        return "other", 0.0, False, False  # ranges "24-26", "entre 5 y 10"

    win = 12
    d_release = _cue_distance(cues["release"], folded, lo, hi, start, end)
    d_arrest = _cue_distance(cues["arrest"], folded, lo, hi, start, end)
    d_harm = _cue_distance(cues["harm"], folded, lo, hi, start, end)
    d_remain = _cue_distance(cues["remain"], folded, lo, hi, start, end)
    d_hist = _cue_distance(cues["historical"], folded, lo, hi, start, end)
    d_cum = _cue_distance(cues["cumulative"], folded, lo, hi, start, end)
    d_inc = _cue_distance(cues["increment"], folded, max(lo, start - 30), min(hi, end + 30), start, end)
    political_after = any(_is_word(cues["political"], " ".join(after[i:i + 2])) or
                          _is_word(cues["political"], after[i]) for i in range(min(3, len(after))))
    label = folded[max(lo, start - 40):start]

    def near(d: int | None, w: int = win) -> bool:
        return d is not None and d <= w

    # "Excarcelados: 0 ... Encarcelados: 21 ... Total presos politicos: 866": label before a colon
    m = re.search(r"([\w ]+):\s*$", label)
    if m:
        lab = m.group(1).strip()
        if cues["remain"].search(lab) or cues["political"].search(lab):
            if not cues["release"].search(lab) and not cues["arrest"].search(lab):
                return "total", 0.9, False, False
        if cues["arrest"].search(lab) or cues["harm"].search(lab):
            return "other", 0.0, False, False
        if cues["release"].search(lab):
            return "confirmed", 0.7, False, False

    blockers = [d for d in (d_arrest, d_harm) if d is not None]
    nearest_block = min(blockers) if blockers else None
    if near(d_hist, 10) and (d_release is None or d_hist <= d_release + 6):
        return "other", 0.0, False, False

    # a count of prisoners still held
    if political_after and (d_release is None or (near(d_remain) and d_remain < d_release)):
        if nearest_block is None or nearest_block > 2 or (d_remain is not None and d_remain < nearest_block):
            if near(d_remain) or d_release is None:
                return "total", 0.8 if near(d_remain) else 0.5, False, False

    if not near(d_release):
        return "other", 0.0, False, False
    if nearest_block is not None and nearest_block < d_release:
        return "other", 0.0, False, False
    if not person_after and d_release > 6 and not re.search(r"(de|of)\s+(ellos|ellas|them)", " ".join(after[:3])):
        # a bare number far from the release word is likely something else
        return "other", 0.0, False, False

    d_ann = _cue_distance(cues["announce"], folded, lo, hi, start, end)
    d_conf = _cue_distance(cues["confirm"], folded, lo, hi, start, end)
    strength = 0.6 + (0.2 if person_after else 0.0) + (0.1 if d_release <= 3 else 0.0)
    cumulative = near(d_cum, 8)
    increment = near(d_inc, 3)
    if d_ann is not None and (d_conf is None or d_ann < d_conf):
        return "announced", strength, cumulative, increment
    return "confirmed", strength, cumulative, increment


def _mentions(text: str, folded: str, spans: list[tuple[int, int]]) -> list[_Mention]:
    out = []
    for si, (lo, hi) in enumerate(spans):
        for m in NUMBER.finditer(text, lo, hi):
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


def _found(entries: tuple[_Entry, ...], folded: str) -> list[tuple[int, _Entry]]:
    hits = [(m.start(), e) for e in entries for m in e.pattern.finditer(folded)]
    return sorted(hits, key=lambda h: h[0])


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
    r"(?:\s+(?:(?:de|del|de la|de los|da|van|y)\s+)?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü'’]+(?:-[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)?|[A-Z]\.)){1,4}"
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
    r"\b(hundreds|thousands|millions|dozens|cientos|centenares|miles|millares|millones|decenas)\b", re.I
)


def _words_to_digits(text: str, lang: str) -> str:
    """'sesenta y cinco' -> '65', leaving vague plurals ('cientos', 'hundreds') as words."""
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
    return "".join(out)


def prepare(title: str, summary: str, lang: str | None = None) -> tuple[str, str, str]:
    """Normalised text (title on its own line), its folded twin, and the language."""
    text = normalize(f"{title.strip()}\n{summary.strip()}")[:MAX_TEXT]
    folded = fold(text)
    lang = lang if lang in ("es", "en") else detect_lang(folded)
    converted = _words_to_digits(text, lang)
    if converted != text:
        text = converted
        folded = fold(text)
    return text, folded, lang


def match(title: str, summary: str = "", lang: str | None = None) -> Extraction:
    """Classify one item and extract its numbers in their roles."""
    text, folded, lang = prepare(title, summary, lang)
    lex = lexicon()
    spans = sentences(text)
    if not spans:
        return Extraction(lang=lang, confidence=0.95)
    title_end = text.find("\n") if "\n" in text else len(text)

    org_hits = _found(lex.orgs, folded)
    prisons = tuple(dict.fromkeys(e.name for _, e in _found(lex.prisons, folded)))
    orgs = tuple(dict.fromkeys(e.name for _, e in org_hits))
    mentions = _mentions(text, folded, spans)
    releases = [m for m in mentions if m.role in ("announced", "confirmed")]
    totals = [m for m in mentions if m.role == "total"]

    political = bool(lex.cues["political"].search(folded)) or any(e.kind != "government" for _, e in org_hits)
    common = lex.cues["common"].search(folded)
    base = Extraction(lang=lang, prisons=prisons, orgs=orgs)

    total = totals[0].value if totals else None
    total_by = _attribution(folded, spans[totals[0].sentence], org_hits, ("ngo", "family"), fallback=False) if totals else None

    if releases and not political and common:
        releases = []
    if releases and _foreign(folded, spans, releases[0], title_end, lex):
        return Extraction(lang=lang, prisons=prisons, orgs=orgs, confidence=0.8)
    if not releases and total is not None and not political:
        total = None

    if not releases:
        if total is not None:
            return _replace(base, kind="tally", total_prisoners=total, total_by=total_by, confidence=0.8)
        return _replace(base, confidence=0.9)

    # headline: the first release in the title, else the strongest early one in the body
    in_title = [m for m in releases if m.start < title_end]
    head = in_title[0] if in_title else max(releases, key=lambda m: (m.strength, -m.start))
    if head.cumulative:
        increments = [m for m in releases if m.increment and not m.cumulative and m.role == head.role]
        if increments:
            head = increments[0]
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
        confidence=round(max(confidence, 0.05), 2),
        announced_by=_attribution(folded, span, org_hits, ("government",)) if announced else None,
        confirmed_by=_attribution(folded, span, org_hits, ("ngo", "family")) if confirmed else None,
        total_by=total_by,
        evidence=text[span[0]:span[1]].strip()[:500],
    )


def _foreign(folded: str, spans: list[tuple[int, int]], head: _Mention, title_end: int, lex: _Lexicon) -> bool:
    """True when the headline release happens in another country."""
    lo, hi = spans[head.sentence]
    scopes = [(lo, hi), (0, title_end)]
    for a, b in scopes:
        foreign = any(e.pattern.search(folded, a, b) for e in lex.countries)
        if foreign and not lex.cues["venezuela"].search(folded, a, b):
            venezuelan_place = any(e.pattern.search(folded, a, b) for e in lex.prisons)
            if not venezuelan_place:
                return True
    return False


def _replace(base: Extraction, **changes: Any) -> Extraction:
    from dataclasses import replace

    return replace(base, **changes)
