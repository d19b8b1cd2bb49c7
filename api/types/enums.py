"""Enums of the public schema."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph.domain import model
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
