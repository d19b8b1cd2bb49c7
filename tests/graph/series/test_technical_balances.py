"""Technical loss kept with the balances, on both stores: worked out by hand on small networks,
split from loss, rolled up over computable areas, recomputed only where something changed.

Assumed: a flat day (every quarter hour 1/96 of the day's energy), power factor 1, lines
without reactance, 0.4 kV. Two days, 2026-06-01..02.

  TA  lines: N0 (busbar, gate GA's node) -L1- N1, 0.1 km of 1 ohm/km (0.1 ohm; a reactance
      of 1e-6 ohm/km: a line must have one, and at pf 1 it moves nothing).
      GA reads 250 a day, MA1 (on N1) 240 a day: a constant 10 kW through L1.
      Per phase: P = 10/3 kW at V1 = (V0 + sqrt(V0^2 - 4 R P)) / 2 (V0 = 400/sqrt 3 V),
      I = P / V1, loss = 3 I^2 R over 24 h (the exact power flow of one line).
  TB  no lines, 400 kVA (150 mm2: 0.206 ohm/km), supply radius 0.5 km by default:
      R_eq = 0.206 x 0.5 / 3; GB 100 a day, MB1 90: I = 100 / (sqrt 3 x 0.4 x 24) A,
      loss = 3 I^2 R_eq x 24 / 1000 kWh (form factor 1: the flat day).
  TU  no gate meter: UNCOMPUTABLE, outside every roll-up's energy.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from graph.domain.scope import Scope
from graph.series.files import SeriesFolder
from graph.series.loss import LossOrder, LossRules
from graph.series.reader import LossReader
from graph.series.technical.day import Assumptions, TechnicalMethod
from graph.series.technical.materialize import technical_rows
from graph.series.writer import connect, sync_topology, table_of, technical_views
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.networks import LossNetwork

TODAY = dt.date(2026, 11, 28)
DAY1, DAY2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)
FLAT = Assumptions(power_factor=1.0, typical_shape=np.full(96, 1 / 96))


def one_line_kwh(load_kw: float, r_ohm: float, hours: float = 24) -> float:
    """The exact loss of one line feeding a constant-power load at 0.4 kV, unity pf."""
    v0 = 400 / math.sqrt(3)
    p = load_kw * 1000 / 3
    v1 = (v0 + math.sqrt(v0 * v0 - 4 * r_ohm * p)) / 2
    return 3 * (p / v1) ** 2 * r_ohm * hours / 1000


def equivalent_kwh(energy_kwh: float, r_eq_ohm: float) -> float:
    current_a = energy_kwh / (math.sqrt(3) * 0.4 * 24)
    return 3 * current_a**2 * r_eq_ohm * 24 / 1000


def daily(kwh: float) -> Decimal:
    """What a day keeps: 4 decimals."""
    return Decimal(f"{kwh:.4f}")


TA_DAY = one_line_kwh(10, 0.1)
TB_DAY = equivalent_kwh(100, 0.206 * 0.5 / 3)


def _network(r_ohm_per_km: float = 1.0) -> LossNetwork:
    net = LossNetwork().org("P", "省公司").substation("S1", "P").feeder("F1", "S1", "P")
    net.transformer("TA", "F1", "P").transformer("TB", "F1", "P").transformer("TU", "F1", "P")
    net.meter("GA", "TA", "gate").node("GA", "N0").user_meter("MA1", "TA").node("MA1", "N1")
    net.line("L1", "TA", "N0", "N1", 0.1, r_ohm_per_km, 0.000001)
    net.meter("GB", "TB", "gate").user_meter("MB1", "TB")
    net.user_meter("MU1", "TU")
    return net


def _with_readings(net: LossNetwork) -> LossNetwork:
    for day in (DAY1, DAY2):
        d = day.isoformat()
        net.reading("GA", d, 250).reading("MA1", d, 240)
        net.reading("GB", d, 100).reading("MB1", d, 90).reading("MU1", d, 5)
    return net


def loaded(store: Store, tmp_path: Path, net: LossNetwork | None = None) -> SeriesFolder:
    """`net` (default: the network above with its readings) loaded, with the flat day."""
    folder = SeriesFolder(tmp_path / "home" / "series", FLAT)
    network = net or _with_readings(_network())
    load_folder(store, network.write(tmp_path / "base"), today=TODAY, series=folder)
    return folder


def _tied(net: LossNetwork) -> LossNetwork:
    """MB2: archived under TB, its service on TA's N1 (accepted with a warning)."""
    net.user_meter("MB2", "TB").node("MB2", "N1")
    return net


@pytest.fixture
def series(store: Store, tmp_path: Path) -> SeriesFolder:
    return loaded(store, tmp_path)


def _reader(series: SeriesFolder) -> LossReader:
    return LossReader(series, LossRules())


def test_the_split_of_each_area_by_hand(series: SeriesFolder) -> None:
    reader = _reader(series)
    try:
        areas = reader.areas(["TA", "TB", "TU"], DAY1, DAY2)
    finally:
        reader.close()
    ta, tb, tu = areas["TA"], areas["TB"], areas["TU"]
    assert ta.technical_method is TechnicalMethod.POWER_FLOW
    assert ta.technical_kwh is not None
    assert float(ta.technical_kwh) == pytest.approx(2 * TA_DAY, abs=1e-4)  # 4 decimals a day
    assert ta.technical_kwh == 2 * daily(TA_DAY)
    assert (
        ta.management_loss_kwh == ta.loss_kwh - ta.technical_kwh == Decimal(20) - ta.technical_kwh
    )
    assert ta.technical_loss_rate == pytest.approx(float(ta.technical_kwh) / 500)
    assert ta.management_loss_rate == pytest.approx(float(ta.management_loss_kwh) / 500)
    assert tb.technical_method is TechnicalMethod.EQUIVALENT_RESISTANCE
    assert tb.technical_kwh == 2 * daily(TB_DAY)
    assert float(tb.technical_kwh) == pytest.approx(2 * TB_DAY, abs=1e-4)
    # TU has no gate: nothing through it to estimate from.
    assert tu.technical_method is TechnicalMethod.NONE
    assert tu.technical_kwh == 0


def test_a_roll_up_sums_the_computable_areas_and_takes_the_weakest_method(
    series: SeriesFolder,
) -> None:
    reader = _reader(series)
    try:
        summary = reader.summaries(Scope.FEEDER, ["F1"], DAY1, DAY2)["F1"]
        days = reader.series(Scope.FEEDER, ["F1"], DAY1, DAY2)["F1"]
    finally:
        reader.close()
    assert summary.uncomputable_count == 1
    assert summary.technical_kwh == 2 * daily(TA_DAY) + 2 * daily(TB_DAY)
    assert summary.management_loss_kwh == summary.loss_kwh - summary.technical_kwh
    assert summary.loss_kwh == 20 + 20  # TA 2 x 10, TB 2 x 10 (TU left out)
    assert summary.technical_method is TechnicalMethod.EQUIVALENT_RESISTANCE
    assert [d.technical_kwh for d in days] == [daily(TA_DAY) + daily(TB_DAY)] * 2
    # Not asked for (the API asks only when a technical field is selected): unknown, and the
    # rest of the roll-up the same.
    reader = _reader(series)
    try:
        plain = reader.summaries(Scope.FEEDER, ["F1"], DAY1, DAY2, technical=False)["F1"]
    finally:
        reader.close()
    assert (plain.technical_kwh, plain.technical_method) == (None, TechnicalMethod.NONE)
    assert (plain.supply_kwh, plain.loss_kwh) == (summary.supply_kwh, summary.loss_kwh)


def test_the_ranking_by_management_loss_rate(series: SeriesFolder) -> None:
    reader = _reader(series)
    try:
        down = reader.ranking(
            Scope.FEEDER, "F1", DAY1, DAY2, LossOrder.MANAGEMENT_LOSS_RATE_DESC, None, 10, 0
        )
        up = reader.ranking(
            Scope.FEEDER, "F1", DAY1, DAY2, LossOrder.MANAGEMENT_LOSS_RATE_ASC, None, 10, 0
        )
    finally:
        reader.close()
    # Both lose 10 a day; TA's lines take more of it than TB's estimate: TB's management rate
    # (20 - 0.33) / 200 is above TA's (20 - 3.1) / 500. TU (no supply) last either way.
    assert [a.area for a in down.items] == ["TB", "TA", "TU"]
    assert [a.area for a in up.items] == ["TA", "TB", "TU"]


def test_a_line_changed_on_a_day_recomputes_its_area_from_that_day(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    """L1 is found to be a thinner conductor from June 2nd (2 ohm/km): TA's day 1 stays,
    day 2 doubles its resistance; TB is not recomputed."""
    before = _reader(series)
    try:
        first = before.areas(["TA", "TB"], DAY1, DAY1)
    finally:
        before.close()
    load_folder(store, _network(2.0).write(tmp_path / "thin"), effective=DAY2, today=TODAY)
    report = sync_topology(series, store)
    assert (report.changed_areas, report.recomputed_days) == (1, 1)
    after = _reader(series)
    try:
        again = after.areas(["TA", "TB"], DAY1, DAY1)
        second = after.areas(["TA", "TB"], DAY2, DAY2)
    finally:
        after.close()
    assert again == first
    assert second["TA"].technical_kwh == daily(one_line_kwh(10, 0.2))
    assert second["TB"].technical_kwh == daily(TB_DAY)


def test_a_meter_on_another_areas_lines_loads_those_lines(store: Store, tmp_path: Path) -> None:
    """MB2 is archived under TB but its service hangs on TA's N1 (accepted with a warning):
    TA's lines carry its 60 kWh a day (12.5 kW through L1); TB's estimate is its gate's."""
    net = _tied(_with_readings(_network()))
    for day in (DAY1, DAY2):
        net.reading("MB2", day.isoformat(), 60)
    folder = loaded(store, tmp_path, net)
    reader = _reader(folder)
    try:
        areas = reader.areas(["TA", "TB"], DAY1, DAY2)
    finally:
        reader.close()
    assert areas["TA"].technical_kwh == 2 * daily(one_line_kwh(12.5, 0.1))
    assert areas["TB"].technical_kwh == 2 * daily(TB_DAY)


def test_a_tied_area_is_recomputed_with_the_area_that_changed(store: Store, tmp_path: Path) -> None:
    """MB2 (archived under TB, on TA's lines) gets a multiplier of 2 from June 2nd: only TB's
    memberships change, but TA's lines carry MB2's 120 kWh: TA is recomputed with it."""
    net = _tied(_with_readings(_network()))
    for day in (DAY1, DAY2):
        net.reading("MB2", day.isoformat(), 60)
    folder = loaded(store, tmp_path, net)
    doubled = _tied(_network())
    doubled.rows["meters.csv"] = [
        (*r[:4], 2, *r[5:]) if r[0] == "MB2" else r for r in doubled.rows["meters.csv"]
    ]
    load_folder(store, doubled.write(tmp_path / "x2"), effective=DAY2, today=TODAY)
    report = sync_topology(folder, store)
    assert (report.changed_areas, report.recomputed_days) == (1, 1)
    reader = _reader(folder)
    try:
        day1 = reader.areas(["TA"], DAY1, DAY1)["TA"]
        day2 = reader.areas(["TA"], DAY2, DAY2)["TA"]
    finally:
        reader.close()
    assert day1.technical_kwh == daily(one_line_kwh(12.5, 0.1))
    assert day2.technical_kwh == daily(one_line_kwh(15, 0.1))


def test_each_area_alone_gets_what_the_run_of_every_area_gets(store: Store, tmp_path: Path) -> None:
    """A write recomputes some areas only: their run must read the same meters as the run of
    all. TA alone still carries MB2 (archived under TB, on TA's N1) by its node."""
    net = _tied(_with_readings(_network()))
    for day in (DAY1, DAY2):
        net.reading("MB2", day.isoformat(), 60)
    folder = loaded(store, tmp_path, net)
    manifest = folder.read()
    con = connect(folder)
    try:
        table_of(con, folder, [manifest.topology["memberships"]], "memberships", "memberships")
        technical_views(con, folder, manifest)
        day_files = {dt.date.fromisoformat(d): folder.path(f) for d, f in manifest.readings.items()}
        every = list(technical_rows(con, day_files, {}, None, FLAT))
        assert {r.area for r in every} == {"TA", "TB", "TU"}
        for area in ("TA", "TB", "TU"):
            alone = technical_rows(con, day_files, {}, [area], FLAT)
            assert [r for r in alone if r.area == area] == [r for r in every if r.area == area]
    finally:
        con.close()
    ta_day1 = next(r for r in every if (r.area, r.day) == ("TA", DAY1))
    assert daily(ta_day1.loss_kwh) == daily(one_line_kwh(12.5, 0.1))
