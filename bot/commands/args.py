"""The one strict reader of what people type after a command: ids, figures, '/edit' assignments and
'/record' lines. ASCII digits only ('²'.isdigit() is True in Python, int('²') raises) and bounded
(SQLite integers overflow at 2**63). Anything else raises BadArgs, which becomes a usage reply;
never a traceback. Imports nothing from bot.
"""

from __future__ import annotations

import re
import shlex

MAX_ID = 2**31  # event ids, list numbers, revisions: exclusive upper bound
MAX_FIGURE = 10_000_000  # a count of people: exclusive upper bound


class BadArgs(ValueError):
    """What the user typed cannot be read: answer with the command's usage text."""


_DIGITS = re.compile(r"[0-9]{1,10}")
_FIGURE = re.compile(r"[0-9]{1,3}(?:([.,])[0-9]{3}(?:\1[0-9]{3})*)?|[0-9]{1,8}")


def parse_id(text: str) -> int:
    """'12' or '#12' -> 12: an event id or a list number, 1 ≤ n < 2**31."""
    word = text.strip().removeprefix("#")
    if not _DIGITS.fullmatch(word) or not 0 < int(word) < MAX_ID:
        raise BadArgs(text[:40])
    return int(word)


def parse_index(text: str, size: int) -> int:
    """'3' -> 3: a 0-based position in a list of `size` (what a button carries)."""
    if not _DIGITS.fullmatch(text) or int(text) >= size:
        raise BadArgs(text[:40])
    return int(text)


def parse_figure(text: str) -> int:
    """'87', '1194', '1.194' or '1,194' -> a count below ten million."""
    word = text.strip()
    if not _FIGURE.fullmatch(word):
        raise BadArgs(text[:40])
    value = int(re.sub(r"[.,]", "", word))
    if value >= MAX_FIGURE:
        raise BadArgs(text[:40])
    return value


def words(text: str) -> list[str]:
    """Arguments split as a shell would, so '"El Rodeo I"' stays one word; unbalanced quotes split on spaces."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


_ASSIGN = re.compile(r"(announced|confirmed|anunciad[oa]s|confirmad[oa]s)\s*=\s*([0-9][0-9.,]*)", re.I | re.A)


def parse_edit(text: str) -> tuple[int, int | None, int | None]:
    """'12 announced=87 confirmed=33' -> (12, 87, 33). At least one figure; each one strict."""
    first, *rest = text.split(maxsplit=1) or [""]
    event_id = parse_id(first)
    # "announced=87, confirmed=33": a separator after a figure is not part of it
    values = {m.group(1).lower()[:4]: parse_figure(m.group(2).rstrip(".,")) for m in _ASSIGN.finditer(" ".join(rest))}
    announced = values.get("anno", values.get("anun"))
    confirmed = values.get("conf")
    if announced is None and confirmed is None:
        raise BadArgs("numbers")
    return event_id, announced, confirmed


_RECORD = re.compile(
    r"^(announced|confirmed|anunciad[oa]s|confirmad[oa]s)\s+(\S+)\s+"
    r"(?:source|fuente)\s*=\s*(?:\"([^\"]{1,80})\"|(\S{1,80}))\s+(?:event|evento)\s*=\s*(\S+)\s*$", re.I | re.A)


def parse_record(text: str) -> tuple[str, int, str, int]:
    """'confirmed 12 source="Foro Penal" event=3' -> ("confirmed", 12, "Foro Penal", 3)."""
    m = _RECORD.match(text.strip().replace("“", '"').replace("”", '"'))
    if not m:
        raise BadArgs("record")
    role = "announced" if m.group(1).lower().startswith("an") else "confirmed"
    return role, parse_figure(m.group(2)), (m.group(3) or m.group(4)).strip(), parse_id(m.group(5))


_FIX = re.compile(r"(role|value|by)\s*=\s*(?:\"([^\"]{1,80})\"|(\S{1,80}))", re.I | re.A)


def parse_figure_fix(text: str) -> tuple[int, int, str, dict[str, str | int]]:
    """'12 2 ok' | '12 2 not' | '12 2 role=announced value=87 by="Foro Penal"' -> (event, figure,
    action, changes). action: ok | not | fix."""
    parts = text.strip().replace("“", '"').replace("”", '"').split(maxsplit=2)
    if len(parts) < 3:
        raise BadArgs("figure")
    event_id, number, rest = parse_id(parts[0]), parse_id(parts[1]), parts[2].strip()
    if rest.lower() in ("ok", "yes", "si", "sí"):
        return event_id, number, "ok", {}
    if rest.lower() in ("not", "no", "drop", "none"):
        return event_id, number, "not", {}
    changes: dict[str, str | int] = {}
    for m in _FIX.finditer(rest):
        key, value = m.group(1).lower(), (m.group(2) or m.group(3)).strip()
        if key == "role":
            if value.lower() not in ("announced", "confirmed"):
                raise BadArgs(value[:40])
            changes["role"] = value.lower()
        elif key == "value":
            changes["value"] = parse_figure(value)
        else:
            changes["by"] = value
    if not changes or _FIX.sub("", rest).strip():
        raise BadArgs(rest[:40])
    return event_id, number, "fix", changes
