"""One feed-health view (bot/feedhealth.py): status, /feeds, /sources and /metrics judge a feed alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from bot.feedhealth import feed_health, feeds_health
from bot.feeds import MAX_ITEMS_PER_FEED
from bot.store import Store

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _store(tmp_path) -> Store:
    store = Store(tmp_path / "rw.db")
    store.sync_feeds([SimpleNamespace(name=n, url=f"https://{n}.example/feed", lang="es", interval=None)
                      for n in ("ok", "failing", "pending", "gone", "pushed", "asked", "off")])
    ids = {f.name: f.id for f in store.feeds()}
    for name in ("ok", "gone", "pushed", "asked", "off"):
        store.record_fetch_ok(ids[name], NOW - timedelta(hours=1), NOW + timedelta(minutes=5), None, None,
                              MAX_ITEMS_PER_FEED + 1 if name == "ok" else 3)
    store.record_fetch_error(ids["failing"], NOW, "HTTP 503", NOW + timedelta(minutes=10))
    store.db.execute("UPDATE feeds SET first_fetch=?, backfilled=4 WHERE name='ok'", [NOW.isoformat()])
    store.db.execute("UPDATE feeds SET first_fetch=? WHERE name='pushed'", [NOW.isoformat()])
    store.db.execute("UPDATE feeds SET active=0 WHERE name='gone'")
    for name in ("pushed", "asked", "off"):
        store.note_hub(ids[name], "https://hub.example.org/", f"https://{name}.example/feed", NOW)
    store.websub_requested(ids["pushed"], "subscribe", NOW)
    store.websub_verified(ids["pushed"], 86400, NOW)
    store.websub_failed(ids["off"], "HTTP 500", NOW + timedelta(hours=1))
    return store


def test_each_feed_is_judged_once(tmp_path):
    store = _store(tmp_path)
    views = {h.feed.name: h for h in feeds_health(store.feeds(active_only=False), store.websub_rows(), NOW)}
    assert {n: h.state for n, h in views.items()} == {
        "ok": "ok", "failing": "failing", "pending": "pending", "gone": "inactive", "pushed": "ok", "asked": "ok",
        "off": "ok"}
    assert [n for n, h in views.items() if h.truncated] == ["ok"]
    assert (views["ok"].first_fetch, views["pushed"].first_fetch, views["pending"].first_fetch) == (
        "backfilled", "done", "pending")
    assert not views["gone"].reading and views["ok"].reading
    pushed, asked, off = views["pushed"].push, views["asked"].push, views["off"].push
    assert pushed and asked and off and views["ok"].push is None
    assert (pushed.state, pushed.hub, pushed.until) == ("pushing", "hub.example.org", NOW + timedelta(days=1))
    assert (asked.state, off.state, off.why) == ("asked", "polled", "HTTP 500")
    # what /metrics counts from the store's own queries, the view says too
    assert {f.id for f in store.feeds() if views[f.name].pushed} == store.pushed_feeds(NOW)
    # a lease that ran out is no push
    assert feed_health(views["pushed"].feed, store.websub(views["pushed"].feed.id), NOW + timedelta(days=2)).push
    assert not feed_health(views["pushed"].feed, store.websub(views["pushed"].feed.id), NOW + timedelta(days=2)).pushed
    store.close()
