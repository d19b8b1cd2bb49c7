"""Meter (电能表): a gate meter of an area, a customer meter or a PV export meter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.dataloaders import PeriodKey
from api.types.customer import Customer
from api.types.enums import MeterRole
from api.types.history import Interval, history
from api.types.loss import FromDate, Reading, ReadingCorrection, ToDate
from api.types.node import Node
from api.types.resolve import parent, period_context
from api.types.shared_fields import path_field, text_field
from api.types.values import value_field
from graph.domain.model import Rel
from graph.domain.scope import Scope

if TYPE_CHECKING:
    from api.types.finding import Finding
    from api.types.transformer import Transformer


def _multiplier(value: object) -> float:
    return 1.0 if value is None else float(value)  # type: ignore[arg-type]


@strawberry.type(description="A meter. Registers are multiplied by `multiplier` (倍率).")
class Meter(Node):
    role: MeterRole = value_field(
        "role", MeterRole, MeterRole, "What it measures, on the as-of date."
    )
    multiplier: float = value_field(
        "multiplier",
        _multiplier,
        float,
        "CT/PT multiplier (倍率) on the as-of date; 1 when the meter reads directly.",
    )

    phase: str | None = text_field("phase", "Phase(s) it is connected to: A, B, C or ABC.")

    @strawberry.field(description="The transformer area the meter belongs to on the as-of date.")
    async def transformer(
        self, info: Info
    ) -> Annotated[Transformer, strawberry.lazy("api.types.transformer")] | None:
        from api.types.transformer import Transformer

        found = await parent(info, Rel.HAS_METER, self.entity, self.as_of)
        return None if found is None else Transformer(entity=found, as_of=self.as_of)

    @strawberry.field(
        description="The customer the meter is archived under (none for gate meters)."
    )
    async def customer(self, info: Info) -> Customer | None:
        found = await parent(info, Rel.USES_METER, self.entity, self.as_of)
        return None if found is None else Customer(entity=found, as_of=self.as_of)

    path: list[Node] = path_field

    @strawberry.field(
        description="Where the meter was and whose it was over time: its area and customer "
        "intervals, and the areas the collection system read it in, oldest first, each with "
        "the changeset that opened and closed it."
    )
    async def history(self, info: Info) -> list[Interval]:
        return await history(info, self.entity, (Rel.HAS_METER, Rel.USES_METER, Rel.READS))

    @strawberry.field(
        description="Stored daily readings over the period (inclusive), oldest first, as "
        "registered: importKwh and exportKwh are before the multiplier."
    )
    async def readings(
        self,
        info: Info,
        from_: FromDate,
        to: ToDate,
    ) -> list[Reading]:
        ctx = period_context(info, from_, to)
        found = await ctx.loaders.readings.load(PeriodKey(from_, to, self.entity.code))
        return [Reading(reading=r) for r in found]

    @strawberry.field(
        description="Causes of management loss found about this meter in the period's "
        "readings (its area's analysis, highest score first; 14 to 92 days)."
    )
    async def findings(
        self, info: Info, from_: FromDate, to: ToDate
    ) -> list[Annotated[Finding, strawberry.lazy("api.types.finding")]]:
        from api.types.finding import Finding

        ctx = period_context(info, from_, to)
        area = await parent(info, Rel.HAS_METER, self.entity, to)
        if area is None:
            return []
        found = ctx.findings.get(ctx.loss, Scope.TRANSFORMER, area.code, from_, to)
        return [Finding(found=f, as_of=to) for f in found if f.meter == self.entity.code]

    @strawberry.field(description="Readings of days in the period that a later import replaced.")
    async def reading_corrections(
        self,
        info: Info,
        from_: FromDate,
        to: ToDate,
    ) -> list[ReadingCorrection]:
        ctx = period_context(info, from_, to)
        found = await ctx.loaders.corrections.load(PeriodKey(from_, to, self.entity.code))
        return [ReadingCorrection(correction=c) for c in found]
