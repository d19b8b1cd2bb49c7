"""The Node interface and what every entity type shares."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.ids import global_id
from graph.domain.model import Entity


@strawberry.interface(description="An entity of the network, addressable by `Query.node(id)`.")
class Node:
    entity: strawberry.Private[Entity]
    as_of: strawberry.Private[dt.date]

    @strawberry.field(description="Global id: opaque, stable, accepted by `Query.node`.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id(self.entity.kind, self.entity.code))

    @strawberry.field(description="Natural key, unique per kind.")
    def code(self) -> str:
        return self.entity.code
