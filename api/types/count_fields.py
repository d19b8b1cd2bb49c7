"""How much is under a substation, feeder or org unit on its as-of date: areas and meters,
counted from the placement loss reads (kept in step with the topology by graph version), so an
explorer never sums pages."""

from __future__ import annotations

import strawberry

from api.context import Info, scope_within
from api.dataloaders import SubtreeCountsKey
from api.types.resolve import context
from graph.domain.scope import Scope
from graph.series.placement import SubtreeCounts


@strawberry.type
class CountFields:
    """Base of types with a subtree of areas (Substation, Feeder, OrgUnit)."""

    async def _counts(self, info: Info) -> SubtreeCounts:
        entity, day = self.entity, self.as_of  # type: ignore[attr-defined]
        ctx = context(info)
        key = SubtreeCountsKey(
            Scope.of(entity.kind), day, scope_within(ctx, entity.kind), entity.code
        )
        return await ctx.loaders.subtree_counts.load(key)

    @strawberry.field(description="Transformer areas under it on the as-of date.")
    async def transformer_count(self, info: Info) -> int:
        return (await self._counts(info)).transformers

    @strawberry.field(description="Customer and PV meters in the areas under it on the as-of date.")
    async def meter_count(self, info: Info) -> int:
        return (await self._counts(info)).meters

    @strawberry.field(description="Gate meters of the areas under it on the as-of date.")
    async def gate_meter_count(self, info: Info) -> int:
        return (await self._counts(info)).gate_meters
