"""One item in, one Extraction out: the item's kind, its headline release, the running total, the
count still held, and who said each; built from the numbers' roles and the entities around them.

Pure: reads its word lists from bot/data once; never touches the network, the database or a chat.

Longer than most modules (about 600 lines) because each step from an item's numbers to its
Extraction reads the same _Item and what the step before it decided: whether the item can report
releases at all, the grammar's bindings laid over the rules' figures (which figures are sure, and
whether the reasons the others are not make the item other news), then the headline from sure
figures only. Kept in one file, match() reads top to bottom; the bindings over the figures
(_with_bindings to _official_total) are the part a split would take first, with _Item beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from .._text import NUMBER, fold, normalize, sentences
from ..figures import Figure, Kind, Role
from .binding import NO_NAMED_SPEAKER, Bound, bind
from .binding import words as binding_words
from .binding.lists import _L as binding_lists
from .cues import GENRE_TITLE, Span, common_prisoners
from .entities import SINGULAR, Hit, attribution, foreign, found, freed_names, named_among_freed, prison_news
from .figures import Said, attribute, disputed, doubts_official_figure, speaker_for
from .language import detect_lang
from .lexicon import grammar, lexicon, one_of
from .numberless import homecomings, numberless_release, untold
from .numbers import words_to_digits
from .parts import subgroup_total
from .roles import Mention, find_mentions
from .running import parse_date, periods, running_words
from .speakers import INDEPENDENT, OFFICIAL, UNNAMED_VERIFIERS, Voice, governments_abroad, international_bodies, voices

KINDS = ("announcement", "confirmation", "tally", "none")
# Word lists from bot/data/grammar.toml (its comments say what each is for); what stands around
# each list is the rule's own structure and stays here.
_G = grammar()
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
    prison_news: str | None = None  # "transfer" | "visits": news about a prison that is no release
    figures: tuple[Figure, ...] = ()  # every number in its role, with who said it
    disputed: bool = False  # a verifier disputes or doubts the official figure
    period: str | None = None  # the days the releases are told for, "YYYY-MM-DD/YYYY-MM-DD" (events match rounds on it)

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
            "disputed": self.disputed,
            "figures": [f.to_json() for f in self.figures],
        }

def _relevant(folded: str) -> bool:
    """Could this item be about releases or prisoners at all? Most news is not: sport, oil,
    weather. Those skip number reading and the gazetteers (one cheap pass instead of many)."""
    # a tally always names political prisoners, so "remain" words alone do not count
    return bool(lexicon().cues["relevant"].search(folded))


class Prepared(NamedTuple):
    """An item's text made ready for reading."""

    text: str  # normalised, title on its own line, number words as digits when relevant
    folded: str  # the same, lower-case and without accents, offset for offset
    lang: str  # "es" | "en"
    relevant: bool  # could the item be about releases or prisoners at all


def prepare(title: str, summary: str, lang: str | None = None) -> Prepared:
    """Normalised text (title on its own line), its folded twin, the language, and whether the
    item could be about releases at all (only then are number words turned into digits)."""
    text = normalize(f"{title.strip()}\n{summary.strip()}")[:MAX_TEXT]
    folded = fold(text)
    lang = lang if lang in ("es", "en") else detect_lang(folded)
    if not _relevant(folded):
        return Prepared(text, folded, lang, False)
    converted = words_to_digits(text, lang)
    if converted != text:
        text = converted
        folded = fold(text)
    # digits never make an item relevant or not: no need to ask again after the conversion
    return Prepared(text, folded, lang, True)


@dataclass(frozen=True)
class _Item:
    """One relevant item as the headline rules read it."""

    text: str
    folded: str
    spans: list[Span]
    title_end: int
    published: str | None  # the item's date ("2026-01-26T18:00:00Z"), to date running totals
    org_hits: list[Hit]
    political: bool  # political prisoners are named, or an NGO or families speak
    context: bool  # something ties the item to Venezuela's prisons, authorities, NGOs or politics


class _Tally(NamedTuple):
    value: int | None  # prisoners still held
    by: str | None  # the NGO that keeps the count


def match(title: str, summary: str = "", lang: str | None = None, published: str | None = None) -> Extraction:
    """Classify one item and extract its numbers in their roles, each with who said it.
    `published` (ISO date) gives the year of a running total's start ("desde el 8 de enero")."""
    text, folded, lang, relevant = prepare(title, summary, lang)
    if not relevant:
        return Extraction(lang=lang, confidence=0.95)
    lex = lexicon()
    spans = sentences(text)
    if not spans:
        return Extraction(lang=lang, confidence=0.95)
    title_end = text.find("\n") if "\n" in text else len(text)

    org_hits = found("org", folded)
    prisons = tuple(dict.fromkeys(e.name for _, e in found("prison", folded)))
    orgs = tuple(dict.fromkeys(e.name for _, e in org_hits))
    political = bool(lex.cues["political"].search(folded)) or any(e.kind in ("ngo", "family") for _, e in org_hits)
    # freed hostages, players or tankers are not our news; prisoners with no link to Venezuela's
    # authorities, NGOs, prisons or politics neither
    context = political or bool(org_hits or prisons) or bool(
        lex.cues["government"].search(folded) or lex.cues["ngo"].search(folded)) or _official_speaks(folded) or named_among_freed(
        text, folded, spans, lex) or _government_abroad_speaks(folded)
    item = _Item(text, folded, spans, title_end, published, org_hits, political, context)
    base = Extraction(lang=lang, prisons=prisons, orgs=orgs, prison_news=prison_news(folded, spans, prisons, lex))

    mentions = find_mentions(text, folded, spans)
    mentions = _title_decides(mentions, title_end)
    totals = [m for m in mentions if m.role == "total"]
    tally = _tally(item, [m for m in totals if not subgroup_total(folded, spans[m.sentence], m, lex)])
    releases = _reported_releases(item, [m for m in mentions if m.role in ("announced", "confirmed")])
    if releases and foreign(folded, spans, releases[0], title_end, lex):
        return replace(base, confidence=0.8, prison_news=None)
    said = attribute(folded, spans, title_end, releases, totals, tally.value, published, lex) if releases else []
    # what the grammar binds: each figure sure or not, and the bound releases the rules missed
    vs = voices(folded, lex, lex.finders) if _reports_releases(item) else None
    if vs is not None and _placed_abroad(folded, vs):
        return replace(base, confidence=0.9)  # another country's news ("a judge in Buenos Aires says 176 were freed"): not ours
    bound = bind(text, folded, spans, title_end, published, vs) if vs is not None else []
    said = _with_bindings(item, said, bound)
    # a headline of background totals, or one that asks for releases and tells none (a vigil): other news
    if _background_totals_only(said, bound, totals, item) or (_asks_for_releases(item) and not _says_release(folded, 0, title_end)):
        said = []
    if not any(s.figure.sure for s in said) and (_no_release_of_now(bound) or _asks(item)
                                                 or not (_says_release(folded, 0, title_end)
                                                         or _doubts_a_release_figure(item, bound))):
        # no number the text binds, and its release numbers are another round's, a weekly
        # balance's, a total over years …, or the headline asks for releases, or says nothing of
        # releases at all, nor doubts a figure of theirs (a tally, a deadline passed with people
        # still jailed): other news
        said = []
    tally = _bound_tally(tally, totals, bound)
    if not said:
        return _without_count(item, base, tally if political else tally._replace(value=None), _no_release_of_now(bound))
    return replace(_with_count(item, base, said, tally), period=_period(item, said))


def _doubts_a_release_figure(item: _Item, bound: list[Bound]) -> bool:
    """The title doubts a figure ("Foro Penal cuestiona la cifra oficial") and the item counts
    releases somewhere; not lists of people held that disagree ("las listas de presos políticos
    militares no coinciden")."""
    return bool(lexicon().cues["dispute"].search(item.folded, 0, item.title_end)) and any(b.counts == "release" for b in bound)


def _placed_abroad(folded: str, vs: list[Voice]) -> bool:
    """Does the item place itself in another country (any country by name, the lexicon's "abroad")
    and never in Venezuela (the country, a state or city of it, one of its prisons, a Venezuelan
    body by name)? "Washington said the release of the 135 was not negotiated", in an item about
    Nicaragua, is no Venezuelan release, nor a judge in Buenos Aires on 176 freed; a foreign
    government confirming its nationals freed ("la cancillería italiana confirmó …"), or an
    international body (the UN on Mexico's amnesty), places nothing."""
    lex = lexicon()
    if not lex.cues["abroad"].search(folded):
        return False
    if lex.cues["venezuela"].search(folded) or lex.finders["prison"].pattern.search(folded):
        return False
    return not any(v.speaker.named and v.speaker.by not in governments_abroad() and v.speaker.by not in international_bodies()
                   for v in vs)


def _background_totals_only(said: list[Said], bound: list[Bound], totals: list[Mention], item: _Item) -> bool:
    """A headline that tells no release, only a count held or no number at all ("Parliament approves
    amnesty law", "Foro Penal counts 644 political prisoners"), over a body whose only sure release
    figures are running totals ("after more than 400 releases since January 8"): the totals are
    background to other news, no round of release."""
    sure = [s for s in said if s.figure.sure]
    held = {m.start for m in totals}
    in_title = [x for x in bound if x.start < item.title_end and x.why != "not a count"]
    # a title that gives a count held may give beside it numbers that count no release ("Foro Penal
    # contabiliza 1.601 presos políticos, 86 menos que la semana anterior")
    tally_title = any(x.start in held for x in in_title)
    return bool(sure) and all(s.figure.cumulative and s.mention.start >= item.title_end for s in sure) \
        and not _title_tells_release(item) \
        and all(x.start in held or (tally_title and x.counts != "release") for x in in_title)


# why a release number is no release of this round at all (the item is other news): not why it
# merely cannot be shown ("no known speaker", "a part of the round" still report a release now)
_NOT_NOW = ("an earlier round", "a line of a weekly balance", "a balance line", "a total over years", "another country",
            "house arrest", "not political prisoners", "a call for releases", "a figure set against")


def _period(item: _Item, said: list[Said]) -> str | None:
    """The closed span of days the item tells its releases for, in the title or a sentence that
    gives a release figure ("179 excarcelaciones ocurridas del 10 al 14 de diciembre")."""
    pub = parse_date(item.published)
    for si in sorted({0} | {s.mention.sentence for s in said}):
        lo, hi = item.spans[si]
        found = periods(item.folded[lo:hi], pub)
        if found:
            start, end = found[0]
            return f"{start.isoformat()}/{end.isoformat()}"
    return None


def _title_says_release(folded: str, title_end: int) -> bool:
    """The title says releases happen (a release verb, "report 179 more releases"), not merely names
    the freed ("freed activist dies", "12 que habían sido excarcelados, detenidos de nuevo")."""
    return bool(binding_words().release_actions.search(folded, 0, title_end) or _COUNT_OF_RELEASES.search(folded, 0, title_end))


# a count and, a word or two on, a release noun: "report 179 more releases"
_COUNT_OF_RELEASES = re.compile(r"\d[\d.,]*\s+(?:\w+\s+){0,2}?(?:" + binding_words().release_nouns.pattern + ")")


def _says_release(folded: str, lo: int, hi: int) -> bool:
    """Does the text between lo and hi speak of releases at all (the cue words, or the grammar's
    release nouns, predicates and actions: "starts freeing", "suelta a", "to go free"), other than
    as a concession ("pese al indulto a 110, siguen 333 presos"), as stopped ("frenó las
    excarcelaciones") or another way `untold` knows?"""
    return any(True for _m in _release_words(folded, lo, hi))


def _title_tells_release(item: _Item) -> bool:
    """The title tells releases as news, not only names one already known as someone's ("las
    condiciones de su excarcelación")."""
    return any(not _POSSESSIVE_BEFORE.search(item.folded, max(0, m.start() - 7), m.start())
               for m in _release_words(item.folded, 0, item.title_end))


def _release_words(folded: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """The release words between lo and hi that tell a release (not `untold`)."""
    w = binding_words()
    for p in (lexicon().cues["release"], w.release_nouns, w.release_predicates, w.release_actions, w.release_inverted):
        yield from (m for m in p.finditer(folded, lo, hi) if not untold(folded, lo, m))
    # then a homecoming of someone held (searched last and lazily: most callers stop at the first word)
    yield from (m for m in homecomings(folded, lo, hi, lexicon()) if not untold(folded, lo, m))


# a possessive right before a release word: a release already known, named as someone's ("su excarcelación")
_POSSESSIVE_BEFORE = re.compile(r"\b" + one_of(_G.possessives) + r"\s+$")


def _asks(item: _Item) -> bool:
    """A headline whose news is a demand or a vigil ("Familias reclaman … por más de 100 presos que
    siguen dentro"), no release word before its demand."""
    ask = lexicon().cues["demand"].search(item.folded, 0, item.title_end)
    if ask is None:
        return False
    # "Madres esperan …; ya salieron más de 130": a release said happened is news all the same; not
    # the release the demand asks for, in its own clause ("exige ante la OEA que sean liberados")
    w = binding_words()
    return not any(m.start() < ask.start() or _PAUSE_OR_BUT.search(item.folded, ask.end(), m.start())
                   for p in (w.release_predicates, w.release_inverted) for m in p.finditer(item.folded, 0, item.title_end))


# between a demand and a release: another clause, so the release is said, not asked for ("…; ya
# salieron 130", "… but 20 were freed", "piden … mientras salen 20", "calls mount as 20 are released")
_PAUSE_OR_BUT = re.compile(r"[;:.!?]|\b" + one_of((*binding_lists.but_words, *binding_lists.while_words, *binding_lists.as_words))
                           + r"\b")


# a demand and, up to three words on, the release it asks for: "para exigir su libertad"
_ASKS_FOR_RELEASES = re.compile(binding_words().demand.pattern + r"\s+(?:[^\W\d][\w-]*\s+){0,3}?"
                                + one_of(binding_lists.demanded))


def _asks_for_releases(item: _Item) -> bool:
    """A headline whose news is a demand for releases ("hacen una vigilia para exigir su libertad"),
    not for a list or a name ("pide la lista oficial")."""
    return _asks(item) and bool(_ASKS_FOR_RELEASES.search(item.folded, 0, item.title_end))


def _no_release_of_now(bound: list[Bound]) -> bool:
    told = [b for b in bound if b.counts == "release"]
    return bool(told) and all(b.why.startswith(_NOT_NOW) for b in told)


def _with_bindings(item: _Item, said: list[Said], bound: list[Bound]) -> list[Said]:
    """Each figure with whether the text binds it (sure) and its sentence; where the grammar binds
    a number to another speaker or role than the rules gave it, the grammar's reading stands; a
    number the grammar binds that the rules left out is added."""
    by_start = {b.start: b for b in bound}
    # what the title gives as release news (not a figure it doubts or sets against)
    title_news = frozenset(b.value for b in bound if b.start < item.title_end and b.told)
    out = []
    seen = set()
    for s in said:
        b = by_start.get(s.mention.start)
        quote = b.quote if b else _sentence(item, s.mention.sentence)
        f = s.figure
        if b is not None and b.sure and b.speaker is not None:
            seen.add(b.start)
            role = b.role or Role(f.role)
            by = b.speaker.by
            # "sus abogados verificaron", "relatives said … CLIPPVE confirmed the figure": the
            # named verifier the rules found for the same number speaks through them
            if not b.speaker.named and b.speaker.kind == INDEPENDENT and f.by_kind == INDEPENDENT and f.by \
                    and f.by != by and f.by not in _GENERIC:
                by = f.by
            # an official total said as done beside verifiers' running counts is a running claim (the rules' reading)
            official = b.speaker.kind == OFFICIAL
            f = replace(f, role=role, value=b.value, by=by, by_kind=b.speaker.kind, sure=True, quote=quote,
                        cumulative=_running(item, b, by_start) or (f.cumulative and (f.since is not None or f.by_kind == OFFICIAL))
                        or (official and _official_total(item, b, title_news)))
        else:
            f = replace(f, value=b.value if b is not None else f.value, sure=False, quote=quote)
        out.append(Said(s.mention, f))
    for b in _told_in_the_body(item, bound):
        # (organisations the text does not name give a figure all the same: unsure, for staff to see)
        if (b.sure or b.why == NO_NAMED_SPEAKER) and b.start not in seen and b.speaker is not None and b.role is not None:
            m = Mention(b.value, b.start, b.end, b.sentence, b.role, 0.9)
            cumulative = _running(item, b, by_start) or (b.speaker.kind == OFFICIAL and _official_total(item, b, title_news))
            out.append(Said(m, Figure(b.role, b.value, b.speaker.by, b.speaker.kind, cumulative, None,
                                      sure=b.sure, quote=b.quote)))
    return _with_sums(item, _named_for_the_same(out), bound)


def _named_for_the_same(said: list[Said]) -> list[Said]:
    """'Organizations supporting the inmates reported 33 …; JEyP reported that 33 …': the same
    count in the same role, from verifiers the item does not name and from one it names, is the
    named one's (they are the ones the words stand for)."""
    named: dict[tuple[str, int], str] = {}
    for s in said:
        f = s.figure
        if f.sure and f.by_kind == INDEPENDENT and f.by and f.by not in _GENERIC:
            named.setdefault((f.role, f.value), f.by)
    return [Said(s.mention, replace(s.figure, by=named[(s.figure.role, s.figure.value)]))
            if s.figure.by in UNNAMED_VERIFIERS and (s.figure.role, s.figure.value) in named else s for s in said]


def _told_in_the_body(item: _Item, bound: list[Bound]) -> list[Bound]:
    """A title's count said by no one there, which the body gives with its speaker (the same
    number, or the parts it adds up to): the title retells the lead, the lead's speaker says it."""
    out = []
    for b in bound:
        if b.start < item.title_end and not b.sure and b.counts == "release" and b.speaker is None:
            # the same count, or ("Liberan a Carreño y a otros 4") the count of the others alone
            said = [x for x in bound if x.start >= item.title_end and x.sure
                    and (x.value == b.value or (b.named and x.value == b.value - b.named))]
            if said:
                b = replace(b, speaker=said[0].speaker, sure=True, why="")
            else:
                for parts in _parts_by_sentence(item, bound).values():
                    if sum(x.value for x in parts) == b.value and len({x.speaker for x in parts}) == 1:
                        b = replace(b, speaker=parts[0].speaker, sure=True, why="")
                        break
        out.append(b)
    return out


# the parts that add up to a round: side by side (per prison, per state, a breakdown); not a part
# and what it is taken of ("16 de los 39 excarcelados no eran presos políticos" is no 55)
_SIBLING_PARTS = frozenset({"a part of the round", "a part of the round (one prison of several)",
                            "a part of the round (one prison or group of a larger round)",
                            "a part of the round (and others)", "a part of a breakdown",
                            "a part of a breakdown of a count before"})


def _parts_by_sentence(item: _Item, bound: list[Bound]) -> dict[int, list[Bound]]:
    """The parts of a round the grammar bound (per prison, per state, a breakdown), by sentence."""
    parts: dict[int, list[Bound]] = {}
    for x in bound:
        if x.counts == "release" and x.speaker is not None and x.why in _SIBLING_PARTS:
            parts.setdefault(x.sentence, []).append(x)
    return {si: ps for si, ps in parts.items() if len(ps) >= 2}


def _with_sums(item: _Item, said: list[Said], bound: list[Bound]) -> list[Said]:
    """A count given only as its parts ("15 in Lara, 13 in Zulia and 10 in Táchira", said by one
    speaker) is their sum, when the item gives that speaker no count of its own."""
    for si, parts in _parts_by_sentence(item, bound).items():
        speaker = parts[0].speaker
        if speaker is None or len({p.speaker for p in parts}) > 1:
            continue
        total = sum(p.value for p in parts)
        if any(s.figure.sure and (s.figure.by == speaker.by or s.figure.value == total) for s in said):
            continue
        role = Role.ANNOUNCED if speaker.kind == OFFICIAL else Role.CONFIRMED
        m = Mention(total, parts[0].start, parts[-1].end, si, role, 0.8)
        said.append(Said(m, Figure(role, total, speaker.by, speaker.kind, False, None, sure=True, quote=parts[0].quote)))
    return said


# speakers named by a role, not by a name (bot/data/gazetteer.toml [[speaker]])
_GENERIC = frozenset(e.name for e in lexicon().speakers)


_JOINT = re.compile(r"[,;:]")
# between two counts of one sentence, what starts the later one's own clause: a pause or "y"/"and"
_CLAUSE_JOINT = re.compile(r"[,;:]|\s" + one_of(_G.and_words) + r"\s")
_RUNNING_SPAN = re.compile(r"\b" + one_of(_G.running_span) + r"\b")


def _running(item: _Item, b: Bound, by_start: dict[int, Bound]) -> bool:
    """A running count by its own words, or by those of the count whose noun it takes ("la PUD dice
    haber confirmado 73 desde el jueves, Foro Penal 56 y JEyP 53": all three since Thursday)."""
    seen = {b.start}
    while not _running_clause(item, b):
        first = by_start.get(b.antecedent) if b.antecedent is not None else None
        if first is None or first.start in seen:
            return False  # no count before it, or a loop
        b = first
        seen.add(b.start)
    return True


def _running_clause(item: _Item, b: Bound) -> bool:
    """A running count: the words about this number, up to the next one, say over what span
    ("desde el 8 de enero", "so far", "ya son")."""
    lo, hi = b.clause if b.clause != (0, 0) else item.spans[b.sentence]
    others = [m.start() for m in NUMBER.finditer(item.folded, lo, hi) if m.start() != b.start]
    prev = max((x for x in others if x < b.start), default=None)
    nxt = min((x for x in others if x > b.start), default=hi)
    # its own words up to the next number; the words before it only when no number comes first
    # ("Desde el 8 de enero, Foro Penal ha verificado 444"; not "212 … desde …, 9 de ellas hoy"),
    # or right before it ("… con ellas llegaría a 1.896 excarcelaciones")
    cut = _JOINT.search(item.folded[b.end:nxt])  # ", bringing its tally since …" is the next figure's
    start = lo
    if prev is not None:
        # "… desde que comenzó el proceso, nueve de ellas hoy", "600 siguen presos y en los últimos meses
        # hubo 383": its own clause starts after the last pause or "y" since the count before it
        joints = list(_CLAUSE_JOINT.finditer(item.folded, prev, b.start))
        start = joints[-1].end() if joints else max(prev, b.start - 30)
    seg = item.folded[start:b.end + cut.start() if cut else nxt]
    return bool(running_words(seg, 0, len(seg), lexicon()) and _RUNNING_SPAN.search(seg))


# what ties an official count to a round of its own: a new batch ("otros 200", "200 more"), or a
# time ("hoy", "este lunes", "entre el 10 y el 12 de diciembre", "overnight")
_BATCH = re.compile(r"\b" + one_of(_G.batch_words) + r"\b")
_ANCHOR = re.compile(r"\b(" + "|".join(_G.anchor_words) + "|" + one_of(_G.this_day_before) + " "
                     + one_of((*_G.weekdays, *_G.day_parts)) + r")\b")


def _official_total(item: _Item, b: Bound, title_news: frozenset[int]) -> bool:
    """An official count with nothing tying it to a round of its own (no new batch, no time, not
    the title's news): the authorities' running claim ("la Fiscalía afirmó que 956 detenidos
    recuperaron su libertad"), a ledger line, never a round."""
    if b.start < item.title_end or b.named_figure:
        return False  # the title's news; a figure named as theirs ("la lista oficial de las 99") is a round's
    if b.value in title_news:
        return False  # the number the title gives as the item's news
    lo, hi = b.clause if b.clause != (0, 0) else item.spans[b.sentence]
    near = item.folded[max(lo, b.start - 40):min(hi, b.end + 40)]
    return not (_BATCH.search(near) or _ANCHOR.search(item.folded, lo, hi))


def _bound_tally(tally: _Tally, totals: list[Mention], bound: list[Bound]) -> _Tally:
    """A count still held that the grammar reads as a date, a year, a time or an age is none."""
    if tally.value is None:
        return tally
    dates = {(b.start, b.value) for b in bound if b.why == "not a count"}
    if any((m.start, m.value) in dates for m in totals if m.value == tally.value):
        return _Tally(None, None)
    return tally


def _sentence(item: _Item, sentence: int) -> str:
    lo, hi = item.spans[sentence]
    return item.text[lo:hi].strip()[:500]


def _government_abroad_speaks(folded: str) -> bool:
    """A foreign government speaks of people held in Venezuela ("Biden says seven Americans held in
    Venezuela are coming home") or freed by it ("Albares: Venezuela frees three more Spaniards"): its
    nationals in Venezuela's prisons are the context."""
    lex, w = lexicon(), binding_words()
    return bool(w.held_in_venezuela.search(folded) or w.venezuela_frees.search(folded)) and any(
        v.speaker.by in governments_abroad() for v in voices(folded, lex, lex.finders))


def _official_speaks(folded: str) -> bool:
    """An official body of the gazetteer says something ("Servicio Penitenciario anuncia 116
    excarcelaciones"): Venezuela's authorities are the context even without "presos políticos"."""
    lex = lexicon()
    return any(v.speaks and v.speaker.kind == OFFICIAL for v in voices(folded, lex, lex.finders))


def _title_decides(mentions: list[Mention], title_end: int) -> list[Mention]:
    """A number the title gives as released ("80 presos salieron") and the body as a count ("son
    al menos 80") is a release; one the title gives as the count still held ("falls to 433") is
    no release."""
    released = {m.value for m in mentions if m.start < title_end and m.role in ("announced", "confirmed")}
    held = {m.value for m in mentions if m.start < title_end and m.role == "total"} - released
    out = []
    for m in mentions:
        if m.role == "total" and m.value in released and m.start >= title_end:
            m = replace(m, role="confirmed")
        elif m.role in ("announced", "confirmed") and m.value in held:
            continue
        out.append(m)
    return out


def _tally(item: _Item, totals: list[Mention]) -> _Tally:
    """A count of prisoners is the national tally only when someone keeps it: a "remain" word, a
    balance label, or an NGO in the same sentence (not "38 political prisoners of the X case")."""
    spans = item.spans
    totals = [m for m in totals if m.strength >= 0.8 or any(
        spans[m.sentence][0] <= pos < spans[m.sentence][1] and e.kind in ("ngo", "family") for pos, e in item.org_hits)]
    if not totals:
        return _Tally(None, None)
    who = speaker_for(item.folded, spans, item.title_end, totals[0], lexicon())
    by = who.by if who is not None and who.kind == "independent" and who.named else attribution(
        item.folded, spans[totals[0].sentence], item.org_hits, ("ngo", "family"), fallback=False)
    return _Tally(totals[0].value, by)


def _reports_releases(item: _Item) -> bool:
    """Can the item report releases at all? Not an opinion piece, not an item with no tie to
    Venezuela's prisoners, not one whose title is about a death, a re-arrest, a transfer or a denial."""
    lex, folded, title_end = lexicon(), item.folded, item.title_end
    if GENRE_TITLE.match(folded[:title_end]):
        return False  # "Opinión: ...", "Interview: ...": not a report of releases
    if binding_words().arrest_news.search(folded, 0, title_end) and not lex.cues["release"].search(folded, 0, title_end):
        return False  # "El SNTP denuncia la detención de 14 periodistas": arrest news, whatever the body adds
    if not item.context:
        return False
    # a title of two news ("… dies in custody as prosecutors report 179 more releases", "Venezuela frees
    # opposition leaders, but one is seized again"): a release it says of its own is news as well
    return not any(lex.cues[r].search(folded, 0, title_end) for r in ("harm", "rearrest", "transfer", "denial")) or \
        _title_says_release(folded, title_end)


def _reported_releases(item: _Item, releases: list[Mention]) -> list[Mention]:
    """The release numbers that report releases (see _reports_releases); none about ordinary prisoners."""
    lex, folded, title_end = lexicon(), item.folded, item.title_end
    if not _reports_releases(item):
        return []
    title_span = (0, title_end)
    return [m for m in releases if not (common_prisoners(folded, item.spans[m.sentence], lex)
                                        or common_prisoners(folded, title_span, lex))]


def _without_count(item: _Item, base: Extraction, tally: _Tally, not_now: bool = False) -> Extraction:
    """No number carries a release: a release said without a count, a tally, or nothing (`not_now`:
    the release numbers the grammar bound are all another round's, a balance's line …)."""
    lex, text, spans = lexicon(), item.text, item.spans
    total, total_by = tally
    figures: tuple[Figure, ...] = (_total_figure(tally),) if total is not None else ()
    # a title about a death, a hunger strike, an arrest or a denial is that news, numbers or not
    news = _reports_releases(item)
    vague = numberless_release(text, item.folded, spans, item.title_end, lex) if news else None
    # with a count still held, only a release the headline itself tells ("Liberan al diputado X; Foro Penal
    # cuenta 108 opositores presos"), not one the body mentions beside a tally
    if vague is not None and (total is None or (spans[vague.sentence][0] < item.title_end and not not_now)):
        kind, count = vague.kind, vague.released
        span = spans[vague.sentence]
        who, who_kind = _numberless_speaker(item, vague.sentence, kind)
        evidence = text[span[0]:span[1]].strip()[:500]
        if count is not None:
            # the one person a headline frees by name is a count of one the text never states: shown
            # as reported, never as a figure someone vouched for (families see the name, not a "1")
            role = Role.ANNOUNCED if kind == "announcement" else Role.CONFIRMED
            figures += (Figure(role, count, who, who_kind, quote=evidence),)
        return replace(
            base, kind=kind, released=count, announced=count if kind == "announcement" else None,
            confirmed=count if kind == "confirmation" else None, total_prisoners=total,
            announced_by=who if kind == "announcement" else None, confirmed_by=who if kind == "confirmation" else None,
            total_by=total_by, names=tuple(freed_names(text, item.folded, spans, lex)), confidence=0.5,
            evidence=evidence, disputed=kind == "announcement" and disputed(item.folded, spans, lex), figures=figures,
        )
    if total is not None:
        return replace(base, kind="tally", total_prisoners=total, total_by=total_by, confidence=0.8, figures=figures)
    return replace(base, confidence=0.9)


def _numberless_speaker(item: _Item, sentence: int, kind: str) -> tuple[str | None, Kind]:
    """Who announces (an official) or reports (a verifier) a release told without a count, and
    their kind: the first such speaker of its sentence, else of the item."""
    vs = [v for v in voices(item.folded, lexicon(), lexicon().finders) if v.speaks]
    lo, hi = item.spans[sentence]
    want = (lambda k: k == OFFICIAL) if kind == "announcement" else (lambda k: k != OFFICIAL)
    for group in ([v for v in vs if lo <= v.start < hi], vs):
        for v in group:
            if want(v.speaker.kind):
                return v.speaker.by, v.speaker.kind
    return None, Kind.OUTLET


def _total_figure(tally: _Tally) -> Figure:
    return Figure(Role.TOTAL, tally.value or 0, tally.by, Kind.INDEPENDENT if tally.by else Kind.OUTLET)


def _headline(item: _Item, said: list[Said]) -> Mention:
    """The first release in the title, else the strongest early one in the body; the day's
    increment rather than the running total; the person named beside a count added to it."""
    releases = [s.mention for s in said]
    running = {s.mention.start for s in said if s.figure.cumulative}
    in_title = [m for m in releases if m.start < item.title_end]
    head = in_title[0] if in_title else max(releases, key=lambda m: (m.strength, -m.start))
    if head.start in running:
        increments = [m for m in releases if m.increment and m.start not in running and m.role == head.role]
        if increments:
            head = increments[0]
    return _with_named_one(item.text, item.folded, item.spans[head.sentence], head)


def _merged(said: list[Said]) -> list[Figure]:
    """One figure per (role, value, speaker): the title and the body often give the same one."""
    out: dict[tuple[str, int, str | None], Figure] = {}
    for s in said:
        f = s.figure
        key = (f.role, f.value, f.by)
        if key in out:
            g = out[key]
            out[key] = replace(g, cumulative=g.cumulative or f.cumulative, since=g.since or f.since,
                               disputed=g.disputed or f.disputed, sure=g.sure or f.sure,
                               quote=g.quote if g.sure or not f.sure else f.quote)
        else:
            out[key] = f
    # "Gobierno" stands in for the authorities when no one is named: not beside a named official,
    # whose figure it is, sure if either is ("Venezuela pardons 110 …; Maduro's list of 110 names")
    named = {(f.role, f.value) for f in out.values() if f.by_kind == OFFICIAL and f.by != "Gobierno"}
    stand_ins = {(f.role, f.value): f for f in out.values() if f.by == "Gobierno" and (f.role, f.value) in named}
    kept = []
    for f in out.values():
        stand_in = stand_ins.get((f.role, f.value))
        if f.by == "Gobierno" and stand_in is not None:
            continue
        if stand_in is not None and stand_in.sure and not f.sure and f.by_kind == OFFICIAL:
            f = replace(f, sure=True, quote=stand_in.quote)
        kept.append(f)
    return kept


def _with_count(item: _Item, base: Extraction, said: list[Said], tally: _Tally) -> Extraction:
    """The headline release, the figures that go with it and who gave them, from sure figures
    only: announced is the official figure of the round, confirmed the highest verifier figure for
    it (a running total only when the item gives no round figure of verifiers). Release news
    whose figures are all unsure is told without a number (families see only sure numbers)."""
    sure = [s for s in said if s.figure.sure]
    head = _headline(item, sure or said)
    own = next(s for s in (sure or said) if s.mention.start == head.start)
    if sure and head.value != own.mention.value:  # "al periodista X y a otros 4": one more than the digits
        said = [Said(s.mention, replace(s.figure, value=head.value)) if s is own else s for s in said]
        own = next(s for s in said if s.mention.start == head.start)
    figures = _merged(said)
    sure_figs = [f for f in figures if f.sure]
    rounds = [f for f in sure_figs if not f.cumulative]
    pool = rounds or sure_figs
    head_fig = next((f for f in sure_figs if (f.role, f.value, f.by) == (own.figure.role, own.figure.value, own.figure.by)),
                    None) if sure else None
    announced_fig = head_fig if head_fig is not None and head_fig.role == "announced" and head_fig in pool else next(
        (f for f in pool if f.role == "announced"), None)
    # a running count stands for the round only when the item gives no count of the round at all
    # (one the grammar could not bind leaves the headline without a confirmed number)
    round_told = any(f.role == "confirmed" and not f.cumulative for f in figures)
    verified = [f for f in pool if f.role == "confirmed"] or (
        [] if round_told else [f for f in sure_figs if f.role == "confirmed"])
    # of several running counts, one dated ("266 since 8 January") over an undated one ("383 since December")
    confirmed_fig = max(verified, key=lambda f: (f.since is not None, f.value)) if verified else None
    cums = [f.value for f in sure_figs if f.cumulative and f.role == "confirmed"]
    if tally.value is not None:
        figures.append(_total_figure(tally))

    role = head_fig.role if head_fig is not None else own.figure.role
    kind = "announcement" if role == "announced" else "confirmation"
    if tally.value is not None and all(f.by_kind == OFFICIAL and f.disputed for f in figures if f.role != "total"):
        kind = "tally"  # a count still held beside an official figure the verifier cannot vouch for
    text, folded, title_end = item.text, item.folded, item.title_end
    names = tuple(freed_names(text, folded, item.spans, lexicon()))
    span = item.spans[head.sentence]
    confidence = min(0.99, head.strength + (0.1 if head.start < title_end else 0.0) + (0.1 if item.political else -0.2))
    if not sure:
        confidence = min(confidence, 0.5)  # release news whose numbers no one has bound: staff may look
    return Extraction(
        kind=kind,
        released=head.value if kind != "tally" and sure else None,
        announced=announced_fig.value if announced_fig else None,
        confirmed=confirmed_fig.value if confirmed_fig else None,
        cumulative=max(cums) if cums else None,
        total_prisoners=tally.value,
        prisons=base.prisons,
        orgs=base.orgs,
        names=names,
        lang=base.lang,
        prison_news=base.prison_news,
        confidence=round(max(confidence, 0.05), 2),
        announced_by=announced_fig.by if announced_fig else None,
        confirmed_by=confirmed_fig.by if confirmed_fig else None,
        total_by=tally.by,
        evidence=text[span[0]:span[1]].strip()[:500],
        figures=tuple(figures),
        # a verifier doubting "la cifra oficial" the item does not repeat still disputes it
        disputed=any(f.disputed for f in figures) or (
            not any(f.by_kind == OFFICIAL for f in figures) and doubts_official_figure(folded, item.spans, lexicon())),
    )


_OTHERS_BEFORE = re.compile(r"\b" + one_of(_G.others_words) + r"\s*$")


def _with_named_one(text: str, folded: str, span: Span, head: Mention) -> Mention:
    """'excarcelan al periodista X y a otros 4' frees 5, not 4."""
    lo, _hi = span
    before = folded[lo:head.start]
    if _OTHERS_BEFORE.search(before) and SINGULAR.search(before):
        return replace(head, value=head.value + 1)
    return head

