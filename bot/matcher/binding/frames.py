"""Whose frame a number stands in: "según X" in its clause, "X dijo/verificó … N", "… N, X said", a
title "X: …", a lead "X informó:" for the sentence after it, a next sentence "confirmed by X"; and
which of the item's voices the binding may name at all.

Pure: text in, readings out; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re

from ..._text import NUMBER
from ..cues import Span
from ..lexicon import WORD, behind, lexicon, one_of
from ..speakers import INDEPENDENT, OFFICIAL, Speaker, Voice, subject_names
from .clauses import _last, _tokens, hi_of
from .counts import _predicate_follows
from .lists import _AND, _BY, _G, _GOVERNED, _L, _THE, _THE_SG, _Words, words

# "by JEyP's count", "according to the group's tally": the possessor's figure
_FIGURE_OF_BEFORE = re.compile(r"\b" + one_of(_L.figure_of_before) + r"\s+(the\s+)?$")
_FIGURE_NAMED_BEFORE = re.compile(r"(?:^|[^\w])" + one_of((*_L.figure_of_before, *_G.according_words)) + r"\s+(?:"
                                  + _THE + r"\s+)?(?:\w+\s+)?" + one_of(_L.figure_words) + r"\s+" + one_of(_G.member_of)
                                  + r"\s+(?:" + _THE + r"\s+)?$")
_FIGURE_OF_AFTER = re.compile(r"('s|s')\s+" + one_of(_L.possessed_figures) + r"\b")
# a name after these is the object of another's verb: "respondió a Jorge Rodríguez", "told to the NGO"
_OBJECT_BEFORE = re.compile(r"(\b" + one_of(_L.object_before) + r"|\b\w+(o|io|aron|ieron|a|an|e|en)\s+a)\s+"
                            r"(?:" + _THE_SG + r"\s+)?$")


def _frame(folded: str, a: int, b: int, lo: int, hi: int, s: int, e: int, vs: list[Voice], w: _Words,
           title_end: int, spans: list[Span], si: int) -> tuple[Speaker | None, int | None]:
    """The speaker whose frame the number stands in, and where its verb is: "según X" in its
    clause, else the nearest "X <says|counts|confirms>" before it in its clause, else ", X said"
    after it; a title "X: …", a lead "X informó:" for the sentence after it."""
    here = [v for v in vs if a <= v.start < b and (not v.reference or _holds_verb(folded, v, w))]
    antecedent = _antecedent_says(folded, lo, s, vs)
    if antecedent is not None:
        return antecedent
    those = _pointed_back(folded, lo, a, b, s, e, vs, here, w)
    if those is not None:
        return those, None
    framed = _in_its_clause(folded, a, b, s, e, here, w)
    if framed is not None:
        return framed
    return _around_its_sentence(folded, s, vs, w, title_end, spans, si), None


def _in_its_clause(folded: str, a: int, b: int, s: int, e: int, here: list[Voice],
                   w: _Words) -> tuple[Speaker | None, int | None] | None:
    """The frame the number's own clause gives it (`here`: the voices of the clause), or None when
    the clause gives none."""
    # the authorities' own act is theirs, whoever tells it: "authorities approved the release of
    # another 87 …, rights groups said" (the innermost frame)
    acts = [(v, at) for v in here if v.end <= s and v.speaker.kind == OFFICIAL and not _subordinate(folded, a, v, s)
            and (at := _tells_after(folded, v, s, w)) is not None and _OFFICIAL_ACT.match(folded, at)]
    if acts:
        return acts[-1][0].speaker, acts[-1][1]
    for v in here:
        if _according(behind(folded, a, v.start, 70), w) and _same_stretch(folded, a, v, s, e):
            return v.speaker, None
        if _FIGURE_OF_BEFORE.search(behind(folded, a, v.start, 20)) and _FIGURE_OF_AFTER.match(folded[v.end:v.end + 25]):
            return v.speaker, None
        if _FIGURE_NAMED_BEFORE.search(behind(folded, a, v.start, 50)):
            return v.speaker, None  # "by the count of Foro Penal, …", "según el conteo de Foro Penal"
    # a speaker is the subject of its verb: not the object of another's ("respondió a Jorge Rodríguez,
    # que habló de 400, que solo ha podido verificar 83"), nor inside a relative clause
    before = [(v, at) for v in here if v.end <= s and not _in_an_aside(folded, a, v) and not _subordinate(folded, a, v, s)
              and not _of_another(folded, v, here)
              and not _OBJECT_BEFORE.search(behind(folded, a, v.start, 20))
              and (at := _tells_after(folded, v, s, w)) is not None]
    # ", the White House said" closes the clause whatever voices stand between ("…, as it tries to
    # mend ties with Joe Biden's government, the White House said"): the first voice that does
    told_by = next((v for v in here if v.start >= e and _attributes_back(folded, e, v, b, w)), None)
    if before:
        return _subject_before(folded, a, b, s, e, here, before, told_by, w)
    if told_by is not None:
        return told_by.speaker, None
    return _elided_subject(folded, a, s, here)


# ", saying", ", says", ", asegurando": a verb of saying opening a stretch of the clause without a subject
_ELIDED_SAYS = re.compile(r",\s+" + one_of(_L.elided_subject_says) + r"\b")
_BREAK = re.compile(r"[,;:]")


def _elided_subject(folded: str, a: int, s: int, here: list[Voice]) -> tuple[Speaker | None, int | None] | None:
    """A verb of saying after a comma, its subject left out, before the number: the clause's subject
    says it ("Venezuelan authorities rejected accusations that releases are slow, saying more than 400
    have been freed"; "Caracas denies the process is slow, says 400 freed"). The subject opens the
    clause (a word or two before it at most); a voice after the verb ("…, said Foro Penal") is an
    inverted speaker, not this reading's."""
    says = _last(_ELIDED_SAYS, folded, a, s)
    if says is None or any(says.end() <= v.start < s for v in here):
        return None
    subjects = [v for v in here if v.end <= says.start()]
    subjects += [Voice(m.start(), m.end(), GOVERNMENT) for m in subject_names().finditer(folded, a, says.start())
                 if not _POSSESSIVE.match(folded, m.end())]
    first = min(subjects, key=lambda v: v.start, default=None)
    if first is None or len(_tokens(folded, a, first.start)) > 2 or _BREAK.search(folded, a, first.start):
        return None
    return first.speaker, says.start() + 1


_FUTURE = re.compile(r"\b" + one_of(_L.future_markers) + r"\b", re.IGNORECASE)
_PAUSE_OR_STOP = re.compile(r"[,.;:]")


def promised_by(text: str, folded: str, a: int, s: int, vs: list[Voice], w: _Words) -> Speaker | None:
    """The authorities as the subject of a release still to come or just begun, or of an act only the
    state does (a pardon, a decree, an order), right before the number ("el gobierno de Maduro
    liberará al menos a 36", "Maduro's government is releasing at least 20", "authorities began on
    Saturday to free 225", "Venezuela pardons 110 people"): only their word can tell the whole, so
    the figure is theirs, announced. Read on `text` as written: the future "liberará" folds into
    the subjunctive "liberara"."""
    # the voices, and the country or its capital as the doer ("Caracas pondrá en libertad a 20",
    # "Venezuela is also to free 20"): the government
    doers = [v for v in vs if a <= v.start and v.end <= s and v.speaker.kind == OFFICIAL]
    # (not a possessive nor after a preposition: "Venezuela's opposition alliance", "la oposición de Venezuela")
    doers += [Voice(m.start(), m.end(), GOVERNMENT) for m in subject_names().finditer(folded, a, s)
              if not _POSSESSIVE.match(folded, m.end()) and not _GOVERNED.search(folded, max(a, m.start() - 12), m.start())]
    for v in sorted(doers, key=lambda v: v.end, reverse=True):
        if s - v.end > 70 or _PAUSE_OR_STOP.search(folded, v.end, s):
            continue
        if _in_an_aside(folded, a, v) or _subordinate(folded, a, v, s):
            continue
        if _FUTURE.search(text, v.end, s) and w.release_actions.search(folded, v.end, s):
            return v.speaker
        # an act only the state does, done by it: "Venezuela pardons 110 people", "Caracas indulta a 110"
        if _STATE_ACT.search(folded, v.end, s):
            return v.speaker
    return None


_POSSESSIVE = re.compile(r"'s?\b")
_OFFICIAL_ACT = re.compile(one_of(_L.official_acts))  # matched where a verb starts
_STATE_ACT = re.compile(r"\b" + _OFFICIAL_ACT.pattern)  # searched for


# after a subject, what it told the one reporting: "familiares le confirmaron", "relatives had told it"
_TOLD_TO_REPORTER = re.compile(r"\s+" + one_of(_L.told_to_reporter) + r"\b")
GOVERNMENT = Speaker("Gobierno", OFFICIAL, False)  # the authorities, unnamed


def _subject_before(folded: str, a: int, b: int, s: int, e: int, here: list[Voice], before: list[tuple[Voice, int]],
                    told_by: Voice | None, w: _Words) -> tuple[Speaker | None, int | None]:
    """The nearest speaker before the number whose verb follows it (`before`, with where its verb
    is), unless it is the doer of the release told by another (`told_by` after the number, or a
    reporter before it)."""
    v, at = before[-1]
    if _coordinated_away(folded, at, s, e, b, w) and not any(at < u.start < s for u in here):
        return (told_by.speaker if told_by is not None else None), None
    if _TOLD_TO_REPORTER.match(folded, v.end):
        # "el Comité informó que familiares le confirmaron 59": the subject told it to the one
        # reporting, whose count it is; told to no one named before, nobody's
        reporters = [u for u, _at in before if u.end <= v.start]
        return (reporters[-1].speaker if reporters else None), None
    # "Maduro's government has freed 44 so far, Foro Penal says": the doer of the release is
    # not its speaker when the clause is attributed to another
    # its verb releases, before the number or after it ("had let five opposition figures out of jail")
    # not the release as a noun its verb tells of ("el ministerio informara de la salida de 116")
    act = w.release_actions.search(folded, at, s)
    doer = ((act is not None and not _OF_WORD_END.search(act.group())) or w.release_predicates.search(folded, at, s)
            or (_CAUSATIVE.match(folded, at) and w.release_predicates.search(folded, e, min(b, e + _CAUSED_REACH))))
    if told_by is not None and doer:
        return told_by.speaker, None
    # "the opposition alliance said Maduro's government had let five out of jail": the doer told
    # inside someone's report is not the speaker; the reporter is, if known
    said = _last(w.report_verbs, folded[a:v.start]) if doer and v.speaker.kind == OFFICIAL else None
    if said is not None and _ARTICLE_BEFORE.search(folded, max(a, a + said.start() - 8), a + said.start()):
        said = None  # "un comunicado del servicio penitenciario sostuvo …": a noun, the voice is its author
    if said is not None:
        reporters = [u for u, _at in before if u.end <= a + said.start()]
        return (reporters[-1].speaker if reporters else None), None
    # "Foro Penal y JEyP han verificado 40 y 53 liberaciones, respectivamente": each its own, in order
    own = _respectively(folded, s, at, _joined_chain(folded, here, v))
    if own is not None:
        return own.speaker, at
    # "Foro Penal y la oposición han verificado 600": a subject of two, the first named speaks
    first = [u for u in here if u.end <= v.start and u.speaker.kind == v.speaker.kind
             and _JOINED_SUBJECT.fullmatch(folded, u.end, v.start)]
    return (first[-1].speaker if first else v.speaker), at


_AND_WORD = re.compile(r"\s" + _AND + r"\s")
_COMPLEMENT = re.compile(r"\b" + one_of(_L.complement_openers) + r"\b")


def _coordinated_away(folded: str, at: int, s: int, e: int, b: int, w: _Words) -> bool:
    """Is the number in a clause of its own, joined by "y"/"and" after the speaker's verb and its
    object ("La Constituyente ofreció 80 excarcelaciones y en la jornada solo quedaron libres 36",
    "offered 80 releases and only 36 were freed")? Only when the verb opens no "que"/"that" (what it
    says may hold both) and its own stretch tells no release (", said 20 left Tocorón and 15 were
    freed in Rodeo" is all said). (The caller keeps the reading when a voice stands in the second
    clause: "…, y el Gobierno ha llegado a hablar de más de 400 liberados" is an official's.)"""
    joint = _last(_AND_WORD, folded, at, s)
    if joint is None or _DIGIT.match(folded, joint.start() - 1) or _DIGIT.match(folded, joint.end()):
        return False  # "entre 63 y 75", "20 y 15": a range or a list, one clause
    first = folded[at:joint.start()]
    if _COMPLEMENT.search(first) or w.release_predicates.search(first) or w.release_inverted.search(first):
        return False
    # the second clause's own release, between the "y" and the number (inverted: "y quedaron libres 36"),
    # with no subject's verb of its own ("y con ellas eleva a 41": the same subject counts) nor "y que"
    second = folded[joint.end():s]
    return not (_COMPLEMENT.match(second) or w.report_verbs.search(second)) and bool(
        w.release_predicates.search(second) or _predicate_follows(folded[e:b], 8, w))


def _joined_chain(folded: str, here: list[Voice], v: Voice) -> list[Voice]:
    """The subject `v` ends, with the voices joined before it ("Foro Penal, JEyP y la PUD"), in order."""
    chain = [v]
    for u in reversed([u for u in here if u.end <= v.start]):
        if not _JOINED_SUBJECT.fullmatch(folded, u.end, chain[0].start) and not _LISTED.fullmatch(folded, u.end, chain[0].start):
            break
        chain.insert(0, u)
    return chain


def _respectively(folded: str, s: int, at: int, subjects: list[Voice]) -> Voice | None:
    """With "respectivamente"/"respectively" after the counts, the subject in the number's place."""
    if len(subjects) < 2:
        return None
    end = hi_of(folded, s)
    said = _RESPECTIVELY.search(folded, s, end)
    if said is None:
        return None
    counts = [m.start() for m in NUMBER.finditer(folded, at, said.start())]
    return subjects[counts.index(s)] if len(counts) == len(subjects) and s in counts else None


_RESPECTIVELY = re.compile(r"\b" + one_of(_L.respectively) + r"\b")
_LISTED = re.compile(r"\s*,\s*(?:" + _THE + r"\s+)?")


def _around_its_sentence(folded: str, s: int, vs: list[Voice], w: _Words, title_end: int, spans: list[Span],
                         si: int) -> Speaker | None:
    """A frame from outside the number's clause: the speaker opening the title, the next sentence
    confirming this one, a lead ending in ':' before it."""
    if s < title_end:  # the headline convention "Foro Penal: …", the speaker opening the title
        lead = [v for v in vs if v.start < s and _COLON.match(folded[v.end:v.end + 3])
                and len(_tokens(folded, 0, v.start)) <= 2]
        if lead:
            return lead[-1].speaker
    if si + 1 < len(spans):
        who = _confirmed_after(folded, spans[si + 1], vs, w)
        if who is not None:
            return who
    if si > 0:
        plo, phi = spans[si - 1]
        if folded[plo:phi].rstrip().endswith(":"):
            prev = [v for v in vs if plo <= v.start < phi and _tells_after(folded, v, phi, w) is not None]
            if prev:
                return prev[-1].speaker
    return None


_COLON = re.compile(r"\s*:")
_ARTICLE_BEFORE = re.compile(r"\b" + one_of((*_G.singular_articles, *_G.indefinite_articles)) + r"\s+$")
_JOINED_SUBJECT = re.compile(r"\s*(,\s*)?" + one_of((*_G.and_words, *_L.joined_with)) + r"\s+(?:" + _THE + r"\s+)?")


# a verb that makes its object do the releasing words after it: "had let five … out of jail"; its
# object may carry a long modifier first ("have let more than 100 people arrested after July's
# contested presidential election walk free")
_CAUSED_REACH = 100
_CAUSATIVE = re.compile(r"\s*(" + one_of(_L.have_words) + r"\s+)?" + one_of(_L.causative_verbs) + r"\b")


def _holds_verb(folded: str, v: Voice, w: _Words) -> bool:
    own = _tokens(folded, v.start, v.end)
    return len(own) > 1 and bool(w.report_verbs.fullmatch(own[-1].group()))


# "Thursday's move, confirmed by ...", "La información fue confirmada por ..."
_CONFIRMED_BY = re.compile(r"\W*(" + words().anaphora.pattern + r")\W{0,3}(\w+\s+){0,3}?("
                           + one_of(_L.confirmed_auxiliaries, capture=False) + r"\s+)?"
                           + one_of(_L.confirmed_participles) + r"\s+" + _BY + r"\s+")


def _confirmed_after(folded: str, span: Span, vs: list[Voice], w: _Words) -> Speaker | None:
    """The next sentence confirms this one's release ("Thursday's move, confirmed by human rights
    organizations", "La información fue confirmada por Foro Penal"): its first independent
    speaker after "confirmed by" frames the numbers here that have no frame of their own."""
    lo, hi = span
    m = _CONFIRMED_BY.match(folded[lo:hi])
    if m is None:
        return None
    at = lo + m.end()
    for v in vs:
        if at <= v.start < at + 60 and v.speaker.kind == INDEPENDENT:
            return v.speaker
    return None


_APPOSED = re.compile(r",\s*" + one_of(_G.indefinite_articles) + r"\s+$")  # "La Coalición …, una ONG, …"


_OTHERS = re.compile(r"\b" + one_of(_G.others_words) + r"\s+$")


def _known(folded: str, vs: list[Voice], spans: list[Span], w: _Words) -> list[Voice]:
    """The speakers the binding may name: not "officials" where another country acts in the
    sentence, not "other NGOs", not "una ONG" in apposition to a name the gazetteer does not know ("La Coalición …,
    una ONG, …": that ONG is not the item's other NGO)."""
    out = []
    for v in vs:
        said = folded[v.start:v.end]
        lo, hi = next(((a, b) for a, b in spans if a <= v.start < b), (0, len(folded)))
        if v.speaker.kind == OFFICIAL and w.generic_officials.fullmatch(said) and w.foreign_actors.search(folded, lo, hi):
            continue
        if v.speaker.kind == INDEPENDENT and _OTHERS.search(behind(folded, lo, v.start, 10)):
            continue  # "Otras ONG solo registran 12": not the NGO the item names ("la ONG"), nor a known one
        if not v.speaker.named and v.speaker.kind == INDEPENDENT and _APPOSED.search(behind(folded, lo, v.start, 8)):
            continue
        out.append(v)
    return out


# a comma, a closing quote or "por"/"by" before a speaker after the number
_MARK = re.compile(r"[,\u00bb\u201d\"]|\b" + _BY + r"\s*$")
_DIGIT = re.compile(r"\d")
_CLAUSE_SUBJECT = re.compile(r"\b" + one_of(_L.clause_subjects) + r"\b")


def _attributes_back(folded: str, e: int, v: Voice, b: int, w: _Words) -> bool:
    """", Foro Penal said", ", dijo Foro Penal", "confirmed by JEyP" after the number: the speaker
    and its verb close the clause (the verb has no complement of its own: not ", while Foro
    Penal said that 60 …")."""
    gap = folded[e:v.start]
    mark = _last(_MARK, gap)
    if mark is None:
        return False
    # the speaker right after the comma: ", Foro Penal said", ", dijo Romero", ", según el Foro Penal"
    # (a country's adjective on the title: ", Italian Foreign Minister Antonio Tajani confirmed")
    between = _tokens(gap, mark.end(), len(gap))
    demonyms = lexicon().demonyms
    if len(between) > 3 or not all(w.speaker_fillers.fullmatch(t.group()) or w.report_verbs.fullmatch(t.group())
                                   or w.according_to.fullmatch(t.group()) or t.group() in demonyms for t in between):
        return False
    window = behind(folded, e, v.start, 30)
    verb = _last(w.report_verbs, window)
    if verb is not None and not window[verb.end():].strip(" ,"):
        end = v.end  # ", dijo Foro Penal"
    else:
        at = _tells_after(folded, v, b, w)
        if at is None:
            return False
        word = WORD.match(folded, at)
        end = word.end() if word else at  # ", Foro Penal said"
    # up to the end of the sentence, or a comma: ", Foro Penal said on Sunday, adding that …" ends there
    closing = _REST_END.search(folded[end:b])
    rest = folded[end:end + closing.start()] if closing else folded[end:b]
    # what follows the verb is a time or a place ("on Monday", "in a statement"), not its own
    # clause or its own number ("Foro Penal confirma 75")
    if _DIGIT.search(rest):
        return False
    return not _CLAUSE_SUBJECT.search(rest) or len(_tokens(rest, 0, len(rest))) <= 3


_REST_END = re.compile(r"[.;,\n]")
_OF_WORD_END = re.compile(r"\s" + one_of(_G.of_the_words) + r"$")  # a release noun and its "de"/"of"
_RELATIVE = re.compile(r",\s*" + one_of(_L.aside_relatives) + r"\b")


_SUBORDINATOR = re.compile(r"\b" + one_of(_L.subordinators) + r"\b[^,;:]*$")


def _subordinate(folded: str, a: int, v: Voice, s: int) -> bool:
    """The speaker stands in a subordinate clause set before the main one and closed by a comma
    before the number: "Since the Constituent Assembly said …, 42 people have been released"."""
    return bool(_SUBORDINATOR.search(folded, a, v.start)) and "," in folded[v.end:s]


_OF_THE_NAME = re.compile(r"\s+" + one_of(_G.of_the_words) + r"(?:\s+" + _THE + r")?\s+")


def _of_another(folded: str, v: Voice, here: list[Voice]) -> bool:
    """"la misión de determinación de los hechos de la ONU afirmó": a body named as another's
    (after its "de"/"of") is part of that one's name; the head speaks."""
    return any(u.end <= v.start and _OF_THE_NAME.fullmatch(folded, u.end, v.start) for u in here)


def _in_an_aside(folded: str, a: int, v: Voice) -> bool:
    """"Foro Penal, which checks each case with lawyers and families, said …": a speaker inside a
    relative clause between commas does not frame the clause's numbers."""
    opened = _last(_RELATIVE, folded[a:v.start])
    return opened is not None and "," not in folded[a + opened.end():v.start]


_WORD_CHAR = re.compile(r"\w")
_OPENS_ACCORDING = re.compile(r"\W*" + one_of(_G.according_words))  # "Según Foro Penal, 17 …"


def _same_stretch(folded: str, a: int, v: Voice, s: int, e: int) -> bool:
    """"según X" frames the number if no comma parts them, or if it opens or closes the clause
    ("Según Foro Penal, 17 …", "… 17 excarcelaciones, según Foro Penal."), not from inside a
    relative clause of another number ("las 897 personas que según Cabello han salido, …")."""
    if v.start > e:
        return "," not in folded[e:v.start] or not _WORD_CHAR.search(folded[v.end:_clause_end(folded, v.end)])
    between = folded[v.end:s]
    if "," not in between:
        return True
    return not _WORD_CHAR.search(folded[a:max(a, v.start - 30)]) or bool(_OPENS_ACCORDING.match(folded[a:v.start]))


_CLAUSE_END = re.compile(r"[.;\n,]")


def _clause_end(folded: str, at: int) -> int:
    m = _CLAUSE_END.search(folded[at:])
    return at + m.start() if m else len(folded)


def _according(text: str, w: _Words) -> bool:
    """'según', 'according to' right before the speaker (a title or 'the NGO' between; its verb
    between too, the speaker after it: "según anunció el propio funcionario de Washington")."""
    cue = _last(w.according_to, text)
    if cue is None:
        return False
    between = _tokens(text, cue.end(), len(text))
    if len(between) > 6 or not all(w.speaker_fillers.fullmatch(t.group()) or w.report_verbs.fullmatch(t.group())
                                   for t in between):
        return False
    # with its verb, not inside a relative clause on another noun ("en un proceso que, según anunció
    # Jorge Rodríguez, comenzó …": what it says is the process's start)
    said = any(w.report_verbs.fullmatch(t.group()) and not w.speaker_fillers.fullmatch(t.group()) for t in between)
    return not (said and _OPENS_RELATIVE.search(text, 0, cue.start()))


_OPENS_RELATIVE = re.compile(r"\b" + one_of(_L.aside_relatives) + r"\s*,\s*$")


_ASIDE = re.compile(r"\s*,[^,.;:]{1,90},")
_BREAK_OR_DIGIT = re.compile(r"[.;:,\d]")


def voiced(folded: str, v: Voice, w: _Words) -> bool:
    """The voice says something in the item: its verb of saying follows it in its sentence, or it
    is what "según"/"according to" cites ("the White House said", "según la Cancillería"), not a
    name in passing ("talks with Washington")."""
    end = hi_of(folded, v.end)
    lo = max(0, v.start - 30)
    pause = _last(_PAUSE_OR_STOP, folded, lo, v.start)
    said = _tokens(folded, pause.end() if pause else lo, v.start)[-3:]  # "dijo la Casa Blanca", "said the State Department"
    welcomes = _tokens(folded, v.end, end)[:3]  # "President Joe Biden hailed the releases"
    return _tells_after(folded, v, end, w) is not None or _according(behind(folded, 0, v.start, 70), w) or any(
        w.report_verbs.fullmatch(t.group()) for t in said) or any(_WELCOMES.fullmatch(t.group()) for t in welcomes)


_WELCOMES = re.compile(one_of(_L.welcome_verbs))


def _tells_after(folded: str, v: Voice, limit: int, w: _Words) -> int | None:
    """Where a verb of saying, counting or announcing follows the speaker within a few words (a
    title, a name, 'que' between), before limit; None if none does (or it is negated: "no explicó")."""
    own = _tokens(folded, v.start, v.end)
    if len(own) > 1 and w.report_verbs.fullmatch(own[-1].group()):
        return own[-1].start()  # the name holds its verb ("Venezuela says", "Venezuela autoriza")
    unknown = 0
    start = v.end
    aside = _ASIDE.match(folded[v.end:limit])  # "Foro Penal, backed by videos of reporters, said"
    if aside:
        start = v.end + aside.end()
    for i, t in enumerate(_tokens(folded, start, limit)):
        word = t.group()
        if w.report_verbs.fullmatch(word):
            if w.negation.search(folded[start:t.start()]):
                return None
            return t.start()
        if i >= 12 or _BREAK_OR_DIGIT.search(folded[start:t.start()]):
            return None
        if word in _G.and_words and i < 8:
            unknown = 0  # "cuestiona la cifra y solo ha verificado 107": the subject goes on
            continue
        if not w.speaker_fillers.fullmatch(word):
            unknown += 1
            if unknown > 2:
                return None
    return None


# gapping: "Foro Penal cuenta 139 excarcelados y la PUD 155", "el Gobierno habla de 116 y las ONG de 54":
# a joining word, the second subject, perhaps "de"/"of", then its count (the verb and the noun left out)
_GAP_JOIN = re.compile(r"(?:,\s*|\s+)(?:" + one_of((*_G.and_words, *_L.second_clause), capture=False) + r")\s+(?:"
                       + _THE + r"\s+)?$")
_GAP_TO_COUNT = re.compile(r"\s+(?:" + one_of(_G.of_words, capture=False) + r"\s+)?(?:" + one_of(_L.only_words, capture=False)
                           + r"\s+)?(?:" + one_of(_L.whole_hedges, capture=False) + r"\s+)?$")
_GAP_END = re.compile(r"\s*(?:[.;,)\n]|$)")


def gapped(folded: str, lo: int, s: int, e: int, vs: list[Voice], told: Speaker | None) -> Voice | None:
    """The second subject of a gapped clause, right before the number, whose first clause told a
    count of releases (`told`: its speaker, another): the number is its count of the same."""
    if told is None or not _GAP_END.match(folded, e):
        return None
    v = next((v for v in reversed(vs) if lo <= v.start and v.end <= s), None)
    if v is None or v.speaker == told or not _GAP_TO_COUNT.fullmatch(folded, v.end, s):
        return None
    return v if _GAP_JOIN.search(folded, max(lo, v.start - 20), v.start) else None


# "según esos reportes", "according to those figures": a figure pointed back to by a demonstrative
_ACCORDING_TO_THOSE = re.compile(r"\b" + one_of(_G.according_words, capture=False) + r"\s+" + one_of(_G.demonstratives, capture=False)
                                 + r"\s+" + one_of((*_L.figure_words, *_L.report_nouns), capture=False) + r"\b")


def _pointed_back(folded: str, lo: int, a: int, b: int, s: int, e: int, vs: list[Voice], here: list[Voice],
                  w: _Words) -> Speaker | None:
    """"… varias ONG reportaran más de un centenar; al menos 107 fueron liberadas, según esos reportes":
    the reports pointed back to are those of the last voice before the clause that reported."""
    those = _ACCORDING_TO_THOSE.search(folded, a, hi_of(folded, e))
    if those is None or any(v.start >= those.start() for v in here):
        return None
    told = [v for v in vs if lo <= v.start and v.end <= min(a, those.start())
            and _tells_after(folded, v, hi_of(folded, v.end), w) is not None]
    return told[-1].speaker if told else None


def _antecedent_says(folded: str, lo: int, s: int, vs: list[Voice]) -> tuple[Speaker, int] | None:
    """"… las declaraciones de Delcy Rodríguez, quien aseguró que ya han sido excarceladas 406": the
    one the relative pronoun stands for says what its clause tells (the speaker, where its verb is)."""
    says = _last(_RELATIVE_SAYS, folded, max(lo, s - 120), s)
    if says is None or _DIGIT.search(folded, says.end(), s) or any(says.end() <= v.start < s for v in vs):
        return None
    owner = next((v for v in reversed(vs) if v.end <= says.start() and says.start() - v.end <= 2), None)
    return (owner.speaker, says.end()) if owner is not None else None


# ", quien aseguró que", ", who said": a relative clause whose verb says what follows
_RELATIVE_SAYS = re.compile(r",\s*" + one_of(_L.speaking_relatives, capture=False) + r"\s+(?:\w+\s+){0,2}?"
                            + words().report_verbs.pattern + r"\b")
