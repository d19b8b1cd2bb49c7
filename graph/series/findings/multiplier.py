"""WRONG_MULTIPLIER: a gate meter whose archived multiplier (CT ratio) makes its area's balance
absurd while a usual ratio makes it plausible.

With another multiplier M' the gate's part of the supply scales by M'/M. An archived ratio
that leaves the area losing less than -3 % or more than 20 % over the period, where a usual
ratio gives a rate inside 0-12 % and near the rates of the feeder's other areas, is named; the
daily rates with that ratio must also be steady (a wrong ratio scales every day alike).
A gate whose multiplier changed inside the period is left out.
"""

from __future__ import annotations

import numpy as np

from graph.series.findings.inputs import GATE, Floats, PeriodInputs
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


def find(inputs: PeriodInputs, fits: list[Residuals | None]) -> list[Finding]:
    valid = inputs.gates_read
    sold = np.where(valid, inputs.sales_kwh + inputs.unread_kwh, 0.0)
    supplied = np.where(valid, inputs.supply_kwh, 0.0)
    total_sold, total_supplied = sold.sum(axis=1), supplied.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(total_supplied > 0, 1 - total_sold / total_supplied, np.nan)
    typical = _typical_rates(inputs, rate)
    gates = np.flatnonzero(
        (inputs.role == GATE) & (inputs.area_of >= 0) & ~inputs.multiplier_changed
    )
    found = []
    for g in gates.tolist():
        a = int(inputs.area_of[g])
        days = valid[a]
        if days.sum() < 3 or total_sold[a] <= 0:
            continue
        rate0 = float(rate[a]) if not np.isnan(rate[a]) else -np.inf
        if ABSURD_LOW <= rate0 <= ABSURD_HIGH:
            continue
        archived = float(inputs.multiplier[g])
        gate_kwh = np.nan_to_num(inputs.import_kwh[g] - inputs.export_kwh[g])
        gate_kwh = np.where(days, gate_kwh, 0.0)
        aim = typical.get(inputs.feeders[a], TYPICAL_RATE)
        best = None
        for ratio in USUAL_RATIOS:
            if ratio == archived:
                continue
            daily_supply = supplied[a] + gate_kwh * (ratio / archived - 1)
            total = float(daily_supply.sum())
            if total <= 0:
                continue
            new_rate = 1 - float(total_sold[a]) / total
            if not PLAUSIBLE_LOW <= new_rate <= PLAUSIBLE_HIGH:
                continue
            if best is None or abs(new_rate - aim) < abs(best[1] - aim):
                best = (ratio, new_rate, daily_supply)
        if best is None:
            continue
        ratio, new_rate, daily_supply = best
        with np.errstate(divide="ignore", invalid="ignore"):
            daily_rate = 1 - sold[a][days] / daily_supply[days]
        spread = float(np.nanstd(daily_rate))
        absurd = (
            clip01((ABSURD_LOW - rate0) / 0.15)
            if rate0 < ABSURD_LOW
            else clip01((rate0 - ABSURD_HIGH) / 0.2)
        )
        score = absurd * clip01(1 - abs(new_rate - aim) / 0.08) * clip01(1 - spread / 0.06)
        if score <= 0:
            continue
        moved_kwh = abs(float(daily_supply.sum()) - float(total_supplied[a]))
        found.append(
            Finding(
                kind=FindingKind.WRONG_MULTIPLIER,
                transformer=inputs.areas[a],
                meter=inputs.meters[g],
                likely_multiplier=float(ratio),
                score=round(score, 4),
                loss_impact_kwh=round(moved_kwh, 2),
                evidence=(
                    ("archived_multiplier", number(archived)),
                    ("likely_multiplier", number(float(ratio))),
                    ("loss_rate_archived", number(rate0, 4)),
                    ("loss_rate_likely", number(new_rate, 4)),
                    ("feeder_typical_rate", number(aim, 4)),
                    ("daily_rate_spread", number(spread, 4)),
                    ("days_used", str(int(days.sum()))),
                    (
                        "loss_effect",
                        "lowers its area's loss" if rate0 < 0 else "raises its area's loss",
                    ),
                ),
            )
        )
    return found
