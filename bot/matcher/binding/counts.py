"""Does a number count releases? Its noun ("17 excarcelaciones"), the release said of the people it
counts ("17 presos fueron excarcelados", "were freed"), or the release it is the object of ("liberó
a 17", "freed 17"); or a bare number whose noun is understood from another clause of its sentence
("… 344 excarcelaciones, mientras que la PUD habla de 349").

Pure: text in, readings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
from itertools import islice

from ..._text import NUMBER
from ..lexicon import WORD, behind, lexicon, one_of
from .clauses import _another_number, _clause, _last, _tokens, hi_of
from .lists import _G, _L, _OF, _PART_OF, _THE, _THE_PL, _WHEN, _Words

_DAY = one_of(_G.weekdays)
# what may stand between a release and the number it frees ("libero a otros 17", "freed on Monday 17")
_QUANTIFIED = re.compile(r"(\b(" + "|".join((*_L.quantifiers, *_L.quantified_times, *_L.quantified_from)) + "|"
                         + one_of(_L.quantified_day_before) + " " + _DAY + "|" + "|".join(_L.quantified_day_parts) + r")"
                         r"[\s,]+)+$")


# "33 of 87 authorised releases", "41 of the more than 800 held": the whole after the number
_OF_A_NUMBER = re.compile(r"\s+" + _OF + r"\s+(" + _THE_PL + r"\s+)?(" + one_of(_L.whole_hedges) + r"\s+)*\d[\d.,]*")
# the number is the part, a whole follows: "225 of roughly 2,400", "61 de las 99"
_PART_OF_WHOLE = re.compile(r"\d\s+" + _PART_OF + r"\s+(" + one_of((*_G.plural_articles, *_L.whole_hedges)) + r"\s+)*$")
# the noun of the part before the whole (group 1): "225 people of 2,400", "33 excarcelaciones de las 87"
# (the part's words stop at "y"/"and": "86 excarcelaciones y más de 800" is no part and its whole)
_PART_WORDS = r"((?:(?!" + one_of(_G.and_words, capture=False) + r"\b)\w+\s+){1,3}?)"
_WHOLE_NOUN = re.compile(r"\d[\d.,]*\s+" + _PART_WORDS + _PART_OF + r"\s+")
_WHOLE_NOUN_END = re.compile(r"\d[\d.,]*\s+" + _PART_WORDS + _PART_OF + r"\s+(" + _THE_PL + r"\s+)?$")
_PAUSE = re.compile(r"[,;:]")


def _counts_releases(folded: str, a: int, b: int, s: int, e: int, w: _Words) -> bool:
    """Does the number count people freed? Its noun, the predicate said of it, or the release it
    is the object of."""
    # "33 of 87 authorised releases carried out": what the whole counts, the part counts
    of = _OF_A_NUMBER.match(folded[e:b])
    if of:
        e = e + of.end()
    after = list(islice(WORD.finditer(folded, e, b), 16))  # the rules below read the first dozen words at most
    # skip the words that may stand between a number and its noun ("17 nuevas excarcelaciones")
    i = 0
    while i < len(after) and i < 3 and w.modifiers.fullmatch(after[i].group()):
        i += 1
    head = folded[after[i].start():b] if i < len(after) else ""
    if head and (m := w.release_nouns.match(head)) and m.start() == 0:
        # "82 excarcelados siguen en la lista": what is said of them is where they are, not a release
        # (not "16 excarcelaciones y aún quedan 804": a clause of its own after "y")
        return not _REMAIN_OWN.match(head[m.end():])
    if head and w.other_counts.match(head):
        return False  # its own noun counts something else: "63 excarcelaciones de 71 reportes recibidos"
    # the whole of a part ("225 of roughly 2,400 people arrested … had been released"): what is said
    # after it is said of the part; the whole counts only what its own noun counts
    if _PART_OF_WHOLE.search(behind(folded, a, s, 40)):
        whole = _WHOLE_NOUN.search(behind(folded, a, s, 70))
        return bool(whole and any(w.release_nouns.fullmatch(t) for t in whole.group(1).split()))
    if _people_then_release(folded, e, b, after, i, w):
        return True
    # "33 excarcelaciones de las 87 anunciadas": the whole counts what its part counts
    whole = _WHOLE_NOUN_END.search(behind(folded, a, s, 70))
    if whole and any(w.release_nouns.fullmatch(t) for t in whole.group(1).split()):
        return True
    if _a_total_of_releases(folded, max(a, s - 70), s, w):
        return True
    return _object_of_a_release(folded, a, s, head, w) or _swapped_for(folded, a, s, e)


def _people_then_release(folded: str, e: int, b: int, after: list[re.Match[str]], i: int, w: _Words) -> bool:
    """People, then (within a few words) what happened to them: "17 presos fueron excarcelados"; or
    the number alone as the subject: "71 salieron", "17 were freed". `after` are the words after
    the number, `i` the first past its modifiers."""
    j = _people_from(after, i, w)
    if j == i and _predicate_follows(folded[after[i - 1].end() if i else e:b], 5, w):
        return True  # "50 salieron de la cárcel", "17 were freed", "33 of them have actually been carried out"
    if j == i:  # "2 prominent opposition members": an adjective or two before the people
        k = next((k for k in range(i + 1, min(i + 3, len(after)))
                  if w.person_nouns.fullmatch(after[k].group()) and after[k].group() not in _NOT_HEADS), None)
        if k is not None and not _PAUSE.search(folded[after[i].start():after[k].start()]):
            j = _people_from(after, k, w)
    return j > i and _predicate_follows(folded[after[j - 1].end():b], 20, w)


def _people_from(after: list[re.Match[str]], i: int, w: _Words) -> int:
    """Past the words for people from after[i] on (five at most), up to a pause ("15 reporters,
    opposition activist X among them, …": the people end at the comma)."""
    j = i
    while j < len(after) and j < i + 5 and w.person_nouns.fullmatch(after[j].group()) and not (
            j > i and _PAUSE.search(after[j].string, after[j - 1].end(), after[j].start())):
        j += 1
    return j


_RANGE_LOWER = re.compile(r"\d[\d.,]*\s+" + one_of(_G.and_words, capture=False) + r"\s+\d")
_RANGE_BEFORE = re.compile(r"\b" + one_of(_L.range_openers) + r"\s+\d[\d.,]*\s+" + one_of(_G.and_words, capture=False) + r"\s+$")


def _a_total_of_releases(folded: str, lo: int, s: int, w: _Words) -> bool:
    """"el total de excarcelados en 895", "the number of releases stood at 444" right before the
    number (lo: where the look back starts); not "eleva la cifra a 135" after "cuenta 108 presos
    políticos" (the count held, raised)."""
    # a range's upper end takes the total before the range: "cifró las excarcelaciones entre 63 y 75"
    # (its lower end is no count of its own)
    if _RANGE_LOWER.match(folded, s):
        return False
    before = _QUANTIFIED.sub("", _RANGE_BEFORE.sub(r"\1 ", folded[lo:s]))  # "put releases at over 600"
    total = _last(w.release_totals, before)
    return total is not None and not before[total.end():].strip() and bool(
        w.release_nouns.search(total.group()) or not _held_before(folded, lo + total.start()))


def _object_of_a_release(folded: str, a: int, s: int, head: str, w: _Words) -> bool:
    """The object of a release, or the subject of an inverted passive: "libero a otros 17", "la
    excarcelacion de 17", "freed 17", "fueron excarcelados 17 presos" (`head`: its noun and on)."""
    lo = max(a, s - 70)
    before = _QUANTIFIED.sub("", folded[lo:s])
    for pattern in (w.release_actions, w.release_inverted):
        # right before the number, past what may stand between ("libero a otros 17"), or as
        # written ("el indulto de Maduro a 110": the release's own "a")
        found = next(((m, text is before) for text in (before, folded[lo:s]) if (m := _last(pattern, text)) is not None
                      and not text[m.end():].strip()), None)
        if found is None:
            continue
        act, stripped = found
        if not stripped and not _people_first(head, w):
            continue  # given to the number with its own "a": people, not "la amnistía a 10 coyunturas"
        # "no liberó a 5", not "a decree, not yet published, pardoning 110": a negation in its stretch
        near = behind(folded, a, lo + act.start(), 25)
        if w.negation.search(near[_last_pause(near):]):
            return False
        # "after these releases more than 1,700 political prisoners are still held": the people
        # counted have a predicate of their own, so they are its subject, not the release's object
        return not (head and _REMAIN.match(" " + head))
    return False


_SWAP_FOR = re.compile(r"\b" + one_of(_L.swap_for) + r"\s+(?:" + _THE_PL + r"\s+)?$")


def _swapped_for(folded: str, a: int, s: int, e: int) -> bool:
    """What a swap gives for a foreign country's nationals: "in exchange for 10 Americans"."""
    return bool(_SWAP_FOR.search(folded, max(a, s - 30), s)) and nationals_of(folded, e) is not None


def _people_first(head: str, w: _Words) -> bool:
    """The number's noun (`head` starts past its modifiers) is a word for people."""
    noun = WORD.match(head)
    return noun is not None and bool(w.person_nouns.fullmatch(noun.group()))


def _last_pause(text: str) -> int:
    """Where the stretch after the last pause in text starts (0 when there is none)."""
    pause = _last(_PAUSE, text)
    return pause.end() if pause else 0


_REMAIN = re.compile(r"(\s+\w+){0,3}?\s+" + one_of(_G.remain_after) + r"\b")
# (not a remain verb with a count of its own after it: "tras 20 excarcelaciones en Zulia quedan 348 presos")
_REMAIN_OWN = re.compile(r"(\s+(?!" + one_of(_G.and_words, capture=False) + r"\b)\w+){0,3}?\s+" + one_of(_G.remain_after)
                         + r"\b(?!\s+(?:[^\W\d]+\s+){0,2}\d)")


# an arrest said of the people counted (their predicate, not "detained after the protests" describing them)
_ARRESTED = re.compile(r"\b(" + one_of(_L.arrested_auxiliaries) + r" (\w+ )?" + one_of(_L.arrested_participles) + r"\w*"
                       r"|" + "|".join(_L.most_of_them) + r")\b")
_APPOSITION = re.compile(r"^\s*,\s*(?:" + one_of(_L.apposition) + r"[^,]{0,80}|[^,]{0,80}?\b" + one_of(_L.apposition_end)
                         + r"\s*),")
# a comma before a year is the date's ("after the July 28, 2024 election"), no end of the stretch
_CUT = re.compile(r"[;:(]|,(?!\s*(?:19|20)\d\d\b)")


def _to_first_comma(rest: str) -> str:
    """What is said of the people counted runs to the first comma (", la mayoría ya excarcelada"
    is said of others); an apposition between commas (", entre ellos X,", ", X among them,") is
    stepped over."""
    m = _APPOSITION.match(rest)
    if m:
        return rest[:m.end()] + _to_first_comma(rest[m.end():])
    cut = _CUT.search(rest)
    return rest[:cut.start()] if cut else rest


_NOT_HEADS = _L.not_heads


def _predicate_follows(rest: str, reach: int, w: _Words) -> bool:
    """A release is said of the people counted within `reach` words after them, in their own
    stretch of the clause, not negated, not after an arrest said of them or another count."""
    rest = _to_first_comma(rest)
    if _STILL_HELD_AFTER.match(rest):
        return False  # "777 political prisoners still held … many of those released": they are held
    tail = _tokens(rest, 0, min(len(rest), 140))
    window = rest[:tail[min(reach, len(tail)) - 1].end()] if tail else ""
    pred = w.release_predicates.search(window)
    if pred is None:  # "65 men left Tocorón", "abandonaron Rodeo I": leaving a prison the gazetteer knows
        pred = _LEFT.search(window)
        if pred is None or not lexicon().finders["prison"].pattern.match(window, pred.end()):
            return False
    before = window[:pred.start()]
    # "los 50 presos políticos indultados seguían en prisión": the participle describes them, the
    # predicate is that they are still held
    # "1,557 people … had applied under the amnesty law and should be released": what they did is ask
    return not (w.negation.search(before) or _another_number(_PRISON_DIGITS.sub(" ", before)) or _ARRESTED.search(before)
                or w.demand.search(before) or _STILL_HELD_AFTER.match(rest, pred.end()))


# right after an attributive release participle, what says the people are still held
_STILL_HELD_AFTER = re.compile(r"\s+(?:\w+\s+)?" + one_of(_L.still_held_predicates) + r"\b")
_LEFT = re.compile(r"\b" + one_of(_L.left_prison) + r"\s+(?:" + _THE + r"\s+)?")
# digits of a prison's name ("Zona 7", "Rodeo I", "Yare 3"): no count of their own
_PRISON_DIGITS = re.compile(r"\b" + one_of(_L.numbered_prisons) + r"\s+\d+\b")


# a noun for people held, then a relative clause of it: the number counts that noun
_HELD_THEN_RELATIVE = re.compile(r"\b" + one_of(_L.held_nouns) + r"(\s+[\w-]+){0,4},?\s+" + one_of(_L.held_relatives) + r"\b")
_COMMA = re.compile(r"[,;]")
# what may follow a bare number to the end of its clause: a date, a time, whose figure it is
_ELIDED_TAIL = re.compile(r"\s*(" + one_of(_L.as_of) + r"\s+.{0,30}|" + _WHEN
                          + r"|" + one_of(_G.attributed_by) + r"\s+by\s+.{0,40}|"
                          + one_of(_L.dado_por) + r"[oa]s\s+por\s+.{0,40})?[\s.,;)]*")
_GIVEN_BY_AFTER = re.compile(r"\s+" + one_of((*_G.attributed_by, *_L.dado_por)))


def _elided(folded: str, lo: int, hi: int, a: int, b: int, s: int, e: int, w: _Words) -> int | None:
    """A bare number that ends its clause, after a verb of counting, in a sentence whose other
    clause counts releases: the noun is understood ("… 344 excarcelaciones, mientras que la PUD
    habla de 349"; "… desde el 8 de enero; Foro Penal contabiliza 383"). Returns where that
    count stands (its antecedent), or None."""
    if _HELD_THEN_RELATIVE.search(behind(folded, lo, s, 70)):
        return None  # "los presos políticos del país, que la ONG cifra en 268": the count of that noun
    own = folded[a:s][_last_pause(folded[a:s]):]  # its stretch, past an aside ("Foro Penal, que cuenta 800 presos, …")
    if (_HELD_WORDS.search(own) or _STILL.search(own)) and not w.release_nouns.search(own):
        return None  # "… y los presos políticos suben a 1.041", "Foro Penal aún cuenta 802": people held
    tail = folded[e:b]
    comma = _COMMA.search(tail)
    tail = tail[:comma.start()] if comma else tail  # "… 73 desde el jueves, Foro Penal 56 …": its own words
    if not _ELIDED_TAIL.fullmatch(tail):
        return None
    if not w.report_verbs.search(behind(folded, a, s, 25)) and not _GIVEN_BY_AFTER.match(tail):
        return None
    # the sentence, and the one before it ("Saab: 225 liberados; Foro Penal … ha verificado 107")
    for m in NUMBER.finditer(folded, lo, hi):
        if m.start() != s:
            end = hi_of(folded, m.start())
            if _counts_releases(folded, *_clause(folded, lo, end, m.start()), m.start(), m.end(), w):
                return m.start()
    return None


_HELD_WORDS = re.compile(r"\b" + one_of(_L.held_words) + r"\b")
_STILL = re.compile(r"\b" + one_of(_L.still_words) + r"\b")


def _held_before(folded: str, at: int) -> bool:
    """The count just before `at` in its sentence is of people held ("108 presos políticos; … la cifra")."""
    lo = max(folded.rfind(".", 0, at), folded.rfind("\n", 0, at), at - 160, 0)
    last = _last(NUMBER, folded, lo, at)
    return last is not None and bool(_HELD_WORDS.search(folded, last.end(), min(at, last.end() + 40)))


_CLAUSE_OR_LINE_END = re.compile(r"[\n;:]")


def nationals_of(folded: str, e: int) -> str | None:
    """The country whose nationals the number counts, if its noun (one of the next two words) is
    a demonym: "10 Americans" -> "United States", "5 ciudadanos españoles" -> "Spain"."""
    demonyms = lexicon().demonyms
    # the next two words as written, so "u.s." is one ("let seven U.S. citizens out"), in the number's
    # own line and clause (a title's last count is not counted by the summary's first word)
    after = _CLAUSE_OR_LINE_END.split(folded[e:min(len(folded), e + 40)], maxsplit=1)[0]
    for t in [t.strip(",;:()\"'") for t in after.split()[:2]]:
        for form in (t, t.rstrip("s"), t.removesuffix("es"), t.rstrip(".")):
            if form in demonyms:
                return demonyms[form]
    return None


# - named people and others: the count of the others, said beside the people named before it -
# "… y (a) otros 4": the names, then "y"/"and", an object marker, "otros" (group "o")
_AND_OTHERS_END = re.compile(r"\s+" + one_of(_G.and_words, capture=False) + r"\s+(?:" + one_of(_L.object_markers, capture=False)
                             + r"\s+)?(?P<o>" + one_of(_G.others_words, capture=False) + r"\s+)?$")
_OTHERS_AFTER = re.compile(r"\s+" + one_of(_L.others_after_number) + r"\b")
_OTHERS_RIGHT_BEFORE = re.compile(r"\b" + one_of(_G.others_words, capture=False) + r"\s+$")
# one person named: capitalised words, particles between ("Roland Carreño", "Marco Antonio Garcés Carapaica")
_NAME = re.compile(r"[A-ZÁÉÍÓÚÑ][\w'’-]+(?:\s+(?:" + one_of(_L.name_particles, capture=False) + r"\s+)*[A-ZÁÉÍÓÚÑ][\w'’-]+)*")
_LIST_MARK = re.compile(r"\s*,\s*|\s+" + one_of(_G.and_words, capture=False) + r"\s+")


def named_and_others(text: str, folded: str, a: int, s: int, e: int, w: _Words) -> int:
    """How many people are named beside a count of others, as the objects or the subject of one
    release ("Liberan a Roland Carreño y a otros 4 presos políticos", "Requesens, Carreño y otros 3
    presos políticos quedan libres", "the release of journalist Roland Carreño and 4 other political
    prisoners", "además de Rosales salieron otros 5 opositores"): the round is the count and the
    names. 0 when the number is no such count (a name list must be all people: no gazetteer body,
    place or prison)."""
    # cheap first: "otros"/"other" right before the number, or "other"/"more" right after it
    if not _OTHERS_RIGHT_BEFORE.search(folded, max(a, s - 12), s) and not _OTHERS_AFTER.match(folded, e):
        return 0
    besides = _BESIDES.search(folded, a, s)
    if besides is not None:  # "además de Rosales, salieron otros 5": the names after "además de"
        lo, hi = besides.start("n"), besides.end("n")
        # the release between ("salieron otros 5", "fueron liberados otros 5")
        act = next((m for p in (w.release_actions, w.release_predicates, w.release_inverted)
                    if (m := p.search(folded, hi, s)) is not None), None)
    else:
        joined = _AND_OTHERS_END.search(folded, a, s)
        if joined is None or (joined.group("o") is None and not _OTHERS_AFTER.match(folded, e)):
            return 0
        # the names run back from "y" to the release that takes them, or to the clause's start
        act = _last(w.release_actions, folded, a, joined.start())
        lo, hi = (act.end() if act is not None else a), joined.start()
    names = [chunk for chunk in _LIST_MARK.split(text[lo:hi]) if chunk.strip()]
    if not names or len(names) > 6 or not all(_a_person(chunk) for chunk in names):
        return 0
    # a release takes them: the action before the count, or the predicate after the count's people
    end = hi_of(folded, e)
    if act is None and not _people_then_release(folded, e, end, list(islice(WORD.finditer(folded, e, end), 16)), 0, w):
        return 0
    return len(names)


# "además de Rosales, salieron otros 5": the names (group "n"), then the release, then "otros"
_BESIDES = re.compile(r"\b" + one_of(_L.besides_words, capture=False) + r"\s+(?P<n>[^,;:.\d]{2,80}?)(?:\s*,\s*|\s+)"
                      r"(?:[^,;:.\d]{0,40}?\s)?" + one_of(_G.others_words, capture=False) + r"\s+$")


def _a_person(chunk: str) -> bool:
    """A person named, at most a title before ("el periodista Roland Carreño"): no gazetteer body,
    prison or place."""
    person = _NAME.search(chunk)
    if person is None or len(chunk[:person.start()].split()) > 3 or chunk[person.end():].strip():
        return False
    said, lex = person.group().lower(), lexicon()
    return not (any(f.pattern.search(said) for f in (lex.finders["org"], lex.finders["prison"], lex.finders["official"]))
                or lex.cues["venezuela"].search(said) or lex.cues["abroad"].search(said))
