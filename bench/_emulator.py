"""Child process: the Bot API emulator (loopback/tg_emulator.py) on 127.0.0.1, in its own process so
"Telegram" does not share the bot's interpreter lock. Commands on stdin, one JSON line back:

    stats        429 count, successful sends, requests by method
    times        receive time (time.monotonic, comparable across processes) of every send
    texts        the same with chat id and text
    reset        forget counters and rate-limit state
    quit         stop
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from bench._common import serve_commands
from loopback.tg_emulator import BotApiEmulator


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--global-rate", type=float, default=30.0, help="messages/s over all chats; 0 = none")
    ap.add_argument("--paid-rate", type=float, default=1000.0,
                    help="messages/s for paid broadcasts (allow_paid_broadcast); 0 = none")
    ap.add_argument("--max-sent", type=int, default=20_000)
    ap.add_argument("--lifetime", type=float, default=900.0, help="stop after this many seconds")
    args = ap.parse_args()
    emu = BotApiEmulator(global_rate=args.global_rate or None, paid_rate=args.paid_rate or None, max_sent=args.max_sent,
                         max_messages_per_chat=20)
    emu.start()

    def stats(_: str) -> dict[str, Any]:
        return {"count_429": emu.count_429, "sent": emu.sent_count, "paid": emu.count_paid, "cpu_s": time.process_time(),
                "requests": dict(emu.count_requests), "errors": {str(k): v for k, v in emu.count_errors.items()}}

    def times(_: str) -> dict[str, Any]:
        return {"times": [(m["timestamp"], m["chat_id"]) for m in emu.sent]}

    def texts(_: str) -> dict[str, Any]:
        return {"texts": [(m["timestamp"], m["chat_id"], (m["text"] or "")[:1000]) for m in emu.sent]}

    def reset(_: str) -> dict[str, Any]:
        emu.reset_counters()
        emu.reset_rate_state()
        return {"ok": True}

    print(json.dumps({"url": emu.url, "token": emu.token}), flush=True)
    try:
        serve_commands({"stats": stats, "times": times, "texts": texts, "reset": reset, "quit": lambda _: {"ok": True}},
                       args.lifetime)
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
