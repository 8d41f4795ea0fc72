"""Watched names: does a name printed in a news item refer to the person a family waits for?

Pure functions. Accents, case and punctuation never matter; a missing second surname, an initial
or a small typo makes a *possible* match (the family is told it is not certain); a different
first name never matches. Never imports storage or chat code, and never logs a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from ._text import strip_accents

TOKEN_SIMILARITY = 80  # rapidfuzz ratio for one word: "Perez" ~ "Peres" (80), not "Perez" ~ "Paredes"
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "da", "van", "von"})


@dataclass(frozen=True)
class NameMatch:
    exact: bool
    score: float  # 0..100


def tokens(name: str) -> list[str]:
    """Lower-case, accent-free words of a name, without particles ("de", "del", "y")."""
    clean = re.sub(r"[^\w\s.]", " ", strip_accents(name).lower())
    words = [w.strip(".") if len(w.strip(".")) > 1 else w for w in clean.split()]
    return [w for w in words if w and w not in _PARTICLES]


def normalize(name: str) -> str:
    return " ".join(tokens(name))


def _same_word(a: str, b: str) -> bool:
    if a.endswith(".") or b.endswith("."):  # an initial: "J." matches "Jose"
        return a[0] == b[0]
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b or fuzz.ratio(a, b) >= TOKEN_SIMILARITY


def _in_order(short: list[str], long: list[str]) -> bool:
    """Every word of short matches a word of long, in the same order."""
    i = 0
    for w in short:
        while i < len(long) and not _same_word(w, long[i]):
            i += 1
        if i == len(long):
            return False
        i += 1
    return True


def compare(watched: str, candidate: str) -> NameMatch | None:
    """None when candidate is not the watched person; else whether it is certain."""
    w, c = tokens(watched), tokens(candidate)
    if len(w) < 2 or len(c) < 2:
        return None
    if w == c:
        return NameMatch(True, 100.0)
    if not _same_word(w[0], c[0]):
        return None  # a different first name is a different person
    short, long = (w, c) if len(w) <= len(c) else (c, w)
    if not _in_order(short, long):
        return None
    # with one name and one surname, the surname must be the first surname on both sides
    # ("María Pérez" is not "María Gómez Pérez")
    if len(short) == 2 and not _same_word(short[1], long[1]):
        return None
    score = fuzz.token_sort_ratio(" ".join(w), " ".join(c))
    return NameMatch(False, float(score))


def find(watched: str, candidates: list[str]) -> tuple[str, NameMatch] | None:
    """The best candidate for a watched name (exact first), or None."""
    best: tuple[str, NameMatch] | None = None
    for cand in candidates:
        m = compare(watched, cand)
        if m and (best is None or (m.exact, m.score) > (best[1].exact, best[1].score)):
            best = (cand, m)
    return best
