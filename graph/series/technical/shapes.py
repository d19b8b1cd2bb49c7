"""How a meter's day of energy is spread over its 96 quarter hours: the best shape the data
allows.

1. Its own curve (`curves.csv`: average kW in each quarter hour), scaled to its daily energy.
2. Else the gate's curve: what the area drew, with the PV meters' export put back (a clear-sky
   shape times each PV meter's exported energy: the PV behind the gate fed part of the load),
   so that it is the shape of the area's consumption.
3. Else a typical shape (residential by default; configurable).

Exported energy is spread by the clear-sky shape. Reactive power follows from a power factor.
The shapes here are the fixed ones; columns.py makes the others from the curves.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

STEPS = 96  # quarter hours in a day
STEP_H = 0.25


def _normalized(values: Floats) -> Floats:
    """`values` scaled to sum to 1 (a shape: the share of the day's energy in each step)."""
    return values / values.sum()


def _hours() -> Floats:
    return (np.arange(STEPS, dtype=np.float64) + 0.5) * STEP_H  # mid quarter hour


def residential_shape() -> Floats:
    """A household day: a night base, a morning peak near 07:30 and the evening peak near
    19:30 (the shape of Chinese residential load curves), as shares of the day's energy."""
    h = _hours()
    load = (
        0.35
        + 0.45 * np.exp(-(((h - 7.5) / 1.5) ** 2))
        + 0.30 * np.exp(-(((h - 12.0) / 1.5) ** 2))
        + 1.00 * np.exp(-(((h - 19.5) / 2.0) ** 2))
    )
    return _normalized(load)


def clear_sky_shape(sunrise_h: float = 6.0, sunset_h: float = 18.0) -> Floats:
    """A PV day without clouds: sin^1.5 between sunrise and sunset, as shares of the day."""
    h = _hours()
    up = (h - sunrise_h) / (sunset_h - sunrise_h)
    day = (up > 0) & (up < 1)  # exactly nothing at night (sin(pi) is not quite 0)
    return _normalized(np.where(day, np.sin(math.pi * np.clip(up, 0.0, 1.0)) ** 1.5, 0.0))


def shape_from_text(text: str) -> Floats:
    """A typical day from a file's text: 96 quarter-hour or 24 hourly non-negative values
    (kW or shares, separated by commas, spaces or new lines), as shares of the day
    (ValueError with what is wrong)."""
    raw = text.replace(",", " ").split()
    try:
        values = np.array([float(v) for v in raw], dtype=np.float64)
    except ValueError as exc:
        raise ValueError(f"a shape holds numbers only: {exc}") from exc
    if len(values) == 24:
        values = np.repeat(values, 4)
    if len(values) != STEPS:
        raise ValueError(f"a shape has 96 (quarter hours) or 24 (hours) values, not {len(raw)}")
    if not np.isfinite(values).all() or (values < 0).any() or values.sum() <= 0:
        raise ValueError("a shape's values are finite, not negative, and not all 0")
    return _normalized(values)
