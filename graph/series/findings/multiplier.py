"""WRONG_MULTIPLIER: a gate meter, or a customer meter behind a CT, whose archived multiplier
(CT ratio) makes its area's balance absurd while a usual ratio makes it plausible.

With another multiplier M' a gate's part of the supply scales by M'/M, a customer meter's part
of the sales likewise. An archived ratio that leaves the area losing less than -3 % or more
than 20 % over the period, where a usual ratio gives a rate inside 0-12 % and near the rates of
the feeder's other areas, is named; the daily rates with that ratio must also be steady (a
wrong ratio scales every day alike; a customer's share of the area's load varies, so the wrong
one of two meters leaves the daily rates uneven). When other ratios of two meters of one area
both fit, the finding names the better one, lists the other (`also_fits`) and shares the score
between them. A meter whose multiplier changed inside the period is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph.series.findings.inputs import CUSTOMER, GATE, Bools, Floats, PeriodInputs
from graph.series.findings.model import Finding, FindingKind, clip01, number
from graph.series.findings.regression import Residuals

#: CT ratios as multipliers (primary / 5 A), and 1 for a meter without a CT.
USUAL_RATIOS = (
    1,
    10,
    15,
    20,
    30,
    40,
    50,
    60,
    75,
    80,
    100,
    120,
    150,
    160,
    200,
    240,
    300,
    400,
    500,
    600,
    800,
    1000,
)
ABSURD_LOW, ABSURD_HIGH = -0.03, 0.20  # rates beyond which a CT ratio is the first suspect
PLAUSIBLE_LOW, PLAUSIBLE_HIGH = 0.0, 0.12
TYPICAL_RATE = 0.04  # when the feeder has no plausible area to compare with


def _typical_rates(inputs: PeriodInputs, rate: Floats) -> dict[str, float]:
    """The median plausible loss rate of each feeder's areas."""
    by_feeder: dict[str, list[float]] = {}
    for a, feeder in enumerate(inputs.feeders):
        if PLAUSIBLE_LOW <= rate[a] <= PLAUSIBLE_HIGH:
            by_feeder.setdefault(feeder, []).append(float(rate[a]))
    return {f: float(np.median(r)) for f, r in by_feeder.items()}


@dataclass(frozen=True)
class _Option:
    """Another ratio for one meter of an area, and how well the area's balance fits with it."""

    row: int
    ratio: float
    new_rate: float
    spread: float  # of the daily rates with it
    fit: float  # 0..1: near the feeder's typical rate and steady
    moved_kwh: float  # what the supply (gate) or the sales (customer) change by


def _candidates(inputs: PeriodInputs) -> dict[int, list[int]]:
    """By area: its gates and its customer meters behind a CT (multiplier over 1), each with
    one multiplier over the whole period."""
    ct = (inputs.role == GATE) | ((inputs.role == CUSTOMER) & (inputs.multiplier > 1))
    rows = np.flatnonzero(ct & (inputs.area_of >= 0) & ~inputs.multiplier_changed)
    by_area: dict[int, list[int]] = {}
    for i in rows.tolist():
        by_area.setdefault(int(inputs.area_of[i]), []).append(i)
    return by_area


def find(inputs: PeriodInputs, fits: list[Residuals | None]) -> list[Finding]:
    valid = inputs.gates_read
    sold = np.where(valid, inputs.sales_kwh + inputs.unread_kwh, 0.0)
    supplied = np.where(valid, inputs.supply_kwh, 0.0)
    total_sold, total_supplied = sold.sum(axis=1), supplied.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(total_supplied > 0, 1 - total_sold / total_supplied, np.nan)
    typical = _typical_rates(inputs, rate)
    found = []
    for a, rows in _candidates(inputs).items():
        days = valid[a]
        if days.sum() < 3 or total_sold[a] <= 0:
            continue
        rate0 = float(rate[a]) if not np.isnan(rate[a]) else -np.inf
        if ABSURD_LOW <= rate0 <= ABSURD_HIGH:
            continue
        aim = typical.get(inputs.feeders[a], TYPICAL_RATE)
        options = [
            option
            for i in rows
            if (option := _best_ratio(inputs, i, supplied[a], sold[a], days, aim)) is not None
        ]
        if not options:
            continue
        options.sort(key=lambda o: -o.fit)
        best = options[0]
        absurd = (
            clip01((ABSURD_LOW - rate0) / 0.15)
            if rate0 < ABSURD_LOW
            else clip01((rate0 - ABSURD_HIGH) / 0.2)
        )
        # Two meters whose other ratios both fit share the evidence: the data cannot tell
        # which CT is wrong (an area with one large customer: gate and customer alike).
        share = best.fit / sum(o.fit for o in options)
        score = absurd * best.fit * share
        if score > 0:
            found.append(_finding(inputs, a, best, options[1:], rate0, aim, days, score))
    return found


def _best_ratio(
    inputs: PeriodInputs,
    i: int,
    supplied: Floats,
    sold: Floats,
    days: Bools,
    aim: float,
) -> _Option | None:
    """The usual ratio for meter `i` that gives its area the plausible loss rate nearest
    `aim` (a gate's ratio scales the supply, a customer's the sales)."""
    archived = float(inputs.multiplier[i])
    is_gate = inputs.role[i] == GATE
    kwh = inputs.import_kwh[i] - inputs.export_kwh[i] if is_gate else inputs.import_kwh[i]
    kwh = np.where(days, np.nan_to_num(kwh), 0.0)
    best = None
    for ratio in USUAL_RATIOS:
        if ratio == archived:
            continue
        change = kwh * (ratio / archived - 1)
        daily_supply = supplied + change if is_gate else supplied
        daily_sold = sold if is_gate else sold + change
        total = float(daily_supply.sum())
        if total <= 0:
            continue
        new_rate = 1 - float(daily_sold.sum()) / total
        if not PLAUSIBLE_LOW <= new_rate <= PLAUSIBLE_HIGH:
            continue
        if best is None or abs(new_rate - aim) < abs(best[1] - aim):
            best = (float(ratio), new_rate, daily_supply, daily_sold, float(change.sum()))
    if best is None:
        return None
    likely, new_rate, daily_supply, daily_sold, moved = best
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = float(np.nanstd(1 - daily_sold[days] / daily_supply[days]))
    fit = clip01(1 - abs(new_rate - aim) / 0.08) * clip01(1 - spread / 0.06)
    return _Option(i, likely, new_rate, spread, fit, abs(moved)) if fit > 0 else None


def _finding(
    inputs: PeriodInputs,
    a: int,
    best: _Option,
    others: list[_Option],
    rate0: float,
    aim: float,
    days: Bools,
    score: float,
) -> Finding:
    evidence = [
        ("meter_role", "gate" if inputs.role[best.row] == GATE else "customer"),
        ("archived_multiplier", number(float(inputs.multiplier[best.row]))),
        ("likely_multiplier", number(best.ratio)),
        ("loss_rate_archived", number(rate0, 4)),
        ("loss_rate_likely", number(best.new_rate, 4)),
        ("feeder_typical_rate", number(aim, 4)),
        ("daily_rate_spread", number(best.spread, 4)),
        ("days_used", str(int(days.sum()))),
    ]
    evidence.extend(
        ("also_fits", f"{inputs.meters[o.row]} x{number(o.ratio)}: {number(o.new_rate, 4)}")
        for o in others
    )
    effect = "lowers its area's loss" if rate0 < 0 else "raises its area's loss"
    return Finding(
        kind=FindingKind.WRONG_MULTIPLIER,
        transformer=inputs.areas[a],
        meter=inputs.meters[best.row],
        likely_multiplier=best.ratio,
        score=round(score, 4),
        loss_impact_kwh=round(best.moved_kwh, 2),
        evidence=(*evidence, ("loss_effect", effect)),
    )
