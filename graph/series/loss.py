"""Line loss as the domain states it: area balances, their status and reasons, subtree roll-ups.

This module holds the thresholds, the result records, the ratios (computed from exact sums) and
the reasons text; `graph.series.judge` applies the status rule.

    supply = gate (import - export) x multiplier + customer/pv export x multiplier
    sales  = customer/pv import x multiplier
    loss   = supply - sales;  lossRate = loss / supply (None when supply <= 0)
    technical loss: by power flow or its estimate (graph.series.technical), day by day
    management loss = loss - technical loss;  each rate over supply
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from graph.domain import clock
from graph.domain.dates import DateBounds
from graph.domain.errors import InputError
from graph.series.technical.day import TechnicalMethod


class LossStatus(StrEnum):
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    NEGATIVE = "NEGATIVE"
    UNCOMPUTABLE = "UNCOMPUTABLE"


class LossStep(StrEnum):
    """The buckets of a loss series: each day, or each calendar month (the part of it inside
    the period)."""

    DAY = "DAY"
    MONTH = "MONTH"


class LossOrder(StrEnum):
    LOSS_RATE_DESC = "LOSS_RATE_DESC"
    LOSS_RATE_ASC = "LOSS_RATE_ASC"
    LOSS_KWH_DESC = "LOSS_KWH_DESC"
    MANAGEMENT_LOSS_RATE_DESC = "MANAGEMENT_LOSS_RATE_DESC"
    MANAGEMENT_LOSS_RATE_ASC = "MANAGEMENT_LOSS_RATE_ASC"


@dataclass(frozen=True)
class LossRules:
    """Thresholds (configuration): HIGH above `high_rate`, UNCOMPUTABLE below `min_coverage`."""

    high_rate: Decimal = Decimal("0.10")
    min_coverage: Decimal = Decimal("0.98")
    max_days: int = 400
    dates: DateBounds = field(default_factory=DateBounds)

    def check_period(self, start: dt.date, end: dt.date, today: dt.date | None = None) -> None:
        """Refuse a reversed or too long period, or one outside the accepted dates, with a
        message fit for the caller."""
        for day in (start, end):
            problem = self.dates.problem(day, today or clock.today())
            if problem:
                raise InputError(f"period: {problem}")
        if end < start:
            raise InputError(f"period ends ({end}) before it starts ({start})")
        days = (end - start).days + 1
        if days > self.max_days:
            raise InputError(
                f"period of {days} days is longer than the maximum of {self.max_days} days"
            )


def ratio(part: Decimal | int, whole: Decimal | int) -> float | None:
    """part / whole from exact values, None when whole <= 0."""
    if whole <= 0:
        return None
    return float(Decimal(part) / Decimal(whole))


def coverage(read: int, expected: int) -> float:
    """Meter-days read over meter-days expected; 1.0 when none were expected (none missing)."""
    return 1.0 if expected <= 0 else float(Decimal(read) / Decimal(expected))


class TechnicalSplit:
    """Loss split into technical and management loss, for an area's balance and a roll-up
    alike (technical_kwh None: not known for every day, so neither is the split)."""

    supply_kwh: Decimal
    loss_kwh: Decimal
    technical_kwh: Decimal | None
    technical_method: TechnicalMethod

    @property
    def technical_loss_rate(self) -> float | None:
        return None if self.technical_kwh is None else ratio(self.technical_kwh, self.supply_kwh)

    @property
    def management_loss_kwh(self) -> Decimal | None:
        return None if self.technical_kwh is None else self.loss_kwh - self.technical_kwh

    @property
    def management_loss_rate(self) -> float | None:
        management = self.management_loss_kwh
        return None if management is None else ratio(management, self.supply_kwh)


@dataclass(frozen=True)
class AreaLoss(TechnicalSplit):
    """One area's balance over a period (or one day of a series)."""

    area: str
    start: dt.date
    end: dt.date
    days: int
    gate_days: int  # days with at least one gate meter
    gate_expected: int  # gate meter-days
    gate_read: int
    meter_expected: int  # customer and pv meter-days
    meter_read: int
    supply_kwh: Decimal
    sales_kwh: Decimal
    loss_kwh: Decimal
    status: LossStatus
    no_gate: bool
    gate_missing: bool
    no_supply: bool
    low_coverage: bool
    # None when a day of the period has none (not yet computed)
    technical_kwh: Decimal | None = None
    technical_method: TechnicalMethod = TechnicalMethod.NONE

    @property
    def loss_rate(self) -> float | None:
        return ratio(self.loss_kwh, self.supply_kwh)

    @property
    def reading_coverage(self) -> float:
        return coverage(self.meter_read, self.meter_expected)

    def reasons(self, rules: LossRules) -> list[str]:
        """Why the area is UNCOMPUTABLE, HIGH or NEGATIVE (empty when NORMAL)."""
        found: list[str] = []
        if self.no_gate:
            if self.gate_days == 0:
                found.append("no gate meter")
            else:
                missing = self.days - self.gate_days
                found.append(f"no gate meter on {missing} of {self.days} days")
        if self.gate_missing:
            missing = self.gate_expected - self.gate_read
            found.append(
                f"gate meter readings missing for {missing} of {self.gate_expected} meter-days"
            )
        if self.no_supply:
            found.append(f"supply is not positive ({self.supply_kwh.normalize():f} kWh)")
        if self.low_coverage:
            found.append(
                f"reading coverage {self.reading_coverage:.4f} is below {rules.min_coverage}"
                f" ({self.meter_read} of {self.meter_expected} meter-days read)"
            )
        if self.status is LossStatus.NEGATIVE:
            found.append(f"loss rate {self.loss_rate:.4f} is negative: sales exceed supply")
        elif self.status is LossStatus.HIGH:
            found.append(f"loss rate {self.loss_rate:.4f} is above {rules.high_rate}")
        return found


@dataclass(frozen=True)
class LossSummary(TechnicalSplit):
    """A subtree's roll-up over a period (or one day of a series)."""

    start: dt.date
    end: dt.date
    transformer_count: int = 0
    normal_count: int = 0
    high_count: int = 0
    negative_count: int = 0
    uncomputable_count: int = 0
    supply_kwh: Decimal = Decimal(0)  # over the areas that are not UNCOMPUTABLE
    sales_kwh: Decimal = Decimal(0)
    loss_kwh: Decimal = Decimal(0)
    meter_read: int = 0  # over all areas
    meter_expected: int = 0
    # Over the same areas as supply; None when one of them has none for a day
    technical_kwh: Decimal | None = Decimal(0)
    technical_method: TechnicalMethod = TechnicalMethod.NONE

    @property
    def loss_rate(self) -> float | None:
        return ratio(self.loss_kwh, self.supply_kwh)

    @property
    def qualified_rate(self) -> float | None:
        return ratio(self.normal_count, self.transformer_count)

    @property
    def reading_coverage(self) -> float:
        return coverage(self.meter_read, self.meter_expected)


@dataclass(frozen=True)
class RankingPage:
    items: list[AreaLoss]
    total_count: int
    offset: int
    has_next: bool


@dataclass(frozen=True)
class Reading:
    """One meter-day as registered (before the multiplier), with the meter's multiplier."""

    day: dt.date
    import_kwh: Decimal
    export_kwh: Decimal
    multiplier: Decimal


@dataclass(frozen=True)
class ReadingCorrection:
    """A stored meter-day replaced by a later import: when, by which file, old and new."""

    day: dt.date
    replaced_at: dt.datetime
    source: str
    old_import_kwh: Decimal
    old_export_kwh: Decimal
    new_import_kwh: Decimal
    new_export_kwh: Decimal
