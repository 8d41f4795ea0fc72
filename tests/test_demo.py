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
    assert "Announced: 225 — Fiscalía (Tarek William Saab)" in alerts[3] and "Confirmed:" not in alerts[3]
    assert "(reply to #4)" in alerts[4] and "Confirmed: 107 — Foro Penal" in alerts[4]
    assert "Foro Penal disputes the official figure" in alerts[4]
    assert "(reply to #4)" in alerts[5] and "53 — JEyP" in alerts[5]
    assert "attorney general says 225" not in text.split("Release ledger")[0]
    # the arrests, the Nicaraguan expulsion, the riot, oil and baseball make no alert
    for trap in ("14", "135", "Nicaragua", "barrels", "guards"):
        assert trap not in "".join(a.split("Read:")[0] for a in alerts), trap
    assert "Political prisoners still held: 720" in text
    # "JEyP contabiliza 33" counts releases, not the prisoners still held: no tally of 33
    assert "still held: 33" not in text
