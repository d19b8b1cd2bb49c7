"""Finding: a cause of management loss named from the readings (graph/series/findings)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.pagination import decode_offset, encode_offset, page_size
from api.types.connection import Connection, Edge, PageInfo
from api.types.meter import Meter
from api.types.resolve import context, node_by_code
from graph.domain.model import Entity, Kind
from graph.series.findings import model as domain

if TYPE_CHECKING:
    from api.types.transformer import Transformer

TransformerRef = Annotated["Transformer", strawberry.lazy("api.types.transformer")]

FindingKind = strawberry.enum(
    domain.FindingKind,
    description="What a finding names: METER_IN_OTHER_AREA (户变关系错误: archived under one "
    "area, fed by another), THEFT_SUSPECT (疑似窃电: registers less from a day on while its "
    "area loses that much), WRONG_MULTIPLIER (倍率错误: the balance fits only with another CT "
    "ratio), READING_ANOMALY (采集异常: zero, flat, export without pv, jump, missing days).",
)


@strawberry.type(description="One piece of evidence: a name and a value a person can check.")
class Detail:
    name: str
    value: str


@strawberry.type(description="A cause of management loss found in a period's readings.")
class Finding:
    found: strawberry.Private[domain.Finding]
    as_of: strawberry.Private[dt.date]

    @strawberry.field
    def kind(self) -> FindingKind:  # type: ignore[valid-type]
        return self.found.kind

    @strawberry.field(description="How sure, 0 to 1 (0.5 and more: a work item).")
    def score(self) -> float:
        return self.found.score

    @strawberry.field(description="The area where it shows: the meter's archived area.")
    async def transformer(self, info: Info) -> TransformerRef:
        from api.types.transformer import Transformer

        code = self.found.transformer
        found = await node_by_code(info, Kind.TRANSFORMER, code, self.as_of, Transformer)
        # The areas analysed are the store's on the period's last day: one is always there.
        return found or Transformer(entity=Entity(Kind.TRANSFORMER, code), as_of=self.as_of)

    @strawberry.field(description="The meter it is about (a gate meter for WRONG_MULTIPLIER).")
    async def meter(self, info: Info) -> Meter | None:
        return await node_by_code(info, Kind.METER, self.found.meter, self.as_of, Meter)

    @strawberry.field(description="METER_IN_OTHER_AREA: the area that really feeds the meter.")
    async def likely_transformer(self, info: Info) -> TransformerRef | None:
        from api.types.transformer import Transformer

        return await node_by_code(
            info, Kind.TRANSFORMER, self.found.likely_transformer, self.as_of, Transformer
        )

    @strawberry.field(description="WRONG_MULTIPLIER: the CT ratio the balance fits with.")
    def likely_multiplier(self) -> float | None:
        return self.found.likely_multiplier

    @strawberry.field(description="THEFT_SUSPECT and READING_ANOMALY: the first day.")
    def since(self) -> dt.date | None:
        return self.found.since

    @strawberry.field(
        description="kWh of the period's loss it accounts for (an amount; the evidence "
        "`loss_effect` says whether it raised or lowered the area's loss)."
    )
    def loss_impact_kwh(self) -> float | None:
        return self.found.loss_impact_kwh

    @strawberry.field(description="What it rests on: fitted share, t-statistics, days used...")
    def evidence(self) -> list[Detail]:
        return [Detail(name=n, value=v) for n, v in self.found.evidence]


def finding_connection(
    info: Info,
    found: list[domain.Finding],
    as_of: dt.date,
    first: int | None,
    after: str | None,
) -> Connection[Finding]:
    """One page of `found` (already in order)."""
    ctx = context(info)
    size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
    offset = decode_offset(after)
    page = found[offset : offset + size]
    edges = [
        Edge(cursor=encode_offset(offset + i), node=Finding(found=f, as_of=as_of))
        for i, f in enumerate(page)
    ]
    return Connection(
        total_count=len(found),
        edges=edges,
        page_info=PageInfo.of([e.cursor for e in edges], offset + size < len(found), after),
    )
