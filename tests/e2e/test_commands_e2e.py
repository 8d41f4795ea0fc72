"""Commands under stress, through the Bot API emulator and the real python-telegram-bot Application:
unreadable numbers and forged buttons get a usage reply, only managers change a group's language,
a private name is deleted even when the reply is rate limited, replies wait out flood control
(bounded), and one user flooding /status cannot crowd out everyone else."""

import asyncio
import logging

import pytest

from bot.commands import COMMANDS
from bot.commands.dispatch import BURST
from bot.i18n import LANGS, t
from bot.vault import Vault
from tests.e2e.conftest import STAFF, button
from tests.test_pipeline import ANNOUNCE

MOTHER = 4001
NGO_GROUP = -1004002
MEMBER = 4003
ADMIN = 4004


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("RELEASEWATCH_KEY", Vault.new_key())


async def settle(h, chat_id: int, quiet: float = 1.5, timeout: float = 15) -> list[dict]:
    """Every message the bot sent to the chat once it has been quiet for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    seen, since = -1, loop.time()
    while loop.time() < end:
        n = len(h.emu.messages_for(chat_id))
        if n != seen:
            seen, since = n, loop.time()
        elif loop.time() - since >= quiet:
            break
        await asyncio.sleep(0.05)
    return h.emu.messages_for(chat_id)


@pytest.mark.parametrize("lang", LANGS)
async def test_unreadable_numbers_get_a_usage_reply_in_the_users_language(harness, lang, figures):
    h = harness
    h.publish([ANNOUNCE])
    await h.poll_and_deliver()
    assert h.store.event(1) is not None  # so that an edit would really write its figure
    typed = [
        (MOTHER, "/unwatch ²", "usage.unwatch"),
        (STAFF, "/approve ²", "usage.approve"),
        (STAFF, "/event ²", "usage.event"),
        (STAFF, "/approve 12345678901234567890", "usage.approve"),
        (STAFF, "/edit 1 confirmed=99999999999999999999", "usage.edit"),
        (STAFF, "/reject #2147483648 too big for an id", "usage.reject"),
        (STAFF, '/record confirmed 10000000 source="X" event=1', "usage.record"),
        (STAFF, "/unwatch ٣", "usage.unwatch"),  # an Arabic-Indic three: a digit to Python, not to us
    ]
    for user, command, usage in typed:
        reply = await h.say(user, command, language_code=lang)
        assert reply["text"] == t(lang, usage), command
    ev = h.store.event(1)
    assert ev.confirmed != 99999999999999999999 and ev.revision == 1  # nothing was written
    figures.add(f"unreadable command numbers ({lang})", "², ٣, 20-digit ids and figures",
                note=f"{len(typed)} usage replies, 0 crashes")


async def test_forged_prison_buttons_get_a_usage_reply(harness, figures):
    h = harness
    menu = await h.say(MOTHER, "/subscribe", language_code="en")
    for data in ("prison:²", "pf:²:all", "pf:0:²", "prison:99999999999999999999", "pf:99999:all"):
        reply = await h.press(MOTHER, menu, data)
        assert reply["text"] == t("en", "button.invalid"), data
    assert h.store.subscriber("telegram", MOTHER) is None  # nothing was subscribed
    reply = await h.press(MOTHER, menu, "prison:0")  # a genuine button still works
    assert reply["text"].startswith("Which alerts about")
    figures.add("forged prison buttons", "prison:², pf:²:all and others", note="5 usage replies, nothing subscribed")


async def test_only_group_managers_change_the_groups_language(harness):
    h = harness
    group = {"chat_type": "supergroup", "title": "ONG", "language_code": "es"}
    h.emu.set_admins(NGO_GROUP, [ADMIN])
    refused = t("es", "group.admins_only")
    assert (await h.say(NGO_GROUP, "/language", user_id=MEMBER, **group))["text"] == refused
    assert (await h.say(NGO_GROUP, "/idioma", user_id=MEMBER, **group))["text"] == refused
    welcome = await h.say(NGO_GROUP, "/start", user_id=MEMBER, **group)  # anyone may read the welcome
    assert (await h.press(NGO_GROUP, welcome, button(welcome, "lang:en"), user_id=MEMBER))["text"] == refused
    sub = h.store.subscriber("telegram", NGO_GROUP)
    assert sub is None or sub.lang == "es"

    choice = await h.say(NGO_GROUP, "/language", user_id=ADMIN, **group)
    done = await h.press(NGO_GROUP, choice, button(choice, "lang:en"), user_id=ADMIN)
    assert done["text"].startswith(t("en", "lang.set"))
    assert h.store.subscriber("telegram", NGO_GROUP).lang == "en"


async def test_watched_name_is_deleted_even_when_the_reply_is_rate_limited(key, harness, figures):
    h = harness
    h.emu.set_rate_limits(per_chat_rate=1.0, per_chat_burst=0)  # one message a second to her chat
    await h.say(MOTHER, "/help", language_code="es")  # takes this second's message
    before = len(h.emu.messages_for(MOTHER))
    h.emu.inject_message(MOTHER, "/watch María José Pérez")
    reply = await h.next_message(MOTHER, before)  # answered once the 429's second is over
    assert reply["text"].startswith("Listo.")
    assert any(chat == MOTHER for chat, _ in h.emu.deleted)  # and her message with the name is gone
    assert h.emu.count_429 >= 1
    figures.add("/watch reply hit by a 429", "429 on the reply", note="name deleted first, reply waited out")


async def test_replies_wait_out_flood_control(harness):
    h = harness
    h.emu.set_rate_limits(per_chat_rate=1.0, per_chat_burst=0)
    h.emu.inject_message(MOTHER, "/help", language_code="en")
    h.emu.inject_message(MOTHER, "/sources", language_code="en")
    h.emu.inject_message(MOTHER, "/latest", language_code="en")
    msgs = await settle(h, MOTHER)
    texts = sorted(m["text"].split("\n")[0] for m in msgs)
    assert len(msgs) == 3, texts  # none lost to the 429s
    assert h.emu.count_429 >= 1
    assert any(m["text"] == t("en", "latest.none") for m in msgs)


async def test_a_reply_waits_at_most_thirty_seconds_then_is_given_up(harness, caplog):
    h = harness
    caplog.set_level(logging.WARNING)
    h.emu.set_chat_error(MOTHER, 429, "Too Many Requests: retry after 60", {"retry_after": 60})
    h.emu.inject_message(MOTHER, "/status", language_code="en")
    loop = asyncio.get_running_loop()
    end = loop.time() + 10
    while "reply was dropped" not in caplog.text and loop.time() < end:
        await asyncio.sleep(0.05)
    assert "reply was dropped" in caplog.text  # at once: 60 s is beyond the patience
    assert "handler failed" not in caplog.text
    h.emu.clear_fault(MOTHER)
    assert (await h.say(MOTHER, "/help", language_code="en"))["text"].startswith("Commands:")


async def test_one_user_flooding_status_is_slowed_and_others_are_not(harness, figures):
    h = harness
    for _ in range(30):
        h.emu.inject_message(MOTHER, "/status", language_code="en")
    msgs = await settle(h, MOTHER)
    slow = [m for m in msgs if m["text"] == t("en", "commands.slow_down")]
    ledgers = [m for m in msgs if m["text"].startswith("Release ledger")]
    assert len(slow) == 1  # one polite word, not one per dropped command
    assert BURST <= len(ledgers) <= BURST + 2, len(ledgers)  # the burst, and what refilled meanwhile
    other = await h.say(MOTHER + 1, "/status", language_code="en")
    assert other["text"].startswith("Release ledger")  # someone else is not slowed down
    figures.add("one user sends /status 30 times at once", "command flood", sent=len(ledgers),
                note="1 slow-down reply; others answered")


async def test_command_menu_comes_from_the_registry(harness):
    menus = harness.emu.commands
    menu = [c for c in COMMANDS if c.menu]
    assert len(menu) == 13
    for lang in LANGS:
        listed = menus[("default", lang)]
        assert [c["command"] for c in listed] == [c.name for c in menu]
        assert [c["description"] for c in listed] == [t(lang, c.help) for c in menu]
    assert menus[("default", "")] == menus[("default", "es")]
