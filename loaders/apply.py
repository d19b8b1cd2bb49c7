"""`taiqu reconcile apply PLAN_ID`: write a stored plan, all or nothing, on an effective date."""

from __future__ import annotations

import datetime as dt
import logging

from graph.domain import clock
from graph.domain.changes import ChangesetRecord
from graph.domain.dates import DEFAULT_BOUNDS, DateBounds
from graph.domain.errors import InputError, StalePlan
from graph.series.files import SeriesFolder
from graph.services.write import write_topology
from graph.stores.contract import Progress, Store
from loaders.plans import PlanStore
from loaders.reconcile import check_dates

log = logging.getLogger(__name__)


def _quiet(_: str) -> None:
    return None


def apply_plan(
    store: Store,
    plans: PlanStore,
    plan_id: str,
    effective: dt.date,
    actor: str,
    *,
    series: SeriesFolder | None = None,
    progress: Progress = _quiet,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> ChangesetRecord:
    """Apply plan `plan_id`; returns its changeset's record.

    Refuses (InputError) a plan applied before, an empty one, or dates that would end an
    interval before it began; refuses (StalePlan) when the graph changed since planning.
    """
    problem = bounds.problem(effective, clock.today())
    if problem:
        raise InputError(f"--effective: {problem}")
    plan = plans.load(plan_id)
    if plan.applied_as:
        raise InputError(f"plan {plan_id} was applied already, as changeset {plan.applied_as}")
    if plan.is_empty():
        raise InputError(f"plan {plan_id} changes nothing")
    version = store.version()
    if version != plan.graph_version:  # before the date checks: they read today's graph
        raise StalePlan(
            f"plan {plan_id} is stale: it was computed against graph version "
            f"{plan.graph_version} and the graph is at version {version}: plan again"
        )
    problems = check_dates(store, plan, effective)
    if problems:
        raise InputError("; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))
    changes = plan.change_set(effective, actor)
    assert changes.record is not None
    progress(f"applying {changes.row_count():,} changes of plan {plan_id}")
    try:
        write_topology(store, changes, series, progress, expect_version=plan.graph_version)
    except StalePlan as exc:
        raise StalePlan(
            f"plan {plan_id} is stale: it was computed against graph version "
            f"{plan.graph_version} and the graph has changed since ({exc})"
        ) from exc
    plan.applied_as = changes.record.id
    try:
        plans.save(plan)
    except OSError:  # committed: the changeset stands; the plan can no longer apply (stale)
        log.exception("plan %s applied as %s but not marked applied", plan_id, plan.applied_as)
        progress(f"applied as changeset {plan.applied_as}; the plan file could not be marked")
    applied = store.changeset(changes.record.id)
    assert applied is not None
    return applied
