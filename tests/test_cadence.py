"""Adaptive polling: each feed's next fetch from its rhythm, its flags and its server's answer (pure,
bot/cadence.py), and the pipeline storing it: an hourly feed polled more often than a weekly one,
priority feeds every minute, Cache-Control max-age and Retry-After honoured, and a poll of an
unchanged feed costing one 304."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot import cadence
from bot.cadence import Answer, Bounds, FeedTiming, next_due
from bot.config import Config, FeedConfig
from bot.feeds import make_client
from bot.pipeline import Pipeline
from bot.service import Service
from bot.store import Store
from tests.feedserver import http_date, rss
from tests.news import ago, already_read

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DEFAULTS = Bounds(poll_interval=300, min_interval=120, max_interval=3600)
OK = Answer()


def seconds_until(due: datetime) -> float:
    return (due - NOW).total_seconds()


# -- the pure decision ------------------------------------------------------------------------------------


def test_an_hourly_feed_is_polled_more_often_than_a_weekly_one():
    hourly = next_due(FeedTiming(rhythm=3600), OK, NOW, DEFAULTS)
    weekly = next_due(FeedTiming(rhythm=7 * 86400), OK, NOW, DEFAULTS)
    assert seconds_until(hourly) == 3600 / cadence.POLLS_PER_GAP  # every 6 minutes
    assert seconds_until(weekly) == 3600  # max_interval
    # a feed that publishes every few minutes is held to min_interval
    assert seconds_until(next_due(FeedTiming(rhythm=300), OK, NOW, DEFAULTS)) == 120


def test_a_feed_whose_rhythm_is_not_known_yet_is_polled_every_poll_interval():
    assert seconds_until(next_due(FeedTiming(), OK, NOW, DEFAULTS)) == 300


def test_a_priority_feed_is_polled_every_minute_whatever_its_rhythm_or_push():
    for feed in (FeedTiming(priority=True), FeedTiming(priority=True, rhythm=7 * 86400),
                 FeedTiming(priority=True, pushed=True)):
        assert seconds_until(next_due(feed, OK, NOW, DEFAULTS)) == 60


def test_an_interval_set_for_the_feed_wins_and_a_pushed_feed_is_a_slow_safety_poll():
    assert seconds_until(next_due(FeedTiming(interval=900, rhythm=60), OK, NOW, DEFAULTS)) == 900
    assert seconds_until(next_due(FeedTiming(pushed=True, rhythm=600), OK, NOW, DEFAULTS)) == 3600


def test_cache_control_max_age_is_the_earliest_next_fetch():
    priority = FeedTiming(priority=True)

    def after(headers: dict[str, str]) -> float:
        return seconds_until(next_due(priority, Answer(status=200, headers=headers), NOW, DEFAULTS))

    assert after({"cache-control": "public, max-age=300"}) == 300
    assert after({"cache-control": "max-age=300", "age": "240"}) == 60  # fresh for 60 s more
    assert after({"cache-control": "max-age=30"}) == 60  # sooner than the feed's own pace: no change
    assert after({"cache-control": "max-age=31536000"}) == 3600  # a year: asked again after max_interval
    assert after({"cache-control": "no-cache, max-age=600"}) == 60
    assert after({"cache-control": 'max-age="abc"'}) == 60


def test_retry_after_on_429_and_503_is_the_earliest_next_fetch():
    feed = FeedTiming(priority=True, errors=1)
    rng = random.Random(1)
    date = format_datetime(NOW + timedelta(minutes=30), usegmt=True)
    assert seconds_until(next_due(feed, Answer(True, 429, {"retry-after": "600"}), NOW, DEFAULTS, rng)) == 600
    assert seconds_until(next_due(feed, Answer(True, 503, {"retry-after": date}), NOW, DEFAULTS, rng)) == 1800
    assert seconds_until(next_due(feed, Answer(True, 429, {"retry-after": "9999999"}), NOW, DEFAULTS, rng)) == 86400
    # on other errors, or when it says nonsense, the feed just backs off from its interval
    for answer in (Answer(True, 500, {"retry-after": "600"}), Answer(True, 429, {"retry-after": "soon"}),
                   Answer(True, None)):
        assert 54 <= seconds_until(next_due(feed, answer, NOW, DEFAULTS, rng)) <= 66
    # a shorter Retry-After never brings a failing feed back sooner than its backoff
    late = FeedTiming(priority=True, errors=6)
    assert seconds_until(next_due(late, Answer(True, 429, {"retry-after": "1"}), NOW, DEFAULTS, rng)) >= 60 * 32 * 0.9


def test_failing_feeds_back_off_doubling_up_to_six_hours():
    def waits(feed: FeedTiming) -> list[float]:
        return [seconds_until(next_due(replace(feed, errors=n), Answer(failed=True), NOW, DEFAULTS, random.Random(n)))
                for n in range(1, 12)]

    unknown = waits(FeedTiming())  # from poll_interval: 300 s, doubling, at most 64 times that
    assert all(later > earlier for earlier, later in zip(unknown[:6], unknown[1:7], strict=True))
    assert 300 * 64 * 0.9 <= unknown[-1] <= 300 * 64 * 1.1
    assert max(waits(FeedTiming(rhythm=7 * 86400))) == cadence.MAX_BACKOFF.total_seconds()


# -- the pipeline stores it -------------------------------------------------------------------------------


def _setup(tmp_path, feeds: tuple[FeedConfig, ...]) -> tuple[Config, Store]:
    config = Config(database=tmp_path / "rw.db", feeds=feeds, allow_private_feed_urls=True, request_timeout=5)
    store = Store(config.database)
    store.sync_feeds(config.feeds)
    already_read(store)
    return config, store


async def _poll(config: Config, store: Store, now: datetime) -> object:
    async with make_client(5) as client:
        return await Pipeline(store, config, client, clock=lambda: now).poll()


def _due(store: Store, name: str, now: datetime) -> float:
    feed = next(f for f in store.feeds() if f.name == name)
    assert feed.next_attempt is not None
    return (feed.next_attempt - now).total_seconds()


async def test_a_priority_poll_of_an_unchanged_feed_costs_one_304(tmp_path, feed_server):
    url = feed_server.set("/ngo", body=rss([{"title": "Foro Penal: balance", "guid": "g1", "pubDate": ago(hours=2)}]),
                          etag='"v1"', last_modified=http_date(0))
    config, store = _setup(tmp_path, (FeedConfig(name="NGO", url=url, priority=True),))
    now = datetime.now(UTC).replace(microsecond=0)
    await _poll(config, store, now)
    assert _due(store, "NGO", now) == 60
    for _ in range(3):  # a minute later, each time: due, asked conditionally, answered 304
        now += timedelta(seconds=60)
        report = await _poll(config, store, now)
        assert (report.feeds_polled, report.not_modified, report.new_items) == (1, 1, 0)  # type: ignore[attr-defined]
        _, headers = feed_server.requests[-1]
        assert headers.get("If-None-Match") == '"v1"' and headers.get("If-Modified-Since") == http_date(0)
        assert _due(store, "NGO", now) == 60
    assert feed_server.hits("/ngo") == 4
    store.close()


async def test_a_feed_with_only_last_modified_is_asked_conditionally_too(tmp_path, feed_server):
    url = feed_server.set("/lm", body=rss([{"title": "x", "guid": "g1", "pubDate": ago(hours=2)}]),
                          last_modified=http_date(0))
    config, store = _setup(tmp_path, (FeedConfig(name="LM", url=url),))
    now = datetime.now(UTC).replace(microsecond=0)
    await _poll(config, store, now)
    store.db.execute("UPDATE feeds SET next_attempt=NULL")
    report = await _poll(config, store, now + timedelta(minutes=5))
    assert report.not_modified == 1  # type: ignore[attr-defined]
    assert feed_server.requests[-1][1].get("If-Modified-Since") == http_date(0)
    store.close()


async def test_hourly_and_weekly_feeds_get_their_own_pace_once_their_rhythm_is_known(tmp_path, feed_server):
    hourly = feed_server.set("/hourly", body=rss([{"title": f"nota {i}", "guid": f"h{i}", "pubDate": ago(hours=i)}
                                                  for i in range(1, 6)]))
    weekly = feed_server.set("/weekly", body=rss([{"title": f"balance {i}", "guid": f"w{i}", "pubDate": ago(days=7 * i)}
                                                  for i in range(1, 4)]))
    config, store = _setup(tmp_path, (FeedConfig(name="Hourly", url=hourly), FeedConfig(name="Weekly", url=weekly)))
    now = datetime.now(UTC).replace(microsecond=0)
    await _poll(config, store, now)  # learns the rhythms from the items' dates
    store.db.execute("UPDATE feeds SET next_attempt=NULL")
    await _poll(config, store, now)
    assert _due(store, "Hourly", now) == pytest.approx(360, abs=1)
    assert _due(store, "Weekly", now) == config.max_interval
    store.close()


async def test_max_age_and_retry_after_are_stored_as_the_next_fetch(tmp_path, feed_server):
    cached = feed_server.set("/cached", body=rss([{"title": "x", "guid": "c1", "pubDate": ago(hours=1)}]),
                             headers={"Cache-Control": "public, max-age=900"})
    busy = feed_server.set("/busy", status=429, body=b"slow down", headers={"Retry-After": "1200"})
    config, store = _setup(tmp_path, (FeedConfig(name="Cached", url=cached, priority=True),
                                      FeedConfig(name="Busy", url=busy, priority=True)))
    now = datetime.now(UTC).replace(microsecond=0)
    report = await _poll(config, store, now)
    assert report.feeds_failed == 1  # type: ignore[attr-defined]
    assert _due(store, "Cached", now) == 900
    assert _due(store, "Busy", now) == 1200
    busy_row = next(f for f in store.feeds() if f.name == "Busy")
    assert busy_row.last_error and "HTTP 429" in busy_row.last_error
    store.close()


def test_the_scheduler_ticks_as_often_as_the_most_frequent_feed(tmp_path):
    def tick(*feeds: FeedConfig, **config: int) -> int:
        store = Store(tmp_path / f"t{len(list(tmp_path.iterdir()))}.db")
        try:
            return Service(Config(feeds=feeds, **config), store).tick_seconds()  # type: ignore[arg-type]
        finally:
            store.close()

    assert tick() == 120  # min_interval: the longest the scheduler waits between looks
    assert tick(FeedConfig(name="NGO", url="https://ngo.example/feed", priority=True)) == 60
    assert tick(poll_interval=600, min_interval=300) == 300


def test_the_scheduler_wakes_when_the_earliest_feed_falls_due(tmp_path):
    from bot.service import MIN_WAIT

    config = Config(database=tmp_path / "rw.db", feeds=(FeedConfig(name="A", url="https://a.example/feed"),
                                                        FeedConfig(name="B", url="https://b.example/feed")))
    store = Store(config.database)
    try:
        service = Service(config, store)
        assert service.until_due() == 120  # no feeds yet: one tick
        store.sync_feeds(config.feeds)
        assert service.until_due() == MIN_WAIT  # never fetched: due now
        service.pipeline.clock = lambda: NOW
        store.db.execute("UPDATE feeds SET next_attempt=?", [(NOW + timedelta(seconds=42)).isoformat()])
        store.db.execute("UPDATE feeds SET next_attempt=? WHERE name='B'", [(NOW + timedelta(seconds=99)).isoformat()])
        assert service.until_due() == 42
        store.db.execute("UPDATE feeds SET next_attempt=?", [(NOW + timedelta(hours=2)).isoformat()])
        assert service.until_due() == 120  # at most one tick: a feed added meanwhile is read soon
    finally:
        store.close()


def test_min_interval_above_max_interval_is_refused_in_one_sentence():
    from bot.config import ConfigError, parse_config

    with pytest.raises(ConfigError) as err:
        parse_config({"min_interval": 4000, "max_interval": 3600})
    assert str(err.value) == "Config key 'min_interval' (4000) must not be above 'max_interval' (3600)."
    config = parse_config({"feeds": [{"name": "NGO", "url": "https://ngo.example/feed", "priority": True}]})
    assert config.feeds[0].priority is True and (config.min_interval, config.max_interval) == (120, 3600)
