"""Record targets (from `targets.csv` or `setTargets`) and say where handed-down targets cannot
add up to the unit's own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from graph.domain import clock
from graph.domain.errors import TaiquError
from graph.domain.model import Rel
from graph.domain.scope import Scope
from graph.domain.targets import Target, TargetKey, current, unit_targets
from graph.indicators.checks import handed_down_problem
from graph.series.reader import LossReader
from graph.stores.contract import Store


@dataclass(frozen=True)
class TargetRow:
    """One target asked for: a unit's target of one indicator for one period."""

    org: str
    period: str
    indicator: str
    target: float


@dataclass(frozen=True)
class TargetsRecorded:
    written: int  # new versions recorded
    unchanged: int  # asked for with the value they hold already
    warnings: list[str]


def record_targets(
    store: Store,
    rows: Sequence[TargetRow],
    source: str,
    loss: LossReader | None = None,
    now: dt.datetime | None = None,
) -> TargetsRecorded:
    """Record each row whose value differs from its target's current one, in one write (rows
    checked before: see loaders/targets.py and api/mutations/set_targets.py). Recording the
    same rows again writes nothing. Warnings: where a unit's children's targets cannot add up
    to its own, after the write (weights from `loss`, last year's supply)."""
    at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    periods = sorted({r.period for r in rows})
    held = current(store.target_versions(periods))
    new = [
        Target(r.org, r.period, r.indicator, r.target, at, source)
        for r in rows
        if (k := held.get((r.org, r.period, r.indicator))) is None or k.target != r.target
    ]
    if new:
        store.add_targets(new)
    warnings = handed_down_warnings(store, {r.org for r in rows}, periods, loss)
    return TargetsRecorded(len(new), len(rows) - len(new), warnings)


def handed_down_warnings(
    store: Store, touched: set[str], periods: Sequence[str], loss: LossReader | None
) -> list[str]:
    """For every unit touched and the unit above each, per period and indicator with a target:
    where its children's targets cannot add up to it (graph/indicators/checks.py)."""
    today = clock.today()
    parents = set(store.open_parents(Rel.ORG_PARENT, sorted(touched)).values()) | touched
    below = store.neighbors(Rel.ORG_PARENT, sorted(parents), today, "down")
    children = {p: [e.code for e in below.get(p, [])] for p in parents}
    children = {p: c for p, c in children.items() if c}
    if not children:
        return []
    all_periods = sorted({q for p in periods for q in (p, p[:4])})
    held = current(store.target_versions(all_periods))
    warnings: list[str] = []
    weights_by_year: dict[int, dict[str, float]] = {}
    for period in periods:
        year = int(period[:4])
        if year not in weights_by_year:
            weights_by_year[year] = _last_year_supply(loss, children, year)
        weights = weights_by_year[year]
        by_unit = unit_targets(held, period)
        for parent, kids in sorted(children.items()):
            own = by_unit.get(parent, {})
            of_kids: dict[str, dict[str, float]] = defaultdict(dict)
            for kid in kids:
                for name, value in by_unit.get(kid, {}).items():
                    of_kids[name][kid] = value
            for name, value in own.items():
                if not _own_period(held, [parent, *kids], period, name):
                    continue  # a month taking its year's targets: warned for the year
                problem = handed_down_problem(name, value, of_kids.get(name, {}), weights)
                if problem:
                    warnings.append(f"{parent} {period}: {problem}")
    return warnings


def _own_period(held: dict[TargetKey, Target], orgs: list[str], period: str, name: str) -> bool:
    """Whether a target of `name` is set for `period` itself for one of `orgs`."""
    return len(period) == 4 or any((o, period, name) in held for o in orgs)


def _last_year_supply(
    loss: LossReader | None, children: dict[str, list[str]], year: int
) -> dict[str, float]:
    """Each child's supply over the year before `year` (empty without a loss reader)."""
    if loss is None:
        return {}
    kids = sorted({k for ks in children.values() for k in ks})
    start, end = dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)
    try:
        found = loss.summaries(Scope.ORG, kids, start, end)
    except TaiquError:  # a period the rules refuse, no series: equal weights stand in
        return {}
    return {k: float(s.supply_kwh) for k, s in found.items()}
