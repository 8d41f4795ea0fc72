"""Jinja2 for the public page: the templates in bot/web/templates, autoescaped, their words taken
from the gettext catalogs (bot/locale, read by bot.i18n) through Jinja2's i18n extension, the
extension Babel extracts messages from (tests/test_i18n.py checks every id a template asks for).

A catalog text is ours: it is escaped, its {placeholders} become %(name)s, and Jinja2 fills them
with escaped values (Markup % values), so a feed's title reaches the page as text whatever it
holds; only a Markup value (a link built by `link`) is inserted as markup.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from functools import cache, partial
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..alerts import MAX_HREF
from ..i18n import DEFAULT_LANG, LANGS, catalog, date_text, day, num
from ..naming import speaker

CSS = (resources.files("bot.web") / "templates" / "page.css").read_text(encoding="utf-8").replace("\n", "")
CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
_FIELD = re.compile(r"\{(\w+)\}")


def _printf(text: str) -> str:
    """'{confirmed} of {announced}' -> '%(confirmed)s of %(announced)s' (a literal % doubled)."""
    return _FIELD.sub(r"%(\1)s", text.replace("%", "%%"))


def link(label: Any, url: str | None) -> Markup:
    """A link to an http(s) URL, or just the escaped label (bot.alerts.link's rule)."""
    if url and url.startswith(("http://", "https://")) and len(str(escape(url))) <= MAX_HREF:
        return Markup('<a href="{}">{}</a>').format(url, label)
    return Markup("{}").format(label)


def strong(value: Any) -> Markup:
    return Markup("<b>{}</b>").format(value)


@cache
def environment(lang: str) -> Environment:
    """The templates, speaking lang."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    env = Environment(loader=PackageLoader("bot.web", "templates"), autoescape=True, undefined=StrictUndefined,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    words = catalog(lang)

    def gettext(key: str) -> Markup:
        return Markup(escape(_printf(words[key])))  # an unknown id raises: a test walks them all

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        return gettext(singular if n == 1 else plural)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(lang=lang, num=partial(num, lang), day=partial(day, lang), date_text=partial(date_text, lang),
                       who=partial(speaker, lang), link=link, strong=strong, css=Markup(CSS))
    return env


def render(lang: str, template: str, **context: Any) -> str:
    return environment(lang).get_template(template).render(**context)


Href = Callable[[str, dict[str, str]], str]  # (path relative to the site root, query) -> href
