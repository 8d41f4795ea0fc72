"""What a feed's text becomes before anything reads it: visible text only (no markup, no script),
without control, bidirectional-override, zero-width or private-use characters, and character
references that name no character made harmless before the parser sees them.

Pure string functions; never fetches, parses feeds or stores anything.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser


class _TextOnly(HTMLParser):
    _BREAKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "blockquote"}
    _SKIP = {"script", "style", "iframe", "object", "noscript", "template", "applet"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


# A plain tag: a name and attributes written name="value" (no markup inside), nothing else.
_PLAIN_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*"[^"<>]*")?)*\s*/?>')
# elements whose content HTMLParser reads its own way (raw text), or that _TextOnly skips
_NOT_PLAIN = _TextOnly._SKIP | {"title", "textarea", "xmp", "plaintext", "noembed", "noframes"}


def _simple_markup(html: str) -> str | None:
    """What _TextOnly makes of markup made only of plain tags (most summaries: "<p>…</p>"),
    without running the parser; None for anything else (comments, declarations, script, a stray
    "<", quotes of another kind), which the parser reads. Text between two tags is unescaped on
    its own, as the parser does."""
    parts: list[str] = []
    pos = 0
    for m in _PLAIN_TAG.finditer(html):
        text = html[pos:m.start()]
        tag = m.group(2).lower()
        if "<" in text or tag in _NOT_PLAIN:
            return None
        parts.append(unescape(text) if "&" in text else text)
        if tag in _TextOnly._BREAKS:
            parts.append("\n")
        pos = m.end()
    tail = html[pos:]
    if "<" in tail:
        return None
    parts.append(unescape(tail) if "&" in tail else tail)
    return "".join(parts)


def plain_text(html: str, limit: int) -> str:
    """Visible text of an HTML fragment, whitespace tidied, invisible and control characters
    removed, at most limit characters."""
    if "<" in html or "&" in html:
        html = html[: limit * 4]
        simple = _simple_markup(html)
        if simple is not None:
            html = simple
        else:
            parser = _TextOnly()
            try:
                parser.feed(html)
                parser.close()
                html = "".join(parser.parts)
            except Exception:  # HTMLParser is lenient; this is belt and braces
                html = re.sub(r"<[^>]*>", " ", html)
    lines = [_clean_line(line) for line in html.splitlines()]
    text = "\n".join(line for line in lines if line)
    return text[:limit]


# Characters a feed may carry that no reader should get: C0/C1 controls (NUL among them), format
# characters (bidirectional overrides that reverse how a number reads, zero-width spaces and
# joiners that hide words from the matcher), lone surrogates, private-use and unassigned code
# points. Line breaks and tabs stay.
_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))


def clean_line(text: str, limit: int) -> str:
    """One line of text typed or sent by someone outside (a feed's name, a source staff typed, a
    name in an OPML file): markup and invisible characters gone, whitespace tidied, at most limit."""
    return " ".join(plain_text(text, limit * 2).split())[:limit]


def _clean_line(line: str) -> str:
    # whitespace first (split() also takes no-break and other spaces): what is left unprintable is
    # invisible, and rare enough to be looked at character by character
    line = " ".join(line.split())
    return line if line.isprintable() else " ".join(strip_controls(line).split())


def strip_controls(text: str) -> str:
    """text without control, format, surrogate, private-use or unassigned characters."""
    if text.isprintable():  # the usual case, checked in C: nothing to strip
        return text
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in _INVISIBLE)


# A numeric character reference: feedparser turns "&#xD800;" into a lone surrogate (which nothing
# downstream can encode) and raises on "&#x110000;", failing the whole feed for one title.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_PAIR = re.compile(rb"&#(?:[xX]0*[dD][89abAB][0-9a-fA-F]{2}|0*55[2-9][0-9]{2}|0*56[0-2][0-9]{2});"
                   rb"&#(?:[xX]0*[dD][c-fC-F][0-9a-fA-F]{2}|0*56[3-9][0-9]{2}|0*57[0-3][0-9]{2});")


def _ref_value(ref: bytes) -> int:
    m = _CHAR_REF.fullmatch(ref)
    assert m is not None
    return int(m.group(1), 16) if m.group(1) else int(m.group(2))


def safe_char_refs(body: bytes) -> bytes:
    """Character references that name no character become U+FFFD; a surrogate pair written as two
    references (an emoji, the way some CMSs write it) becomes the character it stands for."""
    if b"&#" not in body:
        return body

    def pair(m: re.Match[bytes]) -> bytes:
        first, second = _CHAR_REF.findall(m.group())
        hi = int(first[0], 16) if first[0] else int(first[1])
        lo = int(second[0], 16) if second[0] else int(second[1])
        return b"&#x%X;" % (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))

    def single(m: re.Match[bytes]) -> bytes:
        value = _ref_value(m.group())
        if value == 0 or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            return b"&#xFFFD;"
        return m.group()

    return _CHAR_REF.sub(single, _PAIR.sub(pair, body))
