"""curves.csv on both stores: validated whole with line and column, all or nothing, idempotent;
a gate's curve (or a meter's own) shapes technical loss, worked out by hand.

The network of tests/graph/series/test_technical_balances.py (flat day, pf 1): TA's MA1 draws
240 kWh a day through L1 (0.1 ohm). With GA's curve at 20 kW for 12 hours and 0 for the other
12, the area's consumption has that shape: 20 kW through L1 for 12 h.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.domain.errors import LoadRejected
from graph.series.files import SeriesFolder
from graph.series.loss import LossRules
from graph.series.reader import LossReader
from graph.series.writer import sync_topology
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.graph.series.test_technical_balances import (
    DAY1,
    DAY2,
    TA_DAY,
    TODAY,
    _network,
    daily,
    loaded,
    one_line_kwh,
)

HEADER = ["meter_code", "date", *(f"p{i}" for i in range(1, 97))]
HALF_DAY = ["20"] * 48 + ["0"] * 48  # 20 kW from midnight to noon


def _curves(folder: Path, rows: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "curves.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return folder


@pytest.fixture
def series(store: Store, tmp_path: Path) -> SeriesFolder:
    return loaded(store, tmp_path)


def _technical(series: SeriesFolder) -> list[object]:
    reader = LossReader(series, LossRules())
    try:
        return [reader.areas(["TA"], d, d)["TA"].technical_kwh for d in (DAY1, DAY2)]
    finally:
        reader.close()


def test_a_gate_curve_shapes_its_areas_day(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    assert _technical(series) == [daily(TA_DAY)] * 2
    folder = _curves(tmp_path / "c", [["GA", DAY2.isoformat(), *HALF_DAY]])
    report = load_folder(store, folder, today=TODAY, series=series)
    assert report.curves is not None
    assert (report.curves.written, report.curves.days_written) == (1, 1)
    assert _technical(series) == [daily(TA_DAY), daily(one_line_kwh(20, 0.1, hours=12))]
    again = load_folder(store, folder, today=TODAY, series=series)
    assert again.curves is not None
    assert (again.curves.written, again.curves.unchanged) == (0, 1)
    assert not again.changed


def test_a_meters_own_curve_comes_first(store: Store, series: SeriesFolder, tmp_path: Path) -> None:
    """MA1's own curve: 40 kW for 6 hours (its 240 kWh), whatever the gate's shape."""
    own = ["40"] * 24 + ["0"] * 72
    rows = [["GA", DAY1.isoformat(), *HALF_DAY], ["MA1", DAY1.isoformat(), *own]]
    load_folder(store, _curves(tmp_path / "c", rows), today=TODAY, series=series)
    assert _technical(series)[0] == daily(one_line_kwh(40, 0.1, hours=6))


def test_bad_curves_are_refused_whole_with_line_and_column(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    bad = list(HALF_DAY)
    bad[4] = "12,5"  # p5: a decimal comma
    rows = [
        ["GA", DAY1.isoformat(), *HALF_DAY],  # good, but the file is refused whole
        ["NOPE", DAY1.isoformat(), *HALF_DAY],
        ["GA", "2026-06-31", *HALF_DAY],
        ["GA", "2099-01-01", *HALF_DAY],
        ["GA", DAY2.isoformat(), *bad],
        ["GA", DAY1.isoformat(), *(["1"] * 96)],  # another curve for a meter-day of line 2
    ]
    before = series.read()
    with pytest.raises(LoadRejected) as refused:
        load_folder(store, _curves(tmp_path / "c", rows), today=TODAY, series=series)
    found = {(p.line, p.column, p.column_name): p.message for p in refused.value.problems}
    assert found == {
        (3, 1, "meter_code"): "unknown meter",
        (4, 2, "date"): "not a date: expected YYYY-MM-DD",
        (5, 2, "date"): "curve date is in the future",
        (6, 7, "p5"): "not a number (kW, up to 4 decimals)",
        (7, 3, "p1"): f"meter GA has another curve for {DAY1} on line 2",
    }
    after = series.read()
    assert (after.curves, after.balances) == (before.curves, before.balances)


def test_a_missing_column_is_named(store: Store, series: SeriesFolder, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "curves.csv").write_text(",".join(HEADER[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(LoadRejected) as refused:
        load_folder(store, folder, today=TODAY, series=series)
    assert [(p.line, p.column_name, p.message) for p in refused.value.problems] == [
        (1, "p96", 'missing required column "p96"')
    ]


def test_an_area_recomputed_alone_keeps_its_curves(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    """L1 becomes 2 ohm/km from June 2nd: TA alone is recomputed (its meters' energies and
    curves read for it only), still by GA's curve: 20 kW through 0.2 ohm for 12 hours."""
    load_folder(store, _curves(tmp_path / "c", [["GA", DAY2.isoformat(), *HALF_DAY]]),
                today=TODAY, series=series)  # fmt: skip
    load_folder(store, _network(2.0).write(tmp_path / "thin"), effective=DAY2, today=TODAY)
    report = sync_topology(series, store)
    assert (report.changed_areas, report.recomputed_days) == (1, 1)
    assert _technical(series) == [daily(TA_DAY), daily(one_line_kwh(20, 0.2, hours=12))]
