"""Enums of the public schema."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph.domain import model, stamped
from graph.domain.model import Kind


@strawberry.enum
class EntityKind(Enum):
    ORG_UNIT = Kind.ORG_UNIT.value
    SUBSTATION = Kind.SUBSTATION.value
    FEEDER = Kind.FEEDER.value
    TRANSFORMER = Kind.TRANSFORMER.value
    METER = Kind.METER.value
    CUSTOMER = Kind.CUSTOMER.value

    def to_kind(self) -> Kind:
        return Kind(self.value)


@strawberry.enum
class MeterRole(Enum):
    GATE = model.MeterRole.GATE.value
    CUSTOMER = model.MeterRole.CUSTOMER.value
    PV = model.MeterRole.PV.value


@strawberry.enum
class Ownership(Enum):
    PUBLIC = "public"
    PRIVATE = "private"


@strawberry.enum(description="What happened to an entity in a changeset.")
class ChangeKind(Enum):
    CREATED = strawberry.enum_value(
        stamped.ChangeKind.CREATED.value, description="It was created, with its first values."
    )
    UPDATED = strawberry.enum_value(
        stamped.ChangeKind.UPDATED.value,
        description="New values from a day (the ones before kept for earlier days).",
    )
    ENDED = strawberry.enum_value(
        stamped.ChangeKind.ENDED.value, description="It exists no more (an area retired)."
    )
    LINKED = strawberry.enum_value(
        stamped.ChangeKind.LINKED.value, description="A relationship opened for it."
    )
    MOVED = strawberry.enum_value(
        stamped.ChangeKind.MOVED.value,
        description="Its relationship closed on one parent and opened on another.",
    )
    UNLINKED = strawberry.enum_value(
        stamped.ChangeKind.UNLINKED.value, description="A relationship closed, none opened."
    )
