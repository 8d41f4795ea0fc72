"""Which release numbers are figures of their own: not a part of a count told beside it (per
prison, "entre ellos 5 colombianos"), not people still waiting, not a line of a weekly balance,
not another country's figure, not a subgroup of those still held.

Pure: reads the folded text, the numbers' roles and the gazetteer; never decides who speaks.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .cues import Span, cue_distance
from .lexicon import WORD, Lexicon, grammar, one_of
from .roles import Mention, speech_only
from .speakers import Speaker, clause

# breakdowns: "entre ellos 5 colombianos", "including 6 soldiers", "de los cuales 12": parts of a count
_PART_BEFORE = re.compile(
    r"(including|incluye\w*|incluid[oa]s|entre (ell[oa]s|l[oa]s \w+)( (hay|figuran|estan|se cuentan))?|"
    r"de (los|las) cuales|of whom|among (them|those|the \w+)|destacan|figuran)\s+(al menos |unos |unas |about )?$")
_PART_AFTER = re.compile(r"\s+(de (ell[oa]s|est[oa]s)|of (them|those|these))\b|\s+\w+( \w+)? (among|entre) (l[oa]s |the )?\d")
_LIST_JOIN = re.compile(r"^[^.;:\d]{0,90}?(,|\by\b|\band\b|ademas de|plus|as well as|along with|junto a)[^.;:\d]{0,60}$")
_LABEL_BEFORE = re.compile(r"[\w ]+:\s*$")
_STILL = re.compile(r"^[^.;:\d]{0,60}?(\b(arresto|detencion|prision) domiciliari[oa]|\bhouse arrest|"
                    r"\bcasa por carcel|\b(still|siguen|sigue|aun|todavia)\s+(\w+\s+)?(waiting|awaiting|inside|"
                    r"esperan\w*|esperando|sin noticias|dentro|detenid\w*|pres[oa]s|held|behind bars|in prison|"
                    r"en prision))")
_STILL_WORD = re.compile(r"still|sigue|aun|todavia|domicil|house arrest|casa por")
_WAIT_WORD = re.compile(r"waiting|awaiting|esperan")
_DENOMINATOR = re.compile(r"\d\s+(\w+\s+)?(de|of)\s+(l[oa]s\s+|the\s+|est[oa]s\s+|those\s+)?$")
_WHOLE_BEFORE = re.compile(r"(^|[,:;]\s*|\b(que|that|dijo|said)\s*,?\s*)(de|of|out of)\s+"
                           r"(las\s+|los\s+|the\s+|(mas|more) (de|than)\s+|"
                           r"(un|una|a) (total|registro|lista|universo|register|list|record) (de|of)\s+)?$")
_EARLIER_ROUND = re.compile(r"\s+(?:\w+\s+){0,3}?(last week|la semana pasada|el mes pasado|last month|previously|anteriormente|"
                            r"in (an )?earlier (round|release)s?|en (una )?(tanda|ronda)s? anterior(es)?)\b")
_EARLIER_ROUND_BEFORE = re.compile(r"\b(joining|se suman a|se unen a|besides|ademas de los)\s+(the\s+|los\s+|las\s+)?$")
_WEEKLY = re.compile(r"\b(in a week|in the past week|during the week|over the past week|en una semana|en la semana|"
                     r"en la ultima semana|durante la semana|weekly|semanal)\b")
_WAITING_BEFORE = re.compile(r"\b(still|siguen|aun|todavia)\s+(waiting|awaiting|esperan\w*|esperando)[^.;\d]{0,60}$")
# a place after a part: "65 ... from Tocorón", "13 en Zulia" (the text is folded: places are known names)
_DONE_BY_OFFICIALS = re.compile(r"\s+(\w+\s+)?(anunciad|autorizad|aprobad|prometid|ordenad|announced|authori[sz]ed|approved|"
                                r"promised|ordered|pledged)\w*\b")
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



def is_subgroup(folded: str, spans: list[Span], m: Mention, releases: list[Mention], lex: Lexicon) -> bool:
    """'entre ellos 5 colombianos', 'dos de ellos', 'two journalists among 11': a part of a count
    told beside it. 'nueve de ellas este fin de semana' (the day's or the weekend's) is the round itself."""
    lo, _hi = spans[m.sentence]
    if _PART_BEFORE.search(folded[max(lo, m.start - 40):m.start]):
        return True
    if _PART_AFTER.match(folded, m.end) and not _round_part(folded, m, lex) and not any(
            r.cumulative and r.sentence == m.sentence and r is not m for r in releases):
        # "verified 12 of them": the verified part of an official figure is the confirmed count
        d = cue_distance(lex.cues["confirm"], folded, max(lo, m.start - 60), m.start, m.start, m.end)
        return not (d is not None and d <= 1)
    if _DENOMINATOR.search(folded[max(lo, m.start - 20):m.start]) and not authorised(folded, spans[m.sentence], m, lex) \
            and not official_figure(folded, spans[m.sentence], m):
        return True  # "doce de las 58 presas recluidas": the whole the part is taken from
    if _WHOLE_BEFORE.search(folded[max(lo, m.start - 40):m.start]) and not authorised(folded, spans[m.sentence], m, lex) \
            and any(r.sentence == m.sentence and r is not m and r.value < m.value for r in releases):
        return True  # "de más de 1.400 detenidos, solo 55 han sido liberados": the whole, then the part
    if _EARLIER_ROUND.match(folded, m.end) or _EARLIER_ROUND_BEFORE.search(folded[max(lo, m.start - 30):m.start]):
        return True  # "joining five freed last week": a figure of an earlier round
    # "6 militares y 2 adolescentes" after "entre los excarcelados hay": the list goes on
    prev = [r for r in releases if r.sentence == m.sentence and r.end <= m.start]
    if prev and re.fullmatch(r"\s+[^\d.;:]{1,40}\s+(y|and)\s+", folded[prev[-1].end:m.start]):
        return bool(_PART_BEFORE.search(folded[max(lo, prev[-1].start - 40):prev[-1].start]))
    return False


def _round_part(folded: str, m: Mention, lex: Lexicon) -> bool:
    """'nueve de ellas este fin de semana': the part of a running count that is this round."""
    part = re.match(r"\s+(de (ell[oa]s|est[oa]s)|of (them|those|these))\s+", folded[m.end:m.end + 30])
    return part is not None and lex.cues["increment"].match(folded, m.end + part.end()) is not None


def abroad(folded: str, spans: list[Span], m: Mention, lex: Lexicon) -> bool:
    """'En Cuba, el gobierno liberó a 553 presos': another country stands nearer the number than
    anything Venezuelan; its figures never enter."""
    lo, hi = spans[m.sentence]
    if lex.finders["country"].pattern.search(folded, lo, hi) is None:
        return False
    d_abroad = min((d for e in lex.countries if (d := cue_distance(e.pattern, folded, lo, hi, m.start, m.end)) is not None),
                   default=None)
    if d_abroad is None:
        return False
    d_home = cue_distance(lex.cues["venezuela"], folded, lo, hi, m.start, m.end)
    return d_home is None or d_abroad < d_home


def waiting(folded: str, spans: list[Span], m: Mention) -> bool:
    """'31 others ... were still waiting outside', 'otras 120 siguen sin noticias', '3 still awaiting
    paperwork': people not freed yet, told beside a release."""
    lo, hi = clause(folded, spans[m.sentence], m.start, m.end)
    after, before = folded[m.end:min(hi, m.end + 90)], folded[lo:m.start]
    # the keywords first: most numbers have none, and the full patterns are slow to try
    return bool((_STILL_WORD.search(after) and _STILL.search(after))
                or (_WAIT_WORD.search(before) and _WAITING_BEFORE.search(before)))


def balance_entry(folded: str, spans: list[Span], m: Mention, total: int | None, lex: Lexicon) -> bool:
    """'Excarcelados: 14' in a weekly balance, '418 after 4 released and 7 jailed': the week's
    releases beside the count still held are a line of the balance, not a round."""
    if total is None:
        return False
    lo, hi = spans[m.sentence]
    label = _LABEL_BEFORE.search(folded[max(lo, m.start - 40):m.start])
    if label and lex.cues["release"].search(label.group()):
        return True
    if _WEEKLY.search(folded, lo, hi):
        return True  # "1,697 political prisoners after 112 releases in a week"
    arrest = lex.cues["arrest"]
    for n in re.finditer(r"\b\d+\b", folded[lo:hi]):
        a, b = lo + n.start(), lo + n.end()
        if a != m.start and n.group() != str(total) and cue_distance(arrest, folded, a, min(hi, b + 40), a, b) in (0, 1, 2):
            return True
    return False


def without_parts(folded: str, spans: list[Span], kept: list[Mention],
                   spoken: dict[int, Speaker | None], lex: Lexicon) -> list[Mention]:
    """Counts per prison are parts: left out when their sum is given too ('71 ... 65 de Tocorón,
    3 de Las Crisálidas y 3 de La Guaira'), else summed into one figure; the total takes their
    speaker when it has none."""
    out = list(kept)
    sums: set[int] = set()  # a sum of parts is a national count, wherever its first part stood
    place: dict[int, bool] = {}  # placed(), asked once per number
    for si in sorted({m.sentence for m in kept}):
        group = [m for m in out if m.sentence == si and m.role != "total" and not m.cumulative]
        parts = _list_of_parts(folded, group, lex, place)
        summing = _summing_to_another(folded, [m for m in out if m.sentence == si and m.role != "total"], out)
        if len(summing) > len(parts):
            parts = summing  # "459 antes de la amnistía y 144 después" beside "603": parts of any kind
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
            sums.add(id(summed))
            out.insert(out.index(parts[0]), summed)
        out = [m for m in out if m not in parts]
    # "65 men were released from Tocorón" beside "71 released": the count of one prison is a part
    where = {id(m): _placed_once(folded, m, lex, place) for m in out}
    national = [m for m in out if not m.cumulative and (id(m) in sums or not where[id(m)])]
    return [m for m in out if m.cumulative or not where[id(m)] or not any(
        n.role == m.role and n.value > m.value and spoken.get(id(n)) == spoken.get(id(m)) for n in national)]


def _summing_to_another(folded: str, group: list[Mention], out: list[Mention]) -> list[Mention]:
    """Numbers of a sentence joined as a list whose sum another number of the item gives."""
    for i in range(len(group)):
        run = [group[i]]
        for m in group[i + 1:]:
            if not _LIST_JOIN.match(folded[run[-1].end:m.start]):
                break
            run.append(m)
            total = sum(r.value for r in run)
            if any(o.value == total and o not in run for o in out):
                return run
    return []


def _list_of_parts(folded: str, group: list[Mention], lex: Lexicon, place: dict[int, bool]) -> list[Mention]:
    """The longest run of numbers of the same role joined as a list, each told with its place
    ('65 de Tocorón, 3 de Las Crisálidas y 3 de La Guaira', '15 in Lara, 13 in Zulia')."""
    best: list[Mention] = []
    run: list[Mention] = []
    for m in (m for m in group if _placed_once(folded, m, lex, place)):
        if run and run[-1].role == m.role and _LIST_JOIN.match(folded[run[-1].end:m.start]):
            run.append(m)
        else:
            run = [m]
        if len(run) > len(best):
            best = list(run)
    return best


def _placed_once(folded: str, m: Mention, lex: Lexicon, place: dict[int, bool]) -> bool:
    if id(m) not in place:
        place[id(m)] = placed(folded, m, lex)
    return place[id(m)]


def placed(folded: str, m: Mention, lex: Lexicon) -> bool:
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
    return bool((lex.cues["venezuela"].match(rest) and not rest.startswith("venezuel"))
                or re.match(r"(centro|carcel|prision|penal|prison|jail|youth|juvenile|police|calabozo)", rest))




def authorised(folded: str, sent: Span, m: Mention, lex: Lexicon) -> bool:
    """'33 of 87 authorised releases', '54 whose release the government approved': a word of
    authorising (not of saying) right beside the number, even in a verifier's mouth."""
    lo, hi = clause(folded, sent, m.start, m.end)
    if _DONE_BY_OFFICIALS.match(folded, m.end):
        return True  # "de las 87 anunciadas", "87 authorised releases"
    if speech_only(folded, lo, hi, m.start, m.end):
        return False
    for a in lex.cues["announce"].finditer(folded, max(lo, m.start - 40), min(hi, m.end + 40)):
        if lex.cues["amnesty_law"].match(a.group()):
            continue  # "459 releases came before the amnesty law": the law is not this number's
        between = folded[m.end:a.start()] if a.start() >= m.end else folded[a.end():m.start]
        if len(WORD.findall(between)) <= 4 and not re.search(r"\d", between):
            return True  # the word is this number's, not a nearer number's ("33 of 87 authorised")
    return False


_RELEASES_OF = re.compile(r"\s+(excarcelaciones|liberaciones|releases|medidas|boletas|beneficios)\b")


# "una lista oficial de las 99 personas", "la cifra del Gobierno de 99", "the government's figure of 99"
_OFFICIALS_OWN = re.compile(
    r"\b((lista|listas|cifra|cifras|balance|conteo|numero)\s+(oficial(es)?|del (gobierno|estado|ejecutivo|regimen))|"
    r"(official|government'?s?|state'?s?|regime'?s?)\s+(list|figure|count|tally|number))\s+(de|of)\s+"
    r"(l[oa]s\s+|the\s+|sus\s+|its\s+)?$")


def official_figure(folded: str, sent: Span, m: Mention) -> bool:
    """'las 116 excarcelaciones oficiales', '61 de las 99 excarcelaciones', 'la lista oficial de
    las 99 personas excarceladas': the number is the authorities' figure, whoever tells it (a
    verifier never confirms the official figure it names as the government's)."""
    lo, _hi = sent
    if _OFFICIALS_OWN.search(folded, max(lo, m.start - 45), m.start):
        return True
    if re.match(r"\s+(excarcelaciones|liberaciones|releases|liberados|excarcelados)\s+(oficial(es)?|official)\b",
                folded[m.end:m.end + 40]):  # not "otros dos oficiales" (officers)
        return True
    return bool(_DENOMINATOR.search(folded[max(lo, m.start - 20):m.start]) and _RELEASES_OF.match(folded, m.end))
