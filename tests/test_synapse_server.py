"""The Synapse fixture works end to end with matrix-nio: invite, join, HTML notices, bursts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import nio
import pytest

from loopback.synapse_server import MatrixUser, SynapseServer
from tests import synapse_fixtures

# Fixtures, registered under their pytest names "synapse" and "matrix_users".
synapse_fixture = synapse_fixtures.synapse_fixture
matrix_users_fixture = synapse_fixtures.matrix_users_fixture

SYNC_DEADLINE = 30.0


@asynccontextmanager
async def logged_in(server: SynapseServer, user: MatrixUser) -> AsyncIterator[nio.AsyncClient]:
    # max_limit_exceeded=0: a 429 comes back as an error instead of being retried silently.
    config = nio.AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=30)
    client = nio.AsyncClient(server.url, user.user_id, config=config)
    client.restore_login(user.user_id, user.device_id, user.access_token)
    try:
        yield client
    finally:
        await client.close()


async def sync_until(
    client: nio.AsyncClient,
    done: Callable[[nio.SyncResponse], bool],
    deadline: float = SYNC_DEADLINE,
) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        resp = await client.sync(timeout=1000)
        assert isinstance(resp, nio.SyncResponse), resp
        if done(resp):
            return
    raise AssertionError(f"condition not met within {deadline}s of syncing")


async def make_shared_room(a: nio.AsyncClient, b: nio.AsyncClient, b_user: MatrixUser) -> str:
    created = await a.room_create(name="ReleaseWatch test")
    assert isinstance(created, nio.RoomCreateResponse), created
    room_id = created.room_id
    invited = await a.room_invite(room_id, b_user.user_id)
    assert isinstance(invited, nio.RoomInviteResponse), invited

    await sync_until(b, lambda r: room_id in r.rooms.invite)
    joined = await b.join(room_id)
    assert isinstance(joined, nio.JoinResponse), joined
    return room_id


def test_server_basics(synapse: SynapseServer) -> None:
    assert synapse.running
    assert synapse.url.startswith("http://127.0.0.1:")
    assert synapse.server_name == "localhost"
    assert synapse.startup_seconds is not None and synapse.startup_seconds < 120
    assert (synapse.rss_bytes() or 0) > 0
    with httpx.Client(trust_env=False) as http:
        assert http.get(f"{synapse.url}/_matrix/client/versions").status_code == 200
        # No federation listener.
        assert http.get(f"{synapse.url}/_matrix/federation/v1/version").status_code == 404
    # Every listening socket on our port is bound to 127.0.0.1 (0100007F), none elsewhere.
    port_hex = f"{synapse.port:04X}"
    listeners = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "0A" and local.endswith(":" + port_hex):
                listeners.append(local)
    assert listeners == [f"0100007F:{port_hex}"]


def test_register_user_returns_working_token(synapse: SynapseServer) -> None:
    user_id, token = synapse.register_user(f"plain-{time.time_ns()}", "s3cret-pw", admin=True)
    assert user_id.endswith(":localhost")
    with httpx.Client(trust_env=False) as http:
        r = http.get(
            f"{synapse.url}/_matrix/client/v3/account/whoami",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200 and r.json()["user_id"] == user_id


def test_matrix_users_are_unique(matrix_users: Callable[..., MatrixUser]) -> None:
    users = [matrix_users("same") for _ in range(3)]
    assert len({u.user_id for u in users}) == 3
    assert all(u.access_token and u.device_id for u in users)


@pytest.mark.asyncio
async def test_invite_join_and_html_notice_roundtrip(
    synapse: SynapseServer, matrix_users: Callable[..., MatrixUser]
) -> None:
    bot, reader = matrix_users("bot"), matrix_users("reader")
    async with logged_in(synapse, bot) as a, logged_in(synapse, reader) as b:
        room_id = await make_shared_room(a, b, reader)

        content = {
            "msgtype": "m.notice",
            "body": "Foro Penal confirma 33 excarcelaciones (anunciadas: 87)",
            "format": "org.matrix.custom.html",
            "formatted_body": (
                "<b>Foro Penal</b> confirma <b>33</b> excarcelaciones "
                '(anunciadas: 87) &mdash; <a href="https://example.org/x">fuente</a>'
            ),
        }
        sent = await a.room_send(room_id, "m.room.message", content)
        assert isinstance(sent, nio.RoomSendResponse), sent

        seen: list[nio.Event] = []

        def got_it(resp: nio.SyncResponse) -> bool:
            info = resp.rooms.join.get(room_id)
            if info:
                seen.extend(e for e in info.timeline.events if e.event_id == sent.event_id)
            return bool(seen)

        await sync_until(b, got_it)
        event = seen[0]
        assert isinstance(event, nio.RoomMessageNotice)
        assert event.sender == bot.user_id
        assert event.body == content["body"]
        assert event.format == content["format"]
        assert event.formatted_body == content["formatted_body"]
        assert event.source["content"] == content


@pytest.mark.asyncio
async def test_burst_of_30_messages_is_not_rate_limited(
    synapse: SynapseServer, matrix_users: Callable[..., MatrixUser]
) -> None:
    bot, reader = matrix_users("burst"), matrix_users("reader")
    async with logged_in(synapse, bot) as a, logged_in(synapse, reader) as b:
        room_id = await make_shared_room(a, b, reader)

        bodies = [f"alert {i}" for i in range(30)]
        results = await asyncio.gather(
            *(
                a.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": body})
                for body in bodies
            )
        )
        errors = [r for r in results if not isinstance(r, nio.RoomSendResponse)]
        assert not errors, errors  # would contain M_LIMIT_EXCEEDED with default limits

        # Another 30 back to back, sequentially, for good measure.
        for i in range(30):
            r = await a.room_send(
                room_id, "m.room.message", {"msgtype": "m.notice", "body": f"seq {i}"}
            )
            assert isinstance(r, nio.RoomSendResponse), r

        # The reader gets all 60, in order within each sequential run.
        sync = await b.sync(timeout=0)
        assert isinstance(sync, nio.SyncResponse), sync
        resp = await b.room_messages(room_id, start=sync.next_batch, limit=200)
        assert isinstance(resp, nio.RoomMessagesResponse), resp
        notices = [e.body for e in reversed(resp.chunk) if isinstance(e, nio.RoomMessageNotice)]
        assert sorted(notices[:30]) == sorted(bodies)
        assert notices[30:] == [f"seq {i}" for i in range(30)]


@pytest.mark.asyncio
async def test_burst_check_has_teeth_with_a_strict_per_user_limit(
    synapse: SynapseServer, matrix_users: Callable[..., MatrixUser]
) -> None:
    """Same burst with a strict per-user message limit (1/s, burst 10): 429s appear."""
    admin, strict = matrix_users("admin", admin=True), matrix_users("strict")
    with httpx.Client(trust_env=False) as http:
        r = http.post(
            f"{synapse.url}/_synapse/admin/v1/users/{strict.user_id}/override_ratelimit",
            headers={"Authorization": f"Bearer {admin.access_token}"},
            json={"messages_per_second": 1, "burst_count": 10},
        )
        assert r.status_code == 200, r.text
    async with logged_in(synapse, strict) as c:
        created = await c.room_create()
        assert isinstance(created, nio.RoomCreateResponse), created
        results = await asyncio.gather(
            *(
                c.room_send(created.room_id, "m.room.message", {"msgtype": "m.notice", "body": "x"})
                for _ in range(30)
            )
        )
        limited = [r for r in results if isinstance(r, nio.RoomSendError)]
        assert limited and all(r.status_code == "M_LIMIT_EXCEEDED" for r in limited)
