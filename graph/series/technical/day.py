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

from graph.series.technical.columns import (
    EQUIVALENT_RESISTANCE,
    NONE,
    POWER_FLOW,
    AreaColumns,
    MeterColumns,
    technical_days,
)
from graph.series.technical.equivalent import equivalent_resistance_ohm
from graph.series.technical.network import RadialNetwork
from graph.series.technical.shapes import STEPS, clear_sky_shape, residential_shape
from graph.series.technical.sweep import Forest

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


def technical_day(
    areas: Sequence[AreaDay], meters: Sequence[MeterDay], assumed: Assumptions
) -> dict[str, TechnicalDay]:
    """The day's technical loss of each area of the batch (through columns.py: one path for a
    handful of areas and for a million meters)."""
    ordered = [a for a in areas if a.network is not None]
    ordered += [a for a in areas if a.network is None]
    networks = [a.network for a in ordered if a.network is not None]
    forest = Forest.of(networks) if networks else None
    node_index: dict[str, int] = {}
    if forest is not None:
        for network, start in zip(networks, forest.starts, strict=True):
            node_index.update((node, int(start) + i) for i, node in enumerate(network.nodes))
    area_index = {a.area: i for i, a in enumerate(ordered)}
    for m in meters:  # a meter archived under an area outside the batch: its shape is typical
        area_index.setdefault(m.area, len(area_index))
    count = len(area_index)
    gate_curves = np.full((count, STEPS), np.nan)
    resistance = np.zeros(count)
    for i, a in enumerate(ordered):
        if a.gate_curve_kw is not None:
            gate_curves[i] = a.gate_curve_kw
        resistance[i] = equivalent_resistance_ohm(a.capacity_kva, a.supply_radius_km)
    curves = None
    if any(m.curve_kw is not None for m in meters):
        curves = np.full((len(meters), STEPS), np.nan)
        for row, m in enumerate(meters):
            if m.curve_kw is not None:
                curves[row] = m.curve_kw
    columns = MeterColumns(
        area=np.array([area_index[m.area] for m in meters], dtype=np.int64),
        node=np.array(
            [node_index.get(m.node, -1) if m.node is not None else -1 for m in meters],
            dtype=np.int64,
        ),
        import_kwh=np.array([m.import_kwh for m in meters], dtype=np.float64),
        export_kwh=np.array([m.export_kwh for m in meters], dtype=np.float64),
        gate=np.array([m.role == "gate" for m in meters], dtype=bool),
        pv=np.array([m.role == "pv" for m in meters], dtype=bool),
        curves_kw=curves,
    )
    (found,) = technical_days(
        forest,
        [(AreaColumns(len(networks), gate_curves, resistance), columns)],
        assumed.typical_shape,
        assumed.clear_sky,
        assumed.power_factor,
        assumed.nominal_kv,
    )
    return {
        a.area: TechnicalDay(
            float(found.loss_kwh[i]),
            _METHODS[int(found.method[i])],
            found.converged,
            None if np.isnan(found.min_voltage_pu[i]) else float(found.min_voltage_pu[i]),
        )
        for i, a in enumerate(ordered)
    }


_METHODS = {
    POWER_FLOW: TechnicalMethod.POWER_FLOW,
    EQUIVALENT_RESISTANCE: TechnicalMethod.EQUIVALENT_RESISTANCE,
    NONE: TechnicalMethod.NONE,
}
