"""IndicatorResult: one indicator of an org unit over a period (graph/indicators)."""

from __future__ import annotations

import strawberry

from graph.indicators import definitions as domain

IndicatorDirection = strawberry.enum(
    domain.Direction,
    description="AT_MOST: met when the value is at or below its target (loss rates, counts of "
    "bad areas); AT_LEAST: at or above (qualified, collection, consistency rates).",
)


@strawberry.type(
    description="An indicator's value for a unit over a period, with its target when one is "
    "set (docs/indicators.md defines each)."
)
class IndicatorResult:
    result: strawberry.Private[domain.IndicatorResult]

    @strawberry.field(description="lossRate, qualifiedRate, computableRate, highCount, "
                      "negativeCount, collectionRate, consistencyRate, technicalLossRate or "
                      "managementLossRate.")  # fmt: skip
    def name(self) -> str:
        return self.result.name

    @strawberry.field(description="The name as a spreadsheet heads it: 台区线损率 …")
    def label(self) -> str:
        return domain.BY_NAME[self.result.name].label

    @strawberry.field
    def direction(self) -> IndicatorDirection:  # type: ignore[valid-type]
        return domain.BY_NAME[self.result.name].direction

    @strawberry.field(description="Null when the unit has nothing to compute it from.")
    def value(self) -> float | None:
        return self.result.value

    @strawberry.field(description="Null when no target is set for the unit and period.")
    def target(self) -> float | None:
        return self.result.target

    @strawberry.field(description="Whether the value meets the target; null without both.")
    def met(self) -> bool | None:
        return self.result.met

    @strawberry.field(description="value − target; null without both.")
    def gap(self) -> float | None:
        return self.result.gap

    @strawberry.field(description="The value over the period before (in an assessment, the "
                      "month before); null elsewhere or without one.")  # fmt: skip
    def previous(self) -> float | None:
        return self.result.previous

    @strawberry.field(description="value − previous; null without both.")
    def change(self) -> float | None:
        return self.result.change
