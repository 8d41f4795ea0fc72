"""`releasewatch demo`: the real pipeline on our bundled sample feeds, offline."""

import io

from bot.demo import run_demo


async def test_demo_alerts_each_event_once_and_nothing_else():
    out = io.StringIO()
    count = await run_demo("en", out=out)
    text = out.getvalue()
    alerts = text.split("alert #")[1:]
    assert count == len(alerts) == 6, text
    assert alerts[0].split("\n", 1)[1].startswith("✅ Confirmed: 71 political prisoners released — Tocorón")
    assert "Confirmed 33 of 87 announced releases — Tocorón" in alerts[1]
    assert "(reply to #2)" in alerts[2] and "52 of 87" in alerts[2]
    # a round retold by four outlets: the attorney general's figure is announced (never confirmed),
    # two verifiers confirm theirs, one disputes the official figure; the retelling alerts nobody
    # (speakers in the reader's language: the Fiscalía is the Prosecutor's Office in English)
    assert "Announced: 225 — Prosecutor's Office (Tarek William Saab)" in alerts[3] and "Confirmed:" not in alerts[3]
    assert "(reply to #4)" in alerts[4] and "Confirmed: 107 — Foro Penal" in alerts[4]
    assert "Foro Penal disputes the official figure" in alerts[4]
    # an update whose only news is a new verifier says so, not the previous headline again
    assert "(reply to #4)" in alerts[5] and "53 — JEyP" in alerts[5]
    assert alerts[5].split("\n", 1)[1].startswith("🔄 JEyP confirms 53 releases — Rodeo I, El Helicoide")
    # one speaker, one name in every alert of a round (not "Gobierno (Nicolás Maduro)", then "Gobierno")
    assert "87 — Government (Nicolás Maduro)" in alerts[1] and "87 — Government (Nicolás Maduro)" in alerts[2]
    assert "attorney general says 225" not in text.split("Release ledger")[0]
    # the arrests, the Nicaraguan expulsion, the riot, oil and baseball make no alert
    for trap in ("14", "135", "Nicaragua", "barrels", "guards"):
        assert trap not in "".join(a.split("Read:")[0] for a in alerts), trap
    assert "Political prisoners still held: 720" in text
    # "JEyP contabiliza 33" counts releases, not the prisoners still held: no tally of 33
    assert "still held: 33" not in text
