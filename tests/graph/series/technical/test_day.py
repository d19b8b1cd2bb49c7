"""A day's technical loss: shapes, the assembly of loads on nodes, the methods."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from graph.series.technical.columns import AreaColumns, MeterColumns, consumption_shapes
from graph.series.technical.day import (
    AreaDay,
    Assumptions,
    MeterDay,
    TechnicalMethod,
    technical_day,
)
from graph.series.technical.equivalent import (
    equivalent_loss_kwh,
    equivalent_resistance_ohm,
    form_factor,
)
from graph.series.technical.network import LvLine, radial_network
from graph.series.technical.shapes import STEPS, clear_sky_shape, residential_shape

FLAT_KW = np.ones(STEPS)
UNITY = Assumptions(power_factor=1.0)


def test_shapes_are_shares_of_the_day() -> None:
    for shape in (residential_shape(), clear_sky_shape()):
        assert shape.sum() == pytest.approx(1.0) and (shape >= 0).all()
    sky = clear_sky_shape()
    assert sky[:24].sum() == 0 and sky[72:].sum() == 0  # nothing before 06:00 or after 18:00
    assert sky.argmax() in (47, 48)  # noon
    home = residential_shape()
    assert 19 <= home.argmax() * 0.25 <= 20  # the evening peak


def test_the_gates_curve_gets_the_pv_it_did_not_see_put_back() -> None:
    """Area 0: a flat 10 kW gate curve (240 kWh) and 24 kWh exported by its PV: consumption
    264 kWh, the extra in daylight only. Area 1: no curve, the typical shape. Area 2: a curve
    without energy, the typical shape too."""
    curves = np.vstack([10 * FLAT_KW, np.full(STEPS, np.nan), np.zeros(STEPS)])
    areas = AreaColumns(0, curves, np.zeros(3))
    meters = MeterColumns(
        area=np.array([0, 0]),
        node=np.array([-1, -1]),
        import_kwh=np.array([0.0, 0.0]),
        export_kwh=np.array([24.0, 5.0]),
        gate=np.array([False, False]),
        pv=np.array([True, False]),  # a customer meter's export is not PV's
    )
    typical = residential_shape()
    shapes = consumption_shapes(areas, meters, typical, clear_sky_shape())
    assert shapes[0, 0] == pytest.approx(10 * 0.25 / 264)
    assert shapes[0, 48] > shapes[0, 0]
    assert (shapes[1] == typical).all() and (shapes[2] == typical).all()


def test_the_form_factor() -> None:
    assert form_factor(np.full(STEPS, 1 / STEPS)) == pytest.approx(1.0)
    spike = np.zeros(STEPS)
    spike[40] = 1.0
    assert form_factor(spike) == pytest.approx(math.sqrt(STEPS))


def test_the_equivalent_resistance_estimate_by_hand() -> None:
    """240 kWh at unity power factor, flat, 0.4 kV: I = 240 / (sqrt(3) 0.4 24) = 14.434 A;
    R = 0.443 x 0.5 / 3 = 0.07383 ohm; loss = 3 x 14.434^2 x 0.07383 x 24 / 1000 = 1.1075."""
    resistance = equivalent_resistance_ohm(100, None)
    assert resistance == pytest.approx(0.07383, rel=1e-3)
    assert equivalent_resistance_ohm(400, 0.3) == pytest.approx(0.206 * 0.3 / 3)
    loss = equivalent_loss_kwh(240, np.full(STEPS, 1 / STEPS), resistance, 1.0)
    assert loss == pytest.approx(1.1075, rel=1e-3)
    assert equivalent_loss_kwh(0, np.full(STEPS, 1 / STEPS), resistance, 1.0) == 0


def _area(code: str, *nodes: str) -> AreaDay:
    """A chain source - n1 - n2 ... of 100 m lines of 0.32 ohm/km, no reactance."""
    chain = [f"{code}-bus", *nodes]
    lines = [
        LvLine(f"{code}-L{i}", a, b, 0.1, 0.32, 0.0)
        for i, (a, b) in enumerate(itertools.pairwise(chain))
    ]
    return AreaDay(code, radial_network(lines, chain[0]))


def test_one_load_on_a_line_by_hand() -> None:
    """24 kWh with its own flat curve: 1 kW all day at the end of 0.032 ohm. Per phase 333.3 W
    at V = (V0 + sqrt(V0^2 - 4 R P)) / 2; loss 3 R I^2 for 24 h."""
    meters = [MeterDay("M1", "T1", "customer", "n1", 24.0, curve_kw=0.5 * FLAT_KW)]
    found = technical_day([_area("T1", "n1")], meters, UNITY)["T1"]
    v0, r, p = 400 / math.sqrt(3), 0.032, 1000 / 3
    v = (v0 + math.sqrt(v0**2 - 4 * r * p)) / 2
    assert found.method is TechnicalMethod.POWER_FLOW and found.converged
    # The production tolerance: 1e-5 pu on the voltages, the loss within 1e-6 of exact.
    assert found.loss_kwh == pytest.approx(3 * r * (p / v) ** 2 * 24 / 1000, rel=1e-6)


def test_loads_add_up_on_a_node_and_pv_export_offsets_them() -> None:
    area = _area("T1", "n1")
    one = [MeterDay("M1", "T1", "customer", "n1", 24.0, curve_kw=FLAT_KW)]
    two = [*one, MeterDay("M2", "T1", "customer", "n1", 24.0, curve_kw=FLAT_KW)]
    loss_one = technical_day([area], one, UNITY)["T1"].loss_kwh
    loss_two = technical_day([area], two, UNITY)["T1"].loss_kwh
    assert loss_two == pytest.approx(4 * loss_one, rel=1e-3)  # twice the current
    # 24 kWh exported at noon by a PV meter on the same node: less flows at midday.
    pv = [*one, MeterDay("V1", "T1", "pv", "n1", 0.0, export_kwh=6.0)]
    assert technical_day([area], pv, UNITY)["T1"].loss_kwh < loss_one


def test_a_meter_loads_the_network_its_node_is_in_whatever_the_archive_says() -> None:
    """M9 is archived under T1 but its node lies on T2's lines: T2's lines carry it."""
    areas = [_area("T1", "a1"), _area("T2", "b1")]
    meters = [MeterDay("M9", "T1", "customer", "b1", 48.0)]
    found = technical_day(areas, meters, Assumptions())
    assert found["T1"].loss_kwh == 0
    assert found["T2"].loss_kwh > 0


def test_a_meter_without_a_curve_takes_its_areas_consumption_shape() -> None:
    """With the gate's curve all at night, the same energy drawn in 1/4 of the day costs
    more than spread flat (loss goes with the square of the current)."""
    night = np.where(np.arange(STEPS) < 24, 4.0, 0.0)
    flat_area = _area("T1", "n1")
    night_area = AreaDay("T1", flat_area.network, gate_curve_kw=night)
    meters = [MeterDay("M1", "T1", "customer", "n1", 24.0)]
    typical = technical_day([flat_area], meters, UNITY)["T1"].loss_kwh
    at_night = technical_day([night_area], meters, UNITY)["T1"].loss_kwh
    own_flat = technical_day(
        [night_area], [MeterDay("M1", "T1", "customer", "n1", 24.0, curve_kw=FLAT_KW)], UNITY
    )["T1"].loss_kwh
    assert at_night == pytest.approx(4 * own_flat, rel=1e-2)  # 4x the current, 1/4 of the time
    assert own_flat < typical < at_night  # the typical shape has peaks


def test_an_area_without_lines_is_estimated_and_one_without_supply_has_none() -> None:
    meters = [
        MeterDay("G1", "T1", "gate", None, 240.0),
        MeterDay("M1", "T1", "customer", None, 230.0),
    ]
    areas = [AreaDay("T1", None, capacity_kva=100), AreaDay("T2", None)]
    found = technical_day(areas, meters, Assumptions(power_factor=1.0))
    assert found["T1"].method is TechnicalMethod.EQUIVALENT_RESISTANCE
    typical = residential_shape()
    assert found["T1"].loss_kwh == pytest.approx(
        equivalent_loss_kwh(240.0, typical, equivalent_resistance_ohm(100, None), 1.0)
    )
    assert found["T2"].method is TechnicalMethod.NONE and found["T2"].loss_kwh == 0
