"""Set-up for tests that expect alerts, now that old news never alerts (bot/freshness.py).

An alert in production comes from a feed the bot has already read at least once (its first fetch
only records the backlog) about an item dated within max_alert_age_hours. already_read() puts a
test's feeds in that situation; ago() and ago_iso() date its items relative to now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bot.store import Store, iso


def _when(days: float, hours: float, minutes: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days, hours=hours, minutes=minutes)


def ago(days: float = 0, hours: float = 0, minutes: float = 0) -> str:
    """An RSS pubDate (RFC 2822) this long before now."""
    return format_datetime(_when(days, hours, minutes), usegmt=True)


def ago_iso(days: float = 0, hours: float = 0, minutes: float = 0) -> str:
    """An Atom date (RFC 3339) this long before now."""
    return _when(days, hours, minutes).isoformat().replace("+00:00", "Z")


def already_read(store: Store) -> None:
    """Every feed of the store has had its first fetch (a day ago, with an empty backlog): what it
    publishes next is news, as when the bot has been running for a while."""
    store.db.execute("UPDATE feeds SET first_fetch=? WHERE first_fetch IS NULL",
                     [iso(datetime.now(UTC) - timedelta(days=1))])


def already_read_file(database: Path, feeds: object) -> None:
    """already_read for a database a subprocess will use (created here with the config's feeds)."""
    store = Store(database)
    try:
        store.sync_feeds(feeds)  # type: ignore[arg-type]
        already_read(store)
    finally:
        store.close()
