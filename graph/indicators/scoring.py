"""The assessment's arithmetic: an indicator's share of its weight, a unit's score out of 100,
and ranks among siblings (docs/indicators.md, "Assessment")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from graph.indicators.definitions import BY_NAME, IndicatorResult

#: Points per indicator, out of their sum; configurable (TAIQU_ASSESSMENT_WEIGHTS).
DEFAULT_WEIGHTS: dict[str, float] = {
    "lossRate": 40.0,
    "qualifiedRate": 20.0,
    "collectionRate": 15.0,
    "consistencyRate": 15.0,
    "computableRate": 10.0,
}


def share(result: IndicatorResult) -> float | None:
    """The share of its weight an indicator earns: all of it when met, less by the miss in
    proportion to the target (a loss rate of 6 % against 5 % earns 0.8), never below 0; None
    without a value or a target."""
    met = result.met
    if met is None or result.gap is None or result.target is None:
        return None
    if met:
        return 1.0
    if result.target == 0:
        return 0.0
    return max(0.0, 1.0 - abs(result.gap) / abs(result.target))


def score(results: Sequence[IndicatorResult], weights: Mapping[str, float]) -> float | None:
    """100 × the weighted mean of the shares, over the weighted indicators that have one
    (None when none has: no target set, or nothing to compute)."""
    earned = total = 0.0
    for r in results:
        weight = weights.get(r.name, 0.0)
        part = share(r)
        if weight > 0 and part is not None:
            earned += weight * part
            total += weight
    return None if total == 0 else 100.0 * earned / total


def ranks(
    scores: Mapping[str, float | None], parents: Mapping[str, str | None]
) -> dict[str, tuple[int | None, int]]:
    """Each unit's (rank, ranked) among the units sharing its parent: 1 for the highest score,
    equal scores share a rank (1, 2, 2, 4); a unit without a score has no rank."""
    groups: dict[str | None, list[float]] = {}
    for unit, value in scores.items():
        if value is not None:
            groups.setdefault(parents.get(unit), []).append(value)
    found: dict[str, tuple[int | None, int]] = {}
    for unit, value in scores.items():
        group = groups.get(parents.get(unit), [])
        rank = None if value is None else 1 + sum(1 for v in group if v > value)
        found[unit] = (rank, len(group))
    return found


def weights_problem(weights: Mapping[str, float]) -> str | None:
    """Why `weights` cannot score an assessment (None when they can)."""
    unknown = sorted(set(weights) - set(BY_NAME))
    if unknown:
        return f"unknown indicator(s) {', '.join(unknown)}: expected names of {', '.join(BY_NAME)}"
    if not all(math.isfinite(w) and w >= 0 for w in weights.values()):
        return "weights are finite numbers >= 0"
    if not any(w > 0 for w in weights.values()):
        return "at least one weight is > 0"
    return None
