"""The status rule and the roll-up as pure functions (exact integer arithmetic)."""

from __future__ import annotations

import datetime as dt
import doctest
from decimal import Decimal

from graph.series import judge as judge_module
from graph.series.judge import SCALE, AreaNumbers, judge, rollup
from graph.series.loss import LossRules, LossStatus

DAY = dt.date(2026, 10, 1)


def _numbers(supply_kwh: str, sales_kwh: str, read: int = 50, expected: int = 50) -> AreaNumbers:
    return AreaNumbers(
        days=1, gate_days=1, gate_expected=1, gate_read=1, meter_expected=expected,
        meter_read=read, supply_units=int(Decimal(supply_kwh) * SCALE),
        sales_units=int(Decimal(sales_kwh) * SCALE),
    )  # fmt: skip


def test_doctests() -> None:
    assert doctest.testmod(judge_module).failed == 0


def test_thresholds_compare_exactly_without_floats() -> None:
    rules = LossRules(high_rate=Decimal("0.1"))
    # 0.1 is not exact as a float; the rule compares 1/10 by cross-multiplication.
    at = judge("T", DAY, DAY, _numbers("0.3", "0.27"), rules)
    assert at.loss_kwh == Decimal("0.03") and at.status is LossStatus.NORMAL
    above = judge("T", DAY, DAY, _numbers("0.3", "0.26999999"), rules)
    assert above.status is LossStatus.HIGH
    thirds = LossRules(min_coverage=Decimal("0.98"))
    assert judge("T", DAY, DAY, _numbers("10", "9.5", 98, 100), thirds).low_coverage is False
    assert judge("T", DAY, DAY, _numbers("10", "9.5", 97, 99), thirds).low_coverage is True


def test_no_meters_expected_means_full_coverage() -> None:
    area = judge("T", DAY, DAY, _numbers("10", "9", 0, 0), LossRules())
    assert area.reading_coverage == 1.0 and area.status is LossStatus.NORMAL


def test_summary_of_nothing() -> None:
    empty = rollup(DAY, DAY, [], LossRules())
    assert (empty.transformer_count, empty.loss_rate, empty.qualified_rate) == (0, None, None)
    assert empty.reading_coverage == 1.0
