"""Where a number stands: the clause and the sentence that hold it, their words, the last match
before a place, another count between two places. The small readings every binding rule shares.

Pure: text in, readings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from functools import lru_cache

from ..cues import Span
from ..lexicon import WORD, one_of
from .lists import _G, _L, _MONTH

# A sentence falls into clauses at these: a speaker speaks for the numbers of its own clause
_CLAUSE = re.compile(r";|\s[—–]\s|\s-\s|,?\s" + one_of((*_G.contrast_words, *_L.clause_openers), capture=False) + r"\s")


def _tokens(folded: str, lo: int, hi: int) -> list[re.Match[str]]:
    return list(WORD.finditer(folded, lo, hi))


def _clause(folded: str, lo: int, hi: int, at: int) -> Span:
    """The clause of the sentence [lo, hi) that holds position at: from the end of the last
    clause opener before it to the start of the first one after it."""
    starts, ends = _openers(folded, lo, hi)
    before = bisect_right(ends, at)  # openers that end at or before `at`
    after = bisect_left(starts, at)  # the first opener that starts at or after `at`
    return (ends[before - 1] if before else lo), (starts[after] if after < len(starts) else hi)


@lru_cache(maxsize=64)
def _openers(folded: str, lo: int, hi: int) -> tuple[list[int], list[int]]:
    """Where the sentence's clause openers start and end, found once for all its numbers (a
    sentence of a thousand numbers no longer reads its openers a thousand times)."""
    found = list(_CLAUSE.finditer(folded, lo, hi))
    return [m.start() for m in found], [m.end() for m in found]


_SENTENCE_END = re.compile(r"[.;\n]")


def hi_of(folded: str, at: int) -> int:
    """The end of the sentence that holds at."""
    m = _SENTENCE_END.search(folded[at:])
    return at + m.start() if m else len(folded)


def _last(pattern: re.Pattern[str], text: str, lo: int = 0, hi: int = sys.maxsize) -> re.Match[str] | None:
    """The last match of the pattern in text[lo:hi] (offsets in text)."""
    found = None
    for match in pattern.finditer(text, lo, hi):
        found = match
    return found


_DATE = re.compile(_MONTH + r"\s+\d{1,2}\b|\b\d{1,2}\s+(de\s+)?" + _MONTH)  # "July 28", "8 de enero"
_BARE_NUMBER = re.compile(r"(?<![\d.,])\d+(?![\d.,]\d)")


def _another_number(text: str) -> bool:
    """A count between the people and their predicate (not a year, not a date: "jailed in 2014
    and 2017", "after the July 28 vote")."""
    text = _DATE.sub(" ", text)
    return any(not (1900 <= int(m.group()) <= 2100) for m in _BARE_NUMBER.finditer(text))

