"""Mismatch (户变不一致): a meter the collection system reads in another area than the one the
marketing archive (customer/pv meters) or the equipment system (gate meters) places it in."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Context, Info
from api.dataloaders import AreasUnderKey, LatestDayKey, MismatchesKey, PeriodKey
from api.ids import parse_global_id
from api.pagination import decode_cursor, encode_cursor, page_size
from api.scope_guard import visible
from api.types.connection import PageInfo
from api.types.customer import Customer
from api.types.loss import TransformerLoss
from api.types.meter import Meter
from api.types.resolve import context, node_by_code
from graph.domain.model import Kind
from graph.domain.scope import Scope
from graph.series.loss import AreaLoss
from graph.services import mismatches as domain

if TYPE_CHECKING:
    from api.types.transformer import Transformer

TransformerRef = Annotated["Transformer", strawberry.lazy("api.types.transformer")]


async def _area(info: Info, code: str | None, as_of: dt.date) -> Transformer | None:
    from api.types.transformer import Transformer

    return await node_by_code(info, Kind.TRANSFORMER, code, as_of, Transformer)


@strawberry.type(description="One area a mismatch involves, with its current loss status.")
class MismatchArea:
    code: str
    source: str = strawberry.field(
        description="Which source places the meter here: collection, marketing or equipment."
    )
    as_of: strawberry.Private[dt.date]
    status_loss: strawberry.Private[AreaLoss | None]

    @strawberry.field
    async def area(self, info: Info) -> TransformerRef | None:
        return await _area(info, self.code, self.as_of)

    @strawberry.field(
        description="The area's balance over the report's status period (MismatchConnection."
        "statusFrom .. statusTo): is it showing the mismatch as high or negative loss?"
    )
    def loss(self, info: Info) -> TransformerLoss | None:
        if self.status_loss is None:
            return None
        return TransformerLoss(area=self.status_loss, rules=context(info).loss.rules)


@strawberry.type(description="A meter whose area differs between the sources.")
class Mismatch:
    found: strawberry.Private[domain.Mismatch]
    as_of: strawberry.Private[dt.date]
    statuses: strawberry.Private[dict[str, AreaLoss]]

    @strawberry.field
    def meter(self) -> Meter:
        return Meter(entity=self.found.meter, as_of=self.as_of)

    @strawberry.field(description="The customer the meter is archived under (none: gate meter).")
    async def customer(self, info: Info) -> Customer | None:
        return await node_by_code(info, Kind.CUSTOMER, self.found.customer, self.as_of, Customer)

    @strawberry.field(description="The area the marketing archive has a customer/pv meter in.")
    async def marketing_area(self, info: Info) -> TransformerRef | None:
        return await _area(info, self.found.marketing_area, self.as_of)

    @strawberry.field(description="The area the equipment system has a gate meter in.")
    async def equipment_area(self, info: Info) -> TransformerRef | None:
        return await _area(info, self.found.equipment_area, self.as_of)

    @strawberry.field(description="The area whose concentrator reads the meter.")
    async def collection_area(self, info: Info) -> TransformerRef | None:
        return await _area(info, self.found.collection_area, self.as_of)

    @strawberry.field(description="The concentrator (terminal) that reads it.")
    def terminal_code(self) -> str | None:
        return self.found.terminal

    @strawberry.field(description="Since when the sources disagree; null: since records began.")
    def since(self) -> dt.date | None:
        return self.found.since

    @strawberry.field(description="The areas involved: where it is read, then where it is placed.")
    def areas(self) -> list[MismatchArea]:
        sources = ["collection", self.found.placed_by]
        return [
            MismatchArea(code=a, source=s, as_of=self.as_of, status_loss=self.statuses.get(a))
            for a, s in zip(self.found.areas(), sources, strict=False)
        ]


@strawberry.type
class MismatchEdge:
    cursor: str
    node: Mismatch


@strawberry.type(description="Mismatches by meter code.")
class MismatchConnection:
    total_count: int
    edges: list[MismatchEdge]
    page_info: PageInfo
    status_from: dt.date = strawberry.field(description="First day of the loss status period.")
    status_to: dt.date = strawberry.field(description="Last day of the loss status period.")


async def _under(
    report: list[domain.Mismatch], ctx: Context, kind: Kind, code: str, day: dt.date
) -> list[domain.Mismatch]:
    """The mismatches that involve `code`: the meter, the customer's meters, or any area
    under the node on `day` (where it is read or where it is placed)."""
    if not await visible(ctx, kind, code, day):
        return []  # out of the principal's scope: as if it did not exist
    if kind is Kind.METER:
        return [m for m in report if m.meter.code == code]
    if kind is Kind.CUSTOMER:
        return [m for m in report if m.customer == code]
    areas = await _areas_under(ctx, Scope.of(kind), code, day)
    return [m for m in report if any(a in areas for a in m.areas())]


async def _areas_under(ctx: Context, scope: Scope, code: str, day: dt.date) -> set[str]:
    return set(await ctx.loaders.areas_under.load(AreasUnderKey(scope, code, day, None)))


async def mismatch_connection(
    info: Info, under: str | None, first: int | None, after: str | None, as_of: dt.date | None
) -> MismatchConnection:
    ctx = context(info)
    size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
    after_code = decode_cursor(after)
    day = as_of or ctx.today
    report = await ctx.loaders.mismatches.load(MismatchesKey(day))
    if under is not None:
        kind, code = parse_global_id(under)
        report = await _under(report, ctx, kind, code, day)
    org = ctx.scope_org()
    # Below the top unit: those involving an area of the scope (a customer in scope may have
    # meters elsewhere); the other area shows code and name, and no loss.
    mine = None if org is None else await _areas_under(ctx, Scope.ORG, org, day)
    if mine is not None:
        report = [m for m in report if any(a in mine for a in m.areas())]
    rest = report if after_code is None else [m for m in report if m.meter.code > after_code]
    page = rest[:size]
    latest = await ctx.loaders.latest_day.load(LatestDayKey())
    start, end = domain.status_period(ctx.today, latest)
    involved = sorted({a for m in page for a in m.areas() if mine is None or a in mine})
    found = await ctx.loaders.areas.load_many([PeriodKey(start, end, a) for a in involved])
    statuses = dict(zip(involved, found, strict=True))
    edges = [
        MismatchEdge(
            cursor=encode_cursor(m.meter.code),
            node=Mismatch(found=m, as_of=day, statuses=statuses),
        )
        for m in page
    ]
    return MismatchConnection(
        total_count=len(report),
        edges=edges,
        page_info=PageInfo.of([e.cursor for e in edges], len(rest) > size, after),
        status_from=start,
        status_to=end,
    )
