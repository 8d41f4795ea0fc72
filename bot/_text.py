"""Text helpers shared by the matcher and the renderers: normalising typography, folding accents,
splitting sentences, reading numbers written with either thousands convention.

Pure string functions; nothing here knows about feeds, storage or chat platforms.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_SPACES = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\t\r\f\v]+")
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2013": "-", "\u2014": " - ", "\u2212": "-", "\u2010": "-", "\u2011": "-",
        "\u2026": "...", "\u00ad": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)
_MULTISPACE = re.compile(r" {2,}")


def normalize(text: str) -> str:
    """Unify typography: NFKC, straight quotes, plain spaces; keeps accents and line breaks."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = _SPACES.sub(" ", text)
    return _MULTISPACE.sub(" ", text)


def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch.lower()[:1] or " "


_FOLD: dict[int, str] = {}  # code point -> folded character, filled as characters are met


def fold(text: str) -> str:
    """Lower-case and strip accents, one character for one, so offsets stay valid."""
    if text.isascii():
        return text.lower()
    for ch in set(text):
        if ord(ch) > 127 and ord(ch) not in _FOLD:
            if len(_FOLD) > 20_000:  # hostile text with every code point: no unbounded cache
                return "".join(_fold_char(c) for c in text)
            _FOLD[ord(ch)] = _fold_char(ch)
    # ASCII letters are lowered after the table maps the rest to single lower-case characters
    return text.translate(_FOLD).lower()


def strip_accents(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )


# A sentence ends at . ! ? or a line break, when what follows looks like a new sentence.
_SENTENCE_END = re.compile(
    r"(?<=[.!?;])(?<!\b[A-Z]\.)(?<!\bSr\.)(?<!\bDr\.)(?<!\bSra\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bSt\.)"
    # "since Jan. 8", "el 8 de sept. de": an abbreviated month does not end a sentence
    r"(?<!\bJan\.)(?<!\bFeb\.)(?<!\bAug\.)(?<!\bSep\.)(?<!\bSept\.)(?<!\bOct\.)(?<!\bNov\.)(?<!\bDec\.)"
    r"(?<!\bene\.)(?<!\bdic\.)(?<!\bsept\.)"
    r"\s+(?=[\"'(¿¡]?[A-ZÁÉÍÓÚÑÜ0-9])|\n+|\s+[|·]\s+"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of text."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


# Digits with optional groups: "71", "2,000", "2.229", "1 194", "6.4", "6,4".
NUMBER = re.compile(r"(?<![\w.,:/])\d{1,3}(?:(?:[.,]| (?=\d{3}\b))\d{3})+(?![.,]?\d)|(?<![\w.,:/])\d+(?:[.,]\d+)?(?![\w]|[.,:]\d)")


def parse_number(token: str) -> int | float:
    """Read a number written with either convention: '2.229' and '2,229' are both 2229,
    '6.4' and '6,4' are 6.4 (a group of exactly three digits after the mark is a thousands group)."""
    token = token.replace(" ", "")
    parts = re.split(r"[.,]", token)
    if len(parts) == 1:
        return int(parts[0])
    if all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3:
        return int("".join(parts))
    if len(parts) == 2:
        return float(f"{parts[0]}.{parts[1]}")
    return int("".join(parts))


# Characters json.dumps(ensure_ascii=False) leaves raw that line-based readers (Python's splitlines,
# JavaScript) take for line breaks: escaped, one JSON line stays one line.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_line(obj: Any) -> str:
    """obj as one line of JSON (non-ASCII kept readable), with its newline."""
    return json.dumps(obj, ensure_ascii=False).translate(_LINE_BREAKS) + "\n"


def json_lines(lines: Iterable[str], bad: Callable[[int, Exception], object]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON object on each line that is not blank, with its line number (from 1), as it is read.
    A line that is no JSON object goes to bad(number, error) instead: skipped, unless bad raises."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
        except (ValueError, RecursionError) as exc:
            bad(n, exc)
            continue
        yield n, obj
