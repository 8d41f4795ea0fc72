"""One poll cycle: fetch due feeds (bounded concurrency), store new items, match them, fold them into
events and queue alerts. The glue between the feed adapter, the pure core and the store.

Items of one cycle are processed in publication order across feeds, so an announcement is seen
before the confirmation that follows it. An item's rows (item, extraction, event revision, outbox
rows) land together or not at all; items are committed in groups (see Pipeline.ingest).

Old news is never a new alert: a feed's first fetch and items older than max_alert_age_hours go
into the ledger quietly (bot/freshness.py decides). A feed with nothing new for longer than its
rhythm is marked quiet, once.

It is longer than most modules (over 400 lines) because polling and pushing share one
collect/commit path with its guards (first fetch, old news, failures, quiet feeds); those are
kept in one reading order rather than spread over modules that would call back into each other.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

import httpx

from . import cadence, freshness, review, watch
from ._text import normalize, sentences
from .config import Config
from .events import Observation, apply, find_event, reports_a_round, round_figures, running_counts
from .feeds import FetchResult, fetch, read_feed
from .i18n import because
from .items import Item
from .matcher import Extraction, match
from .store import FeedRow, Fresh, PipelineStore, Subscriber, utcnow
from .vault import Vault, VaultError

log = logging.getLogger("releasewatch.pipeline")

FAILING_STREAK = 10  # consecutive failures after which staff hear about a feed, once
INGEST_GROUP = 500  # items per transaction; one commit per item was most of the store's cost


@dataclass
class CycleReport:
    feeds_polled: int = 0
    feeds_failed: int = 0
    not_modified: int = 0
    new_items: int = 0
    alerts_queued: int = 0
    held: int = 0
    revisions: list[tuple[int, int]] = field(default_factory=list)
    newly_failing: list[str] = field(default_factory=list)
    newly_quiet: list[str] = field(default_factory=list)  # answer, but nothing new for longer than usual
    backfilled: int = 0  # new items of feeds' first fetches: recorded, no alert
    too_old: int = 0  # new items dated older than max_alert_age_hours: recorded, no alert
    # entries that could not be read or processed, as (feed name, reason): each costs only itself
    item_failures: list[tuple[str, str]] = field(default_factory=list)
    item_retries: int = 0  # items that met trouble of the machine (no descriptors, memory): retried next cycle


@dataclass
class _Intake:
    """What one cycle (or one push) takes in, gathered feed by feed before it is ingested at once."""

    batch: list[tuple[FeedRow, Item]] = field(default_factory=list)
    hushed: set[str] = field(default_factory=set)  # ids of items that go into the ledger without alerting
    firsts: list[FeedRow] = field(default_factory=list)  # feeds on their first successful read
    answered: list[FeedRow] = field(default_factory=list)
    # each polled feed's ETag and Last-Modified, recorded only once its items are in (a 304 must never hide an item)
    validators: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)


class Pipeline:
    def __init__(self, store: PipelineStore, config: Config, client: httpx.AsyncClient,
                 clock: Callable[[], datetime] = utcnow, vault: Vault | None = None,
                 private_client: httpx.AsyncClient | None = None) -> None:
        self.store = store
        self.vault = vault
        self.config = config
        self.client = client
        # unguarded, for the feeds allowed on a private address (allow_private in [[feeds]]); the
        # others never go through it
        self.private_client = private_client
        self.clock = clock
        self.window = timedelta(days=config.event_window_days)
        self.bounds = cadence.Bounds(config.poll_interval, config.min_interval, config.max_interval)
        # called with each feed that answered with a document (WebSub discovery hooks in here)
        self.on_answer: Callable[[FeedRow, FetchResult, datetime], None] | None = None
        # digest of the last body each feed sent that was ingested: the same bytes again need no
        # parsing (in memory only: after a restart the first cycle parses everything once)
        self._digests: dict[int, bytes] = {}
        # how long each feed took last time: the slowest start first (see poll)
        self._seconds: dict[int, float] = {}
        self._skipped: dict[int, tuple[str, ...]] = {}  # unreadable entries each feed had last time
        self._quiet: bool | Collection[str] = False  # what the ingest under way queues nothing for
        self._first: set[int] = set()  # feeds whose first fetch the ingest under way takes in
        self._grew: set[int] = set()  # feeds that had new items in the ingest under way
        self._audience: list[Subscriber] | None = None  # active subscribers, per ingest group
        self._staff: bool | None = None
        self._retry: set[int] = set()  # feeds whose items met trouble of the machine: fetched whole again

    async def _fetch(self, feed: FeedRow, sem: asyncio.Semaphore) -> FetchResult:
        client = self.private_client if feed.allow_private and self.private_client is not None else self.client
        async with sem:
            return await fetch(
                client,
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                max_bytes=self.config.max_feed_bytes,
                deadline=self.config.request_timeout * 3,
                feed_lang=feed.lang,
                known_digest=self._digests.get(feed.id),
                feed_id=feed.id,
            )

    async def poll(self) -> CycleReport:
        """Fetch every due feed once and ingest what is new."""
        report = CycleReport()
        feeds = self.store.due_feeds(self.clock())
        sem = asyncio.Semaphore(self.config.max_concurrent_fetches)
        # slowest first (the semaphore is FIFO): a slow feed that queued behind hundreds of fast
        # ones would hold the whole cycle up by the time they took (bench/poll_cycle.py)
        order = sorted(feeds, key=lambda f: -self._seconds.get(f.id, 0.0))
        fetched = await asyncio.gather(*(self._fetch(f, sem) for f in order))
        by_id = {f.id: res for f, res in zip(order, fetched, strict=True)}
        results = [by_id[f.id] for f in feeds]
        self._seconds.update((f.id, res.seconds) for f, res in zip(order, fetched, strict=True))
        digests: dict[int, bytes] = {}
        now = self.clock()
        pushed = self.store.pushed_feeds(now) if feeds else set()
        intake = _Intake()
        for feed, res in zip(feeds, results, strict=True):
            report.feeds_polled += 1
            timing = self.timing(feed, feed.id in pushed)
            answer = cadence.Answer(failed=res.status == "error", status=res.http_status, headers=res.header_map)
            if res.status == "error":
                report.feeds_failed += 1
                due = cadence.next_due(replace(timing, errors=feed.error_count + 1), answer, now, self.bounds)
                errors = self.store.record_fetch_error(feed.id, now, res.error or "unknown error", due)
                log.warning("feed failed", extra={"feed": feed.name, "error": res.error, "streak": errors})
                if errors == FAILING_STREAK:
                    report.newly_failing.append(feed.name)
                continue
            # the answer's validators wait until its items are in (_commit): a 304 must never hide an item
            self.store.record_fetch_ok(feed.id, now, cadence.next_due(timing, answer, now, self.bounds),
                                       None, None, res.entries if res.status == "ok" else None)
            if res.status == "not_modified":
                report.not_modified += 1
            if res.status == "ok" and self.on_answer is not None:
                self.on_answer(feed, res, now)  # WebSub: the hub the feed names (bot/websub/subscriber.py)
            if res.digest is not None:
                digests[feed.id] = res.digest
            self._collect(intake, feed, res, now, report)
            if res.status == "ok":
                intake.validators[feed.id] = (res.etag, res.last_modified)
        self._commit(intake, now, report)
        # only once its items are stored may a body be skipped as known (a feed whose item met
        # trouble of the machine is read whole again next time)
        for feed_id in self._retry:
            digests.pop(feed_id, None)
            self._digests.pop(feed_id, None)
        self._digests.update(digests)
        return report

    def timing(self, feed: FeedRow, pushed: bool) -> cadence.FeedTiming:
        """What the schedule (bot/cadence.py) knows of a feed."""
        return cadence.FeedTiming(interval=feed.interval, priority=feed.priority, rhythm=feed.rhythm, pushed=pushed,
                                  errors=feed.error_count)

    async def push(self, feed: FeedRow, body: bytes) -> CycleReport:
        """A feed document a hub pushed (its signature already checked): read and taken in exactly
        as a polled one (same text cleaning, same per-feed dedup, old news and a first read quiet).
        Raises FeedError if it is no feed; the feed's poll schedule is left as it is."""
        report = CycleReport()
        parsed = await asyncio.to_thread(read_feed, body, feed.url, feed.lang, feed_id=feed.id) if len(body) > 200_000 \
            else read_feed(body, feed.url, feed.lang, feed_id=feed.id)
        # the feed as it is now: a poll may have taken in its first fetch since the push began
        feed = self.store.feed(feed.id) or feed
        now = self.clock()
        intake = _Intake()
        self._collect(intake, feed, FetchResult("ok", tuple(parsed.items), skipped=parsed.skipped), now, report)
        self._commit(intake, now, report)
        return report

    def _collect(self, intake: _Intake, feed: FeedRow, res: FetchResult, now: datetime, report: CycleReport) -> None:
        """A feed's answer (polled or pushed) into the intake: its items, which of them stay quiet,
        its unreadable entries."""
        if res.skipped and res.skipped != self._skipped.get(feed.id):
            # the same unreadable entry comes with every fetch: counted and told once
            self._skipped[feed.id] = res.skipped
            self.store.record_skipped_entries(feed.id, res.skipped, now)
            report.item_failures += [(feed.name, why) for why in res.skipped]
            log.warning("feed entries could not be read", extra={"feed": feed.name, "count": len(res.skipped)})
        intake.answered.append(feed)
        # fetch() already ties items to their feed and its language; a copy only for those it did not
        items = [it if it.feed_id == feed.id and (it.lang or not feed.lang) else
                 replace(it, feed_id=feed.id, lang=it.lang or feed.lang) for it in res.items]
        first = feed.first_fetch is None and res.status == "ok"
        if first:
            intake.firsts.append(feed)
        max_age = timedelta(hours=self.config.max_alert_age_hours)
        intake.hushed.update(it.id for it in items if not freshness.may_alert(it.published, now, max_age, first))
        intake.batch.extend((feed, it) for it in items)

    def _commit(self, intake: _Intake, now: datetime, report: CycleReport) -> None:
        """Ingest what was collected; record first fetches; mark feeds that went quiet."""
        self._first = {f.id for f in intake.firsts}
        self._retry = set()
        self.ingest(intake.batch, report, quiet=intake.hushed)
        for feed_id, (etag, last_modified) in intake.validators.items():
            if feed_id in self._retry:  # an item met trouble of the machine's: the whole feed again
                self.store.forget_validators(feed_id)
            else:
                self.store.record_validators(feed_id, etag, last_modified)
        for feed in intake.firsts:
            if feed.id in self._retry:
                continue  # its first fetch is not done: what it holds is still backlog next cycle
            taken = self.store.record_first_fetch(feed, now)
            report.backfilled += taken
            log.info("first fetch of a feed recorded without alerts", extra={"feed": feed.name, "items": taken})
        self._first = set()
        self._mark_quiet(intake.answered, now, report)

    def _mark_quiet(self, feeds: list[FeedRow], now: datetime, report: CycleReport) -> None:
        """Feeds that answered: quiet when their newest item is older than their rhythm allows
        (marked once, and staff told once, until they publish again)."""
        for feed in feeds:
            if feed.id in self._grew:
                newest, gap = self.store.record_rhythm(feed.id)
            else:
                newest, gap = feed.last_item, feed.rhythm
            since = newest or feed.first_fetch or now  # an empty feed: since it was first read
            usual = timedelta(seconds=gap) if gap else None
            quiet = freshness.is_quiet(since, usual, now)
            if quiet and not feed.quiet:
                self.store.set_quiet(feed.id, now)
                report.newly_quiet.append(feed.name)
                log.info("feed went quiet", extra={"feed": feed.name, "last_item": newest and newest.isoformat()})
            elif feed.quiet and not quiet:
                self.store.set_quiet(feed.id, None)

    def ingest(self, batch: Iterable[tuple[FeedRow, Item]], report: CycleReport | None = None,
               quiet: bool | Collection[str] = False) -> CycleReport:
        """Store, match and fold items (from any feeds) in publication order. quiet: fold them into
        the ledger but queue nothing (no alert, no review, no private note): True for all of them
        (a replay of an archive), or the ids of the items concerned (a feed's backlog, old news).

        Up to INGEST_GROUP items share one transaction. If one of them fails, the group is rolled
        back and redone one item per transaction: a failure inside one item costs that item
        (recorded on its feed, skipped from then on, reported), never the items around it.
        Trouble with the database itself (disk full, a damaged file) is nobody's item: it raises."""
        report = report or CycleReport()
        self._quiet = quiet
        self._grew = set()
        ordered = sorted(((feed, it if it.feed_id == feed.id else replace(it, feed_id=feed.id)) for feed, it in batch),
                         key=lambda fi: fi[1].published)
        nested = self.store.in_transaction  # a caller's transaction: no group, no redo
        step = 1 if nested else INGEST_GROUP
        for start in range(0, len(ordered), step):
            group = ordered[start:start + step]
            before = _copy(report)
            try:
                with self.store.transaction():
                    self._ingest_group(group, report)
                continue
            except Exception as exc:
                if nested or _store_trouble(exc):
                    raise
            for f in fields(report):
                setattr(report, f.name, getattr(before, f.name))
            for one in group:
                self._ingest_one(one, report)
        return report

    def _ingest_one(self, one: tuple[FeedRow, Item], report: CycleReport) -> None:
        before = _copy(report)
        try:
            with self.store.transaction():
                self._ingest_group([one], report)
        except Exception as exc:
            if _store_trouble(exc):
                raise
            for f in fields(report):
                setattr(report, f.name, getattr(before, f.name))
            feed, item = one
            if _machine_trouble(exc):
                # out of descriptors or memory: the item is not at fault and is taken in next cycle
                self._retry.add(feed.id)
                report.item_retries += 1
                log.warning("item met trouble of the machine; retried next cycle",
                            extra={"feed": feed.name, "reason": _reason(exc)})
                return
            reason = because("reason.item_failed", error=type(exc).__name__)
            log.warning("item failed; skipped", extra={"feed": feed.name, "reason": type(exc).__name__}, exc_info=exc)
            self.store.record_item_failure(item, reason, self.clock())
            report.item_failures.append((feed.name, reason))

    def _ingest_group(self, group: list[tuple[FeedRow, Item]], report: CycleReport) -> None:
        """Store the group's items, then match and fold the new ones in order (one transaction)."""
        feeds = {feed.id: feed for feed, _ in group}
        extractions = []
        # who reads, and is there staff: read once per group, when first needed (nothing else writes them meanwhile)
        self._audience, self._staff = None, None
        for fresh in self.store.add_items([it for _, it in group], self.clock()):
            report.new_items += 1
            self._grew.add(fresh.item.feed_id)
            quiet = self._hushed(fresh.item)
            if quiet and self._quiet is not True and fresh.item.feed_id not in self._first:
                report.too_old += 1
            extractions.append(self._process(feeds[fresh.item.feed_id], fresh, report, quiet))
        self.store.record_extractions(extractions, self.clock())

    def _readers(self) -> list[Subscriber]:
        """The active subscribers, read once per ingest group."""
        if self._audience is None:
            self._audience = self.store.active_subscribers()
        return self._audience

    def _has_staff(self) -> bool:
        if self._staff is None:
            self._staff = bool(self.store.staff_subscribers())
        return self._staff

    def _hushed(self, item: Item) -> bool:
        """Does this item go into the ledger without alerting anyone (see ingest's quiet)?"""
        return self._quiet is True or (self._quiet is not False and item.id in self._quiet)

    def _process(self, feed: FeedRow, fresh: Fresh, report: CycleReport,
                 quiet: bool) -> tuple[str, Extraction, int | None]:
        """Match one new (or revised) item and act on it (quiet: into the ledger only); returns
        what to record of it."""
        now = self.clock()
        item, obs_id = fresh.item, fresh.observation
        # the item's date dates a running total's start ("desde el 8 de enero")
        ex = match(item.title, item.summary, item.lang, item.published.isoformat())
        event_id = None
        if ex.total_prisoners is not None:
            self.store.record_tally(obs_id, ex.total_prisoners, ex.total_by, feed.name, item.link, item.published)
        obs = Observation(ex, obs_id, feed.name, item.link, item.title, item.published)
        running = running_counts(obs)  # a campaign's running totals: ledger lines, not rounds
        if running:
            self.store.record_running(running)
        if reports_a_round(obs):
            numbers = [f.value for f in round_figures(obs)] + ([ex.released] if ex.released else [])
            # a revised article reports the event its first text joined, whatever its numbers now
            joined = self.store.event_of_item(fresh.id) if fresh.revised else None
            existing = joined or find_event(obs, self.store.candidate_events(item.published, self.window, numbers,
                                                                             ex.period), self.window)
            event, new_revision = apply(obs, existing)
            hold = new_revision and not quiet and review.needs_review(
                self.config, ex.confidence, self._has_staff(), feed.review)
            event = self.store.save_event(event, obs, new_revision, now, status="held" if hold else "released",
                                          confidence=ex.confidence)
            event_id = event.id
            if new_revision:
                report.revisions.append((event.id or 0, event.revision))
                if hold:  # staff decide before families hear of it
                    report.held += review.post_for_review(self.store, event.id or 0, event.revision, now)
                elif not quiet:
                    report.alerts_queued += self.store.enqueue_revision(event, now, audience=self._readers())
            if ex.names and self.vault is not None and not quiet:
                report.alerts_queued += self._watch_alerts(feed, fresh, ex, event_id, now)
        elif ex.prison_news and not quiet:
            report.alerts_queued += self._prison_notes(feed, fresh, ex, now)
        return fresh.id, ex, event_id

    def _watch_alerts(self, feed: FeedRow, fresh: Fresh, ex: Extraction, event_id: int | None,
                      now: datetime) -> int:
        """Private alerts for families whose watched name the item reports among those released."""
        assert self.vault is not None
        item = fresh.item
        text = normalize(f"{item.title}\n{item.summary}")
        n = 0
        for w in self.store.watches():
            try:
                watched = self.vault.decrypt(w["name_enc"])
            except VaultError:
                log.warning("a watch cannot be read with the current key", extra={"row": w["id"]})
                continue
            hit = watch.find(watched, list(ex.names))
            if hit is None:
                continue
            name, m = hit
            sentence = next((text[a:b].strip() for a, b in sentences(text) if name in text[a:b]), name)
            data = {"name": name, "watched": watched, "exact": m.exact, "sentence": sentence[:600],
                    "outlet": feed.name, "link": item.link, "title": item.title[:300]}
            # one alert per watch and release event, however many outlets retell it; the row names
            # neither in clear (see Store.enqueue_watch)
            mark, *old_marks = self.vault.marks(f"{w['subscriber_id']}|{w['id']}|{event_id or fresh.id}")
            n += self.store.enqueue_watch(w["subscriber_id"], mark, {"enc": self.vault.encrypt(
                json.dumps(data, ensure_ascii=False))}, now, known=old_marks)
        return n

    def _prison_notes(self, feed: FeedRow, fresh: Fresh, ex: Extraction, now: datetime) -> int:
        """Quiet notes (transfers, visit restrictions) for chats that follow one of the prisons."""
        item = fresh.item
        n = 0
        for sub in self.store.active_subscribers():
            if sub.notes and sub.prison and sub.prison in ex.prisons:
                payload = {"kind": ex.prison_news, "prison": sub.prison, "title": item.title[:300],
                           "outlet": feed.name, "link": item.link}
                n += self.store.enqueue(sub.id, f"note:{fresh.id}", "note", payload, now)
        return n


def _copy(report: CycleReport) -> CycleReport:
    """A copy to roll the report back to: its fields are counts and lists of immutable rows."""
    lists: dict[str, Any] = {f.name: list(v) for f in fields(report) if isinstance(v := getattr(report, f.name), list)}
    return replace(report, **lists)


def _machine_trouble(exc: BaseException) -> bool:
    """Is this the machine failing (no file descriptors, no memory, an I/O error) rather than the
    item's content? Such an item is retried, never skipped for good."""
    return isinstance(exc, OSError | MemoryError)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else type(exc).__name__


def _store_trouble(exc: BaseException) -> bool:
    """Is this the database failing (disk full, locked, damaged) rather than one item's content?"""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError
