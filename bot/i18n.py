"""Translations and locale formatting: gettext catalogs in bot/locale/<lang>/LC_MESSAGES/messages.po,
read with Babel, plus numbers and dates in the reader's locale ("1.194" in Spanish, "1,194" in
English). Message ids are stable keys; every key must exist in every language (a test checks).
"""

from __future__ import annotations

from datetime import datetime
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


def num(lang: str, value: int | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, locale=lang if lang in LANGS else DEFAULT_LANG)


def day(lang: str, value: datetime | None) -> str:
    if value is None:
        return "—"
    return format_date(value, "medium", locale=lang if lang in LANGS else DEFAULT_LANG)


def moment(lang: str, value: datetime | None) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "medium", tzinfo=value.tzinfo, locale=lang if lang in LANGS else DEFAULT_LANG)
