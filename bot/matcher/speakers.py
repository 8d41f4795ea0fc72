"""Who speaks in an item, and who gives each number: officials, organisations, relatives, lawyers,
foreign governments or the outlet itself, found with the gazetteer (bot/data/gazetteer.toml).

Pure lookups in the folded text; never gives a number its role (figures.py does, from the speaker).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..figures import Kind
from .cues import Span
from .lexicon import WORD, Entry, Finder, Lexicon, behind, grammar, lexicon, longest_first, one_of

OFFICIAL, INDEPENDENT, OUTLET = Kind.OFFICIAL, Kind.INDEPENDENT, Kind.OUTLET
# the gazetteer's [[speaker]] words for organisations it does not name, and for people by their role
UNNAMED_ORGANISATIONS = frozenset({"NGO", "NGOs"})
UNNAMED_VERIFIERS = UNNAMED_ORGANISATIONS | {"relatives", "lawyers"}
# Word lists from bot/data/grammar.toml (its comments say what each is for); what stands around
# each list is the rule's own structure and stays here.
_G = grammar()
_THE = one_of(_G.definite_articles, capture=False)


class Speaker(NamedTuple):
    """Who gives a figure: the name alerts show, and whether an official body, an independent
    verifier or the outlet itself."""

    by: str
    kind: Kind  # official | independent | outlet
    named: bool  # an organisation or a person by name, not a word such as "relatives"

    @property
    def unnamed_organisations(self) -> bool:
        """"organizaciones de derechos humanos", "la ONG" no name stands for: verifiers the text
        does not say which (relatives and lawyers are who they are; an organisation is its name)."""
        return self.kind == INDEPENDENT and self.by in UNNAMED_ORGANISATIONS


class Voice(NamedTuple):
    """A speaker named at folded[start:end]."""

    start: int
    end: int
    speaker: Speaker
    reference: bool = False  # "la cifra oficial", "the official figure": names a figure, says nothing
    org: bool = False  # an organisation of the gazetteer (what "la ONG", "the group" can stand for)
    speaks: bool = True  # False: an official body named as the doer, not as a speaker


# A sentence falls into clauses at these; a speaker speaks for the numbers of its own clause.
_CLAUSE_BREAK = re.compile(r";|\s[—–-]\s|,?\s" + one_of((*_G.contrast_words, *_G.comparison_words), capture=False) + r"\s")
# "según Foro Penal", "claimed by officials", "a figure later confirmed by JEyP": the speaker
# named right after these gives the number before them
_BY = re.compile(r"(?:" + "|".join(_G.according_words) + "|" + one_of(_G.given_by_en, capture=False) + r"(?: \w+)? by|"
                 + one_of(_G.given_by_es, capture=False) + r"[oa]s? por|" + "|".join(_G.by_phrases) + r")\s+(?:\w+\s+){0,2}$")
# ", JEyP says", ", confirman sus familiares": a verb of saying next to a speaker after the number
_SAYS_AFTER = re.compile(r"\s*(?:\([^)]{1,20}\)\s*)?(?:,\s*)?" + one_of(_G.says_after, capture=False) + r"\b")
_CONTRASTED = re.compile(r"\b" + one_of(_G.set_against) + r"\s+(?:" + one_of(_G.plural_articles) + r"\s+)?$")
# "956 liberaciones de la Fiscalía": the official body the figure belongs to
_OF = re.compile(r"\s+(?:\w+\s+){0,2}?" + one_of(_G.of_the_words, capture=False) + r"\s+(?:" + _THE + r"\s+)?")
_CLOSES = re.compile(r"(?:\s+[\w']+){0,4}?\s*(?:[.;,:\n)\"”»]|$)")
_SAYS_BEFORE = re.compile(one_of(_G.says_before, capture=False) + r"\s+(?:\w+\s+){0,4}$")
_DIGIT = re.compile(r"\d")
_STOP = re.compile(r"[.;\n]")
_COLON = re.compile(r"\s*:")
_POSSESSIVE = re.compile(r"(?:'s|')\s")


def voices(folded: str, lex: Lexicon, finders: dict[str, Finder]) -> list[Voice]:
    """Every speaker the item names, in order; a name inside a longer one is not a speaker of its
    own ("defensor" in "Defensor del Pueblo"). The same text is read once (several rules ask)."""
    if lex is not lexicon() or finders is not lex.finders:
        return list(_read_voices(folded, lex, finders))
    return list(_voices(folded))


@lru_cache(maxsize=4)
def _voices(folded: str) -> tuple[Voice, ...]:
    return _read_voices(folded, lexicon(), lexicon().finders)


_Found = tuple[int, int, int, Speaker]  # a name found: start, end, rank (0 official, 1 org, 2 word), speaker


def _read_voices(folded: str, lex: Lexicon, finders: dict[str, Finder]) -> tuple[Voice, ...]:
    raw: list[_Found] = []
    abroad: dict[str, set[str]] = {}  # an official body's name -> the countries it is named with in this item
    officials = list(finders["official"].pattern.finditer(folded))
    named_people = _people_named(officials, finders["official"])
    for rank, section in ((0, "official"), (1, "org"), (2, "speaker")):
        pattern, by_alias, shared = finders[section]
        hits = officials if rank == 0 else list(pattern.finditer(folded))
        # an organisation's shared short name ("JEP") is its own where the item names it in full
        named = _people_named(hits, finders[section]) if rank == 1 else []
        for m in hits:
            key = " ".join(m.group().split())
            entry = by_alias.get(key) or (_one_of(shared.get(key, ()), named) if rank == 1 else None)
            sp = _named_by(section, key, entry, shared, named_people)
            if sp is not None and sp.kind == OFFICIAL and (country := _abroad(folded, m.start(), m.end(), lex)):
                abroad.setdefault(sp.by, set()).add(country)
                sp = Speaker(country, INDEPENDENT, True)  # "la cancillería española": Spain speaks
            if sp is not None:
                raw.append((m.start(), m.end(), rank, sp))
    raw = _with_places_that_speak(folded, lex, raw, named_people)
    # "Cancillería confirma que 17 colombianos …" over "el Ministerio de Relaciones Exteriores de
    # Colombia confirmó …": a body the item names with one foreign country is that country's throughout
    # ("Caracas asegura …", "Venezuela dice …" name Venezuela's own: never another country's)
    one_country = {body: next(iter(cs)) for body, cs in abroad.items() if len(cs) == 1}
    home = lex.cues["venezuela"]
    raw = [(a, b, r, Speaker(one_country[sp.by], INDEPENDENT, True)
            if sp.kind == OFFICIAL and sp.by in one_country and not home.search(folded, a, b) else sp)
           for a, b, r, sp in raw]
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[2]))
    out: list[Voice] = []
    for start, end, _rank, sp in raw:
        if out and start < out[-1].end:
            continue  # inside (or overlapping) a longer or higher-ranked name
        out.append(Voice(start, end, sp, bool(_FIGURE_WORD.search(folded, start, end)), _rank == 1))
    # "the regime released 71": the authorities did it, the outlet (or a verifier) tells it; such a
    # name still gives a figure attributed to it ("las 956 liberaciones de la Fiscalía")
    out = [v if v.speaker.kind != OFFICIAL or _speaks(folded, v, lex) else v._replace(speaks=False) for v in out]
    return tuple(_of_named(_resolve_ngo_words(_resolve_generic(out, folded, lex), folded), folded))


def _with_places_that_speak(folded: str, lex: Lexicon, raw: list[_Found], named_people: list[Entry]) -> list[_Found]:
    """The names found (start, end, rank, speaker) with the places that speak: a country of the
    gazetteer's speakers named as the subject of a verb of saying is its government ("España
    confirma 5 liberados", "Perú confirma que 2 de sus ciudadanos …"); a subject name is the speaker
    it stands for ("Caracas sostiene que …", "Venezuela says"), only where it is a subject (an alias
    that starts with one too)."""
    saying = _saying() if lex is lexicon() else _saying_in(lex)
    for m in (countries_named() if lex is lexicon() else _countries_named_in(lex)).finditer(folded):
        if saying.match(folded, m.end() + 1):
            raw.append((m.start(), m.end(), 2, Speaker(lex.country_names[m.group()], INDEPENDENT, True)))
    entries = {e.name: e for e in lex.speakers}
    subjects = subject_names() if lex is lexicon() else _subject_names_in(lex)
    for m in subjects.finditer(folded):
        if saying.match(folded, m.end() + 1) and _SUBJECT_BEFORE.search(folded, max(0, m.start() - 14), m.start()):
            raw.append((m.start(), m.end(), 2, _word_speaker(entries[lex.subject_names[m.group()]], named_people)))
    return [r for r in raw if not subjects.match(folded, r[0]) or _SUBJECT_BEFORE.search(folded, max(0, r[0] - 14), r[0])]


def _named_by(section: str, key: str, entry: Entry | None, shared: dict[str, tuple[Entry, ...]],
              named_people: list[Entry]) -> Speaker | None:
    """The speaker a name found by the gazetteer section's finder stands for (`entry`: what its
    alias names), or None (a prison, or a name that is no one's)."""
    if section == "official":
        if entry is None:
            entry = _one_of(shared.get(key, ()), named_people)
        if entry is None:
            # "Rodríguez", "Saab" alone: an official either way, but which one is not said
            return Speaker("Gobierno", OFFICIAL, False) if key in shared else None
        return Speaker(f"{entry.body} ({entry.name})", OFFICIAL, True)
    if entry is None or entry.kind == "prison":
        return None
    if section == "org":
        return _org_speaker(entry, named_people)
    return _word_speaker(entry, named_people)


_OF_COUNTRY = re.compile(r"\s+" + one_of(_G.of_the_words, capture=False) + r"\s+(?:" + one_of(_G.country_articles, capture=False)
                         + r"\s+)?")
_ADJECTIVE_AFTER = re.compile(r"\s+([a-z.]+)\b")
_ADJECTIVE_BEFORE = re.compile(r"\b([a-z.]+)\s+$")


def _abroad(folded: str, start: int, end: int, lex: Lexicon) -> str | None:
    """The foreign government whose adjective names this official body: after it in Spanish ("el
    gobierno colombiano"), before it in English ("the Spanish foreign ministry")."""
    after = _ADJECTIVE_AFTER.match(folded, end, end + 20)
    before = _ADJECTIVE_BEFORE.search(folded, max(0, start - 20), start)
    for m in (after, before):
        if m is not None and m.group(1) in lex.demonyms:
            return lex.demonyms[m.group(1)]
    of = _OF_COUNTRY.match(folded, end, end + 30)
    if of is not None:
        rest = folded[of.end():of.end() + 24]
        for name, country in lex.country_names.items():
            if rest.startswith(name) and not rest[len(name):len(name) + 1].isalnum():
                return country
    return None


def _speaks(folded: str, v: Voice, lex: Lexicon) -> bool:
    """Does an official body say, announce, order or rule something here, or is a figure attributed
    to it ("según la Fiscalía", "the official figure", "Jorge Rodríguez: «895 liberados»")?"""
    if _FIGURE_WORD.search(folded, v.start, v.end) or _ATTRIBUTED.search(behind(folded, 0, v.start, 25)):
        return True
    words = list(WORD.finditer(folded, v.end, min(len(folded), v.end + 90)))
    limit = words[min(5, len(words) - 1)].end() if words else v.end
    stop = _STOP.search(folded[v.end:limit])
    limit = v.end + stop.start() if stop else limit
    if _COLON.match(folded[v.end:v.end + 3]):
        # "Jorge Rodríguez: «895 liberados»", not "Familias frente a la Fiscalía: ..."
        line_start = max(folded.rfind("\n", 0, v.start), folded.rfind(". ", 0, v.start)) + 1
        return len(WORD.findall(folded[line_start:v.start])) <= 2
    if _POSSESSIVE.match(folded[v.end:v.end + 3]):
        return True  # "prosecutors' 956 releases", "the government's figure"
    saying = _saying() if lex is lexicon() else _saying_in(lex)
    return saying.search(folded, v.end, limit) is not None


@lru_cache(maxsize=1)
def governments_abroad() -> frozenset[str]:
    """The speakers that are foreign governments: the gazetteer's speakers with demonyms or names."""
    lex = lexicon()
    return frozenset((*lex.demonyms.values(), *lex.country_names.values()))


@lru_cache(maxsize=1)
def international_bodies() -> frozenset[str]:
    """The gazetteer's international organisations ("ONU Derechos Humanos", "CIDH", "Human Rights
    Watch"): they speak of every country, so their voice places an item in none."""
    return frozenset(e.name for e in lexicon().orgs if e.kind == "international")


@lru_cache(maxsize=2)
def countries_named(bare: bool = False) -> re.Pattern[str]:
    return _countries_named_in(lexicon(), bare)


def _countries_named_in(lex: Lexicon, bare: bool = False) -> re.Pattern[str]:
    """The gazetteer speakers' countries by name ("España", "Peru", "the United States"), in one
    pattern; `bare`: also without the article ("United States", "US", where no pronoun can be meant:
    after "held in", before the release a government does)."""
    names = {*lex.country_names, *(k.removeprefix("the ") for k in lex.country_names)} if bare else lex.country_names
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(k) for k in longest_first(names)) + r")(?![\w])")


# what may stand before a place that is the subject of its verb: the start, a mark, a conjunction; not
# "a rights group in Caracas puts …" (someone's place), nor "Unidad Venezuela counted" (a longer name)
_SUBJECT_BEFORE = re.compile(r"(?:^|[\n.,;:!?¿¡\"'«»()-]|\b" + one_of(_G.subject_before, capture=False) + r")\s*$")


@lru_cache(maxsize=1)
def subject_names() -> re.Pattern[str]:
    """The names that stand for the government as a subject ("Caracas", "Venezuela"), in one pattern."""
    return _subject_names_in(lexicon())


def _subject_names_in(lex: Lexicon) -> re.Pattern[str]:
    """The gazetteer's subject names ("Caracas", "Venezuela"), in one pattern."""
    names = longest_first(lex.subject_names) or ["(?!)"]
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(k) for k in names) + r")(?![\w])")


@lru_cache(maxsize=1)
def _saying() -> re.Pattern[str]:
    return _saying_in(lexicon())


def _saying_in(lex: Lexicon) -> re.Pattern[str]:
    """The words by which an official body speaks, in one pattern (one search per voice)."""
    return re.compile("|".join([*(lex.cues[r].pattern for r in ("speech", "announce", "confirm")), _RULES.pattern]))


# organisations, then the first of them by name: "civil organizations that advocate for the
# prisoners, such as the NGO JEyP", "organizaciones como Foro Penal"
_SUCH_AS = re.compile(r"[^.;:]{0,60}?\b" + one_of(_G.such_as, capture=False) + r"\s+(?:" + one_of(_G.singular_articles, capture=False)
                      + r"\s+)?(?:" + one_of(_G.org_words, capture=False) + r"\s+)?")


# "los abogados de Foro Penal", "la abogada María Alejandra Poleo, de la Coalición": a word, a name
# perhaps, then "de" and the organisation
_OF_ORG = re.compile(r"\s+(?:[^\W\d]+,?\s+){0,4}?" + one_of(_G.member_of, capture=False) + r"\s+(?:"
                     + one_of(_G.singular_articles, capture=False) + r"\s+)?")


_ORG_BEFORE = re.compile(r"(?:'s|')? +")  # spaces only: a title's last name owns nothing on the next line


def _of_named(out: list[Voice], folded: str) -> list[Voice]:
    """'los abogados de Foro Penal', 'un defensor voluntario de Foro Penal': the organisation speaks;
    'organizations such as JEyP': the first one named speaks for them."""
    res = list(out)
    for i, v in enumerate(out):
        if v.speaker.named:
            continue
        # "Foro Penal vice president Gonzalo Himiob", "the group's president": the office after its organisation
        u = res[i - 1] if i else None
        if u is not None and u.speaker.kind == INDEPENDENT and _ORG_BEFORE.fullmatch(folded, u.end, v.start):
            res[i] = v._replace(speaker=u.speaker)
            continue
        if i + 1 == len(res):
            break
        w = res[i + 1]
        # "el vicepresidente de Foro Penal": an office's word held in an organisation is the organisation
        if w.speaker.named and w.speaker.kind == INDEPENDENT and _OF_ORG.fullmatch(folded, v.end, w.start):
            res[i] = v._replace(speaker=w.speaker)
            continue
        if v.speaker.kind != INDEPENDENT:
            continue
        if v.speaker.by == "NGOs":
            # the word "NGO" may stand between ("such as the NGO JEyP"): the next name decides
            named = next((x for x in res[i + 1:i + 3] if x.speaker.named and x.speaker.kind == INDEPENDENT), None)
            if named is not None and _SUCH_AS.fullmatch(folded, v.end, named.start):
                res[i] = v._replace(speaker=named.speaker)
    # "Abogada: Venezuela liberó a 21 …" over "la abogada María Alejandra Poleo, de la Coalición":
    # the word stands for the one organisation it is tied to elsewhere in the item
    tied: dict[str, set[Speaker]] = {}
    for old_v, new_v in zip(out, res, strict=True):
        if new_v.speaker != old_v.speaker and not old_v.speaker.named:
            tied.setdefault(old_v.speaker.by, set()).add(new_v.speaker)
    return [v._replace(speaker=next(iter(tied[v.speaker.by]))) if not v.speaker.named and v.speaker.kind == INDEPENDENT
            and len(tied.get(v.speaker.by, ())) == 1 else v for v in res]


# a figure word in a name, whole (plurals too): "cifras oficiales" is a figure, "mandataria" holds no "data"
_FIGURE_WORD = re.compile(r"\b(?:" + "|".join(_G.figure_in_name) + r")(?:e?s)?\b")
_ATTRIBUTED = re.compile(r"\b" + one_of((*_G.according_words, *_G.by_words, *_G.in_view_of)) + r"\s+(?:" + _THE + r" )?$")
_RULES = re.compile(r"\b" + one_of(_G.official_says) + r"\b")


def _people_named(hits: list[re.Match[str]], finder: Finder) -> list[Entry]:
    seen: list[Entry] = []
    for m in hits:
        e = finder.by_alias.get(" ".join(m.group().split()))
        if e is not None and e not in seen:
            seen.append(e)
    return seen


def _one_of(candidates: tuple[Entry, ...], named: list[Entry]) -> Entry | None:
    """A shared surname ("Rodríguez") is the one of its bearers the item names in full."""
    hits = [e for e in candidates if e in named]
    return hits[0] if len(hits) == 1 else None


def _with_person(body: str, named: list[Entry]) -> str:
    """'Fiscalía' becomes 'Fiscalía (Tarek William Saab)' when the item names him."""
    people = [e for e in named if e.body == body]
    return f"{body} ({people[0].name})" if len(people) == 1 else body


def _org_speaker(entry: Entry, named: list[Entry]) -> Speaker | None:
    if entry.kind == "government":
        return Speaker(_with_person(entry.name, named), OFFICIAL, True)
    if entry.kind in ("ngo", "family", "international", "independent"):
        return Speaker(entry.short or entry.name, INDEPENDENT, True)
    return None


def _word_speaker(entry: Entry, named: list[Entry]) -> Speaker:
    if entry.kind == OFFICIAL:
        return Speaker(_with_person(entry.name, named), OFFICIAL, False)
    # a foreign government names itself; "relatives", "lawyers", "la ONG" do not
    named_word = entry.kind == INDEPENDENT and entry.name not in UNNAMED_VERIFIERS
    return Speaker(entry.name, Kind(entry.kind), named_word)


def _resolve_generic(out: list[Voice], folded: str, lex: Lexicon) -> list[Voice]:
    """"la alianza opositora" stands for the alliance the item names by name ("la Plataforma
    Unitaria … La alianza opositora asegura …" is the Plataforma), else for its own entry."""
    generic = [" ".join(folded[v.start:v.end].split()) in lex.generic for v in out]
    named = {v.speaker.by: v.speaker for v, g in zip(out, generic, strict=True) if not g}
    families = set(lex.generic.values())
    by_name = [sp for by, sp in named.items() if by in families]
    if len(by_name) != 1:
        return out
    return [v._replace(speaker=by_name[0]) if g else v for v, g in zip(out, generic, strict=True)]


def _resolve_ngo_words(out: list[Voice], folded: str) -> list[Voice]:
    """'la ONG', 'the group' stand for the organisation the item names (the nearest one before,
    else the first one after); 'a rights group', 'una ONG' bring in one not named yet: the first
    named after it, if any."""
    orgs = [v for v in out if v.speaker.named and v.speaker.kind == INDEPENDENT and v.org]
    if not orgs:
        return out
    resolved = []
    for v in out:
        if v.speaker.by == "NGO" and not v.speaker.named:
            before = [o for o in orgs if o.start < v.start]
            after = [o for o in orgs if o.start >= v.end]
            if _INDEFINITE_BEFORE.search(folded, max(0, v.start - 6), v.start):
                org = after[0] if after else None
            else:
                org = before[-1] if before else orgs[0]
            if org is not None:
                v = v._replace(speaker=org.speaker)
        resolved.append(v)
    return resolved


_INDEFINITE_BEFORE = re.compile(r"\b" + one_of(_G.indefinite_articles) + r"\s+$")


def clause(folded: str, sent: Span, start: int, end: int) -> Span:
    """The clause of the sentence that holds folded[start:end]."""
    lo, hi = sent
    for m in _CLAUSE_BREAK.finditer(folded, lo, hi):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start()
            break
    return lo, hi


def speaker_of(vs: list[Voice], folded: str, sent: Span, start: int, end: int) -> Speaker | None:
    """Who gives the number at folded[start:end]: a speaker named right after it ("según X",
    "claimed by officials", ", X says"), else the nearest one before it in its clause (a named
    organisation over a word such as "relatives" or "lawyers": "Foro Penal, which works with
    families, said ..."), else the subject of its sentence."""
    lo, hi = clause(folded, sent, start, end)
    if _CONTRASTED.search(folded, max(lo, start - 20), start):
        return None  # "431 verificadas, no 897": the figure the speaker rejects is not its own
    # "doubts the official figure and has verified 389": a figure's name speaks only for its own number
    pre = [v for v in vs if lo <= v.start and v.end <= start and v.speaks
           and not (v.reference and len(WORD.findall(folded[v.end:start])) > 2)]
    after = _named_after(vs, folded, end, hi)
    if after is not None:
        strong, v = after
        if strong and (not pre or not pre[-1].speaker.named or pre[-1].speaker.kind == OFFICIAL
                       or v.speaker.kind == OFFICIAL):
            return v.speaker
        if not pre:
            return v.speaker
    if pre:
        return _subject(pre, nearest=True)
    in_sentence = [v for v in vs if sent[0] <= v.start and v.end <= start and v.speaks]
    return _subject(in_sentence, nearest=False) if in_sentence else None


def _subject(pre: list[Voice], nearest: bool) -> Speaker:
    v = pre[-1] if nearest else pre[0]
    if not v.speaker.named and v.speaker.kind == INDEPENDENT:
        named = [p for p in pre if p.speaker.named and p.speaker.kind == INDEPENDENT]
        if named:
            return (named[-1] if nearest else named[0]).speaker
    return v.speaker


def _named_after(vs: list[Voice], folded: str, end: int, hi: int) -> tuple[bool, Voice] | None:
    """A speaker after the number that gives it: (True, v) after "by"/"según", (False, v) beside a
    verb of saying."""
    for v in vs:
        if v.start < end or v.start >= hi:
            continue
        gap = folded[end:v.start]
        if _BY.search(gap[-60:]) or (v.speaker.kind == OFFICIAL and _OF.fullmatch(gap)):
            if _DIGIT.search(gap):
                return None  # "431, less than half the 897 claimed by Cabello": Cabello's is the 897
            return True, v
        if not v.speaks:
            continue
        # ", JEyP says", "confirma Foro Penal": the speaker and its verb close the clause
        says = _SAYS_AFTER.match(folded, v.end)
        if len(gap) < 200 and ((says and _CLOSES.match(folded, says.end()))
                               or (_SAYS_BEFORE.search(gap[-40:]) and _CLOSES.match(folded, v.end))):
            return False, v
    return None
