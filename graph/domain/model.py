"""The network model: entity kinds, their attributes and the relationships between them.

Framework-free on purpose: neither neo4j nor strawberry is imported here. Everything that
builds a query from a kind or relationship name takes it from the allow-lists in this module,
never from user input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

#: Validity bounds. Intervals are half-open: [valid_from, valid_to).
BEGINNING = dt.date(1, 1, 1)  # "unbounded past": a first load describes the network as known
FOREVER = dt.date(9999, 12, 31)  # "open": the relationship holds today


class Kind(StrEnum):
    """Entity kinds; the value is the Neo4j label and the embedded store's kind key."""

    ORG_UNIT = "OrgUnit"
    SUBSTATION = "Substation"
    FEEDER = "Feeder"
    TRANSFORMER = "Transformer"
    METER = "Meter"
    CUSTOMER = "Customer"
    LV_LINE = "LvLine"  # a low-voltage line of an area's network (technical loss)


class Rel(StrEnum):
    """Topology relationships (parent -> child). Every one carries valid_from/valid_to.

    A child has at most one parent per relationship at any date.
    """

    ORG_PARENT = "PARENT_OF"  # OrgUnit -> OrgUnit
    SUBSTATION_OWNER = "OWNS_SUBSTATION"  # OrgUnit -> Substation
    FEEDER_OWNER = "OWNS_FEEDER"  # OrgUnit -> Feeder
    TRANSFORMER_OWNER = "OWNS_TRANSFORMER"  # OrgUnit -> Transformer
    FEEDS = "FEEDS"  # Substation -> Feeder
    SUPPLIES = "SUPPLIES"  # Feeder -> Transformer
    HAS_METER = "HAS_METER"  # Transformer -> Meter
    USES_METER = "USES_METER"  # Customer -> Meter (a customer may have several meters)
    # Evidence, not topology: the collection system reads the meter through a concentrator
    # (terminal, the interval's `detail`) installed in this area. Loss never follows it.
    READS = "READS"  # Transformer -> Meter
    HAS_LINE = "HAS_LINE"  # Transformer -> LvLine: the lines of an area's LV network


@dataclass(frozen=True)
class RelSpec:
    rel: Rel
    parent: Kind
    child: Kind


#: The relationship from its owning org unit, of each kind an org unit owns.
OWNER_REL: dict[Kind, Rel] = {
    Kind.SUBSTATION: Rel.SUBSTATION_OWNER,
    Kind.FEEDER: Rel.FEEDER_OWNER,
    Kind.TRANSFORMER: Rel.TRANSFORMER_OWNER,
}

REL_SPECS: dict[Rel, RelSpec] = {
    Rel.ORG_PARENT: RelSpec(Rel.ORG_PARENT, Kind.ORG_UNIT, Kind.ORG_UNIT),
    Rel.SUBSTATION_OWNER: RelSpec(Rel.SUBSTATION_OWNER, Kind.ORG_UNIT, Kind.SUBSTATION),
    Rel.FEEDER_OWNER: RelSpec(Rel.FEEDER_OWNER, Kind.ORG_UNIT, Kind.FEEDER),
    Rel.TRANSFORMER_OWNER: RelSpec(Rel.TRANSFORMER_OWNER, Kind.ORG_UNIT, Kind.TRANSFORMER),
    Rel.FEEDS: RelSpec(Rel.FEEDS, Kind.SUBSTATION, Kind.FEEDER),
    Rel.SUPPLIES: RelSpec(Rel.SUPPLIES, Kind.FEEDER, Kind.TRANSFORMER),
    Rel.HAS_METER: RelSpec(Rel.HAS_METER, Kind.TRANSFORMER, Kind.METER),
    Rel.USES_METER: RelSpec(Rel.USES_METER, Kind.CUSTOMER, Kind.METER),
    Rel.READS: RelSpec(Rel.READS, Kind.TRANSFORMER, Kind.METER),
    Rel.HAS_LINE: RelSpec(Rel.HAS_LINE, Kind.TRANSFORMER, Kind.LV_LINE),
}

#: Attribute names stored per kind (besides `code`), with their Python types.
ATTRIBUTES: dict[Kind, dict[str, type]] = {
    Kind.ORG_UNIT: {"name": str, "level": str},
    Kind.SUBSTATION: {"name": str, "voltage_kv": float},
    Kind.FEEDER: {"name": str, "voltage_kv": float},
    Kind.TRANSFORMER: {
        "name": str,
        "capacity_kva": float,
        "ownership": str,
        "supply_radius_km": float,  # for the equivalent-resistance estimate without lines
    },
    Kind.METER: {"role": str, "multiplier": float, "phase": str, "node": str},
    Kind.CUSTOMER: {"name": str, "category": str},
    Kind.LV_LINE: {
        "from_node": str,
        "to_node": str,
        "length_km": float,
        "r_ohm_per_km": float,
        "x_ohm_per_km": float,
        "max_i_ka": float,
    },
}
#: The kinds a search looks at (a line has no name, nobody looks one up by its code).
SEARCHABLE = tuple(k for k in Kind if k is not Kind.LV_LINE)


class MeterRole(StrEnum):
    """What a meter measures: the area's supply (gate), a customer's use, or a pv export."""

    GATE = "gate"  # the area's own meter(s): the equipment system's; the rest are customers'
    CUSTOMER = "customer"
    PV = "pv"


GATE_ROLE = MeterRole.GATE
METER_ROLES = tuple(role.value for role in MeterRole)
OWNERSHIPS = ("public", "private")


#: Every attribute of ATTRIBUTES is dated: a change on D closes the interval of the values
#: before it and opens one from D (docs/history.md). An attribute added to ATTRIBUTES later is
#: dated the same way, without more code: the whole set of a kind's values is one interval.


@dataclass(frozen=True, slots=True)
class Entity:
    """One stored entity: its kind, natural key and attributes (None = not given), as valid
    from `attrs_from` (the start of their interval; the first load's values hold from the
    unbounded past). `attrs_from` is provenance, not identity: two entities are equal when
    their values are."""

    kind: Kind
    code: str
    attrs: dict[str, object] = field(default_factory=dict, compare=True, hash=False)
    attrs_from: dt.date = field(default=BEGINNING, compare=False)

    def get(self, name: str) -> object:
        return self.attrs.get(name)


@dataclass(frozen=True, slots=True)
class AttrInterval:
    """The values of an entity's attributes over [valid_from, valid_to), with the changesets
    that opened and closed the interval (None: written before they were recorded)."""

    kind: Kind
    code: str
    attrs: dict[str, object] = field(compare=True, hash=False)
    valid_from: dt.date = BEGINNING
    valid_to: dt.date = FOREVER
    opened_by: str | None = field(default=None, compare=False)
    closed_by: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Link:
    """One interval of a topology relationship: parent -> child over [valid_from, valid_to).

    `opened_by` / `closed_by` name the changeset that opened / closed it (provenance, not
    identity: two intervals are equal whoever wrote them). `detail` is part of what the
    interval says (READS: the terminal code); a new detail is a new interval.
    """

    rel: Rel
    parent: str
    child: str
    valid_from: dt.date = BEGINNING
    valid_to: dt.date = FOREVER
    opened_by: str | None = field(default=None, compare=False)
    closed_by: str | None = field(default=None, compare=False)
    detail: str | None = None


def is_gate(meter: Entity) -> bool:
    """Whether a stored meter is a gate meter (the rest are customers' and pv meters)."""
    return meter.get("role") == MeterRole.GATE
