"""SQLite store: the single source of truth (sqlite-utils over one WAL-mode file), one module per
domain. Each state change that must survive a crash is written in one transaction before the
next step acts on it. Knows nothing of HTTP or chat platforms, nor of policy: who wants which
alert is bot.events', what an alert says is bot.alerts'.

Most reads and writes are plain SQL through sqlite-utils' `Database` (`execute`, `query`) rather
than its table helpers (`insert_all`, `upsert`): the hot paths need `executemany` in our own
BEGIN IMMEDIATE transactions and exact `INSERT OR IGNORE` / `ON CONFLICT` semantics that the
idempotent outbox and dedup rely on, and migrations are SQL scripts so that each is exactly what
runs on an old file. sqlite-utils still gives the connection wrapper and dict rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..clock import utcnow
from .base import EVENT_CACHE_SIZE, AlreadyRunning, StoreBase, iso, parse_iso
from .events import EventsMixin, TallyRow
from .feeds import FeedRow, FeedsMixin
from .items import Fresh, ItemsMixin
from .kv import KVMixin
from .outbox import OutboxMixin, OutboxRow
from .protocols import (
    CommandStore,
    DeliveryStore,
    HealthReads,
    LedgerSource,
    PipelineStore,
    Published,
    ReviewStore,
    StaffQueue,
    WebSubStore,
)
from .review import ReviewMixin, RevisionRow
from .schema import MIGRATIONS, SCHEMA_VERSION
from .subscribers import FORGET_TABLES, Subscriber, SubscribersMixin
from .watches import WatchesMixin, WatchRow
from .websub import WebSubMixin, WebSubRow

__all__ = [
    "EVENT_CACHE_SIZE", "FORGET_TABLES", "MIGRATIONS", "SCHEMA_VERSION", "AlreadyRunning", "FeedRow", "Fresh",
    "OutboxRow", "RevisionRow", "Store", "Subscriber", "TallyRow", "WatchRow", "WebSubRow", "iso", "parse_iso", "utcnow",
    # what each consumer uses of the store (bot/store/protocols.py)
    "CommandStore", "DeliveryStore", "HealthReads", "LedgerSource", "PipelineStore", "Published", "ReviewStore",
    "StaffQueue", "WebSubStore",
]


class Store(FeedsMixin, ItemsMixin, EventsMixin, SubscribersMixin, WatchesMixin, ReviewMixin, OutboxMixin, KVMixin,
            WebSubMixin, StoreBase):
    """All persistent state, one domain per mixin (see the modules of this package)."""


if TYPE_CHECKING:
    def _store_serves_every_consumer(store: Store) -> None:
        """Never called: mypy checks here that Store has all that each consumer's protocol asks."""
        published: Published = store
        ledger: LedgerSource = store
        health: HealthReads = store
        staff: StaffQueue = store
        review: ReviewStore = store
        commands: CommandStore = store
        pipeline: PipelineStore = store
        delivery: DeliveryStore = store
        websub: WebSubStore = store
        del published, ledger, health, staff, review, commands, pipeline, delivery, websub
