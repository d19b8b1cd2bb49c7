"""The monthly assessment (考核): units' indicators against their targets, a score from the
weights, the rank among siblings and the change from the month before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from graph.domain.errors import InputError, NotFound
from graph.domain.model import Entity, Kind, Rel
from graph.domain.targets import (
    current,
    month_bounds,
    period_problem,
    periods_answering,
    previous_month,
    unit_targets,
)
from graph.indicators.definitions import IndicatorResult
from graph.indicators.scoring import ranks, score
from graph.series.reader import LossReader
from graph.services.indicators import unit_indicators
from graph.services.mismatches import Mismatch
from graph.stores.contract import Store

Report = Callable[[dt.date], list[Mismatch]]  # the mismatch report of a day (cached by callers)


@dataclass(frozen=True)
class AssessmentRow:
    unit: Entity  # as stored today (its name, level)
    parent: str | None  # on the month's last day: whose children it ranks among
    score: float | None
    previous_score: float | None
    rank: int | None
    ranked: int  # units with a score among its siblings (rank 3 of `ranked`)
    indicators: list[IndicatorResult]  # with targets and the previous month's values

    @property
    def org(self) -> str:
        return self.unit.code

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


def assessment_month(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of the month assessed; InputError unless `period` is YYYY-MM."""
    problem = period_problem(period)
    if problem or len(period) != 7:
        raise InputError(problem or f"an assessment is of one month (2026-06), not {period!r}")
    return month_bounds(period)


def org_parents(store: Store, day: dt.date) -> dict[str, str | None]:
    """Every org unit, in code order, with the unit above it on `day` (None at the top)."""
    orgs = sorted(store.all_codes(Kind.ORG_UNIT))
    ups = store.neighbors(Rel.ORG_PARENT, orgs, day, "up")
    return {o: (ups[o][0].code if ups.get(o) else None) for o in orgs}


def assessed_units(
    store: Store, day: dt.date, level: str | None, under: str | None
) -> tuple[list[str], dict[str, str | None]]:
    """The units to assess on `day` and each one's parent: every unit of `level` (inside
    `under`'s subtree when given), else the units directly below `under`."""
    parent = org_parents(store, day)
    orgs = list(parent)
    if under is not None and under not in parent:
        raise NotFound(f"unknown org unit {under!r}")
    if level is None:
        if under is None:
            raise InputError("name a level, a unit whose children to assess, or both")
        return [o for o in orgs if parent[o] == under], parent
    entities = store.entities(Kind.ORG_UNIT, orgs)
    units = [o for o in orgs if o in entities and entities[o].attrs.get("level") == level]
    if under is not None:
        units = [u for u in units if under in _ancestors(u, parent)]
    return units, parent


def _ancestors(unit: str, parent: Mapping[str, str | None]) -> list[str]:
    found: list[str] = []
    up = parent.get(unit)
    while up is not None and up not in found:
        found.append(up)
        up = parent.get(up)
    return found


def assess(
    store: Store,
    loss: LossReader,
    report: Report,
    period: str,
    units: Sequence[str],
    parents: Mapping[str, str | None],
    weights: Mapping[str, float],
    targets_as_of: dt.datetime | None = None,
) -> list[AssessmentRow]:
    """One row per unit for the month `period` (YYYY-MM), in `units`' order."""
    start, end = assessment_month(period)
    before = previous_month(period)
    before_start, before_end = month_bounds(before)
    wanted = [*periods_answering(period), *periods_answering(before)]
    held = current(store.target_versions(wanted), targets_as_of)  # both months in one read
    targets, before_targets = unit_targets(held, period), unit_targets(held, before)
    now = unit_indicators(loss, report(end), units, start, end, targets)
    try:
        earlier = unit_indicators(
            loss, report(before_end), units, before_start, before_end, before_targets
        )
    except InputError:  # the month before lies outside the accepted dates: no change shown
        earlier = {u: [] for u in units}
    scores = {u: score(now[u], weights) for u in units}
    ranked = ranks(scores, parents)
    entities = store.entities(Kind.ORG_UNIT, list(units))
    rows = []
    for u in units:
        previous = {r.name: r.value for r in earlier[u]}
        rows.append(
            AssessmentRow(
                unit=entities.get(u) or Entity(Kind.ORG_UNIT, u),
                parent=parents.get(u),
                score=scores[u],
                previous_score=score(earlier[u], weights),
                rank=ranked[u][0],
                ranked=ranked[u][1],
                indicators=[
                    IndicatorResult(r.name, r.value, r.target, previous.get(r.name)) for r in now[u]
                ],
            )
        )
    return rows
