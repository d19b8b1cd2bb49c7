"""Org units' indicators over a period, from the loss reader and the mismatch report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence

from graph.domain.model import MeterRole
from graph.domain.scope import Scope
from graph.domain.targets import current, period_of, periods_answering, unit_targets
from graph.indicators.definitions import IndicatorInputs, IndicatorResult, evaluate
from graph.series.reader import LossReader
from graph.services.mismatches import Mismatch
from graph.stores.contract import Store


def mismatched_customers(report: list[Mismatch]) -> Counter[str]:
    """Customer meters with an open mismatch, by the area the marketing archive places them in
    (the area whose consistency they lower)."""
    return Counter(
        m.marketing_area
        for m in report
        if m.marketing_area is not None and m.meter.get("role") == MeterRole.CUSTOMER
    )


def unit_inputs(
    loss: LossReader,
    report: list[Mismatch],
    units: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, IndicatorInputs]:
    """Each unit's inputs over [start, end]: its subtree as on `end` (the report is `end`'s)."""
    summaries = loss.summaries(Scope.ORG, units, start, end, technical=True)
    customers = loss.customer_meters(end)
    mismatched = mismatched_customers(report)
    found = {}
    for unit in units:
        areas = loss.areas_under(Scope.ORG, unit, end)
        found[unit] = IndicatorInputs(
            loss=summaries[unit],
            customer_meters=sum(customers.get(a, 0) for a in areas),
            mismatched_meters=sum(mismatched.get(a, 0) for a in areas),
        )
    return found


def unit_indicators(
    loss: LossReader,
    report: list[Mismatch],
    units: Sequence[str],
    start: dt.date,
    end: dt.date,
    targets: Mapping[str, dict[str, float]] | None = None,
) -> dict[str, list[IndicatorResult]]:
    """Each unit's indicators over [start, end], with its `targets` (by unit, by name)."""
    targets = targets or {}
    found = unit_inputs(loss, report, units, start, end)
    return {u: evaluate(i, targets.get(u)) for u, i in found.items()}


def period_targets(
    store: Store,
    units: Sequence[str],
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime | None = None,
) -> dict[str, dict[str, float]]:
    """Each unit's targets for [start, end] when it is a calendar month or year (a month takes
    its year's where it has none of its own), as recorded at `as_of` (None: now); none else."""
    period = period_of(start, end)
    if period is None:
        return {}
    held = current(store.target_versions(periods_answering(period)), as_of)
    found = unit_targets(held, period)
    return {u: found.get(u, {}) for u in units}
