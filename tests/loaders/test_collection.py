"""The collection system's evidence and the mismatch report, on both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.errors import LoadRejected
from graph.domain.model import Rel
from graph.services.mismatches import MismatchCache, find_mismatches
from graph.stores.contract import Store
from loaders.apply import apply_plan
from loaders.load import load_folder
from loaders.plans import PlanStore
from loaders.reconcile import Plan, make_plan
from tests.builder import NetworkBuilder, small_network
from tests.fingerprint import fingerprint

TODAY = dt.date(2026, 11, 28)
JUNE, JULY, AUGUST = dt.date(2026, 6, 1), dt.date(2026, 7, 1), dt.date(2026, 8, 1)
_ids = iter(f"20261128T1000{n:02d}-abcdef" for n in range(100))


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    load_folder(store, small_network().write(tmp_path / "base"), today=TODAY)
    return store


def _plan(store: Store, net: NetworkBuilder, folder: Path) -> Plan:
    plan, _ = make_plan(store, "collection", net.write(folder), next(_ids), "tester")
    return plan


def _apply(store: Store, plan: Plan, folder: Path, effective: dt.date) -> None:
    plans = PlanStore(folder / "plans")
    plans.save(plan)
    apply_plan(store, plans, plan.plan_id, effective, "tester")


def _lines(plan: Plan) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(c.change, c.code, c.what, c.before, c.after) for c in plan.changes]


def _agreeing() -> NetworkBuilder:
    """Collection evidence alone (no topology files), every meter read in its own area."""
    evidence = NetworkBuilder()
    evidence.collection = small_network().collected_as_archived().collection
    return evidence


def test_collection_validation_errors(loaded: Store, tmp_path: Path) -> None:
    net = (
        NetworkBuilder()
        .collected("M1", "T1")
        .collected("M1", "T2")  # a meter in two areas
        .collected("M2", "T1")
        .collected("M2", "T1")  # duplicate
        .collected("M3", "T2", "JT1")  # terminal JT1 is T1's
        .collected("M404", "T1")  # unknown meter
        .collected("G3", "T404")  # unknown area
        .collected("V1", "T1", " ")  # no terminal
    )
    with pytest.raises(LoadRejected) as err:
        _plan(loaded, net, tmp_path / "c")
    problems = [str(p) for p in err.value.problems]
    assert problems == [
        'collection.csv:3:1 (meter_code): error: meter "M1" in two areas: line 2 says "T1", '
        'this line says "T2"',
        'collection.csv:5:1 (meter_code): error: duplicate meter "M2": first at line 4',
        'collection.csv:6:3 (transformer_code): error: terminal "JT1" in two areas: line 2 puts '
        'it in "T1", this line in "T2"',
        'collection.csv:7:1 (meter_code): error: unknown meter "M404"',
        'collection.csv:8:3 (transformer_code): error: unknown area "T404"',
        "collection.csv:9:2 (terminal_code): error: terminal_code is empty",
    ]
    with pytest.raises(LoadRejected) as missing:
        _plan(loaded, NetworkBuilder(), tmp_path / "empty")
    assert "needs collection.csv" in str(missing.value.problems[0])


def test_topology_files_in_a_collection_snapshot_are_ignored(loaded: Store, tmp_path: Path) -> None:
    before = fingerprint(loaded)
    plan, warnings = make_plan(
        loaded,
        "collection",
        small_network().collected_as_archived().write(tmp_path / "c"),
        next(_ids),
        "tester",
    )
    assert plan.counts() == {"added": 7, "removed": 0, "moved": 0, "changed": 0}
    assert any(str(w).startswith("meters.csv:2: warning: 7 row(s)") for w in warnings)
    assert {(r, c) for r, _, c, _ in plan.opens} == {(Rel.READS, m) for m in _meters()}
    _apply(loaded, plan, tmp_path, JUNE)
    after = fingerprint(loaded)
    # Only evidence was written: every topology relationship is as it was.
    assert {k: v for k, v in after.items() if "READS" not in k} == {
        k: v for k, v in before.items() if "READS" not in k
    }


def _meters() -> list[str]:
    return ["G1", "M1", "V1", "M2", "G2", "M3", "G3"]


def test_evidence_changes_with_history_and_idempotent_replan(loaded: Store, tmp_path: Path) -> None:
    _apply(loaded, _plan(loaded, _agreeing(), tmp_path / "c1"), tmp_path, JUNE)
    assert _plan(loaded, _agreeing(), tmp_path / "c1").is_empty()

    changed = NetworkBuilder()
    changed.collection = [
        ("M2", "JT2", "T2") if m == "M2" else ("M1", "JT1-B", "T1") if m == "M1" else (m, t, a)
        for m, t, a in _agreeing().collection
        if m != "G3"
    ]
    plan = _plan(loaded, changed, tmp_path / "c2")
    assert plan.counts() == {"added": 0, "removed": 1, "moved": 1, "changed": 1}
    assert sorted(_lines(plan)) == [
        ("changed", "M1", "terminal", "JT1", "JT1-B"),
        ("moved", "M2", "READS", "T1", "T2"),
        ("moved", "M2", "terminal", "JT1", "JT2"),
        ("removed", "G3", "READS", "T3", None),
    ]
    _apply(loaded, plan, tmp_path, JULY)
    history = loaded.links_of(Rel.READS, "M2")
    assert [(lk.parent, lk.detail, lk.valid_from, lk.valid_to) for lk in history] == [
        ("T1", "JT1", JUNE, JULY),
        ("T2", "JT2", JULY, dt.date(9999, 12, 31)),
    ]
    assert history[0].closed_by == history[1].opened_by is not None
    assert loaded.neighbors(Rel.HAS_METER, ["M2"], AUGUST, "up")["M2"][0].code == "T1"
    assert loaded.neighbors(Rel.READS, ["G3"], AUGUST, "up")["G3"] == []
    assert _plan(loaded, changed, tmp_path / "c2").is_empty()


def test_mismatch_report_names_exactly_the_disagreeing_meters(
    loaded: Store, tmp_path: Path
) -> None:
    """The archive has M2 and M3 where they are; the collection system reads M2 in T2 and M3
    and the gate meter G3 in T1 from July. Every other meter agrees."""
    _apply(loaded, _plan(loaded, _agreeing(), tmp_path / "c1"), tmp_path, JUNE)
    assert find_mismatches(loaded, AUGUST) == []
    moved = {"M2": "T2", "M3": "T1", "G3": "T1"}
    evidence = NetworkBuilder()
    evidence.collection = [
        (m, f"J{moved[m]}", moved[m]) if m in moved else (m, t, a)
        for m, t, a in _agreeing().collection
    ]
    _apply(loaded, _plan(loaded, evidence, tmp_path / "c2"), tmp_path, JULY)

    report = find_mismatches(loaded, AUGUST)
    assert [
        (m.meter.code, m.customer, m.marketing_area, m.equipment_area, m.collection_area)
        for m in report
    ] == [
        ("G3", None, None, "T3", "T1"),
        ("M2", "U2", "T1", None, "T2"),
        ("M3", "U3", "T2", None, "T1"),
    ]
    assert {m.since for m in report} == {JULY}
    assert report[1].terminal == "JT2" and report[1].areas() == ["T2", "T1"]
    assert find_mismatches(loaded, JUNE) == []  # as of June the sources agreed
    # Cached by graph version: a write that fixes the archive is seen at once.
    cache = MismatchCache()
    assert [m.meter.code for m in cache.get(loaded, AUGUST)] == ["G3", "M2", "M3"]
    market = small_network()
    market.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in market.rows["meters.csv"]
    ]
    plan, _ = make_plan(loaded, "marketing", market.write(tmp_path / "m"), next(_ids), "tester")
    _apply(loaded, plan, tmp_path, dt.date(2026, 7, 15))
    fixed = cache.get(loaded, AUGUST)
    assert [m.meter.code for m in fixed] == ["G3", "M3"]
    assert [m.meter.code for m in cache.get(loaded, dt.date(2026, 7, 10))] == ["G3", "M2", "M3"]
