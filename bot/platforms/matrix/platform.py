"""Matrix adapter: the bot's device syncs (connection.py logs it in), joins rooms on allowed invites,
hands `!commands` to commands.py and answers through notifier.py, which also delivers the outbox's
alerts; in plain and end-to-end encrypted rooms alike (crypto store and trust policy: crypto.py).
Never decides what a command means; a message it cannot decrypt is asked for again, never ignored.

One client's life in a room is one concept here: the sync loop and its token, invites and room
state, messages whose keys arrive late, and the notices an encrypted room gets when the bot cannot
read it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiohttp
from cachetools import TTLCache
from nio import (
    EncryptionError,
    Event,
    InviteInfo,
    InviteMemberEvent,
    JoinError,
    LocalProtocolError,
    MegolmEvent,
    RoomEncryptionEvent,
    RoomInfo,
    RoomMemberEvent,
    RoomMessageText,
    SyncError,
    SyncResponse,
)

from ... import commands as cmd
from ... import vault
from ...alerts import Message
from ...backoff import backoff
from ...config import Config
from ...i18n import t
from ...notify import Notifier
from ...store import Store
from .commands import PLATFORM, MatrixCommands
from .connection import REQUEST_TIMEOUT, Connection, errcode, retry_after, retrying
from .notifier import MatrixNotifier

log = logging.getLogger("releasewatch.matrix")

KV_SINCE = "matrix.next_batch"  # with the device id in the store, a restart neither replays old messages nor adds devices
SYNC_TIMEOUT_MS = 30_000  # long-poll; the server answers sooner when something happens
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


class MatrixPlatform:
    """Sync loop, invites, commands; the notifier shares the connection's client."""

    def __init__(self, config: Config, store: Store, *, access_token: str | None = None,
                 password: str | None = None) -> None:
        self.connection = Connection(config, store, access_token, password)
        self.config = config
        self.store = store
        self.user_id = self.connection.user_id
        self.client = self.connection.client
        self._notifier = MatrixNotifier(self.client)
        self.notifier: Notifier = self._notifier  # what the outbox sends through
        self.staff = set(config.matrix.staff_user_ids)
        self.vault = vault.current()
        deps = cmd.Deps(store, self.vault, config.allow_private_feed_urls, config.request_timeout, self._wake)
        self.commands = MatrixCommands(self.client, deps, self.staff, config.default_lang,
                                       lambda room_id: retrying(partial(self.client.room_get_state, room_id)))
        self.ready = asyncio.Event()  # set after the first sync has been handled
        self.wake_hook: Callable[[], object] | None = None  # the service's: wakes the outbox
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._busy = False  # handling a sync: stop() lets it finish so its token gets saved
        self.encrypted_notice_every = ENCRYPTED_NOTICE_EVERY
        self._encrypted_noticed: dict[str, float] = {}  # room -> when we last said we cannot read
        self.undecryptable_wait = UNDECRYPTABLE_WAIT
        self._undecryptable: dict[str, tuple[str, MegolmEvent, float]] = {}  # event id -> room, event, deadline
        # (room, sender, megolm session) already asked to resend: once, not once per message
        self._asked_to_resend: TTLCache[tuple[str, str, str], bool] = TTLCache(maxsize=2000, ttl=ENCRYPTED_NOTICE_EVERY)

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        try:
            await self.connection.login()
            for room in self.config.matrix.rooms:
                joined = await retrying(partial(self.client.join, room))
                if isinstance(joined, JoinError):
                    log.warning("could not join a configured room", extra={"reason": errcode(joined)})
        except BaseException:
            await self.client.close()
            raise
        self._task = asyncio.create_task(self._sync_loop(), name="matrix-sync")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task:
            if not self._busy:
                self._task.cancel()  # only ever cancelled while waiting for the server
            try:
                await asyncio.wait_for(self._task, timeout=30)
            except (asyncio.CancelledError, Exception):
                pass
        await self.connection.close()

    @property
    def connected(self) -> bool:
        """The first sync has been handled (and commands are answered since)."""
        return self.ready.is_set()

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
        failures = 0  # syncs failed in a row: the wait before the next one doubles, up to a minute
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
                await self._pause(backoff(1.0, failures, 60))
                failures += 1
                continue
            if isinstance(resp, SyncError):
                log.warning("Matrix sync refused", extra={"reason": errcode(resp)})
                await self._pause(retry_after(resp, backoff(1.0, failures, 60)))
                failures += 1
                continue
            failures = 0
            self._busy = True  # no await between the sync's return and this line
            try:
                await self.connection.keys()  # a member's new device is known before the bot answers anyone
                # without a saved token this is the first sync ever: old messages are history
                await self._handle(resp, replay=since is not None)
                await self._retry_undecryptable()
                await self.connection.keys()
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
            if not self.connection.e2e and self._encrypted(room_id, info):
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
            if not self.connection.e2e:
                await self._encrypted_notice(room_id, force=True)
        elif isinstance(ev, MegolmEvent) and self.connection.e2e and self.client.olm:
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
            resp = await retrying(partial(self.client.join, room_id))
            if isinstance(resp, JoinError):
                log.warning("could not join a room the bot was invited to",
                            extra={"reason": errcode(resp)})
        else:
            log.info("declined an invite from outside matrix.allowed_inviters")
            await retrying(partial(self.client.room_leave, room_id))

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

    # -- commands: commands.py routes them from the registry ---------------------------------------
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
