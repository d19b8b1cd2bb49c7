"""The equivalent-resistance estimate (等值电阻法, after DL/T 686) for an area without lines.

    loss_kwh = 3 (K I_avg)^2 R_eq T / 1000,   I_avg = E / (sqrt(3) U T cos(phi))

E: the day's energy through the gate (kWh); U: nominal voltage (kV); T: 24 h; cos(phi): the
power factor; K: the form factor of the day's load curve (RMS over mean: sqrt(N sum s_i^2) for
shares s_i of N steps), from the gate's curve when there is one, else the typical shape;
R_eq: the network's equivalent resistance per phase. With the load spread evenly along one
trunk as long as the supply radius L, R_eq = r L / 3 (r: the conductor's ohm/km).

Per area: the radius when given (supply_radius_km), else DEFAULT_RADIUS_KM; the conductor from
the transformer's capacity (larger units feed thicker cables). Rough by nature: the method
says so in every answer (technicalMethod = EQUIVALENT_RESISTANCE).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

DEFAULT_RADIUS_KM = 0.5  # the rural rule of thumb: supply radius up to 500 m (towns: 250 m)
#: (minimum capacity kVA, conductor ohm/km): 150, 95, 70 mm2 aluminium.
CONDUCTOR_BY_CAPACITY = ((400.0, 0.206), (200.0, 0.32), (0.0, 0.443))


def form_factor(shape: npt.NDArray[np.float64]) -> float:
    """RMS over mean of a day's load, from its shares of the day's energy."""
    return float(form_factors(shape[None, :])[0])


def equivalent_resistance_ohm(capacity_kva: float | None, radius_km: float | None) -> float:
    r_per_km = next(r for floor, r in CONDUCTOR_BY_CAPACITY if (capacity_kva or 0.0) >= floor)
    return r_per_km * (radius_km or DEFAULT_RADIUS_KM) / 3


def equivalent_loss_kwh(
    energy_kwh: float,
    shape: npt.NDArray[np.float64],
    resistance_ohm: float,
    power_factor: float,
    nominal_kv: float = 0.4,
    hours: float = 24.0,
) -> float:
    """The day's loss of `energy_kwh` through a network of `resistance_ohm` per phase."""
    if energy_kwh <= 0:
        return 0.0
    return float(
        equivalent_losses_kwh(
            np.array([energy_kwh]),
            np.array([form_factor(shape)]),
            np.array([resistance_ohm]),
            power_factor,
            nominal_kv,
            hours,
        )[0]
    )


def equivalent_losses_kwh(
    energy_kwh: npt.NDArray[np.float64],
    form_factors: npt.NDArray[np.float64],
    resistance_ohm: npt.NDArray[np.float64],
    power_factor: float,
    nominal_kv: float = 0.4,
    hours: float = 24.0,
) -> npt.NDArray[np.float64]:
    """The formula above for many areas at once (one element each)."""
    i_avg_a = np.clip(energy_kwh, 0.0, None) / (math.sqrt(3) * nominal_kv * hours * power_factor)
    return 3 * (form_factors * i_avg_a) ** 2 * resistance_ohm * hours / 1000


def form_factors(shapes: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """form_factor of each row of `shapes`."""
    totals = shapes.sum(axis=1)
    safe = np.where(totals > 0, totals, 1.0)
    return np.where(totals > 0, np.sqrt(shapes.shape[1] * (shapes**2).sum(axis=1)) / safe, 1.0)
