"""lossSummary, lossSeries and lossRanking: the same three fields on every node that has areas
under it (substation, feeder, transformer, org unit) and on the network."""

from __future__ import annotations

from typing import Any

import strawberry

from api.context import Context, Info, scope_within
from api.dataloaders import LossKey, RankingKey, SeriesKey
from api.pagination import decode_offset, encode_offset, page_size
from api.types.connection import Connection, PageInfo
from api.types.finding import Finding, FindingKind, finding_connection
from api.types.loss import (
    FromDate,
    LossOrder,
    LossStatus,
    LossStep,
    LossSummary,
    ToDate,
    TransformerLoss,
    TransformerLossConnection,
    TransformerLossEdge,
)
from api.types.resolve import period_context
from graph.domain.scope import Scope
from graph.series import loss as domain

PERIOD_DOC = "from and to inclusive; the subtree as on `to`; asOf does not apply"
TECHNICAL_FIELDS = frozenset(
    {
        "technicalLossKwh",
        "technicalLossRate",
        "managementLossKwh",
        "managementLossRate",
        "technicalMethod",
    }
)


def asks_technical(info: Info) -> bool:
    """Whether the field's selection names a field of the technical split (through fragments;
    one under @skip counts: it is only read for nothing)."""

    def names(selections: list[Any]) -> bool:
        return any(
            getattr(s, "name", None) in TECHNICAL_FIELDS or names(getattr(s, "selections", []))
            for s in selections
        )

    return any(names(field.selections) for field in info.selected_fields)


@strawberry.type
class LossFields:
    """Base of types with areas under them; `loss_scope` says which subtree."""

    def loss_scope(self, ctx: Context) -> tuple[Scope, str, str | None]:
        """Which subtree: the node's, and for a narrowed principal only the areas of its
        scope in it."""
        entity = self.entity  # type: ignore[attr-defined]
        return Scope.of(entity.kind), entity.code, scope_within(ctx, entity.kind)

    @strawberry.field(description=f"The roll-up over the period ({PERIOD_DOC}).")
    async def loss_summary(
        self,
        info: Info,
        from_: FromDate,
        to: ToDate,
    ) -> LossSummary:
        ctx = period_context(info, from_, to)
        scope, code, within = self.loss_scope(ctx)
        key = LossKey(scope, from_, to, within, asks_technical(info), code)
        found = await ctx.loaders.summaries.load(key)
        return LossSummary(summary=found)

    @strawberry.field(
        description="One roll-up per day (`step: DAY`) or per calendar month's part of the "
        "period (`step: MONTH`), each on the subtree as of the bucket's last day."
    )
    async def loss_series(
        self,
        info: Info,
        from_: FromDate,
        to: ToDate,
        step: LossStep = domain.LossStep.DAY,  # type: ignore[valid-type]
    ) -> list[LossSummary]:
        ctx = period_context(info, from_, to)
        scope, code, within = self.loss_scope(ctx)
        key = SeriesKey(scope, from_, to, within, asks_technical(info), step, code)
        found = await ctx.loaders.series.load(key)
        return [LossSummary(summary=s) for s in found]

    @strawberry.field(
        description=f"The areas under the node, ranked ({PERIOD_DOC}); ties by code; "
        "a null loss rate ranks last."
    )
    async def loss_ranking(
        self,
        info: Info,
        from_: FromDate,
        to: ToDate,
        order_by: LossOrder = domain.LossOrder.LOSS_RATE_DESC,  # type: ignore[valid-type]
        status: list[LossStatus] | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> TransformerLossConnection:
        ctx = period_context(info, from_, to)
        size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
        offset = decode_offset(after)
        scope, code, within = self.loss_scope(ctx)
        statuses = tuple(status) if status is not None else None
        key = RankingKey(scope, code, from_, to, order_by, statuses, size, offset, within)
        page = await ctx.loaders.ranking.load(key)
        edges = [
            TransformerLossEdge(
                cursor=encode_offset(offset + i),
                node=TransformerLoss(area=area, rules=ctx.loss.rules),
            )
            for i, area in enumerate(page.items)
        ]
        return TransformerLossConnection(
            total_count=page.total_count,
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], page.has_next, after),
        )

    @strawberry.field(
        description="Causes of management loss found in the period's readings of the areas "
        f"under the node, highest score first ({PERIOD_DOC}; 14 to 92 days). A feeder's "
        "analysis takes about a second and is kept until the next write; the whole network's "
        "is for `taiqu analyze`."
    )
    def findings(
        self,
        info: Info,
        from_: FromDate,
        to: ToDate,
        kinds: list[FindingKind] | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Finding]:
        ctx = period_context(info, from_, to)
        scope, code, within = self.loss_scope(ctx)
        found = ctx.findings.get(ctx.loss, scope, code, from_, to, within)
        if kinds is not None:
            wanted = set(kinds)
            found = [f for f in found if f.kind in wanted]
        return finding_connection(info, found, to, first, after)


@strawberry.type(
    description="The whole network: every area of every feeder and unit (for a principal "
    "below the top unit: every area of its unit's subtree)."
)
class Network(LossFields):
    def loss_scope(self, ctx: Context) -> tuple[Scope, str, str | None]:
        org = ctx.scope_org()
        return (Scope.NETWORK, "", None) if org is None else (Scope.ORG, org, None)
