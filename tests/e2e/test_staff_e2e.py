"""NGO staff end to end through the Bot API emulator: the review queue (hold, approve once,
reject, edit), the ledger, charts and exports, and refusal for everyone else."""

import threading

import pytest

from tests.e2e.conftest import STAFF, button
from tests.news import ago  # items are news: dated within max_alert_age_hours

STAFF_CHAT = -1009001
STAFF_2 = 998
FAMILY = 3001
STRANGER = 3002

VAGUE = {  # no count: the matcher is unsure (confidence 0.5), staff must look first
    "title": "Una docena de presos políticos sale de Tocuyito, según familiares",
    "description": "Madres frente al Internado Judicial Carabobo dicen que salieron al caer la tarde.",
    "guid": "v-1", "link": "https://a.example/v-1", "pubDate": ago(hours=30),
}
RUMOUR = {  # a release with no number and no named source: held, and staff reject it
    "title": "Familiares dicen que varios presos políticos salieron de El Helicoide",
    "description": "Ninguna organización lo ha verificado todavía.",
    "guid": "v-2", "link": "https://a.example/v-2", "pubDate": ago(hours=6),
}


@pytest.fixture
def telegram_overrides():
    return {"staff_chat_id": STAFF_CHAT, "staff_user_ids": (STAFF, STAFF_2)}


@pytest.fixture
def config_overrides():
    return {"review_mode": "low_confidence", "review_threshold": 0.6}


async def family_subscribes(h):
    reply = await h.say(FAMILY, "/subscribe", language_code="es")
    await h.press(FAMILY, reply, button(reply, "sub:all"))


def review_post(h):
    posts = [m for m in h.emu.messages_for(STAFF_CHAT) if m["text"].startswith("⏸")]
    assert posts, h.emu.messages_for(STAFF_CHAT)
    return posts[-1]


async def test_held_alert_reaches_families_once_after_the_first_approval(harness):
    h = harness
    await family_subscribes(h)
    before = len(h.emu.messages_for(FAMILY))
    h.publish([VAGUE])
    await h.poll_and_deliver()
    assert len(h.emu.messages_for(FAMILY)) == before  # held
    post = review_post(h)
    assert "Una docena" in post["text"] or "Tocuyito" in post["text"]
    approve = button(post, "rv:a:")

    reply = await h.press(STAFF_CHAT, post, approve, user_id=STAFF)
    assert reply["text"].startswith("Aprobada")
    await h.service.deliverer.drain()
    second = await h.press(STAFF_CHAT, post, approve, user_id=STAFF_2)
    assert second["text"].startswith("Ya estaba decidido: aprobada por")
    await h.service.deliverer.drain()
    alerts = h.emu.messages_for(FAMILY)[before:]
    assert len(alerts) == 1 and "Tocuyito" in alerts[0]["text"]
    assert any("aprobada por" in m["text"] for m in h.emu.messages_for(STAFF_CHAT))  # all staff see who

    # an edit makes an update message for families, replying to their alert
    event_id = approve.split(":")[2]
    reply = await h.say(STAFF, f"/edit {event_id} announced=12 confirmed=12", language_code="es")
    await h.service.deliverer.drain()
    update = h.emu.messages_for(FAMILY)[-1]
    assert update["text"].startswith("🔄 Actualización")
    assert update["reply_to_message_id"] == alerts[0]["message_id"]
    history = await h.say(STAFF, f"/event {event_id}")
    assert "(manual)" in history["text"] and "aprobada" in history["text"]


async def test_rejected_alert_never_reaches_families(harness):
    h = harness
    await family_subscribes(h)
    before = len(h.emu.messages_for(FAMILY))
    h.publish([RUMOUR])
    await h.poll_and_deliver()
    post = review_post(h)
    reply = await h.press(STAFF_CHAT, post, button(post, "rv:r:"), user_id=STAFF)
    assert reply["text"].startswith("Rechazada")
    await h.poll_and_deliver()
    assert len(h.emu.messages_for(FAMILY)) == before
    queue = await h.say(STAFF, "/queue")
    assert queue["text"] == "No hay alertas retenidas."


async def test_chart_and_export_for_staff(harness):
    h = harness
    h.publish([VAGUE])
    await h.poll_and_deliver()
    before = len(h.emu.sent)
    h.emu.inject_message(STAFF, "/chart", language_code="en")
    photo = await h.emu.await_for(method="sendPhoto", since=before, timeout=20)
    assert photo["photo_bytes"] > 1000
    h.emu.inject_message(STAFF, "/export csv", language_code="en")
    doc = await h.emu.await_for(method="sendDocument", since=before, timeout=20)
    assert doc["document_name"] == "releasewatch.csv" and doc["document_bytes"] > 0


async def test_export_and_chart_are_read_off_the_event_loop(harness, monkeypatch):
    """A ledger of thousands of events must not stall delivery: both are read in a worker thread."""
    from bot import charts, export

    threads: list[str] = []
    for module, name in ((export, "export_file"), (charts, "chart_file")):
        real = getattr(module, name)

        def spy(*args, _real=real):  # noqa: ANN002, ANN202
            threads.append(threading.current_thread().name)
            return _real(*args)

        monkeypatch.setattr(module, name, spy)
    h = harness
    before = len(h.emu.sent)
    h.emu.inject_message(STAFF, "/export json", language_code="en")
    doc = await h.emu.await_for(method="sendDocument", since=before, timeout=20)
    assert doc["document_name"] == "releasewatch.json"
    h.emu.inject_message(STAFF, "/chart", language_code="en")
    await h.emu.await_for(method="sendPhoto", since=before, timeout=20)
    assert len(threads) == 2 and threading.main_thread().name not in threads


@pytest.mark.parametrize("command", ["/queue", "/approve 1", "/reject 1 no", "/edit 1 confirmed=3",
                                     '/record confirmed 3 source="X" event=1', "/event 1", "/chart",
                                     "/export csv", "/addfeed https://example.org/feed"])
async def test_non_staff_can_do_none_of_these(harness, command):
    reply = await harness.say(STRANGER, command, language_code="en")
    assert reply["text"] == "Sorry, this command is for NGO staff only."


async def test_non_staff_cannot_press_the_review_buttons(harness):
    h = harness
    h.publish([VAGUE])
    await h.poll_and_deliver()
    post = review_post(h)
    reply = await h.press(STAFF_CHAT, post, button(post, "rv:a:"), user_id=STRANGER)
    assert "staff" in reply["text"] or "equipo" in reply["text"]
    assert h.store.held()


async def test_a_failing_feed_is_reported_to_staff_once(harness):
    from bot.pipeline import FAILING_STREAK

    h = harness
    h.feeds.set("/feed", status=500)
    for _ in range(FAILING_STREAK + 3):
        await h.poll_and_deliver()
    notices = [m for m in h.emu.messages_for(STAFF_CHAT) if m["text"].startswith("⚠️")]
    assert len(notices) == 1 and "Noticias Loopback" in notices[0]["text"]


async def test_stats_counts_subscribers_by_language_and_filter(harness):
    h = harness
    await family_subscribes(h)
    reply = await h.say(STAFF, "/stats", language_code="en")
    assert "telegram · es · All releases (announced and confirmed): 1" in reply["text"]
