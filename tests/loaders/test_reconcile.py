"""Reconciliation on both stores: each validation error, each change kind, stale plans,
idempotent re-plans, as-of reads around the effective date, ownership of rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.errors import InputError, LoadRejected, StalePlan
from graph.domain.model import Kind, Rel
from graph.stores.contract import Store
from loaders.apply import apply_plan
from loaders.load import load_folder
from loaders.plans import PlanStore
from loaders.reconcile import Plan, make_plan
from tests.builder import NetworkBuilder, small_network
from tests.fingerprint import fingerprint

TODAY = dt.date(2026, 11, 28)
JULY = dt.date(2026, 7, 1)
_ids = iter(f"20261128T0900{n:02d}-abcdef" for n in range(100))


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    load_folder(store, small_network().write(tmp_path / "base"), today=TODAY)
    return store


def _plan(store: Store, source: str, net: NetworkBuilder, folder: Path) -> Plan:
    plan, _ = make_plan(store, source, net.write(folder), next(_ids), "tester")
    return plan


def _problems(store: Store, source: str, net: NetworkBuilder, folder: Path) -> list[str]:
    with pytest.raises(LoadRejected) as err:
        _plan(store, source, net, folder)
    return [str(p) for p in err.value.problems]


def _m2_in_t2() -> NetworkBuilder:
    """The marketing archive of small_network with meter M2 under T2."""
    market = small_network()
    market.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in market.rows["meters.csv"]
    ]
    return market


def _lines(plan: Plan) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(c.change, c.code, c.what, c.before, c.after) for c in plan.changes]


def test_equipment_validation_errors(loaded: Store, tmp_path: Path) -> None:
    net = small_network()
    net.rows["meters.csv"] = [r for r in net.rows["meters.csv"] if r[0] != "G3"]  # T3 ungated
    net.org("X9", "孤立单位")  # a second root
    net.transformer("T1", "F1", "Z1")  # duplicate code
    net.transformer("T4", "F404", "Z1")  # unknown feeder
    problems = _problems(loaded, "equipment", net, tmp_path / "e2")
    assert (
        'orgs.csv:7:3 (parent_code): error: orphan org unit "X9": no parent, and "P" is '
        "the root" in problems
    )
    assert 'transformers.csv:4:1 (transformer_code): error: area "T3" has no gate meter' in problems
    assert (
        'transformers.csv:5:1 (transformer_code): error: duplicate code "T1" (first on '
        "line 2)" in problems
    )
    assert any('unknown Feeder "F404"' in p for p in problems)
    cycle = small_network()
    cycle.rows["orgs.csv"] = [
        (r[0], r[1], "Z1", r[3]) if r[0] == "C1" else r for r in cycle.rows["orgs.csv"]
    ]
    assert any(
        "cycle in the org tree" in p for p in _problems(loaded, "equipment", cycle, tmp_path / "c")
    )


def test_marketing_validation_errors(loaded: Store, tmp_path: Path) -> None:
    net = small_network().customer("U9", "无表用户")
    net.meter("M9", "T404", "customer", "U1")
    problems = _problems(loaded, "marketing", net, tmp_path / "m")
    assert (
        'customers.csv:5:1 (customer_code): error: orphan customer "U9": no meter names it'
        in problems
    )
    assert any(
        'meters.csv:9:2 (transformer_code): error: unknown Transformer "T404"' in p
        for p in problems
    )


def test_other_sources_rows_are_ignored_with_a_warning(loaded: Store, tmp_path: Path) -> None:
    plan, warnings = make_plan(
        loaded, "marketing", small_network().write(tmp_path / "m"), next(_ids), "tester"
    )
    assert plan.is_empty()
    text = [str(w) for w in warnings]
    assert any(
        w.startswith("orgs.csv:2: warning: 5 row(s) about what another source owns") for w in text
    )
    assert any(w.startswith("meters.csv:2: warning: 3 row(s)") for w in text)  # gate meters


def test_each_change_kind_applied_with_history(loaded: Store, tmp_path: Path) -> None:
    plans = PlanStore(tmp_path / "plans")
    market = small_network().customer("U4", "赵敏").meter("M4", "T2", "customer", "U4")
    market.rows["meters.csv"] = [  # M2 moves to T2; M3 is gone (removed)
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r
        for r in market.rows["meters.csv"]
        if r[0] != "M3"
    ]
    market.rows["customers.csv"] = [r for r in market.rows["customers.csv"] if r[0] != "U3"]
    plan = _plan(loaded, "marketing", market, tmp_path / "m")
    assert plan.counts() == {"added": 2, "removed": 1, "moved": 1, "changed": 0}
    assert ("moved", "M2", "HAS_METER", "T1", "T2") in _lines(plan)
    assert ("removed", "M3", "HAS_METER", "T2", None) in _lines(plan)
    assert ("added", "M4", "entity", None, "M4") in _lines(plan)
    plans.save(plan)
    record = apply_plan(loaded, plans, plan.plan_id, JULY, "tester")
    assert (record.source, record.effective, record.graph_version) == ("marketing", JULY, 2)
    assert record.counts == plan.counts()
    june, july = dt.date(2026, 6, 30), JULY
    up = Rel.HAS_METER
    assert loaded.neighbors(up, ["M2"], june, "up")["M2"][0].code == "T1"
    assert loaded.neighbors(up, ["M2"], july, "up")["M2"][0].code == "T2"
    assert loaded.neighbors(up, ["M3"], june, "up")["M3"][0].code == "T2"
    assert loaded.neighbors(up, ["M3"], july, "up")["M3"] == []  # removed, history kept
    assert loaded.neighbors(up, ["M4"], june, "up")["M4"] == []
    assert loaded.neighbors(up, ["M4"], july, "up")["M4"][0].code == "T2"
    old, new = loaded.links_of(up, "M2")
    assert (old.closed_by, new.opened_by) == (record.id, record.id)

    equipment = small_network()
    equipment.rows["transformers.csv"] = [  # T3 to feeder F1, T2 bigger
        (r[0], r[1], "F1", *r[3:]) if r[0] == "T3" else (*r[:3], 630, *r[4:]) if r[0] == "T2" else r
        for r in equipment.rows["transformers.csv"]
    ]
    plan = _plan(loaded, "equipment", equipment, tmp_path / "e")
    assert plan.counts() == {"added": 0, "removed": 0, "moved": 1, "changed": 1}
    assert ("changed", "T2", "capacity_kva", "315.0", "630.0") in _lines(plan)
    assert ("moved", "T3", "SUPPLIES", "F2", "F1") in _lines(plan)
    plans.save(plan)
    apply_plan(loaded, plans, plan.plan_id, dt.date(2026, 8, 1), "tester")
    assert loaded.entities(Kind.TRANSFORMER, ["T2"])["T2"].get("capacity_kva") == 630
    assert _plan(loaded, "equipment", equipment, tmp_path / "e2").is_empty()
    assert _plan(loaded, "marketing", market, tmp_path / "m2").is_empty()


def test_stale_plan_refused_and_nothing_written(loaded: Store, tmp_path: Path) -> None:
    plans = PlanStore(tmp_path / "plans")
    market = _m2_in_t2()
    first = _plan(loaded, "marketing", market, tmp_path / "a")
    second = _plan(loaded, "marketing", market, tmp_path / "b")
    plans.save(first)
    plans.save(second)
    apply_plan(loaded, plans, first.plan_id, JULY, "tester")
    after = fingerprint(loaded)
    with pytest.raises(StalePlan, match="is stale: it was computed against graph version 1"):
        apply_plan(loaded, plans, second.plan_id, JULY, "tester")
    assert fingerprint(loaded) == after and loaded.version() == 2
    with pytest.raises(InputError, match="was applied already"):
        apply_plan(loaded, plans, first.plan_id, JULY, "tester")


def test_effective_date_must_follow_the_interval_start(loaded: Store, tmp_path: Path) -> None:
    plans = PlanStore(tmp_path / "plans")
    market = _m2_in_t2()
    plan = _plan(loaded, "marketing", market, tmp_path / "a")
    plans.save(plan)
    apply_plan(loaded, plans, plan.plan_id, JULY, "tester")
    back = _plan(loaded, "marketing", small_network(), tmp_path / "b")
    plans.save(back)
    with pytest.raises(InputError, match="began on 2026-07-01: it cannot end on 2026-06-01"):
        apply_plan(loaded, plans, back.plan_id, dt.date(2026, 6, 1), "tester")
    assert loaded.version() == 2


def test_a_removed_meter_cannot_come_back_before_it_left(loaded: Store, tmp_path: Path) -> None:
    plans = PlanStore(tmp_path / "plans")
    without = small_network()
    without.rows["meters.csv"] = [r for r in without.rows["meters.csv"] if r[0] != "M2"]
    without.rows["customers.csv"] = [r for r in without.rows["customers.csv"] if r[0] != "U2"]
    gone = _plan(loaded, "marketing", without, tmp_path / "a")
    assert gone.counts()["removed"] == 1
    plans.save(gone)
    apply_plan(loaded, plans, gone.plan_id, dt.date(2026, 8, 1), "tester")
    back = _plan(loaded, "marketing", small_network(), tmp_path / "b")
    assert ("added", "M2", "link", None, "T1") in _lines(back)
    plans.save(back)
    with pytest.raises(InputError, match="ended on 2026-08-01: a new one cannot begin on"):
        apply_plan(loaded, plans, back.plan_id, JULY, "tester")
    apply_plan(loaded, plans, back.plan_id, dt.date(2026, 9, 1), "tester")
    assert [(k.parent, k.valid_from, k.valid_to) for k in loaded.links_of(Rel.HAS_METER, "M2")][
        -1
    ] == ("T1", dt.date(2026, 9, 1), dt.date(9999, 12, 31))


def test_removing_an_area_with_meters_warns(loaded: Store, tmp_path: Path) -> None:
    net = small_network()
    net.rows["transformers.csv"] = [r for r in net.rows["transformers.csv"] if r[0] != "T2"]
    net.rows["meters.csv"] = [r for r in net.rows["meters.csv"] if r[0] != "G2"]
    plan, warnings = make_plan(loaded, "equipment", net.write(tmp_path / "e"), next(_ids), "t")
    assert ("removed", "T2", "entity", "T2", None) in _lines(plan)
    assert ("removed", "G2", "entity", "G2", None) in _lines(plan)
    assert plan.counts() == {"added": 0, "removed": 2, "moved": 0, "changed": 0}
    assert any(
        'area "T2" is removed while 1 customer/pv meter(s) are still under it (e.g. M3)' in str(w)
        for w in warnings
    )


def test_a_gate_meter_cannot_become_a_customer_meter_silently(
    loaded: Store, tmp_path: Path
) -> None:
    net = small_network()
    net.rows["meters.csv"] = [
        (r[0], r[1], "customer", "U1", *r[4:]) if r[0] == "G1" else r
        for r in net.rows["meters.csv"]
    ]
    assert _problems(loaded, "marketing", net, tmp_path / "m") == [
        'meters.csv:2:1 (meter_code): error: "G1" is stored as a Meter the marketing system '
        "does not own (another role): the sources disagree on what it is"
    ]


def test_a_plan_file_that_cannot_be_marked_does_not_fail_a_committed_apply(
    loaded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = PlanStore(tmp_path / "plans")
    market = _m2_in_t2()
    plan = _plan(loaded, "marketing", market, tmp_path / "a")
    plans.save(plan)
    said: list[str] = []

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(PlanStore, "save", disk_full)
        record = apply_plan(loaded, plans, plan.plan_id, JULY, "tester", progress=said.append)
    assert loaded.version() == 2 and record.graph_version == 2  # written, and said so
    assert said[-1] == f"applied as changeset {record.id}; the plan file could not be marked"
    after = fingerprint(loaded)
    with pytest.raises(StalePlan):  # the unmarked plan cannot write the change twice
        apply_plan(loaded, plans, plan.plan_id, JULY, "tester")
    assert fingerprint(loaded) == after


def test_changed_values_are_dated_and_cannot_change_before_they_began(
    loaded: Store, tmp_path: Path
) -> None:
    plans = PlanStore(tmp_path / "plans")
    equipment = small_network()
    equipment.rows["transformers.csv"] = [
        (*r[:3], 630, *r[4:]) if r[0] == "T2" else r for r in equipment.rows["transformers.csv"]
    ]
    bigger = _plan(loaded, "equipment", equipment, tmp_path / "a")
    plans.save(bigger)
    apply_plan(loaded, plans, bigger.plan_id, JULY, "tester")
    (old, new) = loaded.attr_histories(Kind.TRANSFORMER, ["T2"])["T2"]
    assert (old.attrs["capacity_kva"], old.valid_to) == (315.0, JULY)
    assert (new.attrs["capacity_kva"], new.valid_from) == (630.0, JULY)
    back = _plan(loaded, "equipment", small_network(), tmp_path / "b")
    plans.save(back)
    after = fingerprint(loaded)
    with pytest.raises(InputError, match="Transformer T2: its values hold from 2026-07-01; they "
                       "cannot change on 2026-06-01"):  # fmt: skip
        apply_plan(loaded, plans, back.plan_id, dt.date(2026, 6, 1), "tester")
    assert fingerprint(loaded) == after
