"""OrgUnit: province -> city bureau -> county company / service centre -> supply station."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.dataloaders import IndicatorsKey
from api.types.connection import Connection, connection
from api.types.count_fields import CountFields
from api.types.indicator import IndicatorResult
from api.types.loss import FromDate, ToDate
from api.types.loss_fields import LossFields
from api.types.node import Node
from api.types.resolve import children, org_transformer_pages, parent, period_context
from api.types.shared_fields import name_field, path_field, text_field
from api.types.substation import Substation
from api.types.transformer import Transformer
from graph.domain.model import Rel


@strawberry.type(description="A unit of the utility's organisation tree.")
class OrgUnit(Node, LossFields, CountFields):
    name: str = name_field()

    level: str | None = text_field(
        "level", "Level as the source names it: province, city, county, station…"
    )

    @strawberry.field(description="The unit above, on the as-of date.")
    async def parent(self, info: Info) -> OrgUnit | None:
        found = await parent(info, Rel.ORG_PARENT, self.entity, self.as_of)
        return None if found is None else OrgUnit(entity=found, as_of=self.as_of)

    @strawberry.field(description="The units directly below, on the as-of date.")
    async def children(self, info: Info) -> list[OrgUnit]:
        found = await children(info, Rel.ORG_PARENT, self.entity, self.as_of)
        return [OrgUnit(entity=e, as_of=self.as_of) for e in found]

    path: list[Node] = path_field

    @strawberry.field(
        description="The unit's indicators over the period (from and to inclusive; its subtree "
        "as on `to`, mismatches open on `to`), in a fixed order (docs/indicators.md)."
    )
    async def indicators(self, info: Info, from_: FromDate, to: ToDate) -> list[IndicatorResult]:
        ctx = period_context(info, from_, to)
        found = await ctx.loaders.indicators.load(IndicatorsKey(from_, to, self.entity.code))
        return [IndicatorResult(result=r) for r in found]

    @strawberry.field(description="Substations this unit owns directly.")
    async def substations(self, info: Info) -> list[Substation]:
        found = await children(info, Rel.SUBSTATION_OWNER, self.entity, self.as_of)
        return [Substation(entity=e, as_of=self.as_of) for e in found]

    @strawberry.field(description="Transformers owned by this unit or any unit below it.")
    async def transformers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Transformer]:
        page = await org_transformer_pages(info, self.entity, self.as_of, first, after)
        return connection(page, self.as_of, lambda e, d: Transformer(entity=e, as_of=d), after)
