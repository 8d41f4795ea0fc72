"""The word lists of bot/data/binding.toml, and the pattern pieces the binding rules share.

`words()` compiles the lists every rule searches with (release nouns, report verbs, negation …)
once; `_L` holds the lists that each fill one place in one rule's pattern (the comments in
binding.toml say which); `_G` the small words of bot/data/grammar.toml that many rules share.

Pure: reads bot/data once; never touches the network, the database or a chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..lexicon import grammar, load_lists, longest_first, one_of, read_data


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
    eligible: re.Pattern[str]
    negation: re.Pattern[str]
    other_counts: re.Pattern[str]
    official_figure: re.Pattern[str]
    not_political: re.Pattern[str]
    anaphora: re.Pattern[str]
    held_in_venezuela: re.Pattern[str]
    homecoming: re.Pattern[str]
    held_for: re.Pattern[str]
    venezuela_frees: re.Pattern[str]


def _words_of(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + r")(?![\w])")


@lru_cache(maxsize=1)
def words() -> _Words:
    """The binding word lists of bot/data/binding.toml, compiled once."""
    data = read_data("binding.toml")
    names = [f for f in _Words.__dataclass_fields__]
    missing = [n for n in names if n not in data]
    if missing:
        raise ValueError(f"bot/data/binding.toml: missing {missing}")
    return _Words(**{n: _words_of(data[n]) for n in names})


@dataclass(frozen=True)
class _Lists:
    """The lists of bot/data/binding.toml that the patterns below are built around: each fills one
    place in one rule (the comments there say which); what stands around it is the rule's own."""

    clause_openers: tuple[str, ...]
    not_subjects: tuple[str, ...]
    span_words: tuple[str, ...]
    time_units: tuple[str, ...]
    duration_units: tuple[str, ...]
    year_count_heads: tuple[str, ...]
    day_before: tuple[str, ...]
    quantifiers: tuple[str, ...]
    quantified_times: tuple[str, ...]
    quantified_from: tuple[str, ...]
    quantified_day_before: tuple[str, ...]
    quantified_day_parts: tuple[str, ...]
    whole_hedges: tuple[str, ...]
    arrested_auxiliaries: tuple[str, ...]
    arrested_participles: tuple[str, ...]
    most_of_them: tuple[str, ...]
    apposition: tuple[str, ...]
    apposition_end: tuple[str, ...]
    subordinators: tuple[str, ...]
    predicative_markers: tuple[str, ...]
    future_markers: tuple[str, ...]
    welcome_verbs: tuple[str, ...]
    halted: tuple[str, ...]
    going_out: tuple[str, ...]
    asked_if: tuple[str, ...]
    infinitive_endings: tuple[str, ...]
    still_words: tuple[str, ...]
    out_of: tuple[str, ...]
    held_since: tuple[str, ...]
    excluded_from: tuple[str, ...]
    law_before: tuple[str, ...]
    law_after: tuple[str, ...]
    hoped_for: tuple[str, ...]
    under_words: tuple[str, ...]
    rumour_conditionals: tuple[str, ...]
    subject_pronouns: tuple[str, ...]
    reported_openers: tuple[str, ...]
    others_after_number: tuple[str, ...]
    name_particles: tuple[str, ...]
    besides_words: tuple[str, ...]
    respectively: tuple[str, ...]
    range_openers: tuple[str, ...]
    second_clause: tuple[str, ...]
    report_nouns: tuple[str, ...]
    speaking_relatives: tuple[str, ...]
    dated_openings: tuple[str, ...]
    swap_for: tuple[str, ...]
    left_prison: tuple[str, ...]
    numbered_prisons: tuple[str, ...]
    group_nouns: tuple[str, ...]
    when_words: tuple[str, ...]
    held_nouns: tuple[str, ...]
    held_relatives: tuple[str, ...]
    as_of: tuple[str, ...]
    dado_por: tuple[str, ...]
    joined_before: tuple[str, ...]
    object_markers: tuple[str, ...]
    figure_of_before: tuple[str, ...]
    possessed_figures: tuple[str, ...]
    object_before: tuple[str, ...]
    joined_with: tuple[str, ...]
    have_words: tuple[str, ...]
    causative_verbs: tuple[str, ...]
    confirmed_auxiliaries: tuple[str, ...]
    confirmed_participles: tuple[str, ...]
    figure_relatives: tuple[str, ...]
    complement_openers: tuple[str, ...]
    que_conjunctions: tuple[str, ...]
    contact_clause_verbs: tuple[str, ...]
    governing: tuple[str, ...]
    figure_hedges: tuple[str, ...]
    officials_participles_es: tuple[str, ...]
    officials_participles_en: tuple[str, ...]
    officials_adjectives: tuple[str, ...]
    officials_before: tuple[str, ...]
    irregular_participles: tuple[str, ...]
    counted_stems: tuple[str, ...]
    done_stems: tuple[str, ...]
    official_acts: tuple[str, ...]
    aside_relatives: tuple[str, ...]
    clause_subjects: tuple[str, ...]
    place_nouns: tuple[str, ...]
    place_nouns_before: tuple[str, ...]
    others_before: tuple[str, ...]
    of_which: tuple[str, ...]
    excluding: tuple[str, ...]
    demanded: tuple[str, ...]
    still_held_predicates: tuple[str, ...]
    release_terms_before: tuple[str, ...]
    release_terms: tuple[str, ...]
    including: tuple[str, ...]
    multipliers: tuple[str, ...]
    vague_before: tuple[str, ...]
    political_part_openers: tuple[str, ...]
    political_words: tuple[str, ...]
    told_to_them: tuple[str, ...]
    told_to_reporter: tuple[str, ...]
    elided_subject_says: tuple[str, ...]
    law_beneficiaries: tuple[str, ...]
    beneficiary_prisoners: tuple[str, ...]
    pardon_before: tuple[str, ...]
    predicated_of_releases: tuple[str, ...]
    freed_people: tuple[str, ...]
    counted_releases: tuple[str, ...]
    counted_participles: tuple[str, ...]
    whole_before: tuple[str, ...]
    only_words: tuple[str, ...]
    happened: tuple[str, ...]
    before_after: tuple[str, ...]
    during: tuple[str, ...]
    concessive: tuple[str, ...]
    after_clause: tuple[str, ...]
    contact_breakers: tuple[str, ...]
    held_words: tuple[str, ...]
    not_words: tuple[str, ...]
    copulas: tuple[str, ...]
    being: tuple[str, ...]
    but_words: tuple[str, ...]
    while_words: tuple[str, ...]
    as_words: tuple[str, ...]
    until_words: tuple[str, ...]
    christmas: tuple[str, ...]
    dated_people: tuple[str, ...]
    the_year: tuple[str, ...]
    weekly: tuple[str, ...]
    placed_after: tuple[str, ...]
    figure_put_verbs: tuple[str, ...]
    time_relatives: tuple[str, ...]
    composition: tuple[str, ...]
    figure_words: tuple[str, ...]
    promised_before: tuple[str, ...]
    obtained_release: tuple[str, ...]
    clitics: tuple[str, ...]
    earlier_figure: tuple[str, ...]
    dated_processes: tuple[str, ...]
    homecoming_to: tuple[str, ...]
    day_nouns: tuple[str, ...]
    hedges: tuple[str, ...]
    figure_put_at: tuple[str, ...]
    not_heads: frozenset[str]


_L = load_lists(_Lists, "binding.toml", others=_Words.__dataclass_fields__)
_G = grammar()  # the small words many rules share (bot/data/grammar.toml)
_OF, _PART_OF, _AND, _BY = one_of(_G.of_words), one_of(_G.part_of), one_of(_G.and_words), one_of(_G.by_words)
_THE, _THE_PL, _THE_SG = one_of(_G.definite_articles), one_of(_G.plural_articles), one_of(_G.singular_articles)
_THEM = one_of(_G.them_words)

_MONTHS = _G.months
_MONTH = r"\b" + one_of(longest_first(_MONTHS)) + r"\b"


_SPAN = re.compile(r"\b" + one_of(_L.span_words) + r"\b")
# a preposition (and an article) right before a name: the object of a verb or a noun's complement, no
# subject ("respondió a Jorge Rodríguez", "la oposición de Venezuela")
_GOVERNED = re.compile(r"\b" + one_of(_L.governing) + r"\s+(?:" + _THE + r"\s+)?$")


# a time that makes a count the round's ("9 de ellas este fin de semana", "hasta ahora")
_WHEN = ("(" + one_of(_G.this_day_before) + " " + one_of((*_G.weekdays, *_G.day_parts)) + "|"
         + "|".join(_L.when_words) + ")")
