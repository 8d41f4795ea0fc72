"""Every figure an item gives, with who gave it: an official body announces (never confirms), an
independent verifier confirms, the outlet counts for itself; running totals carry their start date,
official figures a verifier doubts are marked disputed.

Pure: reads the folded text, the numbers' roles and the gazetteer; never picks the headline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .._text import NUMBER
from .cues import Span, cue_distance
from .lexicon import WORD, Lexicon, grammar, one_of
from .roles import Mention, speech_only
from .speakers import INDEPENDENT, OFFICIAL, OUTLET, Speaker, Voice, clause, speaker_of, voices

GOVERNMENT = Speaker("Gobierno", OFFICIAL, False)  # who authorises a release when no one is named


@dataclass(frozen=True)
class Figure:
    """One number of an item in its role, and who said it."""

    role: str  # announced | confirmed | total
    value: int
    by: str | None  # "Foro Penal", "Fiscalía (Tarek William Saab)", "relatives"; None: not said
    by_kind: str  # official | independent | outlet
    cumulative: bool = False  # a running total over a campaign ("444 since 8 January")
    since: str | None = None  # its start, "YYYY-MM-DD", when the item gives it
    disputed: bool = False  # an official figure a verifier disputes or doubts

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "value": self.value, "by": self.by, "by_kind": self.by_kind,
                "cumulative": self.cumulative, "since": self.since, "disputed": self.disputed}


@dataclass(frozen=True)
class Said:
    """A release number of the item and the figure it gives."""

    mention: Mention
    figure: Figure


_MONTHS = {m: i for i, names in enumerate((
    ("enero", "january", "jan"), ("febrero", "february", "feb"), ("marzo", "march", "mar"),
    ("abril", "april", "apr"), ("mayo", "may"), ("junio", "june", "jun"), ("julio", "july", "jul"),
    ("agosto", "august", "aug"), ("septiembre", "setiembre", "september", "sep", "sept"),
    ("octubre", "october", "oct"), ("noviembre", "november", "nov"), ("diciembre", "december", "dec")), 1)
    for m in names}
_MONTH = one_of(tuple(sorted(_MONTHS, key=len, reverse=True)))
_SINCE_DAY = (
    re.compile(r"(?:desde|entre) el (\d{1,2})(?: y el \d{1,2})? de " + _MONTH + r"(?: de(?:l)? ((?:19|20)\d\d))?"),
    re.compile(r"between " + _MONTH + r"\w*\.? (\d{1,2}) and(?: \w+\.?)? \d{1,2}(?:,? ((?:19|20)\d\d))?"),
    re.compile(r"since " + _MONTH + r"\b\.? (\d{1,2})\b(?:,? ((?:19|20)\d\d))?"),
    re.compile(r"since (\d{1,2}) " + _MONTH + r"(?: ((?:19|20)\d\d))?"),
)
_YEAR_TO_DATE = re.compile(r"en lo que va (?:de|del) (ano|20\d\d)|so far (?:this year|in (20\d\d))|this year|este ano")
_MONTH_TO_DATE = re.compile(r"en lo que va (?:de|del) mes|so far this month")
_FORWARD = re.compile(r"(bringing|taking|raising|brings|takes|raises|elev|suman|sumando|ya son|llega|se llegaria|"
                      r"reach|pass|supera|surpass|tops|count of verified|(verified|overall|running) (total|count|tally)|"
                      r"(conteo|total|registro|balance) |total verificad)")
_ONE_DAY = re.compile(r"\b(a lo largo del dia|en la jornada|durante el dia|del dia de hoy|over the day|throughout the day|"
                      r"so far today|hasta ahora hoy|en lo que va del dia|this (morning|afternoon|evening))\b")
_TO = re.compile(r"\b(to|a|en|at)\s+$")
# breakdowns: "entre ellos 5 colombianos", "including 6 soldiers", "de los cuales 12": parts of a count
_PART_BEFORE = re.compile(
    r"(including|incluye\w*|incluid[oa]s|entre (ell[oa]s|l[oa]s \w+)( (hay|figuran|estan|se cuentan))?|"
    r"de (los|las) cuales|of whom|among (them|those|the \w+)|destacan|figuran)\s+(al menos |unos |unas |about )?$")
_PART_AFTER = re.compile(r"\s+(de (ell[oa]s|est[oa]s)|of (them|those|these))\b|\s+\w+( \w+)? (among|entre) (l[oa]s |the )?\d")
_LIST_JOIN = re.compile(r"^[^.;:\d]{0,90}?(,|\by\b|\band\b|ademas de|plus|as well as|along with|junto a)[^.;:\d]{0,60}$")
_LABEL_BEFORE = re.compile(r"[\w ]+:\s*$")
_STILL = re.compile(r"^[^.;:\d]{0,60}?\b(still|siguen|sigue|aun|todavia)\s+(\w+\s+)?(waiting|awaiting|inside|esperan\w*|"
                    r"esperando|sin noticias|dentro|detenid\w*|pres[oa]s|held|behind bars|in prison|en prision)")
_DENOMINATOR = re.compile(r"\d\s+(\w+\s+)?(de|of)\s+(l[oa]s\s+|the\s+|est[oa]s\s+|those\s+)?$")
_DONE_BY_OFFICIALS = re.compile(r"\s+(\w+\s+)?(anunciad|autorizad|aprobad|prometid|ordenad|announced|authori[sz]ed|approved|"
                                r"promised|ordered|pledged)\w*\b")
_WAITING_BEFORE = re.compile(r"\b(still|siguen|aun|todavia)\s+(waiting|awaiting|esperan\w*|esperando)[^.;\d]{0,60}$")
_THE_FIGURE = re.compile(r"\b(the|that|this|a|esa|la|dicha|ese|el|dicho|una) (figure|cifra|number|numero|count|dato|balance)\b")
# a place after a part: "65 ... from Tocorón", "13 en Zulia" (the text is folded: places are known names)
_PLACE_AFTER = re.compile(r"^\s*(?:\w+\s+){0,5}?(de|del|desde|from|en|in|at)\s+(l[oa]s\s+|el\s+|la\s+|the\s+|a\s+|un\s+)?")
_SUBGROUP_AFTER = re.compile(r"\s*(?:(?:presos|political|politic[oa]s|prisoners|personas|people|\w+)\s+){0,2}?"
                             + one_of(grammar().subgroup_after) + r"\b")


def subgroup_total(folded: str, sent: Span, m: Mention, lex: Lexicon) -> bool:
    """'quedan 129 en ese penal', '380 left in Tocorón', '22 colombianos', '11 under house arrest':
    prisoners still held in one place or of one group, not the national count."""
    if _SUBGROUP_AFTER.match(folded, m.end, min(sent[1], m.end + 80)):
        return True
    after = folded[m.end:min(sent[1], m.end + 60)]
    place = lex.finders["prison"].pattern.search(after)
    return place is not None and len(WORD.findall(after[:place.start()])) <= 5


def attribute(folded: str, spans: list[Span], title_end: int, releases: list[Mention], totals: list[Mention],
              total: int | None, published: str | None, lex: Lexicon) -> list[Said]:
    """The release numbers that are figures of their own, each with its speaker, role, running
    span and dispute; subgroups, parts, weekly balance lines, people still waiting and numbers in
    a prison's name ("Zona 7") are left out."""
    vs = voices(folded, lex, lex.finders)
    names = [(m.start(), m.end()) for m in lex.finders["prison"].pattern.finditer(folded)]
    names += [(a.start(), a.end()) for a in lex.cues["running"].finditer(folded)]  # "entre el 8 y el 14 de enero"
    kept = [m for m in releases if not any(a <= m.start < b for a, b in names)
            and not _subgroup(folded, spans, m, releases, lex) and not _waiting(folded, spans, m)
            and not _balance_entry(folded, spans, m, total, lex)]
    spoken = {id(m): speaker_of(vs, folded, spans[m.sentence], m.start, m.end) for m in kept}
    kept = _without_parts(folded, spans, kept, spoken, lex)
    for m in kept:
        if spoken.get(id(m)) is None:
            spoken[id(m)] = _fallback(m, kept, spoken, vs, spans, title_end)
    _named_over_generic(folded, spans, kept, spoken, vs, lex)
    pub = _date(published)
    runs = _running(folded, spans, kept, totals, lex, pub)
    said = [Said(m, _figure(folded, spans, m, spoken.get(id(m)), runs.get(id(m)), vs, lex)) for m in kept]
    # the authorities' figure inferred for a number a verifier gives as walked out is that verifier's
    confirmed = {s.figure.value for s in said if s.figure.role == "confirmed"}
    said = [s for s in said if not (s.figure.role == "announced" and s.figure.value in confirmed
                                    and (spoken.get(id(s.mention)) or GOVERNMENT).kind != OFFICIAL)]
    if _disputed(folded, spans, vs, lex) and any(s.figure.by_kind == OFFICIAL for s in said):
        said = [Said(s.mention, replace(s.figure, disputed=True)) if s.figure.by_kind == OFFICIAL else s
                for s in said]
    return _same_period(said)


def speaker_for(folded: str, spans: list[Span], title_end: int, m: Mention, lex: Lexicon) -> Speaker | None:
    """Who gives a count (of prisoners still held): beside it, else the speaker of the sentences
    before ("It still counts 889 political prisoners")."""
    vs = voices(folded, lex, lex.finders)
    sp = speaker_of(vs, folded, spans[m.sentence], m.start, m.end)
    if sp is None:
        before = [v for v in vs if title_end <= v.start < spans[m.sentence][0]] or [
            v for v in vs if v.start < title_end]
        sp = before[-1].speaker if before else None
    return sp


def _named_over_generic(folded: str, spans: list[Span], kept: list[Mention], spoken: dict[int, Speaker | None],
                        vs: list[Voice], lex: Lexicon) -> None:
    """Relatives or lawyers give a number a named verifier gives too, or that one confirms
    afterwards ("The committee CLIPPVE confirmed the figure"): the named verifier confirms it."""
    named = {m.value: sp for m in kept if (sp := spoken.get(id(m))) and sp.named and sp.kind == INDEPENDENT}
    for m in kept:
        sp = spoken.get(id(m))
        if sp is not None and not sp.named and sp.kind == INDEPENDENT and m.value in named:
            spoken[id(m)] = named[m.value]
    lead = [v for v in vs if len(spans) > 1 and spans[1][0] <= v.start < spans[1][1]]
    lead_named = [v.speaker for v in lead if v.speaker.named and v.speaker.kind == INDEPENDENT]
    for m in kept:
        sp = spoken.get(id(m))
        if m.sentence == 0 and lead_named and sp is not None and not sp.named and sp.kind == INDEPENDENT:
            spoken[id(m)] = lead_named[0]  # the title's "lawyers" are those the lead names
    for si, (lo, hi) in enumerate(spans):
        if any(m.sentence == si for m in kept) or not _THE_FIGURE.search(folded, lo, hi):
            continue
        if not lex.cues["confirm"].search(folded, lo, hi):
            continue
        who = [v.speaker for v in vs if lo <= v.start < hi and v.speaker.named and v.speaker.kind == INDEPENDENT]
        earlier = [m for m in kept if m.sentence < si]
        if who and earlier:
            last = earlier[-1]
            sp = spoken.get(id(last))
            if sp is None or (not sp.named and sp.kind != OFFICIAL):
                for m in kept:
                    if m.value == last.value and m.sentence < si:
                        spoken[id(m)] = who[0]


def disputed(folded: str, spans: list[Span], lex: Lexicon) -> bool:
    """Does a verifier dispute or doubt an official figure in the item?"""
    return _disputed(folded, spans, voices(folded, lex, lex.finders), lex)


def _figure(folded: str, spans: list[Span], m: Mention, sp: Speaker | None, run: tuple[bool, str | None] | None,
            vs: list[Voice], lex: Lexicon) -> Figure:
    role = m.role
    if sp is not None and sp.kind == OFFICIAL:
        role = "announced"  # an official "we freed 225" is a claim, never a confirmation
    elif sp is not None and role == "announced" and not _authorised(folded, spans[m.sentence], m, lex):
        role = "confirmed"  # a verifier "announcing" releases reports that they happened
    if role == "announced" and (sp is None or sp.kind != OFFICIAL):
        sp = GOVERNMENT  # a verifier or the outlet reports what the authorities authorised
    if role == "confirmed" and sp is None:
        # said by no one: the outlet's own statement, told on the word of the item's main verifier
        named = [v.speaker for v in vs if v.speaker.named and v.speaker.kind == INDEPENDENT]
        families = {e.short or e.name for e in lex.orgs if e.kind == "family"}
        named.sort(key=lambda s: s.by in families)  # an NGO that keeps a register counts first
        sp = named[0] if named else None
    cumulative, since = run if run else (False, None)
    return Figure(role, m.value, sp.by if sp else None, sp.kind if sp else OUTLET, cumulative, since)


def _authorised(folded: str, sent: Span, m: Mention, lex: Lexicon) -> bool:
    """'33 of 87 authorised releases', '54 whose release the government approved': a word of
    authorising (not of saying) right beside the number, even in a verifier's mouth."""
    lo, hi = clause(folded, sent, m.start, m.end)
    if _DONE_BY_OFFICIALS.match(folded, m.end):
        return True  # "de las 87 anunciadas", "87 authorised releases"
    if speech_only(folded, lo, hi, m.start, m.end):
        return False
    for a in lex.cues["announce"].finditer(folded, max(lo, m.start - 40), min(hi, m.end + 40)):
        between = folded[m.end:a.start()] if a.start() >= m.end else folded[a.end():m.start]
        if len(WORD.findall(between)) <= 4 and not re.search(r"\d", between):
            return True  # the word is this number's, not a nearer number's ("33 of 87 authorised")
    return False


def _fallback(m: Mention, kept: list[Mention], spoken: dict[int, Speaker | None], vs: list[Voice],
              spans: list[Span], title_end: int) -> Speaker | None:
    """A number no speaker stands beside: the speaker of the same number elsewhere in the item,
    else (in the title) the subject of the lead, else the speaker of the sentences before."""
    for other in kept:
        sp = spoken.get(id(other))
        if other is not m and other.value == m.value and sp is not None:
            return sp
    body = [s for s in spans if s[0] >= title_end]
    if m.start < title_end and body:
        lead = [v for v in vs if body[0][0] <= v.start < body[0][1]]
        if lead:
            v = lead[0]
            named = [x for x in lead if x.speaker.named and x.speaker.kind == INDEPENDENT]
            if not v.speaker.named and v.speaker.kind == INDEPENDENT and named:
                v = named[0]
            return v.speaker
        return None
    before = [v for v in vs if title_end <= v.start < spans[m.sentence][0]]
    if before:
        sp = before[-1].speaker
        if (sp.kind == OFFICIAL) == (m.role == "announced"):
            return sp
    return None


def _subgroup(folded: str, spans: list[Span], m: Mention, releases: list[Mention], lex: Lexicon) -> bool:
    """'entre ellos 5 colombianos', 'dos de ellos', 'two journalists among 11': a part of a count
    told beside it. 'nueve de ellas este fin de semana' after a running total is the round itself."""
    lo, _hi = spans[m.sentence]
    if _PART_BEFORE.search(folded[max(lo, m.start - 40):m.start]):
        return True
    if _PART_AFTER.match(folded, m.end) and not any(
            r.cumulative and r.sentence == m.sentence and r is not m for r in releases):
        # "verified 12 of them": the verified part of an official figure is the confirmed count
        d = cue_distance(lex.cues["confirm"], folded, max(lo, m.start - 60), m.start, m.start, m.end)
        return not (d is not None and d <= 1)
    if _DENOMINATOR.search(folded[max(lo, m.start - 20):m.start]) and not _authorised(folded, spans[m.sentence], m, lex):
        return True  # "doce de las 58 presas recluidas": the whole the part is taken from
    # "6 militares y 2 adolescentes" after "entre los excarcelados hay": the list goes on
    prev = [r for r in releases if r.sentence == m.sentence and r.end <= m.start]
    if prev and re.fullmatch(r"\s+[^\d.;:]{1,40}\s+(y|and)\s+", folded[prev[-1].end:m.start]):
        return bool(_PART_BEFORE.search(folded[max(lo, prev[-1].start - 40):prev[-1].start]))
    return False


def _waiting(folded: str, spans: list[Span], m: Mention) -> bool:
    """'31 others ... were still waiting outside', 'otras 120 siguen sin noticias', '3 still awaiting
    paperwork': people not freed yet, told beside a release."""
    lo, hi = clause(folded, spans[m.sentence], m.start, m.end)
    return bool(_STILL.search(folded[m.end:min(hi, m.end + 90)]) or _WAITING_BEFORE.search(folded[lo:m.start]))


def _balance_entry(folded: str, spans: list[Span], m: Mention, total: int | None, lex: Lexicon) -> bool:
    """'Excarcelados: 14' in a weekly balance, '418 after 4 released and 7 jailed': the week's
    releases beside the count still held are a line of the balance, not a round."""
    if total is None:
        return False
    lo, hi = spans[m.sentence]
    label = _LABEL_BEFORE.search(folded[max(lo, m.start - 40):m.start])
    if label and lex.cues["release"].search(label.group()):
        return True
    arrest = lex.cues["arrest"]
    for n in re.finditer(r"\b\d+\b", folded[lo:hi]):
        a, b = lo + n.start(), lo + n.end()
        if a != m.start and n.group() != str(total) and cue_distance(arrest, folded, a, min(hi, b + 40), a, b) in (0, 1, 2):
            return True
    return False


def _without_parts(folded: str, spans: list[Span], kept: list[Mention],
                   spoken: dict[int, Speaker | None], lex: Lexicon) -> list[Mention]:
    """Counts per prison are parts: left out when their sum is given too ('71 ... 65 de Tocorón,
    3 de Las Crisálidas y 3 de La Guaira'), else summed into one figure; the total takes their
    speaker when it has none."""
    out = list(kept)
    for si in sorted({m.sentence for m in kept}):
        group = [m for m in out if m.sentence == si and m.role != "total" and not m.cumulative]
        parts = _list_of_parts(folded, group, lex)
        if len(parts) < 2:
            continue
        value = sum(p.value for p in parts)
        whole = [m for m in out if m.value == value and m not in parts]
        sp = next((spoken[id(p)] for p in parts if spoken.get(id(p)) is not None), None)
        if whole:
            for w in whole:
                if spoken.get(id(w)) is None:
                    spoken[id(w)] = sp
        elif any(m.value > value and m.role == parts[0].role and not m.cumulative for m in out if m not in parts):
            pass  # a list that leaves places out: still parts of the larger count
        else:
            summed = replace(parts[0], value=value)
            spoken[id(summed)] = sp
            out.insert(out.index(parts[0]), summed)
        out = [m for m in out if m not in parts]
    # "65 men were released from Tocorón" beside "71 released": the count of one prison is a part
    national = [m for m in out if not m.cumulative and not _placed(folded, m, lex)]
    return [m for m in out if m.cumulative or not _placed(folded, m, lex) or not any(
        n.role == m.role and n.value > m.value for n in national)]


def _list_of_parts(folded: str, group: list[Mention], lex: Lexicon) -> list[Mention]:
    """The longest run of numbers of the same role joined as a list, each told with its place
    ('65 de Tocorón, 3 de Las Crisálidas y 3 de La Guaira', '15 in Lara, 13 in Zulia')."""
    best: list[Mention] = []
    run: list[Mention] = []
    for m in (m for m in group if _placed(folded, m, lex)):
        if run and run[-1].role == m.role and _LIST_JOIN.match(folded[run[-1].end:m.start]):
            run.append(m)
        else:
            run = [m]
        if len(run) > len(best):
            best = list(run)
    return best


def _placed(folded: str, m: Mention, lex: Lexicon) -> bool:
    """Is the number told with its place: a prison within a few words ('65 hombres abandonaron
    Tocorón'), or 'de/from/en/in' and a Venezuelan place or a kind of prison ('13 en Zulia')?"""
    after = re.split(r"[\d.;:]", folded[m.end:m.end + 80], maxsplit=1)[0]
    words = WORD.findall(after)
    near = after[:sum(len(w) + 1 for w in words[:7]) + 2]
    if lex.finders["prison"].pattern.search(near):
        return True
    # "at the Tocorón facility ..., from where 65 men were released"
    before = re.split(r"[\d.;:]", folded[max(0, m.start - 80):m.start])[-1]
    if re.search(r"\b(de donde|desde donde|from where|where|donde)\s+$", before) and lex.finders["prison"].pattern.search(before):
        return True
    hit = _PLACE_AFTER.match(after)
    if not hit:
        return False
    rest = after[hit.end():]
    return bool(lex.cues["venezuela"].match(rest)
                or re.match(r"(centro|carcel|prision|penal|prison|jail|youth|juvenile|police|calabozo)", rest))


def _running(folded: str, spans: list[Span], kept: list[Mention], totals: list[Mention], lex: Lexicon,
             pub: date | None) -> dict[int, tuple[bool, str | None]]:
    """Each running-total phrase marks its number: the next one for "bringing the total to",
    "suman", "passes"; the nearest before it (or right after "to"/"a") for "since 8 January",
    "en el mismo periodo". The number must be a release figure; it is cumulative, since when."""
    out: dict[int, tuple[bool, str | None]] = {}
    for si, sent in enumerate(spans):
        nums = [m for m in kept if m.sentence == si]
        if not nums:
            continue
        for a in lex.cues["running"].finditer(folded, *sent):
            lo, hi = clause(folded, sent, a.start(), a.end())
            if _ONE_DAY.search(folded, lo, hi):
                continue  # "ya son 31 a lo largo del día": one day's round, not a campaign
            digits = [(n.start(), n.end()) for n in NUMBER.finditer(folded, lo, hi)
                      if not _dated(folded, n.start(), n.end()) and not a.start() <= n.start() < a.end()]
            if _FORWARD.match(a.group()):
                after = [(_words(folded, a.end(), s), s) for s, _e in digits if s >= a.end()]
                near = [x for x in after if x[0] <= 8][:1]
            else:
                near = [(_words(folded, e, a.start()), s) for s, e in digits if e <= a.start()]
                near = [x for x in near if x[0] <= 10] + [
                    (_words(folded, a.end(), s), s) for s, _e in digits
                    if s >= a.end() and _words(folded, a.end(), s) <= 4 and _TO.search(folded, a.end(), s)]
            if not near:
                continue
            at = min(near)[1]
            mine = [m for m in nums if m.start == at]
            if not mine:
                continue  # the phrase belongs to another number (a count still held)
            since = _since(folded[a.start():min(sent[1], a.end() + 30)], pub)
            prev = out.get(id(mine[0]), (True, None))
            out[id(mine[0])] = (True, prev[1] or since)
    return out


def _words(folded: str, a: int, b: int) -> int:
    return len(WORD.findall(folded[a:b]))


def _dated(folded: str, start: int, end: int) -> bool:
    """The 8 of "desde el 8 de enero", "since Jan. 8": a day, not a count."""
    return bool(re.match(r"\s+(de\s+)?" + _MONTH, folded[end:end + 16])
                or re.search(_MONTH + r"\.?\s+$", folded[max(0, start - 12):start]))


def _since(phrase: str, pub: date | None) -> str | None:
    """'desde el 8 de enero' -> '2026-01-08' (the year from the item's date when not written)."""
    for pattern in _SINCE_DAY:
        m = pattern.match(phrase)
        if not m:
            continue
        a, b, year = m.groups()
        day, month = (int(a), _MONTHS[b]) if a.isdigit() else (int(b), _MONTHS[a])
        y = int(year) if year else (pub.year - (month > pub.month) if pub else None)
        try:
            return date(y, month, day).isoformat() if y else None
        except ValueError:
            return None
    m = _YEAR_TO_DATE.match(phrase)
    if m:
        year = next((g for g in m.groups() if g and g.isdigit()), None)
        y = int(year) if year else (pub.year if pub else None)
        return f"{y}-01-01" if y else None
    if _MONTH_TO_DATE.match(phrase) and pub:
        return f"{pub.year}-{pub.month:02d}-01"
    return None


def _same_period(said: list[Said]) -> list[Said]:
    """'... 538 in the same period': a running total without its own start date shares the one the
    item gives for another running total."""
    starts = [s.figure.since for s in said if s.figure.since]
    if not starts:
        return said
    return [Said(s.mention, replace(s.figure, since=starts[0])) if s.figure.cumulative and not s.figure.since
            else s for s in said]


def _disputed(folded: str, spans: list[Span], vs: list[Voice], lex: Lexicon) -> bool:
    """A verifier disputes, doubts or cannot verify an official figure; an outlet's "not yet
    verified" and a verifier's "could only confirm N" are no dispute."""
    for lo, hi in spans:
        for m in lex.cues["dispute"].finditer(folded, lo, hi):
            before = WORD.findall(folded[max(lo, m.start() - 30):m.start()])[-2:]
            if any(w in ("sin", "no", "without", "little", "poca") for w in before):
                continue  # "sin duda", "no doubt"
            if re.match(r"\w*\s+(yet|todavia|aun)\b", folded[m.end():m.end() + 20]):
                continue
            who = [v.speaker for v in vs if lo <= v.start < hi]
            if any(s.kind == INDEPENDENT for s in who) or re.search(
                    r"cifra|figure|count|number|numero|balance", folded[lo:hi]):
                return True
    return False


def _date(published: str | None) -> date | None:
    if not published:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
