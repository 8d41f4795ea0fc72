"""Telegram end to end: a family subscribes with buttons, a loopback feed publishes an announcement
then a confirmation, and exactly the right alert arrives, in Spanish, with the right numbers."""

from tests.e2e.conftest import STAFF, button, button_for
from tests.test_pipeline import ANNOUNCE, CONFIRM

MOTHER = 1001
OTHER = 1002


async def test_family_gets_exactly_the_confirmation_in_spanish(harness):
    h = harness
    reply = await h.say(MOTHER, "/start", language_code="es")
    assert "ReleaseWatch" in reply["text"]
    reply = await h.press(MOTHER, reply, button(reply, "lang:es"))
    assert "español" in reply["text"]
    reply = await h.say(MOTHER, "/subscribe")
    reply = await h.press(MOTHER, reply, button(reply, "sub:prison"))
    reply = await h.press(MOTHER, reply, button_for(reply, "Tocorón"))
    reply = await h.press(MOTHER, reply, button_for(reply, "Solo excarcelaciones confirmadas"))
    assert "Solo excarcelaciones confirmadas — Tocorón" in reply["text"]
    sub = h.store.subscriber("telegram", MOTHER)
    assert (sub.lang, sub.filter, sub.prison) == ("es", "confirmations", "Tocorón")

    before = len(h.emu.messages_for(MOTHER))
    h.publish([ANNOUNCE])
    await h.poll_and_deliver()
    assert len(h.emu.messages_for(MOTHER)) == before  # an announcement alone is not a confirmation

    h.publish([CONFIRM, ANNOUNCE])
    await h.poll_and_deliver()
    alerts = h.emu.messages_for(MOTHER)[before:]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["parse_mode"] == "HTML"
    assert alert["text"].startswith("✅ Confirmadas 33 de 87 excarcelaciones anunciadas — Tocorón")
    assert "Foro Penal" in alert["text"]

    status = await h.say(MOTHER, "/status")
    assert "Anunciadas: 87" in status["text"] and "Confirmadas: 33" in status["text"]
    assert "Noticias Loopback" in status["text"]

    # a restart of the delivery loop sends nothing again
    await h.service.deliverer.drain()
    assert len(h.emu.messages_for(MOTHER)) == before + 2


async def test_blocked_user_is_deactivated_not_retried(harness):
    h = harness
    reply = await h.say(OTHER, "/subscribe", language_code="en")
    reply = await h.press(OTHER, reply, button(reply, "sub:all"))
    assert "Subscribed" in reply["text"]
    h.emu.block(OTHER)
    h.publish([ANNOUNCE])
    await h.poll_and_deliver()
    sub = h.store.subscriber("telegram", OTHER)
    assert not sub.active
    sends = h.emu.count_requests.get("sendMessage", 0)
    h.publish([CONFIRM, ANNOUNCE])
    await h.poll_and_deliver()
    assert h.emu.count_requests.get("sendMessage", 0) == sends  # not retried


async def test_non_staff_user_is_refused_staff_commands(harness):
    h = harness
    for command in ("/stats", "/feeds", "/broadcast hola"):
        reply = await h.say(OTHER, command, language_code="en")
        assert reply["text"] == "Sorry, this command is for NGO staff only."
    reply = await h.say(STAFF, "/stats", language_code="en")
    assert reply["text"].startswith("Active subscribers")


async def test_forget_erases_the_chats_rows(harness):
    h = harness
    reply = await h.say(MOTHER, "/subscribe", language_code="es")
    await h.press(MOTHER, reply, button(reply, "sub:all"))
    h.publish([ANNOUNCE])
    await h.poll_and_deliver()
    sub = h.store.subscriber("telegram", MOTHER)
    reply = await h.say(MOTHER, "/forget")
    reply = await h.press(MOTHER, reply, "forget:yes")
    assert reply["text"].startswith("Borrado")
    for table in h.store.db.table_names():
        for column in h.store.db[table].columns_dict:
            if column in ("chat_id", "subscriber_id"):
                value = str(MOTHER) if column == "chat_id" else sub.id
                n = h.store.db.execute(f"select count(*) from [{table}] where [{column}] = ?", [value]).fetchone()[0]
                assert n == 0, f"{table}.{column} still mentions the chat"
