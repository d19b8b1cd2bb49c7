"""Reads of a small hand-made network: the same answers from both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.model import BEGINNING, FOREVER, Kind, Rel
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import small_network

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    return store


def codes(entities: list) -> list[str]:
    return [e.code for e in entities]


def test_counts_after_load(loaded: Store) -> None:
    assert dict(loaded.counts()) == {
        Kind.ORG_UNIT: 5,
        Kind.SUBSTATION: 1,
        Kind.FEEDER: 2,
        Kind.TRANSFORMER: 3,
        Kind.METER: 7,
        Kind.CUSTOMER: 3,
        Kind.LV_LINE: 0,
    }


def test_entity_attributes_round_trip(loaded: Store) -> None:
    t1 = loaded.entities(Kind.TRANSFORMER, ["T1", "nope"])
    assert list(t1) == ["T1"]
    assert t1["T1"].attrs == {
        "name": "幸福村1号台区",
        "capacity_kva": 400.0,
        "ownership": "public",
        "supply_radius_km": None,
    }
    g1 = loaded.entities(Kind.METER, ["G1"])["G1"]
    assert g1.attrs == {"role": "gate", "multiplier": 60.0, "phase": "ABC", "node": None}
    m2 = loaded.entities(Kind.METER, ["M2"])["M2"]
    assert m2.attrs["multiplier"] == 1.0  # empty multiplier means 1
    assert m2.attrs["phase"] is None


def test_neighbors_down_and_up(loaded: Store) -> None:
    down = loaded.neighbors(Rel.HAS_METER, ["T1", "T3", "T404"], TODAY, "down")
    assert codes(down["T1"]) == ["G1", "M1", "M2", "V1"]
    assert codes(down["T3"]) == ["G3"]
    assert down["T404"] == []
    up = loaded.neighbors(Rel.HAS_METER, ["M3", "G1"], TODAY, "up")
    assert codes(up["M3"]) == ["T2"] and codes(up["G1"]) == ["T1"]
    assert codes(loaded.neighbors(Rel.USES_METER, ["U1"], TODAY, "down")["U1"]) == ["M1", "V1"]
    assert codes(loaded.neighbors(Rel.USES_METER, ["G1"], TODAY, "up")["G1"]) == []
    assert codes(loaded.neighbors(Rel.ORG_PARENT, ["X1"], TODAY, "down")["X1"]) == ["Z1", "Z2"]


def test_child_pages_walk_with_cursor(loaded: Store) -> None:
    first = loaded.child_pages(Rel.HAS_METER, ["T1"], TODAY, 2, None)["T1"]
    assert (codes(first.items), first.total_count, first.has_next) == (["G1", "M1"], 4, True)
    second = loaded.child_pages(Rel.HAS_METER, ["T1"], TODAY, 2, "M1")["T1"]
    assert (codes(second.items), second.total_count, second.has_next) == (["M2", "V1"], 4, False)
    gates = loaded.child_pages(Rel.HAS_METER, ["T1", "T2"], TODAY, 10, None, "gate")
    assert codes(gates["T1"].items) == ["G1"] and gates["T1"].total_count == 1
    assert codes(gates["T2"].items) == ["G2"]
    empty = loaded.child_pages(Rel.SUPPLIES, ["F9"], TODAY, 5, None)["F9"]
    assert (empty.items, empty.total_count, empty.has_next) == ([], 0, False)


def test_org_subtree_transformers(loaded: Store) -> None:
    pages = loaded.org_transformer_pages(["P", "X1", "Z1", "Z2"], TODAY, 2, None)
    assert (codes(pages["P"].items), pages["P"].total_count) == (["T1", "T2"], 3)
    assert pages["P"].has_next
    assert codes(pages["Z1"].items) == ["T1", "T2"] and not pages["Z1"].has_next
    assert codes(pages["Z2"].items) == ["T3"]
    rest = loaded.org_transformer_pages(["X1"], TODAY, 2, "T2")["X1"]
    assert codes(rest.items) == ["T3"] and rest.total_count == 3


def test_entity_page(loaded: Store) -> None:
    page = loaded.entity_page(Kind.ORG_UNIT, TODAY, 2, "P")
    assert codes(page.items) == ["X1", "Z1"] and page.total_count == 5 and page.has_next


def test_search_ranks_exact_then_prefix_then_contains(loaded: Store) -> None:
    assert codes(loaded.search("t1", list(Kind), 10)) == ["T1"]
    hits = loaded.search("幸福", list(Kind), 10)
    assert [(h.kind, h.code) for h in hits] == [
        (Kind.ORG_UNIT, "Z1"),
        (Kind.TRANSFORMER, "T1"),
        (Kind.TRANSFORMER, "T2"),
    ]
    assert codes(loaded.search("供电", [Kind.ORG_UNIT], 2)) == ["C1", "X1"]
    assert codes(loaded.search("号台区", [Kind.TRANSFORMER], 10)) == ["T1", "T2", "T3"]
    exact_first = loaded.search("m1", [Kind.METER], 10)
    assert codes(exact_first) == ["M1"]
    assert loaded.search("没有这个", list(Kind), 10) == []


def test_scans_stream_every_entity_and_interval(loaded: Store, tmp_path: Path) -> None:
    meters = {
        e.code: (e.get("role"), e.get("multiplier")) for e in loaded.scan_entities(Kind.METER)
    }
    assert meters["G1"] == ("gate", 60) and meters["M1"] == ("customer", 1)
    assert len(meters) == 7
    moved = small_network()
    moved.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in moved.rows["meters.csv"]
    ]
    june = dt.date(2026, 6, 1)
    load_folder(loaded, moved.write(tmp_path / "moved"), effective=june, today=june)
    m2 = sorted(
        (k.parent, k.valid_from, k.valid_to)
        for k in loaded.scan_links(Rel.HAS_METER)
        if k.child == "M2"
    )
    assert m2 == [("T1", BEGINNING, june), ("T2", june, FOREVER)]
    assert len([k for k in loaded.scan_links(Rel.SUPPLIES)]) == 3
