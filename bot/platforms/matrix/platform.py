"""Matrix adapter: a matrix-nio client that syncs, joins rooms on allowed invites, hands `!commands` to
bot/platforms/matrix/commands.py and delivers the outbox's alerts as m.notice messages (plain body + HTML), in
plain and end-to-end encrypted rooms alike (crypto store and trust policy: bot/platforms/matrix/crypto.py);
staff's charts and exports are uploaded (encrypted in an encrypted room) and posted as m.image / m.file.
Never decides what a command means; a message it cannot decrypt is asked for again, never ignored.

Longer than the other modules (~600 lines) because one client's life is one concept here: login
and device, the sync loop, invites and room state, and the encryption steps that must run between
a sync and the next send (key queries, claims, room-key sharing). The crypto store and the trust
policy, which need no client, are bot/platforms/matrix/crypto.py; command routing is bot/platforms/matrix/commands.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import re
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any, NoReturn, TypeVar

import aiohttp
from cachetools import TTLCache
from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    Event,
    InviteInfo,
    InviteMemberEvent,
    JoinError,
    LocalProtocolError,
    LoginResponse,
    MegolmEvent,
    RoomEncryptionEvent,
    RoomInfo,
    RoomMemberEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncError,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)
from nio.api import Api
from nio.crypto import ENCRYPTION_ENABLED
from nio.store import SqliteStore

from ... import commands as cmd
from ...alerts import Message
from ...config import Config, ConfigError
from ...i18n import t
from ...notify import Gone, Notifier, Rejected, RetryAfter, Transient
from ...store import Store
from ...vault import Vault
from . import crypto
from .commands import PLATFORM, MatrixCommands

log = logging.getLogger("releasewatch.matrix")

KV_DEVICE = "matrix.device_id"
KV_CRYPTO_DEVICE = "matrix.crypto_device_id"  # the device whose olm account the crypto store holds
KV_SINCE = "matrix.next_batch"  # with the device id in the store, a restart neither replays old messages nor adds devices
SYNC_TIMEOUT_MS = 30_000  # long-poll; the server answers sooner when something happens
REQUEST_TIMEOUT = 20.0  # every other request
UPLOAD_TIMEOUT = 60.0  # a chart or an export to the media repository (nio itself waits forever)
MAX_INLINE_WAIT = 10.0  # a rate-limited join or state lookup waits at most this long inside the sync loop
ENCRYPTED_NOTICE_EVERY = 6 * 3600.0  # seconds between two "I cannot read here" notices per room
UNDECRYPTABLE_WAIT = 10.0  # seconds a message's keys may arrive late before its sender is asked to resend
MAX_UNDECRYPTABLE = 200  # messages waiting for their keys at once; beyond that the oldest is given up

# Only what the bot reads: room timelines and state. Presence, typing, receipts and account data
# would only cost bandwidth. A larger timeline limit keeps a burst of commands from being cut.
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": 50},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}

# Catalog texts name commands the Telegram way ("/subscribe to come back"); in a room they are
# typed with "!". Only these words, only after a space or a line start: links stay untouched.
_SLASH_COMMAND = re.compile(
    r"(?<![\w/:.\"'=])/(?=(?:" + "|".join(c.name for c in cmd.COMMANDS) + r")\b)")

GONE_CODES = ("M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_ROOM")  # kicked, banned, room deleted
REJECTED_CODES = ("M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON", "M_INVALID_PARAM")

R = TypeVar("R")


def _html(markup: str) -> str:
    return markup.replace("\n", "<br>\n")


def _content(message: Message, reply_to: str | None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": message.text,
        "format": "org.matrix.custom.html",
        "formatted_body": _html(message.html),
        # intentional mentions, empty: a feed title saying "@room" must not ping the whole room
        "m.mentions": {},
    }
    if reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def _bang(message: Message) -> Message:
    """A command reply as Matrix users type commands: "/subscribe" becomes "!subscribe"."""
    return replace(message, text=_SLASH_COMMAND.sub("!", message.text),
                   html=_SLASH_COMMAND.sub("!", message.html))


def _txn_id(room_id: str, content: dict[str, Any]) -> str:
    """The same alert to the same room gets the same transaction id: if a send timed out after the
    homeserver stored it, the outbox's retry is deduplicated by the server, not posted twice."""
    raw = json.dumps([room_id, content], sort_keys=True, ensure_ascii=False).encode()
    return "rw-" + hashlib.sha256(raw).hexdigest()[:40]


MIMETYPES = {".png": "image/png", ".csv": "text/csv", ".json": "application/json"}


def _mimetype(filename: str) -> str:
    return next((m for suffix, m in MIMETYPES.items() if filename.endswith(suffix)), "application/octet-stream")


def _png_size(data: bytes) -> dict[str, int]:
    """Width and height from a PNG's IHDR chunk (Element lays the image out before downloading it)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return {}
    w, h = struct.unpack(">II", data[16:24])
    return {"w": w, "h": h}


def _file_content(message: Message, filename: str, mimetype: str, size: int, image: dict[str, int] | None,
                  uri: str, keys: dict[str, Any] | None) -> dict[str, Any]:
    """An m.image / m.file event: the caption as body, the name in filename (Matrix 1.10 captions);
    in an encrypted room the media's decryption info under `file` instead of a plain `url`."""
    info: dict[str, Any] = {"mimetype": mimetype, "size": size, **(image or {})}
    content: dict[str, Any] = {
        "msgtype": "m.image" if image is not None else "m.file",
        "body": message.text, "filename": filename, "info": info, "m.mentions": {},
    }
    if keys is not None:
        content["file"] = {**keys, "url": uri}
    else:
        content["url"] = uri
    return content


def _code(resp: object) -> str | None:
    return getattr(resp, "status_code", None)


def _retry_after(resp: object, default: float = 1.0) -> float:
    ms = getattr(resp, "retry_after_ms", None)
    return max(ms / 1000, 0.05) if ms else default


class MatrixNotifier:
    """Sends m.notice messages; translates Matrix errors into bot.notify's vocabulary."""

    platform = PLATFORM

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        """An outbox message (alert, update, broadcast): idempotent per room and content."""
        content = _content(message, reply_to)
        return await self._send(chat_id, content, _txn_id(chat_id, content))

    async def reply(self, chat_id: str, message: Message) -> str | None:
        """A command's answer: asking twice must answer twice, so a fresh transaction id."""
        return await self._send(chat_id, _content(_bang(message), None), None)

    async def reply_file(self, chat_id: str, message: Message, data: bytes, filename: str,
                         image: bool = False) -> str | None:
        """A command's file (chart, export): uploaded to the homeserver's media repository (encrypted
        first if the room is: the server keeps only ciphertext), then posted with the message as caption."""
        room = self.client.rooms.get(chat_id)
        encrypt = bool(self.client.olm and room is not None and room.encrypted)  # as room_send decides
        mimetype = _mimetype(filename)
        try:
            resp, keys = await asyncio.wait_for(
                self.client.upload(io.BytesIO(data), content_type=mimetype, filename=filename, encrypt=encrypt,
                                   filesize=len(data)),
                timeout=UPLOAD_TIMEOUT,
            )
        except TimeoutError as exc:
            raise Transient("Matrix upload timed out") from exc
        except Exception as exc:  # aiohttp connection errors
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(resp, UploadResponse):
            self._fail(resp)
        content = _file_content(_bang(message), filename, mimetype, len(data),
                                _png_size(data) if image else None, resp.content_uri, keys if encrypt else None)
        return await self._send(chat_id, content, None)

    async def _send(self, room_id: str, content: dict[str, Any], txn_id: str | None) -> str | None:
        try:
            # in an encrypted room nio first fetches the members' device keys and shares the room
            # key (bot/platforms/matrix/crypto.py decides with which devices): a few requests, one deadline
            resp = await asyncio.wait_for(
                self.client.room_send(room_id, "m.room.message", content, tx_id=txn_id,
                                      ignore_unverified_devices=True),
                timeout=REQUEST_TIMEOUT * 2,
            )
        except TimeoutError as exc:
            # nio marks a room "sharing keys" before its first await and clears the mark only on
            # its way out: a cancelled share would leave every later send to the room waiting on it
            stuck = getattr(self.client, "sharing_session", {}).pop(room_id, None)
            if stuck is not None:
                stuck.set()
            raise Transient("Matrix send timed out") from exc
        except Exception as exc:  # aiohttp connection errors, nio's LocalProtocolError
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(resp, RoomSendResponse):
            return str(resp.event_id)
        self._fail(resp)

    @staticmethod
    def _fail(resp: object) -> NoReturn:
        """A homeserver's error answer in bot.notify's vocabulary."""
        code = _code(resp)
        if code == "M_LIMIT_EXCEEDED":
            raise RetryAfter(_retry_after(resp))
        if code in GONE_CODES:
            raise Gone(f"{code}: {getattr(resp, 'message', '')}"[:200])
        if code in REJECTED_CODES:
            raise Rejected(str(code))
        if code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
            log.error("the homeserver no longer accepts the bot's access token")
        raise Transient(f"{code}: {getattr(resp, 'message', resp)}"[:200])


class MatrixPlatform:
    """Sync loop, invites, commands; the notifier shares the client."""

    def __init__(self, config: Config, store: Store, *, access_token: str | None = None,
                 password: str | None = None) -> None:
        mx = config.matrix
        if not (mx.homeserver and mx.user_id):
            raise ConfigError("Config keys 'matrix.homeserver' and 'matrix.user_id' are required.")
        self.config = config
        self.store = store
        self.user_id = mx.user_id
        self.access_token = access_token or mx.access_token
        self.password = password or mx.password
        # encrypted rooms: nio's SqliteStore in its own directory. It stays closed (store_path "")
        # until _open_crypto() has checked that it still holds this device's keys
        self.crypto_dir = crypto.store_dir(config)
        self.e2e = mx.encryption and ENCRYPTION_ENABLED
        if mx.encryption and not ENCRYPTION_ENABLED:
            log.error("matrix-nio's e2e extra is not installed: encrypted rooms will be told the bot cannot read them")
        self.trust = crypto.TrustPolicy(mx)
        self.client = crypto.PolicyClient(
            mx.homeserver, mx.user_id, device_id=store.get_kv(KV_DEVICE), store_path="",
            config=AsyncClientConfig(
                encryption_enabled=self.e2e,
                store=SqliteStore,
                store_sync_tokens=False,  # the sync token lives in our database (KV_SINCE)
                request_timeout=REQUEST_TIMEOUT,
                # nio would otherwise sleep and retry a 429 forever inside room_send, so the
                # outbox would never see M_LIMIT_EXCEEDED; and retry timeouts itself, hiding them
                max_limit_exceeded=0,
                max_timeouts=0,
            ),
        )
        self.client.policy = self.trust
        self._notifier = MatrixNotifier(self.client)
        self.notifier: Notifier = self._notifier  # what the outbox sends through
        self.staff = set(mx.staff_user_ids)
        self.vault = Vault.from_env()
        deps = cmd.Deps(store, self.vault, config.allow_private_feed_urls, config.request_timeout, self._wake)
        self.commands = MatrixCommands(self.client, deps, self.staff, config.default_lang,
                                       lambda room_id: self._retrying(partial(self.client.room_get_state, room_id)))
        self.ready = asyncio.Event()  # set after the first sync has been handled
        self.wake_hook: Callable[[], Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._busy = False  # handling a sync: stop() lets it finish so its token gets saved
        self._logged_in_by_password = False
        self.encrypted_notice_every = ENCRYPTED_NOTICE_EVERY
        self._encrypted_noticed: dict[str, float] = {}  # room -> when we last said we cannot read
        self.undecryptable_wait = UNDECRYPTABLE_WAIT
        self._undecryptable: dict[str, tuple[str, MegolmEvent, float]] = {}  # event id -> room, event, deadline
        # (room, sender, megolm session) already asked to resend: once, not once per message
        self._asked_to_resend: TTLCache[tuple[str, str, str], bool] = TTLCache(maxsize=2000, ttl=ENCRYPTED_NOTICE_EVERY)

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        try:
            await self._login()
            for room in self.config.matrix.rooms:
                joined = await self._retrying(partial(self.client.join, room))
                if isinstance(joined, JoinError):
                    log.warning("could not join a configured room", extra={"reason": _code(joined)})
        except BaseException:
            await self.client.close()
            raise
        self._task = asyncio.create_task(self._sync_loop(), name="matrix-sync")

    async def _login(self) -> None:
        homeserver = self.config.matrix.homeserver
        try:
            if self.access_token:
                self.client.access_token = self.access_token
                who = await self._retrying(self.client.whoami)
                if not isinstance(who, WhoamiResponse):
                    raise ConfigError(
                        f"The Matrix homeserver refused MATRIX_ACCESS_TOKEN ({_code(who)}); "
                        "create a new access token for matrix.user_id.")
                if who.user_id != self.user_id:
                    raise ConfigError(f"MATRIX_ACCESS_TOKEN belongs to {who.user_id}, not to "
                                      f"matrix.user_id {self.user_id}.")
                # the token decides the device; a stored id from a password login does not apply
                self.client.device_id = who.device_id or self.client.device_id
            elif self.password:
                # logging in with the stored device id reuses that device instead of adding one
                device_name = self.config.matrix.device_name
                resp = await self._retrying(
                    lambda: self.client.login(self.password, device_name=device_name))
                if not isinstance(resp, LoginResponse):
                    raise ConfigError(
                        f"The Matrix homeserver refused MATRIX_PASSWORD for {self.user_id} "
                        f"({_code(resp)}); check the password and matrix.user_id.")
                self._logged_in_by_password = True
            else:
                raise ConfigError(
                    "Matrix needs MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD in the environment.")
        except (OSError, TimeoutError, aiohttp.ClientError) as exc:
            raise ConfigError(
                f"Cannot reach the Matrix homeserver at {homeserver} ({type(exc).__name__}); "
                "check matrix.homeserver and the network.") from None
        if self.client.device_id:
            self.store.set_kv(KV_DEVICE, self.client.device_id)
        if self.e2e:
            await self._open_crypto()

    async def _open_crypto(self) -> None:
        """Open the crypto store of this device; if its keys are gone, start a new device (a password
        can log one in) or carry on without encryption (an access token belongs to its device)."""
        user, device = self.user_id, str(self.client.device_id)
        kept = crypto.has_account(self.crypto_dir, user, device)
        published = await self._server_has_keys(device)
        if not kept and published:
            if not self._logged_in_by_password:
                log.error(
                    f"The Matrix crypto store for device {device} is missing from {self.crypto_dir}, and "
                    "MATRIX_ACCESS_TOKEN belongs to that device: restore the store from a backup, or log the bot "
                    "in again for a new access token (or use MATRIX_PASSWORD). Until then encrypted rooms are "
                    "told the bot cannot read them.")
                self.e2e = False
                return
            log.warning(
                f"The Matrix crypto store for device {device} is missing from {self.crypto_dir}: starting a new "
                "device. Encrypted rooms keep working; their members' clients will show the bot's new session.")
            await self._new_device(device)
            device = str(self.client.device_id)
        crypto.prepare(self.crypto_dir, user, device)
        self.client.store_path = str(self.crypto_dir)
        self.client.load_store()
        if kept and not published and self.client.olm:
            # the device was signed out (which deletes its keys on the server) and logged in again
            self.client.olm.account.shared = False  # publish the same identity keys again
        self.store.set_kv(KV_CRYPTO_DEVICE, device)
        await self.trust.resolve(self.client)
        await self._keys()

    async def _server_has_keys(self, device: str) -> bool:
        """Did this device ever publish identity keys? Then only its lost store could use them."""
        method, path, data = Api.keys_query(self.client.access_token, {self.user_id})
        resp = await asyncio.wait_for(self.client.send(method, path, data), timeout=REQUEST_TIMEOUT)
        body = await resp.json() if resp.status == 200 else {}
        return device in (body.get("device_keys") or {}).get(self.user_id, {})

    async def _new_device(self, old: str) -> None:
        """Log in again as a new device. Logging out first deletes the old one with its tokens and
        published keys, which nobody holds any more: members' clients stop encrypting for it."""
        resp = await self._retrying(self.client.logout)
        if _code(resp) is not None:
            log.warning(f"could not sign out the old Matrix device {old}; remove it in a Matrix client")
        self.client.device_id = None
        device_name = self.config.matrix.device_name
        resp = await self._retrying(lambda: self.client.login(self.password, device_name=device_name))
        if not isinstance(resp, LoginResponse):
            raise ConfigError(f"The Matrix homeserver refused MATRIX_PASSWORD for {self.user_id} ({_code(resp)}).")
        self.store.set_kv(KV_DEVICE, resp.device_id)

    async def _keys(self) -> None:
        """The key traffic nio's own sync_forever would do: publish ours, learn the members' devices,
        open olm sessions, and send what nio queued (key shares, session repairs)."""
        client = self.client
        if not (self.e2e and client.olm):
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except LocalProtocolError:  # another task did the same query first
            pass
        except (OSError, TimeoutError, aiohttp.ClientError) as exc:
            log.warning("Matrix key exchange failed", extra={"reason": type(exc).__name__})

    async def stop(self) -> None:
        self._stopping.set()
        if self._task:
            if not self._busy:
                self._task.cancel()  # only ever cancelled while waiting for the server
            try:
                await asyncio.wait_for(self._task, timeout=30)
            except (asyncio.CancelledError, Exception):
                pass
        if self._logged_in_by_password and not (self.e2e and self.client.olm):
            # the password gives a new token at each start: invalidate this one rather than let
            # them pile up (the device id is reused at the next login). Not with encryption: a
            # logout deletes the device and its keys, and members could not write to the bot
            # while it is down
            try:
                await asyncio.wait_for(self.client.logout(), timeout=REQUEST_TIMEOUT)
            except Exception:
                log.warning("Matrix logout failed")
        await self.client.close()

    async def _retrying(self, call: Callable[[], Awaitable[R]], attempts: int = 3) -> R:
        """A call outside the outbox: wait out a short M_LIMIT_EXCEEDED, then give up."""
        resp = await asyncio.wait_for(call(), timeout=REQUEST_TIMEOUT + 5)
        for _ in range(attempts - 1):
            if _code(resp) != "M_LIMIT_EXCEEDED" or _retry_after(resp) > MAX_INLINE_WAIT:
                break
            await asyncio.sleep(_retry_after(resp))
            resp = await asyncio.wait_for(call(), timeout=REQUEST_TIMEOUT + 5)
        return resp

    def _wake(self) -> None:
        if self.wake_hook:
            self.wake_hook()

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _sync_loop(self) -> None:
        since = self.store.get_kv(KV_SINCE)
        backoff = 1.0
        while not self._stopping.is_set():
            # the first sync only catches up (ready at once, not after a quiet 30 s long-poll);
            # messages waiting for their keys are looked at again soon
            timeout = 0 if not self.ready.is_set() else 1000 if self._undecryptable else SYNC_TIMEOUT_MS
            # and brings every room's whole state: which rooms are encrypted and who is in them is
            # known before the first send (a new process knows nothing, a lost crypto store not even
            # which rooms are encrypted: it would post there in clear)
            full_state = since is not None and not self.ready.is_set()
            try:
                resp = await asyncio.wait_for(
                    self.client.sync(timeout=timeout, sync_filter=SYNC_FILTER, since=since, full_state=full_state),
                    timeout=SYNC_TIMEOUT_MS / 1000 + REQUEST_TIMEOUT,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Matrix sync failed", extra={"reason": type(exc).__name__})
                await self._pause(backoff)
                backoff = min(backoff * 2, 60)
                continue
            if isinstance(resp, SyncError):
                log.warning("Matrix sync refused", extra={"reason": _code(resp)})
                await self._pause(_retry_after(resp, backoff))
                backoff = min(backoff * 2, 60)
                continue
            backoff = 1.0
            self._busy = True  # no await between the sync's return and this line
            try:
                await self._keys()  # a member's new device is known before the bot answers anyone
                # without a saved token this is the first sync ever: old messages are history
                await self._handle(resp, replay=since is not None)
                await self._retry_undecryptable()
                await self._keys()
            except Exception:
                log.exception("handling a Matrix sync failed")
            finally:
                self._busy = False
            since = resp.next_batch
            self.store.set_kv(KV_SINCE, since)
            self.ready.set()

    # -- sync handling -----------------------------------------------------------------------------
    async def _handle(self, resp: SyncResponse, replay: bool) -> None:
        # one room's trouble must not cost the other rooms their commands
        # invites are answered even on the first sync: they wait on the server until we do
        for room_id, invite in resp.rooms.invite.items():
            await self._guarded(self._on_invite(room_id, self._inviter(invite)))
        for room_id in resp.rooms.leave:
            sub = self.store.subscriber(PLATFORM, room_id)
            if sub and not sub.gone:
                self.store.deactivate(sub.id, "the bot left or was removed from the room")
        for room_id, info in resp.rooms.join.items():
            await self._guarded(self._on_room(room_id, info, replay))

    @staticmethod
    async def _guarded(step: Awaitable[None]) -> None:
        try:
            await step
        except Exception:
            log.exception("handling a Matrix room failed")

    def _inviter(self, invite: InviteInfo) -> str | None:
        inviter = None
        for ev in invite.invite_state:
            if (isinstance(ev, InviteMemberEvent) and ev.state_key == self.user_id
                    and ev.membership == "invite"):
                inviter = ev.sender
        return inviter

    async def _on_room(self, room_id: str, info: RoomInfo, replay: bool) -> None:
        events = info.timeline.events
        start, fresh = 0, False
        for i, ev in enumerate(events):
            if (isinstance(ev, RoomMemberEvent) and ev.state_key == self.user_id
                    and ev.membership == "join" and ev.prev_membership != "join"):
                # what a newly joined room's timeline shows before our join is history, not commands
                start, fresh = i + 1, True
        if not replay:
            return
        if fresh:
            if not self.e2e and self._encrypted(room_id, info):
                await self._encrypted_notice(room_id, force=True)
            else:
                lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.config.default_lang)
                await self._say(room_id, cmd.help_text(lang, "!"))
        for ev in events[start:]:
            if ev.sender != self.user_id:
                await self._on_event(room_id, ev)

    async def _on_event(self, room_id: str, ev: Event) -> None:
        """One timeline event from someone else (nio has decrypted what it could): a `!command`, a
        message whose keys have not arrived, or (without e2e) a sign that the room is encrypted."""
        if isinstance(ev, RoomEncryptionEvent):
            if not self.e2e:
                await self._encrypted_notice(room_id, force=True)
        elif isinstance(ev, MegolmEvent) and self.e2e and self.client.olm:
            await self._await_keys(room_id, ev)
        elif ev.source.get("type") == "m.room.encrypted":  # a message we cannot decrypt, maybe a command
            await self._encrypted_notice(room_id)
        elif isinstance(ev, RoomMessageText) and ev.body.startswith("!"):
            try:
                await self.on_command(room_id, ev.sender, ev.body)
            except Exception:
                log.exception("a Matrix command failed")
                lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.config.default_lang)
                await self._say(room_id, cmd.plain(t(lang, "error.generic")))

    async def _await_keys(self, room_id: str, ev: MegolmEvent) -> None:
        """A message nio could not decrypt: usually its key is still on the way (it travels apart,
        to our device); ask for it too, and look again after each sync until the deadline."""
        try:
            await self.client.request_room_key(ev)  # nio sends it to the bot's other devices
        except LocalProtocolError:  # already asked for this session
            pass
        except (OSError, TimeoutError, aiohttp.ClientError) as exc:
            log.warning("a Matrix key request failed", extra={"reason": type(exc).__name__})
        if len(self._undecryptable) >= MAX_UNDECRYPTABLE:
            oldest = next(iter(self._undecryptable))
            await self._give_up(*self._undecryptable.pop(oldest)[:2])
        self._undecryptable[ev.event_id] = (room_id, ev, time.monotonic() + self.undecryptable_wait)

    async def _retry_undecryptable(self) -> None:
        """Messages whose keys arrived since are handled as if they had just come; the others, once
        their wait is over, get their sender asked to send again."""
        now = time.monotonic()
        for event_id, (room_id, ev, deadline) in list(self._undecryptable.items()):
            try:
                decrypted = self.client.decrypt_event(ev)
            except EncryptionError:
                if now >= deadline:
                    del self._undecryptable[event_id]
                    await self._give_up(room_id, ev)
                continue
            del self._undecryptable[event_id]
            if not isinstance(decrypted, MegolmEvent):
                await self._on_event(room_id, decrypted)

    async def _give_up(self, room_id: str, ev: MegolmEvent) -> None:
        key = (room_id, ev.sender, ev.session_id or "")
        if key in self._asked_to_resend:
            return
        self._asked_to_resend[key] = True
        log.info("a Matrix message stayed undecryptable", extra={"reason": "missing room key"})
        lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.config.default_lang)
        await self._say(room_id, cmd.plain(t(lang, "matrix.undecryptable", sender=ev.sender)))

    def _encrypted(self, room_id: str, info: RoomInfo) -> bool:
        room = self.client.rooms.get(room_id)
        if room is not None and room.encrypted:
            return True
        events = [*info.state, *info.timeline.events]
        return any(isinstance(ev, RoomEncryptionEvent) for ev in events)

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
        # the greeting is sent when the join shows up in the next sync (see _on_room)
        if self._allowed(inviter):
            resp = await self._retrying(partial(self.client.join, room_id))
            if isinstance(resp, JoinError):
                log.warning("could not join a room the bot was invited to",
                            extra={"reason": _code(resp)})
        else:
            log.info("declined an invite from outside matrix.allowed_inviters")
            await self._retrying(partial(self.client.room_leave, room_id))

    async def _encrypted_notice(self, room_id: str, force: bool = False) -> None:
        now = time.monotonic()
        last = self._encrypted_noticed.get(room_id)
        if not force and last is not None and now - last < self.encrypted_notice_every:
            return
        self._encrypted_noticed[room_id] = now
        lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.config.default_lang)
        await self._say(room_id, cmd.plain(t(lang, "matrix.encrypted")))

    async def _say(self, room_id: str, msg: Message) -> None:
        """A reply in a room: M_LIMIT_EXCEEDED is waited out (bounded, see cmd.patiently), other errors logged."""
        try:
            await cmd.patiently(partial(self._notifier.reply, room_id, msg))
        except Exception as exc:
            log.warning("a Matrix reply failed", extra={"reason": type(exc).__name__})

    # -- commands: bot/platforms/matrix/commands.py routes them from the registry -----------------------------
    async def on_command(self, room_id: str, sender: str, body: str) -> None:
        """`!command args` in a room."""
        answer = await self.commands.route(room_id, sender, body)
        for reply in answer.replies if answer else ():
            if reply.file is None:
                await self._say(room_id, reply.message)
            else:
                await self._send_file(room_id, reply)

    async def _send_file(self, room_id: str, reply: cmd.Reply) -> None:
        """A chart or an export; if it cannot be uploaded or posted, one sentence says so instead."""
        assert reply.file is not None
        try:
            sent = await cmd.patiently(partial(self._notifier.reply_file, room_id, reply.message, reply.file,
                                               reply.filename, reply.image))
        except Exception as exc:
            log.warning("a Matrix file reply failed", extra={"reason": f"{type(exc).__name__}: {exc}"[:200]})
            sent = None
        if sent is None:
            lang = cmd.chat_lang(self.store, PLATFORM, room_id, self.config.default_lang)
            await self._say(room_id, cmd.plain(t(lang, "matrix.upload_failed")))
