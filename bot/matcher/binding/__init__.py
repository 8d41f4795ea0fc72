"""Sure, or ask a person: does the text itself bind a number to a release and to its speaker?

A number is *bound* when three things hold, read from the grammar of its clause rather than from
the nearest cue word:
  1. it counts releases: it quantifies a release noun ("17 excarcelaciones", "104 releases"), or
     people of whom a release is said ("17 presos fueron excarcelados", "were freed"), or it is
     the object of a release ("liberó a 17", "la excarcelación de 17", "freed 17");
  2. it stands in a known speaker's frame: "X dijo/informó/verificó … N", "según X, … N",
     "… N, X said" — within its own clause (a "mientras que", "pero", ";" starts another);
  3. nothing gives it another reading: a part ("de ellos"), house arrest, another country, an
     earlier round, a call or a promise (for a confirmation), a bound ("hasta"), a denial, the
     authorities' figure quoted by someone else, ordinary prisoners.
Only bound numbers are *sure*: families see them. Word lists: bot/data/binding.toml.

Its modules, each a step of that reading: lists (the word lists), clauses (where a number stands),
dates (a number that is a date; a date that makes a round earlier), counts (1), frames and agents
(2), competing (3), binder (bind(): the three put together for every number of an item).

Pure: text in, bindings out; never touches the network, the database or a chat.
"""

from .binder import NO_NAMED_SPEAKER, Bound, bind
from .lists import _Lists as _Lists  # the word-list tests hold the data files against these two
from .lists import _Words as _Words
from .lists import words

__all__ = ["NO_NAMED_SPEAKER", "Bound", "bind", "words"]
