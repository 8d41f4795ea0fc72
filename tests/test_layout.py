"""The source tree's layering: bench/ and loopback/ (the stand-ins both run against) never import
the test suite, and loopback/ never imports bench/."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(("folder", "forbidden"), [("bench", {"tests"}), ("loopback", {"tests", "bench", "pytest"})])
def test_helpers_do_not_reach_into_the_test_suite(folder, forbidden):
    files = sorted((ROOT / folder).glob("*.py"))
    assert files
    for path in files:
        assert not _imported(path) & forbidden, f"{path.relative_to(ROOT)} imports {sorted(_imported(path) & forbidden)}"


@pytest.mark.parametrize("module", sorted(f"{p.parent.name}.{p.stem}" for folder in ("bench", "loopback")
                                          for p in (ROOT / folder).glob("*.py") if p.stem != "__main__"))
def test_every_helper_module_imports(module):
    """A name moved inside bot/ must not break a bench figure that only a full `python -m bench`
    runs (bench/memory.py once imported plain_text from where it no longer lived)."""
    importlib.import_module(module)
