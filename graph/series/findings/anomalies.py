"""READING_ANOMALY: what a meter's own days show, each named in the evidence (`anomaly`):

- ZERO: a register that does not move for 3 days or more (exact 0, no export) while the
  meter's usual day is at least 0.5 kWh and its neighbours use energy;
- FLAT: the same value (1 kWh or more) 4 days or more in a row (a copied reading);
- EXPORT_WITHOUT_PV: a customer meter (not pv) that exports;
- JUMP: a day over 10x the meter's usual day and 50 kWh more;
- MISSING: 3 days or more in service without a reading.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from graph.series.findings.inputs import CUSTOMER, GATE, Bools, Floats, PeriodInputs
from graph.series.findings.model import Finding, FindingKind, clip01, number
from graph.series.findings.regression import Residuals

MIN_ZERO_DAYS = 3
MIN_FLAT_DAYS = 4
FLAT_MIN_KWH = 1.0  # below, a few equal days of 2-decimal values happen by chance
MIN_MISSING_DAYS = 3
JUMP_TIMES, JUMP_KWH = 10.0, 50.0
#: Anomalies whose days raise the area's loss by use that was not registered.
UNREGISTERED = ("ZERO", "EXPORT_WITHOUT_PV")


def unregistered_kwh(inputs: PeriodInputs, i: int, finding: Finding) -> Floats:
    """(D,) what meter `i`'s wrong register left out of its area's balance each day: its
    usual day on its days of zero; twice its export where it exports without pv (counted
    as supply instead of sold)."""
    days = len(inputs.days)
    out = np.zeros(days)
    anomaly = dict(finding.evidence)["anomaly"]
    if anomaly == "ZERO" and finding.since is not None:
        first = (finding.since - inputs.days[0]).days
        length = int(dict(finding.evidence)["days"])
        out[first : first + length] = inputs.usual_kwh[i]
    elif anomaly == "EXPORT_WITHOUT_PV":
        out = 2 * np.nan_to_num(inputs.export_kwh[i])
    return out


def _longest_runs(flags: Bools) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the length and first day of its longest run of True."""
    count, days = flags.shape
    run = np.zeros(count, dtype=np.int64)
    best = np.zeros(count, dtype=np.int64)
    best_end = np.zeros(count, dtype=np.int64)
    for d in range(days):
        run = np.where(flags[:, d], run + 1, 0)
        longer = run > best
        best = np.where(longer, run, best)
        best_end = np.where(longer, d, best_end)
    return best, best_end - best + 1


def _finding(
    inputs: PeriodInputs,
    i: int,
    anomaly: str,
    score: float,
    since: dt.date | None,
    impact_kwh: float | None,
    *details: tuple[str, str],
) -> Finding:
    return Finding(
        kind=FindingKind.READING_ANOMALY,
        transformer=inputs.areas[int(inputs.area_of[i])],
        meter=inputs.meters[i],
        since=since,
        score=round(clip01(score), 4),
        loss_impact_kwh=None if impact_kwh is None else round(impact_kwh, 2),
        evidence=(("anomaly", anomaly), *details),
    )


def find(inputs: PeriodInputs, fits: list[Residuals | None]) -> list[Finding]:
    use, export = inputs.import_kwh, inputs.export_kwh
    usual = inputs.usual_kwh
    placed = inputs.area_of >= 0
    metered = placed & (inputs.role != GATE)
    read = ~np.isnan(use)
    found: list[Finding] = []

    zero = read & (use == 0) & (np.nan_to_num(export) == 0)
    length, first = _longest_runs(zero)
    for i in np.flatnonzero(metered & (usual >= 0.5) & (length >= MIN_ZERO_DAYS)).tolist():
        days = int(length[i])
        found.append(
            _finding(
                inputs,
                i,
                "ZERO",
                (days - 1) / 5,
                inputs.days[first[i]],
                usual[i] * days,
                ("days", str(days)),
                ("usual_kwh", number(float(usual[i]), 2)),
                ("loss_effect", "raises its area's loss (use not registered)"),
            )
        )

    same = np.zeros_like(read)
    with np.errstate(invalid="ignore"):
        same[:, 1:] = (
            read[:, 1:] & read[:, :-1] & (use[:, 1:] == use[:, :-1]) & (use[:, 1:] >= FLAT_MIN_KWH)
        )
    length, first = _longest_runs(same)
    for i in np.flatnonzero(metered & (length + 1 >= MIN_FLAT_DAYS)).tolist():
        days = int(length[i]) + 1
        start = int(first[i]) - 1
        found.append(
            _finding(
                inputs,
                i,
                "FLAT",
                (days - 2) / 4,
                inputs.days[start],
                None,
                ("days", str(days)),
                ("value_kwh", number(float(use[i, start]), 2)),
            )
        )

    exporting = np.nan_to_num(export) > 0
    export_days = exporting.sum(axis=1)
    for i in np.flatnonzero(placed & (inputs.role == CUSTOMER) & (export_days > 0)).tolist():
        total = float(np.nansum(export[i]))
        found.append(
            _finding(
                inputs,
                i,
                "EXPORT_WITHOUT_PV",
                export_days[i] / 3,
                inputs.days[int(np.argmax(exporting[i]))],
                2 * total,
                ("days", str(int(export_days[i]))),
                ("export_kwh", number(total, 2)),
                ("loss_effect", "raises its area's loss (counted as supply, not sold)"),
            )
        )

    with np.errstate(invalid="ignore"):
        jump = read & (use > JUMP_TIMES * usual[:, None]) & (use > usual[:, None] + JUMP_KWH)
    for i in np.flatnonzero(metered & (usual >= 0.5) & jump.any(axis=1)).tolist():
        d = int(np.argmax(np.where(jump[i], use[i], -np.inf)))
        excess = float(use[i, d] - usual[i])
        found.append(
            _finding(
                inputs,
                i,
                "JUMP",
                use[i, d] / usual[i] / 20,
                inputs.days[d],
                excess,
                ("day", inputs.days[d].isoformat()),
                ("value_kwh", number(float(use[i, d]), 2)),
                ("usual_kwh", number(float(usual[i]), 2)),
                ("loss_effect", "lowers its area's loss (sold but not used)"),
            )
        )

    missing = inputs.in_service & ~read
    missing_days = missing.sum(axis=1)
    length, first = _longest_runs(missing)
    for i in np.flatnonzero(metered & (length >= MIN_MISSING_DAYS)).tolist():
        days = int(missing_days[i])
        found.append(
            _finding(
                inputs,
                i,
                "MISSING",
                (days - 2) / 4,
                inputs.days[first[i]],
                usual[i] * days,
                ("days", str(days)),
                ("longest_run_days", str(int(length[i]))),
                ("usual_kwh", number(float(usual[i]), 2)),
                ("loss_effect", "raises its area's loss (use not in the sales)"),
            )
        )
    return found
