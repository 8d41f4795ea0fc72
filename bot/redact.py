"""Redaction: the one step every string that leaves the process passes (logs, tracebacks, stored
errors, feed addresses shown in chats). It replaces secrets with "[redacted]" and must never raise
or print what it was given.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import traceback
from types import TracebackType
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "[redacted]"
SECRET_ENV = ("TELEGRAM_BOT_TOKEN", "MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD", "RELEASEWATCH_KEY", "RELEASEWATCH_OLD_KEYS")
SECRET_PARAMS = frozenset({
    "key", "api_key", "apikey", "api-key", "token", "access_token", "auth_token", "refresh_token", "id_token",
    "secret", "client_secret", "password", "passwd", "pass", "pwd", "auth", "authorization", "signature", "sig",
    "session", "sessionid", "private_token", "x-api-key", "code", "credential", "credentials",
})

# a Telegram bot token (also inside /bot<token>/method URLs); a URL's user:pass@ part; and a secret-
# looking query parameter (only its value goes)
_BOT_TOKEN = re.compile(r"(?<![0-9])[0-9]{6,}:[A-Za-z0-9_-]{30,}")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@")  # greedy: a password may hold an "@"
_NAMES = "|".join(re.escape(p) for p in sorted(SECRET_PARAMS, key=len, reverse=True))
_PARAM = re.compile(rf"(?i)([?&;](?:{_NAMES})=)[^&#\s'\"<>]*")


def _env_secrets() -> list[str]:
    # read on every call, not once: a test or a key rotation changes them, and a stale list leaks
    values = set()
    for name in SECRET_ENV:
        value = os.environ.get(name, "").strip()
        values.add(value)
        if name == "RELEASEWATCH_OLD_KEYS":
            values.update(part.strip() for part in value.split(","))
    # a "secret" of a few characters would blank ordinary words all through the logs
    return sorted((v for v in values if len(v) >= 4), key=len, reverse=True)


def redact(text: object) -> str:
    """text with bot tokens, the environment's secret values, URL userinfo and secret query
    parameters replaced by "[redacted]"."""
    try:
        out = text if isinstance(text, str) else str(text)
        for secret in _env_secrets():
            out = out.replace(secret, MASK)
        out = _BOT_TOKEN.sub(MASK, out)
        out = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", out)
        return _PARAM.sub(lambda m: m.group(1) + MASK, out)
    except Exception:  # noqa: BLE001 - a redactor that fails must not pass the text through
        return MASK


def display_url(url: str) -> str:
    """A feed's address for people: no user:pass@, secret parameters' values redacted."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return redact(url)
    query = "&".join(f"{pair.partition('=')[0]}={MASK}" if unquote(pair.partition("=")[0]).lower() in SECRET_PARAMS
                     else pair for pair in parts.query.split("&") if pair)
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, "")))


def display_name(url: str) -> str:
    """A name for a feed that has none: its host name, nothing else of the URL."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        host = None
    return redact(host or display_url(url))[:200]


def format_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    return redact("".join(traceback.format_exception(exc_type, exc, tb)))


def install_excepthook() -> None:
    """Tracebacks of uncaught exceptions (main thread and others) are printed redacted."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        sys.stderr.write(format_exception(exc_type, exc, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread else "?"
        sys.stderr.write(f"Exception in thread {name}:\n" + format_exception(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = hook
    threading.excepthook = thread_hook
