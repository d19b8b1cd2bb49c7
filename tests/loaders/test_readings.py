"""readings.csv through `taiqu load`: every problem by line and column with nothing written,
idempotent re-imports, recorded corrections; on both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.errors import LoadRejected
from graph.domain.model import Kind
from graph.series.files import SeriesFolder
from graph.series.loss import LossRules
from graph.series.reader import LossReader
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.fingerprint import fingerprint
from tests.networks import moved_network, moved_readings

TODAY = dt.date(2026, 11, 28)
D1, D2 = dt.date(2026, 10, 1), dt.date(2026, 10, 2)
HEADER = "meter_code,date,import_kwh,export_kwh\n"


@pytest.fixture
def series(store: Store, tmp_path: Path) -> SeriesFolder:
    """A series folder beside a store holding moved_network("TA") with two days of readings."""
    folder = SeriesFolder(tmp_path / "series")
    net = moved_readings(moved_network("TA"))
    load_folder(store, net.write(tmp_path / "base"), today=TODAY, series=folder)
    return folder


def _readings(tmp_path: Path, text: str, name: str = "r") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "readings.csv").write_text(text, encoding="utf-8")
    return folder


def _problems(store: Store, series: SeriesFolder, folder: Path) -> list[str]:
    generation = series.read().generation
    before = fingerprint(store)
    with pytest.raises(LoadRejected) as err:
        load_folder(store, folder, today=TODAY, series=series)
    assert series.read().generation == generation, "nothing may be written"
    assert fingerprint(store) == before
    return [str(p) for p in err.value.problems]


def test_every_bad_value_is_reported_with_line_and_column(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    text = HEADER + (
        "MA1,2026-10-03,5,\n"  # fine on its own: still not written
        "NOPE,2026-10-03,5,\n"
        "MA1,2026-13-01,5,\n"
        "MA1,03/10/2026,5,\n"
        "MA1,2026-10-04,-5,\n"
        "MA1,2026-10-05,five,\n"
        "MA1,2026-10-06,5,-1\n"
        "MA1,2026-10-07,1.23456,\n"
        "MA1,2026-12-01,5,\n"
        ",2026-10-08,,\n"
    )
    assert _problems(store, series, _readings(tmp_path, text)) == [
        "readings.csv:3:1 (meter_code): error: unknown meter",
        "readings.csv:4:2 (date): error: not a date: expected YYYY-MM-DD",
        "readings.csv:5:2 (date): error: not a date: expected YYYY-MM-DD",
        "readings.csv:6:3 (import_kwh): error: negative energy",
        "readings.csv:7:3 (import_kwh): error: not a number",
        "readings.csv:8:4 (export_kwh): error: negative energy",
        "readings.csv:9:3 (import_kwh): error: more than 4 decimal places",
        "readings.csv:10:2 (date): error: reading date is in the future",
        "readings.csv:11:1 (meter_code): error: a value is required",
        "readings.csv:11:3 (import_kwh): error: a value is required",
    ]


def test_same_meter_day_twice_with_different_values(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    text = (
        HEADER + "MA1,2026-10-03,5,\nMA1,2026-10-03,5.0,0\nMB1,2026-10-03,1,\nMA1,2026-10-03,6,\n"
    )
    assert _problems(store, series, _readings(tmp_path, text)) == [
        "readings.csv:5:3 (import_kwh): error: meter MA1 has a different reading for "
        "2026-10-03 on line 2"
    ]


def test_missing_column_and_short_row(store: Store, series: SeriesFolder, tmp_path: Path) -> None:
    missing = _readings(tmp_path, "meter_code,day,import_kwh\nMA1,2026-10-03,5\n", "a")
    assert _problems(store, series, missing) == [
        'readings.csv:1 (date): error: missing required column "date"'
    ]
    short = _readings(tmp_path, HEADER + "MA1,2026-10-03,5,\nMA1,2026-10-04\n", "b")
    assert _problems(store, series, short) == [
        "readings.csv:3:3: error: row has 2 fields, the header has 4"
    ]


def test_quoted_file_with_blank_lines_keeps_true_line_numbers(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    text = (
        'export_kwh,"meter_code",date,import_kwh\r\n\r\n'
        '"",MA1,2026-10-03,"1"\r\n'
        '"2",MA1,2026-10-04,"x"\r\n'
    )
    assert _problems(store, series, _readings(tmp_path, text)) == [
        "readings.csv:4:4 (import_kwh): error: not a number"
    ]


def test_readings_with_topology_errors_write_neither(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    net = moved_network("TA").meter("GX", "NO-SUCH-AREA", "gate").reading("MA1", "2026-10-03", 1)
    problems = _problems(store, series, net.write(tmp_path / "bad"))
    assert any("meters.csv" in p for p in problems)


def test_readings_for_meters_added_by_the_same_folder(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    net = moved_network("TA").user_meter("MN", "TB").reading("MN", "2026-10-01", 7)
    report = load_folder(store, net.write(tmp_path / "more"), today=TODAY, series=series)
    assert report.summary.created[Kind.METER] == 1
    assert report.readings is not None and report.readings.added == 1
    reader = LossReader(series, LossRules())
    assert reader.areas(["TB"], D1, D1)["TB"].sales_kwh == 60 + 7
    reader.close()


def test_identical_readings_change_nothing(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    generation = series.read().generation
    again = moved_readings(moved_network("TA"))
    report = load_folder(store, again.write(tmp_path / "again"), today=TODAY, series=series)
    assert report.readings is not None
    assert (report.readings.added, report.readings.replaced, report.readings.unchanged) == (
        0,
        0,
        10,
    )
    assert not report.changed
    assert series.read().generation == generation
    # The same values written differently are the same readings.
    text = HEADER + "MA1,2026-10-01,70.000,0\nGA,2026-10-02, 100 ,\n"
    report = load_folder(store, _readings(tmp_path, text), today=TODAY, series=series)
    assert report.readings is not None and report.readings.unchanged == 2
    assert series.read().generation == generation


def test_a_new_value_replaces_and_is_recorded(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    text = HEADER + "MA1,2026-10-01,75.5,\nMA1,2026-10-02,70,\n"
    report = load_folder(store, _readings(tmp_path, text), today=TODAY, series=series)
    assert report.readings is not None
    assert (report.readings.added, report.readings.replaced, report.readings.unchanged) == (0, 1, 1)
    reader = LossReader(series, LossRules())
    assert [float(r.import_kwh) for r in reader.readings(["MA1"], D1, D2)["MA1"]] == [75.5, 70]
    day1 = reader.areas(["TA"], D1, D1)["TA"]
    assert day1.sales_kwh == 75.5 + 20  # the balance follows the corrected value
    (correction,) = reader.corrections(["MA1"], D1, D2)["MA1"]
    assert (correction.day, correction.source) == (D1, "readings.csv")
    assert (correction.old_import_kwh, correction.new_import_kwh) == (70, 75.5)
    assert (correction.old_export_kwh, correction.new_export_kwh) == (0, 0)
    assert correction.replaced_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
    reader.close()


def test_new_days_add_files_without_touching_stored_days(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    before = series.read()
    text = HEADER + "MA1,2026-10-03,1,\n"
    load_folder(store, _readings(tmp_path, text), today=TODAY, series=series)
    after = series.read()
    assert after.readings["2026-10-01"] == before.readings["2026-10-01"]
    assert set(after.readings) == {"2026-10-01", "2026-10-02", "2026-10-03"}
