"""Matrix adapter: a matrix-nio AsyncClient that joins rooms, answers `!commands` and delivers the
outbox's alerts as m.notice messages (plain body + org.matrix.custom.html).

The sync token and device id live in the store, so a restart neither replays old room messages
nor piles up devices. Invites are accepted only from allowed users/servers. Encrypted rooms are
not supported (no olm): the bot says so in such a room instead of staying silent. Command logic
is bot.commands, shared with Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MegolmEvent,
    RoomEncryptionEvent,
    RoomMemberEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncError,
    SyncResponse,
)

from . import commands as cmd
from .alerts import Message
from .config import Config
from .i18n import LANGS, t
from .notify import Gone, Rejected, RetryAfter, Transient
from .store import Store

log = logging.getLogger("releasewatch.matrix")

PLATFORM = "matrix"
SYNC_TIMEOUT_MS = 30_000


def _html(markup: str) -> str:
    return markup.replace("\n", "<br>\n")


class MatrixNotifier:
    platform = PLATFORM

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": message.text,
            "format": "org.matrix.custom.html",
            "formatted_body": _html(message.html),
        }
        if reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        try:
            resp = await asyncio.wait_for(
                self.client.room_send(chat_id, "m.room.message", content, ignore_unverified_devices=True),
                timeout=30,
            )
        except TimeoutError as exc:
            raise Transient("Matrix send timed out") from exc
        except Exception as exc:  # nio raises LocalProtocolError and aiohttp errors
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(resp, RoomSendResponse):
            return resp.event_id
        code = getattr(resp, "status_code", None)
        if code == "M_LIMIT_EXCEEDED":
            raise RetryAfter((getattr(resp, "retry_after_ms", None) or 1000) / 1000)
        if code in ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_ROOM"):
            raise Gone(f"{code}: {getattr(resp, 'message', '')}")
        if code in ("M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON"):
            raise Rejected(str(code))
        raise Transient(str(resp))


class MatrixPlatform:
    """Sync loop, invites, commands; the notifier shares the client."""

    def __init__(self, config: Config, store: Store, *, access_token: str | None = None,
                 password: str | None = None) -> None:
        mx = config.matrix
        assert mx.homeserver and mx.user_id
        self.config = config
        self.store = store
        self.user_id = mx.user_id
        self.access_token = access_token or mx.access_token
        self.password = password or mx.password
        device_id = store.get_kv("matrix.device_id")
        self.client = AsyncClient(
            mx.homeserver, mx.user_id, device_id=device_id,
            config=AsyncClientConfig(encryption_enabled=False, request_timeout=40, max_timeouts=3),
        )
        self.notifier = MatrixNotifier(self.client)
        self.staff = set(mx.staff_user_ids)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.ready = asyncio.Event()
        self.wake_hook: Any = None
        self._warned_encrypted: set[str] = set()

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        if self.access_token:
            self.client.access_token = self.access_token
            if not self.client.device_id:
                who = await self.client.whoami()
                self.client.device_id = getattr(who, "device_id", None) or ""
        elif self.password:
            resp = await self.client.login(self.password, device_name=self.config.matrix.device_name)
            if not isinstance(resp, LoginResponse):
                raise RuntimeError(f"Matrix login failed: {getattr(resp, 'message', resp)}")
        else:
            raise RuntimeError("Matrix needs MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD")
        if self.client.device_id:
            self.store.set_kv("matrix.device_id", self.client.device_id)
        for room in self.config.matrix.rooms:
            joined = await self.client.join(room)
            if isinstance(joined, JoinError):
                log.warning("could not join configured room", extra={"reason": joined.message})
        self._task = asyncio.create_task(self._sync_loop())

    async def stop(self) -> None:
        self._stopping.set()
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        await self.client.close()

    async def _sync_loop(self) -> None:
        since = self.store.get_kv("matrix.next_batch")
        first = since is None
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                resp = await self.client.sync(timeout=0 if first else SYNC_TIMEOUT_MS, since=since,
                                              full_state=first)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("sync failed", extra={"reason": type(exc).__name__})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60)
                continue
            if isinstance(resp, SyncError):
                retry = (getattr(resp, "retry_after_ms", None) or backoff * 1000) / 1000
                await asyncio.sleep(retry)
                backoff = min(backoff * 2, 60)
                continue
            backoff = 1.0
            try:
                # on the very first sync, old room messages are history, not commands
                await self._handle(resp, replay=not first)
            except Exception:
                log.exception("handling a sync failed")
            since = resp.next_batch
            self.store.set_kv("matrix.next_batch", since)
            first = False
            self.ready.set()

    # -- sync handling -----------------------------------------------------------------------------
    async def _handle(self, resp: SyncResponse, replay: bool) -> None:
        for room_id, info in resp.rooms.invite.items():
            inviter = None
            for ev in info.invite_state:
                if isinstance(ev, InviteMemberEvent) and ev.state_key == self.user_id and ev.membership == "invite":
                    inviter = ev.sender
            await self._on_invite(room_id, inviter)
        for room_id in resp.rooms.leave:
            sub = self.store.subscriber(PLATFORM, room_id)
            if sub and sub.active:
                self.store.deactivate(sub.id, "the bot left or was removed from the room")
        for room_id, info in resp.rooms.join.items():
            for ev in info.timeline.events:
                if isinstance(ev, RoomMemberEvent) and ev.state_key == self.user_id and ev.membership in ("leave", "ban"):
                    sub = self.store.subscriber(PLATFORM, room_id)
                    if sub:
                        self.store.deactivate(sub.id, "kicked from the room")
                if not replay or ev.sender == self.user_id:
                    continue
                if isinstance(ev, MegolmEvent | RoomEncryptionEvent):
                    await self._encrypted_notice(room_id)
                elif isinstance(ev, RoomMessageText) and ev.body.startswith("!"):
                    try:
                        await self.on_command(room_id, ev.sender, ev.body)
                    except Exception:
                        log.exception("command failed")
                        lang = cmd.chat_lang(self.store, PLATFORM, room_id, None)
                        await self._say(room_id, cmd.plain(t(lang, "error.generic")))

    def _allowed(self, inviter: str | None) -> bool:
        if inviter is None:
            return False
        server = inviter.partition(":")[2]
        for allowed in self.config.matrix.allowed_inviters:
            if allowed.startswith("@") and allowed == inviter:
                return True
            if not allowed.startswith("@") and allowed.lstrip(":") == server:
                return True
        return inviter in self.staff

    async def _on_invite(self, room_id: str, inviter: str | None) -> None:
        if self._allowed(inviter):
            await self.client.join(room_id)
            lang = self.config.default_lang
            await self._say(room_id, cmd.help_text(lang, "!"))
        else:
            log.info("declined an invite from a user not on the allowlist")
            await self.client.room_leave(room_id)

    async def _encrypted_notice(self, room_id: str) -> None:
        if room_id in self._warned_encrypted:
            return
        self._warned_encrypted.add(room_id)
        lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.config.default_lang)
        await self._say(room_id, cmd.plain(t(lang, "matrix.encrypted")))

    async def _say(self, room_id: str, msg: Message) -> None:
        try:
            await self.notifier.send(room_id, msg)
        except Exception as exc:
            log.warning("reply failed", extra={"reason": type(exc).__name__})

    # -- commands ----------------------------------------------------------------------------------
    async def on_command(self, room_id: str, sender: str, body: str) -> None:
        """`!command args` in a room."""
        try:
            words = shlex.split(body[1:])
        except ValueError:
            words = body[1:].split()
        if not words:
            return
        name, args = words[0].lower(), words[1:]
        lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.config.default_lang)
        chat = cmd.Chat(PLATFORM, room_id, lang)
        staff = sender in self.staff
        replies: list[Message]
        if name in ("help", "start", "ayuda"):
            replies = [cmd.help_text(lang, "!", staff)]
        elif name in ("language", "idioma"):
            if args and args[0] in LANGS:
                replies = [cmd.set_language(self.store, chat, args[0])]
            else:
                replies = [cmd.usage(lang, "language")]
        elif name == "subscribe":
            filt = "all"
            if args and args[0] in cmd.FILTERS:
                filt = args.pop(0)
            prison = " ".join(args) or None
            if prison and prison not in cmd.prisons():
                matches = [p for p in cmd.prisons() if p.lower() == prison.lower()]
                prison = matches[0] if matches else prison
            replies = [cmd.subscribe(self.store, chat, filt, prison)]
            if self.wake_hook:
                self.wake_hook()
        elif name == "unsubscribe":
            replies = [cmd.unsubscribe(self.store, chat)]
        elif name == "status":
            replies = [cmd.status(self.store, lang, staff=staff)]
        elif name == "latest":
            replies = cmd.latest(self.store, lang)
        elif name == "sources":
            replies = [cmd.sources(self.store, lang)]
        elif name == "forget":
            if args[:1] == ["confirm"]:
                replies = [cmd.forget(self.store, chat)]
            else:
                replies = [cmd.plain(t(lang, "matrix.forget_confirm"))]
        elif name in ("feeds", "stats"):
            if not staff:
                replies = [cmd.plain(t(lang, "staff.refused"))]
            else:
                replies = [cmd.feeds_report(self.store, lang) if name == "feeds" else cmd.stats(self.store, lang)]
        else:
            replies = [cmd.plain(t(lang, "matrix.unknown", command=name[:40]))]
        for msg in replies:
            await self._say(room_id, msg)
