"""Least squares of an area's daily loss on candidate series, after what its own supply
explains (an intercept and a share of the supply): numpy's QR, no hand-written algebra.

For each candidate x: loss = a + b * supply + gamma * x + noise. By Frisch-Waugh-Lovell,
gamma is the slope of the loss's residual on x's residual (both after [1, supply]); its
t-statistic says how far from 0 it is in units of its standard error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

MIN_DAYS = 8  # fewer valid days and an area's fit says nothing
OUTLIER = 5.0  # robust standard deviations beyond which a day is left out


@dataclass(frozen=True)
class Residuals:
    """An area's loss after its supply, on its valid days."""

    days: npt.NDArray[np.bool_]  # (D,) the days used
    basis: Floats  # (n, 2) orthonormal basis of [1, supply] on those days
    loss: Floats  # (n,) the loss's residual
    sum_sq: float  # its sum of squares

    @property
    def count(self) -> int:
        return int(self.days.sum())

    def without(self, series: Floats) -> Residuals:
        """The same area with a series (D,) taken out of its loss (a cause accepted)."""
        x = self.of(series[None, :])[0]
        y = self.loss - x
        return replace(self, loss=y, sum_sq=float(y @ y))

    def of(self, series: Floats) -> Floats:
        """(K, n) the residuals of candidate series (K, D) on the same days."""
        x = series[:, self.days]
        return x - (x @ self.basis) @ self.basis.T


def residuals(loss: Floats, supply: Floats) -> Residuals | None:
    """The area's loss (D,) after [1, supply] on the days both are known; None with too
    few days. Days far off the fit (over OUTLIER robust standard deviations: a register
    jump, a day's readings gone wrong) are left out and the fit made again, so that one bad
    day does not drown every slope of the area."""
    days = ~np.isnan(loss) & ~np.isnan(supply)
    first = _fit_on(loss, supply, days)
    if first is None:
        return None
    spread = 1.4826 * float(np.median(np.abs(first.loss)))  # the MAD as a standard deviation
    if spread <= 0:
        return first
    keep = first.days.copy()
    keep[first.days] = np.abs(first.loss) <= OUTLIER * spread
    return first if keep.sum() == first.count else _fit_on(loss, supply, keep)


def _fit_on(loss: Floats, supply: Floats, days: npt.NDArray[np.bool_]) -> Residuals | None:
    if days.sum() < MIN_DAYS:
        return None
    design = np.column_stack([np.ones(days.sum()), supply[days]])
    basis, r = np.linalg.qr(design)
    if abs(r[1, 1]) < 1e-9 * max(1.0, abs(r[0, 0])):
        basis = basis[:, :1]  # a flat supply: the intercept alone
    y = loss[days] - basis @ (basis.T @ loss[days])
    return Residuals(days, basis, y, float(y @ y))


@dataclass(frozen=True)
class Fit:
    gamma: Floats  # (K,) each candidate's slope
    t: Floats  # (K,) its t-statistic


def fit(area: Residuals, series: Floats) -> Fit:
    """Each candidate's slope alone against the area's residual loss."""
    x = area.of(series)
    num = x @ area.loss
    den = np.einsum("kn,kn->k", x, x)
    dof = max(1, area.count - area.basis.shape[1] - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(den > 0, num / den, 0.0)
        # The noise left once the candidate is fitted: a candidate that explains most of the
        # residual is measured against what remains, not against itself.
        left = np.maximum(area.sum_sq - gamma * num, 1e-12 + 1e-9 * area.sum_sq)
        t = np.where(den > 0, gamma * np.sqrt(den) / np.sqrt(left / dof), 0.0)
    return Fit(gamma, t)
