"""Matrix end-to-end fixtures: the real service (scheduler, outbox, MatrixPlatform on matrix-nio) in
the test's event loop, talking to the session's real Synapse and reading a loopback feed server.
A person is a second nio client that creates rooms, invites the bot, types `!commands` and reads
what the bot posted, as Element would.

Import the fixtures (registered as `matrix_harness`, `matrix_users`, `synapse`) into a test module:
    from tests.e2e.matrix_harness import matrix_harness_fixture, matrix_users_fixture, synapse_fixture
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import nio
import pytest

from bot.alerts import Message
from bot.config import Config, FeedConfig, MatrixConfig
from bot.notify import DeliveryError
from bot.platforms.matrix import MatrixPlatform
from bot.service import Service
from bot.store import Store
from loopback.synapse_server import MatrixUser, SynapseServer
from tests.feedserver import FeedServer, rss
from tests.synapse_fixtures import matrix_users_fixture, synapse_fixture

__all__ = ["EncryptedHuman", "Human", "MatrixHarness", "matrix_harness_fixture", "matrix_users_fixture", "synapse_fixture"]

FEED_NAME = 'Noticias <Loopback> & "Co"'  # markup in a feed-derived string, on purpose
WAIT = 20.0
ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class Human:
    """Someone in Element, reduced to a nio client that remembers every timeline event it saw."""

    FILTER = {"room": {"timeline": {"limit": 200}}}  # a burst between two syncs is not cut

    def __init__(self, synapse: SynapseServer, user: MatrixUser) -> None:
        self.user = user
        self.synapse = synapse
        config = nio.AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=30)
        self.client = nio.AsyncClient(synapse.url, user.user_id, config=config)
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.timeline: dict[str, list[nio.Event]] = {}
        self.invites: set[str] = set()

    @property
    def user_id(self) -> str:
        return self.user.user_id

    async def sync(self, timeout_ms: int = 300) -> None:
        resp = await self.client.sync(timeout=timeout_ms, sync_filter=self.FILTER)
        assert isinstance(resp, nio.SyncResponse), resp
        self.invites.update(resp.rooms.invite)
        for room_id, info in resp.rooms.join.items():
            self.timeline.setdefault(room_id, []).extend(info.timeline.events)

    async def until(self, done: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
        """Sync until done() is truthy; returns its value."""
        end = time.monotonic() + timeout
        while True:
            value = done()
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"{self.user_id}: {what} did not happen within {timeout} s")
            await self.sync()

    def events_from(self, room_id: str, sender: str) -> list[nio.Event]:
        return [e for e in self.timeline.get(room_id, []) if e.sender == sender
                and isinstance(e, nio.RoomMessage)]

    async def create_room(self, invite: tuple[str, ...] = (), encrypted: bool = False,
                          public: bool = False, direct: bool = False) -> str:
        preset = nio.RoomPreset.public_chat if public else nio.RoomPreset.private_chat
        resp = await self.client.room_create(
            name=None if direct else "ReleaseWatch e2e", invite=list(invite), is_direct=direct,
            preset=nio.RoomPreset.trusted_private_chat if direct else preset,
            initial_state=[ENCRYPTION] if encrypted else [],
        )
        assert isinstance(resp, nio.RoomCreateResponse), resp
        return resp.room_id

    async def send(self, room_id: str, text: str) -> str:
        resp = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})
        assert isinstance(resp, nio.RoomSendResponse), resp
        return resp.event_id

    async def send_encrypted(self, room_id: str) -> str:
        """What Element sends in an encrypted room: ciphertext the bot (no olm) cannot read."""
        content = {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnB4b2FkZWQ",
                   "sender_key": "c2VuZGVyLWtleQ", "session_id": "c2Vzc2lvbg", "device_id": "ELEMENT"}
        resp = await self.client.room_send(room_id, "m.room.encrypted", content)
        assert isinstance(resp, nio.RoomSendResponse), resp
        return resp.event_id

    def download(self, mxc: str) -> bytes:
        """A file from the media repository, as Element fetches it (authenticated media, Matrix 1.11)."""
        assert mxc.startswith("mxc://"), mxc
        with httpx.Client(trust_env=False, timeout=30) as http:
            r = http.get(f"{self.synapse.url}/_matrix/client/v1/media/download/{mxc[len('mxc://'):]}",
                         headers={"Authorization": f"Bearer {self.user.access_token}"})
            assert r.status_code == 200, r.text
            return r.content

    async def membership(self, room_id: str, user_id: str) -> str | None:
        resp = await self.client.room_get_state_event(room_id, "m.room.member", user_id)
        return resp.content.get("membership") if isinstance(resp, nio.RoomGetStateEventResponse) else None

    async def close(self) -> None:
        await self.client.close()


class EncryptedHuman(Human):
    """Someone in Element with encryption on: a nio client with its own crypto store that uploads
    its keys, tracks the devices of the rooms it is in, and decrypts what it receives."""

    def __init__(self, synapse: SynapseServer, user: MatrixUser, store_dir: Path, *,
                 new_device: bool = False) -> None:
        self.user = user
        self.synapse = synapse
        store_dir.mkdir(parents=True, exist_ok=True)
        config = nio.AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=30,
                                       encryption_enabled=True, store=nio.store.SqliteStore)
        self.client = nio.AsyncClient(synapse.url, user.user_id, store_path=str(store_dir), config=config)
        self.new_device = new_device
        if not new_device:
            self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.timeline = {}
        self.invites = set()

    async def login(self) -> None:
        """A new session of the same account (a second phone): its own device and keys."""
        if self.new_device:
            resp = await self.client.login(self.user.password, device_name="second phone")
            assert isinstance(resp, nio.LoginResponse), resp
        await self.keys()

    @property
    def device_id(self) -> str:
        return str(self.client.device_id)

    async def keys(self) -> None:
        c = self.client
        if c.should_upload_keys:
            assert isinstance(await c.keys_upload(), nio.KeysUploadResponse)
        if c.should_query_keys:
            await c.keys_query()
        if c.should_claim_keys:
            await c.keys_claim(c.get_users_for_key_claiming())
        await c.send_to_device_messages()

    async def sync(self, timeout_ms: int = 300) -> None:
        await super().sync(timeout_ms)
        await self.keys()

    async def send(self, room_id: str, text: str) -> str:
        if room_id not in self.client.rooms:
            await self.sync(0)
        resp = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text},
                                           ignore_unverified_devices=True)
        assert isinstance(resp, nio.RoomSendResponse), resp
        return resp.event_id

    def undecrypted(self, room_id: str, sender: str) -> list[nio.MegolmEvent]:
        """What this device received from `sender` but could not read."""
        return [e for e in self.timeline.get(room_id, []) if e.sender == sender and isinstance(e, nio.MegolmEvent)]


class RecordingNotifier:
    """The platform's notifier, recording every outbox send and how it ended."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.platform = inner.platform
        self.sends: list[tuple[str, str]] = []  # (room id, event id or exception class name)

    async def send(self, chat_id: str, message: Message, reply_to: str | None = None) -> str | None:
        try:
            ref = await self.inner.send(chat_id, message, reply_to)
        except DeliveryError as exc:
            self.sends.append((chat_id, type(exc).__name__))
            raise
        self.sends.append((chat_id, str(ref)))
        return ref

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def to(self, room_id: str) -> list[str]:
        return [outcome for chat, outcome in self.sends if chat == room_id]


class MatrixHarness:
    """A restartable service with a MatrixPlatform, a human, and ways to talk as the human would."""

    def __init__(self, synapse: SynapseServer, users: Callable[..., MatrixUser], tmp_path: Path,
                 feeds: FeedServer) -> None:
        self.synapse = synapse
        self.users = users
        self.feeds = feeds
        self.tmp_path = tmp_path
        self.bot = users("rwbot")
        self.human = Human(synapse, users("human"))
        self.staff = Human(synapse, users("staff"))
        self._others: list[Human] = []
        feed_url = feeds.set("/feed", body=rss([]))
        self.config = Config(
            database=tmp_path / "rw.db",
            poll_interval=3600,
            allow_private_feed_urls=True,
            request_timeout=5,
            feeds=(FeedConfig(name=FEED_NAME, url=feed_url, lang="es"),),
            matrix=MatrixConfig(
                enabled=True, homeserver=synapse.url, user_id=self.bot.user_id,
                allowed_inviters=(self.human.user_id, self.staff.user_id),
                staff_user_ids=(self.staff.user_id,),
            ),
        )
        self.store: Store | None = None
        self.service: Service | None = None
        self.platform: MatrixPlatform | None = None
        self.notifier: RecordingNotifier | None = None
        self._task: asyncio.Task[None] | None = None

    # -- the bot's process -------------------------------------------------------------------------
    async def start(self, *, password: bool = False, **matrix: Any) -> MatrixPlatform:
        """Start the service as `releasewatch run` would; returns once the first sync is handled."""
        if matrix:
            self.config = replace(self.config, matrix=replace(self.config.matrix, **matrix))
        self.store = Store(self.config.database)
        login = {"password": self.bot.password} if password else {"access_token": self.bot.access_token}
        self.platform = MatrixPlatform(self.config, self.store, **login)
        self.notifier = RecordingNotifier(self.platform.notifier)
        self.platform.notifier = self.notifier
        self.service = Service(self.config, self.store, [self.platform])
        self._task = asyncio.create_task(self.service.run(install_signals=False))
        ready = asyncio.ensure_future(self.platform.ready.wait())
        await asyncio.wait([ready, self._task], timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
        if self._task.done():
            self._task.result()  # raises what start() raised
        assert ready.done() and not ready.cancelled(), "the Matrix platform never finished a sync"
        # and the first poll read the (empty) feed: what a test publishes next is news, not the
        # feed's first-fetch backlog (which alerts nobody)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while not self.service.cycles and loop.time() < deadline:
            await asyncio.sleep(0.05)
        return self.platform

    async def stop(self) -> None:
        if self.service and self._task:
            self.service.stop()
            await asyncio.wait_for(self._task, timeout=40)
        if self.store:
            self.store.close()
        self.service = self._task = self.platform = self.store = None

    async def restart(self, **kw: Any) -> MatrixPlatform:
        """A new process on the same database: new Store, new client, new service."""
        await self.stop()
        return await self.start(**kw)

    # -- the world ---------------------------------------------------------------------------------
    def publish(self, items: list[dict[str, str]]) -> None:
        self.feeds.set("/feed", body=rss(items))

    async def poll_and_deliver(self) -> None:
        """One poll cycle now, then deliver everything that is due."""
        assert self.store and self.service
        self.store.db.execute("UPDATE feeds SET next_attempt=NULL")
        await self.service.poll_once()
        await self.service.deliverer.drain()

    def person(self, prefix: str = "person") -> Human:
        other = Human(self.synapse, self.users(prefix))
        self._others.append(other)
        return other

    async def encrypted_person(self, prefix: str = "member", *, same_as: EncryptedHuman | None = None) -> EncryptedHuman:
        """A person with encryption on (their own crypto store), or a new device of `same_as`."""
        user = same_as.user if same_as else self.users(prefix)
        store = self.tmp_path / f"client-crypto-{len(self._others)}"
        other = EncryptedHuman(self.synapse, user, store, new_device=same_as is not None)
        self._others.append(other)
        await other.login()
        return other

    def admin_token(self) -> str:
        return self.users("admin", admin=True).access_token

    def override_ratelimit(self, per_second: int, burst: int) -> None:
        """Synapse admin API: a tight message rate limit for the bot user only."""
        with httpx.Client(trust_env=False, timeout=10) as http:
            r = http.post(
                f"{self.synapse.url}/_synapse/admin/v1/users/{self.bot.user_id}/override_ratelimit",
                headers={"Authorization": f"Bearer {self.admin_token()}"},
                json={"messages_per_second": per_second, "burst_count": burst},
            )
            assert r.status_code == 200, r.text

    # -- talking as a person -----------------------------------------------------------------------
    def bot_messages(self, room_id: str, who: Human | None = None) -> list[nio.Event]:
        return (who or self.human).events_from(room_id, self.bot.user_id)

    async def room_with_bot(self, who: Human | None = None, *, encrypted: bool = False) -> str:
        """`who` creates a room, invites the bot, and waits for its first words there."""
        who = who or self.human
        room_id = await who.create_room(invite=(self.bot.user_id,), encrypted=encrypted)
        await who.until(lambda: self.bot_messages(room_id, who), "the bot's greeting")
        return room_id

    async def say(self, room_id: str, text: str, who: Human | None = None, replies: int = 1) -> nio.Event:
        """Send `text` as `who` and wait for the bot's next `replies` messages; returns the last."""
        who = who or self.human
        await who.sync(timeout_ms=0)  # count what is already there, history included
        before = len(self.bot_messages(room_id, who))
        await who.send(room_id, text)

        def answered() -> list[nio.Event] | None:
            msgs = self.bot_messages(room_id, who)
            return msgs if len(msgs) >= before + replies else None

        msgs = await who.until(answered, f"{replies} replies to {text!r}")
        return msgs[before + replies - 1]

    async def close(self) -> None:
        await self.stop()
        for person in (self.human, self.staff, *self._others):
            await person.close()


@pytest.fixture(name="matrix_harness")
async def matrix_harness_fixture(synapse: SynapseServer, matrix_users: Callable[..., MatrixUser],
                         tmp_path: Path, feed_server: FeedServer) -> AsyncIterator[MatrixHarness]:
    """A harness whose service is not started yet: call `await h.start()` (token or password)."""
    h = MatrixHarness(synapse, matrix_users, tmp_path, feed_server)
    try:
        yield h
    finally:
        await h.close()
