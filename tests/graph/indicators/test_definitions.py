"""Indicator definitions: names, directions, met and gap (pure logic)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from graph.indicators.definitions import (
    BY_NAME,
    INDICATORS,
    Direction,
    IndicatorInputs,
    IndicatorResult,
    evaluate,
)
from graph.series.loss import LossSummary

DAY = dt.date(2026, 6, 1)


def test_met_and_gap_follow_the_direction() -> None:
    assert BY_NAME["lossRate"].direction is Direction.AT_MOST
    miss = IndicatorResult("lossRate", 0.058, 0.05)
    assert miss.met is False and round(miss.gap or 0, 6) == 0.008
    assert IndicatorResult("lossRate", 0.05, 0.05).met is True  # at the target is met
    assert IndicatorResult("qualifiedRate", 0.9, 0.95).met is False
    assert IndicatorResult("qualifiedRate", 0.95, 0.95).met is True
    assert IndicatorResult("highCount", 3.0, 2.0).met is False
    unknown = IndicatorResult("lossRate", None, 0.05)
    assert (unknown.met, unknown.gap) == (None, None)
    assert (IndicatorResult("lossRate", 0.05).met, IndicatorResult("lossRate", 0.05).gap) == (
        None,
        None,
    )


def test_a_unit_without_areas_or_customers_has_no_rates() -> None:
    empty = IndicatorInputs(LossSummary(DAY, DAY), customer_meters=0, mismatched_meters=0)
    values = {r.name: r.value for r in evaluate(empty)}
    assert values == {
        "lossRate": None,
        "qualifiedRate": None,
        "computableRate": None,
        "highCount": 0.0,
        "negativeCount": 0.0,
        "collectionRate": None,
        "consistencyRate": None,
        "technicalLossRate": None,
        "managementLossRate": None,
    }


def test_values_and_targets_in_order() -> None:
    loss = LossSummary(
        DAY,
        DAY,
        transformer_count=4,
        normal_count=2,
        high_count=1,
        uncomputable_count=1,
        supply_kwh=Decimal(200),
        sales_kwh=Decimal(188),
        loss_kwh=Decimal(12),
        meter_read=95,
        meter_expected=100,
        technical_kwh=Decimal(5),
    )
    found = evaluate(IndicatorInputs(loss, 40, 2), {"lossRate": 0.05, "consistencyRate": 0.9})
    assert [r.name for r in found] == [i.name for i in INDICATORS]
    by = {r.name: r for r in found}
    assert (by["lossRate"].value, by["lossRate"].met) == (0.06, False)
    assert (by["computableRate"].value, by["collectionRate"].value) == (0.75, 0.95)
    assert (by["consistencyRate"].value, by["consistencyRate"].met) == (0.95, True)
    assert (by["technicalLossRate"].value, by["managementLossRate"].value) == (0.025, 0.035)
    assert by["qualifiedRate"].target is None
