"""The review queue seen from Matrix (real Synapse): a held alert is posted to the staff room,
the first `!approve` releases it to families once, the next one is told who decided."""

from __future__ import annotations

from bot.i18n import t
from tests.e2e.matrix_harness import (  # noqa: F401 - fixtures
    matrix_harness_fixture,
    matrix_users_fixture,
    synapse_fixture,
)
from tests.e2e.test_staff_e2e import VAGUE


async def test_staff_room_approves_a_held_alert_once(matrix_harness):
    h = matrix_harness
    staff_room = await h.staff.create_room(invite=(h.bot.user_id,))
    await h.start(staff_room=staff_room, rooms=(staff_room,))
    family_room = await h.room_with_bot()
    assert (await h.say(family_room, "!subscribe")).body.startswith("Suscrito")

    h.publish([VAGUE])
    await h.poll_and_deliver()
    post = await h.staff.until(
        lambda: [e for e in h.bot_messages(staff_room, h.staff) if e.body.startswith("⏸")], "a held alert")
    assert "!approve 1" in post[-1].body
    assert not [e for e in h.bot_messages(family_room) if e.body.startswith("✅")]

    assert (await h.say(staff_room, "!approve 1", who=h.staff)).body.startswith("Aprobada")
    await h.poll_and_deliver()
    alerts = await h.human.until(
        lambda: [e for e in h.bot_messages(family_room) if e.body.startswith("✅")], "the released alert")
    assert len(alerts) == 1 and "Tocuyito" in alerts[0].body
    again = await h.say(staff_room, "!approve 1", who=h.staff)
    assert again.body == t("es", "review.first_wins", status="aprobada", who=h.staff.user_id)
    assert (await h.say(family_room, "!queue")).body == t("es", "staff.refused")
