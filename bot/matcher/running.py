"""Running totals over a campaign ("444 verified since 8 January", "bringing its tally to 517"):
which number a running phrase belongs to, and the date the count starts from.

Pure: reads the folded text and the numbers' positions; never decides who gave the number.
"""

from __future__ import annotations

import re
from datetime import date

from .._text import NUMBER
from .cues import Span
from .lexicon import WORD, Lexicon, behind, grammar, longest_first, one_of
from .roles import Mention
from .speakers import clause

# Word lists from bot/data/grammar.toml (its comments say what each is for); what stands around
# each list is the rule's own structure and stays here.
_G = grammar()
_MONTHS = _G.months
_MONTH = one_of(longest_first(_MONTHS))
# the start of a running count, as dates are written ("desde el 8 de enero", "since Jan. 8"): the
# groups are read as day, month and year, so the small words of each form stay in the form
_SINCE_DAY = (
    re.compile(r"(?:desde|entre) el (\d{1,2})(?: y el \d{1,2})? de " + _MONTH + r"(?: de(?:l)? ((?:19|20)\d\d))?"),
    re.compile(r"between " + _MONTH + r"\w*\.? (\d{1,2}) and(?: \w+\.?)? \d{1,2}(?:,? ((?:19|20)\d\d))?"),
    re.compile(r"since " + _MONTH + r"\b\.? (\d{1,2})\b(?:,? ((?:19|20)\d\d))?"),
    re.compile(r"since (\d{1,2}) " + _MONTH + r"(?: ((?:19|20)\d\d))?"),
)
_YEAR_TO_DATE = re.compile("|".join(_G.year_to_date))
_MONTH_TO_DATE = re.compile("|".join(_G.month_to_date))
_FORWARD = re.compile(one_of(_G.running_forward))
_ONE_DAY = re.compile(r"\b" + one_of(_G.one_day) + r"\b")
SAME_PERIOD = "same period"  # a start told as "the same period" as another running total's
_SAME = re.compile("|".join(_G.same_period))
_PARTITIVE = re.compile(r"\s+" + one_of(_G.partitive_after) + r"\b")
_LIST_ITEM = re.compile(r"^[^.;:\d]*(,|\b" + one_of(_G.and_words) + r"\b)[^.;:\d]*$")
_HELD_BEFORE = re.compile(r"\b" + one_of(_G.held_participles) + r"\s+$")  # "held since", "detenidos desde"
_TO = re.compile(r"\b" + one_of(_G.to_words) + r"\s+$")
_DAY_MONTH = re.compile(r"\s+(de\s+)?" + _MONTH)  # "8 de enero", "8 January"
_MONTH_DAY = re.compile(_MONTH + r"\.?\s+$")  # "Jan. 8"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def running_totals(folded: str, spans: list[Span], kept: list[Mention], totals: list[Mention], lex: Lexicon,
                   pub: date | None) -> dict[int, tuple[bool, str | None]]:
    """Each running-total phrase marks its number: the next one for "bringing the total to",
    "suman", "passes"; the nearest before it (or right after "to"/"a") for "since 8 January",
    "en el mismo periodo". The number must be a release figure; it is cumulative, since when."""
    out: dict[int, tuple[bool, str | None]] = {}
    for si, sent in enumerate(spans):
        nums = [m for m in kept if m.sentence == si]
        if not nums:
            continue
        for a in running_words(folded, *sent, lex):
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
            # "73 liberaciones desde el jueves, Foro Penal 56 y JEyP 53": the list shares the span
            for m in [mine[0], *_listed_after(folded, mine[0], [n for n in nums if lo <= n.start < hi])]:
                prev = out.get(id(m), (True, None))
                out[id(m)] = (True, prev[1] or since)
    return out


def running_words(folded: str, lo: int, hi: int, lex: Lexicon) -> list[re.Match[str]]:
    """The words in [lo, hi) that make a count a running one ("desde el 8 de enero", "so far", "ya
    son"), but not a start told of people held ("5 political prisoners held since January 8",
    "detenidos desde el 8 de enero": when they were jailed, not when a count began)."""
    return [a for a in lex.cues["running"].finditer(folded, lo, hi)
            if not _HELD_BEFORE.search(folded, max(lo, a.start() - 24), a.start())]


# "406 personas han sido excarceladas", "626 have been freed": a total stated as done, not a day's news
_PERFECT = re.compile(r"\s+(?:\w+\s+){0,2}?" + one_of(_G.perfect_auxiliaries, capture=False) + r"\s+"
                      + one_of(_G.perfect_participles, capture=False) + r"\b")


def official_running_claim(folded: str, sent: Span, m: Mention, lex: Lexicon) -> bool:
    """An official total stated as done ("406 personas han sido excarceladas") with no day's
    word ("hoy", "más", "este domingo") in its sentence: beside verifiers' running counts it is a
    running claim over the campaign, not this round's figure (figures.py asks only then)."""
    if not _PERFECT.match(folded, m.end, sent[1]):
        return False
    return not lex.cues["increment"].search(folded, *sent)


def _listed_after(folded: str, first: Mention, nums: list[Mention]) -> list[Mention]:
    """The numbers that go on a list after `first`, each after a comma or 'y'/'and' and at most
    a name ('..., Foro Penal 56 y Justicia, Encuentro y Perdón 53')."""
    out, last = [], first
    for m in sorted((n for n in nums if n.start > first.end), key=lambda n: n.start):
        gap = folded[last.end:m.start]
        if not (len(WORD.findall(gap)) <= 8 and _LIST_ITEM.search(gap)) or _PARTITIVE.match(folded, m.end):
            break  # "212 ..., nueve de ellas este fin de semana": a part, not the next item
        out.append(m)
        last = m
    return out


def _words(folded: str, a: int, b: int) -> int:
    return len(WORD.findall(folded[a:b]))


def _dated(folded: str, start: int, end: int) -> bool:
    """The 8 of "desde el 8 de enero", "since Jan. 8": a day, not a count."""
    return bool(_DAY_MONTH.match(folded[end:end + 16]) or _MONTH_DAY.search(behind(folded, 0, start, 12)))


def _since(phrase: str, pub: date | None) -> str | None:
    """'desde el 8 de enero' -> '2026-01-08' (the year from the item's date when not written);
    'en el mismo periodo' -> SAME_PERIOD (figures.py gives it the other running total's start)."""
    if _SAME.match(phrase):
        return SAME_PERIOD
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


def parse_date(published: str | None) -> date | None:
    if not published:
        return None
    m = _ISO_DATE.match(published.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# A closed span of days a release is told for: "del 10 al 12 de diciembre", "entre el 16 y el 24 de
# enero", "from Dec. 10 to 14", "between January 16 and 24"
_PERIODS = (
    re.compile(r"\b(?:del|de|entre el) (\d{1,2})(?: de " + _MONTH + r")? (?:al|y el|a) (\d{1,2}) de " + _MONTH),
    re.compile(r"\b(?:from|between) " + _MONTH + r"\w*\.? (\d{1,2}) (?:to|and|-) (?:" + _MONTH + r"\w*\.? )?(\d{1,2})\b"),
)


def periods(text: str, published: date | None) -> list[tuple[date, date]]:
    """The closed spans of days the text tells releases for, dated in the year of `published`
    (a span ending after it is last year's). Folded text; none without a date to anchor it."""
    if published is None:
        return []
    out = []
    for m in _PERIODS[0].finditer(text):
        d1, m1, d2, m2 = m.group(1), m.group(2), m.group(3), m.group(4)
        out.append((d1, m1 or m2, d2, m2))
    for m in _PERIODS[1].finditer(text):
        m1, d1, m2, d2 = m.group(1), m.group(2), m.group(3), m.group(4)
        out.append((d1, m1, d2, m2 or m1))
    spans = []
    for d1, m1, d2, m2 in out:
        try:
            end = date(published.year, _MONTHS[m2], int(d2))
            start = date(published.year, _MONTHS[m1], int(d1))
        except ValueError:
            continue
        if end > published:
            end, start = end.replace(year=end.year - 1), start.replace(year=start.year - 1)
        if start > end:
            start = start.replace(year=start.year - 1)
        if (end - start).days <= 31:
            spans.append((start, end))
    return spans
