"""Child process: a publisher's site and its WebSub hub on 127.0.0.1 (loopback/websub_hub.py), in their
own process so serving them does not compete with the bot for the interpreter lock.

/live is the publisher's feed (ETag, 304, a Link header naming the hub); the hub takes the bot's
subscription and checks it at the bot's callback. Commands on stdin, one JSON line back:

    publish SEQ ISO [ping]   /live gets release item SEQ dated ISO; answers the time.monotonic() of
                             publication; with ping, the hub then fetches /live and pushes it to its
                             subscribers (as a blog's ping makes a hub do), and answers their replies
    subs                     verified subscriptions
    quit                     stop
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from typing import Any

from bench._common import serve_commands
from bench.synth import Item, release_item, rss
from loopback.websub_hub import LoopbackHub


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lease", type=int, default=86400)
    ap.add_argument("--lifetime", type=float, default=900.0)
    args = ap.parse_args()
    hub = LoopbackHub(lease_seconds=args.lease).start()
    live: list[Item] = []
    topic = hub.set_page("/live", rss(live, "Live", "es"))

    def publish(arg: str) -> dict[str, Any]:
        seq, when, *ping = arg.split()
        live.append(release_item(int(seq), datetime.fromisoformat(when)))
        del live[:-20]
        hub.set_page("/live", rss(live, "Live", "es"))
        t = time.monotonic()
        answers = hub.ping(topic) if ping else []
        return {"t": t, "answers": answers}

    print(json.dumps({"hub": hub.url, "topic": topic}), flush=True)
    try:
        serve_commands({"publish": publish, "subs": lambda _: {"subs": len(hub.subscriptions)},
                        "quit": lambda _: {"ok": True}}, args.lifetime)
    finally:
        hub.stop()


if __name__ == "__main__":
    main()
