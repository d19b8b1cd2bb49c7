"""The status rule and the roll-up, as pure functions over exact integer sums.

Energy arrives in units of 1e-8 kWh (the scale of a reading times a multiplier), so every sum
and comparison is an exact integer operation; thresholds compare by cross-multiplying with
their exact ratio (0.10 = 1/10), never through a float.

>>> rules = LossRules()
>>> n = AreaNumbers(days=1, gate_days=1, gate_expected=1, gate_read=1, meter_expected=50,
...                 meter_read=49, supply_units=200 * SCALE, sales_units=180 * SCALE)
>>> judge("T1", dt.date(2026, 10, 1), dt.date(2026, 10, 1), n, rules).status.value
'NORMAL'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from graph.series.loss import AreaLoss, LossRules, LossStatus, LossSummary

SCALE = 10**8  # balance units per kWh


def kwh(units: int) -> Decimal:
    return Decimal(units).scaleb(-8)


@dataclass(frozen=True, slots=True)
class AreaNumbers:
    """An area's sums over a bucket (a period or one day)."""

    days: int
    gate_days: int = 0  # days on which the area had at least one gate meter
    gate_expected: int = 0  # gate meter-days
    gate_read: int = 0
    meter_expected: int = 0  # customer and pv meter-days
    meter_read: int = 0
    supply_units: int = 0  # gate (import - export) x multiplier + customer/pv export x mult
    sales_units: int = 0  # customer/pv import x multiplier


def judge(area: str, start: dt.date, end: dt.date, n: AreaNumbers, rules: LossRules) -> AreaLoss:
    """The area's balance and status over [start, end]:

    UNCOMPUTABLE when a day lacks a gate meter, a gate meter-day lacks a reading, supply <= 0
    or coverage < min_coverage; else NEGATIVE when loss < 0, HIGH when loss / supply >
    high_rate, else NORMAL.
    """
    loss_units = n.supply_units - n.sales_units
    high_num, high_den = rules.high_rate.as_integer_ratio()
    cov_num, cov_den = rules.min_coverage.as_integer_ratio()
    no_gate = n.gate_days < n.days
    gate_missing = n.gate_read < n.gate_expected
    no_supply = n.supply_units <= 0
    low_coverage = n.meter_read * cov_den < cov_num * n.meter_expected
    if no_gate or gate_missing or no_supply or low_coverage:
        status = LossStatus.UNCOMPUTABLE
    elif loss_units < 0:
        status = LossStatus.NEGATIVE
    elif loss_units * high_den > high_num * n.supply_units:
        status = LossStatus.HIGH
    else:
        status = LossStatus.NORMAL
    return AreaLoss(
        area=area,
        start=start,
        end=end,
        days=n.days,
        gate_days=n.gate_days,
        gate_expected=n.gate_expected,
        gate_read=n.gate_read,
        meter_expected=n.meter_expected,
        meter_read=n.meter_read,
        supply_kwh=kwh(n.supply_units),
        sales_kwh=kwh(n.sales_units),
        loss_kwh=kwh(loss_units),
        status=status,
        no_gate=no_gate,
        gate_missing=gate_missing,
        no_supply=no_supply,
        low_coverage=low_coverage,
    )


def summarize(start: dt.date, end: dt.date, areas: Iterable[AreaLoss]) -> LossSummary:
    """Roll areas up: counts per status; energy over the areas that are not UNCOMPUTABLE;
    meter-days over all of them."""
    counts = dict.fromkeys(LossStatus, 0)
    supply = sales = Decimal(0)
    read = expected = 0
    for a in areas:
        counts[a.status] += 1
        read += a.meter_read
        expected += a.meter_expected
        if a.status is not LossStatus.UNCOMPUTABLE:
            supply += a.supply_kwh
            sales += a.sales_kwh
    return LossSummary(
        start=start,
        end=end,
        transformer_count=sum(counts.values()),
        normal_count=counts[LossStatus.NORMAL],
        high_count=counts[LossStatus.HIGH],
        negative_count=counts[LossStatus.NEGATIVE],
        uncomputable_count=counts[LossStatus.UNCOMPUTABLE],
        supply_kwh=supply,
        sales_kwh=sales,
        loss_kwh=supply - sales,
        meter_read=read,
        meter_expected=expected,
    )
