"""Logging setup: plain lines or JSON lines. Log records carry ids and counts, never message texts,
watched names or tokens; the JSON formatter drops any extra field not on its allowlist, and both
formatters pass every line, tracebacks included, through bot/redact.py. A warning or error that
repeats is written a few times a minute, then counted (FloodFilter).
"""

from __future__ import annotations

import atexit
import json
import logging
import sys
import time
from collections.abc import Callable

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


class FloodFilter(logging.Filter):
    """The same warning or error (same logger, level and first line) at most `limit` times per
    `window` seconds; the rest are counted and said in one line when the window is over (at the
    next line logged, or at exit). Out of descriptors, asyncio's server logs "socket.accept() out
    of system resource" with a traceback every time it retries: 82 MB of log in 35 s."""

    def __init__(self, limit: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.limit = limit
        self.window = window
        self.clock = clock
        self.handler: logging.Handler | None = None  # where the "suppressed" lines go
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}  # key -> (window start, lines in it)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "flood_summary", False) or record.levelno < logging.WARNING:
            return True
        now = self.clock()
        if self._seen:
            self._flush(now)
        key = (record.name, record.levelno, _first_line(record))
        start, count = self._seen.get(key, (now, 0))
        self._seen[key] = (start, count + 1)
        return count < self.limit

    def flush(self) -> None:
        """Say what is suppressed now, whatever is left of its window (at exit)."""
        self._flush(None)

    def _flush(self, now: float | None) -> None:
        for key, (start, count) in list(self._seen.items()):
            if now is not None and now - start < self.window:
                continue
            del self._seen[key]
            if count > self.limit and self.handler is not None:
                name, level, first = key
                seconds = round((now if now is not None else self.clock()) - start)
                summary = logging.makeLogRecord({
                    "name": name, "levelno": level, "levelname": logging.getLevelName(level),
                    "msg": f"{count - self.limit} more like this suppressed in {seconds} s: {first}",
                    "count": count - self.limit, "flood_summary": True})
                self.handler.handle(summary)


def _first_line(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a bad format string: its template is what repeats
        text = str(record.msg)
    return text.partition("\n")[0][:200]


_exit_flush: list[Callable[[], None]] = []  # the current filter's flush, registered with atexit


def _flush_at_exit(flood: FloodFilter) -> None:
    """What the filter holds back is said at exit, before logging's own exit handler (registered
    first, so run last); one registration, for the handler now in place."""
    for old in _exit_flush:
        atexit.unregister(old)
    _exit_flush[:] = [flood.flush]
    atexit.register(flood.flush)


def setup_logging(fmt: str = "text", verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    flood = FloodFilter()
    flood.handler = handler
    handler.addFilter(flood)
    _flush_at_exit(flood)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    install_excepthook()  # a traceback that reaches the top is printed redacted too
    # libraries' request logs would carry bot tokens in URLs and chat ids
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "nio", "aiohttp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
