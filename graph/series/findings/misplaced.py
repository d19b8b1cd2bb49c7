"""METER_IN_OTHER_AREA: a meter archived under area A but fed by area B.

Its use is in B's gate and A's sales: A's daily loss is lower by exactly its use and B's
higher, day by day. So in A's loss (after what A's supply explains) the meter's series has a
slope of -1, and in B's a slope of +1; a meter rightly archived has 0 in both. Every meter is
tried against every other area of its feeder with one slope for both areas at once (its use
entering A with -1 and B with +1): per feeder, one matrix product per area. The best area by
t-statistic is named when the slope is near 1 and each side has the right sign.

What it cannot see: a meter whose day-to-day variation is small against the noise of the two
areas' daily loss (a steady small household between two large areas).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from graph.series.findings.inputs import CUSTOMER, Floats, PeriodInputs
from graph.series.findings.model import Finding, FindingKind, clip01, number
from graph.series.findings.regression import Residuals

SLOPE_LOW, SLOPE_HIGH = 0.5, 1.5  # the joint slope: "the whole use moved"
SIDE_SLOPE = 0.3  # each area's own slope must have the right sign by this much
T_MIN = 4.0  # below this a pair is not reported (a feeder of 7k meters x 30 areas: ~200k pairs)


def find(inputs: PeriodInputs, fits: list[Residuals | None]) -> list[Finding]:
    usual = inputs.usual_kwh
    use = inputs.filled_kwh
    metered = (inputs.role == CUSTOMER) & (usual > 0) & (inputs.area_of >= 0)
    areas_of_feeder: dict[str, list[int]] = {}
    for a, feeder in enumerate(inputs.feeders):
        if fits[a] is not None:
            areas_of_feeder.setdefault(feeder or inputs.areas[a], []).append(a)
    found = []
    for areas in areas_of_feeder.values():
        if len(areas) < 2:
            continue
        rows = np.flatnonzero(metered & np.isin(inputs.area_of, areas))
        if len(rows):
            found.extend(_feeder(inputs, fits, use, areas, rows))
    return found


def _feeder(
    inputs: PeriodInputs,
    fits: list[Residuals | None],
    use: Floats,
    areas: list[int],
    rows: npt.NDArray[np.int64],
) -> list[Finding]:
    """The pairs of one feeder: its meters against each of its areas."""
    area_fits = [fits[a] for a in areas]
    num = np.empty((len(rows), len(areas)))
    den = np.empty((len(rows), len(areas)))
    for k, area in enumerate(area_fits):
        assert area is not None
        x = area.of(use[rows])
        num[:, k] = x @ area.loss
        den[:, k] = np.einsum("mn,mn->m", x, x)
    sum_sq = np.array([f.sum_sq for f in area_fits if f is not None])
    counts = np.array([f.count for f in area_fits if f is not None])
    free = counts - np.array([f.basis.shape[1] for f in area_fits if f is not None])
    column = {a: k for k, a in enumerate(areas)}
    own = np.array([column[int(a)] for a in inputs.area_of[rows]])
    m = np.arange(len(rows))
    num_a, den_a = num[m, own][:, None], den[m, own][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        both = den + den_a
        gamma = (num - num_a) / both
        left = np.maximum(sum_sq[None, :] + sum_sq[own][:, None] - gamma * (num - num_a), 1e-9)
        dof = np.maximum(free[None, :] + free[own][:, None] - 1, 1)
        t = gamma * np.sqrt(both) / np.sqrt(left / dof)
        side_a = num_a / den_a
        side_b = num / den
    ok = (
        (gamma >= SLOPE_LOW)
        & (gamma <= SLOPE_HIGH)
        & (side_a <= -SIDE_SLOPE)
        & (side_b >= SIDE_SLOPE)
        & (t >= T_MIN)
    )
    ok[m, own] = False
    t_ok = np.where(ok, t, -np.inf)
    best = np.argmax(t_ok, axis=1)
    found = []
    for k in np.flatnonzero(np.isfinite(t_ok[m, best])).tolist():
        i, b, a = int(rows[k]), int(best[k]), int(own[k])
        g, tt = float(gamma[k, b]), float(t[k, b])
        moved_kwh = float(np.nansum(use[i][inputs.in_service[i]]))
        score = clip01((tt - T_MIN) / 4.0) * clip01(1 - abs(g - 1) / 0.5)  # t 6 -> 0.5
        found.append(
            Finding(
                kind=FindingKind.METER_IN_OTHER_AREA,
                transformer=inputs.areas[areas[a]],
                meter=inputs.meters[i],
                likely_transformer=inputs.areas[areas[b]],
                score=round(score, 4),
                loss_impact_kwh=round(moved_kwh, 2),
                evidence=(
                    ("fitted_share", number(g)),
                    ("t", number(tt, 1)),
                    ("slope_in_archived_area", number(float(side_a[k, 0]))),
                    ("slope_in_likely_area", number(float(side_b[k, b]))),
                    ("area_days_used", str(int(counts[a] + counts[b]))),
                    ("use_kwh", number(moved_kwh, 2)),
                    ("loss_effect", "lowers the archived area's loss, raises the likely one's"),
                ),
            )
        )
    return found
