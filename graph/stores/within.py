"""Which entities lie within a set of org units on a day, through the ownership chain: units
themselves, what they own (substations, feeders, areas), the meters and lines in those areas
and the customers using those meters. Store-generic (batched `neighbors` reads); the Neo4j
store also answers it inside its tree and search queries (graph/stores/neo4j/queries.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from graph.domain.model import OWNER_REL, Kind, Rel
from graph.stores.contract import Store

#: Kinds that lie in an area, by the relationship from it: a meter (on the day), a line.
AREA_PARTS = {Kind.METER: Rel.HAS_METER, Kind.LV_LINE: Rel.HAS_LINE}


def _owned_in(
    store: Store, kind: Kind, codes: Sequence[str], day: dt.date, units: frozenset[str]
) -> set[str]:
    owners = store.neighbors(OWNER_REL[kind], codes, day, "up")
    return {code for code, found in owners.items() if any(o.code in units for o in found)}


def within_units(
    store: Store, kind: Kind, codes: Sequence[str], day: dt.date, units: frozenset[str]
) -> set[str]:
    """Which of `codes` (all of one kind, none repeated) lie within `units` on `day`."""
    if not codes:
        return set()
    if kind is Kind.ORG_UNIT:
        return {c for c in codes if c in units}
    if kind in OWNER_REL:
        return _owned_in(store, kind, codes, day, units)
    # The next step runs even when this one found nothing (on the codes asked: they match
    # nothing there), so a code that exists nowhere costs the reads of one that is elsewhere.
    if kind in AREA_PARTS:  # in scope with its area
        areas = store.neighbors(AREA_PARTS[kind], codes, day, "up")
        held = sorted({a.code for found in areas.values() for a in found}) or list(codes)
        mine = _owned_in(store, Kind.TRANSFORMER, held, day, units)
        return {m for m, found in areas.items() if any(a.code in mine for a in found)}
    meters = store.neighbors(Rel.USES_METER, codes, day, "down")
    held = sorted({m.code for found in meters.values() for m in found}) or list(codes)
    mine = within_units(store, Kind.METER, held, day, units)
    return {c for c, found in meters.items() if any(m.code in mine for m in found)}
