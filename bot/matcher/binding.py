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

Pure: text in, bindings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .._text import NUMBER, parse_number
from ..figures import Role
from .cues import Span, common_prisoners
from .lexicon import WORD, _read, lexicon
from .running import parse_date
from .speakers import INDEPENDENT, OFFICIAL, OUTLET, Speaker, Voice

_MONTHS = {m: i for i, names in enumerate((
    ("enero", "january", "jan"), ("febrero", "february", "feb"), ("marzo", "march", "mar"), ("abril", "april", "apr"),
    ("mayo", "may"), ("junio", "june", "jun"), ("julio", "july", "jul"), ("agosto", "august", "aug"),
    ("septiembre", "setiembre", "september", "sep", "sept"), ("octubre", "october", "oct"),
    ("noviembre", "november", "nov"), ("diciembre", "december", "dec")), 1) for m in names}
_MONTH = r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b"
# A sentence falls into clauses at these: a speaker speaks for the numbers of its own clause
_CLAUSE = re.compile(r";|\s[—–]\s|\s-\s|,?\s(?:pero|but|mientras que|mientras|while|whereas|aunque|although|"
                     r"sin embargo|however|en tanto que|en cambio|por su parte|for (?:its|his|her|their) part)\s")
_EARLY = 5  # days: a release dated this far before the item (Christmas in a New Year item) is another round
_SPAN = re.compile(r"\b(desde|a partir de|since|starting|from|entre|between|hasta la fecha|en lo que va|so far|to date|"
                   r"en total|in total|empez\w*|comenz\w*|inici\w*|began|started|ya son|acumulad\w*)\b")


@dataclass(frozen=True)
class Bound:
    """What the grammar makes of one number of an item."""

    value: int
    start: int
    end: int
    sentence: int
    counts: str  # release | other: what the words around it say it counts
    speaker: Speaker | None  # whose frame it stands in
    sure: bool
    why: str  # why it is not sure ("" when it is)
    quote: str  # the sentence it came from
    clause: Span = (0, 0)  # the clause it stands in
    named_figure: bool = False  # the speaker is the one a figure is named after ("la lista oficial de las 99")

    @property
    def role(self) -> Role | None:
        if self.speaker is None:
            return None
        return Role.ANNOUNCED if self.speaker.kind == OFFICIAL else Role.CONFIRMED


@dataclass(frozen=True)
class _Words:
    release_nouns: re.Pattern[str]
    person_nouns: re.Pattern[str]
    modifiers: re.Pattern[str]
    release_predicates: re.Pattern[str]
    release_actions: re.Pattern[str]
    release_inverted: re.Pattern[str]
    release_totals: re.Pattern[str]
    generic_officials: re.Pattern[str]
    foreign_actors: re.Pattern[str]
    report_verbs: re.Pattern[str]
    according_to: re.Pattern[str]
    speaker_fillers: re.Pattern[str]
    subgroup: re.Pattern[str]
    house_arrest: re.Pattern[str]
    arrest_news: re.Pattern[str]
    earlier: re.Pattern[str]
    demand: re.Pattern[str]
    future: re.Pattern[str]
    bound: re.Pattern[str]
    negation: re.Pattern[str]
    other_counts: re.Pattern[str]
    official_figure: re.Pattern[str]
    not_political: re.Pattern[str]
    anaphora: re.Pattern[str]


def _words_of(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + r")(?![\w])")


@lru_cache(maxsize=1)
def words() -> _Words:
    """The binding word lists of bot/data/binding.toml, compiled once."""
    data = _read("binding.toml")
    names = [f for f in _Words.__dataclass_fields__]
    missing = [n for n in names if n not in data]
    if missing:
        raise ValueError(f"bot/data/binding.toml: missing {missing}")
    return _Words(**{n: _words_of(data[n]) for n in names})


def _tokens(folded: str, lo: int, hi: int) -> list[re.Match[str]]:
    return list(WORD.finditer(folded, lo, hi))


def _clause(folded: str, lo: int, hi: int, at: int) -> Span:
    """The clause of the sentence [lo, hi) that holds position at."""
    start, end = lo, hi
    for m in _CLAUSE.finditer(folded, lo, hi):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at:
            end = m.start()
            break
    return start, end


def bind(text: str, folded: str, spans: list[Span], title_end: int, published: str | None,
         vs: list[Voice]) -> list[Bound]:
    """Every number of the item with what its grammar makes of it (see the module docstring)."""
    w = words()
    pub = parse_date(published)
    out: list[Bound] = []
    vs = _known(folded, vs, spans, w)
    prisons = lexicon().finders["prison"].pattern
    for si, (lo, hi) in enumerate(spans):
        for m in NUMBER.finditer(text, lo, hi):
            try:
                value = parse_number(m.group())
            except ValueError:
                continue
            if not isinstance(value, int) or value <= 0 or value >= 1_000_000:
                continue
            s, e = m.start(), m.end()
            quote = text[lo:hi].strip()[:500]
            if _not_a_count(folded, lo, hi, s, e, value, prisons):
                out.append(Bound(value, s, e, si, "other", None, False, "not a count", quote, (lo, hi)))
                continue
            a, b = _clause(folded, lo, hi, s)
            counts = "release" if _counts_releases(folded, a, b, s, e, w) else "other"
            antecedent = None
            if counts == "other":
                # the antecedent in the sentence, or in the one before when a ';' or ':' joins them
                joined = si and folded[spans[si - 1][0]:spans[si - 1][1]].rstrip()[-1:] in (";", ":")
                antecedent = _elided(folded, spans[si - 1][0] if joined else lo, hi, a, b, s, e, w)
                if antecedent is not None or _coordinated(folded, a, s, out, si):
                    counts = "release"
            speaker = _frame(folded, a, b, lo, hi, s, e, vs, w, title_end, spans, si)[0]
            agent = _agent(folded, s, e, b, vs)
            if agent is not None:  # "las 110 personas indultadas por el gobierno": the agent's figure
                speaker = agent
            if speaker is not None and speaker.kind not in (OFFICIAL, INDEPENDENT, OUTLET):
                speaker = None
            why = "" if counts == "release" else "it does not count releases"
            if not why:  # what else it may be comes first: it says whether the item is release news at all
                why = _competing(folded, a, b, s, e, speaker, w, pub, title_end)
            if not why and speaker is None:
                why = "no known speaker in its frame"
            if not why and antecedent is not None and any(
                    x.start == antecedent and "earlier" in x.why for x in out):
                why = "an earlier round (its noun is that round's)"  # "At Christmas … 99. Foro Penal had registered 61"
            if not why and _a_prison_part(folded, lo, hi, s, e, text):
                why = "a part of the round (one prison of several)"
            out.append(Bound(value, s, e, si, counts, speaker, not why, why, quote, (a, b), agent is not None))
    return out


def _not_a_count(folded: str, lo: int, hi: int, s: int, e: int, value: int, prisons: re.Pattern[str]) -> bool:
    """A date, a year, a time, an age, a unit, a part of a name."""
    after = folded[e:min(hi, e + 25)]
    before = folded[max(lo, s - 25):s]
    if re.match(r"\s*(de\s+|of\s+)?" + _MONTH, after) or re.search(_MONTH + r"\.?\s*$", before):
        return True
    if re.match(r"(:\d\d|\s*(h|hrs?|horas?|a\.?\s?m\.?|p\.?\s?m\.?)(?!\w))", after):
        return True
    if re.match(r"\s*(-year-old|-ano|anos|ano|years?|year-old|meses|months?|dias|days?|semanas|weeks?|horas|hours?)\b",
                after):
        return True
    if 1900 <= value <= 2100 and not re.match(r"\s+(\w+\s+)?(pres|prisoner|personas|people|excarcel|liber|releases)", after):
        return True
    if re.search(r"\b(el|del|al|on|the|los dias|the day)\s*$", before) and not re.match(r"\s+\w", after):
        return True  # "el 24", "on the 24"
    return any(p.start() <= s < p.end() for p in prisons.finditer(folded, max(lo, s - 40), min(hi, e + 20)))


_DAY = r"(lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_QUANTIFIED = re.compile(r"(\b(a|al|otros|otras|unos|unas|al menos|mas de|cerca de|los|las|the|at least|more than|"
                         r"another|some|about|nearly|almost|over|around|aproximadamente|alrededor de|casi|a total of|"
                         r"un total de|hasta ahora|ya|hoy|ayer|anoche|today|yesterday|overnight|tonight|this week|"
                         r"esta semana|(on|this|last|el|este|esta|la|el pasado|la noche del) " + _DAY + r"|"
                         r"(este|el|esta|la) (fin de semana|noche|madrugada|manana|tarde)|(this|last) (weekend|night|morning))"
                         r"[\s,]+)+$")


def _counts_releases(folded: str, a: int, b: int, s: int, e: int, w: _Words) -> bool:
    """Does the number count people freed? Its noun, the predicate said of it, or the release it
    is the object of."""
    # "33 of 87 authorised releases carried out": what the whole counts, the part counts
    of = re.match(r"\s+(de|of)\s+((los|las|the)\s+)?\d[\d.,]*", folded[e:b])
    if of:
        e = e + of.end()
    after = _tokens(folded, e, b)
    # skip the words that may stand between a number and its noun ("17 nuevas excarcelaciones")
    i = 0
    while i < len(after) and i < 3 and w.modifiers.fullmatch(after[i].group()):
        i += 1
    head = folded[after[i].start():b] if i < len(after) else ""
    if head and (m := w.release_nouns.match(head)) and m.start() == 0:
        # "82 excarcelados siguen en la lista": what is said of them is where they are, not a release
        return not _REMAIN.match(head[m.end():])
    # the whole of a part ("225 of roughly 2,400 people arrested … had been released"): what is said
    # after it is said of the part; the whole counts only what its own noun counts
    if re.search(r"\d\s+(de|of|out of)\s+((los|las|the|unos|unas|roughly|about|some|around|nearly|cerca de|alrededor de|"
                 r"casi|mas de|more than)\s+)*$", folded[max(a, s - 40):s]):
        whole = re.search(r"\d[\d.,]*\s+((?:\w+\s+){1,3}?)(de|of|out of)\s+", folded[max(a, s - 70):s])
        return bool(whole and any(w.release_nouns.fullmatch(t) for t in whole.group(1).split()))
    # people, then (within a few words) what happened to them: "17 presos fueron excarcelados";
    # or the number alone as the subject: "71 salieron", "17 were freed"
    j = i
    while j < len(after) and j < i + 5 and w.person_nouns.fullmatch(after[j].group()):
        j += 1
    if j == i and _predicate_follows(folded[after[i - 1].end() if i else e:b], 5, w):
        return True  # "50 salieron de la cárcel", "17 were freed", "33 of them have actually been carried out"
    if j == i:  # "2 prominent opposition members": an adjective or two before the people
        k = next((k for k in range(i + 1, min(i + 3, len(after)))
                  if w.person_nouns.fullmatch(after[k].group()) and after[k].group() not in _NOT_HEADS), None)
        if k is not None and not re.search(r"[,;:]", folded[after[i].start():after[k].start()]):
            j = k
            while j < len(after) and j < k + 5 and w.person_nouns.fullmatch(after[j].group()):
                j += 1
    if j > i and _predicate_follows(folded[after[j - 1].end():b], 20, w):
        return True
    # "33 excarcelaciones de las 87 anunciadas": the whole counts what its part counts
    whole = re.search(r"\d[\d.,]*\s+((?:\w+\s+){1,3}?)(de|of|out of)\s+((los|las|the)\s+)?$", folded[max(a, s - 70):s])
    if whole and any(w.release_nouns.fullmatch(t) for t in whole.group(1).split()):
        return True
    # "el total de excarcelados en 895", "the number of releases stood at 444"
    total = _last(w.release_totals, folded[max(a, s - 70):s])
    if total is not None and not folded[max(a, s - 70):s][total.end():].strip() and (
            w.release_nouns.search(total.group()) or not _held_before(folded, max(a, s - 70) + total.start())):
        return True  # "eleva la cifra a 135" after "cuenta 108 presos políticos": the count held, raised
    # the object of a release, or the subject of an inverted passive: "libero a otros 17", "la
    # excarcelacion de 17", "freed 17", "fueron excarcelados 17 presos"
    lo = max(a, s - 70)
    before = _QUANTIFIED.sub("", folded[lo:s])
    for pattern in (w.release_actions, w.release_inverted):
        act = _last(pattern, before)
        if act is None or before[act.end():].strip():
            continue
        if w.negation.search(folded[max(a, lo + act.start() - 25):lo + act.start()]):
            return False
        return not (head and w.other_counts.match(head))
    return False


_REMAIN = re.compile(r"(\s+\w+){0,3}?\s+(siguen|sigue|permanecen|continuan|quedan|remain\w*|are still|still)\b")
# an arrest said of the people counted (their predicate, not "detained after the protests" describing them)
_SINCE_YEAR = re.compile(r"\b(desde|since|entre|between|from)\s+(el\s+ano\s+|the\s+year\s+)?(19|20)\d\d")
_WEEKLY = re.compile(r"\b(en la (ultima|pasada) semana|la semana pasada|last week|(in|over|during) the (past|last) week|"
                     r"semanal\w*|weekly|balance de la semana|"
                     r"in a week|en una semana|a la semana|per week|por semana|"
                     r"esta semana se (registraron|contabilizaron)|en los ultimos (siete|7) dias|in the past (seven|7) days)\b")


def hi_of(folded: str, at: int) -> int:
    """The end of the sentence that holds at."""
    m = re.search(r"[.;\n]", folded[at:])
    return at + m.start() if m else len(folded)


_ARRESTED = re.compile(r"\b((fueron|han sido|habian sido|son|eran|were|have been|had been|are|was|got) (\w+ )?"
                       r"(detenid|arrestad|capturad|encarcelad|apresad|arrested|detained|jailed|imprisoned|captured|re-?arrested)\w*"
                       r"|la mayoria|most of them|muchos de ellos|many of them)\b")
_APPOSITION = re.compile(r"^\s*,\s*(entre (ellos|ellas)|including|among them|incluid[oa]s|todos|todas|all|each|cada uno)[^,]{0,80},")


def _to_first_comma(rest: str) -> str:
    """What is said of the people counted runs to the first comma (", la mayoría ya excarcelada"
    is said of others); an apposition between commas (", entre ellos X,") is stepped over."""
    m = _APPOSITION.match(rest)
    if m:
        return rest[:m.end()] + _to_first_comma(rest[m.end():])
    cut = re.search(r"[,;:(]", rest)
    return rest[:cut.start()] if cut else rest


_NOT_HEADS = frozenset({"de", "libertad", "derechos", "humanos", "human", "rights", "political", "politicos", "politicas",
                        "politico", "politica", "conciencia", "conscience", "us", "foreign", "dual"})


def _predicate_follows(rest: str, reach: int, w: _Words) -> bool:
    """A release is said of the people counted within `reach` words after them, in their own
    stretch of the clause, not negated, not after an arrest said of them or another count."""
    rest = _to_first_comma(rest)
    tail = _tokens(rest, 0, min(len(rest), 140))
    window = rest[:tail[min(reach, len(tail)) - 1].end()] if tail else ""
    pred = w.release_predicates.search(window)
    if pred is None:  # "65 men left Tocorón", "abandonaron Rodeo I": leaving a prison the gazetteer knows
        pred = _LEFT.search(window)
        if pred is None or not lexicon().finders["prison"].pattern.match(window, pred.end()):
            return False
    before = window[:pred.start()]
    return not (w.negation.search(before) or _another_number(_PRISON_DIGITS.sub(" ", before)) or _ARRESTED.search(before))


_LEFT = re.compile(r"\b(left|walked out of|abandon\w*|dej(o|aron|an)|sal(en|io|ieron|ian) de)\s+(the\s+|el\s+|la\s+|los\s+|las\s+)?")
# digits of a prison's name ("Zona 7", "Rodeo I", "Yare 3"): no count of their own
_PRISON_DIGITS = re.compile(r"\b(zona|zone|rodeo|yare|tocuyito|el dorado|fenix)\s+\d+\b")


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for match in pattern.finditer(text):
        found = match
    return found


_WHEN = (r"(en la (madrugada|manana|tarde|noche)|(este|esta|el|la|on|this|last) (" + _DAY[1:-1] +
         r"|manana|tarde|noche|morning|afternoon|night|weekend|fin de semana)|hoy|today|anoche|overnight|so far|"
         r"hasta ahora|por ahora|until now)")


def _elided(folded: str, lo: int, hi: int, a: int, b: int, s: int, e: int, w: _Words) -> int | None:
    """A bare number that ends its clause, after a verb of counting, in a sentence whose other
    clause counts releases: the noun is understood ("… 344 excarcelaciones, mientras que la PUD
    habla de 349"; "… desde el 8 de enero; Foro Penal contabiliza 383"). Returns where that
    count stands (its antecedent), or None."""
    if re.search(r"\b(pres[oa]s|prisoners|detenid[oa]s|personas|people|detainees)(\s+[\w-]+){0,4},?\s+(que|which|whom|a los que)\b",
                 folded[max(lo, s - 70):s]):
        return None  # "los presos políticos del país, que la ONG cifra en 268": the count of that noun
    tail = folded[e:b]
    comma = re.search(r"[,;]", tail)
    tail = tail[:comma.start()] if comma else tail  # "… 73 desde el jueves, Foro Penal 56 …": its own words
    if not re.fullmatch(r"\s*((hasta|as of|al|por|desde|since|a partir de)\s+.{0,30}|" + _WHEN +
                        r"|(claimed|announced|given|cited|reported)\s+by\s+.{0,40}|"
                        r"(anunciad|dad|citad|reportad)[oa]s\s+por\s+.{0,40})?[\s.,;)]*", tail):
        return None
    if not w.report_verbs.search(folded[max(a, s - 25):s]) and not re.match(r"\s+(claimed|announced|given|cited|reported|"
                                                                            r"anunciad|dad|citad|reportad)", tail):
        return None
    # the sentence, and the one before it ("Saab: 225 liberados; Foro Penal … ha verificado 107")
    for m in NUMBER.finditer(folded, lo, hi):
        if m.start() != s:
            end = hi_of(folded, m.start())
            if _counts_releases(folded, *_clause(folded, lo, end, m.start()), m.start(), m.end(), w):
                return m.start()
    return None


_PLACED_AFTER = re.compile(r"[\d.,]+\s+(\w+\s+){0,2}?(en|in|at|de|from)\s+")


def w_modifier(word: str) -> bool:
    return bool(words().modifiers.fullmatch(word))


def _coordinated(folded: str, a: int, s: int, earlier: list[Bound], si: int) -> bool:
    """"la salida de 9 mujeres de La Crisálida y 15 hombres de Rodeo I": a count joined by "y"
    to a count of releases just before it in its clause counts releases too."""
    prev = next((x for x in reversed(earlier) if x.sentence == si and a <= x.start < s), None)
    if prev is None or prev.counts != "release":
        return False
    gap = folded[prev.end:s]
    joined = re.fullmatch(r"[^\d;:.]{0,50}?\s(y|e|and)\s+((de|a)\s+)?(otr[oa]s\s+|another\s+|unos?\s+|al menos\s+)?", gap)
    # "15 … en Lara, 13 en Zulia y 10 en Táchira": an enumeration of places joins by commas too
    listed = re.fullmatch(r"[^\d;:.]{0,50}?,\s+", gap) and _PLACED_AFTER.match(folded, s)
    # "212 personas han salido desde …, nueve de ellas este fin de semana": the latest of them
    latest = re.fullmatch(r"[^\d;:.]{0,90}?,\s+", gap) and re.match(r"[\d.,]+\s+(de|of)\s+(ellos|ellas|them)\s+" + _WHEN,
                                                                    folded[s:s + 60])
    if latest:
        return True
    if not (joined or listed):
        return False
    # its own noun stands: "112 excarcelaciones y 15 nuevos encarcelamientos"
    own = _tokens(folded, s, min(len(folded), s + 60))[1:4]
    head = next((t.group() for t in own if not w_modifier(t.group())), None)
    if head is not None and not (words().person_nouns.fullmatch(head) or words().release_nouns.fullmatch(head)
                                 or words().release_predicates.match(folded, folded.find(head, s))
                                 or re.fullmatch(r"de|en|in|at|from|of|desde|del", head)):
        return False
    # its own predicate stands: "50 salieron … y 336 siguen presos"
    digits = re.match(r"[\d.,]+", folded[s:])
    end = s + (digits.end() if digits else 0)
    return not _REMAIN.match(folded[end:end + 60]) and not _ARRESTED.search(folded[end:end + 40])


def _another_number(text: str) -> bool:
    """A count between the people and their predicate (not a year, not a date: "jailed in 2014
    and 2017", "after the July 28 vote")."""
    text = re.sub(_MONTH + r"\s+\d{1,2}\b|\b\d{1,2}\s+(de\s+)?" + _MONTH, " ", text)
    return any(not (1900 <= int(m.group()) <= 2100) for m in re.finditer(r"(?<![\d.,])\d+(?![\d.,]\d)", text))


def _frame(folded: str, a: int, b: int, lo: int, hi: int, s: int, e: int, vs: list[Voice], w: _Words,
           title_end: int, spans: list[Span], si: int) -> tuple[Speaker | None, int | None]:
    """The speaker whose frame the number stands in, and where its verb is: "según X" in its
    clause, else the nearest "X <says|counts|confirms>" before it in its clause, else ", X said"
    after it; a title "X: …", a lead "X informó:" for the sentence after it."""
    here = [v for v in vs if a <= v.start < b and (not v.reference or _holds_verb(folded, v, w))]
    # the authorities' own act is theirs, whoever tells it: "authorities approved the release of
    # another 87 …, rights groups said" (the innermost frame)
    acts = [(v, at) for v in here if v.end <= s and v.speaker.kind == OFFICIAL
            and (at := _tells_after(folded, v, s, w)) is not None and _OFFICIAL_ACT.match(folded, at)]
    if acts:
        return acts[-1][0].speaker, acts[-1][1]
    for v in here:
        if _according(folded[max(a, v.start - 40):v.start], w) and _same_stretch(folded, a, v, s, e):
            return v.speaker, None
        if (
                re.search(r"\b(by|per|according to|in)\s+(the\s+)?$", folded[max(a, v.start - 20):v.start])
                and re.match(r"('s|s')\s+(count|tally|figures|records|data|reckoning|list|latest count)\b", folded[v.end:v.end + 25])):
            return v.speaker, None
    # a speaker is the subject of its verb: not the object of another's ("respondió a Jorge Rodríguez,
    # que habló de 400, que solo ha podido verificar 83"), nor inside a relative clause
    before = [(v, at) for v in here if v.end <= s and not _in_an_aside(folded, a, v)
              and not re.search(r"(\b(al|to|ante|with|con|contra|against|sobre|about)|\b\w+(o|io|aron|ieron|a|an|e|en)\s+a)\s+"
                                r"(the\s+|el\s+|la\s+)?$", folded[max(a, v.start - 20):v.start])
              and (at := _tells_after(folded, v, s, w)) is not None]
    after = [v for v in here if v.start >= e]
    told_by = after[0] if after and _attributes_back(folded, e, after[0], b, w) else None
    if before:
        v, at = before[-1]
        # "Maduro's government has freed 44 so far, Foro Penal says": the doer of the release is
        # not its speaker when the clause is attributed to another
        # its verb releases, before the number or after it ("had let five opposition figures out of jail")
        doer = (w.release_actions.search(folded, at, s) or w.release_predicates.search(folded, at, s)
                or (_CAUSATIVE.match(folded, at) and w.release_predicates.search(folded, e, min(b, e + 50))))
        if told_by is not None and doer:
            return told_by.speaker, None
        # "the opposition alliance said Maduro's government had let five out of jail": the doer told
        # inside someone's report is not the speaker; the reporter is, if known
        said = _last(w.report_verbs, folded[a:v.start]) if doer and v.speaker.kind == OFFICIAL else None
        if said is not None:
            reporters = [u for u, _at in before if u.end <= a + said.start()]
            return (reporters[-1].speaker if reporters else None), None
        # "Foro Penal y la oposición han verificado 600": a subject of two, the first named speaks
        first = [u for u in here if u.end <= v.start and u.speaker.kind == v.speaker.kind
                 and _JOINED_SUBJECT.fullmatch(folded, u.end, v.start)]
        return (first[-1].speaker if first else v.speaker), at
    if told_by is not None:
        return told_by.speaker, None
    if s < title_end:  # the headline convention "Foro Penal: …", the speaker opening the title
        lead = [v for v in vs if v.start < s and re.match(r"\s*:", folded[v.end:v.end + 3])
                and len(_tokens(folded, 0, v.start)) <= 2]
        if lead:
            return lead[-1].speaker, None
    if si + 1 < len(spans):
        who = _confirmed_after(folded, spans[si + 1], vs, w)
        if who is not None:
            return who, None
    if si > 0:
        plo, phi = spans[si - 1]
        if folded[plo:phi].rstrip().endswith(":"):
            prev = [v for v in vs if plo <= v.start < phi and _tells_after(folded, v, phi, w) is not None]
            if prev:
                return prev[-1].speaker, None
    return None, None


_JOINED_SUBJECT = re.compile(r"\s*(,\s*)?(y|e|and|junto con|together with|along with)\s+(la\s+|el\s+|los\s+|las\s+|the\s+)?")


# a verb that makes its object do the releasing words after it: "had let five … out of jail"
_CAUSATIVE = re.compile(r"\s*((had|has|have|ha|han|habia|habian)\s+)?(let|set|dejo|dejaron|dejado|puso|pusieron|puesto)\b")


def _holds_verb(folded: str, v: Voice, w: _Words) -> bool:
    own = _tokens(folded, v.start, v.end)
    return len(own) > 1 and bool(w.report_verbs.fullmatch(own[-1].group()))


def _confirmed_after(folded: str, span: Span, vs: list[Voice], w: _Words) -> Speaker | None:
    """The next sentence confirms this one's release ("Thursday's move, confirmed by human rights
    organizations", "La información fue confirmada por Foro Penal"): its first independent
    speaker after "confirmed by" frames the numbers here that have no frame of their own."""
    lo, hi = span
    m = re.match(r"\W*(" + w.anaphora.pattern + r")\W{0,3}(\w+\s+){0,3}?(was\s+|has been\s+|fue\s+|ha sido\s+)?"
                 r"(confirmed|verified|corroborated|confirmad[oa]s?|verificad[oa]s?|corroborad[oa]s?|constatad[oa]s?)\s+"
                 r"(by|por)\s+", folded[lo:hi])
    if m is None:
        return None
    at = lo + m.end()
    for v in vs:
        if at <= v.start < at + 60 and v.speaker.kind == INDEPENDENT:
            return v.speaker
    return None


def _known(folded: str, vs: list[Voice], spans: list[Span], w: _Words) -> list[Voice]:
    """The speakers the binding may name: not "officials" where another country acts in the
    sentence, not "una ONG" in apposition to a name the gazetteer does not know ("La Coalición …,
    una ONG, …": that ONG is not the item's other NGO)."""
    out = []
    for v in vs:
        said = folded[v.start:v.end]
        lo, hi = next(((a, b) for a, b in spans if a <= v.start < b), (0, len(folded)))
        if w.generic_officials.fullmatch(said) and w.foreign_actors.search(folded, lo, hi):
            continue
        if not v.speaker.named and v.speaker.kind == INDEPENDENT and re.search(r",\s*(una|un|a|an)\s+$",
                                                                              folded[max(lo, v.start - 8):v.start]):
            continue
        out.append(v)
    return out


# the number, up to two words of its noun, then "que" and at most a few words: the subject of a
# relative clause about it stands here ("las 99 que anunció el gobierno", "the 225 that prosecutors promised")
_RELATIVE_AGENT = re.compile(r"(?:\s+[^\W\d][\w-]*){0,2}?\s+(?:que|that|which)\s+(?:[^\W\d][\w-]*\s+){0,2}?")


# a name after one of these is the object of the clause's verb, not its subject ("presos que
# protestaron contra Maduro")
_GOVERNED = re.compile(r"\b(contra|a|al|ante|con|sobre|para|hacia|de|del|against|to|with|for|about|of|toward)\s+"
                       r"(la\s+|el\s+|los\s+|las\s+|the\s+)?$")


def _agent(folded: str, s: int, e: int, b: int, vs: list[Voice]) -> Speaker | None:
    """The official agent of the participle after the number: "110 personas indultadas por el
    gobierno", "99 releases announced by the government": the figure is the authorities'."""
    for v in vs:  # "prosecutors' 956 releases", "the government's 895": the possessor's figure
        if v.speaker.kind == OFFICIAL and v.end <= s and (
                re.fullmatch(r"('s|s')\s*(\w+\s+){0,2}", folded[v.end:s])
                # "la cifra del Gobierno de 120", "the official list of the 120": the figure named as theirs
                or re.fullmatch(r"\s*(de|of)\s+((los|las|the|unos|unas|some)\s+)?", folded[v.end:s])):
            return v.speaker
    named = _last(words().official_figure, folded[max(0, s - 40):s])
    if named and re.fullmatch(r"\s*(de|of)\s+((los|las|the)\s+)?", folded[max(0, s - 40) + named.end():s]):
        return Speaker("Gobierno", OFFICIAL, False)  # "the official list of the 120 people freed"
    # "las 87 anunciadas", "87 authorised releases", "the 99 promised": named as the authorities'
    # figure by its participle, no one else's (an agent named after it is found below)
    if re.match(r"\s+((\w+\s+){0,2}?(anunciad|autorizad|prometid|ordenad|decretad)[oa]s|(\w+\s+)?oficiales|"
                r"(\w+\s+){0,1}?(announced|authori[sz]ed|promised|ordered|decreed))\b(?!\s+(por|by)\b)", folded[e:min(b, e + 50)]) \
            or re.search(r"\b(announced|authori[sz]ed|promised)\s+$", folded[max(0, s - 15):s]):
        return Speaker("Gobierno", OFFICIAL, False)
    relative = _RELATIVE_AGENT.match(folded, e, min(b, e + 90))
    if relative is not None:
        # "las 406 que la presidenta Delcy Rodríguez anunció", "los 225 que prometió la Fiscalía":
        # a relative clause whose subject is an official names the figure theirs
        official = [v for v in vs if relative.end() <= v.start <= relative.end() + 40 and v.speaker.kind == OFFICIAL
                    and not re.search(r"[.;:]|\d", folded[relative.end():v.start])
                    and not _GOVERNED.search(folded, max(0, v.start - 12), v.start)]
        if official:
            return official[0].speaker
    # no other number between ("12 de las 24 excarcelaciones anunciadas por Saab": the agent is 24's)
    m = re.match(r"(\s+[^\W\d][\w-]*){0,4}?\s+(\w+(ad[oa]s|id[oa]s|ed)|given|shown|put|told)\s+(por|by)\s+",
                 folded[e:min(b, e + 80)])
    if m is None:
        return None
    at = e + m.end()
    # "verificadas por Foro Penal": a verifier's count; "liberados por el régimen" names a doer, no speaker
    counted = re.match(r"(verific|confirm|contabiliz|registr|document|corrobor|constat|count|record|tall)",
                       m.group(2)) is not None
    done = re.match(r"(excarcel|liber|freed|releas|solt|detenid|arrest)", m.group(2)) is not None
    for v in vs:
        if at <= v.start <= at + 12 and not done and (v.speaker.kind == OFFICIAL or counted):
            return v.speaker
    return None


_PLACE_WORDS = r"(anexo|sede|centro|carcel|penal|penitenciari\w*|prision|prison|jail|calabozo|zona|internado|comando|fuerte)"
_AT = r"\b(en|in|at|from|de|desde|del)\s+(la\s+|el\s+|los\s+|las\s+|the\s+)?"


def _placed(folded: str, e: int, hi: int, prisons: re.Pattern[str]) -> str | None:
    """The place a count is tied to ("60 excarcelaciones en Tocuyito", "19 en el anexo", "3
    adolescentes de un centro de menores en La Guaira"), if any."""
    window = folded[e:min(hi, e + 80)]
    first = re.search(r"\d|[;:]", window)
    window = window[:first.start()] if first else window
    for m in re.finditer(_AT, window):
        for at in (e + m.end(), e + m.end(1) + 1):  # after the article, or with it ("La Crisálida")
            p = prisons.match(folded, at)
            if p is not None:
                return p.group()
            state = lexicon().cues["venezuela"].match(folded, at)  # "15 salieron en Lara, 13 en Zulia"
            if state and not state.group().startswith("venezuel"):
                return state.group()
        place = re.match(r"(carcel de |prision de |penal de |un |una )?" + _PLACE_WORDS + r"(\s+\w+)?",
                         folded[e + m.end():e + m.end() + 40])
        if place:
            return place.group()
    # "65 hombres abandonaron Tocorón": the prison named right after, no count between
    p = prisons.search(folded, e, min(hi, e + 45))
    if p is not None and not re.search(r"\d|[,;:]", folded[e:p.start()]):
        return p.group()
    return None


def _a_prison_part(folded: str, lo: int, hi: int, s: int, e: int, text: str) -> bool:
    """A count at one place in a sentence that counts at another place too ("60 en Tocuyito y
    otras 19 en el anexo femenino"), or "otras 4 en Rodeo I" beside a release at another prison:
    a part of the round, whose figure is their sum."""
    prisons = lexicon().finders["prison"].pattern
    mine = _placed(folded, e, hi, prisons)
    if mine is None:
        return False
    for m in NUMBER.finditer(text, lo, hi):
        if m.start() != s and (other := _placed(folded, m.end(), hi, prisons)) is not None and other != mine:
            return True
    if re.search(r"\b(otr[oa]s|another|additional|los restantes|las restantes|the remaining)\s+$", folded[max(lo, s - 15):s]):
        return any(p.group() != mine for p in prisons.finditer(folded, lo, hi))
    return False


def _attributes_back(folded: str, e: int, v: Voice, b: int, w: _Words) -> bool:
    """", Foro Penal said", ", dijo Foro Penal", "confirmed by JEyP" after the number: the speaker
    and its verb close the clause (the verb has no complement of its own: not ", while Foro
    Penal said that 60 …")."""
    gap = folded[e:v.start]
    mark = _last(re.compile(r"[,\u00bb\u201d\"]|\b(por|by)\s*$"), gap)
    if mark is None:
        return False
    # the speaker right after the comma: ", Foro Penal said", ", dijo Romero", ", según el Foro Penal"
    between = _tokens(gap, mark.end(), len(gap))
    if len(between) > 3 or not all(w.speaker_fillers.fullmatch(t.group()) or w.report_verbs.fullmatch(t.group())
                                   or w.according_to.fullmatch(t.group()) for t in between):
        return False
    window = folded[max(e, v.start - 30):v.start]
    verb = _last(w.report_verbs, window)
    if verb is not None and not window[verb.end():].strip(" ,"):
        end = v.end  # ", dijo Foro Penal"
    else:
        at = _tells_after(folded, v, b, w)
        if at is None:
            return False
        word = WORD.match(folded, at)
        end = word.end() if word else at  # ", Foro Penal said"
    closing = re.search(r"[.;\n]", folded[end:b])
    rest = folded[end:end + closing.start()] if closing else folded[end:b]
    # what follows the verb is a time or a place ("on Monday", "in a statement"), not its own
    # clause or its own number ("Foro Penal confirma 75")
    if re.search(r"\d", rest):
        return False
    return not re.search(r"\b(que|that|it|he|she|they|de que)\b", rest) or len(_tokens(rest, 0, len(rest))) <= 3


_OFFICIAL_ACT = re.compile(r"(autoriz|aprob|aprueb|approv|authori|orden|order|otorg|grant|concedi|decret|indult|pardon|"
                           r"anunci|announc)")
_RELATIVE = re.compile(r",\s*(which|who|that|que|quien|quienes|la cual|el cual|los cuales|las cuales)\b")


def _in_an_aside(folded: str, a: int, v: Voice) -> bool:
    """"Foro Penal, which checks each case with lawyers and families, said …": a speaker inside a
    relative clause between commas does not frame the clause's numbers."""
    opened = _last(_RELATIVE, folded[a:v.start])
    return opened is not None and "," not in folded[a + opened.end():v.start]


def _same_stretch(folded: str, a: int, v: Voice, s: int, e: int) -> bool:
    """"según X" frames the number if no comma parts them, or if it opens or closes the clause
    ("Según Foro Penal, 17 …", "… 17 excarcelaciones, según Foro Penal."), not from inside a
    relative clause of another number ("las 897 personas que según Cabello han salido, …")."""
    if v.start > e:
        return "," not in folded[e:v.start] or not re.search(r"\w", folded[v.end:_clause_end(folded, v.end)])
    between = folded[v.end:s]
    if "," not in between:
        return True
    return not re.search(r"\w", folded[a:max(a, v.start - 30)]) or bool(re.match(r"\W*(segun|according to|de acuerdo con)",
                                                                               folded[a:v.start]))


def _clause_end(folded: str, at: int) -> int:
    m = re.search(r"[.;\n,]", folded[at:])
    return at + m.start() if m else len(folded)


def _according(text: str, w: _Words) -> bool:
    """'según', 'according to' right before the speaker (a title or 'the NGO' between)."""
    cue = _last(w.according_to, text)
    if cue is None:
        return False
    between = _tokens(text, cue.end(), len(text))
    return len(between) <= 4 and all(w.speaker_fillers.fullmatch(t.group()) for t in between)


def _tells_after(folded: str, v: Voice, limit: int, w: _Words) -> int | None:
    """Where a verb of saying, counting or announcing follows the speaker within a few words (a
    title, a name, 'que' between), before limit; None if none does (or it is negated: "no explicó")."""
    own = _tokens(folded, v.start, v.end)
    if len(own) > 1 and w.report_verbs.fullmatch(own[-1].group()):
        return own[-1].start()  # the name holds its verb ("Venezuela says", "Venezuela autoriza")
    unknown = 0
    start = v.end
    aside = re.match(r"\s*,[^,.;:]{1,90},", folded[v.end:limit])  # "Foro Penal, backed by videos of reporters, said"
    if aside:
        start = v.end + aside.end()
    for i, t in enumerate(_tokens(folded, start, limit)):
        word = t.group()
        if w.report_verbs.fullmatch(word):
            if w.negation.search(folded[start:t.start()]):
                return None
            return t.start()
        if i >= 12 or re.search(r"[.;:,\d]", folded[start:t.start()]):
            return None
        if word in ("y", "e", "and") and i < 8:
            unknown = 0  # "cuestiona la cifra y solo ha verificado 107": the subject goes on
            continue
        if not w.speaker_fillers.fullmatch(word):
            unknown += 1
            if unknown > 2:
                return None
    return None


def _competing(folded: str, a: int, b: int, s: int, e: int, speaker: Speaker | None, w: _Words,
               pub: date | None, title_end: int) -> str:
    """Why the number may be something else than this round's releases, or ""."""
    clause = folded[a:b]
    # a part: the cue before it ("de ellos, 12", "including 12 women") or right after it ("12 de ellos");
    # "104 excarcelaciones, entre ellas la de Kennedy Tejeda" names some of them: no part
    sub = w.subgroup.search(folded, max(a, s - 25), s) or re.match(r"\s+(de|of)\s+(ellos|ellas|them|los cuales|whom)\b",
                                                                     folded[e:b])
    of_them = re.match(r"\s+(de|of)\s+(ellos|ellas|them)\b", folded[e:b])
    own_release = of_them is not None and _predicate_follows(folded[e + of_them.end():b], 5, w)
    if sub and not own_release and not _of_the_held(folded, e, s, b) and not (
            re.match(r"\s+(de|of)\s+(ellos|ellas|them)\s+" + _WHEN, folded[e:min(b, e + 50)]) and _SPAN.search(folded, a, s)):
        return "a part of the round"  # but "212 … desde el 8 de enero, 9 de ellas este fin de semana" is the round
    home = w.house_arrest.search(folded, a, b)
    if home and not re.search(r"\b(no|sin|not|without|excluding|excluye\w*|except\w*)\b",
                              folded[max(a, home.start() - 40):home.start()]):
        return "house arrest"
    # a count of a country's nationals ("10 Americans freed by Venezuela land in Texas") is theirs,
    # whatever else the clause is about (a swap for migrants, a landing in Texas)
    if not _nationals(folded, e) and (w.not_political.search(clause) or common_prisoners(folded, (a, b), lexicon()) or (
            s >= title_end and common_prisoners(folded, (0, title_end), lexicon()))):
        return "not political prisoners"
    if _foreign(folded, a, b):
        return "another country"
    before = folded[a:s]
    ask = _last(w.demand, before)
    if ask and re.search(r"\b(liber\w*|excarcel\w*|releas\w*|free\w*|salida|amnist\w*|indult\w*)", before[ask.end():]):
        return "a call for releases"
    if w.bound.search(folded[max(a, s - 25):s]):
        return "a bound, not a count"
    if speaker is not None and speaker.kind != OFFICIAL and w.future.search(folded[max(a, s - 40):min(b, e + 60)]):
        return "not done yet"
    if w.earlier.search(clause) or _dated_earlier(clause, pub):
        return "an earlier round"
    if _CONCESSIVE.search(folded, max(a, s - 40), s):
        return "a figure set against, not given"  # "pese al indulto a 110 personas, siguen 333 presos"
    if _after_a_batch(folded, a, s, w):
        return "an earlier round (a batch the main clause follows)"  # "40 leave today, after 39 were freed on Friday"
    if _NOT_WHAT_IT_SAYS.match(folded, e, b):
        return "a part of the round (those who were not)"  # "de los 39 excarcelados, 16 no eran opositores"
    if _AND_OTHERS_AFTER.match(folded, e, b) or (_AND_OTHERS_BEFORE.search(folded, max(a, s - 20), s)
                                                 and _another_number(folded[a:s])):
        return "a part of the round (and others)"  # "5 ejecutivos de Citgo y otros 2 estadounidenses": 7
    own = folded[max(a, s - 30):s] + " " + _own_phrase(folded, e, b)
    if speaker is not None and speaker.kind == INDEPENDENT and w.official_figure.search(own):
        return "the authorities' figure quoted"
    if (speaker is None or speaker.kind != OFFICIAL) and re.search(
            r"\d\s+(de|of|out of)\s+((los|las|the|unos|unas|roughly|about|some|around|nearly|cerca de|"
            r"alrededor de|casi|mas de|more than)\s+)*$", folded[max(a, s - 40):s]):
        return "the whole a part is taken of"  # the 99 of "61 de las 99", the 2,400 of "225 of roughly 2,400"
    if re.match(r"\s+(de|of)\s+(los|las|the|esas|estas|those|these)\s+(salidas|excarcelaciones|liberaciones|releases|"
                r"excarcelad\w*|liberad\w*|freed|released)\s+(verificad|confirmad|registrad|contad|documentad|verified|"
                r"confirmed|recorded|counted|documented)", folded[e:min(b, e + 60)]):
        return "a part of releases already counted"  # "60 de las salidas verificadas ocurrieron el 25"
    # "de las 99 anunciadas, Foro Penal confirma 75", "de 110 indultados solo 50 salieron"
    later = folded[e:hi_of(folded, e)]
    if (speaker is None or speaker.kind != OFFICIAL) and _another_number(later) and (
            re.search(r"(^|[^\w])((de|of|from)\s+(los|las|the)|out of)\s+$", folded[max(a, s - 12):s])
            or (re.search(r"(^|[:,])\s*(de|of)\s+$", folded[a:s])  # fronted: "de 110 indultados solo 50 salieron"
                and re.search(r"\b(solo|apenas|only|just|unicamente|solamente)\b", later))):
        return "the whole a part is taken of"
    since = _SINCE_YEAR.search(clause)
    if since and pub is not None and any(int(y) < pub.year - 1 for y in re.findall(r"(?:19|20)\d\d", since.group())):
        return "a total over years, not a round"
    if _WEEKLY.search(clause):
        return "a line of a weekly balance"
    if s >= title_end and re.search(r"\?", clause):
        return "a question"
    if re.search(r"(^|[^\w])(no|not|ni|y no|rather than|instead of|en vez de|en lugar de|frente a|against)\s+(los\s+|las\s+|the\s+)?$",
                 folded[max(a, s - 20):s]):
        return "a figure set against, not given"  # "431 excarcelaciones verificadas, no 897"
    doubt = _last(lexicon().cues["dispute"], folded[max(a, s - 50):s])
    if doubt is not None and not re.search(r"[,;]|\b(y|e|and|pero|but)\b", folded[max(a, s - 50) + doubt.end():s]):
        return "a figure disputed, not given"  # "questioned the figure of 225", "cuestiona las 116 excarcelaciones"
    if _another_number(folded[e:b]) and re.match(r"[\s\w]{0,30}?\b(came |occurred |took place |ocurrieron |se produjeron |"
                                                r"fueron )?(before|after|antes de|despues de|prior to)\b", folded[e:b]):
        return "a part of a split in time"
    if _sums_to_another(folded, a, b, s, e):
        return "a part of a breakdown"
    return ""


# a concession: what the clause grants is set against its news ("pese al indulto a 110, siguen 333")
_CONCESSIVE = re.compile(r"\b(pese a|pese al|a pesar de|a pesar del|despite|in spite of)\s+[^,;:.\d]{0,30}$")
# a subordinate clause set before the main one: its count is an earlier batch
_AFTER_CLAUSE = re.compile(r"\b(after|following|tras|despues de que|luego de que)\s+(?:[^\W\d][\w-]*\s+){0,3}$")
_HELD_WORDS = re.compile(r"\b(behind bars|tras las rejas|in (jail|prison|custody|detention)|en (prision|la carcel|las carceles)|"
                         r"presos|jailed|imprisoned|encarcelad\w*|detenid\w*|remain\w*|siguen|quedan|still held)\b")


def _held_before(folded: str, at: int) -> bool:
    """The count just before `at` in its sentence is of people held ("108 presos políticos; … la cifra")."""
    lo = max(folded.rfind(".", 0, at), folded.rfind("\n", 0, at), at - 160, 0)
    last = None
    for last in NUMBER.finditer(folded, lo, at):
        pass
    return last is not None and bool(_HELD_WORDS.search(folded, last.end(), min(at, last.end() + 40)))


def _of_the_held(folded: str, e: int, s: int, b: int) -> bool:
    """"keeping around 270 activists behind bars …, it would free 80 of them": a count "of them" whose
    them are people held is the round (who go free of those held), not a part of another release."""
    if not re.match(r"\s+(de|of)\s+(ellos|ellas|them)\b", folded[e:b]):
        return False
    last = None
    for last in NUMBER.finditer(folded, max(0, s - 250), s):
        pass
    return last is not None and bool(_HELD_WORDS.search(folded, last.end(), min(s, last.end() + 40)))


def _nationals(folded: str, e: int) -> bool:
    """The number counts a foreign country's nationals: "10 Americans", "5 ciudadanos españoles"."""
    demonyms = lexicon().demonyms
    head = [t.group() for t in WORD.finditer(folded, e, min(len(folded), e + 40))][:2]
    return any(t in demonyms or t.rstrip("s") in demonyms or t.removesuffix("es") in demonyms for t in head)


def _after_a_batch(folded: str, a: int, s: int, w: _Words) -> bool:
    """"said 40 activists were leaving prison on Saturday, after 39 were released on Friday": the
    count of a clause set after another batch told released in the same sentence is the earlier
    batch (not "the count passes 600 after 23 freed on Thursday": 600 is a running count)."""
    cue = _AFTER_CLAUSE.search(folded, max(a, s - 40), s)
    if cue is None:
        return False
    last = None
    for last in NUMBER.finditer(folded, a, cue.start()):
        pass
    if last is None:
        return False
    told = folded[last.end():cue.start()]
    running = _SPAN.search(told) or lexicon().cues["cumulative"].search(folded, a, cue.start())
    return bool(w.release_predicates.search(told) or w.release_inverted.search(told)) and not running


# "16 no eran opositores", "10 were not political prisoners": those who were not something
_NOT_WHAT_IT_SAYS = re.compile(r"(?:\s+[^\W\d][\w-]*){0,2}?\s+(no|not)\s+(eran|son|era|es|fueron|were|are|was|is)\b")
# one count of a pair, "N X y (de) otros M Y": the two add up to the round
_AND_OTHERS_AFTER = re.compile(r"[^\d;:.]{0,50}?\s(y|e|and)\s+((de|a|a los|a las)\s+)?(otr[oa]s|other|another)\s+\d")
_AND_OTHERS_BEFORE = re.compile(r"\s(y|e|and)\s+((de|a|a los|a las)\s+)?(otr[oa]s|other|another)\s+$")


def _sums_to_another(folded: str, a: int, b: int, s: int, e: int) -> bool:
    """"21 presos, 8 estadounidenses y 13 venezolanos": a number that, with its neighbours after
    a larger one, adds up to it is a part of the larger one."""
    nums = [(m.start(), v) for m in NUMBER.finditer(folded, a, b)
            if (v := _value(m.group())) is not None and not 1900 <= v <= 2100]
    mine = next((i for i, (at, _v) in enumerate(nums) if at == s), None)
    if mine is None:
        return False
    for i in range(mine):
        whole = nums[i][1]
        for j in range(i + 2, len(nums) + 1):
            parts = nums[i + 1:j]
            if any(at == s for at, _v in parts) and len(parts) >= 2 and sum(v for _a, v in parts) == whole:
                return True
    return False


def _value(token: str) -> int | None:
    try:
        v = parse_number(token)
    except ValueError:
        return None
    return v if isinstance(v, int) else None


def _own_phrase(folded: str, e: int, b: int) -> str:
    """The words after a number up to its clause's next joint: its noun phrase and what is said of it
    (not the whole it is a part of: "52 excarcelaciones de las 99 que anunció el gobierno")."""
    m = re.search(r"[,;:]|\s(y|e|and|pero|but|mientras|while)\s|\s(de|of|out of)\s+((los|las|the)\s+)?\d", folded[e:b])
    return folded[e:e + m.start()] if m else folded[e:b]


def _foreign(folded: str, a: int, b: int) -> bool:
    lex = lexicon()
    if not lex.finders["country"].pattern.search(folded, a, b):
        return False
    return not lex.cues["venezuela"].search(folded, a, b) and not lex.finders["prison"].pattern.search(folded, a, b)


def _dated_earlier(clause: str, pub: date | None) -> bool:
    """A day, month or year in the clause well before the item's own date (not the start of a
    running count: "desde el 8 de enero", nor a detention: "detenidos en 2024")."""
    if pub is None or _SPAN.search(clause):
        return False  # a date in a running count's clause is its start ("since 8 January"), not a round
    for m in re.finditer(r"(?:(\d{1,2})\s+(?:de\s+)?)?" + _MONTH + r"(?:\s+(?:de\s+|of\s+)?((?:19|20)\d\d))?"
                         r"|\b((?:19|20)\d\d)\b|\b(navidad|christmas)\b", clause):
        lead = clause[max(0, m.start() - 30):m.start()]
        if re.search(r"\b(desde|since|entre|between|from|hasta|until|al|to|as of)\s+(el\s+|the\s+|la\s+)?$", lead):
            continue
        # the date of an arrest, a protest or an election describes the people, not their release
        if re.search(r"\b(detenid\w*|arrest\w*|captur\w*|encarcel\w*|jailed|detained|held|presos?|protest\w*|elecci\w*|"
                     r"election\w*|comicios|vote|votacion|presidenciales|manifestaci\w*|demonstration\w*)\b",
                     clause[max(0, m.start() - 60):m.start()]):
            continue
        if m.group(5):  # Christmas: 25 December of the item's year or the one before
            when = date(pub.year, 12, 25)
            if when > pub:
                when = date(pub.year - 1, 12, 25)
            if (pub - when).days > _EARLY:
                return True
            continue
        year = int(m.group(3) or m.group(4) or pub.year)
        month = _MONTHS.get(m.group(2) or "", 0)
        if not month:
            if year < pub.year:
                return True
            continue
        day = int(m.group(1)) if m.group(1) else 28
        try:
            when = date(year, month, min(day, 28))
        except ValueError:
            continue
        if when > pub:  # "diciembre" read in a January item is last December
            when = date(year - 1, month, min(day, 28))
        if (pub - when).days > _EARLY:
            return True
    return False
