"""Families end to end through the Bot API emulator: a watched name, privacy of that name, quiet
prison notes, and /forget leaving no trace."""

import pytest

from bot.vault import Vault, VaultError
from tests.e2e.conftest import button, button_for
from tests.news import ago  # items are news: dated within max_alert_age_hours

MOTHER = 2001
COUSIN = 2002
NGO_GROUP = -1002003

NAMED = {
    "title": "Foro Penal confirma la excarcelación de 3 presos políticos en Rodeo I",
    "description": ("Los nombres de quienes recuperaron su libertad son: Maria Jose Perez Gómez, "
                    "Luis Alberto Rivas y Carmen Rosa Díaz, informó Foro Penal."),
    "guid": "named-1", "link": "https://a.example/named-1", "pubDate": ago(hours=60),
}
OTHER_PEREZ = {
    "title": "Excarcelan a 2 presos políticos en Yare III, según sus familiares",
    "description": "Entre los excarcelados están José Pérez Salas y Andrés Mijares Tovar, confirmó JEyP.",
    "guid": "named-2", "link": "https://a.example/named-2", "pubDate": ago(hours=20),
}
TRANSFER = {
    "title": "Trasladan a 40 presos políticos de Tocorón a Rodeo II sin avisar a sus familias",
    "description": "Los familiares denunciaron el traslado en la madrugada.",
    "guid": "tr-1", "link": "https://a.example/tr-1", "pubDate": ago(hours=4),
}
TRANSFER_2 = {**TRANSFER, "guid": "tr-2", "link": "https://a.example/tr-2",
              "title": "Suspenden las visitas en Tocorón durante dos semanas",
              "description": "El Ministerio Penitenciario no explicó el motivo."}


@pytest.fixture
def key(monkeypatch):
    k = Vault.new_key()
    monkeypatch.setenv("RELEASEWATCH_KEY", k)
    return k


@pytest.fixture
async def h(key, harness):
    return harness


async def test_watched_name_gets_one_private_possible_match_and_never_leaks(h, key, tmp_path):
    reply = await h.say(MOTHER, "/start", language_code="es")
    await h.press(MOTHER, reply, button(reply, "lang:es"))
    reply = await h.say(MOTHER, "/watch María José Pérez")
    assert reply["text"].startswith("Listo.")
    assert any(chat == MOTHER for chat, _ in h.emu.deleted)  # her message with the name is removed

    # an NGO group subscribed to everything, where someone tries /watch too
    reply = await h.say(NGO_GROUP, "/watch María José Pérez", chat_type="supergroup", user_id=77, title="ONG")
    assert "chat privado" in reply["text"]
    reply = await h.say(NGO_GROUP, "/subscribe", chat_type="supergroup", user_id=78, title="ONG")
    assert "Solo los administradores" in reply["text"]  # a member who is not an admin
    h.emu.set_admins(NGO_GROUP, [77])
    reply = await h.say(NGO_GROUP, "/subscribe", chat_type="supergroup", user_id=77, title="ONG")
    reply = await h.press(NGO_GROUP, reply, button(reply, "sub:all"), user_id=77)
    assert reply["text"].startswith("Suscrito")

    before = len(h.emu.messages_for(MOTHER))
    h.publish([NAMED])
    await h.poll_and_deliver()
    alerts = h.emu.messages_for(MOTHER)[before:]
    assert len(alerts) == 1
    text = alerts[0]["text"]
    assert text.startswith("Posible coincidencia: una noticia sobre excarcelaciones menciona a Maria Jose Perez Gómez")
    assert "Luis Alberto Rivas" in text  # the quoted sentence
    assert "Fuente: Noticias Loopback" in text

    # a different José Pérez does not alert her
    h.publish([OTHER_PEREZ, NAMED])
    await h.poll_and_deliver()
    assert len(h.emu.messages_for(MOTHER)) == before + 1

    group = h.emu.messages_for(NGO_GROUP)
    assert any("3 excarcelaciones" in m["text"] or "Confirmadas" in m["text"] for m in group)
    assert not any("María José Pérez" in (m["raw_text"] or "") or "coincidencia" in (m["raw_text"] or "")
                   for m in group)

    # without the key the names cannot be read; nowhere in the files is the name in clear
    rows = h.store.watches()
    assert len(rows) == 1 and "rez" not in rows[0]["name_enc"]
    with pytest.raises(VaultError):
        Vault(Vault.new_key()).decrypt(rows[0]["name_enc"])
    assert Vault(key).decrypt(rows[0]["name_enc"]) == "María José Pérez"
    h.store.db.execute("PRAGMA wal_checkpoint(FULL)")
    for path in tmp_path.glob("rw.db*"):
        assert "María José Pérez".encode() not in path.read_bytes(), path.name


async def test_prison_notes_are_quiet_and_can_be_turned_off(h):
    reply = await h.say(COUSIN, "/subscribe", language_code="es")
    reply = await h.press(COUSIN, reply, button(reply, "sub:prison"))
    reply = await h.press(COUSIN, reply, button_for(reply, "Tocorón"))
    await h.press(COUSIN, reply, button_for(reply, "Todas las excarcelaciones (anunciadas y confirmadas)"))
    before = len(h.emu.messages_for(COUSIN))
    h.publish([TRANSFER])
    await h.poll_and_deliver()
    notes = h.emu.messages_for(COUSIN)[before:]
    assert len(notes) == 1
    assert notes[0]["text"].startswith("Nota: noticias de traslados en Tocorón.")
    assert notes[0]["disable_notification"] is True
    reply = await h.say(COUSIN, "/notes off")
    assert reply["text"].startswith("Ya no recibirás notas")
    h.publish([TRANSFER_2, TRANSFER])
    await h.poll_and_deliver()
    assert len(h.emu.messages_for(COUSIN)) == before + 2  # the note, the /notes reply, nothing more


async def test_forget_leaves_no_trace_in_any_table(h):
    reply = await h.say(MOTHER, "/subscribe", language_code="es")
    await h.press(MOTHER, reply, button(reply, "sub:all"))
    await h.say(MOTHER, "/watch María José Pérez")
    h.publish([NAMED])
    await h.poll_and_deliver()
    sub = h.store.subscriber("telegram", MOTHER)
    assert h.store.watches(sub.id) and h.store.outbox_counts().get("sent")
    reply = await h.say(MOTHER, "/forget")
    reply = await h.press(MOTHER, reply, "forget:yes")
    assert reply["text"].startswith("Borrado")
    db = h.store.db
    for table in db.table_names():
        for column in db[table].columns_dict:
            n = db.execute(
                f"SELECT count(*) FROM [{table}] WHERE CAST([{column}] AS TEXT) = ? "
                + ("OR [subscriber_id] = ?" if column == "subscriber_id" else ""),
                [str(MOTHER), sub.id] if column == "subscriber_id" else [str(MOTHER)],
            ).fetchone()[0]
            assert n == 0, f"{table}.{column} still mentions the chat"
