"""targets.csv: every problem with file, line and column, nothing written on a problem, the same
file twice records nothing, a changed target is a new version. Both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.errors import LoadRejected
from graph.domain.targets import current, targets_for
from graph.services.targets import record_targets
from graph.stores.contract import Store
from loaders.load import load_folder
from loaders.targets import read_targets
from tests.builder import NetworkBuilder

TODAY = dt.date(2026, 11, 28)
HEADER = "org_code,period,indicator,target\n"


def _orgs(store: Store, tmp_path: Path) -> None:
    net = NetworkBuilder().org("P", "省", level="province").org("X1", "县", "P", "county")
    load_folder(store, net.write(tmp_path / "net"), today=TODAY)


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_every_problem_named_and_nothing_written(store: Store, tmp_path: Path) -> None:
    _orgs(store, tmp_path)
    path = _file(
        tmp_path,
        "X1,2026-13,lossRate,0.05\n"
        "X1,2026,nope,0.1\n"
        "X1,2026,lossRate,6\n"
        "X1,2026,highCount,1.5\n"
        "ZZ,2026,lossRate,0.05\n"
        "X1,2026,qualifiedRate,\n"
        "P,2026,lossRate,0.05\n"
        "P,2026,lossRate,0.04\n",
    )
    with pytest.raises(LoadRejected) as rejected:
        read_targets(path, store)
    assert [str(p) for p in rejected.value.problems] == [
        "targets.csv:2:2 (period): error: period '2026-13': the month must be 01 to 12",
        "targets.csv:3:3 (indicator): error: unknown indicator 'nope': expected one of "
        "lossRate, qualifiedRate, computableRate, highCount, negativeCount, collectionRate, "
        "consistencyRate, technicalLossRate, managementLossRate",
        "targets.csv:4:4 (target): error: lossRate is a fraction of 1 (0.05 for 5 %): 6.0 is "
        "out of [0, 1]",
        "targets.csv:5:4 (target): error: highCount counts areas: its target is a whole number "
        ">= 0, not 1.5",
        "targets.csv:6:1 (org_code): error: unknown org unit 'ZZ': load the network's orgs.csv "
        "first",
        "targets.csv:7:4 (target): error: target is empty",
        "targets.csv:9:3 (indicator): error: lossRate of P for 2026 given twice: first at line 8",
    ]
    assert store.target_versions(["2026", "2026-13"]) == []


def test_same_file_twice_and_a_new_version(store: Store, tmp_path: Path) -> None:
    _orgs(store, tmp_path)
    path = _file(tmp_path, "X1,2026,lossRate,0.06\nX1,2026-06,lossRate,0.07\n")
    first = record_targets(store, read_targets(path, store), "targets.csv")
    assert (first.written, first.unchanged) == (2, 0)
    version = store.versions()[1]
    again = record_targets(store, read_targets(path, store), "targets.csv")
    assert (again.written, again.unchanged) == (0, 2)
    assert store.versions()[1] == version  # nothing recorded, nothing to refresh
    later = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=5)
    changed = _file(tmp_path, "X1,2026,lossRate,0.055\n")
    record_targets(store, read_targets(changed, store), "targets.csv", now=later)
    versions = store.target_versions(["2026-07", "2026"])
    assert sorted(v.target for v in versions) == [0.055, 0.06]
    assert targets_for(current(versions), "X1", "2026-07") == {"lossRate": 0.055}
    before = current(versions, later - dt.timedelta(seconds=1))
    assert targets_for(before, "X1", "2026-07") == {"lossRate": 0.06}
    naive = (later - dt.timedelta(seconds=1)).replace(tzinfo=None)  # read as UTC
    assert targets_for(current(versions, naive), "X1", "2026-07") == {"lossRate": 0.06}
    # June keeps its own target; July takes the year's.
    june = current(store.target_versions(["2026-06", "2026"]))
    assert targets_for(june, "X1", "2026-06") == {"lossRate": 0.07}
