"""Loads: idempotence, moves recorded as history, as-of reads, warnings; on both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.changes import ChangeSet, LinkClose
from graph.domain.errors import LoadRejected
from graph.domain.model import BEGINNING, FOREVER, Kind, Link, Rel
from graph.stores.contract import Store
from loaders.exchange import parse_folder
from loaders.load import load_folder
from loaders.validate import validate
from tests.builder import NetworkBuilder, small_network
from tests.fingerprint import fingerprint

TODAY = dt.date(2026, 11, 28)
JUNE = dt.date(2026, 6, 1)


def _moved_network() -> NetworkBuilder:
    """small_network with M2 moved from T1 to T2 (割接) and T3 moved to feeder F1."""
    net = small_network()
    net.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in net.rows["meters.csv"]
    ]
    net.rows["transformers.csv"] = [
        (r[0], r[1], "F1", *r[3:]) if r[0] == "T3" else r for r in net.rows["transformers.csv"]
    ]
    return net


def test_first_load_holds_from_the_unbounded_past(store: Store, tmp_path: Path) -> None:
    report = load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    assert report.summary.created[Kind.METER] == 7
    assert store.links_of(Rel.HAS_METER, "M1") == [Link(Rel.HAS_METER, "T1", "M1")]
    old_day = dt.date(2001, 1, 1)
    assert [e.code for e in store.neighbors(Rel.HAS_METER, ["M1"], old_day, "up")["M1"]] == ["T1"]


def test_same_folder_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "a")
    load_folder(store, folder, today=TODAY)
    before = fingerprint(store)
    report = load_folder(store, folder, today=TODAY)
    assert report.rows_written == 0 and not report.changed
    assert fingerprint(store) == before


def test_effective_date_on_first_load(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), effective=JUNE, today=TODAY)
    assert store.links_of(Rel.HAS_METER, "M1") == [Link(Rel.HAS_METER, "T1", "M1", JUNE, FOREVER)]
    before_june = JUNE - dt.timedelta(days=1)
    assert store.neighbors(Rel.HAS_METER, ["M1"], before_june, "up")["M1"] == []


def test_move_is_recorded_in_history_and_read_as_of(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    report = load_folder(store, _moved_network().write(tmp_path / "b"), effective=JUNE, today=TODAY)
    assert report.summary.moved == {Rel.HAS_METER: 1, Rel.SUPPLIES: 1}
    assert store.links_of(Rel.HAS_METER, "M2") == [
        Link(Rel.HAS_METER, "T1", "M2", BEGINNING, JUNE),
        Link(Rel.HAS_METER, "T2", "M2", JUNE, FOREVER),
    ]
    may_31 = JUNE - dt.timedelta(days=1)
    t1_may = store.neighbors(Rel.HAS_METER, ["T1"], may_31, "down")["T1"]
    t1_june = store.neighbors(Rel.HAS_METER, ["T1"], JUNE, "down")["T1"]
    assert "M2" in [e.code for e in t1_may] and "M2" not in [e.code for e in t1_june]
    assert store.child_pages(Rel.SUPPLIES, ["F1"], JUNE, 10, None)["F1"].total_count == 3
    assert store.child_pages(Rel.SUPPLIES, ["F1"], may_31, 10, None)["F1"].total_count == 2
    # the same moved folder again: nothing to do
    again = load_folder(store, _moved_network().write(tmp_path / "c"), effective=JUNE, today=TODAY)
    assert again.rows_written == 0


def test_move_without_effective_date_happens_today(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    load_folder(store, _moved_network().write(tmp_path / "b"), today=TODAY)
    assert store.links_of(Rel.HAS_METER, "M2")[-1] == Link(Rel.HAS_METER, "T2", "M2", TODAY)


def test_move_not_after_current_start_is_rejected(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), effective=JUNE, today=TODAY)
    before = fingerprint(store)
    with pytest.raises(LoadRejected) as caught:
        load_folder(store, _moved_network().write(tmp_path / "b"), effective=JUNE, today=TODAY)
    messages = [str(p) for p in caught.value.problems]
    assert any(
        m.startswith("meters.csv:5:2 (transformer_code): error: move from") for m in messages
    )
    assert fingerprint(store) == before


def _bigger_t2() -> NetworkBuilder:
    net = small_network()
    net.rows["transformers.csv"] = [
        (r[0], r[1], r[2], 630, *r[4:]) if r[0] == "T2" else r for r in net.rows["transformers.csv"]
    ]
    return net


def test_attribute_change_holds_from_today(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    report = load_folder(store, _bigger_t2().write(tmp_path / "b"), today=TODAY)
    assert report.summary.updated == {Kind.TRANSFORMER: 1}
    now = store.entities(Kind.TRANSFORMER, ["T2"])["T2"]
    assert (now.attrs["capacity_kva"], now.attrs_from) == (630.0, TODAY)
    before = store.attrs_as_of(Kind.TRANSFORMER, ["T2"], TODAY - dt.timedelta(days=1))
    assert before["T2"].attrs["capacity_kva"] == 315.0


def test_attribute_change_on_the_effective_date(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    net = small_network()
    net.rows["meters.csv"] = [
        (*r[:4], 40, *r[5:]) if r[0] == "G1" else r for r in net.rows["meters.csv"]
    ]
    load_folder(store, net.write(tmp_path / "b"), effective=JUNE, today=TODAY)
    (old, new) = store.attr_histories(Kind.METER, ["G1"])["G1"]
    assert (old.attrs["multiplier"], old.valid_from, old.valid_to) == (60.0, BEGINNING, JUNE)
    assert (new.attrs["multiplier"], new.valid_from, new.valid_to) == (40.0, JUNE, FOREVER)
    assert new.opened_by == old.closed_by is not None
    # The same folder again changes nothing.
    before = fingerprint(store)
    load_folder(store, net.write(tmp_path / "c"), effective=JUNE, today=TODAY)
    assert fingerprint(store) == before


def test_attribute_change_before_the_current_values_is_rejected(
    store: Store, tmp_path: Path
) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    load_folder(store, _bigger_t2().write(tmp_path / "b"), effective=JUNE, today=TODAY)
    before = fingerprint(store)
    net = small_network()  # back to 315 kVA, a month before the 630 kVA began
    with pytest.raises(LoadRejected) as caught:
        load_folder(store, net.write(tmp_path / "c"), effective=JUNE - dt.timedelta(days=31),
                    today=TODAY)  # fmt: skip
    (problem,) = [str(p) for p in caught.value.problems if p.severity == "error"]
    assert problem == (
        "transformers.csv:3:4 (capacity_kva): error: Transformer T2: its values hold from "
        "2026-06-01; they cannot change on 2026-05-01; give a later --effective date"
    )
    assert fingerprint(store) == before


def test_partial_folder_refers_to_stored_entities(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    extra = NetworkBuilder().customer("U9", "赵敏").meter("M9", "T3", "customer", "U9")
    report = load_folder(store, extra.write(tmp_path / "b"), today=TODAY)
    assert report.summary.created == {Kind.CUSTOMER: 1, Kind.METER: 1}
    # a folder without M1..M3 in its meters.csv: they are kept and named in a warning
    warnings = [str(w) for w in report.warnings]
    assert any("7 stored Meter not in this file, kept" in w for w in warnings), warnings
    assert store.existing_codes(Kind.METER, ["M1", "G3", "M9"]) == {"M1", "G3", "M9"}


def test_empty_optional_parent_keeps_stored_link_with_warning(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    net = small_network()
    net.rows["substations.csv"] = [(r[0], r[1], r[2], "") for r in net.rows["substations.csv"]]
    report = load_folder(store, net.write(tmp_path / "b"), today=TODAY)
    assert report.rows_written == 0
    assert any("no OrgUnit given but one is stored" in str(w) for w in report.warnings)
    assert [e.code for e in store.neighbors(Rel.SUBSTATION_OWNER, ["S1"], TODAY, "up")["S1"]] == [
        "X1"
    ]


def test_relink_after_close_starts_on_effective_date(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    march = dt.date(2026, 3, 1)
    store.apply(ChangeSet(closed=[LinkClose(Rel.HAS_METER, "M3", march)]))  # M3 retired
    with pytest.raises(LoadRejected) as caught:
        load_folder(store, small_network().write(tmp_path / "b"), effective=dt.date(2026, 2, 1))
    assert [str(p) for p in caught.value.problems] == [
        "meters.csv:7:2 (transformer_code): error: cannot link from 2026-02-01: its previous "
        "interval ends 2026-03-01"
    ]
    may = dt.date(2026, 5, 1)
    report = load_folder(store, small_network().write(tmp_path / "c"), effective=may)
    assert report.summary.linked == 1
    assert store.links_of(Rel.HAS_METER, "M3") == [
        Link(Rel.HAS_METER, "T2", "M3", BEGINNING, march),
        Link(Rel.HAS_METER, "T2", "M3", may, FOREVER),
    ]


def test_rerun_completes_a_load_whose_links_never_landed(store: Store, tmp_path: Path) -> None:
    """What an interrupted Neo4j bulk load leaves: nodes without their links."""
    folder = small_network().write(tmp_path / "a")
    snapshot = validate(parse_folder(folder, []), store, [])
    store.apply(ChangeSet(created={k: list(v.values()) for k, v in snapshot.entities.items()}))
    report = load_folder(store, folder, today=TODAY)
    assert (
        report.summary.created == {} and report.summary.linked == 26
    )  # 4+1+2+2+3+3 network and org, 7+4 meters
    assert store.links_of(Rel.HAS_METER, "M1") == [Link(Rel.HAS_METER, "T1", "M1")]
    assert len(store.open_links(Rel.USES_METER, ["M1", "M2", "M3", "V1", "G1"])) == 4


def test_a_retired_entity_values_cannot_change(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    store.apply(ChangeSet(ended={Kind.TRANSFORMER: ["T2"]}, ended_on=JUNE))
    before = fingerprint(store)
    with pytest.raises(LoadRejected) as caught:
        load_folder(store, _bigger_t2().write(tmp_path / "b"), today=TODAY)
    assert [str(p) for p in caught.value.problems if p.severity == "error"] == [
        "transformers.csv:3:4 (capacity_kva): error: Transformer T2: it was retired; its values "
        "cannot change"
    ]
    assert fingerprint(store) == before
