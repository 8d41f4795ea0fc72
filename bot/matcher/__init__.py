"""Release matcher: the text of one news item in, an Extraction out.

Finds the numbers in an item, gives each a role (announced release, confirmed release, prisoners
still held, or nothing) and a speaker (an official body announces, an independent verifier
confirms, the outlet counts), and picks the item's headline event. Pure: it
reads its word lists from bot/data once and never touches the network, the database or a chat.

Its parts: lexicon (the data files), language, numbers (what is a count), cues (cue words around a
number), roles (each number's role), entities (prisons, organisations, names), numberless (releases
without a count), speakers (who says a number), parts (which numbers are figures of their own),
running (running totals and their start), figures (each figure with its speaker), binding (a
package: whether the text binds a number to a release and its speaker, so it is sure), extraction
(the item's Extraction and its headline).
"""

from .extraction import KINDS, MAX_TEXT, Extraction, Prepared, match, prepare
from .figures import Figure
from .language import detect_lang
from .lexicon import lexicon

__all__ = ["KINDS", "MAX_TEXT", "Extraction", "Figure", "Prepared", "detect_lang", "lexicon", "match", "prepare"]
