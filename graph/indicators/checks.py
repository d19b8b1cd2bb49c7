"""Whether a target fits its indicator, and whether the targets a unit hands down to the units
below it can add up to its own (分级下达)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from graph.indicators.definitions import BY_NAME, Direction

# Indicators counted in areas; every other one is a rate, a fraction of 1.
COUNTS = frozenset({"highCount", "negativeCount"})


def target_problem(indicator: str, target: float) -> tuple[str, str] | None:
    """The field at fault ("indicator" or "target") and why `target` cannot be
    `indicator`'s; None when it can."""
    if indicator not in BY_NAME:
        names = ", ".join(BY_NAME)
        return "indicator", f"unknown indicator {indicator!r}: expected one of {names}"
    if not math.isfinite(target):
        return "target", f"target {target} is not a finite number"
    if indicator in COUNTS:
        if target < 0 or target != int(target):
            whole = f"{indicator} counts areas: its target is a whole number >= 0, not {target}"
            return "target", whole
    elif not 0 <= target <= 1:
        fraction = f"{indicator} is a fraction of 1 (0.05 for 5 %): {target} is out of [0, 1]"
        return "target", fraction
    return None


def handed_down_problem(
    indicator: str,
    parent_target: float,
    child_targets: Mapping[str, float],
    weights: Mapping[str, float],
) -> str | None:
    """Why the children's targets cannot add up to the parent's, None when they can.

    Counts add up; a rate of the parent is its children's rates weighted by what each weighs
    (last year's supply): met by every child at its target, the parent's is that average. Equal
    weights stand in when no child has one. Children without a target are left out (the caller
    says which are missing)."""
    if not child_targets:
        return None
    direction = BY_NAME[indicator].direction
    if indicator in COUNTS:
        combined = sum(child_targets.values())
        how = "add up to"
    else:
        known = {c: max(weights.get(c, 0.0), 0.0) for c in child_targets}
        total = sum(known.values())
        how = "average (weighted by last year's supply)"
        if total <= 0:
            known = dict.fromkeys(child_targets, 1.0)
            total = float(len(known))
            how = "average (equal weights: no supply recorded last year)"
        combined = sum(child_targets[c] * w for c, w in known.items()) / total
    too_loose = (
        combined > parent_target + 1e-12
        if direction is Direction.AT_MOST
        else combined < parent_target - 1e-12
    )
    if not too_loose:
        return None
    side = "above" if direction is Direction.AT_MOST else "below"
    return (
        f"{indicator}: the targets below {how} {combined:.6g}, {side} the parent's "
        f"{parent_target:.6g}: every unit below can meet its target while the parent misses"
    )
