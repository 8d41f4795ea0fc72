"""The schema: numbered migrations, each run once in order at start-up (PRAGMA user_version).
A migration changes tables and never loses rows; each is tested on a file of the version before."""

from __future__ import annotations

import sqlite_utils

from ..redact import display_name

SCHEMA_VERSION = 11


def _migration_1(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL UNIQUE, lang TEXT,
            interval INTEGER, etag TEXT, last_modified TEXT, last_fetch TEXT, last_success TEXT,
            last_error TEXT, error_count INTEGER NOT NULL DEFAULT 0, next_attempt TEXT,
            items_seen INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1,
            source TEXT NOT NULL DEFAULT 'config', created TEXT NOT NULL
        );
        CREATE TABLE items (
            id TEXT PRIMARY KEY, feed_id INTEGER NOT NULL REFERENCES feeds(id), guid TEXT,
            link TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, published TEXT NOT NULL,
            lang TEXT, content_hash TEXT NOT NULL UNIQUE, fetched TEXT NOT NULL
        );
        CREATE INDEX items_published ON items(published);
        CREATE TABLE extractions (
            item_id TEXT PRIMARY KEY REFERENCES items(id), kind TEXT NOT NULL, released INTEGER,
            announced INTEGER, confirmed INTEGER, cumulative INTEGER, total INTEGER,
            prisons TEXT NOT NULL, orgs TEXT NOT NULL, names TEXT NOT NULL, lang TEXT NOT NULL,
            confidence REAL NOT NULL, announced_by TEXT, confirmed_by TEXT, total_by TEXT,
            evidence TEXT NOT NULL, event_id INTEGER, created TEXT NOT NULL
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY, announced INTEGER, confirmed INTEGER, prisons TEXT NOT NULL,
            names TEXT NOT NULL, first_published TEXT NOT NULL, last_published TEXT NOT NULL,
            revision INTEGER NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL
        );
        CREATE INDEX events_last ON events(last_published);
        CREATE TABLE event_figures (
            id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES events(id),
            role TEXT NOT NULL, value INTEGER NOT NULL, outlet TEXT NOT NULL, org TEXT,
            item_id TEXT NOT NULL, link TEXT NOT NULL, published TEXT NOT NULL,
            manual INTEGER NOT NULL DEFAULT 0, UNIQUE(event_id, item_id, role)
        );
        CREATE TABLE revisions (
            event_id INTEGER NOT NULL REFERENCES events(id), revision INTEGER NOT NULL,
            snapshot TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY(event_id, revision)
        );
        CREATE TABLE tallies (
            id INTEGER PRIMARY KEY, item_id TEXT NOT NULL UNIQUE, total INTEGER NOT NULL,
            org TEXT, outlet TEXT NOT NULL, link TEXT NOT NULL, published TEXT NOT NULL
        );
        CREATE TABLE subscribers (
            id INTEGER PRIMARY KEY, platform TEXT NOT NULL, chat_id TEXT NOT NULL,
            lang TEXT NOT NULL, filter TEXT NOT NULL DEFAULT 'all', prison TEXT,
            active INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL,
            UNIQUE(platform, chat_id)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
            key TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, reply_key TEXT,
            status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt TEXT NOT NULL, claimed_by TEXT, claimed_at TEXT, sent_at TEXT,
            message_ref TEXT, error TEXT, created TEXT NOT NULL,
            UNIQUE(subscriber_id, key)
        );
        CREATE INDEX outbox_pending ON outbox(status, next_attempt);
        CREATE INDEX outbox_subscriber ON outbox(subscriber_id, id);
        CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """Families watch names (stored encrypted) and may turn off low-priority prison notes."""
    db.executescript(
        """
        CREATE TABLE watches (
            id INTEGER PRIMARY KEY, subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
            name_enc TEXT NOT NULL, created TEXT NOT NULL
        );
        CREATE INDEX watches_subscriber ON watches(subscriber_id);
        ALTER TABLE subscribers ADD COLUMN notes INTEGER NOT NULL DEFAULT 1;
        -- gone: the chat blocked or removed the bot (active only says: subscribed to releases)
        ALTER TABLE subscribers ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;
        """
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    """Staff review: a revision is held, released or rejected, and who decided is recorded."""
    db.executescript(
        """
        ALTER TABLE revisions ADD COLUMN status TEXT NOT NULL DEFAULT 'released';
        ALTER TABLE revisions ADD COLUMN confidence REAL;
        ALTER TABLE revisions ADD COLUMN decided_by TEXT;
        ALTER TABLE revisions ADD COLUMN decided_at TEXT;
        ALTER TABLE revisions ADD COLUMN reason TEXT;
        ALTER TABLE revisions ADD COLUMN reminded_at TEXT;
        CREATE INDEX revisions_status ON revisions(status);
        """
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    """Candidate events are looked up by the numbers they share with an item: without an index
    every alert-bearing item scanned all figures ever recorded."""
    db.executescript("CREATE INDEX event_figures_value ON event_figures(value);")


def _migration_5(db: sqlite_utils.Database) -> None:
    """Items are deduplicated per feed (two outlets may use one GUID for different stories), an
    entry whose text changes is read again, and what could not be read is recorded per feed."""
    db.executescript(
        """
        -- the entry's key within its feed (GUID, else link, else text); before version 5 an
        -- item's id was exactly that key, not scoped by feed
        ALTER TABLE items ADD COLUMN key TEXT;
        UPDATE items SET key = id;
        CREATE UNIQUE INDEX items_feed_key ON items(feed_id, key);
        -- how many texts of this entry were read (an article updated in place: 20 -> 45 confirmed)
        ALTER TABLE items ADD COLUMN text_rev INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE feeds ADD COLUMN entries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN items_failed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN last_item_error TEXT;
        -- entries that failed to be processed: skipped from then on, shown to staff
        CREATE TABLE item_failures (
            feed_id INTEGER NOT NULL REFERENCES feeds(id), key TEXT NOT NULL, error TEXT NOT NULL,
            seen TEXT NOT NULL, PRIMARY KEY(feed_id, key)
        );
        -- private alerts about a watched name already delivered, as keyed digests only: no chat,
        -- no event, no time (the delivered outbox row itself is deleted, see finish_watch)
        CREATE TABLE watch_marks (mark TEXT PRIMARY KEY);
        """
    )
    # feeds added by staff before version 5 were named after their address, secrets included
    # ("user:pass@host"): name them by host alone
    for feed_id, name, url in db.execute("SELECT id, name, url FROM feeds WHERE source='staff'").fetchall():
        if "@" in name or "?" in name:
            db.execute("UPDATE feeds SET name=? WHERE id=?", [display_name(url), feed_id])


def _migration_6(db: sqlite_utils.Database) -> None:
    """Every figure has a speaker: who said it and of what kind (official, independent, the outlet),
    several verifiers' figures from one item, disputed official figures, and running counts over a
    campaign kept apart from the rounds."""
    db.executescript(
        """
        CREATE TABLE event_figures_v6 (
            id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES events(id),
            role TEXT NOT NULL, value INTEGER NOT NULL, outlet TEXT NOT NULL, org TEXT,
            item_id TEXT NOT NULL, link TEXT NOT NULL, published TEXT NOT NULL,
            manual INTEGER NOT NULL DEFAULT 0,
            by_kind TEXT NOT NULL DEFAULT 'outlet', disputed INTEGER NOT NULL DEFAULT 0,
            speaker TEXT NOT NULL DEFAULT '',  -- org, else outlet: one figure per speaker, role and item
            UNIQUE(event_id, item_id, role, speaker)
        );
        INSERT INTO event_figures_v6 (id, event_id, role, value, outlet, org, item_id, link, published, manual,
                                      by_kind, speaker)
            SELECT id, event_id, role, value, outlet, org, item_id, link, published, manual,
                   CASE WHEN role = 'announced' THEN 'official' WHEN org IS NOT NULL THEN 'independent'
                        ELSE 'outlet' END,
                   COALESCE(org, outlet)
            FROM event_figures;
        DROP TABLE event_figures;
        ALTER TABLE event_figures_v6 RENAME TO event_figures;
        CREATE INDEX event_figures_value ON event_figures(value);
        CREATE INDEX event_figures_event ON event_figures(event_id);
        ALTER TABLE events ADD COLUMN disputed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN disputed_by TEXT;
        ALTER TABLE events ADD COLUMN titles TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE running_counts (
            id INTEGER PRIMARY KEY, role TEXT NOT NULL, by TEXT NOT NULL, by_kind TEXT NOT NULL,
            value INTEGER NOT NULL, since TEXT, outlet TEXT NOT NULL, item_id TEXT NOT NULL,
            link TEXT NOT NULL, published TEXT NOT NULL, UNIQUE(item_id, role, by)
        );
        CREATE INDEX running_counts_by ON running_counts(by, published);
        """
    )


def _migration_7(db: sqlite_utils.Database) -> None:
    """Old news is never a new alert, and feeds that go quiet are noticed: a feed's first fetch is
    recorded (its items were history, taken in without alerts), and so are the date of its newest
    item, its usual gap between items and since when it is quiet. Per feed, a bridge on the
    operator's own machine may be on a private address, and its items may go to staff review."""
    db.executescript(
        """
        -- when the first successful fetch's items were taken in (NULL: not yet) and how many
        ALTER TABLE feeds ADD COLUMN first_fetch TEXT;
        ALTER TABLE feeds ADD COLUMN backfilled INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN last_item TEXT;  -- the newest item's own date
        ALTER TABLE feeds ADD COLUMN rhythm INTEGER;  -- usual seconds between items (median gap)
        ALTER TABLE feeds ADD COLUMN quiet_since TEXT;  -- staff were told it went quiet (NULL: it is not)
        ALTER TABLE feeds ADD COLUMN allow_private INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN review INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX items_feed_published ON items(feed_id, published);
        -- feeds fetched before version 7 had their first fetch then; their backlog alerted already
        UPDATE feeds SET first_fetch = last_success WHERE last_success IS NOT NULL;
        UPDATE feeds SET last_item = (SELECT max(published) FROM items WHERE items.feed_id = feeds.id);
        """
    )


def _migration_8(db: sqlite_utils.Database) -> None:
    """A figure counts in its round only once it is released: a figure whose revision waits for
    staff is held, one staff rejected or corrected stays on file for the record but never counts
    again (and is never published). Each figure remembers the revision it brought, if any."""
    db.executescript(
        """
        -- released | held (its revision waits for staff) | rejected | superseded | corrected
        ALTER TABLE event_figures ADD COLUMN status TEXT NOT NULL DEFAULT 'released';
        ALTER TABLE event_figures ADD COLUMN revision INTEGER;  -- the revision it brought (NULL: none)
        -- a revision held before version 8: the figures its item brought (its trigger's link) wait with it
        UPDATE event_figures SET status = 'held', revision = (
            SELECT r.revision FROM revisions r WHERE r.event_id = event_figures.event_id AND r.status = 'held'
              AND json_extract(r.snapshot, '$.trigger.link') = event_figures.link ORDER BY r.revision DESC LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM revisions r WHERE r.event_id = event_figures.event_id AND r.status = 'held'
                        AND json_extract(r.snapshot, '$.trigger.link') = event_figures.link);
        -- a revision staff rejected before version 8: its figures never count again
        UPDATE event_figures SET status = 'rejected', revision = (
            SELECT r.revision FROM revisions r WHERE r.event_id = event_figures.event_id AND r.status = 'rejected'
              AND json_extract(r.snapshot, '$.trigger.link') = event_figures.link ORDER BY r.revision DESC LIMIT 1)
        WHERE status = 'released' AND manual = 0 AND EXISTS (
            SELECT 1 FROM revisions r WHERE r.event_id = event_figures.event_id AND r.status = 'rejected'
              AND json_extract(r.snapshot, '$.trigger.link') = event_figures.link);
        CREATE INDEX event_figures_status ON event_figures(event_id, status);
        """
    )
    # what those rounds hold is what their released figures say (the official figure that stands is
    # the latest, the confirmed count the highest)
    touched = [r[0] for r in db.execute("SELECT DISTINCT event_id FROM event_figures WHERE status != 'released'")]
    for event_id in touched:
        official = db.execute("SELECT value FROM event_figures WHERE event_id=? AND status='released' AND "
                              "role='announced' ORDER BY published DESC, value DESC LIMIT 1", [event_id]).fetchone()
        confirmed = db.execute("SELECT max(value) FROM event_figures WHERE event_id=? AND status='released' AND "
                               "role='confirmed'", [event_id]).fetchone()
        db.execute("UPDATE events SET announced=?, confirmed=? WHERE id=?",
                   [official[0] if official else None, confirmed[0] if confirmed else None, event_id])


def _migration_9(db: sqlite_utils.Database) -> None:
    """Sure, or ask a person: each figure of a round says whether the text bound it to a release
    and its speaker, and the sentence it came from. Figures before version 9 reached families as
    they were: sure. Corrections staff make to a held item's figures are kept, in the label format
    of the matcher's test sets (`releasewatch corrections export`)."""
    db.executescript(
        """
        ALTER TABLE event_figures ADD COLUMN sure INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE event_figures ADD COLUMN quote TEXT NOT NULL DEFAULT '';
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY, item_id TEXT NOT NULL, event_id INTEGER, revision INTEGER,
            figure INTEGER NOT NULL,              -- its number on the review card (1, 2, ...)
            action TEXT NOT NULL,                 -- confirmed | fixed | not_a_release
            role TEXT, value INTEGER, by TEXT,    -- the reading staff gave (NULL: not a release)
            was TEXT NOT NULL,                    -- the figure as the matcher read it (JSON)
            title TEXT NOT NULL, summary TEXT NOT NULL, lang TEXT, published TEXT NOT NULL,
            who TEXT NOT NULL, created TEXT NOT NULL,
            UNIQUE(item_id, figure)
        );
        """
    )


def _migration_10(db: sqlite_utils.Database) -> None:
    """Push and polling by need: a feed may be a priority (polled every minute), and a feed whose hub
    pushes it (WebSub) has one subscription row: the hub, the topic, the callback's random id, the
    secret that signs what the hub pushes, the lease, and what the hub pushed or we dropped."""
    db.executescript(
        """
        ALTER TABLE feeds ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE websub (
            feed_id INTEGER PRIMARY KEY REFERENCES feeds(id),
            hub TEXT NOT NULL, topic TEXT NOT NULL,
            callback TEXT NOT NULL UNIQUE,  -- the last part of the callback URL: random, unguessable
            secret TEXT NOT NULL,  -- hub.secret: the key of the HMAC on every push
            -- new (hub found, not asked yet) | requested (asked, the hub has not verified) | active
            -- | failed (hub down or refused) | denied (the hub said no) | lapsed (lease ran out)
            -- | unsubscribing (feed removed) | gone (unsubscribed)
            state TEXT NOT NULL DEFAULT 'new',
            pending TEXT,  -- the mode of the request the hub has not verified yet
            requested TEXT,  -- when that request was made
            lease_seconds INTEGER, expires TEXT,  -- of the verified subscription
            failures INTEGER NOT NULL DEFAULT 0,  -- consecutive failed requests
            retry_at TEXT,  -- no request to the hub before this
            error TEXT,  -- the last failure, one sentence
            pushes INTEGER NOT NULL DEFAULT 0,  -- signed pushes taken in
            unsigned INTEGER NOT NULL DEFAULT 0,  -- pushes without a signature, dropped
            bad_signature INTEGER NOT NULL DEFAULT 0,  -- pushes whose signature did not match, dropped
            last_push TEXT, created TEXT NOT NULL
        );
        """
    )


def _migration_11(db: sqlite_utils.Database) -> None:
    """The days a round's figure is told for ("del 10 al 12 de diciembre"): a later count for the
    same days joins the same round whatever its numbers (events.py)."""
    db.execute("ALTER TABLE event_figures ADD COLUMN period TEXT")


MIGRATIONS = {1: _migration_1, 2: _migration_2, 3: _migration_3, 4: _migration_4, 5: _migration_5, 6: _migration_6,
              7: _migration_7, 8: _migration_8, 9: _migration_9, 10: _migration_10,
              11: _migration_11}
