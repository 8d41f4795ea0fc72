"""Translations and locale formatting: gettext catalogs in bot/locale/<lang>/LC_MESSAGES/messages.po,
read with Babel, plus numbers and dates in the reader's locale ("1.194" in Spanish, "1,194" in
English). Message ids are stable keys; every key must exist in every language (a test checks).

Reasons (why a feed was refused or failed, "reason.*" ids) are made in English, the words logs
and the database keep, and read back into a reader's language where a chat shows them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGS = ("es", "en")
DEFAULT_LANG = "es"


@cache
def catalog(lang: str) -> dict[str, str]:
    path = resources.files("bot") / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in cat if m.id and m.string}


def t(lang: str, key: str, **values: Any) -> str:
    """The message `key` in `lang`, with {placeholders} filled in. Unknown keys raise KeyError."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    text = catalog(lang)[key]
    return text.format(**values) if values else text


REASON_LANG = "en"  # the language reasons are logged and stored in
_FIELD = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")


def because(key: str, **values: Any) -> str:
    """Why something failed, in the words logs and the database keep (English); a chat shows it in
    its reader's language with reason_in."""
    return t(REASON_LANG, key, **values)


@cache
def _reasons() -> list[tuple[re.Pattern[str], str]]:
    """Each reason's English text as a pattern capturing its values, the longest first (the most
    specific wins: 'the request failed (…)' before a pattern that is all placeholder)."""
    out = []
    for key, text in catalog(REASON_LANG).items():
        if not key.startswith("reason."):
            continue
        parts, last = [], 0
        for m in _FIELD.finditer(text):
            parts += [re.escape(text[last:m.start()]), f"(?P<{m.group(1)}>.+?)"]
            last = m.end()
        parts.append(re.escape(text[last:]))
        out.append((re.compile("".join(parts), re.DOTALL), key))
    return sorted(out, key=lambda p: -len(_FIELD.sub("", catalog(REASON_LANG)[p[1]])))


def reason_in(lang: str, text: str) -> str:
    """A reason made by because() (or stored before there was one) in lang; any other text (a
    platform's own error, say) as it is."""
    if lang == REASON_LANG or not text:
        return text
    found = next(((m, key) for pattern, key in _reasons() if (m := pattern.fullmatch(text))), None)
    if found is None:
        return text
    values = found[0].groupdict()
    # the values are already written as the English text wrote them (quoted, rounded)
    return _FIELD.sub(lambda f: values.get(f.group(1), f.group(0)), t(lang, found[1]))


def notice(lang: str, key: str, values: Mapping[str, object]) -> str:
    """A staff notice in lang, its reason (if it has one) read back into lang too."""
    said = dict(values)
    if isinstance(said.get("reason"), str):
        said["reason"] = reason_in(lang, str(said["reason"]))
    return t(lang, key, **said)


def num(lang: str, value: int | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, locale=lang if lang in LANGS else DEFAULT_LANG)


def day(lang: str, value: datetime | date | None) -> str:
    if value is None:
        return "—"
    return format_date(value, "medium", locale=lang if lang in LANGS else DEFAULT_LANG)


def date_text(lang: str, value: datetime | date | None) -> str:
    """A date as running text writes it: "8 de enero de 2026", "January 8, 2026" (day() is the
    short form for parentheses and tables: "8 ene 2026")."""
    if value is None:
        return "—"
    return format_date(value, "long", locale=lang if lang in LANGS else DEFAULT_LANG)


def moment(lang: str, value: datetime | None) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "medium", tzinfo=value.tzinfo, locale=lang if lang in LANGS else DEFAULT_LANG)
