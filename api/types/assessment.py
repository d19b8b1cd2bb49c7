"""AssessmentRow and the `assessment` root field: one month's assessment (考核) of units."""

from __future__ import annotations

import asyncio
import datetime as dt

import strawberry

from api.context import Info
from api.scope_guard import units_seen
from api.types.indicator import IndicatorResult
from api.types.org_unit import OrgUnit
from api.types.resolve import context
from graph.services import assessment as domain
from graph.services.mismatches import Mismatch


@strawberry.type(description="One unit's assessment for a month (docs/indicators.md).")
class AssessmentRow:
    row: strawberry.Private[domain.AssessmentRow]
    as_of: strawberry.Private[dt.date]

    @strawberry.field(description="The unit, as on the month's last day.")
    def org_unit(self) -> OrgUnit:
        return OrgUnit(entity=self.row.unit, as_of=self.as_of)

    @strawberry.field(
        description="Out of 100: each weighted indicator's share of its points (all when met, "
        "less in proportion to the miss); null without targets."
    )
    def score(self) -> float | None:
        return self.row.score

    @strawberry.field(description="The score of the month before.")
    def previous_score(self) -> float | None:
        return self.row.previous_score

    @strawberry.field(description="score − previousScore.")
    def score_change(self) -> float | None:
        return self.row.score_change

    @strawberry.field(description="1 for the highest score among the units sharing its parent "
                      "(equal scores share a rank); null without a score.")  # fmt: skip
    def rank(self) -> int | None:
        return self.row.rank

    @strawberry.field(description="How many of those siblings have a score: rank 3 of this.")
    def ranked_among(self) -> int:
        return self.row.ranked

    @strawberry.field(description="Every indicator with its target, met, gap and the month "
                      "before's value.")  # fmt: skip
    def indicators(self) -> list[IndicatorResult]:
        return [IndicatorResult(result=r) for r in self.row.indicators]


async def assessment(
    info: Info,
    period: str,
    level: str | None = None,
    under: str | None = None,
    targets_as_of: dt.datetime | None = None,
) -> list[AssessmentRow]:
    """The rows the principal may see; ranks are among all siblings, seen or not."""
    ctx = context(info)
    start, end = domain.assessment_month(period)
    ctx.loss.rules.check_period(start, end, ctx.today)
    weights = dict(ctx.settings.assessment_weights)
    seen = await units_seen(ctx, end)
    if under is None and level is None and ctx.principal is not None:
        under = ctx.principal.org

    def report(day: dt.date) -> list[Mismatch]:
        return ctx.mismatches.get(ctx.store, day)

    def run() -> list[domain.AssessmentRow]:
        units, parents = domain.assessed_units(ctx.store, end, level, under)
        return domain.assess(
            ctx.store, ctx.loss, report, period, units, parents, weights, targets_as_of
        )

    rows = await asyncio.to_thread(run)
    return [AssessmentRow(row=r, as_of=end) for r in rows if seen is None or r.org in seen]
