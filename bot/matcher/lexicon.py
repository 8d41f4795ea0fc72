"""The matcher's language data: cue words (bot/data/lexicon.toml), the gazetteer of prisons,
organisations and countries (bot/data/gazetteer.toml) and the rules' word lists
(bot/data/grammar.toml), each read once.

Reads only its own data files; never the network, the database or a chat.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from .._text import fold, normalize


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
    countries: tuple[Entry, ...]
    finders: dict[str, Finder] = field(default_factory=dict)
    officials: tuple[Entry, ...] = ()
    speakers: tuple[Entry, ...] = ()
    # a foreign government's demonyms ("española", "Spanish"), folded, to the speaker they name:
    # "la cancillería española" is Spain's foreign ministry, not Venezuela's (speakers.py)
    demonyms: dict[str, str] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)  # the same by name: "presidente de EE.UU."


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
    return tomllib.loads((resources.files("bot") / "data" / name).read_text("utf-8"))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex = _read("lexicon.toml")
    gaz = _read("gazetteer.toml")
    cues = {role: alternation(patterns) for role, patterns in lex.items()}
    # could an item be about releases or prisoners at all: one pass over the four lists (most news is not)
    cues["relevant"] = alternation([p for role in ("release", "political", "transfer", "visits") for p in lex[role]])

    def entries(section: str, default_kind: str) -> tuple[Entry, ...]:
        return tuple(
            Entry(name=e["name"], kind=e.get("kind", default_kind),
                  pattern=alternation([_literal(a) for a in [e["name"], *e.get("aliases", [])]]),
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
            for alias in [raw["name"], *raw.get("aliases", [])]:
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
        countries=sections["country"],
        finders=finders,
        officials=sections["official"],
        speakers=sections["speaker"],
        demonyms={_key(d): raw["name"] for raw in gaz.get("speaker", []) for d in raw.get("demonyms", [])},
        country_names={_key(n): raw["name"] for raw in gaz.get("speaker", []) for n in raw.get("country_names", [])},
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
    one_person_roles: tuple[str, ...]
    one_person_words: tuple[str, ...]
    prisoners_plural: tuple[str, ...]
    name_list_cues: tuple[str, ...]
    name_roles: tuple[str, ...]
    not_name: tuple[str, ...]
    spanish_words: frozenset[str]
    english_words: frozenset[str]


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    data = _read("grammar.toml")
    missing = [f.name for f in fields(Grammar) if f.name not in data]
    unknown = sorted(set(data) - {f.name for f in fields(Grammar)})
    if missing or unknown:
        # a data file shipped with the code: a mistake in it is a programming error, found by the tests
        raise ValueError(f"bot/data/grammar.toml: missing {missing}, unknown {unknown}")
    kinds = {"tuple": tuple, "frozenset": frozenset, "dict": dict}
    return Grammar(**{f.name: kinds[str(f.type).split("[")[0]](data[f.name]) for f in fields(Grammar)})


def one_of(words: tuple[str, ...] | frozenset[str]) -> str:
    """An alternation group of the list, in its order, for a pattern built around it."""
    return "(" + "|".join(words) + ")"
