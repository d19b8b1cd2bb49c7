"""One day's technical loss for a batch of areas: each meter's energy spread by its best
shape (shapes.py), put on its node, the power flow over every area's network at once
(sweep.py); the equivalent-resistance estimate (equivalent.py) for an area without lines.

A meter's load goes where its node is, whichever area the archive puts it in (a meter on a
node of another area's network is evidence for the findings, and the neighbour's lines carry
its load).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from graph.series.technical.equivalent import equivalent_loss_kwh, equivalent_resistance_ohm
from graph.series.technical.network import RadialNetwork
from graph.series.technical.shapes import (
    STEP_H,
    STEPS,
    ShapeSource,
    clear_sky_shape,
    consumption_shape_from_gate,
    reactive_kvar,
    residential_shape,
    shape_from_curve,
)
from graph.series.technical.sweep import Forest, sweep

Floats = npt.NDArray[np.float64]


class TechnicalMethod(StrEnum):
    POWER_FLOW = "POWER_FLOW"
    EQUIVALENT_RESISTANCE = "EQUIVALENT_RESISTANCE"
    NONE = "NONE"  # no energy through the gate that day: nothing to estimate


@dataclass(frozen=True)
class Assumptions:
    """What the technical loss assumes where the data is silent (settings)."""

    power_factor: float = 0.95
    typical_shape: Floats = field(default_factory=residential_shape)
    clear_sky: Floats = field(default_factory=clear_sky_shape)
    nominal_kv: float = 0.4


@dataclass(frozen=True)
class AreaDay:
    """An area on the day: its LV network (None: no lines), gate curve (kW, multiplied) and
    what the equivalent resistance needs."""

    area: str
    network: RadialNetwork | None
    gate_curve_kw: Floats | None = None
    capacity_kva: float | None = None
    supply_radius_km: float | None = None


@dataclass(frozen=True)
class MeterDay:
    """A meter's day: energies and curve multiplied; `area` is the one the archive places it
    in, `node` where its service connects."""

    meter: str
    area: str
    role: str  # gate, customer or pv
    node: str | None
    import_kwh: float
    export_kwh: float = 0.0
    curve_kw: Floats | None = None


@dataclass(frozen=True)
class TechnicalDay:
    loss_kwh: float
    method: TechnicalMethod
    converged: bool = True
    min_voltage_pu: float | None = None


def _area_shapes(
    areas: Sequence[AreaDay], meters: Sequence[MeterDay], assumed: Assumptions
) -> dict[str, tuple[Floats, ShapeSource]]:
    """Each area's consumption shape: from its gate's curve, PV put back; else typical."""
    exported: dict[str, float] = {}
    for m in meters:
        if m.role == "pv":
            exported[m.area] = exported.get(m.area, 0.0) + m.export_kwh
    found: dict[str, tuple[Floats, ShapeSource]] = {}
    for a in areas:
        shape = None
        if a.gate_curve_kw is not None:
            shape = consumption_shape_from_gate(
                a.gate_curve_kw, exported.get(a.area, 0.0), assumed.clear_sky
            )
        found[a.area] = (
            (shape, ShapeSource.GATE_CURVE)
            if shape is not None
            else (assumed.typical_shape, ShapeSource.TYPICAL)
        )
    return found


def technical_day(
    areas: Sequence[AreaDay], meters: Sequence[MeterDay], assumed: Assumptions
) -> dict[str, TechnicalDay]:
    """The day's technical loss of each area of the batch."""
    shapes = _area_shapes(areas, meters, assumed)
    with_lines = [a for a in areas if a.network is not None]
    found = {a.area: _estimate(a, meters, shapes, assumed) for a in areas if a.network is None}
    if not with_lines:
        return found
    forest = Forest.of([a.network for a in with_lines if a.network is not None])
    node_index: dict[str, int] = {}
    for a, start in zip(with_lines, forest.starts, strict=True):
        assert a.network is not None
        node_index.update((node, int(start) + i) for i, node in enumerate(a.network.nodes))
    p_kw = np.zeros((forest.node_count, STEPS))
    q_kvar = np.zeros_like(p_kw)
    for m in meters:
        at = node_index.get(m.node) if m.node is not None else None
        if at is None or m.role == "gate":  # a gate is the source; a meter off every network
            continue
        own = shape_from_curve(m.curve_kw) if m.curve_kw is not None else None
        shape = own if own is not None else shapes.get(m.area, (assumed.typical_shape, None))[0]
        load_kw = m.import_kwh * shape / STEP_H
        p_kw[at] += load_kw - m.export_kwh * assumed.clear_sky / STEP_H
        q_kvar[at] += reactive_kvar(load_kw, assumed.power_factor)
    result = sweep(forest, p_kw, q_kvar, assumed.nominal_kv)
    for k, a in enumerate(with_lines):
        found[a.area] = TechnicalDay(
            float(result.loss_kw[k].sum() * STEP_H),
            TechnicalMethod.POWER_FLOW,
            result.converged,
            float(result.min_voltage_pu[k].min()),
        )
    return found


def _estimate(
    area: AreaDay,
    meters: Sequence[MeterDay],
    shapes: dict[str, tuple[Floats, ShapeSource]],
    assumed: Assumptions,
) -> TechnicalDay:
    """The equivalent-resistance estimate of an area without lines."""
    supply_kwh = sum(m.import_kwh for m in meters if m.area == area.area and m.role == "gate")
    if supply_kwh <= 0:
        return TechnicalDay(0.0, TechnicalMethod.NONE)
    resistance = equivalent_resistance_ohm(area.capacity_kva, area.supply_radius_km)
    shape = shapes[area.area][0]
    loss = equivalent_loss_kwh(
        supply_kwh, shape, resistance, assumed.power_factor, assumed.nominal_kv
    )
    return TechnicalDay(loss, TechnicalMethod.EQUIVALENT_RESISTANCE)
