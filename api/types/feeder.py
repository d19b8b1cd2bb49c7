"""Feeder (10 kV 线路): supplies many transformer areas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.types.connection import Connection, connection
from api.types.count_fields import CountFields
from api.types.loss_fields import LossFields
from api.types.node import Node
from api.types.resolve import child_pages, parent
from api.types.shared_fields import name_field, number_field, org_unit_field, path_field
from api.types.transformer import Transformer
from graph.domain.model import Rel

if TYPE_CHECKING:
    from api.types.org_unit import OrgUnit
    from api.types.substation import Substation


@strawberry.type(description="A medium-voltage feeder (馈线) out of a substation.")
class Feeder(Node, LossFields, CountFields):
    name: str = name_field()

    voltage_kv: float | None = number_field("voltage_kv", "Nominal voltage in kV.")

    @strawberry.field(description="The substation feeding it on the as-of date.")
    async def substation(
        self, info: Info
    ) -> Annotated[Substation, strawberry.lazy("api.types.substation")] | None:
        from api.types.substation import Substation

        found = await parent(info, Rel.FEEDS, self.entity, self.as_of)
        return None if found is None else Substation(entity=found, as_of=self.as_of)

    org_unit: Annotated[OrgUnit, strawberry.lazy("api.types.org_unit")] | None = org_unit_field
    path: list[Node] = path_field

    @strawberry.field(description="The transformers it supplies on the as-of date, by code.")
    async def transformers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Transformer]:
        page = await child_pages(info, Rel.SUPPLIES, self.entity, self.as_of, first, after)
        return connection(page, self.as_of, lambda e, d: Transformer(entity=e, as_of=d), after)
