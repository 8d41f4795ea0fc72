"""Numbers and dates: a number that is a date, a time, a year, an age or part of a prison's name is
no count; a date in a clause well before the item's own date makes its count an earlier round's.

Pure: text in, readings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
from datetime import date

from ..lexicon import behind, one_of
from ..running import periods
from .lists import _G, _L, _MONTH, _MONTHS, _SPAN, _THE_SG

_CHRISTMAS_AHEAD = 45  # days: Christmas this close ahead of the item is the one it speaks of
_EARLY = 5  # days: a release dated this far before the item (Christmas in a New Year item) is another round


_MONTH_AFTER = re.compile(r"\s*(" + one_of(_G.of_words, capture=False) + r"\s+)?" + _MONTH)  # "8 de enero"
_MONTH_BEFORE = re.compile(_MONTH + r"\.?\s*$")  # "Jan. 8"
# the year that closes a date, whatever follows it: "28 de julio de 2024 quedaron …", "July 28, 2024"
_YEAR_OF_A_DATE = re.compile(_MONTH + r"\.?(?:\s+\d{1,2})?,?\s+(?:" + one_of(_G.of_words, capture=False) + r"\s+)?$")
_TIME_AFTER = re.compile(r"(:\d\d|\s*" + one_of(_L.time_units) + r"(?!\w))")
_DURATION_AFTER = re.compile(r"\s*" + one_of(_L.duration_units) + r"\b")
_YEAR_COUNTED = re.compile(r"\s+(\w+\s+)?" + one_of(_L.year_count_heads))
_DAY_BEFORE = re.compile(r"\b" + one_of(_L.day_before) + r"\s*$")
_WORD_AFTER = re.compile(r"\s+\w")
_DAY_NOUN_BEFORE = re.compile(r"\b" + one_of(_L.day_nouns) + r"\s+$")
_NUMBERED_PRISON_BEFORE = re.compile(r"\b" + one_of(_L.numbered_prisons) + r"\s+$")


def _not_a_count(folded: str, lo: int, hi: int, s: int, e: int, value: int, prisons: re.Pattern[str]) -> bool:
    """A date, a year, a time, an age, a unit, a part of a name."""
    after = folded[e:min(hi, e + 25)]
    before = behind(folded, lo, s, 25)
    if _MONTH_AFTER.match(after) or _MONTH_BEFORE.search(before):
        return True
    if _TIME_AFTER.match(after):
        return True
    if _DURATION_AFTER.match(after):
        return True
    if 1900 <= value <= 2100 and (_YEAR_OF_A_DATE.search(before) or not _YEAR_COUNTED.match(after)):
        return True
    if _DAY_BEFORE.search(before) and not _WORD_AFTER.match(after):
        return True  # "el 24", "on the 24"
    if _DAY_NOUN_BEFORE.search(before):
        return True  # "el día 11": a date, whatever follows it
    if _NUMBERED_PRISON_BEFORE.search(before):
        return True  # "Zone 7", "Rodeo 1": a prison's name, whether the gazetteer knows it or not
    return any(p.start() <= s < p.end() for p in prisons.finditer(folded, max(lo, s - 40), min(hi, e + 20)))


# a date (groups: 1 day, 2 month, 3 "d" the day after the month as English writes it: "July 18,
# 2025", 4 its year), a year (5), or Christmas (6)
_DATED = re.compile(r"(?:(\d{1,2})\s+(?:de\s+)?)?" + _MONTH + r"(?:\s+(?P<d>\d{1,2})\b,?)?(?:\s+(?:"
                    + one_of(_G.of_words, capture=False) + r"\s+)?((?:19|20)\d\d))?|\b((?:19|20)\d\d)\b|\b"
                    + one_of(_L.christmas) + r"\b")
_SPAN_START = re.compile(r"\b" + one_of((*_G.since_words, *_L.until_words, *_L.dated_openings)) + r"\s+(?:" + _THE_SG
                         + r"\s+)?$")
_DATED_PEOPLE = re.compile(r"\b" + one_of(_L.dated_people) + r"\b")
_DATED_NOUN = re.compile(r"(?:'s)?\s+(?:[^\W\d][\w-]*\s+)?" + one_of(_L.dated_people) + r"\b")


def _dated_earlier(clause: str, pub: date | None) -> bool:
    """A day, month or year in the clause well before the item's own date (not the start of a
    running count: "desde el 8 de enero", nor a detention: "detenidos en 2024"); a closed span of
    days that ended well before it ("entre el 23 y el 25 de diciembre", in an item of 3 January)."""
    if pub is None:
        return False
    if any((pub - end).days > _EARLY for _start, end in periods(clause, pub)):
        return True
    if _SPAN.search(clause):
        return False  # a date in a running count's clause is its start ("since 8 January"), not a round
    for m in _DATED.finditer(clause):
        lead = clause[max(0, m.start() - 30):m.start()]
        if _SPAN_START.search(lead):
            continue
        # the date of an arrest, a protest or an election describes the people, not their release
        # ("detenidos en 2024"; after it, as a modifier: "the July 28 vote", "December's election")
        if _DATED_PEOPLE.search(clause[max(0, m.start() - 60):m.start()]) or _DATED_NOUN.match(clause, m.end()):
            continue
        if _well_before(m, pub):
            return True
    return False


def _well_before(m: re.Match[str], pub: date) -> bool:
    """A date `m` of _DATED falls more than _EARLY days before `pub` (a year alone: a year before)."""
    if m.group(6):  # Christmas: 25 December of the item's year or the one before
        when = date(pub.year, 12, 25)
        if when > pub:  # this Christmas ahead ("saldrán por Navidad", told in December), else the last one
            if (when - pub).days <= _CHRISTMAS_AHEAD:
                return False
            when = date(pub.year - 1, 12, 25)
        return (pub - when).days > _EARLY
    year = int(m.group(4) or m.group(5) or pub.year)
    month = _MONTHS.get(m.group(2) or "", 0)
    if not month:
        return year < pub.year
    day = int(m.group(1) or m.group("d") or 28)
    try:
        when = date(year, month, min(day, 28))
    except ValueError:
        return False
    if when > pub:  # "diciembre" read in a January item is last December
        when = date(year - 1, month, min(day, 28))
    return (pub - when).days > _EARLY
