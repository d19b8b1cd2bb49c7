"""The demo's targets: a year's targets for every org unit, set around the demo's last whole
month so that its assessment shows units that meet and units that miss. A utility's targets
come from its plan; these only make the demo's `assessment` and `taiqu report` worth looking at.

Handed down the way the check wants it (graph/indicators/checks.py): the lowest units' targets
first, each parent's the equal-weight average of its children's (the demo has no last year to
weigh by), rounded towards looser, so that no warning is raised."""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Mapping
from pathlib import Path

import networkx as nx

from graph.domain.targets import month_bounds
from graph.indicators.definitions import BY_NAME, Direction
from graph.indicators.scoring import DEFAULT_WEIGHTS
from graph.series.reader import LossReader
from graph.services.assessment import Report, org_parents
from graph.services.indicators import unit_indicators
from graph.services.targets import TargetRow
from graph.stores.contract import Store

MISSED_SHARE = 0.35  # of the lowest units' targets, set just out of reach
DECIMALS = 4  # 0.01 percentage points
_STEP = 10**DECIMALS


def handed_down_targets(
    values: Mapping[str, Mapping[str, float | None]],
    parents: Mapping[str, str | None],
    year: str,
    seed: int,
) -> list[TargetRow]:
    """Targets of `year` for every unit in `values` (its indicators' values by name) and each
    weighted indicator: the lowest units' near their value (met or, for MISSED_SHARE of them,
    missed by a little), every parent's the average of its children's."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    children: dict[str, list[str]] = {u: [] for u in values}
    for unit in sorted(values):
        up = parents.get(unit)
        if up in children:
            children[up].append(unit)
    targets: dict[str, dict[str, float]] = {}
    for unit in _lowest_first(children):
        own: dict[str, float] = {}
        for name in DEFAULT_WEIGHTS:
            kids = [targets[k][name] for k in children[unit] if name in targets[k]]
            if kids:
                own[name] = _rounded(sum(kids) / len(kids), name, looser=True)
            elif not children[unit] and (value := values[unit].get(name)) is not None:
                own[name] = _near(value, name, rng)
        targets[unit] = own
    return [
        TargetRow(unit, year, name, target)
        for unit in sorted(targets)
        for name, target in targets[unit].items()
    ]


def _lowest_first(children: Mapping[str, list[str]]) -> list[str]:
    """Every unit after all the units below it (in code order where that leaves a choice)."""
    tree = nx.DiGraph()
    tree.add_nodes_from(children)
    tree.add_edges_from((kid, unit) for unit, kids in children.items() for kid in kids)
    return list(nx.lexicographical_topological_sort(tree))


def _near(value: float, name: str, rng: random.Random) -> float:
    """A target a little looser than `value` (met) or, now and then, a little tighter."""
    margin = rng.uniform(0.002, 0.02)
    missed = rng.random() < MISSED_SHARE
    at_most = BY_NAME[name].direction is Direction.AT_MOST
    tighter = -margin if at_most else margin
    target = value + (tighter if missed else -tighter)
    return _rounded(min(max(target, 0.0), 1.0), name, looser=not missed)


def _rounded(target: float, name: str, looser: bool) -> float:
    """`target` to DECIMALS places, rounded towards looser (or tighter) for its direction."""
    up = (BY_NAME[name].direction is Direction.AT_MOST) == looser
    scaled = target * _STEP
    whole = math.ceil(scaled) if up else math.floor(scaled)  # never past `target` the wrong way
    return min(max(whole / _STEP, 0.0), 1.0)


def last_whole_month(today: dt.date) -> str:
    """The calendar month before `today`'s, as YYYY-MM."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def write_demo_targets(
    store: Store, loss: LossReader, report: Report, month: str, seed: int, path: Path
) -> int:
    """`targets.csv` at `path` for `month`'s year, set around `month`'s indicators of every
    unit; returns the rows written (load it with loaders/targets.py like any other)."""
    first, last = month_bounds(month)
    parents = org_parents(store, last)
    units = list(parents)
    results = unit_indicators(loss, report(last), units, first, last)
    values = {u: {r.name: r.value for r in rs} for u, rs in results.items()}
    rows = handed_down_targets(values, parents, month[:4], seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("org_code", "period", "indicator", "target"))
        writer.writerows((r.org, r.period, r.indicator, f"{r.target:g}") for r in rows)
    return len(rows)
