"""The one figure type, from the matcher to the page: a number in its role, who said it, whether
the text binds it (sure) and the sentence it came from; once an item carries it into a round, also
where it came from (outlet, item, link, date). One JSON codec for snapshots, the API and exports.

Pure data; never touches the network, the database or a chat.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter


class Role(StrEnum):
    """What a figure counts: releases an official body announced, releases a verifier confirmed,
    political prisoners still held (a tally)."""

    ANNOUNCED = "announced"
    CONFIRMED = "confirmed"
    TOTAL = "total"


class Kind(StrEnum):
    """Who says a figure: an official body announces, an independent verifier (an NGO, relatives,
    lawyers, a foreign government about its nationals) confirms, the outlet counts for itself."""

    OFFICIAL = "official"
    INDEPENDENT = "independent"
    OUTLET = "outlet"


@dataclass(frozen=True)
class Figure:
    """One number of an item in its role, with who said it; in a round, with its source too."""

    role: Role
    value: int
    by: str | None  # "Foro Penal", "Fiscalía (Tarek William Saab)", "relatives"; None: the outlet itself
    by_kind: Kind = Kind.OUTLET
    cumulative: bool = False  # a running total over a campaign ("444 since 8 January")
    since: str | None = None  # its start, "YYYY-MM-DD", when the item gives it
    disputed: bool = False  # an official figure a verifier disputes or doubts
    sure: bool = False  # the text binds it to a release and its speaker (bot/matcher/binding/)
    quote: str = ""  # the item's own sentence it came from
    period: str | None = None  # the days the item tells releases for, "YYYY-MM-DD/YYYY-MM-DD" ("del 10 al 12 de diciembre")
    # where it came from, once an item carries it into a round (empty in the matcher's output)
    outlet: str = ""
    item_id: str = ""
    link: str = ""
    published: datetime | None = None

    @property
    def speaker(self) -> str:
        """Who to name beside it: its speaker, else the outlet that gave it."""
        return self.by or self.outlet

    # older name of `by` (the round's figures called it org): the same field
    @property
    def org(self) -> str | None:
        return self.by

    def sourced(self, outlet: str, item_id: str, link: str, published: datetime) -> Figure:
        """The same figure as an item carried it into a round."""
        return replace(self, outlet=outlet, item_id=item_id, link=link, published=published)

    def to_json(self) -> dict[str, Any]:
        """The matcher's contract (`match --jsonl`): what the text says, not where it came from."""
        return {"role": str(self.role), "value": self.value, "by": self.by, "by_kind": str(self.by_kind),
                "cumulative": self.cumulative, "since": self.since, "disputed": self.disputed,
                "sure": self.sure, "quote": self.quote}

    def to_record(self) -> dict[str, Any]:
        """Every field, JSON-ready (snapshots, the API, exports)."""
        return _CODEC.dump_python(self, mode="json")

    @staticmethod
    def from_record(data: dict[str, Any]) -> Figure:
        """A figure from its record, or from a snapshot written before this type (org, not by;
        no sure: a figure families were shown was taken as sure)."""
        data = dict(data)
        if "org" in data and "by" not in data:
            data["by"] = data.pop("org")
        data.pop("org", None)
        for key in ("outlet", "item_id", "link", "quote"):
            if data.get(key) is None:
                data[key] = ""  # a snapshot written before a field existed, or without it
        data.setdefault("sure", True)
        data.setdefault("by_kind", Kind.OFFICIAL if data.get("role") == Role.ANNOUNCED else (
            Kind.INDEPENDENT if data.get("by") else Kind.OUTLET))
        return _CODEC.validate_python(data)


_CODEC: TypeAdapter[Figure] = TypeAdapter(Figure)
