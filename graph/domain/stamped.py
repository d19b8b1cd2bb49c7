"""What one changeset changed, entity by entity: from the intervals and values it opened and
closed (every write stamps them with its id) to the rows a system following the changes reads
(`Changeset.changes`): an entity created, updated or ended; a link opened, closed, or both for
the same child (a move)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum

from graph.domain.model import BEGINNING, FOREVER, REL_SPECS, Kind, Link, Rel


class ChangeKind(StrEnum):
    CREATED = "CREATED"  # an entity with its first values
    UPDATED = "UPDATED"  # new values from a day, the ones before kept for earlier days
    ENDED = "ENDED"  # an entity that exists no more (an area retired)
    LINKED = "LINKED"  # a relationship opened for a child that had none in it
    MOVED = "MOVED"  # a child's relationship closed on one parent and opened on another
    UNLINKED = "UNLINKED"  # a relationship closed and none opened


@dataclass(frozen=True)
class StampedValues:
    """An entity's values a changeset set (`after`, from `valid_from`) or closed (`before`)."""

    kind: Kind
    code: str
    attrs: dict[str, object]
    valid_from: dt.date | None = None  # set: values opened by it; None: values it closed


@dataclass
class Stamped:
    """Everything a changeset opened and closed, as the store keeps it."""

    opened: list[Link] = field(default_factory=list)
    closed: list[Link] = field(default_factory=list)
    values_opened: list[StampedValues] = field(default_factory=list)
    values_closed: list[StampedValues] = field(default_factory=list)

    def size(self) -> int:
        return (
            len(self.opened) + len(self.closed) + len(self.values_opened) + len(self.values_closed)
        )


@dataclass(frozen=True)
class Change:
    kind: Kind  # of the entity changed (a relationship's child)
    code: str
    change: ChangeKind
    relationship: Rel | None = None  # None: its values changed
    before: str | None = None  # the parent before, or the values that changed, as JSON
    after: str | None = None
    effective: dt.date | None = None  # the day it holds from; None: from the beginning

    def order(self) -> tuple[str, str, str]:
        return (self.kind.value, self.code, self.relationship.value if self.relationship else "")


def changes_of(stamped: Stamped) -> list[Change]:
    """The changes, ordered by kind, code and relationship."""
    found = _value_changes(stamped) + _link_changes(stamped)
    return sorted(found, key=Change.order)


def _value_changes(stamped: Stamped) -> list[Change]:
    closed = {(v.kind, v.code): v for v in stamped.values_closed}
    found = []
    for v in stamped.values_opened:
        before = closed.pop((v.kind, v.code), None)
        if before is None:
            found.append(
                Change(v.kind, v.code, ChangeKind.CREATED, after=_json(v.attrs), effective=_day(v))
            )
        elif v.valid_from == FOREVER:
            found.append(Change(v.kind, v.code, ChangeKind.ENDED, before=_json(before.attrs)))
        else:
            keys = sorted(
                k for k in {*before.attrs, *v.attrs} if before.attrs.get(k) != v.attrs.get(k)
            )
            found.append(
                Change(
                    v.kind,
                    v.code,
                    ChangeKind.UPDATED,
                    before=_json({k: before.attrs.get(k) for k in keys}),
                    after=_json({k: v.attrs.get(k) for k in keys}),
                    effective=_day(v),
                )
            )
    return found


def _link_changes(stamped: Stamped) -> list[Change]:
    closed = {(lk.rel, lk.child): lk for lk in stamped.closed}
    found = []
    for lk in stamped.opened:
        kind = REL_SPECS[lk.rel].child
        before = closed.pop((lk.rel, lk.child), None)
        effective = None if lk.valid_from <= BEGINNING else lk.valid_from
        if before is None:
            found.append(
                Change(kind, lk.child, ChangeKind.LINKED, lk.rel, None, lk.parent, effective)
            )
        else:
            found.append(
                Change(
                    kind, lk.child, ChangeKind.MOVED, lk.rel, before.parent, lk.parent, effective
                )
            )
    for lk in closed.values():
        kind = REL_SPECS[lk.rel].child
        found.append(
            Change(kind, lk.child, ChangeKind.UNLINKED, lk.rel, lk.parent, None, lk.valid_to)
        )
    return found


def _day(values: StampedValues) -> dt.date | None:
    day = values.valid_from
    return None if day is None or day <= BEGINNING else day


def _json(attrs: dict[str, object]) -> str:
    return json.dumps(attrs, ensure_ascii=False, sort_keys=True, default=str)
