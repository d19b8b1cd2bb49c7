"""Findings kept in the series folder: reused while a feeder's data is unchanged, analysed
again for the feeder a new import touched and only for it, always equal to a fresh analysis;
a kept file that cannot be read, a home that cannot be written and balances written before
checksums were kept all fall back to analysing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from graph.series.files import SeriesFolder
from graph.series.findings.analyze import Analysis, analyze_areas
from graph.series.findings.kept import groups_of
from graph.stores.contract import Store
from loaders.generate import generate, write_folder
from loaders.generate_households import FaultCounts, write_household_readings
from loaders.load import load_folder

START = dt.date(2026, 10, 1)
END = START + dt.timedelta(days=27)
TODAY = dt.date(2026, 11, 20)
#: Two feeders of 37 areas between them, with some of each fault.
SEED, METERS = 3, 8000
COUNTS = FaultCounts(misplaced=2, thieves=2, gate_multipliers=1, anomalies_each=1, min_use_kwh=8)


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> tuple[Store, SeriesFolder, Path]:
    folder = tmp_path / "folder"
    write_folder(generate(METERS, seed=SEED), folder)
    write_household_readings(folder, START, 28, seed=SEED, counts=COUNTS)
    series = SeriesFolder(tmp_path / "home" / "series")
    load_folder(store, folder, today=TODAY, series=series)
    return store, series, folder


def _areas(folder: Path) -> dict[str, str]:
    """Each area of the generated folder with its feeder."""
    with (folder / "transformers.csv").open(encoding="utf-8") as fh:
        return {row["transformer_code"]: row["feeder_code"] for row in csv.DictReader(fh)}


def _analysis(series: SeriesFolder, areas: list[str], keep: bool = True) -> Analysis:
    return analyze_areas(series, areas, START, END, keep=keep)


def test_kept_findings_are_reused_until_an_import_touches_their_feeder(
    loaded: tuple[Store, SeriesFolder, Path], tmp_path: Path
) -> None:
    store, series, folder = loaded
    feeder_of = _areas(folder)
    areas = sorted(feeder_of)
    assert len(groups_of(areas, feeder_of)) == 2

    first = _analysis(series, areas)
    assert (first.groups, first.analysed) == (2, 2)
    assert first.findings, "the injected faults give findings to keep"
    assert first.findings == _analysis(series, areas, keep=False).findings
    again = _analysis(series, areas)
    assert (again.groups, again.analysed) == (2, 0)
    assert again.findings == first.findings

    # One customer's reading corrected (M...: customers, G...: gates): 400 kWh more on one day.
    with (folder / "readings.csv").open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["meter_code"].startswith("M"))
    meter_area = _meter_area(folder, row["meter_code"])
    fix = tmp_path / "fix"
    fix.mkdir()
    with (fix / "readings.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["meter_code", "date", "import_kwh", "export_kwh"])
        writer.writerow([row["meter_code"], row["date"], "400.00", row["export_kwh"]])
    load_folder(store, fix, today=TODAY, series=series)

    after = _analysis(series, areas)
    assert (after.groups, after.analysed) == (2, 1)
    assert after.findings == _analysis(series, areas, keep=False).findings
    assert after.findings != first.findings
    # The other feeder's findings are the kept ones, unchanged.
    other = sorted(a for a, f in feeder_of.items() if f != feeder_of[meter_area])
    kept = [f for f in after.findings if f.transformer in other]
    assert kept == [f for f in first.findings if f.transformer in other]
    # A subtree of the touched feeder asks nothing new: its feeder was just analysed.
    one = _analysis(series, [meter_area])
    assert (one.groups, one.analysed) == (1, 0)
    assert one.findings == [
        f for f in after.findings if meter_area in (f.transformer, f.likely_transformer)
    ]


def _meter_area(folder: Path, meter: str) -> str:
    with (folder / "meters.csv").open(encoding="utf-8") as fh:
        return next(r["transformer_code"] for r in csv.DictReader(fh) if r["meter_code"] == meter)


def test_what_cannot_be_kept_is_analysed_again(
    loaded: tuple[Store, SeriesFolder, Path],
) -> None:
    _, series, folder = loaded
    areas = sorted(_areas(folder))
    first = _analysis(series, areas)
    kept_files = sorted((series.root / "findings").rglob("*.json"))
    assert len(kept_files) == 2

    kept_files[0].write_text("{not json", encoding="utf-8")
    broken = _analysis(series, areas)
    assert (broken.analysed, broken.findings) == (1, first.findings)

    # Balances written before checksums were kept: no fingerprint, every feeder analysed.
    manifest = series.read()
    for name in manifest.balances.values():
        path = series.path(name)
        duckdb.execute(
            f"COPY (SELECT * EXCLUDE (readings_hash) FROM read_parquet('{path}')) "
            f"TO '{path}.tmp' (FORMAT parquet)"
        )
        Path(f"{path}.tmp").replace(path)
    for _ in range(2):
        old = _analysis(series, areas)
        assert (old.analysed, old.findings) == (2, first.findings)


def test_a_home_that_cannot_be_written_keeps_nothing_and_still_answers(
    loaded: tuple[Store, SeriesFolder, Path],
) -> None:
    _, series, folder = loaded
    areas = sorted(_areas(folder))
    (series.root / "findings").write_text("not a folder", encoding="utf-8")
    first = _analysis(series, areas)
    second = _analysis(series, areas)
    assert (first.analysed, second.analysed) == (2, 2)
    assert second.findings == first.findings == _analysis(series, areas, keep=False).findings
