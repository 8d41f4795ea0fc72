"""The command registry and its parts without a platform: the strict reader of numbers, the per-user
rate limit, patient replies, and a registry that every catalog and keyboard agrees with."""

import asyncio
import re
import time

import pytest

from bot.commands import BUTTONS, COMMANDS, MAX_FIGURE, MAX_ID, BadArgs, CommandLimiter, keyboards, patiently
from bot.commands.args import parse_edit, parse_figure, parse_id, parse_index, parse_record
from bot.i18n import LANGS, catalog
from bot.notify import RetryAfter


@pytest.mark.parametrize("typed, value", [("12", 12), ("#12", 12), (" 7 ", 7), (str(MAX_ID - 1), MAX_ID - 1)])
def test_ids_are_ascii_digits_below_two_to_the_31(typed, value):
    assert parse_id(typed) == value


@pytest.mark.parametrize("typed", ["", "0", "-1", "²", "٣", "1²", "12345678901234567890", str(MAX_ID), "1e3", "0x10",
                                   "١٢", "#", "12 13"])
def test_anything_else_is_not_an_id(typed):
    assert "²".isdigit()  # why isdigit() is not enough
    with pytest.raises(BadArgs):
        parse_id(typed)


@pytest.mark.parametrize("typed, value", [("87", 87), ("1194", 1194), ("1.194", 1194), ("1,194", 1194),
                                          ("9999999", MAX_FIGURE - 1), ("1.000.000", 1_000_000)])
def test_figures_are_counts_of_people(typed, value):
    assert parse_figure(typed) == value


@pytest.mark.parametrize("typed", ["", "10000000", "10.000.000", "99999999999999999999", "12.5", "1,19", "²", "-3",
                                   "1.194,5"])
def test_impossible_figures_are_refused(typed):
    with pytest.raises(BadArgs):
        parse_figure(typed)


def test_button_positions_are_strict_and_in_range():
    assert parse_index("0", 3) == 0 and parse_index("2", 3) == 2
    for typed in ("3", "²", "-1", "", "99999999999999999999"):
        with pytest.raises(BadArgs):
            parse_index(typed, 3)


def test_edit_reads_each_figure_strictly():
    assert parse_edit("12 announced=87 confirmed=33") == (12, 87, 33)
    assert parse_edit("#12 confirmadas=1.194") == (12, None, 1194)
    assert parse_edit("3 anunciados = 87, confirmados=33.") == (3, 87, 33)
    for typed in ("", "1", "1 confirmed=99999999999999999999", "² confirmed=3", "1 confirmed=²",
                  "12345678901234567890 confirmed=3"):
        with pytest.raises(BadArgs):
            parse_edit(typed)


def test_record_reads_each_number_strictly():
    assert parse_record('confirmed 12 source="Foro Penal" event=3') == ("confirmed", 12, "Foro Penal", 3)
    assert parse_record("anunciados 1.194 fuente=JEyP evento=#4") == ("announced", 1194, "JEyP", 4)
    for typed in ("confirmed 10000000 source=X event=1", "confirmed 3 source=X event=²",
                  "confirmed ² source=X event=1", "confirmed 3 source=X event=99999999999999999999"):
        with pytest.raises(BadArgs):
            parse_record(typed)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limiter_allows_a_burst_then_one_per_interval_with_one_warning_per_window():
    clock = Clock()
    limiter = CommandLimiter(burst=5, refill_seconds=2.0, clock=clock)
    ana = ("telegram", "1")
    assert [limiter.take(ana) for _ in range(7)] == ["ok"] * 5 + ["warn", "drop"]
    assert limiter.take(("telegram", "2")) == "ok"  # someone else is not affected
    clock.now = 2.0
    assert limiter.take(ana) == "ok"
    assert limiter.take(ana) == "drop"  # still warned within this window

    # 20 commands a second for a minute: the burst, one every 2 s, a warning per 10 s window
    verdicts = []
    for i in range(20 * 60):
        clock.now = 100.0 + i / 20
        verdicts.append(limiter.take(ana))
    assert verdicts.count("ok") <= 5 + 30 + 1
    assert 1 <= verdicts.count("warn") <= 7


def test_limiter_memory_is_bounded():
    clock = Clock()
    limiter = CommandLimiter(max_users=100, clock=clock)
    for user in range(10_000):
        limiter.take(("telegram", str(user)))
    assert len(limiter) <= 100
    clock.now = 3600.0
    limiter.take(("telegram", "late"))
    assert len(limiter) == 1  # idle users' buckets are full again: nothing to remember


async def test_a_reply_waits_out_rate_limits_within_its_patience():
    calls = []

    async def send() -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise RetryAfter(0.05)
        return "sent"

    assert await patiently(send) == "sent" and len(calls) == 3

    async def never() -> str:
        raise RetryAfter(0.2)

    start = time.monotonic()
    assert await patiently(never, patience=0.5) is None
    assert time.monotonic() - start < 1.0

    async def far() -> str:
        raise RetryAfter(60)

    assert await asyncio.wait_for(patiently(far), timeout=1) is None  # beyond patience: given up at once


def test_names_are_unique_and_valid_telegram_commands():
    names = [name for c in COMMANDS for name in c.names]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in names)
    assert len({b.kind for b in BUTTONS}) == len(BUTTONS)


def test_every_registry_text_exists_in_every_language():
    keys = {c.help for c in COMMANDS} | {c.usage for c in COMMANDS if c.usage} | {b.invalid for b in BUTTONS}
    keys |= {"commands.slow_down", "group.admins_only", "staff.refused", "watch.private_only", "matrix.no_files"}
    for lang in LANGS:
        assert keys <= set(catalog(lang)), keys - set(catalog(lang))
    assert all(c.help for c in COMMANDS)


def test_every_keyboard_button_is_a_declared_kind_within_telegrams_64_bytes():
    boards = [keyboards.languages(), keyboards.prison_choices(), keyboards.forget("es")]
    boards += [keyboards.filters(lang, prison) for lang in LANGS for prison in (None, 0)]
    kinds = {b.kind for b in BUTTONS}
    for board in boards:
        for row in board:
            for _label, data in row:
                assert data.partition(":")[0] in kinds, data
                assert len(data.encode()) <= 64, data
