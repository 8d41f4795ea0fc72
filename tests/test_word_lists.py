"""The matcher's words are data: a word added to a list of bot/data/*.toml changes what the matcher
reads, and no rule of bot/matcher/ carries Spanish or English words of its own.

The data files are read through bot.matcher.lexicon._read and kept in lru caches (lexicon(),
grammar(), binding.words(), the speakers' caches). Lists read at run time through those caches
(lexicon.toml's cues, binding.toml's compiled lists) are changed here in the running process; the
patterns a module builds when it is imported (most of grammar.toml and binding.toml) are changed
in a fresh interpreter, as a restart would.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.matcher import Extraction, match
from bot.matcher.binding import words

LEX = importlib.import_module("bot.matcher.lexicon")  # the module (bot.matcher.lexicon is also a function's name)
ROOT = Path(__file__).resolve().parent.parent
DATE = "2026-01-20"


def _clear_caches() -> None:
    """Every lru cache of the matcher (data read once, and what is built from it)."""
    for name, module in list(sys.modules.items()):
        if name == "bot.matcher" or name.startswith("bot.matcher."):
            for obj in vars(module).values():
                if callable(getattr(obj, "cache_clear", None)):
                    obj.cache_clear()


@contextmanager
def extra_words(monkeypatch: pytest.MonkeyPatch, file: str, name: str, *added: str) -> Iterator[None]:
    """The matcher as if bot/data/`file` had `added` at the end of its list `name`."""
    real = LEX._read

    def read(data_file: str) -> dict:
        data = real(data_file)
        if data_file == file:
            assert name in data, f"{file} has no list {name}"
            data = {**data, name: [*data[name], *added]}
        return data

    monkeypatch.setattr(LEX, "_read", read)
    _clear_caches()
    try:
        yield
    finally:
        monkeypatch.setattr(LEX, "_read", real)
        _clear_caches()


def _read(title: str) -> Extraction:
    return match(title, "", None, DATE)


def _figures(ex: Extraction) -> list[tuple[str, int, str | None, bool]]:
    return [(f.role.value, f.value, f.by, f.sure) for f in ex.figures]


# -- binding.toml: a release predicate --------------------------------------------------------------

HANDED_OVER = "Foro Penal informó que 17 presos políticos fueron entregados a sus familiares"


def test_a_release_predicate_added_to_binding_toml_binds_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _read(HANDED_OVER)
    patterns = {name: p.pattern for name, p in vars(words()).items()}
    # the lexicon hears a release, but nothing in binding.toml says it of the 17: no sure number
    assert (before.kind, before.released) == ("confirmation", None)
    assert _figures(before) == [("confirmed", 17, "Foro Penal", False)]

    with extra_words(monkeypatch, "binding.toml", "release_predicates", r"entregad[oa]s a sus familiares"):
        after = _read(HANDED_OVER)
        assert (after.kind, after.released, after.confirmed, after.confirmed_by) == ("confirmation", 17, 17, "Foro Penal")
        assert _figures(after) == [("confirmed", 17, "Foro Penal", True)]

    # the real data again, read afresh: the word is gone, the item reads as before
    assert "entregad" not in words().release_predicates.pattern
    assert {name: p.pattern for name, p in vars(words()).items()} == patterns
    assert _read(HANDED_OVER) == before


# -- lexicon.toml: a release cue --------------------------------------------------------------------

SET_FREE = "Foro Penal informó que 17 presos políticos fueron libertados este lunes"


def test_a_release_cue_added_to_lexicon_toml_turns_a_count_held_into_a_release(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _read(SET_FREE)
    cue = LEX.lexicon().cues["release"].pattern
    # "libertados" is no release word of lexicon.toml: 17 political prisoners are a count of those held
    assert (before.kind, before.total_prisoners) == ("tally", 17)

    with extra_words(monkeypatch, "lexicon.toml", "release", r"libertad[oa]s"):
        after = _read(SET_FREE)
        assert (after.kind, after.total_prisoners) == ("confirmation", None)
        assert _figures(after) == [("confirmed", 17, "Foro Penal", False)]  # no predicate of binding.toml binds it

    assert LEX.lexicon().cues["release"].pattern == cue
    assert "libertad[oa]s" not in cue
    assert _read(SET_FREE) == before


# -- grammar.toml: a list a module builds its pattern from when imported -----------------------------

SUBJECT = "Anoche Caracas aseguró que 312 presos políticos fueron excarcelados"

# A fresh interpreter whose bot/data/FILE has WORD at the end of LIST (the file's text is parsed
# with it added), reading one title with the matcher.
_FRESH = """
import json, sys, tomllib
from pathlib import Path
file, name, word, title, date = sys.argv[1:6]
target = (Path(sys.argv[6]) / "bot" / "data" / file).read_text("utf-8")
loads = tomllib.loads
def with_word(text, **kw):
    data = loads(text, **kw)
    if text == target:
        data[name] = [*data[name], word]
    return data
tomllib.loads = with_word
from bot.matcher import match
print(json.dumps(match(title, "", None, date).to_json("x")))
"""


def _fresh(file: str, name: str, word: str, title: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _FRESH, file, name, word, title, DATE, str(ROOT)],
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=120)
    return json.loads(out.stdout)


def _sure_by(out: dict) -> set[str | None]:
    return {f["by"] for f in out["figures"] if f["sure"]}


def test_a_word_added_to_a_grammar_toml_list_changes_the_patterns_built_from_it() -> None:
    # a place is the government speaking only as a subject: after the start, a mark or a word of
    # grammar.toml `subject_before` (speakers.py builds its pattern when imported); "anoche" is not one
    assert "Gobierno" not in {f.by for f in _read(SUBJECT).figures if f.sure}
    assert "Gobierno" in _sure_by(_fresh("grammar.toml", "subject_before", "anoche", SUBJECT))
    # the same interpreter's way with the data as shipped: unchanged
    assert "Gobierno" not in _sure_by(_fresh("grammar.toml", "subject_before", "entonces", SUBJECT))


# -- the lists and the code agree ---------------------------------------------------------------------

@pytest.mark.parametrize("file", ["grammar.toml", "binding.toml"])
def test_a_list_the_code_does_not_read_or_lacks_stops_the_matcher(monkeypatch: pytest.MonkeyPatch, file: str) -> None:
    binding = importlib.import_module("bot.matcher.binding")
    cls, others = (LEX.Grammar, ()) if file == "grammar.toml" else (binding._Lists, binding._Words.__dataclass_fields__)
    real = LEX._read
    monkeypatch.setattr(LEX, "_read", lambda f: {**real(f), "misspelt_list": ["x"]})
    with pytest.raises(ValueError, match="unknown \\['misspelt_list'\\]"):
        LEX.load_lists(cls, file, others)
    first = next(iter(cls.__dataclass_fields__))
    monkeypatch.setattr(LEX, "_read", lambda f: {k: v for k, v in real(f).items() if k != first})
    with pytest.raises(ValueError, match=f"missing \\['{first}'\\]"):
        LEX.load_lists(cls, file, others)


def test_the_month_cue_and_the_month_table_are_one_list() -> None:
    cue = LEX.lexicon().cues["month"]
    months = LEX.grammar().months
    assert all(cue.fullmatch(m) for m in months) and not cue.fullmatch("enerox")
    assert months["setiembre"] == months["sept"] == 9


# -- no words inline --------------------------------------------------------------------------------

# The small words a rule may still spell out (see ARCHITECTURE.md): date forms whose groups are read
# as day, month and year ("desde el 8 de enero", "between Jan. 8 and 10", "since 8 January", "del 10
# al 12 de diciembre", "from Dec. 10 to 14"), "by"/"por" tied to the language of the participle before
# them ("claimed by", "dadas por"), "the" in the English possessive "by the group's count", "(que)
# según", and word endings (participles "-ado", "-ed"; Spanish verbs before a personal "a":
# "respondió a").
GLUE = frozenset({"de", "del", "el", "y", "desde", "entre", "between", "and", "since", "al", "from", "to", "by", "por",
                  "the", "que", "ad", "id", "ed", "io", "aron", "ieron", "an", "en"})
_RE_CALLS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "split", "subn"}


def _words_of(pattern: str) -> set[str]:
    """The words a regular expression spells out: escapes, character classes, group openers and
    counts taken away, runs of two letters or more."""
    for syntax in (r"\\[a-zA-Z]", r"\\.", r"\[[^\]]*\]", r"\(\?(?::|<!|<=|=|!)", r"\{\d*,?\d*\}"):
        pattern = re.sub(syntax, " ", pattern)
    return {w for w in re.findall(r"[A-Za-zÀ-ÿ']+", pattern) if len(w.strip("'")) >= 2}


def _inline_words(path: Path) -> dict[int, set[str]]:
    """Line -> the words of the patterns compiled or searched there, following module-level strings."""
    tree = ast.parse(path.read_text("utf-8"))
    strings: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            strings[node.targets[0].id] = _literals(node.value, {})
    found: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re" and node.func.attr in _RE_CALLS and node.args):
            ws = set().union(*map(_words_of, _literals(node.args[0], strings)))
            if ws:
                found[node.lineno] = ws
    return found


def _literals(node: ast.AST, strings: dict[str, list[str]]) -> list[str]:
    """The string literals of an expression that end up in a pattern (not subscripts: cues["genre"])."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        return strings.get(node.id, [])
    if isinstance(node, ast.Subscript):
        return _literals(node.value, strings)
    if isinstance(node, ast.Call):  # one_of(...), "|".join(...): their lists come from the data
        return []
    return [s for child in ast.iter_child_nodes(node) for s in _literals(child, strings)]


def test_no_spanish_or_english_words_inline_in_matcher_patterns() -> None:
    spelt = {f"{path.relative_to(ROOT)}:{line}": sorted(ws - GLUE)
             for path in sorted((ROOT / "bot" / "matcher").rglob("*.py"))
             for line, ws in _inline_words(path).items() if ws - GLUE}
    assert spelt == {}, "words belong in bot/data/*.toml (a named list), not in a pattern"


def test_the_inline_check_sees_words() -> None:
    assert _words_of(r"\b(behind bars|tras las rejas|in (jail|prison))\s+\d[\d.,]*") == {
        "behind", "bars", "tras", "las", "rejas", "in", "jail", "prison"}
    assert _words_of(r"[^\W\d][\w-]*(?:\s+\w+){0,2}?(?<![\w])") == set()
