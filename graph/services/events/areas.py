"""Area events: replace a transformer (换变/增容), move an area to another feeder (切改),
retire an area (撤销)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from graph.domain import clock
from graph.domain.changes import ChangeSet, LinkClose
from graph.domain.dates import DEFAULT_BOUNDS, DateBounds
from graph.domain.intervals import can_change_values_on
from graph.domain.model import Kind, Rel, is_gate
from graph.services.events.base import (
    CheckedEvent,
    EventCheck,
    checked,
    event_record,
    move_event,
)
from graph.stores.contract import Store

MAX_CAPACITY_KVA = 100_000.0


def transformer_replace(
    store: Store,
    transformer: str,
    capacity_kva: float,
    effective: dt.date,
    actor: str,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> CheckedEvent:
    """A new transformer of `capacity_kva` serves the area from `effective`: the area, its
    meters and history stay; the capacity changes (the record keeps the old one)."""
    check = EventCheck(store, effective, bounds)
    area = check.entity("transformer", Kind.TRANSFORMER, transformer)
    check.amount("capacityKva", capacity_kva, 1, MAX_CAPACITY_KVA, "kVA")
    old_kva = area.get("capacity_kva") if area is not None else None
    if area is not None:
        check.in_service("transformer", Rel.SUPPLIES, transformer, "area")
        if old_kva == capacity_kva:
            check.problem("capacityKva", f"{transformer} has {capacity_kva:g} kVA already")
        if not can_change_values_on(area.attrs_from, effective):
            check.problem(
                "effective",
                f"{transformer}'s values hold from {area.attrs_from}: its capacity cannot "
                f"change on {effective}",
            )
    record = event_record(
        "transformerReplace",
        actor,
        effective,
        {"changed": 1},
        {
            "transformer": transformer,
            "capacity_kva_before": "" if old_kva is None else f"{old_kva:g}",
            "capacity_kva_after": f"{capacity_kva:g}",
        },
    )
    updated = [replace(area, attrs={**area.attrs, "capacity_kva": capacity_kva})] if area else []
    changes = ChangeSet(updated={Kind.TRANSFORMER: updated}, record=record, updated_on=effective)
    return checked(check, changes)


def area_move(
    store: Store,
    area: str,
    to_feeder: str,
    effective: dt.date,
    actor: str,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> CheckedEvent:
    """The area is supplied by `to_feeder` from `effective` (its meters go with it)."""
    check = EventCheck(store, effective, bounds)
    found = check.entity("area", Kind.TRANSFORMER, area)
    feeder = check.entity("toFeeder", Kind.FEEDER, to_feeder)
    now = check.leaving_service("area", Rel.SUPPLIES, area, "area") if found else None
    if feeder is not None:
        check.in_service("toFeeder", Rel.FEEDS, to_feeder, "feeder")
    if now is not None and now.parent == to_feeder:
        check.problem("toFeeder", f"{area} is supplied by {to_feeder} already")
    details = {"area": area, "from_feeder": now.parent if now else "", "to_feeder": to_feeder}
    return move_event(check, "areaMove", Rel.SUPPLIES, area, to_feeder, actor, details)


def area_retire(
    store: Store, area: str, effective: dt.date, actor: str, bounds: DateBounds = DEFAULT_BOUNDS
) -> CheckedEvent:
    """The area leaves service on `effective`: its feeder and org unit intervals end, and so
    do its gate meters'. Refused while customer or pv meters are still under it."""
    check = EventCheck(store, effective, bounds)
    found = check.entity("area", Kind.TRANSFORMER, area)
    closes: list[LinkClose] = []
    gates: list[str] = []
    if found is not None and check.leaving_service("area", Rel.SUPPLIES, area, "area"):
        closes.append(LinkClose(Rel.SUPPLIES, area, effective))
        if check.open_link("area", Rel.TRANSFORMER_OWNER, area, None):
            closes.append(LinkClose(Rel.TRANSFORMER_OWNER, area, effective))
        day = max(effective, clock.today())
        meters = store.neighbors(Rel.HAS_METER, [area], day, "down")[area]
        customers = [m.code for m in meters if not is_gate(m)]
        if customers:
            check.problem(
                "area",
                f"{area} still has {len(customers)} customer/pv meter(s) on {day} (e.g. "
                f"{customers[0]}): move them first (meterMove)",
            )
        gates = [m.code for m in meters if is_gate(m)]
        for gate in gates:
            check.open_link("area", Rel.HAS_METER, gate, f"gate meter {gate} is in no area")
        closes.extend(LinkClose(Rel.HAS_METER, g, effective) for g in gates)
    record = event_record(
        "areaRetire",
        actor,
        effective,
        {"removed": 1},
        {"area": area, "gate_meters": ",".join(gates)},
    )
    # The area and its gate meters end on the day: their values close, and read as of that
    # day or later they do not exist.
    ended = {Kind.TRANSFORMER: [area], Kind.METER: gates} if closes else {}
    changes = ChangeSet(closed=closes, record=record, ended=ended, ended_on=effective)
    return checked(check, changes)
