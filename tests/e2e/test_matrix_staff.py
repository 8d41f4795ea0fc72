"""The review queue seen from Matrix (real Synapse): a held alert is posted to the staff room,
the first `!approve` releases it to families once, the next one is told who decided. Staff's
`!chart` and `!export` come as files in the room; a failed upload is said in one sentence."""

from __future__ import annotations

import nio

from bot.export import COLUMNS
from bot.i18n import t
from tests.e2e.matrix_harness import (  # noqa: F401 - fixtures
    matrix_harness_fixture,
    matrix_users_fixture,
    synapse_fixture,
)
from tests.e2e.test_staff_e2e import VAGUE
from tests.test_pipeline import CONFIRM


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


async def test_staff_get_the_chart_and_the_export_as_files(matrix_harness):
    h = matrix_harness
    platform = await h.start()
    room = await h.room_with_bot()  # the human created it: a manager, not staff
    assert isinstance(await h.human.client.room_invite(room, h.staff.user_id), nio.RoomInviteResponse)
    assert isinstance(await h.staff.client.join(room), nio.JoinResponse)
    h.publish([CONFIRM])
    await h.poll_and_deliver()

    chart = await h.say(room, "!chart", who=h.staff)
    assert isinstance(chart, nio.RoomMessageImage), chart
    info = chart.source["content"]["info"]
    assert chart.body == t("es", "chart.caption") and chart.source["content"]["filename"] == "chart.png"
    png = h.staff.download(chart.url)
    assert png.startswith(b"\x89PNG") and info["mimetype"] == "image/png" and info["size"] == len(png)
    assert info["w"] > 0 and info["h"] > 0

    export = await h.say(room, "!export csv", who=h.staff)
    assert isinstance(export, nio.RoomMessageFile), export
    assert export.source["content"]["filename"] == "releasewatch.csv"
    assert export.source["content"]["info"]["mimetype"] == "text/csv"
    rows = h.staff.download(export.url).decode("utf-8").splitlines()
    assert rows[0] == ",".join(COLUMNS) and len(rows) > 1
    export = await h.say(room, "!export json", who=h.staff)
    assert isinstance(export, nio.RoomMessageFile) and export.source["content"]["filename"] == "releasewatch.json"
    assert h.staff.download(export.url).lstrip().startswith(b"{")

    # a member who is not staff: refused, and nothing is uploaded
    refused = await h.say(room, "!chart", who=h.human)
    assert isinstance(refused, nio.RoomMessageNotice) and refused.body == t("es", "staff.refused")

    # the media repository refuses or does not answer: one sentence instead of a file
    async def broken_upload(*args, **kwargs):
        raise TimeoutError

    platform.client.upload = broken_upload
    failed = await h.say(room, "!export", who=h.staff)
    assert isinstance(failed, nio.RoomMessageNotice) and failed.body == t("es", "matrix.upload_failed")
