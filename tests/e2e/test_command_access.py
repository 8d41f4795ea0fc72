"""Every declared command enforces the same access rule on Telegram and on Matrix. The test walks
the registry and asks each command as four people: a plain group member, a group manager (Telegram
admin; Matrix room creator, power 100), a staff member in the group (no admin rights, power 0),
and someone in a private chat with the bot. Telegram runs the real PTB Application against the
Bot API emulator; Matrix runs the real routing with power levels read from a real Synapse."""

from __future__ import annotations

import asyncio

import nio
import pytest

from bot.commands import BUTTONS, COMMANDS, REFUSAL, Access, CommandLimiter, allowed
from bot.i18n import LANGS, t
from tests.e2e.matrix_harness import (  # noqa: F401 - fixtures
    matrix_harness_fixture,
    matrix_users_fixture,
    synapse_fixture,
)

PEOPLE = ("member", "manager", "staff", "private")
ANSWERED = "answered"

# Who may do what, written out independently of the registry's own decision
MAY = {
    Access.ANYONE: {"member", "manager", "staff", "private"},
    Access.MANAGER: {"manager", "staff", "private"},
    Access.STAFF: {"staff"},
    Access.PRIVATE: {"private"},
}
# and which rule each command has: changing one is a decision, not an accident
RULES = {
    "start": Access.ANYONE, "help": Access.ANYONE, "status": Access.ANYONE, "latest": Access.ANYONE,
    "sources": Access.ANYONE,
    "language": Access.MANAGER, "subscribe": Access.MANAGER, "unsubscribe": Access.MANAGER,
    "notes": Access.MANAGER, "forget": Access.MANAGER,
    "watch": Access.PRIVATE, "watches": Access.PRIVATE, "unwatch": Access.PRIVATE,
    **{name: Access.STAFF for name in ("feeds", "stats", "broadcast", "queue", "approve", "reject", "edit", "record", "figure",
                                       "event", "chart", "export", "addfeed", "removefeed")},
}


def expected(access: Access) -> dict[str, str]:
    return {p: ANSWERED if p in MAY[access] else REFUSAL[access] for p in PEOPLE}


def outcome(text: str | None) -> str:
    """Which refusal a reply is, in any language, or ANSWERED."""
    for key in REFUSAL.values():
        if text in {t(lang, key) for lang in LANGS}:
            return key
    return ANSWERED


def test_the_registry_declares_the_rules_we_mean():
    assert {c.name: c.access for c in COMMANDS} == RULES
    facts = {"member": (False, False, False), "manager": (False, False, True), "staff": (True, False, False),
             "private": (False, True, True)}
    for access in Access:
        decided = {p for p, (staff, private, manages) in facts.items()
                   if allowed(access, staff=staff, private=private, manages=manages)}
        assert decided == MAY[access], access


# -- Telegram ------------------------------------------------------------------------------------------

TG_STAFF = tuple(5000 + i for i in range(len(COMMANDS)))


@pytest.fixture
def telegram_overrides():
    return {"staff_user_ids": TG_STAFF}


def telegram_asker(i: int, person: str) -> tuple[int, int, str]:
    """(chat id, user id, chat type) of `person` asking the i-th command: each their own chat, so
    replies cannot be confused, and their own user, so the per-user rate limit never interferes."""
    if person == "private":
        return 8000 + i, 8000 + i, "private"
    chat = -1_000_000 - 10 * i - PEOPLE.index(person)
    user = {"member": 6000 + i, "manager": 7000 + i, "staff": TG_STAFF[i]}[person]
    return chat, user, "supergroup"


async def first_reply(h, chat_id: int, timeout: float = 20) -> dict:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not h.emu.messages_for(chat_id):
        if loop.time() > end:
            raise AssertionError(f"no reply in chat {chat_id}")
        await asyncio.sleep(0.05)
    return h.emu.messages_for(chat_id)[0]


async def test_telegram_enforces_each_commands_rule(harness):
    h = harness
    for i, spec in enumerate(COMMANDS):
        for person in PEOPLE:
            chat, user, kind = telegram_asker(i, person)
            if person == "manager":
                h.emu.set_admins(chat, [user])
            h.emu.inject_message(chat, f"/{spec.name}", user_id=user, chat_type=kind, title="ONG",
                                 language_code="en")
    seen = {}
    for i, spec in enumerate(COMMANDS):
        replies = [await first_reply(h, telegram_asker(i, p)[0]) for p in PEOPLE]
        seen[spec.name] = {p: outcome(r["text"] or r["caption"]) for p, r in zip(PEOPLE, replies, strict=True)}
    assert seen == {c.name: expected(c.access) for c in COMMANDS}


async def test_telegram_buttons_follow_the_same_rules(harness):
    """A plain group member presses each kind of button: only those open to anyone do anything."""
    h = harness
    group, member = -1_000_999, 6999
    menu = await h.say(group, "/start", user_id=member, chat_type="supergroup", title="ONG", language_code="en")
    value = {"lang": "en", "sub": "all", "prison": "0", "pf": "0:all", "forget": "yes", "rv": "a:1:1"}
    assert set(value) == {b.kind for b in BUTTONS}
    for b in BUTTONS:
        reply = await h.press(group, menu, f"{b.kind}:{value[b.kind]}", user_id=member)
        assert outcome(reply["text"]) == expected(b.access)["member"], b.kind
    assert h.store.subscriber("telegram", group) is None  # no language, no subscription


# -- Matrix --------------------------------------------------------------------------------------------


async def test_matrix_enforces_each_commands_rule(matrix_harness):
    h = matrix_harness
    platform = await h.start()
    group = await h.room_with_bot()  # the human created it: power 100, a manager
    member = h.person("member")
    for person in (member, h.staff):
        invited = await h.human.client.room_invite(group, person.user_id)
        assert isinstance(invited, nio.RoomInviteResponse), invited
        assert isinstance(await person.client.join(group), nio.JoinResponse)
    direct = await h.room_with_bot()  # the human and the bot only: a private chat
    askers = {"member": (member.user_id, group), "manager": (h.human.user_id, group),
              "staff": (h.staff.user_id, group), "private": (h.human.user_id, direct)}

    # the routing function answers without sending; the bot must have seen everyone join
    for _ in range(200):
        room = platform.client.rooms.get(group)
        if room is not None and room.member_count == 4:
            break
        await asyncio.sleep(0.05)
    assert platform.client.rooms[group].member_count == 4
    assert platform.client.rooms[direct].member_count == 2
    router = platform.commands
    limiter, router.dispatcher.limiter = router.dispatcher.limiter, CommandLimiter(burst=10_000)
    try:
        seen = {}
        for spec in COMMANDS:
            for name in spec.names:
                answers = {p: await router.route(room, sender, f"!{name}") for p, (sender, room) in askers.items()}
                seen[name] = {p: outcome(a.replies[0].message.text) for p, a in answers.items()}
    finally:
        router.dispatcher.limiter = limiter
    assert seen == {name: expected(c.access) for c in COMMANDS for name in c.names}

    # and through the whole sync path: a plain member changes neither the notes nor the language
    refused = t("es", "group.admins_only")
    assert (await h.say(group, "!notes off", who=member)).body == refused
    assert (await h.say(group, "!language en", who=member)).body == refused
    assert (await h.say(group, "!idioma en", who=member)).body == refused
    sub = h.store.subscriber("matrix", group)
    assert sub is None or sub.lang == "es"
