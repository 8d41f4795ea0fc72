"""Review: each event revision's status (released, held for staff, rejected, superseded) and who
decided. Storage only: bot.review holds the rules (first decision wins, reminders)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, cast

from .base import StoreBase, iso


class RevisionRow(TypedDict, total=False):
    """One revision of an event and its review: released, held for staff, rejected or superseded."""

    event_id: int
    revision: int
    status: str
    confidence: float | None
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    created: str
    reminded_at: str | None


class ReviewMixin(StoreBase):
    # -- outbox ----------------------------------------------------------------------------------
    # -- review -----------------------------------------------------------------------------------
    def revision(self, event_id: int, revision: int) -> RevisionRow | None:
        rows = self._rows("SELECT event_id, revision, status, confidence, decided_by, decided_at, reason, "
                          "created, reminded_at FROM revisions WHERE event_id=? AND revision=?", [event_id, revision])
        return cast("RevisionRow | None", rows[0] if rows else None)

    def revisions(self, event_id: int) -> list[RevisionRow]:
        return cast("list[RevisionRow]", self._rows(
            "SELECT event_id, revision, status, confidence, decided_by, decided_at, reason, created FROM revisions "
            "WHERE event_id=? ORDER BY revision", [event_id]))

    def decide(self, event_id: int, revision: int, status: str, who: str, reason: str | None,
               now: datetime) -> bool:
        """Release or reject a held revision. True for the first decision; later ones change nothing."""
        cur = self.db.execute(
            "UPDATE revisions SET status=?, decided_by=?, decided_at=?, reason=? "
            "WHERE event_id=? AND revision=? AND status='held'",
            [status, who[:100], iso(now), (reason or "")[:300] or None, event_id, revision],
        )
        return bool(cur.rowcount)

    def held(self, reminded_before: datetime | None = None) -> list[RevisionRow]:
        """Held revisions; with reminded_before, only those not announced to staff since then."""
        sql = "SELECT event_id, revision, confidence, created, reminded_at FROM revisions WHERE status='held'"
        params: list[Any] = []
        if reminded_before is not None:
            sql += " AND COALESCE(reminded_at, created) < ?"
            params.append(iso(reminded_before))
        return cast("list[RevisionRow]", self._rows(sql + " ORDER BY created", params))

    def mark_reminded(self, event_id: int, revision: int, now: datetime) -> None:
        self.db.execute("UPDATE revisions SET reminded_at=? WHERE event_id=? AND revision=?",
                        [iso(now), event_id, revision])

    # -- corrections staff make to a held item's figures (issue 22) --------------------------------
    def rewrite_snapshot(self, event_id: int, revision: int, snap: dict[str, Any]) -> None:
        """A held revision says what staff made of its figures (only while it is held)."""
        import json

        self.db.execute("UPDATE revisions SET snapshot=? WHERE event_id=? AND revision=? AND status='held'",
                        [json.dumps(snap), event_id, revision])

    def record_correction(self, row: dict[str, Any]) -> None:
        """One figure of an item as staff read it (the label format's row; see corrections())."""
        self.db.execute(
            "INSERT OR REPLACE INTO corrections (item_id, event_id, revision, figure, action, role, value, by, was, "
            "title, summary, lang, published, who, created) VALUES (:item_id, :event_id, :revision, :figure, "
            ":action, :role, :value, :by, :was, :title, :summary, :lang, :published, :who, :created)", row)

    def corrections(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM corrections ORDER BY item_id, figure")
