"""Release matcher: the text of one news item in, an Extraction out.

Finds the numbers in an item, gives each a role (announced release, confirmed release, prisoners
still held, or nothing) from the words around it, and picks the item's headline event. Pure: it
reads its word lists from bot/data once and never touches the network, the database or a chat.

Its parts: lexicon (the data files), language, numbers (what is a count), cues (cue words around a
number), roles (each number's role), entities (prisons, organisations, names), numberless (releases
without a count), extraction (the item's Extraction).
"""

from .extraction import KINDS, MAX_TEXT, Extraction, Prepared, match, prepare
from .language import detect_lang
from .lexicon import lexicon

__all__ = ["KINDS", "MAX_TEXT", "Extraction", "Prepared", "detect_lang", "lexicon", "match", "prepare"]
