"""Logging setup: plain lines or JSON lines. Log records carry ids and counts, never message texts,
watched names or tokens; the JSON formatter drops any extra field not on its allowlist, and both
formatters pass every line, tracebacks included, through bot/redact.py.
"""

from __future__ import annotations

import json
import logging
import sys

from .redact import install_excepthook, redact

# extra={...} keys that may appear in logs: counts, feed names, internal row ids, reasons
SAFE_FIELDS = frozenset(
    {"feed", "error", "streak", "feeds", "failed", "new_items", "alerts", "rows", "row", "reason",
     "subscriber", "platform", "event", "revision", "seconds", "count"}
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key in SAFE_FIELDS:
            if key in record.__dict__:
                value = record.__dict__[key]
                data[key] = value if isinstance(value, int | float | None) else redact(value)
        if record.exc_info:
            data["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        extras = " ".join(f"{k}={record.__dict__[k]}" for k in sorted(SAFE_FIELDS) if k in record.__dict__)
        return redact(f"{base} {extras}".rstrip())


def setup_logging(fmt: str = "text", verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    install_excepthook()  # a traceback that reaches the top is printed redacted too
    # libraries' request logs would carry bot tokens in URLs and chat ids
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "nio", "aiohttp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
