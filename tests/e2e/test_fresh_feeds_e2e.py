"""Staff add feeds in Telegram (through the Bot API emulator, the real service and a loopback feed
server): a feed's backlog never reaches families, what it publishes next does; a site's address
finds its feed; /feeds tells what the first fetch took in and shows no secret of a feed's URL."""

from tests.e2e.conftest import STAFF, button
from tests.feedserver import rss
from tests.test_freshness import NEW_12, OLD_71, RECENT_33

FAMILY = 3101


async def family_subscribes(h):
    reply = await h.say(FAMILY, "/subscribe", language_code="es")
    await h.press(FAMILY, reply, button(reply, "sub:all"))


async def test_a_feed_added_by_staff_alerts_nobody_with_its_backlog_then_alerts_its_news(harness):
    h = harness
    await family_subscribes(h)
    before = len(h.emu.messages_for(FAMILY))
    url = h.feeds.set("/bridge?token=TKN-SECRET-77", body=rss([OLD_71, RECENT_33]))
    reply = await h.say(STAFF, f"/addfeed {url} es", language_code="en")
    assert reply["text"].startswith("Feed added: 127.0.0.1 (2 items now)"), reply["text"]
    assert "only what it publishes from now on alerts" in reply["text"]
    await h.poll_and_deliver()
    assert len(h.emu.messages_for(FAMILY)) == before  # this morning's report too: it was backlog

    feeds = await h.say(STAFF, "/feeds", language_code="en")
    assert "2 items recorded without alerts" in feeds["text"] and "last new item" in feeds["text"]
    assert "TKN-SECRET-77" not in feeds["text"]
    sources = await h.say(FAMILY, "/sources")
    assert "TKN-SECRET-77" not in str(sources)
    before = len(h.emu.messages_for(FAMILY))

    h.feeds.set("/bridge?token=TKN-SECRET-77", body=rss([NEW_12, OLD_71, RECENT_33]))
    await h.poll_and_deliver()
    await h.poll_and_deliver()
    alerts = h.emu.messages_for(FAMILY)[before:]
    assert len(alerts) == 1 and "El Helicoide" in alerts[0]["text"], alerts
    assert "TKN-SECRET-77" not in alerts[0]["text"]


async def test_addfeed_with_a_sites_address_adds_the_feed_the_page_announces(harness):
    h = harness
    feed = h.feeds.set("/noticias/feed.xml", body=rss([RECENT_33]))
    page = h.feeds.set("/noticias/", content_type="text/html; charset=utf-8", body=(
        b'<!doctype html><html><head><title>Noticias</title><link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" type="application/rss+xml" title="Noticias" href="feed.xml"></head>'
        b"<body><h1>Noticias</h1></body></html>"))
    reply = await h.say(STAFF, f"/addfeed {page}", language_code="en")
    assert "That address is a page, not a feed; on it I found the feed " + feed in reply["text"], reply["text"]
    assert reply["text"].startswith("Feed added: 127.0.0.1 (1 items now)")
    assert feed in [f.url for f in h.store.feeds()]

    bare = h.feeds.set("/plain/", content_type="text/html", body=b"<html><body>Sin fuente</body></html>")
    refused = await h.say(STAFF, f"/addfeed {bare}", language_code="en")
    assert refused["text"].startswith("Feed not added: that address is a page with no link to an RSS or Atom feed")
    assert bare not in [f.url for f in h.store.feeds()]
