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
from .lists import _AND, _G, _L, _MONTH, words

# A sentence falls into clauses at these: a speaker speaks for the numbers of its own clause
# a contrast word opens a clause, a comma after it too ("…, pero, según Foro Penal, …"); an opener
# such as "en cambio" only when no comma follows it ("Foro Penal, en cambio, contabiliza 143": an aside)
_CLAUSE = re.compile(r";|\s[—–]\s|\s-\s|,?\s(?:" + one_of(_G.contrast_words, capture=False) + r"[\s,]|"
                     + one_of(_L.clause_openers, capture=False) + r"\s)")


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
    found = [(m.start(), m.end()) for m in _CLAUSE.finditer(folded, lo, hi)]
    found += [(m.start(), m.end()) for m in _next_subject_says(folded, lo, hi, [b for _a, b in found])]
    found.sort()
    return [a for a, _b in found], [b for _a, b in found]


# "y" then a subject of a few words and its verb of saying: "… anuncia la liberación de presos y
# fuentes confirman 8 excarcelaciones", "… and rights groups said 40 …"
_AND_SUBJECT_SAYS = re.compile(r"\s" + _AND + r"\s+(?!" + one_of(_L.not_subjects, capture=False) + r"\b)(?!(?:"
                               + one_of(_L.clitics, capture=False) + r"\s+)+" + words().report_verbs.pattern + r")"
                               r"(?=(?:[^\W\d][\w-]*\s+){1,4}?" + words().report_verbs.pattern + r")")


def _next_subject_says(folded: str, lo: int, hi: int, opened: list[int]) -> list[re.Match[str]]:
    """Clauses joined by "y": a second subject with its own verb of saying opens a clause of its
    own, once a verb has been said before it ("Foro Penal y la PUD contabilizan 600" is one
    subject of two, no verb before the "y"); not the same subject's next verb ("y con ellas eleva
    a 41", "and later said"), whose first word is no subject's."""
    out = []
    for m in _AND_SUBJECT_SAYS.finditer(folded, lo, hi):
        # a verb said in this clause ("mientras la Fiscalía y el TSJ hablan de 79": none since "mientras")
        start = max((b for b in opened if b <= m.start()), default=lo)
        if words().report_verbs.search(folded, start, m.start()):
            out.append(m)
    return out


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

