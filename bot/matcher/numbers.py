"""Numbers in an item: number words turned into digits (text2num), and the rules that tell a count
of people from a date, a year, an age, money, a unit, a range or a ratio.

Says only whether a number can be a count; never which role a count plays.
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

from .cues import Context
from .lexicon import behind, grammar, is_word, lexicon, one_of

_G = grammar()  # word lists from bot/data/grammar.toml

_NOT_COUNT_BEFORE = re.compile("(?:" + "|".join(_G.not_count_before) + r")\s*$")
_PAUSE_BEFORE = re.compile(r"[,;:]\s*$")
_CLOSED = re.compile(r"\s*[,;.)]")


def not_a_count(n: Context) -> bool:
    """Dates, years, ages, money, percentages, units, ranges, compound adjectives ("42-page")."""
    if isinstance(n.value, float) or n.value <= 0:
        return True
    return _labelled(n) or _date_or_unit(n) or _year(n) or _part_range_or_ratio(n) or _age(n)


def _labelled(n: Context) -> bool:
    """'art. 5', 'US$ 30', '42-page', '10%': a label, a symbol or a hyphen sticks to the number."""
    folded, lo, start, end = n.folded, n.lo, n.start, n.end
    if _NOT_COUNT_BEFORE.search(behind(folded, lo, start, 25)):
        return True
    nxt = folded[end:end + 2]
    return nxt[:1] in ("%", "-") or nxt in (" %",) or folded[max(lo, start - 1):start] in ("$", "#", "-")


def _date_or_unit(n: Context) -> bool:
    """'8 de enero', 'March 3', '20 años', '5 km'."""
    cues = lexicon().cues
    first, second = _first_two(n.after)
    if is_word(cues["month"], first) or (first in _G.of_words and is_word(cues["month"], second)):
        return True
    if n.before and is_word(cues["month"], n.before[-1]) and not _PAUSE_BEFORE.search(n.folded[max(n.lo, n.start - 3):n.start]):
        return True
    return is_word(cues["unit"], first) or (first in _G.of_words and is_word(cues["unit"], second))


def _year(n: Context) -> bool:
    """A year, unless a plural noun for people follows ("2018 prisoners")."""
    person = lexicon().cues["person"]
    if not 1950 <= n.value <= 2100:
        return False
    # "2018 prisoners" is a count; "detenidos en 2024, fueron excarcelados" is a year
    return _CLOSED.match(n.folded[n.end:n.end + 2]) is not None or not any(
        is_word(person, t) and t.endswith("s") for t in n.after[:2])


def _part_range_or_ratio(n: Context) -> bool:
    cues = lexicon().cues
    after = n.after
    first, second = _first_two(after)
    if first in _G.among_words and second.isdigit():
        return True  # "2 journalists among 11": a part of the count that follows
    if first in _G.range_words and second.isdigit():
        return True  # ranges "entre 5 y 10", "24 to 26"
    if first in _G.of_words and second.isdigit():
        # "33 of 87 authorised releases": one adjective may stand before the noun
        if not any(is_word(cues["person"], w) or is_word(cues["release"], w) or is_word(cues["political"], w)
                   for w in after[2:4]):
            return True  # "19 of 23 governorships": a ratio of something else
    return False


def _age(n: Context) -> bool:
    """'a prisoner, 68, died', 'Carla Pérez, 34, said': an age set off by commas."""
    folded = n.folded
    return folded[max(n.lo, n.start - 2):n.start] == ", " and folded[n.end:n.end + 1] == "," and n.value <= 110


def _first_two(after: list[str]) -> tuple[str, str]:
    return (after[0] if after else "", after[1] if len(after) > 1 else "")


# Vague plurals that text2num would turn into 100 / 1000: "hundreds" is not a count.
# text2num never sees these: vague plurals stay words, "unos"/"unas" are not the number 1
_VAGUE_PLURAL = re.compile(r"\b" + one_of(_G.vague_plural + _G.not_one) + r"\b", re.I)

# digits, then the word for a thousand: "15 mil" is 15000, "1,5 mil" 1500 (text2num would read the
# word alone, "15 1000")
_DIGITS_THOUSAND = re.compile(r"(?<![\d.,])(\d{1,3})(?:[.,](\d{1,2}))?\s+(?:" + one_of(_G.thousand_words, capture=False)
                              + r")\b", re.I)


def _times_thousand(m: re.Match[str]) -> str:
    whole, frac = m.group(1), m.group(2) or ""
    return str(int(whole) * 1000 + (int(frac) * 1000 // 10 ** len(frac) if frac else 0))


# per language: "once" is eleven in Spanish, no number in English ("once the releases were authorized")
_SMALL = {lang: {w.lower(): n for w, n in words.items()} for lang, words in _G.small_numbers.items()}
_SMALL_WORD = {lang: re.compile(r"\b(" + "|".join(words) + r")\b", re.I) for lang, words in _SMALL.items()}


def words_to_digits(text: str, lang: str) -> str:
    """'sesenta y cinco' -> '65', 'nine' -> '9', '15 mil' -> '15000', leaving vague plurals
    ('cientos', 'hundreds') as words."""
    text = _DIGITS_THOUSAND.sub(_times_thousand, text)
    pieces = _VAGUE_PLURAL.split(text)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 or not piece.strip():
            out.append(piece)
            continue
        try:
            out.append(alpha2digit(piece, lang))
        except Exception:  # text2num is defensive, but arbitrary input may still trip it
            out.append(piece)
    # text2num leaves lone small numbers ("nine workers") as words
    small, pattern = _SMALL.get(lang, _SMALL["es"]), _SMALL_WORD.get(lang, _SMALL_WORD["es"])
    return pattern.sub(lambda m: str(small[m.group().lower()]), "".join(out))
