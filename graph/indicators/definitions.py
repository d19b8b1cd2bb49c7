"""The indicators of an org unit over a period: each with a fixed name, a Chinese label, the
direction that meets a target and its formula (docs/indicators.md).

To add one: a line in INDICATORS whose `value` reads what `IndicatorInputs` holds (or a new
field there, filled by graph/services/indicators.py), a line in docs/indicators.md, and a test
computing it by hand. Names are a public contract: never rename one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from graph.series.loss import LossSummary, ratio


class Direction(StrEnum):
    """Which side of its target an indicator must stay on."""

    AT_MOST = "AT_MOST"  # met when value <= target (loss rates, counts of bad areas)
    AT_LEAST = "AT_LEAST"  # met when value >= target (qualified, collection, consistency rates)


@dataclass(frozen=True)
class IndicatorInputs:
    """What an org unit's indicators over a period are computed from."""

    loss: LossSummary  # the roll-up of the unit's areas over the period, split included
    customer_meters: int  # customer meters in service in its areas on the period's last day
    mismatched_meters: int  # of those, with an open mismatch (户变不一致) that day


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str  # as the assessment's spreadsheet heads its column
    direction: Direction
    formula: str
    value: Callable[[IndicatorInputs], float | None]


def _computable_rate(i: IndicatorInputs) -> float | None:
    areas = i.loss.transformer_count
    return ratio(areas - i.loss.uncomputable_count, areas)


def _consistency_rate(i: IndicatorInputs) -> float | None:
    return ratio(i.customer_meters - i.mismatched_meters, i.customer_meters)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "lossRate",
        "台区线损率",
        Direction.AT_MOST,
        "(supply − sales) / supply, over the areas that are not UNCOMPUTABLE",
        lambda i: i.loss.loss_rate,
    ),
    Indicator(
        "qualifiedRate",
        "台区合格率",
        Direction.AT_LEAST,
        "NORMAL areas / areas (each area judged over the whole period)",
        lambda i: i.loss.qualified_rate,
    ),
    Indicator(
        "computableRate",
        "台区可算率",
        Direction.AT_LEAST,
        "(areas − UNCOMPUTABLE areas) / areas",
        _computable_rate,
    ),
    Indicator(
        "highCount",
        "高损台区数",
        Direction.AT_MOST,
        "HIGH areas (loss rate over the high threshold)",
        lambda i: float(i.loss.high_count),
    ),
    Indicator(
        "negativeCount",
        "负损台区数",
        Direction.AT_MOST,
        "NEGATIVE areas (sales over supply)",
        lambda i: float(i.loss.negative_count),
    ),
    Indicator(
        "collectionRate",
        "采集成功率",
        Direction.AT_LEAST,
        "customer and pv meter-days with a reading / meter-days in service, all areas",
        lambda i: ratio(i.loss.meter_read, i.loss.meter_expected),
    ),
    Indicator(
        "consistencyRate",
        "户变一致率",
        Direction.AT_LEAST,
        "1 − customer meters with an open mismatch / customer meters in service, "
        "on the period's last day",
        _consistency_rate,
    ),
    Indicator(
        "technicalLossRate",
        "理论线损率",
        Direction.AT_MOST,
        "technical loss / supply, over the areas of lossRate (null when a day lacks one)",
        lambda i: i.loss.technical_loss_rate,
    ),
    Indicator(
        "managementLossRate",
        "管理线损率",
        Direction.AT_MOST,
        "(loss − technical loss) / supply, over the areas of lossRate",
        lambda i: i.loss.management_loss_rate,
    ),
)
BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator's value for a unit, with its target when one is set."""

    name: str
    value: float | None
    target: float | None = None
    previous: float | None = None  # the value over the period before (the assessment's month)

    @property
    def met(self) -> bool | None:
        """Whether the value is on the right side of the target (None: either is unknown)."""
        if self.value is None or self.target is None:
            return None
        if BY_NAME[self.name].direction is Direction.AT_MOST:
            return self.value <= self.target
        return self.value >= self.target

    @property
    def gap(self) -> float | None:
        """value − target (for a loss rate, a positive gap is a miss)."""
        if self.value is None or self.target is None:
            return None
        return self.value - self.target

    @property
    def change(self) -> float | None:
        """value − previous; None without both."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def evaluate(
    inputs: IndicatorInputs, targets: dict[str, float] | None = None
) -> list[IndicatorResult]:
    """Every indicator, in INDICATORS' order, with its target from `targets` (by name)."""
    targets = targets or {}
    return [IndicatorResult(i.name, i.value(inputs), targets.get(i.name)) for i in INDICATORS]
