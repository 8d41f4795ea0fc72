"""Fuzzing with Hypothesis: whatever the outside world sends, no exception escapes and the output
keeps its contract.

- the matcher (`bot.matcher.match`) on arbitrary Unicode, news-shaped noise and huge inputs;
- `releasewatch match --jsonl` on junk lines: it keeps going, one extraction per JSON object;
- the config parser on random documents: only ConfigError, the one-sentence error, escapes;
- the alert renderer with hostile outlet names, titles and links: every part Telegram receives
  is valid HTML under its parse rules (checked with the emulator's parser) and within 4096.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.alerts import render_event, split_html
from bot.cli import main as cli_main
from bot.config import ConfigError, parse_config
from bot.matcher import KINDS, match
from loopback.tg_emulator import MAX_TEXT, parse_html, utf16_len

ROOT = Path(__file__).resolve().parents[2]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# words and shapes the matcher reacts to, so random input reaches its deeper branches
NEWSY = [
    "presos políticos",
    "excarcelados",
    "excarcelación",
    "liberados",
    "released",
    "political prisoners",
    "Foro Penal",
    "JEyP",
    "Tocorón",
    "El Helicoide",
    "Rodeo I",
    "anunció",
    "confirmó",
    "verificó",
    "gobierno",
    "government",
    "announced",
    "confirmed",
    "amnistía",
    "amnesty",
    "quedan",
    "remain",
    "detenidos",
    "arrested",
    "murió",
    "died",
    "trasladados",
    "transferred",
    "desde el 8 de enero",
    "Total presos políticos:",
    "Excarcelados:",
    "Encarcelados:",
    "ochenta y siete",
    "eighty-seven",
    "mil",
    "un millón",
    "1.000",
    "2,5",
    "6.4 millones",
    "87",
    "902",
    "0",
    "-3",
    "99999999999",
    "1 194",
    "½",
    "٣",
    "８７",
    "Nº 5",
    "$87",
    "julio de 2024",
    "31/12/2025",
    "\n",
    ". ",
    "; ",
    "…",
]
HOSTILE = [
    "<script>alert(1)</script>",
    "</b>",
    "<b>",
    '<a href="x">',
    "&",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&lt",
    '"',
    "'",
    "<",
    ">",
    "\x00",
    "\u202e",
    "\ufeff",
    "\u200b",
    "🇻🇪",
    "𝔘𝔫𝔦",
    "\r\n",
    "\t",
    "javascript:alert(1)",
    "<tg-spoiler>",
    "<pre><code>",
    "{",
    "}",
    "{outlet}",
    "%s",
    "\\",
]
text_or_news = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(NEWSY + HOSTILE)), max_size=60).map(" ".join)


def check_extraction(ex: Any) -> None:
    assert ex.kind in KINDS
    for name in ("released", "announced", "confirmed", "cumulative", "total_prisoners"):
        value = getattr(ex, name)
        assert value is None or (type(value) is int and value >= 0), (name, value)
    assert 0.0 <= ex.confidence <= 1.0
    assert ex.lang in ("es", "en")
    assert all(isinstance(x, str) for x in (*ex.prisons, *ex.orgs, *ex.names))
    json.dumps(ex.to_json("x"))


# -- the matcher ---------------------------------------------------------------------------------


@FUZZ
@given(
    title=st.text(max_size=300),
    summary=st.text(max_size=2000),
    lang=st.sampled_from([None, "es", "en", "fr", "", "ES"]),
)
def test_matcher_keeps_its_contract_on_arbitrary_unicode(title, summary, lang):
    check_extraction(match(title, summary, lang))


@FUZZ
@given(title=text_or_news, summary=text_or_news, lang=st.sampled_from([None, "es", "en"]))
def test_matcher_keeps_its_contract_on_news_shaped_noise(title, summary, lang):
    check_extraction(match(title, summary, lang))


@pytest.mark.parametrize(
    "title, summary",
    [
        ("a" * 1_000_000, ""),
        ("", "1" * 200_000),
        ("\n" * 100_000, "\n" * 100_000),
        ("🇻🇪" * 100_000, "presos políticos"),
        ("Excarcelados 87 presos políticos. " * 5_000, "Foro Penal confirmó 33. " * 5_000),
        ("", "1.000.000.000.000.000.000.000.000 presos políticos liberados"),
        ("", "9" * 5_000 + " presos políticos excarcelados"),
        ("\x00" * 10_000, "\ud800\udfff" * 1_000),
        # one sentence of thousands of numbers: every number's clause, breakdown and retellings
        # are read once per sentence, not once per number (this took minutes)
        ("Foro Penal: 7 presos políticos liberados", "7 " * 9_000 + "liberados: 3 y 4"),
    ],
    ids=[
        "1MB-letters",
        "200k-digits",
        "newlines",
        "flags",
        "repeated-news",
        "huge-number",
        "5k-digit-number",
        "nul-and-surrogates",
        "a-sentence-of-numbers",
    ],
)
def test_matcher_keeps_its_contract_on_huge_inputs(title, summary):
    check_extraction(match(title, summary))


# -- releasewatch match --jsonl ------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
item_objects = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "title": st.one_of(text_or_news, json_values),
        "summary": st.one_of(text_or_news, json_values),
        "lang": st.one_of(st.sampled_from(["es", "en", "fr"]), json_values),
        "published": json_values,
    },
)
junk_lines = st.one_of(
    st.text(max_size=200).map(lambda s: s.replace("\n", " ")),
    json_values.map(json.dumps),
    item_objects.map(lambda o: json.dumps(o, ensure_ascii=False)),
    item_objects.map(lambda o: json.dumps(o)[:-1]),  # a cut-off object
)


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


@FUZZ
@given(lines=st.lists(junk_lines, min_size=1, max_size=15))
def test_match_jsonl_keeps_going_through_junk_lines(lines):
    stdin = io.StringIO("\n".join(lines) + "\n")
    out, err = io.StringIO(), io.StringIO()
    real_stdin = sys.stdin
    sys.stdin = stdin
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = cli_main(["match", "--jsonl"])
    finally:
        sys.stdin = real_stdin
    objects = sum(1 for line in lines if line.strip() and _is_object(line))
    junk = sum(1 for line in lines if line.strip() and not _is_object(line))
    assert code == (2 if junk and not objects else 0)  # not one readable line: one sentence, exit 2
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == objects
    for r in results:
        assert r["kind"] in KINDS and r["lang"] in ("es", "en") and 0 <= r["confidence"] <= 1
        assert isinstance(r["id"], str)


def test_match_jsonl_process_survives_bytes_that_are_not_text():
    """The real process, fed raw junk: invalid UTF-8, NULs, a 1 MB line, blank lines."""
    good = json.dumps({"id": "last", "title": "Foro Penal confirmó la excarcelación de 33 presos políticos"})
    junk = (
        b"\n".join(
            [
                b"\xff\xfe\xfa not utf-8",
                b"\x00\x00\x00",
                b"{" + b"\x80" * 50 + b"}",
                b"",
                b"   ",
                b'{"id": "a", "title": "\xed\xa0\x80 lone surrogate bytes"}',
                b'"just a string"',
                b"[1, 2, 3]",
                b'{"id": "big", "summary": "' + b"presos " * 150_000 + b'"}',
                b"\r\r\r",
                good.encode(),
            ]
        )
        + b"\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "match", "--jsonl"],
        input=junk,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    results = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert results[-1]["id"] == "last" and results[-1]["kind"] == "confirmation"
    assert {r["id"] for r in results} >= {"a", "big", "last"}


def test_match_jsonl_survives_a_deeply_nested_line():
    junk = "[" * 100_000 + "\n" + json.dumps({"id": "after", "title": "x"}) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "match", "--jsonl"],
        input=junk,
        text=True,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0
    assert json.loads(proc.stdout.splitlines()[-1])["id"] == "after"


# -- the config parser -----------------------------------------------------------------------------

URLISH = [
    "http://example.org/feed",
    "https://a.b/c?d=e&f=g",
    "ftp://x",
    "file:///etc/passwd",
    "http://",
    "javascript:alert(1)",
    "http://127.0.0.1:8080/",
    "https://[::1]:8443/x",
    "",
    " ",
    "es",
    "en",
    "@bot:example.org",
    "!room:example.org",
    "polling",
    "webhook",
    "json",
    "text",
    "~/rw.db",
    "x" * 5000,
]
scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(URLISH),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
TOP = [
    "database",
    "poll_interval",
    "max_concurrent_fetches",
    "request_timeout",
    "max_feed_bytes",
    "allow_private_feed_urls",
    "event_window_days",
    "default_lang",
    "log_format",
]
FEED = ["name", "url", "lang", "interval"]
TELEGRAM = [
    "enabled",
    "api_base_url",
    "mode",
    "webhook_url",
    "webhook_listen",
    "webhook_port",
    "staff_user_ids",
    "staff_chat_id",
    "messages_per_second",
    "group_messages_per_minute",
]
MATRIX = [
    "enabled",
    "homeserver",
    "user_id",
    "device_name",
    "rooms",
    "allowed_inviters",
    "staff_user_ids",
    "staff_room",
]


def table(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A table with some of the known keys (any value) and now and then an unknown one."""
    return st.dictionaries(st.one_of(st.sampled_from(keys), st.text(max_size=12)), values, max_size=len(keys))


documents = st.builds(
    lambda top, feeds, tg, mx, extras: {
        **top,
        **extras,
        **({"feeds": feeds} if feeds is not None else {}),
        **({"telegram": tg} if tg is not None else {}),
        **({"matrix": mx} if mx is not None else {}),
    },
    table(TOP),
    st.none() | st.lists(st.one_of(table(FEED), values), max_size=3),
    st.none() | table(TELEGRAM) | values,
    st.none() | table(MATRIX) | values,
    st.dictionaries(st.sampled_from(["feeds", "telegram", "matrix"]), values, max_size=1),
)


@FUZZ
@given(doc=documents)
def test_parse_config_lets_only_config_errors_escape(doc):
    try:
        config = parse_config(doc)
    except ConfigError as exc:
        assert str(exc).strip(), "a ConfigError must say what to fix"
        return
    assert 1 <= config.telegram.messages_per_second <= 1000
    assert config.poll_interval >= 30
    assert all(f.url.startswith(("http://", "https://")) for f in config.feeds)


def test_parse_config_refuses_a_broken_ipv6_url_with_a_config_error():
    with pytest.raises(ConfigError):
        parse_config({"feeds": [{"name": "x", "url": "http://[::1"}]})


def test_parse_config_refuses_a_nul_byte_in_the_database_path():
    with pytest.raises(ConfigError):
        parse_config({"database": "~\x00/rw.db"})


def test_parse_config_refuses_an_enormous_number_with_a_config_error():
    with pytest.raises(ConfigError):
        parse_config({"request_timeout": 10**400})


# -- the alert renderer ----------------------------------------------------------------------------

hostile = st.one_of(
    st.text(max_size=80),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE) | st.text(max_size=5), max_size=20).map("".join),
)
links = st.one_of(
    st.none(),
    hostile,
    hostile.map(lambda s: "https://x.example/" + s),
    st.sampled_from(["javascript:alert(1)", 'http://a/?x=1&y="2"&z=<3>', "https://" + "a&" * 100]),
)
when = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, Any]:
    announced = draw(st.none() | st.integers(1, 10**7))
    confirmed = draw(st.integers(0, 10**7) if announced is None else st.none() | st.integers(0, 10**7))
    figures = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["announced", "confirmed"]),
                    "value": st.integers(0, 10**7),
                    "outlet": hostile.map(lambda s: s[:200]),
                    "org": st.none() | hostile,
                    "link": links,
                    "published": st.none() | when.map(lambda d: d.isoformat()),
                }
            ),
            max_size=8,
        )
    )
    return {
        "event_id": 1,
        "revision": draw(st.integers(1, 5)),
        "announced": announced,
        "confirmed": confirmed,
        "prisons": draw(st.lists(hostile, max_size=3)),
        "figures": figures,
        # the store keeps 300 characters of a title and 1000 of a link (bot/feeds.py)
        "trigger": {
            "outlet": draw(hostile),
            "title": draw(hostile.map(lambda s: s[:300])),
            "link": draw(links.map(lambda s: s[:1000] if s else s)),
            "published": draw(when).isoformat(),
            "kind": "announcement",
        },
    }


def assert_telegram_accepts(markup: str) -> None:
    """What TelegramNotifier sends: split_html parts, each valid HTML, non-empty, <= 4096."""
    parse_html(markup)  # the whole message is valid
    for part in split_html(markup, 4000):
        visible, _ = parse_html(part)
        assert visible.strip(), "an empty part: Telegram answers 'message text is empty'"
        assert utf16_len(visible) <= MAX_TEXT


@FUZZ
@given(snap=snapshots(), lang=st.sampled_from(["es", "en"]), update=st.booleans())
def test_rendered_alert_is_always_valid_telegram_html(snap, lang, update):
    msg = render_event(snap, lang, update)
    assert msg.text.strip()
    assert_telegram_accepts(msg.html)
    # links only ever point to http(s)
    for href in msg.html.split('href="')[1:]:
        assert href.startswith(("http://", "https://"))


def _long_link_snapshot(link: str) -> dict[str, Any]:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    return {
        "event_id": 1,
        "revision": 1,
        "announced": 87,
        "confirmed": None,
        "prisons": [],
        "figures": [
            {
                "role": "announced",
                "value": 87,
                "outlet": "Diario",
                "org": None,
                "link": link,
                "published": (now - timedelta(hours=1)).isoformat(),
            }
        ],
        "trigger": {
            "outlet": "Diario",
            "title": "87 presos políticos",
            "link": link,
            "published": now.isoformat(),
            "kind": "announcement",
        },
    }


def test_alert_with_a_feed_length_link_full_of_ampersands_stays_valid():
    link = ("https://x.example/?" + "&" * 1000)[:1000]
    assert math.isclose(len(link), 1000)
    assert_telegram_accepts(render_event(_long_link_snapshot(link), "es").html)
