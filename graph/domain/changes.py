"""What one write changes, and its audit record: value objects that every store takes.

A `ChangeSet` is computed and validated in full before a store sees it; the store writes it
all or nothing, with its `ChangesetRecord` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field

from graph.domain import clock
from graph.domain.model import Entity, Kind, Link, Rel


@dataclass(frozen=True, slots=True)
class LinkClose:
    """Close the open interval of `child` in `rel` at `valid_to` (exclusive)."""

    rel: Rel
    child: str
    valid_to: dt.date


#: The details of a change event that name an entity, with its kind (graph/services/events):
#: what decides which changesets a principal below the top unit sees (api/types/changeset.py).
ENTITY_DETAILS: dict[str, Kind] = {
    "area": Kind.TRANSFORMER,
    "transformer": Kind.TRANSFORMER,
    "from_area": Kind.TRANSFORMER,
    "to_area": Kind.TRANSFORMER,
    "from_feeder": Kind.FEEDER,
    "to_feeder": Kind.FEEDER,
    "meter": Kind.METER,
    "old_meter": Kind.METER,
    "new_meter": Kind.METER,
}


@dataclass(frozen=True)
class ChangesetRecord:
    """The audit record of one write: who, when, from which source, what it counted.

    `graph_version` is the version the write produced (every write adds one); the intervals it
    opened and closed carry its `id`.
    """

    id: str
    source: str  # "load", a reconciliation source ("equipment", ...) or an event kind
    actor: str
    created_at: dt.datetime  # UTC
    effective: dt.date | None
    counts: dict[str, int]
    note: str = ""
    graph_version: int = 0
    # What a change event said beyond its counts: the meter and area codes, before and after
    # values, register readings of a replaced meter ("final_register_kwh": "12345.6").
    details: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "source": self.source,
                "actor": self.actor,
                "created_at": self.created_at.isoformat(),
                "effective": self.effective.isoformat() if self.effective else None,
                "counts": self.counts,
                "note": self.note,
                "graph_version": self.graph_version,
                "details": self.details,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ChangesetRecord:
        raw = json.loads(text)
        return cls(
            id=raw["id"],
            source=raw["source"],
            actor=raw["actor"],
            created_at=dt.datetime.fromisoformat(raw["created_at"]),
            effective=dt.date.fromisoformat(raw["effective"]) if raw["effective"] else None,
            counts={k: int(v) for k, v in raw["counts"].items()},
            note=raw.get("note", ""),
            graph_version=int(raw.get("graph_version", 0)),
            details={str(k): str(v) for k, v in raw.get("details", {}).items()},
        )


def new_changeset_id(at: dt.datetime) -> str:
    """Sortable by time, unique by a random suffix: 20261128T184501-3f9a2c."""
    return f"{at:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def keyed_changeset_id(actor: str, key: str) -> str:
    """The id of the changeset a writer's idempotency key names: the same writer and key give
    the same id, so a retried write finds the first one (and the store's unique id refuses a
    second): k-<24 hex digits>."""
    digest = hashlib.sha256(f"{actor}\x00{key}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"k-{digest[:24]}"


def request_fingerprint(kind: str, fields: dict[str, object]) -> str:
    """What a change event asked for, as a short digest: a key sent again with another request
    is the caller's mistake, not a retry."""
    text = json.dumps([kind, fields], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass
class ChangeSet:
    """Everything one write applies, computed and validated before any of it is written."""

    created: dict[Kind, list[Entity]] = field(default_factory=dict)
    # New values of stored entities, valid from `updated_on`: the values before close there
    # (on the day their interval began they are replaced: an interval of no day is none).
    updated: dict[Kind, list[Entity]] = field(default_factory=dict)
    closed: list[LinkClose] = field(default_factory=list)
    opened: list[Link] = field(default_factory=list)
    record: ChangesetRecord | None = None  # written with the changes, in the same transaction
    updated_on: dt.date | None = None  # None: the day of the write
    # Entities that end (an area retired, its gate meters): their values close on `ended_on`
    # and they do not exist from then (the store marks them with attrs_from = FOREVER).
    ended: dict[Kind, list[str]] = field(default_factory=dict)
    ended_on: dt.date | None = None
    created_on: dt.date | None = None  # the created entities' values hold from; None: BEGINNING

    def update_day(self) -> dt.date:
        return self.updated_on or clock.today()

    def is_empty(self) -> bool:
        return self.row_count() == 0

    def row_count(self) -> int:
        return (
            sum(len(v) for v in self.created.values())
            + sum(len(v) for v in self.updated.values())
            + len(self.closed)
            + len(self.opened)
            + sum(len(v) for v in self.ended.values())
        )

    def end_day(self) -> dt.date:
        return self.ended_on or clock.today()


def new_record(
    source: str,
    actor: str,
    effective: dt.date | None,
    counts: dict[str, int],
    note: str = "",
    details: dict[str, str] | None = None,
) -> ChangesetRecord:
    """The audit record of a write made now (UTC, whole seconds), with a new id; the store
    stamps its graph version when it writes it."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return ChangesetRecord(
        id=new_changeset_id(now),
        source=source,
        actor=actor,
        created_at=now,
        effective=effective,
        counts=counts,
        note=note,
        details=details or {},
    )
