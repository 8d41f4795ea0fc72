"""Which release numbers are figures of their own: not a part of a count told beside it (per
prison, "entre ellos 5 colombianos"), not people still waiting, not a line of a weekly balance,
not another country's figure, not a subgroup of those still held.

Pure: reads the folded text, the numbers' roles and the gazetteer; never decides who speaks.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .cues import Span, cue_distance
from .lexicon import WORD, Lexicon, behind, grammar, one_of
from .roles import Mention, speech_only
from .speakers import Speaker, clause

# Word lists from bot/data/grammar.toml (its comments say what each is for); what stands around
# each list is the rule's own structure and stays here.
_G = grammar()
_OF, _PART_OF, _AND, _THE_PL = one_of(_G.of_words), one_of(_G.part_of), one_of(_G.and_words), one_of(_G.plural_articles)
_PARTITIVE = one_of(_G.partitive_after)
# breakdowns: "entre ellos 5 colombianos", "including 6 soldiers", "de los cuales 12": parts of a count
_PART_BEFORE = re.compile(one_of(_G.part_before) + r"\s+(" + one_of(_G.approximately, capture=False) + r" )?$")
_PART_AFTER = re.compile(r"\s+" + _PARTITIVE + r"\b|\s+\w+( \w+)? " + one_of(_G.among_words) + r" (?:" + _THE_PL + r" )?\d")
_LIST_JOIN = re.compile(r"^[^.;:\d]{0,90}?(,|\b" + _AND + r"\b|" + "|".join(_G.list_joiners) + r")[^.;:\d]{0,60}$")
_LABEL_BEFORE = re.compile(r"[\w ]+:\s*$")
_STILL = re.compile(r"^[^.;:\d]{0,60}?(\b" + one_of(_G.house_arrest_words, capture=False) + r"|\b" + one_of(_G.still_words)
                    + r"\s+(\w+\s+)?" + one_of(_G.still_what) + ")")
# the keywords of _STILL and _WAITING_BEFORE, tried first: most numbers have none, and the full patterns are slow
_STILL_WORD = re.compile(one_of((*_G.still_words, *_G.house_arrest_words)))
_WAIT_WORD = re.compile(one_of(_G.waiting_words))
_DENOMINATOR = re.compile(r"\d\s+(\w+\s+)?" + _OF + r"\s+(?:" + one_of((*_G.plural_articles, *_G.demonstratives)) + r"\s+)?$")
_WHOLE_BEFORE = re.compile(r"(^|[,:;]\s*|\b" + one_of(_G.whole_said) + r"\s*,?\s*)" + _PART_OF + r"\s+"
                           r"(?:" + one_of((*_G.plural_articles, *_G.whole_heads)) + r"\s+)?$")
_EARLIER_ROUND = re.compile(r"\s+(?:\w+\s+){0,3}?" + one_of(_G.earlier_round) + r"\b")
_EARLIER_ROUND_BEFORE = re.compile(r"\b" + one_of(_G.joining_earlier) + r"\s+(?:" + _THE_PL + r"\s+)?$")
_WEEKLY = re.compile(r"\b" + one_of(_G.weekly_balance) + r"\b")
_WAITING_BEFORE = re.compile(r"\b" + one_of(_G.still_words) + r"\s+" + one_of(_G.waiting_words) + r"[^.;\d]{0,60}$")
_DONE_BY_OFFICIALS = re.compile(r"\s+(\w+\s+)?" + one_of(_G.authorised_words) + r"\w*\b")
# a place after a part: "65 ... from Tocorón", "13 en Zulia" (the text is folded: places are known names)
_PLACE_AFTER = re.compile(r"^\s*(?:\w+\s+){0,5}?" + one_of(_G.place_words) + r"\s+(?:"
                          + one_of((*_G.definite_articles, *_G.indefinite_articles)) + r"\s+)?")
# a subgroup of those still held: up to two words (their noun), then the subgroup
_SUBGROUP_AFTER = re.compile(r"\s*(?:\w+\s+){0,2}?" + one_of(_G.subgroup_after) + r"\b")
_LIST_OF_TWO = re.compile(r"\s+[^\d.;:]{1,40}\s+" + _AND + r"\s+")  # "6 militares y 2 adolescentes"
_ROUND_PART = re.compile(r"\s+" + _PARTITIVE + r"\s+")
_INTEGER = re.compile(r"\b\d+\b")
_STOP = re.compile(r"[\d.;:]")
_FROM_WHERE = re.compile(r"\b" + one_of(_G.from_where) + r"\s+$")
_PRISON_KIND = re.compile(one_of(_G.prison_kinds))
_DIGIT = re.compile(r"\d")


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
    if _PART_BEFORE.search(behind(folded, lo, m.start, 40)):
        return True
    if _PART_AFTER.match(folded, m.end) and not _round_part(folded, m, lex) and not any(
            r.cumulative and r.sentence == m.sentence and r is not m for r in releases):
        # "verified 12 of them": the verified part of an official figure is the confirmed count
        d = cue_distance(lex.cues["confirm"], folded, max(lo, m.start - 60), m.start, m.start, m.end)
        return not (d is not None and d <= 1)
    if _DENOMINATOR.search(behind(folded, lo, m.start, 20)) and not authorised(folded, spans[m.sentence], m, lex) \
            and not official_figure(folded, spans[m.sentence], m):
        return True  # "doce de las 58 presas recluidas": the whole the part is taken from
    if _WHOLE_BEFORE.search(behind(folded, lo, m.start, 40)) and not authorised(folded, spans[m.sentence], m, lex) \
            and any(r.sentence == m.sentence and r is not m and r.value < m.value for r in releases):
        return True  # "de más de 1.400 detenidos, solo 55 han sido liberados": the whole, then the part
    if _EARLIER_ROUND.match(folded, m.end) or _EARLIER_ROUND_BEFORE.search(behind(folded, lo, m.start, 30)):
        return True  # "joining five freed last week": a figure of an earlier round
    # "6 militares y 2 adolescentes" after "entre los excarcelados hay": the list goes on
    prev = [r for r in releases if r.sentence == m.sentence and r.end <= m.start]
    if prev and _LIST_OF_TWO.fullmatch(folded[prev[-1].end:m.start]):
        return bool(_PART_BEFORE.search(folded[max(lo, prev[-1].start - 40):prev[-1].start]))
    return False


def _round_part(folded: str, m: Mention, lex: Lexicon) -> bool:
    """'nueve de ellas este fin de semana': the part of a running count that is this round."""
    part = _ROUND_PART.match(folded[m.end:m.end + 30])
    return part is not None and lex.cues["increment"].match(folded, m.end + part.end()) is not None


def abroad(folded: str, spans: list[Span], m: Mention, lex: Lexicon) -> bool:
    """'En Cuba, el gobierno liberó a 553 presos': another country stands nearer the number than
    anything Venezuelan; its figures never enter."""
    lo, hi = spans[m.sentence]
    d_abroad = cue_distance(lex.finders["country"].pattern, folded, lo, hi, m.start, m.end)
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
    label = _LABEL_BEFORE.search(behind(folded, lo, m.start, 40))
    if label and lex.cues["release"].search(label.group()):
        return True
    if _WEEKLY.search(folded, lo, hi):
        return True  # "1,697 political prisoners after 112 releases in a week"
    arrest = lex.cues["arrest"]
    for n in _INTEGER.finditer(folded[lo:hi]):
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
    after = _STOP.split(folded[m.end:m.end + 80], maxsplit=1)[0]
    words = WORD.findall(after)
    near = after[:sum(len(w) + 1 for w in words[:7]) + 2]
    if lex.finders["prison"].pattern.search(near):
        return True
    # "at the Tocorón facility ..., from where 65 men were released"
    before = _STOP.split(behind(folded, 0, m.start, 80))[-1]
    if _FROM_WHERE.search(before) and lex.finders["prison"].pattern.search(before):
        return True
    hit = _PLACE_AFTER.match(after)
    if not hit:
        return False
    rest = after[hit.end():]
    return bool((lex.cues["venezuela"].match(rest) and not rest.startswith("venezuel"))
                or _PRISON_KIND.match(rest))




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
        if len(WORD.findall(between)) <= 4 and not _DIGIT.search(between):
            return True  # the word is this number's, not a nearer number's ("33 of 87 authorised")
    return False


_RELEASES_OF = re.compile(r"\s+" + one_of(_G.release_measures) + r"\b")


# "una lista oficial de las 99 personas", "la cifra del Gobierno de 99", "the government's figure of 99"
_OFFICIALS_OWN = re.compile(
    r"\b(" + one_of(_G.figure_words_es) + r"\s+" + one_of(_G.official_es) + "|" + one_of(_G.official_en) + r"\s+"
    + one_of(_G.figure_words_en) + r")\s+" + _OF + r"\s+(?:" + one_of((*_G.plural_articles, *_G.possessives)) + r"\s+)?$")
# "las 116 excarcelaciones oficiales" (not "otros dos oficiales", officers)
_OFFICIAL_RELEASES = re.compile(r"\s+" + one_of(_G.official_releases) + r"\s+" + one_of(_G.official_adjectives) + r"\b")


def official_figure(folded: str, sent: Span, m: Mention) -> bool:
    """'las 116 excarcelaciones oficiales', '61 de las 99 excarcelaciones', 'la lista oficial de
    las 99 personas excarceladas': the number is the authorities' figure, whoever tells it (a
    verifier never confirms the official figure it names as the government's)."""
    lo, _hi = sent
    if _OFFICIALS_OWN.search(folded, max(lo, m.start - 45), m.start):
        return True
    if _OFFICIAL_RELEASES.match(folded[m.end:m.end + 40]):  # not "otros dos oficiales" (officers)
        return True
    return bool(_DENOMINATOR.search(behind(folded, lo, m.start, 20)) and _RELEASES_OF.match(folded, m.end))
