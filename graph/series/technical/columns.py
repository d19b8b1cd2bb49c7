"""A day's technical loss for a batch of areas from columns (numpy arrays, one row per meter):
the path a million meters take, with no Python loop over meters or nodes.

Loads reach the nodes in three moves: the meters' energies summed per (node, archive area)
pair, times that area's consumption shape; meters with their own curve by their own shape;
PV export by the clear-sky shape. Then the sweep over the batch's forest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.series.technical.equivalent import equivalent_losses_kwh, form_factors
from graph.series.technical.shapes import STEP_H, STEPS
from graph.series.technical.sweep import Forest, Voltages, sweep

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: Method codes of the columns' answers (day.TechnicalMethod by name).
POWER_FLOW, EQUIVALENT_RESISTANCE, NONE = 0, 1, 2


@dataclass(frozen=True)
class MeterColumns:
    """One row per meter of the batch's areas."""

    area: Ints  # its archive area: an index into the batch's areas
    node: Ints  # its node in the forest; -1: on no network of the batch
    import_kwh: Floats  # multiplied
    export_kwh: Floats
    gate: Bools
    pv: Bools
    curves_kw: Floats | None = None  # (meters, 96); a row of NaN: no curve of its own


@dataclass(frozen=True)
class AreaColumns:
    """One row per area of the batch; areas with a network first, in the forest's order."""

    networked: int  # how many (the first rows) have a network in `forest`
    gate_curves_kw: Floats  # (areas, 96); a row of NaN: no gate curve
    resistance_ohm: Floats  # the equivalent resistance of those without lines


@dataclass(frozen=True)
class DayColumns:
    loss_kwh: Floats
    method: Ints
    converged: bool
    min_voltage_pu: Floats  # NaN for an area without a network
    voltage: Voltages | None = None  # the sweep's solution (a next day's start)


def consumption_shapes(
    areas: AreaColumns, meters: MeterColumns, typical: Floats, clear_sky: Floats
) -> Floats:
    """(areas, 96): each area's gate curve with its PV's export put back, as shares of the
    day; the typical shape where an area has no curve (or one without energy)."""
    count = len(areas.resistance_ohm)
    exported = np.bincount(meters.area[meters.pv], meters.export_kwh[meters.pv], minlength=count)
    curves = np.clip(areas.gate_curves_kw + exported[:, None] * clear_sky / STEP_H, 0.0, None)
    totals = np.nansum(curves, axis=1)
    usable = np.isfinite(curves).all(axis=1) & (totals > 0)
    shapes = np.tile(typical, (count, 1))
    shapes[usable] = curves[usable] / totals[usable, None]
    return shapes


def _node_loads(
    forest: Forest, meters: MeterColumns, shapes: Floats, clear_sky: Floats
) -> tuple[Floats, Floats]:
    """(nodes, 96) kW drawn and kW exported at each node."""
    on = (meters.node >= 0) & ~meters.gate
    own = np.zeros(len(meters.node), dtype=bool)
    if meters.curves_kw is not None:
        imported = np.clip(meters.curves_kw, 0.0, None)
        own = on & np.isfinite(imported).all(axis=1) & (np.nansum(imported, axis=1) > 0)
    load = np.zeros((forest.node_count, STEPS))
    # Meters by their area's shape: energy per (node, area) pair, sorted by node.
    by_area = on & ~own
    areas_count = shapes.shape[0]
    pairs = meters.node[by_area] * areas_count + meters.area[by_area]
    keys, where = np.unique(pairs, return_inverse=True)
    energy = np.bincount(where, meters.import_kwh[by_area], minlength=len(keys))
    pair_node, pair_area = keys // areas_count, keys % areas_count
    if len(keys):
        rows = energy[:, None] * shapes[pair_area] / STEP_H
        starts = np.flatnonzero(np.r_[True, pair_node[1:] != pair_node[:-1]])
        load[pair_node[starts]] += np.add.reduceat(rows, starts, axis=0)
    if own.any():
        assert meters.curves_kw is not None
        curve = np.clip(meters.curves_kw[own], 0.0, None)
        rows = meters.import_kwh[own, None] * curve / curve.sum(axis=1, keepdims=True) / STEP_H
        np.add.at(load, meters.node[own], rows)
    exported = np.bincount(
        meters.node[on], meters.export_kwh[on], minlength=forest.node_count
    ).astype(np.float64)
    return load, exported[:, None] * clear_sky / STEP_H


def technical_days(
    forest: Forest | None,
    days: Sequence[tuple[AreaColumns, MeterColumns]],
    typical: Floats,
    clear_sky: Floats,
    power_factor: float,
    nominal_kv: float,
    start: Voltages | None = None,
    precision: type[np.complexfloating] = np.complex128,
) -> list[DayColumns]:
    """The technical loss of every area of the batch on each of `days`, in one sweep: their 96
    steps side by side (a few areas' month costs one call instead of 31). `start` and
    `precision`: see sweep.sweep. Each day's `voltage` is the whole sweep's solution."""
    shapes = [consumption_shapes(a, m, typical, clear_sky) for a, m in days]
    found = []
    networked = forest is not None and days[0][0].networked > 0
    result = None
    if networked:
        assert forest is not None
        loads = [
            _node_loads(forest, m, s, clear_sky) for (_, m), s in zip(days, shapes, strict=True)
        ]
        drawn = np.hstack([load for load, _ in loads])
        net = drawn - np.hstack([exported for _, exported in loads])
        reactive = drawn * math.tan(math.acos(power_factor))
        result = sweep(forest, net, reactive, nominal_kv, start=start, precision=precision)
    for d, ((areas, meters), day_shapes) in enumerate(zip(days, shapes, strict=True)):
        count = len(areas.resistance_ohm)
        loss = np.zeros(count)
        method = np.full(count, NONE, dtype=np.int64)
        lowest = np.full(count, np.nan)
        if result is not None:
            steps = slice(d * STEPS, (d + 1) * STEPS)
            n = areas.networked
            loss[:n] = result.loss_kw[:, steps].sum(axis=1) * STEP_H
            method[:n] = POWER_FLOW
            lowest[:n] = result.min_voltage_pu[:, steps].min(axis=1)
        _estimate(areas, meters, day_shapes, power_factor, nominal_kv, loss, method)
        found.append(
            DayColumns(
                loss,
                method,
                True if result is None else result.converged,
                lowest,
                None if result is None else result.voltage,
            )
        )
    return found


def _estimate(
    areas: AreaColumns,
    meters: MeterColumns,
    shapes: Floats,
    power_factor: float,
    nominal_kv: float,
    loss: Floats,
    method: Ints,
) -> None:
    """The areas without a network: the equivalent-resistance estimate from the gate's
    energy, into `loss` and `method`."""
    count = len(areas.resistance_ohm)
    gates = meters.gate
    supply = np.bincount(meters.area[gates], meters.import_kwh[gates], minlength=count).astype(
        np.float64
    )
    rest = np.zeros(count, dtype=bool)
    rest[areas.networked :] = True
    rest &= supply > 0
    loss[rest] = equivalent_losses_kwh(
        supply[rest],
        form_factors(shapes[rest]),
        areas.resistance_ohm[rest],
        power_factor,
        nominal_kv,
    )
    method[rest] = EQUIVALENT_RESISTANCE
