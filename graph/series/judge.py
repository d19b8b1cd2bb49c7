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
from typing import NamedTuple

from graph.series.loss import AreaLoss, LossRules, LossStatus, LossSummary
from graph.series.technical.day import TechnicalMethod

SCALE = 10**8  # balance units per kWh

# Technical loss's days, three counts packed in one integer so that a period's are one
# subtraction in the reader's hot loop: days with a value, of which by power flow, by
# equivalent resistance (at most 3660 days a period: 20 bits each are plenty).
_BITS = 20
_MASK = (1 << _BITS) - 1
DAY_WEIGHTS = (1, 1 << _BITS, 1 << (2 * _BITS))


def technical_of(days: int, packed: int) -> tuple[bool, TechnicalMethod]:
    """Whether every one of `days` has a technical loss, and the period's method: the
    weakest of its days (one day by equivalent resistance makes the period's an estimate)."""
    known = packed & _MASK
    power_flow = (packed >> _BITS) & _MASK
    equivalent = packed >> (2 * _BITS)
    if known < days:
        return False, TechnicalMethod.NONE
    if equivalent:
        return True, TechnicalMethod.EQUIVALENT_RESISTANCE
    if power_flow:
        return True, TechnicalMethod.POWER_FLOW
    return True, TechnicalMethod.NONE


def kwh(units: int) -> Decimal:
    return Decimal(units).scaleb(-8)


class AreaNumbers(NamedTuple):
    """An area's sums over a bucket (a period or one day).

    A named tuple, not a frozen dataclass: every answer builds one per area, and a frozen
    dataclass's construction took four times as long (most of a network summary's time).
    """

    days: int
    gate_days: int = 0  # days on which the area had at least one gate meter
    gate_expected: int = 0  # gate meter-days
    gate_read: int = 0
    meter_expected: int = 0  # customer and pv meter-days
    meter_read: int = 0
    supply_units: int = 0  # gate (import - export) x multiplier + customer/pv export x mult
    sales_units: int = 0  # customer/pv import x multiplier
    technical_units: int = 0  # technical loss (power flow or estimate)
    technical_days: int = 0  # packed day counts (DAY_WEIGHTS)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The rules' thresholds as exact integer ratios, worked out once per request."""

    high_num: int
    high_den: int
    cov_num: int
    cov_den: int

    @classmethod
    def of(cls, rules: LossRules) -> Thresholds:
        high = rules.high_rate.as_integer_ratio()
        cov = rules.min_coverage.as_integer_ratio()
        return cls(high[0], high[1], cov[0], cov[1])


def flags(n: AreaNumbers, t: Thresholds) -> tuple[LossStatus, bool, bool, bool, bool]:
    """The rule: (status, no_gate, gate_missing, no_supply, low_coverage).

    UNCOMPUTABLE when a day lacks a gate meter, a gate meter-day lacks a reading, supply <= 0
    or coverage < min_coverage; else NEGATIVE when loss < 0, HIGH when loss / supply >
    high_rate, else NORMAL.
    """
    loss_units = n.supply_units - n.sales_units
    no_gate = n.gate_days < n.days
    gate_missing = n.gate_read < n.gate_expected
    no_supply = n.supply_units <= 0
    low_coverage = n.meter_read * t.cov_den < t.cov_num * n.meter_expected
    if no_gate or gate_missing or no_supply or low_coverage:
        status = LossStatus.UNCOMPUTABLE
    elif loss_units < 0:
        status = LossStatus.NEGATIVE
    elif loss_units * t.high_den > t.high_num * n.supply_units:
        status = LossStatus.HIGH
    else:
        status = LossStatus.NORMAL
    return status, no_gate, gate_missing, no_supply, low_coverage


def judge(area: str, start: dt.date, end: dt.date, n: AreaNumbers, rules: LossRules) -> AreaLoss:
    """The area's balance and status over [start, end] (see `flags` for the rule)."""
    status, no_gate, gate_missing, no_supply, low_coverage = flags(n, Thresholds.of(rules))
    known, method = technical_of(n.days, n.technical_days)
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
        loss_kwh=kwh(n.supply_units - n.sales_units),
        status=status,
        no_gate=no_gate,
        gate_missing=gate_missing,
        no_supply=no_supply,
        low_coverage=low_coverage,
        technical_kwh=kwh(n.technical_units) if known else None,
        technical_method=method,
    )


def rollup(
    start: dt.date,
    end: dt.date,
    numbers: Iterable[AreaNumbers],
    rules: LossRules,
    technical: bool = True,
) -> LossSummary:
    """Roll areas up from their sums: counts per status; energy over the areas that are not
    UNCOMPUTABLE; meter-days over all of them. No per-area records are built (fast path).
    Without `technical` the split is not summed (unknown: None)."""
    t = Thresholds.of(rules)
    counts = dict.fromkeys(LossStatus, 0)
    supply = sales = read = expected = technical_units = 0
    all_known = technical
    seen = 0  # the technical day counts OR-ed: a field is non-zero when any area's is
    for n in numbers:
        status = flags(n, t)[0]
        counts[status] += 1
        read += n.meter_read
        expected += n.meter_expected
        if status is not LossStatus.UNCOMPUTABLE:
            supply += n.supply_units
            sales += n.sales_units
            if technical:
                technical_units += n.technical_units
                if n.technical_days & _MASK < n.days:
                    all_known = False
                seen |= n.technical_days
    return LossSummary(
        start=start,
        end=end,
        transformer_count=sum(counts.values()),
        normal_count=counts[LossStatus.NORMAL],
        high_count=counts[LossStatus.HIGH],
        negative_count=counts[LossStatus.NEGATIVE],
        uncomputable_count=counts[LossStatus.UNCOMPUTABLE],
        supply_kwh=kwh(supply),
        sales_kwh=kwh(sales),
        loss_kwh=kwh(supply - sales),
        meter_read=read,
        meter_expected=expected,
        technical_kwh=kwh(technical_units) if all_known else None,
        technical_method=technical_of(0, seen)[1] if all_known else TechnicalMethod.NONE,
    )
