"""Transformer (台区): one distribution transformer and the low-voltage area behind it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.dataloaders import PeriodKey
from api.types.connection import Connection, connection
from api.types.enums import MeterRole, Ownership
from api.types.history import Interval, history
from api.types.loss import FromDate, ToDate, TransformerLoss
from api.types.loss_fields import LossFields
from api.types.meter import Meter
from api.types.node import Node
from api.types.resolve import child_pages, context, parent, period_context
from api.types.shared_fields import name_field, number_field, org_unit_field, path_field
from api.types.values import value_field
from graph.domain.model import GATE_ROLE, Rel

if TYPE_CHECKING:
    from api.types.feeder import Feeder
    from api.types.org_unit import OrgUnit


@strawberry.type(description="A distribution transformer and its area (台区).")
class Transformer(Node, LossFields):
    name: str = name_field()

    capacity_kva: float | None = number_field("capacity_kva", "Rated capacity in kVA.")

    ownership: Ownership = value_field(
        "ownership",
        Ownership,
        Ownership,
        "PUBLIC (公变, an area) or PRIVATE (专变, one large customer).",
    )

    @strawberry.field(description="The feeder supplying it on the as-of date.")
    async def feeder(
        self, info: Info
    ) -> Annotated[Feeder, strawberry.lazy("api.types.feeder")] | None:
        from api.types.feeder import Feeder

        found = await parent(info, Rel.SUPPLIES, self.entity, self.as_of)
        return None if found is None else Feeder(entity=found, as_of=self.as_of)

    org_unit: Annotated[OrgUnit, strawberry.lazy("api.types.org_unit")] | None = org_unit_field
    path: list[Node] = path_field

    @strawberry.field(
        description="Its feeder and owning org unit over time, oldest first, each interval "
        "with the changeset that opened and closed it."
    )
    async def history(self, info: Info) -> list[Interval]:
        return await history(info, self.entity, (Rel.SUPPLIES, Rel.TRANSFORMER_OWNER))

    @strawberry.field(description="Gate meters (关口表) measuring the energy into the area.")
    async def gate_meters(self, info: Info) -> list[Meter]:
        # The store filters by role: an area has one or two gate meters among hundreds.
        limit = context(info).settings.max_page_size
        page = await child_pages(
            info, Rel.HAS_METER, self.entity, self.as_of, limit, None, role=GATE_ROLE
        )
        return [Meter(entity=e, as_of=self.as_of) for e in page.items]

    @strawberry.field(
        description="The area's own balance over the period (inclusive), each meter counted "
        "on the days it belonged to the area."
    )
    async def loss(
        self,
        info: Info,
        from_: FromDate,
        to: ToDate,
    ) -> TransformerLoss:
        ctx = period_context(info, from_, to)
        area = await ctx.loaders.areas.load(PeriodKey(from_, to, self.entity.code))
        return TransformerLoss(area=area, rules=ctx.loss.rules)

    @strawberry.field(
        description="The area's balance day by day over the period (inclusive), oldest "
        "first: each day's supply, sales, loss, status and reasons, as `loss` of that one day."
    )
    async def daily_loss(self, info: Info, from_: FromDate, to: ToDate) -> list[TransformerLoss]:
        ctx = period_context(info, from_, to)
        days = [from_ + dt.timedelta(days=i) for i in range((to - from_).days + 1)]
        keys = [PeriodKey(day, day, self.entity.code) for day in days]
        areas = await ctx.loaders.areas.load_many(keys)
        return [TransformerLoss(area=area, rules=ctx.loss.rules) for area in areas]

    @strawberry.field(description="The area's meters on the as-of date, by code.")
    async def meters(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        role: MeterRole | None = None,
    ) -> Connection[Meter]:
        page = await child_pages(
            info,
            Rel.HAS_METER,
            self.entity,
            self.as_of,
            first,
            after,
            role.value if role else None,
        )
        return connection(page, self.as_of, lambda e, d: Meter(entity=e, as_of=d), after)
