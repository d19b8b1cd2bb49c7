"""Which change sets the series copy must follow (pure logic)."""

from __future__ import annotations

import datetime as dt

from graph.domain.changes import ChangeSet, LinkClose
from graph.domain.model import Entity, Kind, Link, Rel
from graph.series.writer import touches_loss

DAY = dt.date(2026, 11, 1)


def test_what_loss_reads_needs_a_sync() -> None:
    assert touches_loss(ChangeSet(opened=[Link(Rel.HAS_METER, "T1", "M1", DAY)]))
    assert touches_loss(ChangeSet(closed=[LinkClose(Rel.SUPPLIES, "T1", DAY)]))
    assert touches_loss(ChangeSet(created={Kind.METER: [Entity(Kind.METER, "M9", {})]}))
    assert touches_loss(ChangeSet(updated={Kind.METER: [Entity(Kind.METER, "M1", {})]}))
    # Technical loss reads an area's lines, capacity and supply radius.
    assert touches_loss(ChangeSet(opened=[Link(Rel.HAS_LINE, "T1", "L1", DAY)]))
    line = Entity(Kind.LV_LINE, "L1", {"from_node": "N0", "to_node": "N1"})
    assert touches_loss(ChangeSet(created={Kind.LV_LINE: [line]}))
    capacity = Entity(Kind.TRANSFORMER, "T1", {"capacity_kva": 630.0})
    assert touches_loss(ChangeSet(updated={Kind.TRANSFORMER: [capacity]}))


def test_what_loss_ignores_needs_none() -> None:
    assert not touches_loss(ChangeSet())
    evidence = ChangeSet(
        opened=[Link(Rel.READS, "T2", "M1", DAY, detail="J2")],
        closed=[LinkClose(Rel.READS, "M1", DAY)],
    )
    assert not touches_loss(evidence)
    customer = Entity(Kind.CUSTOMER, "U1", {"name": "张伟"})
    assert not touches_loss(ChangeSet(created={Kind.CUSTOMER: [customer]}))
    assert not touches_loss(ChangeSet(opened=[Link(Rel.USES_METER, "U1", "M1", DAY)]))
