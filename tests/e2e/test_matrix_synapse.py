"""Matrix end to end against a real Synapse: a room invites the bot, subscribes with `!subscribe`,
a loopback feed publishes a confirmed release, and exactly one alert arrives, as an m.notice with
valid, escaped HTML; nothing is repeated after a restart. Plus invites, commands, staff, rate
limits, kicks and encrypted rooms without encryption. Nothing here skips: Synapse comes with the `test` extra."""

from __future__ import annotations

import asyncio
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import nio
import pytest

from bot.alerts import Message
from bot.config import Config, ConfigError, MatrixConfig
from bot.i18n import t
from bot.notify import Gone, RetryAfter
from bot.platforms.matrix import MatrixPlatform
from bot.platforms.matrix.commands import _power_level
from bot.store import Store
from tests.e2e.matrix_harness import (  # noqa: F401 - fixtures
    ENCRYPTION,
    FEED_NAME,
    MatrixHarness,
    matrix_harness_fixture,
    matrix_users_fixture,
    synapse_fixture,
)
from tests.test_pipeline import ANNOUNCE, CONFIRM

# A confirmed release whose title and link carry markup: it must reach the room as text.
HOSTILE_CONFIRM = dict(
    CONFIRM,
    title=CONFIRM["title"] + " &lt;script&gt;alert(1)&lt;/script&gt; <b>R&D</b>",
    link='https://a.example/2?a=1&b="x"',
)
ALLOWED_TAGS = {"b", "i", "a", "br", "code"}


class _Html(HTMLParser):
    """Checks that markup is well formed, uses only the tags alerts use, and collects its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: set[str] = set()
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a" and not all(k == "href" and (v or "").startswith(("https://", "http://")) for k, v in attrs):
            self.errors.append(f"odd link attributes {attrs}")
        if tag != "br":
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.errors.append(f"</{tag}> closes nothing")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_text(markup: str) -> str:
    """The text a client shows for this formatted_body; fails if the markup is not clean."""
    parser = _Html()
    parser.feed(markup)
    parser.close()
    assert not parser.errors and not parser.open, (parser.errors, parser.open, markup)
    assert parser.tags <= ALLOWED_TAGS, parser.tags
    return "".join(parser.text)


def content(event: nio.Event) -> dict[str, Any]:
    return event.source["content"]


async def eventually(check: Any, what: str, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.05)


async def delivered_since(h: MatrixHarness, room_id: str, count: int) -> list[nio.Event]:
    """The bot's messages after the first `count`, up to a fresh `!status` (a barrier: what was
    sent before it is in the timeline once its answer is)."""
    barrier = await h.say(room_id, "!status")
    msgs = h.bot_messages(room_id)
    return msgs[count:msgs.index(barrier)]


async def test_room_gets_exactly_one_alert_and_nothing_again_after_restart(matrix_harness):
    h = matrix_harness
    await h.start()
    room = await h.room_with_bot()
    greeting = h.bot_messages(room)[0]
    assert greeting.body.startswith("Comandos:") and "!subscribe" in greeting.body

    reply = await h.say(room, "!subscribe")
    assert reply.body == ("Suscrito: Todas las excarcelaciones (anunciadas y confirmadas). "
                          "Te avisaré aquí.")
    sub = h.store.subscriber("matrix", room)
    assert sub and sub.active and (sub.lang, sub.filter, sub.prison) == ("es", "all", None)
    count = len(h.bot_messages(room))

    h.publish([HOSTILE_CONFIRM])
    await h.poll_and_deliver()
    alerts = await delivered_since(h, room, count)
    assert len(alerts) == 1
    alert = alerts[0]
    assert isinstance(alert, nio.RoomMessageNotice)
    assert alert.body.startswith("✅ Confirmadas 33 de 87 excarcelaciones anunciadas — Tocorón")
    assert "Confirmadas: 33 — Foro Penal" in alert.body
    assert FEED_NAME in alert.body and "<script>alert(1)</script>" in alert.body  # plain text
    c = content(alert)
    assert c["format"] == "org.matrix.custom.html"
    assert c["m.mentions"] == {} and "m.relates_to" not in c
    markup = c["formatted_body"]
    shown = html_text(markup)
    assert "✅ Confirmadas 33 de 87 excarcelaciones anunciadas — Tocorón" in shown
    assert "<script" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "<Loopback>" not in markup and FEED_NAME in shown
    assert "<script>alert(1)</script> R&D" in shown  # the feed's markup is shown, not obeyed

    status = h.bot_messages(room)[-1]
    assert status.body.startswith("Balance de excarcelaciones")
    assert "Anunciadas: 87" in status.body and "Confirmadas: 33" in status.body
    html_text(content(status)["formatted_body"])
    device = h.store.get_kv("matrix.device_id")
    assert device == h.bot.device_id

    # a restart: the outbox sends nothing again, answered commands stay answered, and a command
    # typed while the bot was down is answered once
    before = len(h.bot_messages(room))
    await h.stop()
    await h.human.send(room, "!help")
    await h.start()
    await h.human.until(lambda: len(h.bot_messages(room)) > before, "the late !help answered")
    await h.poll_and_deliver()
    await h.service.deliverer.drain()
    last = await h.say(room, "!sources")  # a barrier: a repeated answer or alert would precede it
    after = h.bot_messages(room)[before:]
    assert [m.body.split("\n")[0] for m in after] == ["Comandos:", "Medios que sigo"]
    assert last is after[-1] and FEED_NAME in last.body
    assert h.notifier.sends == []  # the new process delivered nothing
    assert h.store.get_kv("matrix.device_id") == device


async def test_updates_reply_to_the_first_alert_and_filters_match_telegram(matrix_harness):
    h = matrix_harness
    await h.start()
    everything = await h.room_with_bot()
    tocoron = await h.room_with_bot()
    await h.say(everything, "!subscribe")

    reply = await h.say(tocoron, "!subscribe confirmations")
    assert reply.body.startswith("Suscrito: Solo excarcelaciones confirmadas.")
    sub = h.store.subscriber("matrix", tocoron)
    assert (sub.filter, sub.prison) == ("confirmations", None)
    reply = await h.say(tocoron, "!subscribe confirmations tocoron")  # case and accents forgiven
    assert "Solo excarcelaciones confirmadas — Tocorón" in reply.body
    reply = await h.say(tocoron, "!subscribe confirmations Alcatraz")
    assert reply.body == t("es", "subscribe.unknown_prison", prison="Alcatraz")
    await h.say(tocoron, "!subscribe confirmations Tocorón")
    sub = h.store.subscriber("matrix", tocoron)
    assert (sub.filter, sub.prison) == ("confirmations", "Tocorón")
    counts = {room: len(h.bot_messages(room)) for room in (everything, tocoron)}

    h.publish([ANNOUNCE])
    await h.poll_and_deliver()
    h.publish([CONFIRM, ANNOUNCE])
    await h.poll_and_deliver()

    first, update = await delivered_since(h, everything, counts[everything])
    assert first.body.startswith("📢 Anunciada la excarcelación de 87 presos políticos — Tocorón")
    assert update.body.startswith("🔄 Actualización: confirmadas 33 de 87 excarcelaciones anunciadas")
    assert content(update)["m.relates_to"] == {"m.in_reply_to": {"event_id": first.event_id}}
    for alert in (first, update):
        html_text(content(alert)["formatted_body"])

    (only,) = await delivered_since(h, tocoron, counts[tocoron])  # the announcement was filtered
    assert only.body.startswith("✅ Confirmadas 33 de 87 excarcelaciones anunciadas — Tocorón")
    assert "m.relates_to" not in content(only)  # this room never saw a first alert to reply to


async def test_commands_language_managers_and_staff(matrix_harness):
    h = matrix_harness
    await h.start()
    room = await h.room_with_bot()
    member = h.person("member")
    for person in (h.staff, member):
        invited = await h.human.client.room_invite(room, person.user_id)
        assert isinstance(invited, nio.RoomInviteResponse), invited
        joined = await person.client.join(room)
        assert isinstance(joined, nio.JoinResponse), joined

    assert (await h.say(room, "!language")).body == t("es", "usage.language")
    assert (await h.say(room, "!language fr")).body == t("es", "usage.language")
    assert (await h.say(room, "!language en")).body == "Done: I will write to you in English."
    help_ = await h.say(room, "!help")
    assert help_.body.startswith("Commands:\n!subscribe") and "/" not in help_.body.split("\n")[1]
    assert t("en", "matrix.subscribe_help") in help_.body and "Staff:" not in help_.body
    assert (await h.say(room, "!latest")).body == "No alerts yet."
    sources = await h.say(room, "!sources")
    assert sources.body.startswith("Outlets I watch") and FEED_NAME in sources.body
    assert "&lt;Loopback&gt; &amp; &quot;Co&quot;" in content(sources)["formatted_body"]
    assert (await h.say(room, "!unsubscribe")).body == "This chat was not subscribed."
    assert (await h.say(room, "!frobnicate")).body == t("en", "matrix.unknown", command="frobnicate")

    # a room member without moderator rights cannot change the room's subscription, but may ask
    refused = t("en", "group.admins_only")
    for command in ("!subscribe", "!unsubscribe", "!forget confirm"):
        assert (await h.say(room, command, who=member)).body == refused
    assert h.store.subscriber("matrix", room).active is False
    assert (await h.say(room, "!status", who=member)).body.startswith("Release ledger")

    # staff commands: refused to others, answered to staff (whose room power level is 0)
    for command in ("!feeds", "!stats"):
        assert (await h.say(room, command)).body == t("en", "staff.refused")
        assert (await h.say(room, command, who=member)).body == t("en", "staff.refused")
    assert (await h.say(room, "!subscribe", who=h.staff)).body.startswith("Subscribed:")
    feeds = await h.say(room, "!feeds", who=h.staff)
    assert feeds.body.startswith("Feed health") and FEED_NAME in feeds.body
    stats = await h.say(room, "!stats", who=h.staff)
    assert stats.body.startswith("Active subscribers") and "matrix" in stats.body
    staff_help = await h.say(room, "!help", who=h.staff)
    assert "Staff:\n!queue" in staff_help.body and "!stats — " in staff_help.body

    unsubscribed = await h.say(room, "!unsubscribe")
    assert unsubscribed.body == "Done: no more alerts here. !subscribe to come back."
    assert (await h.say(room, "!forget")).body == t("en", "matrix.forget_confirm")
    assert h.store.subscriber("matrix", room) is not None
    assert (await h.say(room, "!forget confirm")).body == "Erased. I keep nothing about this chat."
    assert h.store.subscriber("matrix", room) is None
    # forgotten: the room is back to the default language
    assert (await h.say(room, "!latest")).body == "Todavía no hay avisos."


async def test_invites_are_accepted_only_from_allowed_inviters(matrix_harness, tmp_path: Path):
    h = matrix_harness
    await h.start()
    stranger = h.person("stranger")
    declined = await stranger.create_room(invite=(h.bot.user_id,))
    accepted = await h.room_with_bot(h.staff)  # staff may invite too
    assert h.bot_messages(accepted, h.staff)[0].body.startswith("Comandos:")
    for _ in range(100):
        if await stranger.membership(declined, h.bot.user_id) == "leave":
            break
        await asyncio.sleep(0.1)
    assert await stranger.membership(declined, h.bot.user_id) == "leave"  # declined, never joined
    await stranger.send(declined, "!help")
    await h.say(accepted, "!help", who=h.staff)  # by now the bot would have answered the stranger
    await stranger.sync()
    assert stranger.events_from(declined, h.bot.user_id) == []

    # allowlist entries: user ids, or server names with or without the colon
    config = MatrixConfig(enabled=True, homeserver=h.synapse.url, user_id="@rw:ngo.example",
                          allowed_inviters=("@ana:elsewhere.example", ":ngo.example", "partner.example"),
                          staff_user_ids=("@boss:staff.example",))
    store = Store(tmp_path / "allow.db")
    platform = MatrixPlatform(Config(matrix=config), store, access_token="unused")
    try:
        allowed = [platform._allowed(u) for u in (
            "@ana:elsewhere.example", "@bob:ngo.example", "@eve:partner.example", "@boss:staff.example",
            "@bob:elsewhere.example", "@eve:evil-ngo.example", None)]
        assert allowed == [True, True, True, True, False, False, False]
    finally:
        await platform.client.close()
        store.close()


async def test_password_login_keeps_one_device_and_joins_configured_rooms(matrix_harness,
                                                                         tmp_path: Path):
    h = matrix_harness
    lobby = await h.human.create_room(public=True)
    await h.start(password=True, rooms=(lobby,))
    assert await h.human.membership(lobby, h.bot.user_id) == "join"
    device = h.store.get_kv("matrix.device_id")
    assert device and device != h.bot.device_id  # its own device, not the registration's

    def devices() -> set[str]:
        with httpx.Client(trust_env=False, timeout=10) as http:
            r = http.get(f"{h.synapse.url}/_synapse/admin/v2/users/{h.bot.user_id}/devices",
                         headers={"Authorization": f"Bearer {h.admin_token()}"})
            assert r.status_code == 200, r.text
            return {d["device_id"] for d in r.json()["devices"]}

    running = devices()
    assert device in running
    await h.restart(password=True)
    assert h.store.get_kv("matrix.device_id") == device
    assert devices() == running  # the same device again, not one more per restart
    assert (await h.say(lobby, "!help")).body.startswith("Comandos:")
    assert len(h.bot_messages(lobby)) == 1  # joining a configured room again greets nobody

    # credentials the homeserver refuses: one plain sentence naming what to fix
    store = Store(tmp_path / "other.db")
    try:
        with pytest.raises(ConfigError, match="refused MATRIX_PASSWORD"):
            await MatrixPlatform(h.config, store, password="not-the-password").start()
        with pytest.raises(ConfigError, match="belongs to"):
            await MatrixPlatform(h.config, store, access_token=h.human.user.access_token).start()
        with pytest.raises(ConfigError, match="refused MATRIX_ACCESS_TOKEN"):
            await MatrixPlatform(h.config, store, access_token="syt_bogus").start()
    finally:
        store.close()


async def test_rate_limit_is_waited_out_not_fought(matrix_harness):
    h = matrix_harness
    await h.start()
    room = await h.room_with_bot()
    await h.say(room, "!subscribe")
    await h.human.sync(timeout_ms=0)
    count = len(h.bot_messages(room))
    h.override_ratelimit(per_second=1, burst=1)

    h.publish([CONFIRM])
    h.store.db.execute("UPDATE feeds SET next_attempt=NULL")  # due now
    report = await h.service.pipeline.poll()  # queued; the delivery loop is not woken yet
    assert report.alerts_queued == 1

    # the notifier turns M_LIMIT_EXCEEDED into RetryAfter(retry_after_ms / 1000)
    limited = None
    for i in range(10):
        try:
            await h.platform.notifier.inner.send(room, Message(f"ping {i}", f"ping {i}"))
        except RetryAfter as exc:
            limited = exc
            if exc.seconds >= 0.5:  # enough of the window left for the alert to run into it
                break
            await asyncio.sleep(exc.seconds)
    assert limited is not None, "Synapse never answered M_LIMIT_EXCEEDED"
    assert 0.5 <= limited.seconds <= 1.5

    h.service.deliverer.wake.set()  # the running service's delivery loop tries now
    await eventually(lambda: h.notifier.to(room), "a delivery attempt")
    assert h.notifier.to(room) == ["RetryAfter"]
    sub = h.store.subscriber("matrix", room)
    row = h.store.db.execute("SELECT status, attempts, error FROM outbox WHERE subscriber_id=?",
                             [sub.id]).fetchone()
    assert row[0] == "pending" and row[1] == 0 and "rate limited" in row[2]
    # and sends it by itself once the wait is over
    await h.human.until(lambda: any(m.body.startswith("✅") for m in h.bot_messages(room)),
                        "the delayed alert", timeout=15)
    # the human's sync can show the event before the bot's send has returned
    await eventually(lambda: h.notifier.to(room)[-1].startswith("$"), "the send recorded")
    h.override_ratelimit(per_second=0, burst=0)  # 0 = no limit: the barrier below is not slowed
    alerts = [m for m in await delivered_since(h, room, count) if not m.body.startswith("ping")]
    assert len(alerts) == 1 and alerts[0].body.startswith("✅ Confirmadas 33 de 87")
    row = h.store.db.execute("SELECT status, attempts FROM outbox WHERE subscriber_id=?",
                             [sub.id]).fetchone()
    assert tuple(row) == ("sent", 1)  # waiting for the rate limit cost no attempt


async def test_kicked_room_is_deactivated_not_retried(matrix_harness):
    h = matrix_harness
    await h.start()
    room = await h.room_with_bot()
    await h.say(room, "!subscribe")
    kicked = await h.human.client.room_kick(room, h.bot.user_id, reason="no more bots")
    assert isinstance(kicked, nio.RoomKickResponse), kicked

    # the bot's sync sees it leave the room and deactivates the room's subscription
    await eventually(lambda: h.store.subscriber("matrix", room).gone, "deactivation on kick")
    with pytest.raises(Gone):
        await h.platform.notifier.inner.send(room, Message("x", "x"))

    # an alert queued before the bot noticed: the send itself finds out, once
    h.store.subscribe("matrix", room, "es")
    h.publish([CONFIRM])
    await h.poll_and_deliver()
    assert h.notifier.to(room) == ["Gone"]
    sub = h.store.subscriber("matrix", room)
    assert sub.gone and not sub.active
    statuses = {r[0] for r in h.store.db.execute(
        "SELECT status FROM outbox WHERE subscriber_id=?", [sub.id])}
    assert statuses == {"failed"}
    h.publish([CONFIRM, ANNOUNCE])
    await h.poll_and_deliver()
    await h.service.deliverer.drain()
    assert h.notifier.to(room) == ["Gone"]  # not retried
    assert h.store.next_pending_time() is None


async def test_without_encryption_an_encrypted_room_gets_told_not_ignored(matrix_harness):
    """`[matrix] encryption = false` (or a crypto store lost with an access token): the bot cannot
    read encrypted rooms and says so. With encryption on, see tests/e2e/test_matrix_e2e.py."""
    h = matrix_harness
    await h.start(encryption=False)
    notice = t("es", "matrix.encrypted")
    room = await h.room_with_bot(encrypted=True)
    assert [m.body for m in h.bot_messages(room)] == [notice]  # not the command list

    # ciphertext (what Element sends here) right after: no second notice within the hour
    await h.human.send_encrypted(room)
    sources = await h.say(room, "!sources")  # plain text is still readable
    assert [m.body for m in h.bot_messages(room)] == [notice, sources.body]
    h.platform.encrypted_notice_every = 0  # as if hours had passed
    await h.human.send_encrypted(room)
    await h.human.until(lambda: len(h.bot_messages(room)) == 3, "a notice for ciphertext")
    assert h.bot_messages(room)[-1].body == notice

    # a room that turns encryption on later is told too
    plain = await h.room_with_bot()
    turned_on = await h.human.client.room_put_state(plain, ENCRYPTION["type"], ENCRYPTION["content"])
    assert isinstance(turned_on, nio.RoomPutStateResponse), turned_on
    await h.human.until(lambda: h.bot_messages(plain)[-1].body == notice, "the notice")


def test_power_levels_follow_the_room_version():
    """Who counts as a room manager: power level 50+, and since room version 12 the creators."""

    def state(version: str, users: dict[str, int], **create: Any) -> list[dict[str, Any]]:
        return [
            {"type": "m.room.create", "state_key": "", "sender": "@founder:hs",
             "content": {"room_version": version, **create}},
            {"type": "m.room.power_levels", "state_key": "", "sender": "@founder:hs",
             "content": {"users": users, "users_default": 0}},
        ]

    v10 = state("10", {"@founder:hs": 100, "@mod:hs": 50})
    assert [_power_level(v10, u) for u in ("@founder:hs", "@mod:hs", "@guest:hs")] == [100, 50, 0]
    v12 = state("12", {"@mod:hs": 50}, additional_creators=["@cofounder:hs"])
    assert _power_level(v12, "@founder:hs") == _power_level(v12, "@cofounder:hs") == float("inf")
    assert _power_level(v12, "@mod:hs") == 50 and _power_level(v12, "@guest:hs") == 0
    demoted = state("10", {"@founder:hs": 0})  # before v12 a creator's power is only the list's
    assert _power_level(demoted, "@founder:hs") == 0
    no_levels = state("10", {})[:1]
    assert _power_level(no_levels, "@founder:hs") == 100 and _power_level(no_levels, "@x:hs") == 0
