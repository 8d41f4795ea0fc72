"""Which language an item is written in (Spanish or English), from its commonest small words.

A guess from word counts only: never fails, never reads anything but the text it is given.
"""

from __future__ import annotations

import re

from .lexicon import grammar

_ES_WORDS = grammar().spanish_words  # from bot/data/grammar.toml
_EN_WORDS = grammar().english_words
_WORD = re.compile(r"[a-z]+")


def detect_lang(folded: str) -> str:
    """'en' or 'es' for folded (lower-case, accent-free) text; Spanish when in doubt."""
    words = _WORD.findall(folded[:4000])
    es = sum(w in _ES_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return "en" if en > es else "es"
