"""Who and where an item speaks of: prisons, organisations and countries from the gazetteer, the
names of people it reports as freed, and who said a figure.

Pure lookups in the text; never gives a number its role.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .._text import fold
from .cues import Span, cue_distance
from .lexicon import Entry, Lexicon, behind, grammar, lexicon, one_of
from .roles import Mention
from .speakers import countries_named


class Hit(NamedTuple):
    """A gazetteer entry named in the text, at offset `pos` of the folded text."""

    pos: int
    entry: Entry


def found(section: str, folded: str) -> list[Hit]:
    """Where the text names entries of a gazetteer section, in order."""
    pattern, by_alias, _shared = lexicon().finders[section]
    hits = []
    for m in pattern.finditer(folded):
        entry = by_alias.get(" ".join(m.group().split()))
        if entry is not None:
            hits.append(Hit(m.start(), entry))
    return hits


# Word lists from bot/data/grammar.toml; the patterns around them are the rules' structure.
_G = grammar()

# Where names of freed people stand: after a list cue ("los nombres ... son:", "among them") or
# right after a role noun ("el periodista X", "activist X") in a sentence about releases.
_LIST_CUE = re.compile(one_of(_G.name_list_cues))
_ROLE = re.compile(r"\b" + one_of(_G.name_roles) + r"\s+$")
_NAME = re.compile(
    r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'’]+(?:-[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)?"
    r"(?:\s+(?:" + one_of(_G.name_particles, capture=False)
    + r"\s+)?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü'’]+(?:-[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)?|[A-Z]\.)){1,4}"
)
# Capitalised words that are not parts of personal names (compared folded, as written in the data).
_NOT_NAME = frozenset(fold(w) for w in _G.not_name)
# small words of a name, and "y" between two, that are no word of the name itself
_NAME_GLUE = frozenset((*(w for p in _G.name_particles for w in p.split()), *_G.and_words))
# a connective the name pattern caught at the end ("... y")
_TRAILING_JOINER = re.compile(r"\s+" + one_of((*_G.and_words, *_G.of_the_words)) + r"$")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"[^\s,:;]+")


def _name_ok(name: str, lex: Lexicon) -> bool:
    words = [fold(w.strip(".,")) for w in name.split() if w not in _NAME_GLUE]
    if len(words) < 2 or any(w in _NOT_NAME for w in words):
        return False
    f = fold(name)
    if any(lex.finders[section].pattern.search(f) for section in ("org", "prison", "country")):
        return False
    return not (lex.cues["venezuela"].search(f) or lex.cues["month"].fullmatch(words[0]))


def freed_names(text: str, folded: str, spans: list[Span], lex: Lexicon) -> list[str]:
    """Names of people the item reports as released, in order of appearance."""
    out: list[str] = []
    for lo, hi in spans:
        if not lex.cues["release"].search(folded, lo, hi):
            continue
        cue = _LIST_CUE.search(folded, lo, hi)
        for m in _NAME.finditer(text, lo, hi):
            name = m.group().strip()
            # trim a trailing connective caught by the pattern ("... y")
            name = _TRAILING_JOINER.sub("", name)
            after_cue = cue is not None and m.start() >= cue.start()
            after_role = bool(_ROLE.search(behind(folded, lo, m.start(), 30)))
            if not (after_cue or after_role) or not _name_ok(name, lex):
                continue
            if name not in out:
                out.append(name)
    return out[:50]


def named_among_freed(text: str, folded: str, spans: list[Span], lex: Lexicon) -> bool:
    """Does a sentence that reports releases with a count name people right after a list cue
    ("35 excarcelaciones, entre ellas Guanipa y Perkins Rocha", "12 freed, including Ana Pérez")?
    Those freed are known people, not ordinary prisoners: the item is political news. Only names
    (or names joined by "y", "and", commas) may stand between the cue and a full name."""
    for lo, hi in spans:
        if not (lex.cues["release"].search(folded, lo, hi) and _DIGIT.search(folded[lo:hi])):
            continue
        for cue in _LIST_CUE.finditer(folded, lo, hi):
            for w in list(_TOKEN.finditer(text[cue.end():hi]))[:4]:
                word = w.group()
                if word in _G.and_words:
                    continue
                if not word[:1].isupper():
                    break
                m = _NAME.match(text, cue.end() + w.start(), hi)
                if m and _name_ok(_TRAILING_JOINER.sub("", m.group().strip()), lex):
                    return True
    return False


def attribution(
    folded: str, span: Span, hits: list[Hit], kinds: tuple[str, ...],
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


# a name right after a release word ("excarcelan a Javier Tarazona", "frees Juan Requesens"), or
# right before one ("Javier Tarazona sale de la cárcel", "Juan Requesens freed"); more names joined
# to it ("a Enrique Márquez y a Biagio Pilieri", "Márquez, Pilieri and Guevara")
_NAMED_OBJECT = re.compile(r"\s+(?:" + one_of(_G.named_object_before, capture=False) + r"\s+)?")
_NAMED_SUBJECT_GAP = re.compile(r"\s+$")
_NAMES_JOINED = re.compile(r"\s*(?:,\s*(?:" + one_of(_G.and_words, capture=False) + r"\s+)?|\s+" + one_of(_G.and_words, capture=False)
                           + r"\s+)(?:" + one_of(_G.named_object_before, capture=False) + r"\s+)?")


def named_freed(text: str, folded: str, lo: int, hi: int, lex: Lexicon) -> list[str]:
    """The people the sentence [lo, hi) frees by name, as the object or the subject of its release
    word, no role noun needed ("Excarcelan a Javier Tarazona"; "Excarcelan a Enrique Márquez y
    Biagio Pilieri": both; "Javier Tarazona sale de la cárcel"), in order; [] when none."""
    def ok(m: re.Match[str] | None) -> str | None:
        name = _TRAILING_JOINER.sub("", m.group().strip()) if m is not None else ""
        # an official of the government freed ("Liberan a Alex Saab") is no political prisoner
        return name if name and _name_ok(name, lex) and not lex.finders["official"].pattern.search(fold(name)) else None

    for m in lex.cues["release"].finditer(folded, lo, hi):
        if countries_named(bare=True).search(folded, lo, m.start()):
            continue  # a foreign government before the release word does the freeing ("Estados Unidos libera a …")
        gap = _NAMED_OBJECT.match(folded, m.end())
        found = _NAME.match(text, gap.end(), hi) if gap else None
        if (first := ok(found)) is not None:
            names = [first]
            while found is not None and (joined := _NAMES_JOINED.match(folded, found.end(), hi)) is not None:
                found = _NAME.match(text, joined.end(), hi)
                if (more := ok(found)) is not None:
                    names.append(more)
            return names
        before = _NAME.match(text, lo, m.start())  # the sentence opens with the name, the release word right after
        if before is not None and _NAMED_SUBJECT_GAP.fullmatch(text, before.end(), m.start()) and (subject := ok(before)) is not None:
            return [subject]
    return []


def names_joined(text: str, folded: str, lo: int, hi: int, lex: Lexicon) -> bool:
    """Does the sentence [lo, hi) join two names ("al periodista Roland Carreño y a Juan Requesens"):
    more than one person, whatever role noun stands before the first?"""
    for name in _NAME.finditer(text, lo, hi):
        joined = _NAMES_JOINED.match(folded, name.end(), hi)
        other = _NAME.match(text, joined.end(), hi) if joined else None
        if other is not None and all(_name_ok(_TRAILING_JOINER.sub("", n.group().strip()), lex) for n in (name, other)):
            return True
    return False


# "al periodista", "the journalist": one person, named by role
SINGULAR = re.compile(r"\b" + one_of(_G.one_person_articles) + r"\s+" + one_of(_G.one_person_roles) + r"\b")


def prison_news(folded: str, spans: list[Span], prisons: tuple[str, ...], lex: Lexicon) -> str | None:
    """Transfers or visit restrictions at a named prison, said in the title or first sentence."""
    if not prisons or not spans:
        return None
    hi = spans[1][1] if len(spans) > 1 else spans[0][1]
    if lex.cues["transfer"].search(folded, 0, hi):
        return "transfer"
    if lex.cues["visits"].search(folded, 0, hi):
        return "visits"
    return None


def foreign(folded: str, spans: list[Span], head: Mention, title_end: int, lex: Lexicon) -> bool:
    """True when the headline release happens in another country: a foreign place stands nearer
    to the number than any Venezuelan one, in its sentence or in the title."""
    lo, hi = spans[head.sentence]
    # every country in one pass: the nearest of them, not one joined to Venezuela as a party to one deal
    # (looked for only when a country stands nearer)
    countries = lex.finders["country"].pattern
    d_foreign = cue_distance(countries, folded, lo, hi, head.start, head.end)
    if d_foreign is not None:
        d_home = cue_distance(lex.cues["venezuela"], folded, lo, hi, head.start, head.end)
        if d_home is not None and d_foreign < d_home:
            d_foreign = cue_distance(countries, _without_partners(folded, lo, hi, lex), lo, hi, head.start, head.end)
        if d_home is None or (d_foreign is not None and d_foreign < d_home):
            return True
    if foreign_subject(folded, 0, title_end, lex):
        return True
    lead_end = next((b for a, b in spans if a >= title_end), title_end)
    scopes = [(lo, hi), (0, title_end), (0, lead_end)]  # the title and its lead: "El Gobierno nicaragüense …"
    for a, b in scopes:
        foreign = lex.finders["country"].pattern.search(folded, a, b) is not None  # every country in one pass
        if foreign and not lex.cues["venezuela"].search(folded, a, b):
            venezuelan_place = lex.finders["prison"].pattern.search(folded, a, b) is not None
            if not venezuelan_place:
                return True
    return False


_G = grammar()
# between two names of one coordination: "El Salvador and Venezuela", "Estados Unidos, El Salvador y Venezuela"
_JOINED = re.compile(r"\s*(?:,\s*(?:" + one_of(_G.and_words) + r"\s+)?|\s+" + one_of(_G.and_words) + r"\s+)(?:"
                     + one_of(_G.definite_articles) + r"\s+)?")


def _without_partners(folded: str, lo: int, hi: int, lex: Lexicon) -> str:
    """The text with every country blanked that one coordination joins to Venezuela ("a three-way
    swap with El Salvador and Venezuela", "entre Estados Unidos y Venezuela"): parties to one deal
    with Venezuela, not the place of another country's release. Offsets kept."""
    names = sorted([(m.start(), m.end(), False) for m in lex.finders["country"].pattern.finditer(folded, lo, hi)]
                   + [(m.start(), m.end(), True) for m in lex.cues["venezuela"].finditer(folded, lo, hi)])
    runs: list[list[tuple[int, int, bool]]] = []
    for n in names:
        if runs and _JOINED.fullmatch(folded, runs[-1][-1][1], n[0]):
            runs[-1].append(n)
        else:
            runs.append([n])
    out = folded
    for run in runs:
        if len(run) > 1 and any(home for _a, _b, home in run):
            for a, b, home in run:
                if not home:
                    out = out[:a] + " " * (b - a) + out[b:]
    return out


def foreign_subject(folded: str, lo: int, hi: int, lex: Lexicon) -> bool:
    """Is the release in [lo, hi) done by another country, named as the subject before its verb
    ("Nicaragua frees dozens … a week after Maduro's fall", "Nicaragua excarcela a decenas …"),
    whatever Venezuelan names the rest of the sentence gives?"""
    verb = lex.cues["release"].search(folded, lo, hi)
    if verb is None:
        return False
    subject = folded[lo:verb.start()]
    return lex.finders["country"].pattern.search(subject) is not None and not lex.cues["venezuela"].search(subject)
