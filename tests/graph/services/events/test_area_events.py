"""transformerReplace, areaMove and areaRetire as domain rules, on both stores."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.domain.changes import LinkClose
from graph.domain.errors import EventRejected
from graph.domain.model import FOREVER, Kind, Link, Rel
from graph.services.events.areas import area_move, area_retire, transformer_replace
from graph.services.events.base import write_event
from graph.stores.contract import Store
from tests.graph.services.events.conftest import problems

JULY = dt.date(2026, 7, 1)


def test_a_new_transformer_changes_the_capacity_and_keeps_the_old_in_the_record(
    net: Store,
) -> None:
    event = transformer_replace(net, "T1", 630, JULY, "t")
    (updated,) = event.changes.updated[Kind.TRANSFORMER]
    assert (updated.code, updated.get("capacity_kva"), updated.get("name")) == (
        "T1",
        630,
        "幸福村1号台区",
    )
    record = write_event(net, event, None)
    assert record.details == {
        "transformer": "T1",
        "capacity_kva_before": "400",
        "capacity_kva_after": "630",
    }
    assert net.entities(Kind.TRANSFORMER, ["T1"])["T1"].get("capacity_kva") == 630
    with pytest.raises(EventRejected) as same:
        transformer_replace(net, "T1", 630, JULY, "t")
    assert problems(same) == [("capacityKva", "T1 has 630 kVA already")]
    with pytest.raises(EventRejected) as nan:
        transformer_replace(net, "T1", float("nan"), JULY, "t")
    assert problems(nan) == [
        ("capacityKva", "capacityKva must be between 1 and 100000 kVA, got nan")
    ]


def test_an_area_moves_to_another_feeder_with_its_meters(net: Store) -> None:
    event = area_move(net, "T3", "F1", JULY, "t")
    assert event.changes.closed == [LinkClose(Rel.SUPPLIES, "T3", JULY)]
    assert event.changes.opened == [Link(Rel.SUPPLIES, "F1", "T3", JULY, FOREVER)]
    write_event(net, event, None)
    assert net.neighbors(Rel.SUPPLIES, ["F1"], JULY, "down")["F1"][-1].code == "T3"
    assert [e.code for e in net.neighbors(Rel.HAS_METER, ["T3"], JULY, "down")["T3"]] == ["G3"]
    with pytest.raises(EventRejected) as again:
        area_move(net, "T3", "F1", dt.date(2026, 8, 1), "t")
    assert problems(again) == [("toFeeder", "T3 is supplied by F1 already")]
    with pytest.raises(EventRejected) as unknown:
        area_move(net, "T404", "F404", JULY, "t")
    assert problems(unknown) == [
        ("area", 'unknown Transformer "T404"'),
        ("toFeeder", 'unknown Feeder "F404"'),
    ]


def test_a_retired_area_ends_its_feeder_unit_and_gate_meter_intervals(net: Store) -> None:
    with pytest.raises(EventRejected) as occupied:
        area_retire(net, "T1", JULY, "t")
    ((field, message),) = problems(occupied)
    assert field == "area" and message.startswith("T1 still has 3 customer/pv meter(s)")
    event = area_retire(net, "T3", JULY, "t")
    assert sorted((c.rel, c.child, c.valid_to) for c in event.changes.closed) == [
        (Rel.HAS_METER, "G3", JULY),
        (Rel.TRANSFORMER_OWNER, "T3", JULY),
        (Rel.SUPPLIES, "T3", JULY),
    ]
    assert event.changes.opened == []
    record = write_event(net, event, None)
    assert record.details == {"area": "T3", "gate_meters": "G3"}
    assert net.open_links(Rel.SUPPLIES, ["T3"]) == {}
    with pytest.raises(EventRejected) as retired:
        area_retire(net, "T3", dt.date(2026, 8, 1), "t")
    assert problems(retired) == [("area", "area T3 is retired (no SUPPLIES)")]
