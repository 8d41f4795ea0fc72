"""Start-up cost of encrypted Matrix rooms: MatrixPlatform with `[matrix] encryption` on and off,
each in a fresh process against a real Synapse (loopback/synapse_server.py), with R encrypted rooms
the bot has joined. Figures: time from start() to the first handled sync, and resident memory
(VmRSS) then, for a first start (new crypto store) and a restart (the store exists).

    .venv/bin/python -m bench.matrix_startup [--rooms 20]

Standalone (not part of `python -m bench`): it needs the `test` extra's Synapse.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _child(url: str, user_id: str, token: str, db: str, encryption: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    from bot.config import Config, MatrixConfig
    from bot.platforms.matrix import MatrixPlatform
    from bot.store import Store

    imported = time.perf_counter() - t0
    store = Store(Path(db))
    config = Config(database=Path(db), matrix=MatrixConfig(enabled=True, homeserver=url, user_id=user_id,
                                                            encryption=encryption))
    platform = MatrixPlatform(config, store, access_token=token)
    t1 = time.perf_counter()
    await platform.start()
    await asyncio.wait_for(platform.ready.wait(), 120)
    ready = time.perf_counter() - t1
    rss = _rss_kib()
    await platform.stop()
    store.close()
    return {"import_s": round(imported, 3), "first_sync_s": round(ready, 3), "rss_mib": round(rss / 1024, 1)}


def _run(args: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.matrix_startup", "--child", *args],
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


async def _rooms(url: str, bot, owner, n: int) -> None:
    import nio

    c = nio.AsyncClient(url, owner.user_id)
    c.restore_login(owner.user_id, owner.device_id, owner.access_token)
    b = nio.AsyncClient(url, bot.user_id)
    b.restore_login(bot.user_id, bot.device_id, bot.access_token)
    enc = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
    for i in range(n):
        r = await c.room_create(name=f"room {i}", invite=[bot.user_id], initial_state=[enc])
        await b.join(r.room_id)
    await c.close()
    await b.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rooms", type=int, default=20)
    ap.add_argument("--child", nargs=5)
    a = ap.parse_args()
    if a.child:
        url, user, token, db, enc = a.child
        print(json.dumps(asyncio.run(_child(url, user, token, db, enc == "1"))))
        return
    from loopback.synapse_server import SynapseServer

    with tempfile.TemporaryDirectory() as tmp, SynapseServer() as hs:
        results = {}
        for enc in ("0", "1"):
            bot, owner = hs.new_user("bench-bot"), hs.new_user("bench-owner")
            asyncio.run(_rooms(hs.url, bot, owner, a.rooms))
            db = str(Path(tmp) / f"rw-{enc}.db")
            first = _run([hs.url, bot.user_id, bot.access_token, db, enc])
            again = _run([hs.url, bot.user_id, bot.access_token, db, enc])
            results["e2e" if enc == "1" else "plain"] = {"first_start": first, "restart": again}
        print(json.dumps({"rooms": a.rooms, **results}, indent=2))


if __name__ == "__main__":
    main()
