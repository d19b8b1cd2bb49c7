"""The demo's pipeline: a synthetic network with readings, loaded, then collection evidence
planned and applied like a real snapshot. Each step is the service a user would run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from graph.domain.changes import new_changeset_id
from graph.series.files import SeriesFolder
from graph.stores.contract import Store
from loaders.apply import apply_plan
from loaders.generate import generate, write_folder
from loaders.generate_collection import write_collection
from loaders.generate_curves import write_gate_curves
from loaders.generate_households import FaultCounts, write_household_readings
from loaders.generate_lv import add_lv_networks
from loaders.generate_readings import write_readings
from loaders.plans import PlanStore
from loaders.reconcile import make_plan


@dataclass(frozen=True)
class DemoFolder:
    """A generated exchange-format folder and what it holds."""

    folder: Path
    meters: int
    entities: int
    readings: int
    first_day: dt.date
    curves: int = 0  # the gate meters' 96-point days (curves.csv)
    faults: int = 0  # injected for the findings (truth/faults.csv), with household readings


def write_demo_folder(
    folder: Path,
    meters: int,
    days: int,
    seed: int,
    today: dt.date,
    faults: FaultCounts | None = None,
) -> DemoFolder:
    """A network of `meters` meters and readings for the `days` full days before `today`, with
    the gate meters' curves (what a collection system would have sent), written to `folder`.
    With `faults`: household-like readings with those faults injected and their truth
    (loaders/generate_households.py)."""
    network = generate(meters, seed=seed)
    add_lv_networks(network, seed)  # lines and nodes: technical loss has a network to flow over
    write_folder(network, folder)
    first_day = today - dt.timedelta(days=days)
    injected = 0
    if days and faults is not None:
        readings, truth = write_household_readings(folder, first_day, days, seed, faults)
        injected = len(truth)
    else:
        readings = write_readings(folder, first_day, days, seed=seed) if days else 0
    curves = write_gate_curves(folder, seed=seed) if days else 0
    return DemoFolder(
        folder,
        network.meter_count,
        network.entity_count(),
        readings,
        first_day,
        curves,
        injected,
    )


def apply_demo_evidence(
    store: Store,
    plans: PlanStore,
    series: SeriesFolder | None,
    demo: DemoFolder,
    seed: int,
    actor: str,
) -> int | None:
    """Collection evidence with a few mismatches, planned and applied from the first day of
    readings; returns how many meters it reads in another area, or None when there was nothing
    to apply (the demo ran before on the same home)."""
    elsewhere = write_collection(demo.folder, demo.folder / "collection", seed)
    plan_id = new_changeset_id(dt.datetime.now(dt.UTC))
    plan, _ = make_plan(store, "collection", demo.folder / "collection", plan_id, actor)
    if plan.is_empty():  # stored only when there is something to apply
        return None
    plans.save(plan)
    apply_plan(store, plans, plan.plan_id, demo.first_day, actor, series=series)
    return elsewhere
