"""From what a changeset stamped to the changes a follower reads: each case by hand."""

from __future__ import annotations

import datetime as dt

from graph.domain.model import BEGINNING, FOREVER, Kind, Link, Rel
from graph.domain.stamped import Change, ChangeKind, Stamped, StampedValues, changes_of

JUNE = dt.date(2026, 6, 1)


def test_each_kind_of_change() -> None:
    stamped = Stamped(
        opened=[
            Link(Rel.HAS_METER, "T2", "M2", JUNE),  # with its close below: a move
            Link(Rel.HAS_METER, "T1", "M9", BEGINNING),  # a new meter's first link
        ],
        closed=[
            Link(Rel.HAS_METER, "T1", "M2", BEGINNING, JUNE),
            Link(Rel.SUPPLIES, "F1", "T3", BEGINNING, JUNE),  # closed, none opened
        ],
        values_opened=[
            StampedValues(Kind.METER, "M9", {"role": "customer"}, BEGINNING),
            StampedValues(Kind.TRANSFORMER, "T2", {"capacity_kva": 630, "name": "a"}, JUNE),
            StampedValues(Kind.TRANSFORMER, "T3", {"capacity_kva": 200}, FOREVER),  # retired
        ],
        values_closed=[
            StampedValues(Kind.TRANSFORMER, "T2", {"capacity_kva": 315, "name": "a"}),
            StampedValues(Kind.TRANSFORMER, "T3", {"capacity_kva": 200}),
        ],
    )
    assert changes_of(stamped) == [
        Change(Kind.METER, "M2", ChangeKind.MOVED, Rel.HAS_METER, "T1", "T2", JUNE),
        Change(Kind.METER, "M9", ChangeKind.CREATED, after='{"role": "customer"}'),
        Change(Kind.METER, "M9", ChangeKind.LINKED, Rel.HAS_METER, None, "T1", None),
        Change(
            Kind.TRANSFORMER,
            "T2",
            ChangeKind.UPDATED,
            before='{"capacity_kva": 315}',
            after='{"capacity_kva": 630}',
            effective=JUNE,
        ),
        Change(Kind.TRANSFORMER, "T3", ChangeKind.ENDED, before='{"capacity_kva": 200}'),
        Change(Kind.TRANSFORMER, "T3", ChangeKind.UNLINKED, Rel.SUPPLIES, "F1", None, JUNE),
    ]
    assert stamped.size() == 9
