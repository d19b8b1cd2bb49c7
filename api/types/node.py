"""The Node interface and what every entity type shares."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.ids import global_id
from graph.domain.model import Entity

if TYPE_CHECKING:
    from api.types.value_history import ValueInterval


@strawberry.interface(description="An entity of the network, addressable by `Query.node(id)`.")
class Node:
    entity: strawberry.Private[Entity]
    as_of: strawberry.Private[dt.date]

    @strawberry.field(description="Global id: opaque, stable, accepted by `Query.node`.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id(self.entity.kind, self.entity.code))

    code: str = strawberry.field(default="", description="Natural key, unique per kind.")

    def __post_init__(self) -> None:
        # Plain fields, filled once: cheaper to serve than a resolver each (api/types/values).
        from api.types.values import fill_values

        self.code = self.entity.code
        fill_values(self)

    @strawberry.field(
        description="Its attribute values over time, oldest first: each interval with the "
        "changesets that opened and closed it (its relationships: `history`)."
    )
    async def value_history(
        self, info: Info
    ) -> list[Annotated[ValueInterval, strawberry.lazy("api.types.value_history")]]:
        from api.types.value_history import value_history

        return await value_history(info, self.entity)
