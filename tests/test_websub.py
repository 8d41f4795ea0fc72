"""WebSub push against a hub of our own on 127.0.0.1 (loopback/websub_hub.py): discovery, subscribe, the
hub's checks of our intent, signed pushes through the real pipeline into the outbox, unsigned and
forged pushes dropped and counted, lease renewal and lapse, a hub that is down, refuses or denies,
unsubscribe on removal, and what /feeds, status and /metrics say. Real servers, real SQLite."""

from __future__ import annotations

import asyncio
import io
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.config import Config, ConfigError, FeedConfig, WebConfig, parse_config
from bot.feeds import make_client
from bot.notify import ConsoleNotifier
from bot.pipeline import Pipeline
from bot.store import Store, WebSubRow
from bot.web.server import WebServer
from bot.websub import protocol as ws
from bot.websub.subscriber import RECEIVED, Subscriber
from loopback.websub_hub import LoopbackHub
from tests.feedserver import FeedServer, rss
from tests.news import ago

RELEASE = {
    "title": "Foro Penal confirma 33 excarcelaciones de presos políticos en Tocorón",
    "description": "Los 33 presos políticos salieron de Tocorón durante la noche, informó Foro Penal.",
    "guid": "push-1", "link": "https://foro.example/1",
}
OLD = {"title": "Foro Penal publica su balance semanal", "description": "Sin cifras nuevas.",
       "guid": "old-1", "link": "https://foro.example/0"}


def hub_feed(items: list[dict[str, str]], hub: str | None, self_url: str) -> bytes:
    """An RSS feed that names its hub and itself with atom:link, as WordPress and Blogger do."""
    body = rss(items, title="Foro Penal")
    links = (f'<atom:link rel="hub" href="{hub}"/>' if hub else "") + f'<atom:link rel="self" href="{self_url}"/>'
    return body.replace(b'<rss version="2.0">', b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">') \
        .replace(b"<channel>", b"<channel>" + links.encode(), 1)


class Clock:
    """The bot's wall clock, moved by the test (leases, renewals, retries)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Bot:
    store: Store
    config: Config
    pipeline: Pipeline
    subscriber: Subscriber
    web: WebServer
    clock: Clock
    feed_url: str

    @property
    def feed_id(self) -> int:
        return self.store.feeds(active_only=False)[0].id

    def row(self) -> WebSubRow:
        row = self.store.websub(self.feed_id)
        assert row is not None, "no WebSub row for the feed"
        return row

    async def poll(self) -> object:
        self.store.db.execute("UPDATE feeds SET next_attempt=NULL")  # due now, whatever the schedule said
        return await self.pipeline.poll()

    def callback(self) -> str:
        return self.subscriber.callback_url(self.row())


@pytest.fixture
def hub() -> Iterator[LoopbackHub]:
    h = LoopbackHub(lease_seconds=3600).start()
    yield h
    h.stop()


def make_config(tmp_path, url: str, **changes: object) -> Config:
    config = Config(database=tmp_path / "rw.db", feeds=(FeedConfig(name="Foro Penal", url=url, lang="es"),),
                    allow_private_feed_urls=True, request_timeout=5,
                    web=WebConfig(enabled=True, host="127.0.0.1", port=0, public_url="http://127.0.0.1:1/"))
    return replace(config, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def bot_for(tmp_path) -> AsyncIterator[Callable[..., object]]:
    """Builds the bot's parts as the service does (pipeline, subscriber, web server with the
    callback mounted), on a clock the test moves."""
    made: list[tuple[Bot, object]] = []

    async def build(url: str, public: bool = True, guarded: bool = False, **changes: object) -> Bot:
        config = make_config(tmp_path, url, **changes)
        if not public:
            config = replace(config, web=replace(config.web, public=False))
        store = Store(config.database)
        store.sync_feeds(config.feeds)
        store.subscribe("console", "c", "es")
        clock = Clock()
        client = make_client(5, allow_private=not guarded)
        pipeline = Pipeline(store, config, client, clock=clock)
        subscriber = Subscriber(store, pipeline, client, "http://127.0.0.1:1/", allow_insecure_hubs=True,
                                timeout=5, clock=clock)
        pipeline.on_answer = subscriber.discovered
        web = WebServer(store, config.web, mounts=[subscriber.mount()])
        await web.start()
        subscriber.public_url = web.url
        bot = Bot(store, config, pipeline, subscriber, web, clock, url)
        made.append((bot, client))
        return bot

    yield build
    for bot, client in made:
        await bot.web.stop()
        await client.aclose()  # type: ignore[attr-defined]
        bot.store.close()


async def subscribed(feed_server: FeedServer, hub: LoopbackHub, bot_for, items=None) -> Bot:  # noqa: ANN001
    """A bot that has polled the feed once (its backlog recorded) and subscribed at the hub."""
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed(items if items is not None else [OLD | {"pubDate": ago(hours=30)}],
                                           hub.url, url))
    bot = await bot_for(url)
    await bot.poll()
    await bot.subscriber.maintain()
    assert bot.row().state == "active", bot.row()
    return bot


# -- discovery ------------------------------------------------------------------------------------------


def test_discovery_reads_the_link_header_first_then_the_feed_s_own_links():
    doc = [("hub", "https://doc-hub.example/"), ("self", "https://news.example/feed")]
    header = '<https://pubsubhubbub.appspot.com/>; rel="hub", </feed?x=1>; rel=self, <ftp://no/>; rel="hub"'
    found = ws.discover(header, doc, "https://news.example/rss")
    assert found == ws.Discovery(("https://pubsubhubbub.appspot.com/",), "https://news.example/feed?x=1")
    # no Link header: the document's links; a relative hub is read against the feed's address
    found = ws.discover(None, [("hub", "/hub"), ("alternate", "https://news.example/")], "https://news.example/rss")
    assert found == ws.Discovery(("https://news.example/hub",), "https://news.example/rss")
    # several rels in one link, and no hub at all
    assert ws.discover('<https://h.example/>; rel="self hub"', [], "https://n.example/f") == \
        ws.Discovery(("https://h.example/",), "https://h.example/")
    assert ws.discover('<https://n.example/>; rel="alternate"', [("self", "https://n.example/f")], "https://n.example/f") is None
    assert ws.discover("<<garbage", [("hub", "javascript:alert(1)")], "https://n.example/f") is None


async def test_a_polled_feed_that_names_its_hub_in_atom_link_gets_a_subscription_row(feed_server, hub, bot_for):
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed([OLD | {"pubDate": ago(hours=30)}], hub.url, url))
    bot = await bot_for(url)
    await bot.poll()
    row = bot.row()
    assert (row.hub, row.topic, row.state) == (hub.url, url, "new")
    assert len(row.secret) == 64 and len(row.callback) >= 32
    assert hub.requests == []  # asked at the next round, not by the poll itself


async def test_a_hub_named_in_the_http_link_header_is_found_too(feed_server, hub, bot_for):
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=rss([OLD | {"pubDate": ago(hours=30)}]),
                    headers={"Link": f'<{hub.url}>; rel="hub", <{url}?canonical>; rel="self"'})
    bot = await bot_for(url)
    await bot.poll()
    assert (bot.row().hub, bot.row().topic) == (hub.url, url + "?canonical")


# -- subscribing and the hub's checks ------------------------------------------------------------------


async def test_subscribe_sends_callback_topic_secret_and_lease_and_the_hub_s_check_is_confirmed(
        feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    (form,) = hub.requests
    row = bot.row()
    assert form == {"hub.mode": "subscribe", "hub.topic": bot.feed_url, "hub.callback": bot.callback(),
                    "hub.secret": row.secret, "hub.lease_seconds": str(ws.REQUESTED_LEASE)}
    assert form["hub.callback"].startswith(bot.web.url + "websub/")
    (check,) = hub.checks
    assert (check.mode, check.status, check.confirmed) == ("subscribe", 200, True)
    assert row.expires == bot.clock.now + timedelta(seconds=3600) and row.lease_seconds == 3600
    assert bot.store.pushed_feeds(bot.clock.now) == {bot.feed_id}
    # pushed: polled only as a safety net, every max_interval
    await bot.poll()
    due = bot.store.feeds()[0].next_attempt
    assert due is not None and due - bot.clock.now >= timedelta(seconds=bot.config.max_interval)


async def test_a_hub_that_checks_after_answering_is_confirmed_too(feed_server, bot_for):
    hub = LoopbackHub(behaviour="later").start()
    try:
        url = feed_server.url + "/foro"
        feed_server.set("/foro", body=hub_feed([OLD | {"pubDate": ago(hours=30)}], hub.url, url))
        bot = await bot_for(url)
        await bot.poll()
        await bot.subscriber.maintain()
        deadline = time.monotonic() + 20
        while not (bot.row().state == "active" and hub.checks) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert bot.row().state == "active" and hub.checks[0].confirmed
    finally:
        hub.stop()


async def test_checks_for_another_topic_an_unknown_address_or_no_pending_request_are_refused(
        feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    good = {"hub.mode": "subscribe", "hub.topic": bot.feed_url, "hub.challenge": "xyz", "hub.lease_seconds": "60"}
    async with aiohttp.ClientSession() as http:
        async def ask(url: str, query: dict[str, str]) -> tuple[int, str]:
            async with http.get(url, params=query) as resp:
                return resp.status, await resp.text()

        # nothing is pending any more: a replayed or forged check is not confirmed
        assert await ask(bot.callback(), good) == (404, "No subscribe request for this topic is waiting here.\n")
        assert await ask(bot.callback(), good | {"hub.topic": "https://elsewhere.example/feed"}) == \
            (404, "This address subscribes to another topic.\n")
        assert await ask(bot.web.url + "websub/nosuchsubscription", good) == \
            (404, "No subscription is known at this address.\n")
        assert await ask(bot.callback(), {k: v for k, v in good.items() if k != "hub.challenge"}) == \
            (400, f"hub.challenge is required, at most {ws.MAX_CHALLENGE} characters.\n")
        assert await ask(bot.callback(), good | {"hub.lease_seconds": "soon"}) == \
            (400, "hub.lease_seconds must be a whole number of seconds above 0.\n")
        assert await ask(bot.callback(), good | {"hub.mode": "publish"}) == \
            (400, "hub.mode must be subscribe, unsubscribe or denied.\n")
    # the hub checking the same request again finds nothing pending either
    await hub.check_again(hub.requests[0])
    assert [c.confirmed for c in hub.checks] == [True, False]
    assert bot.row().state == "active" and bot.row().lease_seconds == 3600  # none of it changed anything


# -- pushes ------------------------------------------------------------------------------------------------


async def test_a_signed_push_alerts_through_the_pipeline_into_the_outbox(feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    before = bot.store.item_count()
    body = hub_feed([RELEASE | {"pubDate": ago(minutes=3)}], hub.url, bot.feed_url)
    assert await hub.deliver(bot.feed_url, body) == [202]
    assert bot.store.item_count() == before + 1
    assert bot.store.outbox_counts() == {"pending": 1}
    row = bot.row()
    assert (row.pushes, row.unsigned, row.bad_signature, row.last_push) == (1, 0, 0, bot.clock.now)
    # the same item polled later, or pushed again, is the same item: no second alert
    feed_server.set("/foro", body=body)
    await bot.poll()
    assert await hub.deliver(bot.feed_url, body) == [202]
    assert bot.store.item_count() == before + 1 and bot.store.outbox_counts() == {"pending": 1}


async def test_every_signature_method_of_the_recommendation_is_accepted(feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    for n, method in enumerate(("sha1", "sha256", "sha384", "sha512")):
        body = hub_feed([RELEASE | {"guid": f"m-{n}", "title": f"Foro Penal confirma {40 + n} excarcelaciones en "
                                    "Tocorón", "pubDate": ago(minutes=3)}], hub.url, bot.feed_url)
        assert await hub.deliver(bot.feed_url, body, signature=ws.sign(bot.row().secret, body, method)) == [202]
    assert bot.row().pushes == 4 and bot.row().bad_signature == 0


async def test_unsigned_and_forged_pushes_are_dropped_counted_and_answered_alike(feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    before = bot.store.item_count()
    body = hub_feed([RELEASE | {"pubDate": ago(minutes=3)}], hub.url, bot.feed_url)
    answers = []
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Hub-Signature": ws.sign("not-the-secret", body)},
                        {"X-Hub-Signature": "md5=" + "0" * 32}, {"X-Hub-Signature": "sha256="}):
            async with http.post(bot.callback(), data=body, headers=headers) as resp:
                answers.append((resp.status, await resp.text()))
    # the same answer as a good push: a sender learns nothing about the secret
    assert answers == [(202, RECEIVED)] * 4
    assert await hub.deliver(bot.feed_url, body, signature="none") == [202]
    row = bot.row()
    assert (row.pushes, row.unsigned, row.bad_signature) == (0, 2, 3)
    assert bot.store.item_count() == before and bot.store.outbox_counts() == {}


async def test_bodies_over_the_cap_compressed_or_to_unknown_addresses_are_refused_and_lose_nothing(
        feed_server, hub, bot_for):
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed([], hub.url, url))
    bot = await bot_for(url, max_feed_bytes=2000)
    await bot.poll()
    bot.subscriber.max_body = 2000
    await bot.subscriber.maintain()
    big = hub_feed([RELEASE | {"description": "x" * 3000, "pubDate": ago(minutes=3)}], hub.url, url)
    signed = {"X-Hub-Signature": ws.sign(bot.row().secret, big)}
    async with aiohttp.ClientSession() as http:
        async with http.post(bot.callback(), data=big, headers=signed) as resp:
            assert (resp.status, await resp.text()) == (413, "The body is larger than 2000 bytes.\n")

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the cap holds while reading
            for i in range(0, len(big), 500):
                yield big[i:i + 500]

        async with http.post(bot.callback(), data=chunks(), headers=signed) as resp:
            assert resp.status == 413
        async with http.post(bot.callback(), data=b"x", headers={"Content-Encoding": "gzip"}) as resp:
            assert (resp.status, await resp.text()) == (415, "Send the feed uncompressed.\n")
        async with http.post(bot.web.url + "websub/unknown", data=b"x") as resp:
            assert resp.status == 404
    assert bot.row().pushes == 0 and bot.store.item_count() == 0
    # what the hub could not push, the next poll takes in
    feed_server.set("/foro", body=hub_feed([RELEASE | {"pubDate": ago(minutes=3)}], hub.url, url))
    bot.store.db.execute("UPDATE feeds SET first_fetch=?", [bot.clock.now.isoformat()])
    await bot.poll()
    assert bot.store.item_count() == 1


async def test_a_signed_push_that_is_no_feed_is_acknowledged_and_takes_nothing_in(feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    assert await hub.deliver(bot.feed_url, b"<html>not a feed</html>", content_type="text/html") == [202]
    assert bot.row().pushes == 1 and bot.store.outbox_counts() == {}


async def test_the_callback_answers_hubs_without_the_token_of_an_internal_page(feed_server, hub, bot_for,
                                                                               monkeypatch):
    monkeypatch.setenv("RELEASEWATCH_WEB_TOKEN", "a-long-random-token")
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed([], hub.url, url))
    bot = await bot_for(url, public=False)
    await bot.poll()
    await bot.subscriber.maintain()
    assert bot.row().state == "active"
    async with aiohttp.ClientSession() as http, http.get(bot.web.url) as resp:
        assert resp.status == 401  # the page itself still needs the token


# -- leases -----------------------------------------------------------------------------------------------


async def test_the_lease_is_renewed_before_it_expires(feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    first = bot.row().expires
    assert first is not None
    renew = ws.renew_at(first, 3600)
    assert bot.clock.now < renew < first
    bot.clock.now = renew - timedelta(seconds=1)
    await bot.subscriber.maintain()
    assert len(hub.requests) == 1  # not yet
    bot.clock.now = renew
    await bot.subscriber.maintain()
    assert [r["hub.mode"] for r in hub.requests] == ["subscribe", "subscribe"]
    assert hub.requests[1]["hub.secret"] == hub.requests[0]["hub.secret"]  # same secret: pushes in flight still count
    row = bot.row()
    assert row.state == "active" and row.expires == renew + timedelta(seconds=3600)
    assert bot.store.pushed_feeds(first + timedelta(seconds=1)) == {bot.feed_id}


async def test_a_lease_that_lapses_falls_back_to_polling(feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    await bot.poll()  # pushed: next poll in an hour
    hub.stop()  # the hub goes away: the renewal fails, the lease runs out
    expires = bot.row().expires
    assert expires is not None
    bot.clock.now = ws.renew_at(expires, 3600)
    await bot.subscriber.maintain()
    row = bot.row()
    assert (row.state, row.failures) == ("active", 1) and "could not be reached" in (row.error or "")
    assert bot.store.pushed_feeds(bot.clock.now) == {bot.feed_id}  # still live until the lease ends
    bot.clock.now = expires
    await bot.subscriber.maintain()
    row = bot.row()
    # lapsed, and asked for afresh in the same round: the hub is still down
    assert (row.state, row.error) == ("failed", "the hub could not be reached (ConnectError)")
    assert not row.pushed(bot.clock.now) and row.expires is None
    assert bot.store.pushed_feeds(bot.clock.now) == set()
    # due at once, then polled at its own pace again
    assert [f.id for f in bot.store.due_feeds(bot.clock.now)] == [bot.feed_id]
    await bot.pipeline.poll()
    due = bot.store.feeds()[0].next_attempt
    assert due is not None and due - bot.clock.now == timedelta(seconds=bot.config.poll_interval)


async def test_hub_down_at_subscribe_leaves_the_feed_polled_and_is_retried(feed_server, bot_for):
    hub = LoopbackHub().start()
    port = hub.port
    hub.stop()
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed([OLD | {"pubDate": ago(hours=30)}], f"http://127.0.0.1:{port}/", url))
    bot = await bot_for(url)
    await bot.poll()
    await bot.subscriber.maintain()
    row = bot.row()
    assert row.state == "failed" and row.error == "the hub could not be reached (ConnectError)"
    assert row.retry_at == bot.clock.now + ws.retry_delay(1)
    hits = feed_server.hits("/foro")
    await bot.poll()  # polling goes on, at the feed's own pace
    assert feed_server.hits("/foro") == hits + 1
    due = bot.store.feeds()[0].next_attempt
    assert due is not None and due - bot.clock.now == timedelta(seconds=bot.config.poll_interval)
    await bot.subscriber.maintain()  # before retry_at: the hub is left alone
    assert bot.row().failures == 1
    back = LoopbackHub(port=port).start()  # the hub is back
    try:
        bot.clock.now = row.retry_at or bot.clock.now
        await bot.subscriber.maintain()
        assert bot.row().state == "active" and bot.row().failures == 0
    finally:
        back.stop()


@pytest.mark.parametrize("behaviour, state, error", [
    ("refuse", "failed", "the hub refused the subscribe request (HTTP 400)"),
    ("deny", "denied", "the hub refused the subscription (not today)"),
])
async def test_a_hub_that_refuses_or_denies_leaves_the_feed_polled(feed_server, bot_for, behaviour, state, error):
    hub = LoopbackHub(behaviour=behaviour).start()
    try:
        url = feed_server.url + "/foro"
        feed_server.set("/foro", body=hub_feed([], hub.url, url))
        bot = await bot_for(url)
        await bot.poll()
        await bot.subscriber.maintain()
        deadline = time.monotonic() + 20
        while bot.row().state != state and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert (bot.row().state, bot.row().error) == (state, error)
        assert bot.store.pushed_feeds(bot.clock.now) == set()
    finally:
        hub.stop()


async def test_a_hub_that_never_checks_the_request_is_given_up_on_and_retried(feed_server, bot_for):
    hub = LoopbackHub(behaviour="silent").start()
    try:
        url = feed_server.url + "/foro"
        feed_server.set("/foro", body=hub_feed([], hub.url, url))
        bot = await bot_for(url)
        await bot.poll()
        await bot.subscriber.maintain()
        assert (bot.row().state, bot.row().pending) == ("requested", "subscribe")
        bot.clock.advance(seconds=ws.VERIFY_WAIT.total_seconds() + 1)
        await bot.subscriber.maintain()
        assert (bot.row().state, bot.row().pending, bot.row().failures) == ("failed", None, 1)
        assert bot.row().error == "the hub did not check the request within 10 minutes"
    finally:
        hub.stop()


# -- removal, safety ----------------------------------------------------------------------------------------


async def test_a_removed_feed_is_unsubscribed_and_later_pushes_are_refused(feed_server, hub, bot_for):
    bot = await subscribed(feed_server, hub, bot_for)
    assert bot.store.remove_feed(bot.feed_url) is not None
    await bot.subscriber.maintain()
    assert [r["hub.mode"] for r in hub.requests] == ["subscribe", "unsubscribe"]
    assert hub.checks[-1].mode == "unsubscribe" and hub.checks[-1].confirmed
    assert bot.row().state == "gone" and hub.subscriptions == {}
    async with aiohttp.ClientSession() as http, http.post(bot.callback(), data=b"x") as resp:
        assert resp.status == 410
    # back in the config: a fresh subscription with a new secret
    secret = bot.row().secret
    bot.store.sync_feeds(bot.config.feeds)
    await bot.subscriber.maintain()
    assert bot.row().state == "active" and bot.row().secret != secret


async def test_an_http_hub_is_not_used_unless_private_addresses_are_allowed(feed_server, hub, bot_for):
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed([], hub.url, url))
    bot = await bot_for(url)
    await bot.poll()
    bot.subscriber.allow_insecure_hubs = False
    await bot.subscriber.maintain()
    assert hub.requests == []  # the secret never travelled in clear
    assert bot.row().error == "the hub is not at an https address, so it is not used (the feed is polled)"


async def test_a_hub_on_a_private_address_is_refused_by_the_network_guard(feed_server, hub, bot_for):
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed([], hub.url, url))
    bot = await bot_for(url)
    await bot.poll()
    guarded = make_client(5, allow_private=False)
    try:
        bot.subscriber.client = guarded  # the service's client when private addresses are not allowed
        await bot.subscriber.maintain()
    finally:
        await guarded.aclose()
    assert hub.requests == []
    assert bot.row().state == "failed" and "private or local network" in (bot.row().error or "")


# -- what people and monitoring see -----------------------------------------------------------------------


async def test_feeds_status_and_metrics_say_which_feeds_are_pushed(feed_server, hub, bot_for, capsys):
    from bot.cli import main
    from bot.commands.actions import feeds_report
    from bot.health import Health, Watched

    bot = await subscribed(feed_server, hub, bot_for)
    async with aiohttp.ClientSession() as http, http.post(bot.callback(), data=b"<rss/>") as resp:
        assert resp.status == 202  # unsigned: dropped and counted
    text = feeds_report(bot.store, "en").text
    assert "⚡ pushed by its hub 127.0.0.1 (WebSub) until" in text and "0 pushes taken in, 1 dropped" in text
    assert "⚡ lo envía su hub 127.0.0.1" in feeds_report(bot.store, "es").text

    (bot.store.path.parent / "c.toml").write_text(f'database = "{bot.store.path}"\n')
    assert main(["status", "--config", str(bot.store.path.parent / "c.toml")]) == 0
    out = capsys.readouterr().out
    assert "pushed by WebSub hub 127.0.0.1 until" in out and "1 unsigned and 0 with a bad signature dropped" in out

    # what a service hands the metrics: no platforms, nothing failing
    watched = Watched(bot.store, 300, platforms=lambda: [], delivery=lambda: {"failing": {}}, notifiers={})

    from prometheus_client import generate_latest

    page = generate_latest(Health(watched).registry).decode()
    assert 'releasewatch_feed_pushed{feed="Foro Penal"} 1.0' in page
    assert 'releasewatch_feeds{state="pushed"} 1.0' in page
    assert 'releasewatch_websub_pushes_total{result="unsigned"} 1.0' in page
    assert 'releasewatch_websub_pushes_total{result="accepted"} 0.0' in page
    assert bot.row().secret not in page and bot.row().callback not in page and bot.row().callback not in out


async def test_the_running_service_subscribes_and_a_push_reaches_the_chat(tmp_path, feed_server, hub):
    from bot.service import Service

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = feed_server.url + "/foro"
    feed_server.set("/foro", body=hub_feed([OLD | {"pubDate": ago(hours=30)}], hub.url, url))
    config = replace(make_config(tmp_path, url, poll_interval=3600, min_interval=3600),
                     web=WebConfig(enabled=True, host="127.0.0.1", port=port, public_url=f"http://127.0.0.1:{port}/"))
    store = Store(config.database)
    store.subscribe("console", "c", "es")
    out = io.StringIO()
    service = Service(config, store, extra_notifiers={"console": ConsoleNotifier(out)})
    task = asyncio.create_task(service.run(install_signals=False))
    try:
        deadline = time.monotonic() + 30
        while not hub.subscriptions and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert hub.subscriptions, "the service did not subscribe"
        body = hub_feed([RELEASE | {"pubDate": ago(minutes=1)}], hub.url, url)
        assert await hub.deliver(url, body) == [202]
        while "33" not in out.getvalue() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "Tocorón" in out.getvalue()
        assert feed_server.hits("/foro") == 1  # it came by push, not by a poll
    finally:
        service.stop()
        await asyncio.wait_for(task, 30)
        store.close()


# -- config and schema ---------------------------------------------------------------------------------------


def test_public_url_needs_the_web_server_and_is_an_http_address():
    with pytest.raises(ConfigError, match=r"'web.public_url' needs 'web.enabled = true'"):
        parse_config({"web": {"public_url": "https://bot.example.org/"}})
    with pytest.raises(ConfigError, match=r"'web.public_url'"):
        parse_config({"web": {"enabled": True, "public_url": "bot.example.org"}})
    config = parse_config({"web": {"enabled": True, "public_url": "https://bot.example.org/rw"}})
    assert config.web.public_url == "https://bot.example.org/rw/"


def test_migration_10_adds_priority_and_subscriptions_to_a_version_7_file(tmp_path):
    import sqlite_utils

    from bot.store import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "v7.db"
    db = sqlite_utils.Database(path)
    for v in range(1, 8):
        MIGRATIONS[v](db)
        db.execute(f"PRAGMA user_version={v}")
    db.execute("INSERT INTO feeds (name, url, created) VALUES ('A', 'https://a.example/feed', '2026-01-01')")
    db.conn.commit()
    db.conn.close()
    store = Store(path)
    try:
        assert store.version == SCHEMA_VERSION >= 10  # a version-7 file migrates through 10 to the latest
        (feed,) = store.feeds()
        assert feed.priority is False and store.websub_rows() == [] and store.websub_totals()["accepted"] == 0
        now = datetime(2026, 3, 1, tzinfo=UTC)
        assert store.note_hub(feed.id, "https://hub.example/", "https://a.example/feed", now)
        assert not store.note_hub(feed.id, "https://hub.example/", "https://a.example/feed", now)
        store.websub_requested(feed.id, "subscribe", now)
        store.websub_verified(feed.id, 600, now)
        store.shift_deadlines(timedelta(hours=-1))  # the wall clock stepped back: the lease moves with it
        assert store.websub(feed.id).expires == now + timedelta(seconds=600) - timedelta(hours=1)  # type: ignore[union-attr]
    finally:
        store.close()
