"""Substation (变电站): the top of the network chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.types.count_fields import CountFields
from api.types.feeder import Feeder
from api.types.loss_fields import LossFields
from api.types.node import Node
from api.types.resolve import children
from api.types.shared_fields import name_field, number_field, org_unit_field, path_field
from graph.domain.model import Rel

if TYPE_CHECKING:
    from api.types.org_unit import OrgUnit


@strawberry.type(description="A substation (变电站) and the feeders out of it.")
class Substation(Node, LossFields, CountFields):
    name: str = name_field()

    voltage_kv: float | None = number_field("voltage_kv", "Highest nominal voltage in kV.")

    org_unit: Annotated[OrgUnit, strawberry.lazy("api.types.org_unit")] | None = org_unit_field
    path: list[Node] = path_field

    @strawberry.field(description="Its feeders on the as-of date, by code.")
    async def feeders(self, info: Info) -> list[Feeder]:
        found = await children(info, Rel.FEEDS, self.entity, self.as_of)
        return [Feeder(entity=e, as_of=self.as_of) for e in found]
