"""The matcher's language data: cue words (bot/data/lexicon.toml), the gazetteer of prisons,
organisations and countries (bot/data/gazetteer.toml) and the rules' word lists
(bot/data/grammar.toml, bot/data/binding.toml), each read once.

The rules' patterns are built from these lists when their modules are imported: the words are
data, what stands around them (anchors, spacing, the groups a rule reads) is the rule's code.

Reads only its own data files; never the network, the database or a chat.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from babel import Locale

from .._text import fold, normalize

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass(frozen=True)
class Entry:
    """One gazetteer entry: its display name, its kind and a pattern for all its aliases."""

    name: str
    kind: str
    pattern: re.Pattern[str]
    short: str = ""  # the name alerts give as a source, when shorter than `name` ("OVP")
    body: str = ""  # officials: the body they speak for ("Fiscalía")


class Finder(NamedTuple):
    """One pass over the text per gazetteer section: every alias in one alternation, and which
    entry each alias (folded, single-spaced) names."""

    pattern: re.Pattern[str]
    by_alias: dict[str, Entry]
    shared: dict[str, tuple[Entry, ...]] = {}  # a surname several officials share ("rodriguez")


@dataclass(frozen=True)
class Lexicon:
    cues: dict[str, re.Pattern[str]]
    prisons: tuple[Entry, ...]
    orgs: tuple[Entry, ...]
    finders: dict[str, Finder] = field(default_factory=dict)
    officials: tuple[Entry, ...] = ()
    speakers: tuple[Entry, ...] = ()
    # a foreign government's demonyms ("española", "Spanish"), folded, to the speaker they name:
    # "la cancillería española" is Spain's foreign ministry, not Venezuela's (speakers.py)
    demonyms: dict[str, str] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)  # the same by name: "presidente de EE.UU."
    # a place that is a speaker when it is the subject of a verb of saying ("Caracas sostiene que …")
    subject_names: dict[str, str] = field(default_factory=dict)
    # words for whichever of the entries that have such words the item names ("la alianza opositora":
    # the MUD or the PUD), folded, to the entry they stand for alone
    generic: dict[str, str] = field(default_factory=dict)


def alternation(patterns: list[str]) -> re.Pattern[str]:
    """One pattern matching any of `patterns` as whole words."""
    # longest first so "rodeo ii" wins over "rodeo i"
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(f"(?:{p})" for p in ordered) + r")(?![\w])")


def _key(alias: str) -> str:
    return " ".join(fold(normalize(alias)).split())


def _literal(alias: str) -> str:
    return re.escape(fold(normalize(alias))).replace(r"\ ", r"\s+")


def _trie(keys: list[str]) -> str:
    """One pattern for many names (folded, single-spaced), as a trie: a long alternation of
    literals is slow to scan, a trie is not. A space matches any run of spaces; at each letter the
    longer names are tried first, as the longest-first alternation did."""
    root: dict = {}
    for key in keys:
        node = root
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + walk(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return walk(root)


def _read(name: str) -> dict:
    """One data file of bot/data, parsed. Every reader of the data comes through here (a test that
    adds a word to a list replaces this function, then clears the caches)."""
    return tomllib.loads((resources.files("bot") / "data" / name).read_text("utf-8"))


def read_data(name: str) -> dict:
    """bot/data/`name`, parsed, for a reader in another module (binding's compiled lists)."""
    return _read(name)


def _names(entry: dict) -> list[str]:
    """A gazetteer entry's names: its own, its aliases, its generic words."""
    return [entry["name"], *entry.get("aliases", []), *entry.get("generic", [])]


def _countries(gaz: dict) -> set[str]:
    """The folded names of every country but Venezuela: Babel's territory names in Spanish and
    English (not its regions, numbered, nor the "&" forms) and the gazetteer's countries."""
    names = {name for lang in ("es", "en") for code, name in Locale(lang).territories.items()
             if code.isalpha() and code != "VE" and "&" not in name}
    names |= {alias for e in gaz.get("country", []) for alias in _names(e)}
    return {_key(n) for n in names}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex = _read("lexicon.toml")
    gaz = _read("gazetteer.toml")
    cues = {role: alternation(patterns) for role, patterns in lex.items()}
    # month names are one table, with their numbers, in grammar.toml: a number beside one is a date
    cues["month"] = alternation(list(grammar().months))
    # could an item be about releases or prisoners at all: one pass over the four lists (most news is not)
    cues["relevant"] = alternation([p for role in ("release", "political", "transfer", "visits") for p in lex[role]])
    # every country of the world by its name in either language (Babel's territory names) and the
    # gazetteer's countries, Venezuela excepted: where else an item may place itself
    cues["abroad"] = re.compile(r"(?<![\w])(?:" + _trie(sorted(_countries(gaz))) + r")(?![\w])")

    def entries(section: str, default_kind: str) -> tuple[Entry, ...]:
        return tuple(
            Entry(name=e["name"], kind=e.get("kind", default_kind),
                  pattern=alternation([_literal(a) for a in _names(e)]),
                  short=e.get("short", ""), body=e.get("body", ""))
            for e in gaz.get(section, []))

    sections: dict[str, tuple[Entry, ...]] = {}
    finders = {}
    kinds = (("prison", "prison"), ("org", "ngo"), ("country", "country"), ("official", "official"),
             ("speaker", "independent"))
    for section, default_kind in kinds:
        sections[section] = entries(section, default_kind)
        by_alias: dict[str, Entry] = {}
        shared: dict[str, list[Entry]] = {}
        for e, raw in zip(sections[section], gaz.get(section, []), strict=True):
            for alias in _names(raw):
                by_alias.setdefault(_key(alias), e)
            for alias in raw.get("shared", []):
                shared.setdefault(_key(alias), []).append(e)
        every = [*by_alias, *(a for a in shared if a not in by_alias)]
        finders[section] = Finder(re.compile(r"(?<![\w])(?:" + _trie(every) + r")(?![\w])"), by_alias,
                                  {a: tuple(es) for a, es in shared.items()})
    return Lexicon(
        cues=cues,
        prisons=sections["prison"],
        orgs=sections["org"],
        finders=finders,
        officials=sections["official"],
        speakers=sections["speaker"],
        demonyms={_key(d): raw["name"] for raw in gaz.get("speaker", []) for d in raw.get("demonyms", [])},
        country_names={_key(n): raw["name"] for raw in gaz.get("speaker", []) for n in raw.get("country_names", [])},
        subject_names={_key(n): raw["name"] for raw in gaz.get("speaker", []) for n in raw.get("subject_names", [])},
        generic={_key(n): raw["name"] for raw in gaz.get("speaker", []) for n in raw.get("generic", [])},
    )


# A word of folded text, as the cue distances count them ("42-page", "o'brien", "us$" are one word).
WORD = re.compile(r"[\w%$]+(?:['-]\w+)*")


def is_word(pattern: re.Pattern[str], token: str) -> bool:
    """Is the whole token one of the pattern's words?"""
    return bool(pattern.fullmatch(token))


@dataclass(frozen=True)
class Grammar:
    """The word lists of bot/data/grammar.toml; the comments there say what each is for."""

    vague_plural: tuple[str, ...]
    thousand_words: tuple[str, ...]
    not_one: tuple[str, ...]
    among_freed: tuple[str, ...]
    not_count_before: tuple[str, ...]
    small_numbers: dict[str, dict[str, int]]  # language -> word -> value
    function_words: frozenset[str]
    articles: frozenset[str]
    participle_nouns: tuple[str, ...]
    detainee_nouns: tuple[str, ...]
    relative: tuple[str, ...]
    companions: tuple[str, ...]
    existential: tuple[str, ...]
    partitive_pronouns: tuple[str, ...]
    breakdown: tuple[str, ...]
    approximately: tuple[str, ...]
    announce_speech: tuple[str, ...]
    subgroup_after: tuple[str, ...]
    one_person_articles: tuple[str, ...]
    named_object_before: tuple[str, ...]
    one_person_roles: tuple[str, ...]
    one_person_words: tuple[str, ...]
    prisoners_plural: tuple[str, ...]
    name_list_cues: tuple[str, ...]
    name_roles: tuple[str, ...]
    not_name: tuple[str, ...]
    spanish_words: frozenset[str]
    english_words: frozenset[str]
    # parts of a count (parts.py)
    part_before: tuple[str, ...]
    partitive_after: tuple[str, ...]
    among_words: tuple[str, ...]
    list_joiners: tuple[str, ...]
    house_arrest_words: tuple[str, ...]
    into_words: tuple[str, ...]
    still_words: tuple[str, ...]
    still_what: tuple[str, ...]
    waiting_words: tuple[str, ...]
    whole_said: tuple[str, ...]
    whole_heads: tuple[str, ...]
    earlier_round: tuple[str, ...]
    joining_earlier: tuple[str, ...]
    weekly_balance: tuple[str, ...]
    authorised_words: tuple[str, ...]
    from_where: tuple[str, ...]
    prison_kinds: tuple[str, ...]
    release_measures: tuple[str, ...]
    figure_words_es: tuple[str, ...]
    official_es: tuple[str, ...]
    official_en: tuple[str, ...]
    figure_words_en: tuple[str, ...]
    possessives: tuple[str, ...]
    official_releases: tuple[str, ...]
    official_adjectives: tuple[str, ...]
    # running totals (running.py)
    year_to_date: tuple[str, ...]
    month_to_date: tuple[str, ...]
    running_forward: tuple[str, ...]
    one_day: tuple[str, ...]
    same_period: tuple[str, ...]
    to_words: tuple[str, ...]
    perfect_auxiliaries: tuple[str, ...]
    perfect_participles: tuple[str, ...]
    # who speaks (speakers.py)
    comparison_words: tuple[str, ...]
    according_words: tuple[str, ...]
    given_by_en: tuple[str, ...]
    given_by_es: tuple[str, ...]
    by_phrases: tuple[str, ...]
    says_after: tuple[str, ...]
    says_before: tuple[str, ...]
    set_against: tuple[str, ...]
    of_the_words: tuple[str, ...]
    country_articles: tuple[str, ...]
    such_as: tuple[str, ...]
    org_words: tuple[str, ...]
    member_of: tuple[str, ...]
    figure_in_name: tuple[str, ...]
    in_view_of: tuple[str, ...]
    official_says: tuple[str, ...]
    # the role of a number (roles.py)
    with_words: tuple[str, ...]
    others_after: frozenset[str]
    review_or_former: tuple[str, ...]
    former_hedges: tuple[str, ...]
    verified_words: tuple[str, ...]
    verified_hedges: tuple[str, ...]
    attributed_by: tuple[str, ...]
    still_held: tuple[str, ...]
    held_after: frozenset[str]
    prisoner_nouns: tuple[str, ...]
    # cue words (cues.py)
    held_participles: tuple[str, ...]
    held_where: tuple[str, ...]
    auxiliaries: tuple[str, ...]
    up_words: tuple[str, ...]
    # releases without a count (numberless.py)
    remain_after: tuple[str, ...]
    aforesaid: tuple[str, ...]
    given_releases: tuple[str, ...]
    # figures (figures.py)
    figure_nouns: tuple[str, ...]
    the_figure_before: tuple[str, ...]
    figure_stems: tuple[str, ...]
    no_doubt: frozenset[str]
    yet_words: tuple[str, ...]
    # the headline (extraction.py)
    running_span: tuple[str, ...]
    batch_words: tuple[str, ...]
    anchor_words: tuple[str, ...]
    # names (entities.py)
    name_particles: tuple[str, ...]
    # numbers (numbers.py)
    range_words: frozenset[str]
    # dates and days
    months: dict[str, int]  # month name -> its number
    weekdays: tuple[str, ...]
    this_day_before: tuple[str, ...]
    day_parts: tuple[str, ...]
    # joiners many rules share
    of_words: tuple[str, ...]
    part_of: tuple[str, ...]
    and_words: tuple[str, ...]
    definite_articles: tuple[str, ...]
    demonstratives: tuple[str, ...]
    plural_articles: tuple[str, ...]
    singular_articles: tuple[str, ...]
    indefinite_articles: tuple[str, ...]
    by_words: tuple[str, ...]
    others_words: tuple[str, ...]
    them_words: tuple[str, ...]
    contrast_words: tuple[str, ...]
    since_words: tuple[str, ...]
    place_words: tuple[str, ...]
    subject_before: tuple[str, ...]


T = TypeVar("T", bound="DataclassInstance")


def load_lists(cls: type[T], name: str, others: Iterable[str] = ()) -> T:
    """The lists of bot/data/`name` as the frozen dataclass `cls`, one field per list (typed
    tuple, frozenset or dict). A list the file lacks, or one no code reads (not a field of `cls`
    nor one of `others`, the lists another reader takes), is an error at start-up: the data file
    ships with the code, so such a mistake is a programming error the tests find."""
    data = _read(name)
    names = {f.name for f in fields(cls)}
    missing = sorted(names - set(data))
    unknown = sorted(set(data) - names - set(others))
    if missing or unknown:
        raise ValueError(f"bot/data/{name}: missing {missing}, unknown {unknown}")
    kinds = {"tuple": tuple, "frozenset": frozenset, "dict": dict}
    return cls(**{f.name: kinds[str(f.type).split("[")[0]](data[f.name]) for f in fields(cls)})


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    return load_lists(Grammar, "grammar.toml")


def words_from(folded: str, lo: int, start: int) -> int:
    """Where a look-back window that would start at `start` (not before lo) starts on a whole word:
    past the end of a word it would cut ("...gobier|no venezolano" holds no negation "no")."""
    start = max(lo, start)
    if start > lo and folded[start - 1:start].isalnum():
        while start < len(folded) and folded[start].isalnum():
            start += 1
    return start


def behind(folded: str, lo: int, at: int, reach: int) -> str:
    """Up to `reach` characters before `at`, not before lo, on whole words (words_from)."""
    return folded[words_from(folded, lo, at - reach):at]


def one_of(words: Iterable[str], capture: bool = True) -> str:
    """An alternation group of the list, in its order, for a pattern built around it: "(a|b)",
    or "(?:a|b)" when the rule reads no group of it."""
    return ("(" if capture else "(?:") + "|".join(words) + ")"


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """The words, longest first, for an alternation where a shorter word must not win ("septiembre"
    before "sep")."""
    return tuple(sorted(words, key=len, reverse=True))
