"""Items: what feeds sent, deduplicated per feed and by text, what the matcher read in each, and the
entries that could not be processed. Storage only; the matcher and the pipeline decide."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..items import Item
from ..matcher import Extraction
from .base import StoreBase, iso


@dataclass(frozen=True)
class Fresh:
    """An item add_items took in: new, or an entry already seen whose text changed (revised).
    id is its row in items (rows stored before schema 5 keep their older, unscoped id);
    observation is the id its figures are filed under: the item id, plus the text's revision."""

    item: Item
    id: str
    observation: str
    revised: bool = False


class ItemsMixin(StoreBase):
    # -- items ------------------------------------------------------------------------------
    def add_items(self, items: Iterable[Item], now: datetime) -> list[Fresh]:
        """Store what is new among items (of any feeds), in order: an entry its feed never sent, or
        one whose text changed since it was read (revised). An entry is known by its key within
        its feed; a text already stored from any feed (a wire story, a re-GUIDed repost) is the
        same story and not taken again; an entry that failed before is skipped.

        One query per chunk finds what is known and one statement writes the rest (most of a
        feed's items are known on every poll after the first); the write lock that BEGIN
        IMMEDIATE takes first makes the check exact."""
        items = list(items)
        fresh: list[Fresh] = []
        counts: dict[int, int] = {}
        stamp = iso(now)
        with self.transaction():
            for start in range(0, len(items), 400):
                chunk = items[start:start + 400]
                hashes = [it.content_hash for it in chunk]
                keys = [(it.feed_id, it.key) for it in chunk]
                pairs = " OR ".join("(feed_id=? AND key=?)" for _ in chunk)
                flat = [v for pair in keys for v in pair]
                seen = {(r[0], r[1]): (r[2], r[3], r[4]) for r in self.db.execute(
                    f"SELECT feed_id, key, id, content_hash, text_rev FROM items WHERE {pairs}", flat)}
                failed = set(self.db.execute(f"SELECT feed_id, key FROM item_failures WHERE {pairs}", flat).fetchall())
                marks = ",".join("?" * len(chunk))
                texts = {r[0] for r in self.db.execute(f"SELECT content_hash FROM items WHERE content_hash IN ({marks})",
                                                       hashes)}
                rows = []
                for it, key, digest in zip(chunk, keys, hashes, strict=True):
                    if key in failed or digest in texts:
                        continue
                    texts.add(digest)  # the same story twice in one batch
                    known = seen.get(key)
                    if known is not None:  # its text changed: read it again as a new observation
                        stored_id, _old, rev = known
                        self.db.execute("UPDATE items SET title=?, summary=?, content_hash=?, text_rev=?, fetched=? "
                                        "WHERE id=?", [it.title, it.summary, digest, rev + 1, stamp, stored_id])
                        seen[key] = (stored_id, digest, rev + 1)
                        fresh.append(Fresh(it, stored_id, f"{stored_id}~{rev + 1}", revised=True))
                        continue
                    fresh.append(Fresh(it, it.id, it.id))
                    counts[it.feed_id] = counts.get(it.feed_id, 0) + 1
                    rows.append((it.id, it.feed_id, it.key, it.guid, it.link, it.title, it.summary, iso(it.published),
                                 it.lang, digest, stamp))
                self.db.conn.executemany(
                    "INSERT INTO items (id, feed_id, key, guid, link, title, summary, published, "
                    "lang, content_hash, fetched) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
            self.db.conn.executemany("UPDATE feeds SET items_seen=items_seen+? WHERE id=?",
                                     [(n, feed_id) for feed_id, n in counts.items()])
        return fresh

    def record_item_failure(self, item: Item, error: str, now: datetime) -> None:
        """An entry that could not be processed: skipped from now on, counted on its feed."""
        with self.transaction():
            cur = self.db.execute("INSERT OR IGNORE INTO item_failures (feed_id, key, error, seen) VALUES (?,?,?,?)",
                                  [item.feed_id, item.key, error[:300], iso(now)])
            if cur.rowcount:
                self.db.execute("UPDATE feeds SET items_failed=items_failed+1, last_item_error=? WHERE id=?",
                                [f"{iso(now)} {error}"[:300], item.feed_id])

    def item_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM items").fetchone()[0])

    def item_text(self, item_id: str) -> tuple[str, str, str | None, str] | None:
        """A stored item's title, summary, language and published date (as stored); None if it is gone."""
        row = self.db.execute("SELECT title, summary, lang, published FROM items WHERE id=?", [item_id]).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    # -- extractions, events, tallies ---------------------------------------------------------
    def record_extractions(self, rows: Iterable[tuple[str, Extraction, int | None]], now: datetime) -> None:
        """What the matcher read in each item (and the event it joined), one statement for all."""
        stamp = iso(now)
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO extractions (item_id, kind, released, announced, confirmed, "
            "cumulative, total, prisons, orgs, names, lang, confidence, announced_by, confirmed_by, "
            "total_by, evidence, event_id, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(item_id, ex.kind, ex.released, ex.announced, ex.confirmed, ex.cumulative,
              ex.total_prisoners, _json_list(ex.prisons), _json_list(ex.orgs), _json_list(ex.names),
              ex.lang, ex.confidence, ex.announced_by, ex.confirmed_by, ex.total_by, ex.evidence,
              event_id, stamp) for item_id, ex, event_id in rows],
        )

    def item_outlets(self, event_id: int) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT DISTINCT f.name AS outlet, i.link, i.title, i.published FROM extractions x "
            "JOIN items i ON i.id = x.item_id JOIN feeds f ON f.id = i.feed_id "
            "WHERE x.event_id=? ORDER BY i.published",
            [event_id],
        )


def _json_list(values: tuple[str, ...]) -> str:
    return json.dumps(values) if values else "[]"  # most items name no prison, NGO or person
