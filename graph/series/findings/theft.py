"""THEFT_SUSPECT: a meter that registers less from a day on, while its area's loss rises by
what it stopped registering.

1. Each meter's day relative to its neighbours (log of its use over the median of its area's
   meters that day: weather and weekdays cancel) is cut in two at every day; the cut with the
   most significant drop is its day (cumulative sums: all cuts of all meters at once).
2. What it stopped registering: from that day, what it registered times (1 / share - 1),
   the share being its level after over its level before (a meter bypassed in part).
3. The drop must hold to the end of the period (a household away comes back), and its
   area's loss (after what the area's supply explains) must rise by that much: a slope near
   1 on the missing series. A household that uses less (the gate sees it too) fails here.

What it cannot see: theft from before the period's first days (no level before to compare),
and a drop too small against the noise of its area's daily loss.

A meter that registers exact zeros or exports without pv is a reading anomaly, not this.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from graph.series.findings.inputs import CUSTOMER, Floats, PeriodInputs, quiet
from graph.series.findings.model import Finding, FindingKind, clip01, number
from graph.series.findings.regression import Residuals, fit

MIN_SIDE = 5  # days before a cut
MIN_AFTER = 7  # days after it: a drop in the period's last days is too recent to tell
#: The drop's t-statistic must be below this, once corrected for the correlation of a
#: household's days (a day like the one before makes the plain t too large).
T_DROP = -3.5
MIN_DROP = 0.2  # and the meter register at least 20 % less
OFFSET_KWH = 0.1  # keeps the log finite on days of (almost) nothing
#: A lasting drop is far more often a household using less (moved out, away) than theft:
#: about one suspect in twenty was a thief on generated feeders; the area's loss must make
#: theft twenty times likelier than that to reach a score of 0.5.
PRIOR_ODDS = 0.05


def _neighbours(inputs: PeriodInputs) -> Floats:
    """(A, D) the median use of each area's customer meters each day."""
    median = np.full((len(inputs.areas), len(inputs.days)), np.nan)
    customers = inputs.role == CUSTOMER
    for a in np.unique(inputs.area_of[customers & (inputs.area_of >= 0)]).tolist():
        rows = inputs.import_kwh[customers & (inputs.area_of == a)]
        if len(rows) >= 5:
            with quiet():
                median[a] = np.nanmedian(rows, axis=0)
    return median


CUT_ROWS = 50_000  # meters whose cuts are worked out at once (~15 arrays of rows x days)


def _cuts_in_parts(x: Floats) -> tuple[np.ndarray, Floats]:
    """_cuts over parts of the rows: memory bounded by CUT_ROWS whatever the network."""
    if len(x) <= CUT_ROWS:
        return _cuts(x)
    parts = [_cuts(x[i : i + CUT_ROWS]) for i in range(0, len(x), CUT_ROWS)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _cuts(x: Floats) -> tuple[np.ndarray, Floats]:
    """For each row of x (NaN: unknown), the cut day with the most negative t of (mean
    after - mean before), and that t."""
    known = ~np.isnan(x)
    v = np.where(known, x, 0.0)
    n = np.cumsum(known, axis=1)
    s = np.cumsum(v, axis=1)
    q = np.cumsum(v * v, axis=1)
    total_n, total_s, total_q = n[:, -1:], s[:, -1:], q[:, -1:]
    # A cut at k: before = days < k (column k - 1 of the sums).
    n1, s1, q1 = n[:, :-1], s[:, :-1], q[:, :-1]
    n2, s2, q2 = total_n - n1, total_s - s1, total_q - q1
    with np.errstate(divide="ignore", invalid="ignore"):
        m1, m2 = s1 / n1, s2 / n2
        ss = (q1 - n1 * m1 * m1) + (q2 - n2 * m2 * m2)
        var = ss / np.maximum(n1 + n2 - 2, 1)
        t = (m2 - m1) / np.sqrt(np.maximum(var, 1e-6) * (1 / n1 + 1 / n2))
    t = np.where((n1 >= MIN_SIDE) & (n2 >= MIN_AFTER), t, np.inf)
    t = np.nan_to_num(t, nan=np.inf)
    best = np.argmin(t, axis=1)
    return best + 1, t[np.arange(len(t)), best]


def _area_odds(gamma: float, t: float) -> float:
    """How much more likely the area's loss is with the missing energy in it (slope 1) than
    without (slope 0), as a probability from PRIOR_ODDS: exp(s^2 (gamma - 1/2)) where s^2 is
    the missing series' signal over the area's noise (t = gamma s)."""
    if gamma <= 0:
        return 0.0
    signal_sq = (t / gamma) ** 2
    # Beyond 1.5 the area lost far more than this meter's share: no further evidence for it.
    log_odds = signal_sq * (min(gamma, 1.5) - 0.5) + math.log(PRIOR_ODDS)
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, log_odds))))


def _correlation_factor(x: Floats, day: int) -> float:
    """sqrt((1 - r) / (1 + r)) for the lag-1 autocorrelation r of the days around their two
    levels: what correlated days leave of a t-statistic (their effective number)."""
    left = x.copy()
    left[:day] -= np.nanmean(x[:day])
    left[day:] -= np.nanmean(x[day:])
    pairs = ~np.isnan(left[1:]) & ~np.isnan(left[:-1])
    a, b = left[1:][pairs], left[:-1][pairs]
    if len(a) < 3 or not (a.std() > 0 and b.std() > 0):
        return 1.0
    r = min(0.9, max(0.0, float(np.corrcoef(a, b)[0, 1])))
    return math.sqrt((1 - r) / (1 + r))


def _lasts(after: Floats, before: float) -> bool:
    """The drop holds to the end: its first and last days (a third each, 2 at least) are
    both below the level before by MIN_DROP (a household away comes back)."""
    known = after[~np.isnan(after)]
    part = max(2, len(known) // 3)
    if len(known) < 2 * part:
        return False
    limit = before + np.log(1 - MIN_DROP)
    return bool(known[:part].mean() <= limit and known[-part:].mean() <= limit)


@dataclass
class _Suspect:
    row: int  # the meter's row in the inputs
    day: int  # the first day of the drop
    drop: float
    t_drop: float
    missing: Floats  # (D,) kWh it stopped registering


def find(inputs: PeriodInputs, fits: list[Residuals | None]) -> list[Finding]:
    found = []
    for a, suspects in _suspects(inputs, fits).items():
        start = fits[a]
        assert start is not None  # _suspects keeps areas with a fit
        # The best explanation of the area's loss first; one taken as theft leaves its share
        # out of the area's loss for the next (two meters must not both claim one rise).
        alone = fit(start, np.array([s.missing for s in suspects]))
        each = [
            (float(g), float(t), _area_odds(float(g), float(t)))
            for g, t in zip(alone.gamma, alone.t, strict=True)
        ]
        order = sorted(range(len(suspects)), key=lambda k: -each[k][2])
        area = start
        for k in order:
            s = suspects[k]
            gamma, t_area, odds = each[k]
            if area is not start:  # an earlier thief's share is out: fit again
                f = fit(area, s.missing[None, :])
                gamma, t_area = float(f.gamma[0]), float(f.t[0])
                odds = _area_odds(gamma, t_area)
            score = clip01((-s.t_drop - 3.0) / 4.0) * odds  # t -5: 0.5, -7: 1
            if score >= 0.01:
                found.append(_finding(inputs, a, s, gamma, t_area, score))
            if odds >= 0.5:
                area = area.without(s.missing)
    return found


def _suspects(inputs: PeriodInputs, fits: list[Residuals | None]) -> dict[int, list[_Suspect]]:
    """The meters with a lasting, significant drop against their neighbours, by area."""
    neighbours = _neighbours(inputs)
    use = inputs.import_kwh
    usual = inputs.usual_kwh
    customers = (inputs.role == CUSTOMER) & (inputs.area_of >= 0) & (usual >= 0.5)
    zeros = np.nansum(use == 0, axis=1) >= 2
    exports = np.nansum(inputs.export_kwh > 0, axis=1) > 0
    rows = np.flatnonzero(customers & ~zeros & ~exports)
    found: dict[int, list[_Suspect]] = {}
    if not len(rows):
        return found
    base = neighbours[inputs.area_of[rows]]
    x = np.log(np.maximum(use[rows], 0) + OFFSET_KWH) - np.log(np.maximum(base, 0) + OFFSET_KWH)
    cut, t_drop = _cuts_in_parts(x)
    day_index = np.arange(len(inputs.days))
    for k in np.flatnonzero(t_drop <= T_DROP).tolist():
        i, day = int(rows[k]), int(cut[k])
        t_drop[k] *= _correlation_factor(x[k], day)
        if t_drop[k] > T_DROP:
            continue
        a = int(inputs.area_of[i])
        if fits[a] is None:
            continue
        before = float(np.nanmean(x[k, :day]))
        drop = 1 - float(np.exp(np.nanmean(x[k, day:]) - before))
        if drop < MIN_DROP or not _lasts(x[k, day:], before):
            continue
        # A meter bypassed in part registers a share of what is used, day by day: what it
        # misses follows its own days (registered x (1/share - 1)), as the area's loss does.
        share = 1 - drop
        missing = np.where(day_index >= day, use[i] * (1 / share - 1), 0.0)
        missing = np.nan_to_num(np.maximum(missing, 0.0))
        found.setdefault(a, []).append(_Suspect(i, day, drop, float(t_drop[k]), missing))
    return found


def _finding(
    inputs: PeriodInputs, a: int, s: _Suspect, gamma: float, t_area: float, score: float
) -> Finding:
    missing_kwh = float(s.missing.sum())
    since: dt.date = inputs.days[s.day]
    return Finding(
        kind=FindingKind.THEFT_SUSPECT,
        transformer=inputs.areas[a],
        meter=inputs.meters[s.row],
        since=since,
        score=round(score, 4),
        loss_impact_kwh=round(missing_kwh, 2),
        evidence=(
            ("since", since.isoformat()),
            ("drop_share", number(s.drop)),
            ("t_drop", number(s.t_drop, 1)),
            ("fitted_share", number(gamma)),
            ("t_in_area_loss", number(t_area, 1)),
            ("days_before", str(s.day)),
            ("days_after", str(len(inputs.days) - s.day)),
            ("missing_kwh", number(missing_kwh, 2)),
            ("loss_effect", "raises its area's loss"),
        ),
    )
