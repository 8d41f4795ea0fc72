"""Whose figure a number is named as: the possessor's ("the government's 895"), the authorities' by
its participle ("las 87 anunciadas"), the subject's of a relative clause about it ("las 99 que
anunció el gobierno"), the agent's after "por"/"by" ("110 personas indultadas por el gobierno").

Pure: text in, readings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re

from ..lexicon import behind, one_of
from ..speakers import OFFICIAL, Speaker, Voice
from .clauses import _last
from .lists import _BY, _G, _GOVERNED, _L, _OF, _THE_PL, words

# the number, up to two words of its noun, then "que" and at most a few words: the subject of a
# relative clause about it stands here ("las 99 que anunció el gobierno", "the 225 that prosecutors promised")
_RELATIVE_AGENT = re.compile(r"(?:\s+[^\W\d][\w-]*){0,2}?\s+" + one_of(_L.figure_relatives, capture=False)
                             + r"\s+(?:[^\W\d][\w-]*\s+){0,2}?")

# English leaves the relative word out: the number, up to two words of its noun, then the clause's
# subject; the verb after the subject tells it is a clause about the number ("the 626 releases
# interim leader Delcy Rodríguez announced")
_CONTACT_GAP = re.compile(r"(?:\s+[^\W\d][\w-]*){0,4}?\s+")
_CONTACT_VERB = re.compile(r"\s+(?:\w+\s+)?" + one_of(_L.contact_clause_verbs, capture=False) + r"\b")
_CONJUNCTION_QUE = re.compile(r"\b" + one_of(_L.que_conjunctions) + r"\s+(?:" + one_of(_L.figure_relatives) + r")\b")
_CONTACT_BREAK = re.compile(r"\b" + one_of(_L.contact_breakers) + r"\b")


# the clause says what its people are, not how many: "6 personas que la Fiscalía señalaba como
# colaboradoras", "the 6 people prosecutors described as accomplices" (a verb, then its predicative)
_PREDICATIVE = re.compile(r"\s+(?:\w+\s+){0,2}?" + one_of(_L.predicative_markers) + r"\s")


# "prosecutors' 956", "the government's figure of 895"; spaces only: "Maduro's wife" ending a title
# owns nothing of the number that opens the next line
_POSSESSED = re.compile(r"('s|s') *(\w+ +){0,2}")
_OF_THEIR_FIGURE = re.compile(r"\s*" + _OF + r"\s+(" + one_of((*_G.plural_articles, *_L.figure_hedges)) + r"\s+)?")
_OF_THE = re.compile(r"\s*" + _OF + r"\s+(" + _THE_PL + r"\s+)?")
# "las 87 anunciadas", "116 excarcelaciones oficiales", "87 authorised releases" (not "… por X", an agent named)
_OFFICIALS_AFTER = re.compile(r"\s+((\w+\s+){0,2}?" + one_of(_L.officials_participles_es) + r"[oa]s|(\w+\s+)?"
                              + one_of(_L.officials_adjectives) + r"|(\w+\s+){0,1}?" + one_of(_L.officials_participles_en)
                              + r")\b(?!\s+" + _BY + r"\b)")
_OFFICIALS_BEFORE = re.compile(r"\b" + one_of(_L.officials_before) + r"\s+$")  # "the announced 99"
_STOP_OR_DIGIT = re.compile(r"[.;:]|\d")
# a participle (group 2) and "por"/"by" after the number's noun: "24 excarcelaciones anunciadas por Saab"
_PARTICIPLE_BY = re.compile(r"(\s+[^\W\d][\w-]*){0,4}?\s+(\w+(ad[oa]s|id[oa]s|ed)|" + "|".join(_L.irregular_participles)
                            + r")\s+" + _BY + r"\s+")
_COUNTED = re.compile(one_of(_L.counted_stems))
_DONE = re.compile(one_of(_L.done_stems))


def _agent(folded: str, s: int, e: int, b: int, vs: list[Voice]) -> Speaker | None:
    """The official agent of the participle after the number: "110 personas indultadas por el
    gobierno", "99 releases announced by the government": the figure is the authorities'."""
    for v in vs:  # "prosecutors' 956 releases", "the government's 895": the possessor's figure
        if v.speaker.kind == OFFICIAL and v.end <= s and (
                _POSSESSED.fullmatch(folded[v.end:s])
                # "la cifra del Gobierno de 120", "the official list of the 120": the figure named as theirs
                or _OF_THEIR_FIGURE.fullmatch(folded[v.end:s])):
            return v.speaker
    named = _last(words().official_figure, folded[max(0, s - 40):s])
    if named and _OF_THE.fullmatch(folded[max(0, s - 40) + named.end():s]):
        return Speaker("Gobierno", OFFICIAL, False)  # "the official list of the 120 people freed"
    # "las 87 anunciadas", "87 authorised releases", "the 99 promised": named as the authorities'
    # figure by its participle, no one else's (an agent named after it is found below)
    if _OFFICIALS_AFTER.match(folded[e:min(b, e + 50)]) or _OFFICIALS_BEFORE.search(behind(folded, 0, s, 15)):
        return Speaker("Gobierno", OFFICIAL, False)
    subject = _clause_subject(folded, e, b, vs)
    if subject is not None:
        return subject
    # no other number between ("12 de las 24 excarcelaciones anunciadas por Saab": the agent is 24's)
    m = _PARTICIPLE_BY.match(folded[e:min(b, e + 80)])
    if m is None:
        return None
    at = e + m.end()
    # "verificadas por Foro Penal": a verifier's count; "liberados por el régimen" names a doer, no speaker
    counted = _COUNTED.match(m.group(2)) is not None
    done = _DONE.match(m.group(2)) is not None
    for v in vs:
        if at <= v.start <= at + 12 and not done and (v.speaker.kind == OFFICIAL or counted):
            return v.speaker
    return None


def _clause_subject(folded: str, e: int, b: int, vs: list[Voice]) -> Speaker | None:
    """The official subject of a clause about the number, which names the figure theirs: "las 406
    que la presidenta Delcy Rodríguez anunció", "los 225 que prometió la Fiscalía", and in English
    without the relative word, "the 626 releases interim leader Delcy Rodríguez announced"."""
    relative = _RELATIVE_AGENT.match(folded, e, min(b, e + 90))
    # "143 excarcelaciones desde que el fiscal hizo su anuncio": "desde que" opens a clause of time,
    # no relative clause about the number
    if relative is not None and not _CONJUNCTION_QUE.search(folded, e, relative.end()):
        official = [v for v in vs if relative.end() <= v.start <= relative.end() + 40 and v.speaker.kind == OFFICIAL
                    and not _STOP_OR_DIGIT.search(folded[relative.end():v.start])
                    and not _GOVERNED.search(folded, max(0, v.start - 12), v.start)
                    and not _PREDICATIVE.match(folded, v.end, min(b, v.end + 40))]
        if official:
            return official[0].speaker
    for v in vs:
        if v.speaker.kind == OFFICIAL and _CONTACT_GAP.fullmatch(folded, e, v.start) and "," not in folded[e:v.start] \
                and not _CONTACT_BREAK.search(folded, e, v.start) \
                and not _GOVERNED.search(folded, max(0, v.start - 12), v.start) \
                and _CONTACT_VERB.match(folded, v.end, min(b, v.end + 30)):
            return v.speaker
    return None
