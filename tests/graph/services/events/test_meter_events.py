"""meterMove and meterReplace as domain rules, on both stores: what each checks, the one change
set it makes, and how it is written (on the version its checks saw, or not at all)."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.domain.changes import LinkClose
from graph.domain.errors import EventRejected
from graph.domain.model import FOREVER, Kind, Link, Rel
from graph.services.events.areas import area_move, area_retire
from graph.services.events.base import write_event
from graph.services.events.meters import meter_move, meter_replace
from graph.stores.contract import Store
from tests.graph.services.events.conftest import problems

JULY, JUNE = dt.date(2026, 7, 1), dt.date(2026, 6, 1)


def test_a_move_closes_one_interval_and_opens_the_next(net: Store) -> None:
    version = net.version()
    event = meter_move(net, "M2", "T2", JULY, "李工")
    assert event.version == version
    assert event.changes.closed == [LinkClose(Rel.HAS_METER, "M2", JULY)]
    assert event.changes.opened == [Link(Rel.HAS_METER, "T2", "M2", JULY, FOREVER)]
    record = write_event(net, event, None)
    assert (record.source, record.actor, record.effective) == ("meterMove", "李工", JULY)
    assert record.details == {"meter": "M2", "from_area": "T1", "to_area": "T2"}
    assert record.graph_version == version + 1
    before, after = net.links_of(Rel.HAS_METER, "M2")
    assert (before.parent, before.valid_to, before.closed_by) == ("T1", JULY, record.id)
    assert (after.parent, after.valid_from, after.valid_to, after.opened_by) == (
        "T2",
        JULY,
        FOREVER,
        record.id,
    )


def test_every_problem_of_a_move_is_named_by_its_field(net: Store) -> None:
    with pytest.raises(EventRejected) as unknown:
        meter_move(net, "M404", "T404", JULY, "t")
    assert problems(unknown) == [
        ("meter", 'unknown Meter "M404"'),
        ("toArea", 'unknown Transformer "T404"'),
    ]
    with pytest.raises(EventRejected) as gate:
        meter_move(net, "G1", "T2", JULY, "t")
    assert problems(gate) == [("meter", "G1 is a gate meter: gate meters stay with their area")]
    with pytest.raises(EventRejected) as same:
        meter_move(net, "M2", "T1", JULY, "t")
    assert problems(same) == [("toArea", "M2 is in T1 already")]
    with pytest.raises(EventRejected) as empty:
        meter_move(net, " ", "T1", JULY, "t")
    assert problems(empty) == [("meter", "meter is empty")]


def test_an_interval_cannot_end_on_or_before_its_start(net: Store) -> None:
    write_event(net, meter_move(net, "M2", "T2", JULY, "t"), None)
    for day in (JULY, JUNE):
        with pytest.raises(EventRejected) as early:
            meter_move(net, "M2", "T1", day, "t")
        assert problems(early) == [
            (
                "effective",
                "M2 is under T2 (HAS_METER) since 2026-07-01: the change must take effect "
                "after that",
            )
        ]


def test_a_target_must_be_in_service_on_the_effective_date(net: Store) -> None:
    write_event(net, area_move(net, "T3", "F1", JULY, "t"), None)
    with pytest.raises(EventRejected) as june:
        meter_move(net, "M2", "T3", JUNE, "t")
    assert problems(june) == [("effective", "area T3 is in service only from 2026-07-01")]
    write_event(net, area_retire(net, "T3", dt.date(2026, 8, 1), "t"), None)
    with pytest.raises(EventRejected) as retired:
        meter_move(net, "M2", "T3", dt.date(2026, 9, 1), "t")
    assert problems(retired) == [("toArea", "area T3 is retired (no SUPPLIES)")]


def test_a_write_after_the_checks_makes_the_event_stale(net: Store) -> None:
    event = meter_move(net, "M2", "T2", JULY, "t")
    write_event(net, meter_move(net, "M3", "T1", JULY, "t"), None)
    version = net.version()
    with pytest.raises(EventRejected) as stale:
        write_event(net, event, None)
    assert problems(stale) == [
        (None, "the network changed while this change was checked: send it again")
    ]
    assert net.version() == version
    assert net.open_links(Rel.HAS_METER, ["M2"])["M2"].parent == "T1"


def test_a_replaced_meter_hands_its_place_to_the_new_one(net: Store) -> None:
    day = dt.date(2026, 11, 10)
    event = meter_replace(net, "M1", "M1-2026", 12345.6, 0, day, "t", multiplier=2)
    (created,) = event.changes.created[Kind.METER]
    assert (created.code, created.get("role"), created.get("phase")) == ("M1-2026", "customer", "A")
    assert created.get("multiplier") == 2
    after_the_swap_day = day + dt.timedelta(days=1)  # both meters count on the day itself
    assert sorted((c.rel, c.child, c.valid_to) for c in event.changes.closed) == [
        (Rel.HAS_METER, "M1", after_the_swap_day),
        (Rel.USES_METER, "M1", after_the_swap_day),
    ]
    assert sorted((k.rel, k.parent, k.child, k.valid_from) for k in event.changes.opened) == [
        (Rel.HAS_METER, "T1", "M1-2026", day),
        (Rel.USES_METER, "U1", "M1-2026", day),
    ]
    record = write_event(net, event, None)
    assert record.details["final_register_kwh"] == "12345.6"
    assert net.open_links(Rel.HAS_METER, ["M1", "M1-2026"]).keys() == {"M1-2026"}
    with pytest.raises(EventRejected) as again:
        meter_replace(net, "M404", "M1-2026", -1, 0, day, "t", multiplier=0)
    assert problems(again) == [
        ("oldMeter", 'unknown Meter "M404"'),
        ("newMeter", 'Meter "M1-2026" already exists'),
        ("finalRegisterKwh", "finalRegisterKwh must be between 0 and 1e+12 kWh, got -1"),
        ("multiplier", "multiplier must be between 1 and 100000 , got 0"),
    ]
    with pytest.raises(EventRejected) as spaces:
        meter_replace(net, "M2", "M 2", 1, 0, day, "t")
    assert problems(spaces) == [("newMeter", "newMeter must be 1-64 characters without spaces")]


@pytest.mark.parametrize("day", [dt.date(9999, 12, 31), dt.date(2100, 1, 1), dt.date(1, 1, 2)])
def test_an_effective_date_out_of_bounds_is_refused(net: Store, day: dt.date) -> None:
    """9999-12-31 is the open-interval sentinel: a move on it left two intervals that both
    held 'now' and a meter that could never move again."""
    version = net.version()
    with pytest.raises(EventRejected) as far:
        meter_move(net, "M2", "T2", day, "t")
    ((field, message),) = [p for p in problems(far) if p[0] == "effective"]
    assert field == "effective" and message.startswith(f"effective date {day} is ")
    assert net.version() == version


@pytest.mark.parametrize("code", ["M\x001", "M\x011", "M1\u202e99", "\ufeffM1", 'M"1'])
def test_a_new_meter_code_refuses_control_bidi_and_quote_characters(net: Store, code: str) -> None:
    with pytest.raises(EventRejected) as bad:
        meter_replace(net, "M1", code, 1, 0, JULY, "t")
    ((field, message),) = problems(bad)
    assert field == "newMeter"
    assert message.startswith("newMeter has a control, invisible or quote character (U+")
