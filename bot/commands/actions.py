"""What each chat command does, for every platform: takes the store, who asks (platform, chat id) and
their language, and returns Messages in that language. Never imports a chat platform's library and
never decides who may run a command (bot/commands/registry.py does).

It is longer than most modules (over 400 lines) because it holds one short function per command and
their small shared helpers; each is read on its own, and the registry names them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import review
from .._text import fold
from ..alerts import Message, esc, link, plain, render_event, render_event_history, render_review, render_status
from ..feedhealth import FeedHealth, feeds_health
from ..feedtext import clean_line
from ..i18n import LANGS, moment, num, reason_in, t
from ..matcher import lexicon
from ..redact import display_name, display_url
from ..store import CommandStore, iso, utcnow
from ..vault import Vault, VaultError
from ..watch import normalize
from .args import parse_edit, parse_figure_fix, parse_id, parse_record

MAX_WATCHES = 10

FILTERS = ("all", "confirmations")


@dataclass(frozen=True)
class Chat:
    platform: str
    chat_id: str
    lang: str


def chat_lang(store: CommandStore, platform: str, chat_id: str | int, fallback: str | None) -> str:
    sub = store.subscriber(platform, chat_id)
    if sub:
        return sub.lang
    if fallback and fallback[:2] in LANGS:
        return fallback[:2]
    return "es"


def prisons() -> list[str]:
    """Prison names a chat can filter on, in gazetteer order."""
    return [e.name for e in lexicon().prisons]


def prison_named(typed: str) -> str:
    """The gazetteer's spelling of a prison typed with any case or accents ("tocoron")."""
    wanted = fold(" ".join(typed.split()))
    for name in prisons():
        if fold(name) == wanted:
            return name
    return typed  # subscribe() answers that it does not know this prison


def set_language(store: CommandStore, chat: Chat, lang: str) -> Message:
    store.set_lang(chat.platform, chat.chat_id, lang)
    return plain(t(lang, "lang.set"))


def welcome(lang: str) -> Message:
    return plain(t(lang, "start.welcome"))


def help_text(lang: str, prefix: str = "/", staff: bool = False) -> Message:
    text = t(lang, "help.body").replace("/", prefix)
    if prefix == "!":
        text += "\n" + t(lang, "matrix.subscribe_help")
    if staff:
        text += "\n\n" + t(lang, "help.staff").replace("/", prefix)
    return plain(text)


def subscribe(store: CommandStore, chat: Chat, filter: str, prison: str | None = None) -> Message:
    if filter not in FILTERS:
        raise ValueError(filter)
    if prison is not None and prison not in prisons():
        return plain(t(chat.lang, "subscribe.unknown_prison", prison=prison))
    store.subscribe(chat.platform, chat.chat_id, chat.lang, filter, prison)
    what = t(chat.lang, f"subscribe.filter.{filter}")
    if prison:
        what += " — " + prison
    return plain(t(chat.lang, "subscribe.done", what=what))


def unsubscribe(store: CommandStore, chat: Chat) -> Message:
    sub = store.subscriber(chat.platform, chat.chat_id)
    if not sub or not sub.active:
        return plain(t(chat.lang, "unsubscribe.not_subscribed"))
    store.unsubscribe(sub.id)
    return plain(t(chat.lang, "unsubscribe.done"))


def forget(store: CommandStore, chat: Chat) -> Message:
    store.forget(chat.platform, chat.chat_id)
    return plain(t(chat.lang, "forget.done"))


def status(store: CommandStore, lang: str, staff: bool = False) -> Message:
    events = store.latest_events(10 if staff else 5)
    outlets = {ev.id: sorted({r["outlet"] for r in store.item_outlets(ev.id)}) for ev in events if ev.id} if staff else None
    return render_status(events, store.latest_tallies(3), lang, outlets, store.running_counts())  # type: ignore[arg-type]


def latest(store: CommandStore, lang: str, limit: int = 3) -> list[Message]:
    out = []
    for ev in store.latest_events(limit):
        snap = store.revision_snapshot(ev.id or 0, ev.revision) or store.revision_snapshot(ev.id or 0, 1)
        if snap:
            out.append(render_event(snap, lang))
    return out or [plain(t(lang, "latest.none"))]


def sources(store: CommandStore, lang: str) -> Message:
    lines, markups = [t(lang, "sources.title")], []
    markups.append(f"<b>{esc(lines[0])}</b>")
    for h in feeds_health(store.feeds(), (), utcnow()):
        state = t(lang, f"sources.{h.state}")  # ok, pending or failing: only active feeds are listed
        f = h.feed
        lang_tag = f" ({f.lang})" if f.lang else ""
        lines.append(f"{state} {f.name}{lang_tag}")
        markups.append(f"{esc(state)} {link(f.name, display_url(f.url))}{esc(lang_tag)}")
    if len(lines) == 1:
        lines.append(t(lang, "sources.none"))
        markups.append(esc(lines[-1]))
    return Message("\n".join(lines), "\n".join(markups))


def feeds_report(store: CommandStore, lang: str) -> Message:
    """Staff: every feed's health, when it last published something new, what its first fetch
    took in without alerts, and whether it went quiet."""
    lines = [t(lang, "feeds.title")]
    for h in feeds_health(store.feeds(active_only=False), store.websub_rows(), utcnow()):
        f = h.feed
        last_ok = moment(lang, f.last_ok) if f.last_ok else t(lang, "feeds.never")
        line = t(lang, "feeds.line", name=f.name, ok=last_ok, items=num(lang, f.items_seen),
                 errors=num(lang, f.error_count))
        if h.state == "inactive":
            line += " " + t(lang, "feeds.inactive")
        line += "\n   " + "; ".join(_feed_details(h, lang))
        if h.reading:
            line += "\n   " + "; ".join(_feed_reading(h, lang))
        if f.error_count and f.last_error:
            line += "\n   " + t(lang, "feeds.last_error", error=_stored_reason(lang, f.last_error)[:200])
        lines.append(line)
    return plain("\n".join(lines))


def _stored_reason(lang: str, stored: str) -> str:
    """A feed's last error as the store keeps it ("<when> <reason in English>"), in lang."""
    when, _, why = stored.partition(" ")
    return f"{when} {reason_in(lang, why)}"


def _feed_details(h: FeedHealth, lang: str) -> list[str]:
    """What /feeds says of a feed besides its health: newness, backlog, quiet, how it is read."""
    f = h.feed
    last_new = moment(lang, f.last_item) if f.last_item else t(lang, "feeds.never")
    out = [t(lang, "feeds.last_new", when=last_new)]
    if f.quiet:
        out.append(t(lang, "feeds.quiet"))
    if h.first_fetch == "pending":
        out.append(t(lang, "feeds.first_pending"))
    elif h.first_fetch == "backfilled":
        assert f.first_fetch is not None
        out.append(t(lang, "feeds.backfilled", when=moment(lang, f.first_fetch), items=num(lang, f.backfilled)))
    if f.review:
        out.append(t(lang, "feeds.review"))
    if f.allow_private:
        out.append(t(lang, "feeds.private"))
    return out


def _feed_reading(h: FeedHealth, lang: str) -> list[str]:
    """How a feed is read: pushed by its WebSub hub or not (and why), priority, the next poll."""
    out = []
    if (push := h.push) is not None:
        if push.state == "pushing":
            assert push.until is not None
            out.append(t(lang, "feeds.pushed", hub=push.hub, until=moment(lang, push.until), pushes=num(lang, push.pushes),
                         dropped=num(lang, push.dropped)))
        elif push.state == "asked":
            out.append(t(lang, "feeds.push_pending", hub=push.hub))
        else:
            out.append(t(lang, "feeds.push_off", hub=push.hub, why=push.why[:200]))
    if h.feed.priority:
        out.append(t(lang, "feeds.priority"))
    if h.feed.next_attempt:
        out.append(t(lang, "feeds.next_poll", when=moment(lang, h.feed.next_attempt)))
    return out


def stats(store: CommandStore, lang: str) -> Message:
    """Staff: subscribers by language and filter, alerts sent and pending."""
    rows = store.subscriber_stats()
    lines = [t(lang, "stats.title")]
    for r in rows:
        prison = f" — {r['prison']}" if r["prison"] else ""
        filter = r["filter"]
        lines.append(t(lang, "stats.subscribers", platform=r["platform"], language=r["lang"],
                       filter=t(lang, f"subscribe.filter.{filter}") + prison, count=num(lang, r["n"])))
    counts = store.outbox_counts()
    lines.append(t(lang, "stats.outbox", sent=num(lang, counts.get("sent", 0)),
                   pending=num(lang, counts.get("pending", 0) + counts.get("claimed", 0)),
                   failed=num(lang, counts.get("failed", 0) + counts.get("dead", 0))))
    return plain("\n".join(lines))


def broadcast(store: CommandStore, text: str, now: datetime | None = None) -> int:
    """Staff: queue a text for every active subscriber through the outbox. Returns rows queued."""
    now = now or utcnow()
    text = text.strip()[:3500]
    key = "bc:" + hashlib.sha256(f"{iso(now)}|{text}".encode()).hexdigest()[:16]
    payload: dict[str, Any] = {"text": text, "html": esc(text)}
    n = 0
    with store.transaction():
        for sub in store.active_subscribers():
            n += store.enqueue(sub.id, key, "text", payload, now)
    return n


def _sub_for(store: CommandStore, chat: Chat):  # noqa: ANN202 - a Subscriber, created inactive if new
    sub = store.subscriber(chat.platform, chat.chat_id)
    if sub is None:
        store.set_lang(chat.platform, chat.chat_id, chat.lang)
        sub = store.subscriber(chat.platform, chat.chat_id)
    assert sub is not None
    return sub


def watch_add(store: CommandStore, vault: Vault | None, chat: Chat, name: str, private: bool) -> Message:
    """Follow a name (private chats only; stored encrypted)."""
    if not private:
        return plain(t(chat.lang, "watch.private_only"))
    if vault is None:
        return plain(t(chat.lang, "watch.disabled"))
    # the one cleaning path for text from outside: no invisible characters, no lone surrogates
    # (half an emoji, which nothing can encode), no markup
    typed, name = name, clean_line(name, 120)
    if typed.strip() and not name:
        return plain(t(chat.lang, "watch.unreadable"))
    if len(normalize(name).split()) < 2:
        return usage(chat.lang, "watch")
    sub = _sub_for(store, chat)
    if len(store.watches(sub.id)) >= MAX_WATCHES:
        return plain(t(chat.lang, "watch.too_many", max=MAX_WATCHES))
    store.add_watch(sub.id, vault.encrypt(name))
    return plain(t(chat.lang, "watch.added"))


def watch_list(store: CommandStore, vault: Vault | None, chat: Chat) -> Message:
    if vault is None:
        return plain(t(chat.lang, "watch.disabled"))
    sub = store.subscriber(chat.platform, chat.chat_id)
    rows = store.watches(sub.id) if sub else []
    if not rows:
        return plain(t(chat.lang, "watch.none"))
    lines = [t(chat.lang, "watch.list_title")]
    for i, row in enumerate(rows, 1):
        try:
            lines.append(f"{i}. {vault.decrypt(row['name_enc'])}")
        except VaultError:
            lines.append(f"{i}. ?")
    return plain("\n".join(lines))


def watch_remove(store: CommandStore, chat: Chat, number: str) -> Message:
    index = parse_id(number) - 1
    sub = store.subscriber(chat.platform, chat.chat_id)
    rows = store.watches(sub.id) if sub else []
    if sub is None or not 0 <= index < len(rows):
        return plain(t(chat.lang, "watch.not_found"))
    store.remove_watch(sub.id, rows[index]["id"])
    return plain(t(chat.lang, "watch.removed"))


def notes(store: CommandStore, chat: Chat, value: str) -> Message:
    if value not in ("on", "off", "si", "sí", "no"):
        return usage(chat.lang, "notes")
    on = value in ("on", "si", "sí")
    store.set_notes(_sub_for(store, chat).id, on)
    return plain(t(chat.lang, "notes.on" if on else "notes.off"))


def usage(lang: str, command: str) -> Message:
    return plain(t(lang, f"usage.{command}"))


# -- staff: review queue, ledger, feeds ------------------------------------------------------------


def queue(store: CommandStore, lang: str) -> Message:
    """Held alerts waiting for a staff decision."""
    held = store.held()
    if not held:
        return plain(t(lang, "queue.empty"))
    lines = [t(lang, "queue.title")]
    for r in held:
        ev = store.event(r["event_id"])
        conf = f"{r['confidence']:.2f}" if r["confidence"] is not None else "—"
        what = f"{num(lang, ev.announced)} / {num(lang, ev.confirmed)}" if ev else "?"
        lines.append(t(lang, "queue.line", event=r["event_id"], revision=r["revision"], confidence=conf, what=what))
    return plain("\n".join(lines))


def decision_reply(outcome: review.Outcome, lang: str) -> Message:
    if outcome.status == "missing":
        return plain(t(lang, "review.missing"))
    if not outcome.ok:
        status = t(lang, f"review.status_{outcome.status}")
        return plain(t(lang, "review.first_wins", status=status, who=outcome.decided_by or "?"))
    return plain(t(lang, f"review.done_{outcome.status}", event=outcome.event_id, revision=outcome.revision))


def decide(store: CommandStore, event_id: int, revision: int, approve: bool, who: str, lang: str) -> Message:
    """A review button: approve or reject this very revision."""
    return decision_reply(review.decide(store, event_id, revision, approve, who, None, utcnow()), lang)


def approve_or_reject(store: CommandStore, text: str, approve: bool, who: str, lang: str) -> Message:
    """'/approve 12' or '/reject 12 reason' on the event's latest held revision."""
    words = text.split(maxsplit=1) or [""]
    event_id = parse_id(words[0])
    revision = review.latest_held(store, event_id)
    if revision is None:
        rows = store.revisions(event_id)
        if not rows:
            return plain(t(lang, "review.missing"))
        last = rows[-1]
        return decision_reply(review.Outcome(False, last["status"], last["decided_by"], event_id, last["revision"]), lang)
    reason = words[1].strip() if len(words) > 1 else None
    return decision_reply(review.decide(store, event_id, revision, approve, who, reason, utcnow()), lang)


def edit_numbers(store: CommandStore, text: str, who: str, lang: str) -> Message:
    event_id, announced, confirmed = parse_edit(text)
    return decision_reply(review.edit(store, event_id, who, utcnow(), announced, confirmed), lang)


def record_figure(store: CommandStore, text: str, who: str, lang: str) -> Message:
    role, value, source, event_id = parse_record(text)
    out = review.record(store, event_id, role, value, source, who, utcnow())
    if out.status == "missing":
        return plain(t(lang, "review.missing"))
    return plain(t(lang, "record.done", role=t(lang, f"label.{role}"), value=num(lang, value), source=source,
                   event=event_id))


def figure_fix(store: CommandStore, text: str, who: str, lang: str) -> Message:
    """Staff: '/figure 12 2 ok|not|role=…|value=…|by=…' on figure 2 of event 12's held item."""
    event_id, number, action, changes = parse_figure_fix(text)
    out = review.correct_figure(store, event_id, number, action, changes, who, utcnow())
    if not out.ok:
        return plain(t(lang, "figure.missing", event=event_id, n=number))
    if action == "not":
        reply = plain(t(lang, "figure.dropped", event=event_id, n=number))
    else:
        reply = plain(t(lang, "figure.done", event=event_id, n=number,
                        what=t(lang, "figure.confirmed" if action == "ok" else "figure.fixed")))
    snap = store.revision_snapshot(event_id, out.revision or 0)
    row = store.revision(event_id, out.revision or 0)
    if snap is not None and row is not None:
        reply = reply + render_review(snap, dict(row), lang, "matrix")
    return reply


def event_history(store: CommandStore, text: str, lang: str) -> Message:
    ev = store.event(parse_id(text))
    if ev is None:
        return plain(t(lang, "review.missing"))
    revisions = store.revisions(ev.id or 0)
    snaps = {r["revision"]: snap for r in revisions if (snap := store.revision_snapshot(ev.id or 0, r["revision"]))}
    return render_event_history(ev, revisions, lang, snaps)


async def add_feed(store: CommandStore, allow_private: bool, timeout: float, text: str, lang: str) -> Message:
    """Staff: '/addfeed URL [es|en]': checked (http(s), public address, a real feed) before it is kept.
    A site's address (a page, not a feed) is searched for the feed it announces, which is added
    instead and named in the reply. What the feed holds now is recorded without alerts (its first
    fetch, bot/pipeline.py)."""
    from ..feeds import FeedError, check_feed_url, feed_links, fetch, make_client

    words = text.split()
    if not words or len(words) > 2 or (len(words) == 2 and words[1] not in LANGS):
        return usage(lang, "addfeed")
    url, feed_lang = words[0], (words[1] if len(words) == 2 else None)
    found = None
    try:
        check_feed_url(url, allow_private)
        async with make_client(timeout, allow_private=allow_private) as client:
            res = await fetch(client, url, deadline=timeout * 2, feed_lang=feed_lang)
            if res.status == "error" and res.page is not None:
                # no feed: a site's page perhaps, which names its feed in <link rel="alternate">
                links = feed_links(res.page, res.page_url or url)
                if not links:
                    return plain(t(lang, "feed.refused", reason=t(lang, "feed.no_feed_found")))
                found = links[0]
                check_feed_url(found, allow_private)
                res = await fetch(client, found, deadline=timeout * 2, feed_lang=feed_lang)
    except FeedError as exc:
        return plain(t(lang, "feed.refused", reason=reason_in(lang, str(exc))))
    if res.status == "error":
        return plain(t(lang, "feed.refused", reason=reason_in(lang, res.error or "?")))
    url = found or url
    name = display_name(url)
    if not store.add_feed(name, url, feed_lang):
        return plain(t(lang, "feed.exists"))
    lines = [t(lang, "feed.added", name=name, items=len(res.items))]
    if found:
        lines.append(t(lang, "feed.added_found", url=display_url(found)))
    lines.append(t(lang, "feed.added_backfill"))
    return plain("\n".join(lines))


def remove_feed(store: CommandStore, text: str, lang: str) -> Message:
    key = text.strip()
    if not key:
        return usage(lang, "removefeed")
    removed = store.remove_feed(key)
    if removed is None:
        return plain(t(lang, "feed.not_found"))
    return plain(t(lang, "feed.removed", name=removed.name))
