"""Findings over a generated feeder with known faults, loaded into each store: what the
analysis finds of each kind, with the right area, multiplier and day; how little it finds
that is not there; the subtree and a principal's scope; and `taiqu analyze` as a user runs
it (table, JSON, a CSV with Chinese names)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from graph.domain.scope import Scope
from graph.series.files import SeriesFolder
from graph.series.findings.model import Finding, FindingKind
from graph.series.loss import LossRules
from graph.series.reader import LossReader
from graph.services.findings import findings_under
from graph.stores.contract import Store
from loaders.generate import generate, write_folder
from loaders.generate_households import Fault, FaultCounts, read_truth, write_household_readings
from loaders.load import load_folder
from tests.taiqu.test_cli import taiqu

START = dt.date(2026, 10, 1)
END = START + dt.timedelta(days=34)
TODAY = dt.date(2026, 11, 20)
#: One feeder of 25 areas; misplaced meters and thieves among households of 12 kWh a day
#: or more (smaller ones sink in the areas' daily noise: bench/README).
SEED, METERS = 3, 6000
COUNTS = FaultCounts(misplaced=4, thieves=3, gate_multipliers=1, anomalies_each=1, min_use_kwh=12)
SURE = 0.5


def _generated(tmp_path: Path) -> Path:
    folder = tmp_path / "folder"
    write_folder(generate(METERS, seed=SEED), folder)
    write_household_readings(folder, START, 35, seed=SEED, counts=COUNTS)
    return folder


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> tuple[SeriesFolder, list[Fault]]:
    folder = _generated(tmp_path)
    series = SeriesFolder(tmp_path / "home" / "series")
    load_folder(store, folder, today=TODAY, series=series)
    return series, read_truth(folder)


def _network(series: SeriesFolder, **kwargs: object) -> list[Finding]:
    reader = LossReader(series, LossRules())
    try:
        return findings_under(reader, Scope.NETWORK, "", START, END, **kwargs).findings  # type: ignore[arg-type]
    finally:
        reader.close()


def test_the_injected_faults_are_found_and_little_else(
    loaded: tuple[SeriesFolder, list[Fault]],
) -> None:
    series, truth = loaded
    found = _network(series)
    sure = [f for f in found if f.score >= SURE]
    by_key = {(t.kind, t.meter_code): t for t in truth}
    hits = [f for f in sure if (f.kind.value, f.meter) in by_key]
    false = [f for f in sure if (f.kind.value, f.meter) not in by_key]
    assert len(false) <= 1, false
    counted = Counter(f.kind for f in hits)
    # Every reading anomaly, with its detail and first day.
    assert counted[FindingKind.READING_ANOMALY] == 5
    for f in hits:
        t = by_key[(f.kind.value, f.meter)]
        if f.kind == FindingKind.READING_ANOMALY:
            assert dict(f.evidence)["anomaly"] == t.detail and f.since == t.since
        if f.kind == FindingKind.METER_IN_OTHER_AREA:
            assert f.likely_transformer == t.likely_transformer_code
        if f.kind == FindingKind.WRONG_MULTIPLIER:
            assert f.likely_multiplier == t.likely_multiplier
    assert counted[FindingKind.WRONG_MULTIPLIER] == 1
    assert counted[FindingKind.METER_IN_OTHER_AREA] >= 3
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)


def test_a_subtree_and_a_principals_scope(loaded: tuple[SeriesFolder, list[Fault]]) -> None:
    series, truth = loaded
    anomaly = next(t for t in truth if t.kind == "READING_ANOMALY")
    reader = LossReader(series, LossRules())
    try:
        one = findings_under(
            reader,
            Scope.TRANSFORMER,
            anomaly.transformer_code,
            START,
            END,
            [FindingKind.READING_ANOMALY],
        ).findings
        station = reader.areas_under(Scope.TRANSFORMER, anomaly.transformer_code, END)
        assert station == [anomaly.transformer_code]
        # A unit that owns none of the network's areas sees nothing.
        nothing = findings_under(
            reader, Scope.NETWORK, "", START, END, within="NO-SUCH-UNIT"
        ).findings
    finally:
        reader.close()
    assert anomaly.meter_code in {f.meter for f in one}
    assert {f.transformer for f in one} == {anomaly.transformer_code}
    assert nothing == []


def test_taiqu_analyze_as_a_user_runs_it(tmp_path: Path) -> None:
    folder = _generated(tmp_path)
    home = tmp_path / "home"
    assert taiqu(home, "load", str(folder)).returncode == 0
    period = ("--from", START.isoformat(), "--to", END.isoformat())
    table = taiqu(home, "analyze", *period)
    assert table.returncode == 0, table.stderr
    assert "findings over 2026-10-01 .. 2026-11-04, highest score first" in table.stdout
    as_json = taiqu(home, "analyze", *period, "--kinds", "WRONG_MULTIPLIER", "--json")
    answer = json.loads(as_json.stdout)
    truth = read_truth(folder)
    gate = next(t for t in truth if t.kind == "WRONG_MULTIPLIER")
    assert answer["count"] == len(answer["findings"]) >= 1
    top = answer["findings"][0]
    assert (top["kind"], top["meter"], top["likelyMultiplier"]) == (
        "WRONG_MULTIPLIER",
        gate.meter_code,
        gate.likely_multiplier,
    )
    out = tmp_path / "work.csv"
    written = taiqu(home, "analyze", *period, "--under", gate.transformer_code, "--csv", str(out))
    assert written.returncode == 0, written.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows
    for r in rows:
        assert gate.transformer_code in (r["transformer_code"], r["likely_transformer_code"])
    wrong = next(r for r in rows if r["kind"] == "WRONG_MULTIPLIER")
    assert wrong["类型"] == "倍率错误" and wrong["台区名称"].endswith("台区")
    short = taiqu(home, "analyze", "--from", "2026-10-01", "--to", "2026-10-05")
    assert short.returncode == 2 and "at least 14 days" in short.stderr
    unknown = taiqu(home, "analyze", *period, "--under", "NOPE")
    assert unknown.returncode == 2 and "NOPE" in unknown.stderr
