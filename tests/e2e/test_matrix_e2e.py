"""Encrypted Matrix rooms against the real Synapse: members whose nio clients have encryption on
(each with its own crypto store) talk to the bot in end-to-end encrypted rooms. Alerts, command
answers, review posts and a watched name's private alert are sent encrypted and decrypt exactly
once; the bot keeps its device across restarts, takes in a member's new device, asks for keys it
lacks, survives losing its crypto store, and keeps the staff room for verified devices on request.
A staff member's `!chart` in an encrypted room is an encrypted image: ciphertext on the server."""

from __future__ import annotations

import logging
import shutil
import stat

import httpx
import nio
from nio.crypto import decrypt_attachment

from bot.i18n import t
from bot.platforms.matrix import crypto as matrix_crypto
from bot.vault import Vault
from tests.e2e.matrix_harness import (  # noqa: F401 - fixtures
    EncryptedHuman,
    MatrixHarness,
    matrix_harness_fixture,
    matrix_users_fixture,
    synapse_fixture,
)
from tests.e2e.test_families_e2e import NAMED
from tests.e2e.test_matrix_synapse import content, eventually, html_text
from tests.e2e.test_staff_e2e import VAGUE
from tests.test_pipeline import ANNOUNCE, CONFIRM

CONFIRMED = "✅ Confirmadas 33 de 87 excarcelaciones anunciadas — Tocorón"


def bot_said(h: MatrixHarness, who: EncryptedHuman, room: str) -> list[nio.Event]:
    """Everything the bot posted in `room` as `who` saw it; each must have come encrypted and decrypted."""
    msgs = h.bot_messages(room, who)
    assert all(m.decrypted for m in msgs), [m.body[:40] for m in msgs if not m.decrypted]
    assert who.undecrypted(room, h.bot.user_id) == []
    return msgs


async def delivered_since(h: MatrixHarness, who: EncryptedHuman, room: str, count: int) -> list[nio.Event]:
    """The bot's messages after the first `count`, up to the answer to a fresh `!status` (a barrier)."""
    barrier = await h.say(room, "!status", who=who)
    msgs = bot_said(h, who, room)
    return msgs[count:msgs.index(barrier)]


def server_devices(h: MatrixHarness, user_id: str) -> set[str]:
    with httpx.Client(trust_env=False, timeout=10) as http:
        r = http.get(f"{h.synapse.url}/_synapse/admin/v2/users/{user_id}/devices",
                     headers={"Authorization": f"Bearer {h.admin_token()}"})
        assert r.status_code == 200, r.text
        return {d["device_id"] for d in r.json()["devices"]}


def server_copy(h: MatrixHarness, room: str) -> list[dict]:
    """The room's events as the homeserver stores them (admin API): what its operator can read."""
    with httpx.Client(trust_env=False, timeout=10) as http:
        r = http.get(f"{h.synapse.url}/_synapse/admin/v1/rooms/{room}/messages",
                     params={"dir": "b", "limit": 1000}, headers={"Authorization": f"Bearer {h.admin_token()}"})
        assert r.status_code == 200, r.text
        return r.json()["chunk"]


async def test_encrypted_room_alerts_status_restart_and_a_new_device(matrix_harness):
    h = matrix_harness
    ana = await h.encrypted_person("ana")
    await h.start(allowed_inviters=(ana.user_id,))
    device = h.store.get_kv("matrix.device_id")

    room = await h.room_with_bot(ana, encrypted=True)
    greeting = bot_said(h, ana, room)[0]
    assert greeting.body.startswith("Comandos:") and "!subscribe" in greeting.body  # not "cannot read"
    reply = await h.say(room, "!subscribe", who=ana)
    assert reply.decrypted and reply.body.startswith("Suscrito: Todas las excarcelaciones")
    count = len(bot_said(h, ana, room))

    h.publish([CONFIRM])
    await h.poll_and_deliver()
    alerts = await delivered_since(h, ana, room, count)
    assert len(alerts) == 1
    alert = alerts[0]
    assert isinstance(alert, nio.RoomMessageNotice) and alert.decrypted
    assert alert.body.startswith(CONFIRMED) and "Confirmadas: 33 — Foro Penal" in alert.body
    assert CONFIRMED in html_text(content(alert)["formatted_body"])
    status = bot_said(h, ana, room)[-1]
    assert status.body.startswith("Balance de excarcelaciones") and "Confirmadas: 33" in status.body
    # the homeserver holds ciphertext only: none of the bot's words are in its copy of the room
    stored = server_copy(h, room)
    assert {e["type"] for e in stored if e["sender"] == h.bot.user_id and "state_key" not in e} == {"m.room.encrypted"}
    assert "Tocorón" not in str(stored) and "subscribe" not in str(stored)

    # a restart on the same crypto store: the same device, nothing repeated, the next alert decrypts
    count = len(bot_said(h, ana, room))
    await h.restart()
    assert h.store.get_kv("matrix.device_id") == device
    h.publish([CONFIRM, ANNOUNCE])
    await h.poll_and_deliver()
    assert h.notifier.sends == []  # the confirmed release was delivered before the restart
    assert (await delivered_since(h, ana, room, count)) == []

    # ana logs in on a second phone: that device gets the keys of what the bot says from now on
    phone = await h.encrypted_person(same_as=ana)
    assert phone.device_id != ana.client.device_id
    await eventually(lambda: phone.device_id in h.platform.client.device_store[ana.user_id],
                     "the bot learning about the new device")
    await phone.sync(0)
    before = len(h.bot_messages(room, phone))
    history = len(phone.undecrypted(room, h.bot.user_id))  # sent before the phone existed: not for it
    update = dict(CONFIRM, guid="a-3", link="https://a.example/3",
                  title="Foro Penal confirma 40 excarcelaciones de las 87 anunciadas",
                  description="Los 40 presos políticos salieron de Tocorón, informó Foro Penal.")
    h.publish([update])
    await h.poll_and_deliver()
    barrier = await h.say(room, "!status", who=phone)
    seen = h.bot_messages(room, phone)
    news = seen[before:seen.index(barrier)]
    assert all(m.decrypted for m in seen) and len(phone.undecrypted(room, h.bot.user_id)) == history
    assert len(news) == 1 and news[0].body.startswith("🔄") and "40" in news[0].body
    assert barrier.body.startswith("Balance de excarcelaciones")
    # and the first phone reads the same update
    await ana.until(lambda: any(m.body == news[0].body for m in bot_said(h, ana, room)), "the update on the first phone")
    assert [m.body for m in bot_said(h, ana, room)].count(news[0].body) == 1


async def test_encrypted_direct_room_serves_watch_and_the_private_alert(matrix_harness, monkeypatch):
    monkeypatch.setenv("RELEASEWATCH_KEY", Vault.new_key())
    h = matrix_harness
    mother = await h.encrypted_person("mother")
    await h.start(allowed_inviters=(mother.user_id,))
    group = await h.room_with_bot(mother, encrypted=True)  # a room with other people in it
    cousin = await h.encrypted_person("cousin")
    assert isinstance(await mother.client.room_invite(group, cousin.user_id), nio.RoomInviteResponse)
    assert isinstance(await cousin.client.join(group), nio.JoinResponse)
    refused = await h.say(group, "!watch María José Pérez", who=mother)
    assert refused.body == t("es", "watch.private_only")
    await h.say(group, "!subscribe", who=mother)

    direct = await mother.create_room(invite=(h.bot.user_id,), encrypted=True, direct=True)
    await mother.until(lambda: h.bot_messages(direct, mother), "the greeting in the direct room")
    reply = await h.say(direct, "!watch María José Pérez", who=mother)
    assert reply.decrypted and reply.body.startswith("Listo.")
    count = len(bot_said(h, mother, direct))

    h.publish([NAMED])
    await h.poll_and_deliver()
    (alert,) = await delivered_since(h, mother, direct, count)
    assert alert.decrypted
    assert alert.body.startswith("Posible coincidencia: una noticia sobre excarcelaciones menciona a Maria Jose Perez Gómez")
    assert "Luis Alberto Rivas" in alert.body
    # the name never appears in the group room, and the homeserver never saw it in either room
    await cousin.sync(0)
    assert not any("Pérez" in m.body or "coincidencia" in m.body for m in h.bot_messages(group, cousin))
    for room in (direct, group):
        stored = str(server_copy(h, room))
        assert "Pérez" not in stored and "Perez" not in stored and "watch" not in stored


async def test_undecryptable_command_asks_for_keys_then_asks_to_resend_once(matrix_harness):
    h = matrix_harness
    ana = await h.encrypted_person("ana")
    await h.start(allowed_inviters=(ana.user_id,))
    h.platform.undecryptable_wait = 1.0
    room = await h.room_with_bot(ana, encrypted=True)
    await h.say(room, "!sources", who=ana)  # ana's client knows the bot's device by now

    # ana's client keeps the room key from the bot's device (as a client that never saw the device would)
    (bot_device,) = ana.client.device_store[h.bot.user_id].values()
    ana.client.blacklist_device(bot_device)
    resend = t("es", "matrix.undecryptable", sender=ana.user_id)
    asked = await h.say(room, "!status", who=ana)
    assert asked.body == resend
    assert h.platform.client.outgoing_key_requests  # it asked for the key before giving up
    # another message in the same session: no second request to resend
    await ana.send(room, "!latest")
    ana.client.unblacklist_device(bot_device)
    answer = await h.say(room, "!sources", who=ana)
    assert answer.body.startswith("Medios que sigo")
    bodies = [m.body for m in bot_said(h, ana, room)]
    assert bodies.count(resend) == 1 and not any(b.startswith("Balance") for b in bodies)


async def test_lost_crypto_store_starts_a_new_device_and_is_said_once(matrix_harness, caplog):
    h = matrix_harness
    ana = await h.encrypted_person("ana")
    await h.start(password=True, allowed_inviters=(ana.user_id,))
    old = h.store.get_kv("matrix.device_id")
    keys = matrix_crypto.store_dir(h.config)
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    files = list(keys.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    room = await h.room_with_bot(ana, encrypted=True)
    await h.say(room, "!subscribe", who=ana)

    # `releasewatch backup` copies the crypto store beside the database backup, owner-only
    backup = matrix_crypto.backup(h.config, h.tmp_path / "backup.db")
    assert backup == h.tmp_path / "backup.matrix-crypto" and stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert matrix_crypto.has_account(backup, h.bot.user_id, old)

    await h.stop()
    shutil.rmtree(keys)
    with caplog.at_level(logging.WARNING, logger="releasewatch.matrix"):
        await h.start(password=True)
    said = [r.getMessage() for r in caplog.records if "crypto store" in r.getMessage()]
    assert len(said) == 1 and f"device {old} is missing" in said[0] and "new device" in said[0]
    new = h.store.get_kv("matrix.device_id")
    assert new != old and old not in server_devices(h, h.bot.user_id)  # the dead device is removed
    count = len(bot_said(h, ana, room))
    h.publish([CONFIRM])
    await h.poll_and_deliver()
    (alert,) = await delivered_since(h, ana, room, count)
    assert alert.body.startswith(CONFIRMED) and alert.decrypted

    # restarting on the new store is quiet; restoring the old store brings back the old keys
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="releasewatch.matrix"):
        await h.restart(password=True)
    assert h.store.get_kv("matrix.device_id") == new
    assert not [r for r in caplog.records if "crypto store" in r.getMessage()]
    await h.stop()
    assert matrix_crypto.restore(h.config, h.tmp_path / "backup.db") == keys
    assert matrix_crypto.has_account(keys, h.bot.user_id, old)


async def test_access_token_without_its_store_keeps_plain_rooms_working(matrix_harness, caplog):
    h = matrix_harness
    await h.start()
    await h.stop()
    shutil.rmtree(matrix_crypto.store_dir(h.config))
    with caplog.at_level(logging.ERROR, logger="releasewatch.matrix"):
        await h.start()
    (said,) = [r.getMessage() for r in caplog.records if "crypto store" in r.getMessage()]
    assert "MATRIX_ACCESS_TOKEN belongs to that device" in said
    plain = await h.room_with_bot()
    assert (await h.say(plain, "!subscribe")).body.startswith("Suscrito")
    encrypted = await h.room_with_bot(encrypted=True)
    assert h.bot_messages(encrypted)[0].body == t("es", "matrix.encrypted")


async def test_staff_room_keys_go_only_to_verified_devices(matrix_harness):
    h = matrix_harness
    boss = await h.encrypted_person("boss")
    staff_room = await boss.create_room(invite=(h.bot.user_id,), encrypted=True)
    await boss.sync(0)
    key = boss.client.olm.account.identity_keys["ed25519"]
    spaced = " ".join(key[i:i + 4] for i in range(0, len(key), 4))  # as Element shows it
    await h.start(staff_room=staff_room, rooms=(staff_room,), staff_user_ids=(boss.user_id,),
                  allowed_inviters=(boss.user_id, h.human.user_id), trust="verified_staff_room",
                  verified_devices=(f"{boss.user_id} {boss.device_id} {spaced}",))
    laptop = await h.encrypted_person(same_as=boss)  # a session nobody verified (or the server added)
    await eventually(lambda: laptop.device_id in h.platform.client.device_store[boss.user_id],
                     "the bot learning about the unverified device")
    family = await h.room_with_bot()
    await h.say(family, "!subscribe")

    h.publish([VAGUE])
    await h.poll_and_deliver()
    post = await boss.until(
        lambda: [e for e in h.bot_messages(staff_room, boss) if e.body.startswith("⏸")], "a held alert")
    assert post[-1].decrypted and "!approve 1" in post[-1].body
    await laptop.sync(0)
    assert [e for e in laptop.timeline.get(staff_room, []) if e.sender == h.bot.user_id]
    assert h.bot_messages(staff_room, laptop) == []  # it received the posts, but not their keys
    assert laptop.undecrypted(staff_room, h.bot.user_id)
    approved = await h.say(staff_room, "!approve 1", who=boss)
    assert approved.decrypted and approved.body.startswith("Aprobada")

    # outside the staff room, the same unverified device reads the bot (trust "members")
    shared = await h.room_with_bot(boss, encrypted=True)
    await laptop.sync(0)
    answer = await h.say(shared, "!sources", who=boss)
    await laptop.until(lambda: any(m.body == answer.body for m in h.bot_messages(shared, laptop)),
                       "the answer on the unverified device")


async def test_encrypted_room_gets_the_chart_as_an_encrypted_image(matrix_harness):
    h = matrix_harness
    boss = await h.encrypted_person("boss")
    await h.start(staff_user_ids=(boss.user_id,), allowed_inviters=(boss.user_id,))
    room = await h.room_with_bot(boss, encrypted=True)
    chart = await h.say(room, "!chart", who=boss)
    assert isinstance(chart, nio.RoomEncryptedImage) and chart.decrypted, chart
    assert chart.body == t("es", "chart.caption") and chart.mimetype == "image/png"
    stored = boss.download(chart.url)
    assert not stored.startswith(b"\x89PNG")  # the media repository holds ciphertext only
    png = decrypt_attachment(stored, chart.key["k"], chart.hashes["sha256"], chart.iv)
    assert png.startswith(b"\x89PNG") and chart.source["content"]["info"]["size"] == len(png)
    assert "url" not in chart.source["content"]
