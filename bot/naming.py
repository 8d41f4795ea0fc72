"""Who said a figure, as a reader is told: a speaker's name in the reader's language (the table in
bot/data/speakers.toml: "relatives" -> "familiares", "Gobierno" -> "Government"), and one name for
one speaker throughout a round, so that no alert of a round says "Gobierno (Nicolás Maduro)" and
the next "Gobierno".

Pure; never touches the store, the network or a chat.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from ._text import fold
from .figures import Figure


@cache
def table() -> dict[str, dict[str, Any]]:
    """Folded name -> {lang: name, plural?} from bot/data/speakers.toml."""
    with (resources.files("bot") / "data" / "speakers.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {_key(name): dict(langs) for name, langs in data.get("names", {}).items()}


def _key(name: str) -> str:
    return " ".join(fold(name).split())


def _split(name: str) -> tuple[str, str | None]:
    """'Fiscalía (Tarek William Saab)' -> ('Fiscalía', 'Tarek William Saab'); 'JEyP' -> ('JEyP', None)."""
    if name.endswith(")") and " (" in name:
        body, _, person = name[:-1].partition(" (")
        return body, person
    return name, None


def speaker(lang: str, name: str | None) -> str:
    """A speaker's name in lang: its body translated by the table, a person's name kept."""
    if not name:
        return ""
    body, person = _split(name)
    shown = table().get(_key(body), {}).get(lang, body)
    return f"{shown} ({person})" if person else shown


def plural(name: str | None) -> bool:
    """Does the name take a plural verb ('familiares confirman')?"""
    return bool(name) and bool(table().get(_key(_split(name or "")[0]), {}).get("plural"))


def same_body(name: str) -> str:
    """What names of one body share whatever their language: 'Government' and 'Gobierno' alike."""
    body, _ = _split(name)
    entry = table().get(_key(body))
    return _key(entry["en"]) if entry and "en" in entry else _key(body)


def round_names(figures: Iterable[Figure], extra: Iterable[str | None] = ()) -> dict[str, str]:
    """One name per speaker of a round: each name a figure (or `extra`, say who disputes) gives ->
    the name the round gave that speaker first. A body named without its person ('Gobierno') is
    the same speaker as the one named with it ('Gobierno (Nicolás Maduro)') when the round names
    only one person for that body; two persons of one body stay two speakers."""
    order: list[str] = []
    for f in sorted(enumerate(figures), key=lambda nf: (nf[1].published is None, nf[1].published or 0, nf[0])):
        name = f[1].by
        if name and name not in order:
            order.append(name)
    order += [n for n in extra if n and n not in order]
    persons: dict[str, set[str]] = {}
    for name in order:
        body, person = _split(name)
        persons.setdefault(same_body(name), set())
        if person:
            persons[same_body(name)].add(fold(person))
    chosen: dict[tuple[str, str], str] = {}  # (body, person or '') -> the first name given
    out = {}
    for name in order:
        body_key = same_body(name)
        _, person = _split(name)
        named = persons[body_key]
        # a bare body, or the one person of that body: one speaker
        who = fold(person) if person and len(named) > 1 else ""
        out[name] = chosen.setdefault((body_key, who), name)
    return out


def named(names: Mapping[str, str], lang: str, name: str | None) -> str:
    """A speaker of a round as its readers are told it: the round's one name, in lang."""
    if not name:
        return ""
    return speaker(lang, names.get(name, name))
