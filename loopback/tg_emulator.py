"""A Telegram Bot API emulator on 127.0.0.1 for tests.

It speaks the real HTTP Bot API (``/bot<TOKEN>/<method>`` and ``/file/bot<TOKEN>/<path>``) well
enough that the real python-telegram-bot ``Application`` runs against it unchanged::

    emu = BotApiEmulator().start()
    app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url)
           .base_file_url(emu.base_file_url).build())

It checks requests like Telegram does (4096/1024-character limits counted in UTF-16 code units
after entity parsing, strict HTML parse mode, replies to missing messages, callback data size),
answers 429 + ``retry_after`` when the global / per-chat / per-group rate limits are exceeded,
can inject faults (blocked users, kicked bot, unknown chats, migrated groups, 500s, dropped
connections) and lets a test inject user messages, button presses and membership changes.

The aiohttp server runs in its own daemon thread with its own event loop, so it can serve a bot
running in the test's event loop or in a separate process. All public helpers are thread-safe.
Everything stored is bounded.

It is one long module (about 2,100 lines) on purpose: every Bot API method it answers shares one
server state (chats, messages, rate-limit windows, injected faults) under one lock, and tests read
it as one stand-in for Telegram; split by method, each part would reach into the same state.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import random
import re
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

__all__ = ["BotApiEmulator", "EntityParseError", "parse_html", "utf16_len"]

# --------------------------------------------------------------------------------------------
# Limits and constants (the values Telegram documents)
# --------------------------------------------------------------------------------------------

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_CALLBACK_ANSWER = 200

SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})

#: Methods that are accepted and answered with ``True`` without further emulation.
TRIVIAL_METHODS = (
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
    "pinChatMessage",
    "unpinChatMessage",
)

KNOWN_METHODS = (
    "getMe",
    "getUpdates",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "deleteMessage",
    "sendPhoto",
    "sendDocument",
    "sendChatAction",
    "answerCallbackQuery",
    "getChat",
    "getChatMember",
    "getChatAdministrators",
    "leaveChat",
    "getFile",
    "close",
    "logOut",
    *TRIVIAL_METHODS,
)
_CANONICAL = {m.lower(): m for m in KNOWN_METHODS}

# Update types Telegram does not send unless they are listed explicitly in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

MSG_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
MSG_QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class _Upload:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class _ChatError:
    status: int
    description: str
    parameters: dict | None = None
    reads: bool = True  # also applies to getChat / getChatMember / getChatAdministrators


# --------------------------------------------------------------------------------------------
# HTML parse mode (modelled on tdlib's parse_html, which is what the Bot API uses)
# --------------------------------------------------------------------------------------------


class EntityParseError(ValueError):
    """Text cannot be parsed in the requested parse mode."""


_SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre",
        "span", "tg-spoiler", "tg-emoji", "blockquote",
    }
)  # fmt: skip
_TAG_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,10})|#[xX]([0-9a-fA-F]{1,8})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units, the unit Telegram counts in."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, i: int) -> tuple[str | None, int]:
    m = _ENTITY_RE.match(text, i)
    if not m:
        return None, i
    dec, hexa, name = m.groups()
    if name:
        return _NAMED[name], m.end()
    cp = int(dec) if dec else int(hexa, 16)
    if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        return None, i
    return chr(cp), m.end()


def _decode_attr(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&":
            ch, j = _decode_entity(raw, i)
            if ch is not None:
                out.append(ch)
                i = j
                continue
        out.append(raw[i])
        i += 1
    return "".join(out)


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict]]:
    """Parse Telegram HTML. Returns (visible text, entities with UTF-16 offsets).

    Raises EntityParseError with a tdlib-style message on invalid markup. With
    ``strict_ampersand`` (the default) a raw ``&`` that does not start one of the entities
    ``&lt; &gt; &amp; &quot; &#NN; &#xHH;`` is rejected, as Telegram's documentation requires
    (real Telegram silently keeps it).
    """
    out: list[str] = []
    pos16 = 0
    stack: list[dict] = []
    entities: list[dict] = []
    n = len(text)
    i = 0

    def err(msg: str) -> EntityParseError:
        return EntityParseError(msg)

    while i < n:
        c = text[i]
        if c == "&":
            ch, j = _decode_entity(text, i)
            if ch is not None:
                out.append(ch)
                pos16 += utf16_len(ch)
                i = j
                continue
            if strict_ampersand:
                raise err(
                    f'Character "&" is reserved and must be escaped as "&amp;" at byte offset '
                    f"{_byte_offset(text, i)}"
                )
        if c != "<":
            out.append(c)
            pos16 += utf16_len(c)
            i += 1
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":  # end tag
            i += 1
            j = i
            while j < n and text[j] != ">" and not text[j].isspace():
                j += 1
            name = text[i:j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise err(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            if not stack:
                raise err(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            top = stack.pop()
            if name != top["tag"]:
                raise err(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{top["tag"]}>", found "</{name}>"'
                )
            i = j + 1
            length = pos16 - top["start"]
            tag, tag_attrs = top["tag"], top["attrs"]
            if tag == "code" and stack and stack[-1]["tag"] == "pre":
                lang = tag_attrs.get("class", "")
                if lang.startswith("language-") and len(lang) > 9:
                    stack[-1]["language"] = lang[9:]
                    continue
            if length <= 0:
                continue
            ent: dict[str, Any] = {"type": _TAG_TYPE[tag], "offset": top["start"], "length": length}
            if tag == "a":
                href = tag_attrs.get("href")
                if not href:
                    continue
                ent["url"] = href
            elif tag == "pre" and top.get("language"):
                ent["language"] = top["language"]
            elif tag == "tg-emoji":
                ent["custom_emoji_id"] = tag_attrs["emoji-id"]
            elif tag == "blockquote" and "expandable" in tag_attrs:
                ent["type"] = "expandable_blockquote"
            entities.append(ent)
            continue

        # start tag
        j = i
        while j < n and text[j] != ">" and not text[j].isspace():
            j += 1
        if j >= n:
            raise err(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[i:j].lower()
        if name not in _SUPPORTED_TAGS:
            raise err(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}')
        attrs: dict[str, str] = {}
        i = j
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise err(f'Unclosed start tag "{name}" at byte offset {_byte_offset(text, begin)}')
            if text[i] == ">":
                i += 1
                break
            k = i
            while k < n and text[k] in _ATTR_NAME_CHARS:
                k += 1
            if k == i:
                raise err(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            aname = text[i:k].lower()
            i = k
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise err(f'Unclosed start tag "{name}" at byte offset {_byte_offset(text, begin)}')
            if text[i] != "=":
                attrs[aname] = ""
                continue
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise err(f'Unclosed start tag "{name}" at byte offset {_byte_offset(text, begin)}')
            if text[i] in "'\"":
                end = text.find(text[i], i + 1)
                if end < 0:
                    raise err(
                        f'Unclosed start tag "{name}" at byte offset {_byte_offset(text, begin)}'
                    )
                raw = text[i + 1 : end]
                i = end + 1
            else:
                k = i
                while k < n and text[k] != ">" and not text[k].isspace():
                    k += 1
                raw = text[i:k]
                i = k
            attrs[aname] = _decode_attr(raw)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise err(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise err("Invalid custom emoji identifier specified")
        if name == "blockquote" and any(s["tag"] == "blockquote" for s in stack):
            raise err("Blockquote entities can't be nested")
        stack.append({"tag": name, "attrs": attrs, "start": pos16})

    if stack:
        raise err(f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MD_ESCAPE_RE = re.compile(r"\\([_*\[\]()~`>#+\-=|{}.!\\])")


def _visible_text(text: str, parse_mode: str | None, strict_ampersand: bool) -> tuple[str, list]:
    """Text as the user sees it, plus the entities derived from the markup."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    try:
        if mode == "html":
            return parse_html(text, strict_ampersand=strict_ampersand)
    except EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    if mode in ("markdown", "markdownv2"):
        # Approximation: markup characters are not validated, escapes are removed.
        return _MD_ESCAPE_RE.sub(r"\1", text), []
    raise ApiError(400, "Bad Request: unsupported parse_mode")


def _strip_entities(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Trim surrounding whitespace like Telegram does, shifting/clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    out = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(total, e["offset"] + e["length"] - lead)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


# --------------------------------------------------------------------------------------------
# Parameter decoding (JSON bodies are typed; form/query values are strings where non-string
# values are JSON-encoded, which is what python-telegram-bot sends)
# --------------------------------------------------------------------------------------------


def _p_json(p: dict, key: str, what: str | None = None) -> Any:
    v = p.get(key)
    if isinstance(v, str):
        if v == "":
            return None
        try:
            return json.loads(v)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {what or key} JSON object") from None
    return v


def _p_int(p: dict, key: str, default: int | None = None) -> int | None:
    v = p.get(key)
    if v is None or v == "":
        return default
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    try:
        return int(float(v)) if isinstance(v, float) or "." in str(v) else int(str(v).strip())
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid {key} specified") from None


def _p_float(p: dict, key: str, default: float | None = None) -> float | None:
    v = p.get(key)
    if v is None or v == "":
        return default
    try:
        return float(v)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {key} specified") from None


def _p_bool(p: dict, key: str, default: bool = False) -> bool:
    v = p.get(key)
    if v is None or v == "":
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return bool(v)
    return str(v).strip().lower() in ("true", "1", "yes")


def _p_str(p: dict, key: str) -> str | None:
    v = p.get(key)
    if v is None or isinstance(v, _Upload):
        return None
    return v if isinstance(v, str) else json.dumps(v) if isinstance(v, dict | list) else str(v)


# --------------------------------------------------------------------------------------------
# Rate limiting
# --------------------------------------------------------------------------------------------


class _Bucket:
    __slots__ = ("tokens", "last")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens
        self.last = now

    def wait(self, now: float, rate: float, capacity: float) -> float:
        """Seconds until one token is available (0 if available now). Refills first."""
        self.tokens = min(capacity, self.tokens + (now - self.last) * rate)
        self.last = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / rate


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


class BotApiEmulator:
    """Telegram Bot API emulator serving on 127.0.0.1 from its own thread.

    Rate limits (settable at runtime, ``None`` disables):
      * ``global_rate``: messages/s over all rate-limited methods (token bucket, capacity
        ``max(1, global_rate)``);
      * ``paid_rate``: messages/s for sends with ``allow_paid_broadcast`` (Telegram: up to 1000/s
        for 0.1 Stars each, ignoring the broadcast limit); they use their own bucket instead of
        ``global_rate``'s and are counted in ``count_paid``;
      * ``per_chat_rate``: messages/s per private chat (token bucket, capacity
        ``1 + per_chat_burst``, i.e. by default two back-to-back messages pass, the third is
        answered 429 unless time passed);
      * ``group_per_minute``: messages per sliding 60 s window per group/supergroup/channel.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        global_rate: float | None = 30.0,
        per_chat_rate: float | None = 1.0,
        paid_rate: float | None = 1000.0,
        group_per_minute: int | None = 20,
        host: str = "127.0.0.1",
        *,
        per_chat_burst: int = 1,
        bot_username: str = "releasewatch_test_bot",
        bot_first_name: str = "ReleaseWatch",
        seed: int = 0,
        max_updates: int = 1000,
        max_sent: int = 20000,
        max_messages_per_chat: int = 2000,
        max_poll_timeout: float = 60.0,
        strict_ampersand: bool = True,
        strict_chats: bool = False,
    ) -> None:
        if host == "localhost":
            host = "127.0.0.1"
        if host != "127.0.0.1":
            raise ValueError("BotApiEmulator only listens on 127.0.0.1")
        self.token = token
        self.host = host
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name

        # runtime-settable knobs
        self.global_rate = global_rate
        self.paid_rate = paid_rate
        #: when set, every paid broadcast is answered 400 with this description (no Stars left)
        self.paid_refusal: str | None = None
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.group_per_minute = group_per_minute
        self.rate_limited_methods: set[str] = set(SEND_METHODS)
        self.fail_ratio = 0.0
        self.drop_ratio = 0.0
        self.fault_methods: set[str] = set(SEND_METHODS)
        self.strict_ampersand = strict_ampersand
        self.strict_chats = strict_chats
        self.max_poll_timeout = max_poll_timeout

        self._max_updates = max_updates
        self._max_sent = max_sent
        self._max_msgs = max_messages_per_chat

        self._lock = threading.RLock()
        self._rng = random.Random(seed)

        # state (guarded by _lock)
        self._updates: deque[dict] = deque(maxlen=max_updates)
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._webhook: dict | None = None
        self._chats: dict[int, dict] = {}
        self._users: dict[int, dict] = {}
        self._messages: dict[int, OrderedDict[int, dict]] = {}
        self._by_bot: dict[int, set[int]] = {}
        self._next_mid: dict[int, int] = {}
        self._chat_errors: dict[int, _ChatError] = {}
        self._admins: dict[int, set[int]] = {}
        self._owner: dict[int, int] = {}
        self._member_status: dict[tuple[int, int], str] = {}
        self._bot_status: dict[int, str] = {}
        self._callbacks: OrderedDict[str, dict] = OrderedDict()
        self._next_callback = 1
        self._files: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._files_by_path: dict[str, str] = {}
        self._files_bytes = 0
        self._next_file = 1
        self._sent: list[dict] = []
        self._edits: deque[dict] = deque(maxlen=max_sent)
        self._deleted: deque[tuple[int, int]] = deque(maxlen=max_sent)
        self._answered: deque[dict] = deque(maxlen=max_sent)
        self._calls: deque[tuple[float, str, dict]] = deque(maxlen=2000)
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._seq = 0
        self._global_bucket: _Bucket | None = None
        self._paid_bucket: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._group_windows: dict[int, deque[float]] = {}
        self.count_429 = 0
        self.count_paid = 0
        self.count_requests: Counter[str] = Counter()
        self.count_errors: Counter[int] = Counter()

        # server thread
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._closing = False
        self._update_event: asyncio.Event | None = None
        self.port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> BotApiEmulator:
        """Bind a free port on 127.0.0.1 and serve from a daemon thread. Returns self."""
        if self._thread is not None:
            raise RuntimeError("already started")
        self._closing = False
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="tg-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("Bot API emulator did not start in time")
        if self._start_error is not None:
            self._thread.join(5)
            self._thread = None
            raise RuntimeError("Bot API emulator failed to start") from self._start_error
        return self

    def stop(self) -> None:
        """Stop the server (waking long polls) and join the thread. Idempotent."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        self._closing = True
        if loop is not None and loop.is_running():
            fut = asyncio.run_coroutine_threadsafe(self._astop(), loop)
            with contextlib.suppress(Exception):
                fut.result(10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("emulator not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._astart())
        except BaseException as exc:  # noqa: BLE001
            self._start_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(self._astop())
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in pending:
                t.cancel()
            if pending:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _astart(self) -> None:
        self._update_event = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        addr = runner.addresses[0]
        self.port = int(addr[1])

    async def _astop(self) -> None:
        self._closing = True
        self._notify()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def _notify(self) -> None:
        """Wake every pending getUpdates (must run in the server loop)."""
        ev = self._update_event
        if ev is not None:
            self._update_event = asyncio.Event()
            ev.set()

    def _notify_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._notify)

    # ------------------------------------------------------------------ HTTP layer

    @staticmethod
    def _json(status: int, payload: dict) -> web.Response:
        text = json.dumps(payload, ensure_ascii=False)
        try:
            body = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (half an emoji cut off) travels as a \ud83d escape
            body = json.dumps(payload).encode("ascii")
        return web.Response(status=status, body=body, content_type="application/json")

    def _error(self, exc: ApiError) -> web.Response:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": exc.status,
            "description": exc.description,
        }
        if exc.parameters:
            payload["parameters"] = exc.parameters
        with self._lock:
            self.count_errors[exc.status] += 1
            if exc.status == 429:
                self.count_429 += 1
        return self._json(exc.status, payload)

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        with self._lock:
            fid = self._files_by_path.get(request.match_info["path"])
            entry = self._files.get(fid) if fid else None
        if entry is None:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return web.Response(body=entry[1], content_type="application/octet-stream")

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return params
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if isinstance(body, dict):
                params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    with contextlib.suppress(Exception):
                        value.file.close()
                    params[key] = _Upload(value.filename, value.content_type, data)
                elif isinstance(value, bytes | bytearray):
                    params[key] = value.decode("utf-8", "replace")
                else:
                    params[key] = value
        else:
            await request.read()
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        raw_method = request.match_info["method"]
        method = _CANONICAL.get(raw_method.lower())
        with self._lock:
            self.count_requests[method or raw_method] += 1
        if method is None:
            return self._error(ApiError(404, "Not Found"))
        try:
            params = await self._read_params(request)
            with self._lock:
                self._calls.append((time.monotonic(), method, _loggable(params)))
            if method in self.fault_methods:
                with self._lock:
                    drop = self.drop_ratio > 0 and self._rng.random() < self.drop_ratio
                    fail = (
                        (not drop) and self.fail_ratio > 0 and self._rng.random() < self.fail_ratio
                    )
                if drop:
                    transport = request.transport
                    if transport is not None:
                        transport.abort()
                    raise asyncio.CancelledError
                if fail:
                    raise ApiError(500, "Internal Server Error")
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                with self._lock:
                    result = getattr(self, "_m_" + method)(params)
        except ApiError as exc:
            return self._error(exc)
        return self._json(200, {"ok": True, "result": result})

    # ------------------------------------------------------------------ object builders

    def _bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _user(self, user_id: int) -> dict:
        u = self._users.get(user_id)
        if u is None:
            u = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        return dict(u)

    def _remember_user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> dict:
        u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            u["username"] = username
        if language_code:
            u["language_code"] = language_code
        self._users[user_id] = u
        return dict(u)

    @staticmethod
    def _default_type(chat_id: int) -> str:
        if chat_id > 0:
            return "private"
        return "supergroup" if str(chat_id).startswith("-100") else "group"

    def _ensure_chat(
        self,
        chat_id: int,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> dict:
        chat = self._chats.get(chat_id)
        if chat is None:
            ctype = chat_type or self._default_type(chat_id)
            chat = {"id": chat_id, "type": ctype}
            if ctype == "private":
                chat["first_name"] = first_name or f"User{chat_id}"
            else:
                chat["title"] = title or f"Chat {chat_id}"
            if username:
                chat["username"] = username
            self._chats[chat_id] = chat
        else:
            if chat_type and chat_type != chat["type"]:
                chat["type"] = chat_type
            if title and chat["type"] != "private":
                chat["title"] = title
            if first_name and chat["type"] == "private":
                chat["first_name"] = first_name
            if username:
                chat["username"] = username
        return chat

    def _chat_type(self, chat_id: int) -> str:
        chat = self._chats.get(chat_id)
        return chat["type"] if chat else self._default_type(chat_id)

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_mid.get(chat_id, 1)
        self._next_mid[chat_id] = mid + 1
        return mid

    def _store_message(self, chat_id: int, msg: dict, by_bot: bool) -> None:
        box = self._messages.setdefault(chat_id, OrderedDict())
        box[msg["message_id"]] = msg
        while len(box) > self._max_msgs:
            old, _ = box.popitem(last=False)
            self._by_bot.get(chat_id, set()).discard(old)
        if by_bot:
            self._by_bot.setdefault(chat_id, set()).add(msg["message_id"])

    def _get_message(self, chat_id: int, message_id: int | None) -> dict | None:
        if message_id is None:
            return None
        box = self._messages.get(chat_id)
        return box.get(message_id) if box is not None else None

    def _push_update(self, kind: str, obj: dict) -> int:
        uid = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": uid, kind: obj})
        return uid

    def _member_obj(
        self, user: dict, status: str, chat_type: str = "supergroup", **kw: Any
    ) -> dict:
        if status == "creator":
            m = {"status": "creator", "user": user, "is_anonymous": False}
        elif status == "administrator":
            m = {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
            }
            if chat_type == "channel":
                m.update(can_post_messages=True, can_edit_messages=True)
            else:
                m.update(can_pin_messages=True)
        elif status == "restricted":
            m = {
                "status": "restricted",
                "user": user,
                "is_member": True,
                "until_date": 0,
                **{
                    k: False
                    for k in (
                        "can_change_info can_invite_users can_pin_messages can_send_messages "
                        "can_send_polls can_send_other_messages can_add_web_page_previews "
                        "can_manage_topics can_send_audios can_send_documents can_send_photos "
                        "can_send_videos can_send_video_notes can_send_voice_notes can_edit_tag"
                    ).split()
                },
            }
        elif status == "kicked":
            m = {"status": "kicked", "user": user, "until_date": 0}
        elif status in ("left", "member"):
            m = {"status": status, "user": user}
        else:
            raise ValueError(f"unknown member status {status!r}")
        m.update(kw)
        return m

    # ------------------------------------------------------------------ checks

    def _resolve_chat_id(self, p: dict, key: str = "chat_id") -> int:
        v = p.get(key)
        if v is None or v == "":
            raise ApiError(400, f"Bad Request: {key} is empty")
        if isinstance(v, str) and v.strip().startswith("@"):
            name = v.strip()[1:].lower()
            for cid, chat in self._chats.items():
                if chat.get("username", "").lower() == name:
                    return cid
            raise ApiError(400, "Bad Request: chat not found")
        try:
            return int(v) if not isinstance(v, str) else int(v.strip())
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    def _check_chat(self, chat_id: int, write: bool = True) -> None:
        err = self._chat_errors.get(chat_id)
        if err is not None and (write or err.reads):
            raise ApiError(err.status, err.description, copy.deepcopy(err.parameters))
        if chat_id not in self._chats and self.strict_chats:
            raise ApiError(400, "Bad Request: chat not found")

    def _validate_text(self, text: str | None, parse_mode: str | None, limit: int, caption: bool):
        """Return (visible text, entities) or raise the Telegram error."""
        raw = text or ""
        visible, entities = _visible_text(raw, parse_mode, self.strict_ampersand)
        visible, entities = _strip_entities(visible, entities)
        if not caption and not visible:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > limit:
            raise ApiError(
                400,
                "Bad Request: message caption is too long"
                if caption
                else "Bad Request: message is too long",
            )
        return visible, entities

    def _validate_markup(self, p: dict) -> dict | None:
        markup = _p_json(p, "reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(400, "Bad Request: can't parse inline keyboard markup")
            actions = (
                "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat", "login_url", "web_app", "pay", "callback_game",
                "copy_text",
            )  # fmt: skip
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise ApiError(400, "Bad Request: can't parse inline keyboard button")
                    if not any(a in button for a in actions):
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: Text buttons are "
                            "unallowed in the inline keyboard",
                        )
                    if "callback_data" in button:
                        data = str(button["callback_data"]).encode("utf-8")
                        if not 1 <= len(data) <= MAX_CALLBACK_DATA:
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup

    def _reply_target(self, p: dict, chat_id: int) -> dict | None:
        rp = _p_json(p, "reply_parameters")
        if isinstance(rp, dict):
            mid = _p_int(rp, "message_id")
            target_chat = chat_id
            if rp.get("chat_id") not in (None, ""):
                target_chat = self._resolve_chat_id(rp)
            allow = _p_bool(rp, "allow_sending_without_reply") or _p_bool(
                p, "allow_sending_without_reply"
            )
        else:
            mid = _p_int(p, "reply_to_message_id")
            target_chat = chat_id
            allow = _p_bool(p, "allow_sending_without_reply")
        if mid is None:
            return None
        msg = self._get_message(target_chat, mid)
        if msg is None and not allow:
            raise ApiError(400, "Bad Request: message to be replied not found")
        return msg

    def _rate_limit(self, method: str, chat_id: int, paid: bool = False) -> None:
        if paid and self.paid_refusal:
            raise ApiError(400, self.paid_refusal)
        if method not in self.rate_limited_methods:
            return
        now = time.monotonic()
        waits: list[float] = []
        grate = self.paid_rate if paid else self.global_rate
        gbucket = self._paid_bucket if paid else self._global_bucket
        if grate:
            if gbucket is None:
                gbucket = _Bucket(max(1.0, grate), now)
                if paid:
                    self._paid_bucket = gbucket
                else:
                    self._global_bucket = gbucket
            waits.append(gbucket.wait(now, grate, max(1.0, grate)))
        ctype = self._chat_type(chat_id)
        crate = self.per_chat_rate
        bucket = None
        if ctype == "private" and crate:
            cap = 1.0 + max(0, self.per_chat_burst)
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                if len(self._chat_buckets) > 100_000:
                    self._chat_buckets.clear()
                bucket = self._chat_buckets[chat_id] = _Bucket(cap, now)
            waits.append(bucket.wait(now, crate, cap))
        window = None
        gpm = self.group_per_minute
        if ctype != "private" and gpm:
            window = self._group_windows.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= gpm:
                waits.append(window[len(window) - gpm] + 60.0 - now)
        worst = max(waits, default=0.0)
        if worst > 0:
            n = max(1, math.ceil(worst))
            raise ApiError(429, f"Too Many Requests: retry after {n}", {"retry_after": n})
        if grate and gbucket is not None:
            gbucket.tokens -= 1.0
        if paid:
            self.count_paid += 1
        if bucket is not None:
            bucket.tokens -= 1.0
        if window is not None:
            window.append(now)
            while len(window) > max(gpm or 0, 1):
                window.popleft()

    def _record(self, method: str, p: dict, msg: dict, **extra: Any) -> dict:
        self._seq += 1
        reply = msg.get("reply_to_message")
        entry = {
            "seq": self._seq,
            "method": method,
            "chat_id": msg["chat"]["id"],
            "message_id": msg["message_id"],
            "text": msg.get("text"),
            "caption": msg.get("caption"),
            "raw_text": _p_str(p, "text"),
            "raw_caption": _p_str(p, "caption"),
            "entities": msg.get("entities", msg.get("caption_entities", [])),
            "parse_mode": _p_str(p, "parse_mode"),
            "reply_markup": _p_json(p, "reply_markup"),
            "reply_to_message_id": reply["message_id"] if reply else None,
            "photo": None,
            "photo_bytes": None,
            "document": None,
            "document_bytes": None,
            "document_name": None,
            "disable_notification": _p_bool(p, "disable_notification"),
            "timestamp": time.monotonic(),
            "params": _loggable(p),
            "message": copy.deepcopy(msg),
        }
        entry.update(extra)
        return entry

    def _add_file(self, kind: str, data: bytes, filename: str | None) -> dict:
        n = self._next_file
        self._next_file += 1
        fid = f"emu-{kind}-{n}"
        ext = (filename or "").rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        path = f"{kind}s/file_{n}.{ext}"
        self._files[fid] = (path, data)
        self._files_by_path[path] = fid
        self._files_bytes += len(data)
        while self._files and (len(self._files) > 64 or self._files_bytes > 32 * 1024 * 1024):
            old_id, (old_path, old_data) = self._files.popitem(last=False)
            self._files_by_path.pop(old_path, None)
            self._files_bytes -= len(old_data)
        return {"file_id": fid, "file_unique_id": f"u{n}", "file_size": len(data)}

    def _new_bot_message(self, chat_id: int, reply_to: dict | None, markup: dict | None) -> dict:
        chat = dict(self._ensure_chat(chat_id))
        msg: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat,
        }
        if chat["type"] == "channel":
            msg["sender_chat"] = dict(chat)
        else:
            msg["from"] = self._bot_user()
        if reply_to is not None:
            inner = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
            msg["reply_to_message"] = copy.deepcopy(inner)
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        return msg

    def _append_sent(self, entry: dict) -> None:
        self._sent.append(entry)
        if len(self._sent) > self._max_sent:
            del self._sent[: len(self._sent) - self._max_sent]

    # ------------------------------------------------------------------ API methods

    def _m_getMe(self, p: dict) -> dict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _select_updates(self, offset: int | None, limit: int) -> list[dict]:
        if offset:
            if offset < 0:
                keep = -offset
                while len(self._updates) > keep:
                    self._updates.popleft()
            else:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
        allowed = self._allowed_updates
        out = []
        for u in self._updates:
            kind = next(k for k in u if k != "update_id")
            if allowed:
                if kind not in allowed:
                    continue
            elif kind in _OPT_IN_UPDATES:
                continue
            out.append(copy.deepcopy(u))
            if len(out) >= limit:
                break
        return out

    async def _get_updates(self, p: dict) -> list[dict]:
        offset = _p_int(p, "offset")
        limit = min(100, max(1, _p_int(p, "limit", 100) or 100))
        timeout = min(self.max_poll_timeout, max(0.0, _p_float(p, "timeout", 0.0) or 0.0))
        allowed = _p_json(p, "allowed_updates")
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed] or None
        deadline = loop.time() + timeout
        while True:
            event = self._update_event
            with self._lock:
                updates = self._select_updates(offset, limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self._closing or event is None:
                return updates
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _m_deleteWebhook(self, p: dict) -> bool:
        self._webhook = None
        if _p_bool(p, "drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_setWebhook(self, p: dict) -> bool:
        url = _p_str(p, "url") or ""
        if not url:
            self._webhook = None
            return True
        if not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self._webhook = {
            "url": url,
            "secret_token": _p_str(p, "secret_token"),
            "allowed_updates": _p_json(p, "allowed_updates"),
            "max_connections": _p_int(p, "max_connections", 40),
            "ip_address": _p_str(p, "ip_address"),
        }
        if _p_bool(p, "drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, p: dict) -> dict:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["url"] = self._webhook["url"]
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook.get("allowed_updates"):
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not isinstance(scope, dict) or not scope.get("type"):
            return "default"
        parts = [str(scope["type"])]
        if "chat_id" in scope:
            parts.append(str(scope["chat_id"]))
        if "user_id" in scope:
            parts.append(str(scope["user_id"]))
        return ":".join(parts)

    def _m_setMyCommands(self, p: dict) -> bool:
        commands = _p_json(p, "commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        clean = []
        for c in commands:
            if not isinstance(c, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand")
            name = str(c.get("command", ""))
            desc = str(c.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(desc) <= 256:
                raise ApiError(400, "Bad Request: command description is empty")
            clean.append({"command": name, "description": desc})
        key = (self._scope_key(_p_json(p, "scope")), _p_str(p, "language_code") or "")
        self._commands[key] = clean
        return True

    def _m_getMyCommands(self, p: dict) -> list[dict]:
        key = (self._scope_key(_p_json(p, "scope")), _p_str(p, "language_code") or "")
        return copy.deepcopy(self._commands.get(key, []))

    def _m_deleteMyCommands(self, p: dict) -> bool:
        key = (self._scope_key(_p_json(p, "scope")), _p_str(p, "language_code") or "")
        self._commands.pop(key, None)
        return True

    def _m_sendMessage(self, p: dict) -> dict:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id)
        text = _p_str(p, "text")
        visible, entities = self._validate_text(text, _p_str(p, "parse_mode"), MAX_TEXT, False)
        if not _p_str(p, "parse_mode"):
            given = _p_json(p, "entities")
            if isinstance(given, list):
                entities = given
        markup = self._validate_markup(p)
        reply_to = self._reply_target(p, chat_id)
        self._rate_limit("sendMessage", chat_id, _p_bool(p, "allow_paid_broadcast"))
        msg = self._new_bot_message(chat_id, reply_to, markup)
        msg["text"] = visible
        if entities:
            msg["entities"] = entities
        self._store_message(chat_id, msg, by_bot=True)
        self._append_sent(self._record("sendMessage", p, msg))
        return copy.deepcopy(msg)

    def _send_media(self, method: str, kind: str, p: dict) -> dict:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id)
        media = p.get(kind)
        if media is None or media == "":
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        caption = _p_str(p, "caption")
        visible, entities = self._validate_text(caption, _p_str(p, "parse_mode"), MAX_CAPTION, True)
        markup = self._validate_markup(p)
        reply_to = self._reply_target(p, chat_id)
        if isinstance(media, str) and media.startswith("attach://"):
            media = p.get(media[len("attach://") :])
            if not isinstance(media, _Upload):
                raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        self._rate_limit(method, chat_id, _p_bool(p, "allow_paid_broadcast"))
        extra: dict[str, Any] = {}
        if isinstance(media, _Upload):
            finfo = self._add_file(kind, media.data, media.filename)
            extra[f"{kind}_bytes"] = len(media.data)
        else:
            ref = str(media)
            known = self._files.get(ref)
            finfo = {
                "file_id": ref if known else f"emu-{kind}-ref-{abs(hash(ref)) % 10**8}",
                "file_unique_id": f"r{abs(hash(ref)) % 10**8}",
                "file_size": len(known[1]) if known else 0,
            }
            extra[kind] = ref
        msg = self._new_bot_message(chat_id, reply_to, markup)
        if kind == "photo":
            msg["photo"] = [{**finfo, "width": 320, "height": 320}]
        else:
            name = media.filename if isinstance(media, _Upload) else None
            doc = {**finfo, "file_name": name or "document"}
            if isinstance(media, _Upload) and media.content_type:
                doc["mime_type"] = media.content_type
            msg["document"] = doc
            extra["document_name"] = doc["file_name"]
        if visible:
            msg["caption"] = visible
            if entities:
                msg["caption_entities"] = entities
        self._store_message(chat_id, msg, by_bot=True)
        self._append_sent(self._record(method, p, msg, **extra))
        return copy.deepcopy(msg)

    def _m_sendPhoto(self, p: dict) -> dict:
        return self._send_media("sendPhoto", "photo", p)

    def _m_sendDocument(self, p: dict) -> dict:
        return self._send_media("sendDocument", "document", p)

    def _m_sendChatAction(self, p: dict) -> bool:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id)
        return True

    def _edit_target(self, p: dict, what: str = "edit") -> tuple[int, dict]:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id)
        mid = _p_int(p, "message_id")
        if mid is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        msg = self._get_message(chat_id, mid)
        if msg is None or mid not in self._by_bot.get(chat_id, set()):
            if msg is not None:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return chat_id, msg

    def _finish_edit(self, method: str, p: dict, chat_id: int, msg: dict, new: dict) -> dict:
        changed = any(msg.get(k) != new.get(k) for k in set(msg) | set(new) if k != "edit_date")
        if not changed:
            raise ApiError(400, MSG_NOT_MODIFIED)
        self._rate_limit(method, chat_id)
        new["edit_date"] = int(time.time())
        self._messages[chat_id][msg["message_id"]] = new
        self._edits.append(self._record(method, p, new))
        return copy.deepcopy(new)

    def _m_editMessageText(self, p: dict) -> dict:
        chat_id, msg = self._edit_target(p)
        if "text" not in msg:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        visible, entities = self._validate_text(
            _p_str(p, "text"), _p_str(p, "parse_mode"), MAX_TEXT, False
        )
        markup = self._validate_markup(p)
        new = copy.deepcopy(msg)
        new["text"] = visible
        new.pop("entities", None)
        if entities:
            new["entities"] = entities
        new.pop("reply_markup", None)
        if markup and "inline_keyboard" in markup:
            new["reply_markup"] = markup
        return self._finish_edit("editMessageText", p, chat_id, msg, new)

    def _m_editMessageCaption(self, p: dict) -> dict:
        chat_id, msg = self._edit_target(p)
        if "photo" not in msg and "document" not in msg:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        visible, entities = self._validate_text(
            _p_str(p, "caption"), _p_str(p, "parse_mode"), MAX_CAPTION, True
        )
        markup = self._validate_markup(p)
        new = copy.deepcopy(msg)
        for k in ("caption", "caption_entities", "reply_markup"):
            new.pop(k, None)
        if visible:
            new["caption"] = visible
        if entities:
            new["caption_entities"] = entities
        if markup and "inline_keyboard" in markup:
            new["reply_markup"] = markup
        return self._finish_edit("editMessageCaption", p, chat_id, msg, new)

    def _m_editMessageReplyMarkup(self, p: dict) -> dict:
        chat_id, msg = self._edit_target(p)
        markup = self._validate_markup(p)
        new = copy.deepcopy(msg)
        new.pop("reply_markup", None)
        if markup and "inline_keyboard" in markup and markup["inline_keyboard"]:
            new["reply_markup"] = markup
        return self._finish_edit("editMessageReplyMarkup", p, chat_id, msg, new)

    def _m_deleteMessage(self, p: dict) -> bool:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id)
        mid = _p_int(p, "message_id")
        box = self._messages.get(chat_id)
        if mid is None or box is None or mid not in box:
            raise ApiError(400, "Bad Request: message to delete not found")
        del box[mid]
        self._by_bot.get(chat_id, set()).discard(mid)
        self._deleted.append((chat_id, mid))
        return True

    def _m_answerCallbackQuery(self, p: dict) -> bool:
        qid = _p_str(p, "callback_query_id")
        info = self._callbacks.get(qid or "")
        if info is None or info.get("answered"):
            raise ApiError(400, MSG_QUERY_TOO_OLD)
        text = _p_str(p, "text")
        if text and len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        info["answered"] = True
        self._answered.append(
            {
                "callback_query_id": qid,
                "update_id": info["update_id"],
                "chat_id": info["chat_id"],
                "message_id": info["message_id"],
                "data": info["data"],
                "user_id": info["user_id"],
                "text": text,
                "show_alert": _p_bool(p, "show_alert"),
                "url": _p_str(p, "url"),
                "cache_time": _p_int(p, "cache_time"),
                "timestamp": time.monotonic(),
            }
        )
        return True

    def _m_getChat(self, p: dict) -> dict:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id, write=False)
        chat = dict(self._ensure_chat(chat_id))
        chat.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return chat

    def _status_of(self, chat_id: int, user_id: int) -> str:
        if user_id == self.bot_id:
            return self._bot_status.get(chat_id, "member")
        if self._owner.get(chat_id) == user_id:
            return "creator"
        if user_id in self._admins.get(chat_id, set()):
            return "administrator"
        return self._member_status.get((chat_id, user_id), "member")

    def _m_getChatMember(self, p: dict) -> dict:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id, write=False)
        user_id = _p_int(p, "user_id")
        if user_id is None:
            raise ApiError(400, "Bad Request: user_id is empty")
        ctype = self._chat_type(chat_id)
        if ctype == "private" and user_id not in (chat_id, self.bot_id):
            raise ApiError(400, "Bad Request: user not found")
        user = self._bot_user() if user_id == self.bot_id else self._user(user_id)
        return self._member_obj(user, self._status_of(chat_id, user_id), ctype)

    def _m_getChatAdministrators(self, p: dict) -> list[dict]:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id, write=False)
        ctype = self._chat_type(chat_id)
        if ctype == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        out = []
        owner = self._owner.get(chat_id)
        if owner is not None:
            out.append(self._member_obj(self._user(owner), "creator", ctype))
        for uid in sorted(self._admins.get(chat_id, set())):
            if uid != owner:
                out.append(self._member_obj(self._user(uid), "administrator", ctype))
        if self._bot_status.get(chat_id) == "administrator":
            out.append(self._member_obj(self._bot_user(), "administrator", ctype))
        return out

    def _m_leaveChat(self, p: dict) -> bool:
        chat_id = self._resolve_chat_id(p)
        self._check_chat(chat_id, write=False)
        ctype = self._chat_type(chat_id)
        if ctype == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        self._bot_status[chat_id] = "left"
        self._chat_errors[chat_id] = _ChatError(
            403, f"Forbidden: bot is not a member of the {ctype} chat", reads=True
        )
        return True

    def _m_getFile(self, p: dict) -> dict:
        fid = _p_str(p, "file_id") or ""
        entry = self._files.get(fid)
        if entry is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        n = fid.rsplit("-", 1)[-1]
        return {
            "file_id": fid,
            "file_unique_id": f"u{n}",
            "file_size": len(entry[1]),
            "file_path": entry[0],
        }

    def _m_close(self, p: dict) -> bool:
        return True

    def _m_logOut(self, p: dict) -> bool:
        return True

    def _trivial(self, p: dict) -> bool:
        return True

    for _name in TRIVIAL_METHODS:
        locals()["_m_" + _name] = _trivial
    del _name

    # ------------------------------------------------------------------ test-side: injection

    def _after_inject(self) -> None:
        self._notify_threadsafe()

    def inject_message(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Ana",
        language_code: str | None = "es",
        username: str | None = None,
        title: str | None = None,
        *,
        reply_to_message_id: int | None = None,
        entities: list[dict] | None = None,
        extra: dict | None = None,
    ) -> int:
        """Queue a user message (or a channel post if chat_type == "channel"). Returns update_id.

        Text starting with a command (``/cmd`` or ``/cmd@bot``) gets a bot_command entity.
        ``user_id`` defaults to chat_id for private chats and 1000 otherwise.
        """
        with self._lock:
            if chat_type == "private":
                uid = chat_id if user_id is None else user_id
            else:
                uid = 1000 if user_id is None else user_id
            user = self._remember_user(uid, first_name, language_code, username)
            chat = self._ensure_chat(
                chat_id,
                chat_type,
                title=title,
                username=username if chat_type == "private" else None,
                first_name=first_name,
            )
            if chat["type"] != "private" and chat_id not in self._bot_status:
                self._bot_status[chat_id] = "member"
            msg: dict[str, Any] = {
                "message_id": self._new_message_id(chat_id),
                "date": int(time.time()),
                "chat": dict(chat),
                "text": text,
            }
            if chat["type"] == "channel":
                msg["sender_chat"] = dict(chat)
            else:
                msg["from"] = user
            if entities is None:
                m = _COMMAND_RE.match(text)
                entities = (
                    [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]
                    if m
                    else []
                )
            if entities:
                msg["entities"] = entities
            if reply_to_message_id is not None:
                target = self._get_message(chat_id, reply_to_message_id)
                if target is None:
                    raise LookupError(f"no message {reply_to_message_id} in chat {chat_id}")
                msg["reply_to_message"] = {
                    k: v for k, v in copy.deepcopy(target).items() if k != "reply_to_message"
                }
            if extra:
                msg.update(extra)
            self._store_message(chat_id, msg, by_bot=False)
            kind = "channel_post" if chat["type"] == "channel" else "message"
            uid_ = self._push_update(kind, msg)
        self._after_inject()
        return uid_

    def inject_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        user_id: int | None = None,
        *,
        first_name: str = "Ana",
        language_code: str | None = "es",
        username: str | None = None,
    ) -> int:
        """Queue a press of an inline button on a message in the chat. Returns update_id.

        The message must exist (raises LookupError otherwise); its current version (after
        edits) is included in the callback query. The answer appears in answered_callbacks.
        """
        with self._lock:
            msg = self._get_message(chat_id, message_id)
            if msg is None:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            ctype = self._chat_type(chat_id)
            if user_id is None:
                user_id = chat_id if ctype == "private" else 1000
            if user_id in self._users and first_name == "Ana" and username is None:
                user = self._user(user_id)
            else:
                user = self._remember_user(user_id, first_name, language_code, username)
            qid = f"{self.bot_id}{self._next_callback:08d}"
            self._next_callback += 1
            query = {
                "id": qid,
                "from": user,
                "message": copy.deepcopy(msg),
                "chat_instance": str(abs(chat_id) * 7919 % 10**12),
                "data": data,
            }
            uid = self._push_update("callback_query", query)
            self._callbacks[qid] = {
                "update_id": uid,
                "chat_id": chat_id,
                "message_id": message_id,
                "data": data,
                "user_id": user_id,
                "answered": False,
            }
            while len(self._callbacks) > 10000:
                self._callbacks.popitem(last=False)
        self._after_inject()
        return uid

    def inject_migration(
        self, old_chat_id: int, new_chat_id: int, user_id: int | None = None
    ) -> int:
        """A group upgraded to a supergroup: queue the service message with migrate_to_chat_id
        in the old chat and the one with migrate_from_chat_id in the new chat, and make sends to
        the old id answer 400 + migrate_to_chat_id. Returns the first update_id."""
        with self._lock:
            old = self._ensure_chat(old_chat_id, "group")
            title = old.get("title")
            new = self._ensure_chat(new_chat_id, "supergroup", title=title)
            uid_user = 1000 if user_id is None else user_id
            user = self._user(uid_user)
            now = int(time.time())
            m1 = {
                "message_id": self._new_message_id(old_chat_id),
                "date": now,
                "chat": dict(old),
                "from": user,
                "migrate_to_chat_id": new_chat_id,
            }
            m2 = {
                "message_id": self._new_message_id(new_chat_id),
                "date": now,
                "chat": dict(new),
                "from": user,
                "migrate_from_chat_id": old_chat_id,
            }
            self._store_message(old_chat_id, m1, by_bot=False)
            self._store_message(new_chat_id, m2, by_bot=False)
            self._copy_membership(old_chat_id, new_chat_id)
            self._set_migrated(old_chat_id, new_chat_id)
            first = self._push_update("message", m1)
            self._push_update("message", m2)
        self._after_inject()
        return first

    def inject_my_chat_member(
        self,
        chat_id: int,
        new_status: str = "administrator",
        old_status: str = "left",
        chat_type: str = "channel",
        title: str | None = None,
        user_id: int = 1000,
        first_name: str = "Ana",
        username: str | None = None,
        chat_username: str | None = None,
    ) -> int:
        """Queue a my_chat_member update (the bot added to / removed from a chat by user_id)
        and update the bot's membership accordingly (left/kicked make sends answer 403).
        Returns update_id."""
        with self._lock:
            chat = self._ensure_chat(chat_id, chat_type, title=title, username=chat_username)
            user = self._remember_user(user_id, first_name, None, username)
            ctype = chat["type"]
            bot = self._bot_user()
            update = {
                "chat": dict(chat),
                "from": user,
                "date": int(time.time()),
                "old_chat_member": self._member_obj(bot, old_status, ctype),
                "new_chat_member": self._member_obj(bot, new_status, ctype),
            }
            self._bot_status[chat_id] = new_status
            err = self._chat_errors.get(chat_id)
            if new_status in ("member", "administrator", "creator", "restricted"):
                if err is not None and err.status == 403:
                    del self._chat_errors[chat_id]
            elif new_status == "kicked":
                self._set_kicked(chat_id)
            elif new_status == "left":
                self._chat_errors[chat_id] = _ChatError(
                    403, f"Forbidden: bot is not a member of the {ctype} chat", reads=True
                )
            uid = self._push_update("my_chat_member", update)
        self._after_inject()
        return uid

    def inject_update(self, update: dict) -> int:
        """Queue a raw update (any type); its update_id is assigned here. Returns it."""
        with self._lock:
            kinds = [k for k in update if k != "update_id"]
            if len(kinds) != 1:
                raise ValueError("an update must have exactly one payload field")
            uid = self._push_update(kinds[0], copy.deepcopy(update[kinds[0]]))
        self._after_inject()
        return uid

    # ------------------------------------------------------------------ test-side: chats

    def add_chat(
        self,
        chat_id: int,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> dict:
        """Register (or update) a chat; returns a copy of the Chat object."""
        with self._lock:
            return dict(self._ensure_chat(chat_id, chat_type, title, username, first_name))

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], owner_id: int | None = None
    ) -> None:
        """Set the (non-bot) administrators of a chat; owner_id is reported as "creator"."""
        with self._lock:
            self._ensure_chat(chat_id)
            self._admins[chat_id] = set(user_ids)
            if owner_id is None:
                self._owner.pop(chat_id, None)
            else:
                self._owner[chat_id] = owner_id

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set a user's status in a chat: member, left, kicked, restricted, administrator,
        creator. For the bot's own id it sets the bot's status."""
        with self._lock:
            if user_id == self.bot_id:
                self._bot_status[chat_id] = status
                return
            admins = self._admins.setdefault(chat_id, set())
            admins.discard(user_id)
            if self._owner.get(chat_id) == user_id:
                del self._owner[chat_id]
            if status == "administrator":
                admins.add(user_id)
            elif status == "creator":
                self._owner[chat_id] = user_id
            else:
                self._member_status[(chat_id, user_id)] = status

    def _copy_membership(self, old: int, new: int) -> None:
        if old in self._admins:
            self._admins[new] = set(self._admins[old])
        if old in self._owner:
            self._owner[new] = self._owner[old]
        if old in self._bot_status:
            self._bot_status[new] = self._bot_status[old]

    # ------------------------------------------------------------------ test-side: faults

    def set_chat_error(
        self,
        chat_id: int,
        status: int,
        description: str,
        parameters: dict | None = None,
        *,
        reads: bool = False,
    ) -> None:
        """Answer every send/edit/delete to chat_id with this error (and getChat & co. too if
        reads)."""
        with self._lock:
            self._chat_errors[chat_id] = _ChatError(status, description, parameters, reads)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends answer 403 "Forbidden: bot was blocked by the user"."""
        self.set_chat_error(chat_id, 403, "Forbidden: bot was blocked by the user")

    def _set_kicked(self, chat_id: int) -> None:
        ctype = self._chat_type(chat_id)
        kind = "group" if ctype == "private" else ctype
        self._bot_status[chat_id] = "kicked"
        self._chat_errors[chat_id] = _ChatError(
            403, f"Forbidden: bot was kicked from the {kind} chat", reads=True
        )

    def kick(self, chat_id: int) -> None:
        """The bot was removed from the group: 403 "Forbidden: bot was kicked from the group
        chat" (the word after "the" is the chat type: group, supergroup or channel)."""
        with self._lock:
            self._set_kicked(chat_id)

    def unknown_chat(self, chat_id: int) -> None:
        """All requests about chat_id answer 400 "Bad Request: chat not found"."""
        self.set_chat_error(chat_id, 400, "Bad Request: chat not found", reads=True)

    def _set_migrated(self, chat_id: int, new_chat_id: int) -> None:
        self._ensure_chat(new_chat_id, "supergroup")
        self._chat_errors[chat_id] = _ChatError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
            reads=True,
        )

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """Sends to chat_id answer 400 with parameters.migrate_to_chat_id = new_chat_id."""
        with self._lock:
            self._copy_membership(chat_id, new_chat_id)
            self._set_migrated(chat_id, new_chat_id)

    def clear_fault(self, chat_id: int) -> None:
        """Undo block/kick/unknown_chat/migrate/leaveChat for chat_id."""
        with self._lock:
            self._chat_errors.pop(chat_id, None)
            if self._bot_status.get(chat_id) in ("kicked", "left"):
                self._bot_status[chat_id] = "member"

    unblock = clear_fault

    def clear_faults(self) -> None:
        with self._lock:
            self._chat_errors.clear()
            self.fail_ratio = 0.0
            self.drop_ratio = 0.0

    def set_rate_limits(self, **limits: Any) -> None:
        """set_rate_limits(global_rate=..., per_chat_rate=..., group_per_minute=...,
        per_chat_burst=...); None disables a limit. Also resets the buckets."""
        allowed = {"global_rate", "paid_rate", "per_chat_rate", "group_per_minute", "per_chat_burst"}
        with self._lock:
            for k, v in limits.items():
                if k not in allowed:
                    raise TypeError(f"unknown rate limit {k!r}")
                setattr(self, k, v)
            self.reset_rate_state()

    def disable_rate_limits(self) -> None:
        self.set_rate_limits(global_rate=None, per_chat_rate=None, group_per_minute=None)

    def reset_rate_state(self) -> None:
        """Forget consumed tokens/windows: every limit starts full again."""
        with self._lock:
            self._global_bucket = None
            self._paid_bucket = None
            self._chat_buckets.clear()
            self._group_windows.clear()

    # ------------------------------------------------------------------ test-side: inspection

    @property
    def sent(self) -> list[dict]:
        """Snapshot of every successful send* (oldest first), as dicts; see module docs."""
        with self._lock:
            return list(self._sent)

    @property
    def sent_count(self) -> int:
        """Total successful sends so far (== seq of the last one); use as ``since``."""
        with self._lock:
            return self._sent[-1]["seq"] if self._sent else 0

    def messages_for(self, chat_id: int) -> list[dict]:
        with self._lock:
            return [m for m in self._sent if m["chat_id"] == chat_id]

    @property
    def edits(self) -> list[dict]:
        with self._lock:
            return list(self._edits)

    @property
    def deleted(self) -> list[tuple[int, int]]:
        with self._lock:
            return list(self._deleted)

    @property
    def answered_callbacks(self) -> list[dict]:
        with self._lock:
            return list(self._answered)

    @property
    def commands(self) -> dict[tuple[str, str], list[dict]]:
        """Recorded setMyCommands: {(scope_key, language_code): [{command, description}]}.
        scope_key is "default", "all_private_chats", "chat:<id>", "chat_member:<id>:<uid>"…;
        language_code is "" when not given."""
        with self._lock:
            return copy.deepcopy(self._commands)

    @property
    def webhook(self) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._webhook)

    @property
    def calls(self) -> list[tuple[float, str, dict]]:
        """Last 2000 API calls as (monotonic time, method, params without file bytes)."""
        with self._lock:
            return list(self._calls)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return len(self._updates)

    def chat_message(self, chat_id: int, message_id: int) -> dict | None:
        """Current stored version of a message (bot's or injected), or None."""
        with self._lock:
            msg = self._get_message(chat_id, message_id)
            return copy.deepcopy(msg) if msg is not None else None

    def reset_counters(self) -> None:
        with self._lock:
            self.count_429 = 0
            self.count_paid = 0
            self.count_requests.clear()
            self.count_errors.clear()

    # ------------------------------------------------------------------ test-side: waiting

    def _matcher(
        self,
        predicate: Callable[[dict], bool] | None,
        since: int,
        chat_id: int | None,
        contains: str | None,
        method: str | None,
    ) -> Callable[[], dict | None]:
        def find() -> dict | None:
            with self._lock:
                candidates = [m for m in self._sent if m["seq"] > since]
            for m in candidates:
                if chat_id is not None and m["chat_id"] != chat_id:
                    continue
                if method is not None and m["method"] != method:
                    continue
                if contains is not None and contains not in (
                    "\n".join(
                        x or "" for x in (m["text"], m["caption"], m["raw_text"], m["raw_caption"])
                    )
                ):
                    continue
                if predicate is not None and not predicate(m):
                    continue
                return m
            return None

        return find

    def _timeout_error(self, timeout: float, what: str) -> TimeoutError:
        with self._lock:
            last = [
                (m["method"], m["chat_id"], (m["text"] or m["caption"] or "")[:80])
                for m in self._sent[-5:]
            ]
        return TimeoutError(f"no {what} within {timeout}s; last sent: {last}")

    def wait_for(
        self,
        predicate: Callable[[dict], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int = 0,
        chat_id: int | None = None,
        contains: str | None = None,
        method: str | None = None,
    ) -> dict:
        """Block until a sent message (seq > since) matches all given filters; return it.
        Raises TimeoutError. Blocks the calling thread: from async tests use await_for."""
        find = self._matcher(predicate, since, chat_id, contains, method)
        deadline = time.monotonic() + timeout
        while True:
            m = find()
            if m is not None:
                return m
            if time.monotonic() >= deadline:
                raise self._timeout_error(timeout, "matching sent message")
            time.sleep(0.01)

    async def await_for(
        self,
        predicate: Callable[[dict], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int = 0,
        chat_id: int | None = None,
        contains: str | None = None,
        method: str | None = None,
    ) -> dict:
        """Async wait_for (polls with asyncio.sleep so the caller's loop keeps running)."""
        find = self._matcher(predicate, since, chat_id, contains, method)
        deadline = time.monotonic() + timeout
        while True:
            m = find()
            if m is not None:
                return m
            if time.monotonic() >= deadline:
                raise self._timeout_error(timeout, "matching sent message")
            await asyncio.sleep(0.01)

    def wait_until(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Block until condition() is truthy; return its value. Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            time.sleep(0.01)

    async def await_until(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.01)

    def wait_for_callback_answer(self, update_id: int | None = None, timeout: float = 10.0) -> dict:
        """Block until the callback query injected as update_id (or any, if None) is answered."""
        return self.wait_until(lambda: self._find_answer(update_id), timeout)

    async def await_callback_answer(
        self, update_id: int | None = None, timeout: float = 10.0
    ) -> dict:
        return await self.await_until(lambda: self._find_answer(update_id), timeout)

    def _find_answer(self, update_id: int | None) -> dict | None:
        with self._lock:
            for a in self._answered:
                if update_id is None or a["update_id"] == update_id:
                    return dict(a)
        return None


def _loggable(p: dict) -> dict:
    return {
        k: (f"<upload {len(v.data)} bytes>" if isinstance(v, _Upload) else v) for k, v in p.items()
    }
