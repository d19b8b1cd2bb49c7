"""Meter events: move a customer's meter to another area (户变关系调整); replace a meter (换表)."""

from __future__ import annotations

import datetime as dt

from graph.domain.changes import ChangeSet, LinkClose
from graph.domain.dates import DEFAULT_BOUNDS, DateBounds
from graph.domain.model import FOREVER, Entity, Kind, Link, Rel, is_gate
from graph.services.events.base import (
    CheckedEvent,
    EventCheck,
    checked,
    event_record,
    move_event,
)
from graph.stores.contract import Store

MAX_REGISTER_KWH = 1e12  # a register has at most ~12 digits before the point


def _area_in_service(check: EventCheck, name: str, code: str) -> Entity | None:
    area = check.entity(name, Kind.TRANSFORMER, code)
    if area is not None:
        check.in_service(name, Rel.SUPPLIES, code, "area")
    return area


def meter_move(
    store: Store,
    meter: str,
    to_area: str,
    effective: dt.date,
    actor: str,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> CheckedEvent:
    """Close the meter's area interval on `effective` and open one under `to_area`. Customer
    and pv meters only: gate meters are the equipment system's and go with their area."""
    check = EventCheck(store, effective, bounds)
    found = check.entity("meter", Kind.METER, meter)
    target = _area_in_service(check, "toArea", to_area)
    now: Link | None = None
    if found is not None:
        if is_gate(found):
            check.problem("meter", f"{meter} is a gate meter: gate meters stay with their area")
        else:
            now = check.open_link("meter", Rel.HAS_METER, meter, f"{meter} is in no area")
    if now is not None and target is not None and now.parent == to_area:
        check.problem("toArea", f"{meter} is in {to_area} already")
    details = {"meter": meter, "from_area": now.parent if now else "", "to_area": to_area}
    return move_event(check, "meterMove", Rel.HAS_METER, meter, to_area, actor, details)


def meter_replace(
    store: Store,
    old_meter: str,
    new_meter: str,
    final_register_kwh: float,
    initial_register_kwh: float,
    effective: dt.date,
    actor: str,
    multiplier: float | None = None,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> CheckedEvent:
    """The new meter takes the old one's place from `effective`: same area and customer, same
    role and phase, its own multiplier when given. The old meter's intervals end after the day
    of the swap (its collection evidence on it); the registers are recorded."""
    check = EventCheck(store, effective, bounds)
    old = check.entity("oldMeter", Kind.METER, old_meter)
    check.new_code("newMeter", Kind.METER, new_meter)
    check.amount("finalRegisterKwh", final_register_kwh, 0, MAX_REGISTER_KWH, "kWh")
    check.amount("initialRegisterKwh", initial_register_kwh, 0, MAX_REGISTER_KWH, "kWh")
    if multiplier is not None:
        check.amount("multiplier", multiplier, 1, 100_000, "")
    links: dict[Rel, Link] = {}
    if old is not None:
        area = check.open_link("oldMeter", Rel.HAS_METER, old_meter, f"{old_meter} is in no area")
        if area is not None:
            links[Rel.HAS_METER] = area
        for rel in (Rel.USES_METER, Rel.READS):
            link = check.open_link("oldMeter", rel, old_meter, None)
            if link is not None:
                links[rel] = link
    attrs = dict(old.attrs) if old is not None else {}
    if multiplier is not None:
        attrs["multiplier"] = multiplier
    details = {
        "old_meter": old_meter,
        "new_meter": new_meter,
        "final_register_kwh": f"{final_register_kwh:g}",
        "initial_register_kwh": f"{initial_register_kwh:g}",
    }
    if Rel.HAS_METER in links:
        details["area"] = links[Rel.HAS_METER].parent
    record = event_record("meterReplace", actor, effective, {"added": 1, "removed": 1}, details)
    # Both meters were on the wall on the day of the swap, and each registered part of that
    # day: the old one stays in its area and with its customer through that day, so that its
    # reading of the day counts beside the new one's (each with its own multiplier). Its
    # evidence ends on the day: the concentrator reads the new one from then.
    swap_day_end = effective + dt.timedelta(days=1)
    changes = ChangeSet(
        created={Kind.METER: [Entity(Kind.METER, new_meter, attrs)]},
        closed=[
            LinkClose(rel, old_meter, effective if rel is Rel.READS else swap_day_end)
            for rel in links
        ],
        # The new meter is under the same area and customer; evidence waits for collection.
        opened=[
            Link(rel, link.parent, new_meter, effective, FOREVER)
            for rel, link in links.items()
            if rel is not Rel.READS
        ],
        record=record,
        created_on=effective,  # the new meter's values hold from the day it was installed
    )
    return checked(check, changes)
