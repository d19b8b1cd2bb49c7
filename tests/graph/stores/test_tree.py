"""A tree of reads (graph/stores/tree.py) answers each step as the batched read it stands for
would, on both stores (Neo4j: one Cypher), and hand-checked on the small network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from graph.domain.model import Kind, Rel
from graph.services.events.base import write_event
from graph.services.events.meters import meter_move
from graph.stores.contract import Store
from graph.stores.tree import PageSpec, Step, Tree, fetch_tree_by_levels
from graph.stores.within import within_units
from loaders.load import load_folder
from tests.builder import small_network

DAY = dt.date(2026, 11, 28)


def shape(tree: Tree) -> Any:
    """(code, [(total, has_next, [children...]) per step]), with one attribute to see the
    values came along."""
    return (
        tree.entity.code,
        tree.entity.get("name") or tree.entity.get("role"),
        [(r.total_count, r.has_next, [shape(t) for t in r.trees]) for r in tree.reached],
    )


EXPLORER = (
    Step(
        Rel.FEEDS,
        "down",
        then=(
            Step(
                Rel.SUPPLIES,
                "down",
                PageSpec(1),
                (
                    Step(Rel.HAS_METER, "down", PageSpec(500, None, "gate")),
                    Step(
                        Rel.HAS_METER,
                        "down",
                        PageSpec(1, None, "customer"),
                        (Step(Rel.USES_METER, "up"),),
                    ),
                ),
            ),
        ),
    ),
)


def test_a_tree_is_its_steps_read_level_by_level(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    tree = store.fetch_tree(Kind.SUBSTATION, "S1", DAY, EXPLORER)
    assert tree is not None
    assert shape(tree) == (
        "S1",
        "110kV城关变电站",
        [
            (
                0,
                False,
                [
                    (
                        "F1",
                        "10kV城东线",
                        [
                            (
                                2,
                                True,
                                [
                                    (
                                        "T1",
                                        "幸福村1号台区",
                                        [
                                            (1, False, [("G1", "gate", [])]),
                                            (
                                                2,
                                                True,
                                                [
                                                    (
                                                        "M1",
                                                        "customer",
                                                        [(0, False, [("U1", "张伟", [])])],
                                                    )
                                                ],
                                            ),
                                        ],
                                    )
                                ],
                            )
                        ],
                    ),
                    (
                        "F2",
                        "10kV城西线",
                        [
                            (
                                1,
                                False,
                                [
                                    (
                                        "T3",
                                        "和平村1号台区",
                                        [(1, False, [("G3", "gate", [])]), (0, False, [])],
                                    )
                                ],
                            )
                        ],
                    ),
                ],
            )
        ],
    )
    assert tree == fetch_tree_by_levels(store, Kind.SUBSTATION, "S1", DAY, EXPLORER)
    assert tree.entity == store.entities(Kind.SUBSTATION, ["S1"])["S1"]


def test_pages_after_a_cursor_and_the_day_read(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    write_event(store, meter_move(store, "M2", "T2", dt.date(2026, 7, 1), "t"), None)
    steps = (Step(Rel.HAS_METER, "down", PageSpec(5, "G1", "customer")),)
    today = store.fetch_tree(Kind.TRANSFORMER, "T1", DAY, steps)
    before = store.fetch_tree(Kind.TRANSFORMER, "T1", dt.date(2026, 6, 30), steps)
    assert today is not None and before is not None
    # total counts every customer meter, the page only those after the cursor
    assert shape(today)[2] == [(1, False, [("M1", "customer", [])])]
    assert shape(before)[2] == [(2, False, [("M1", "customer", []), ("M2", "customer", [])])]
    for day, tree in ((DAY, today), (dt.date(2026, 6, 30), before)):
        assert tree == fetch_tree_by_levels(store, Kind.TRANSFORMER, "T1", day, steps)


def test_up_steps_and_a_parent_reached_twice(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    # T1's meters up to their customer, and down again: U1 owns M1 and V1, so it is reached
    # twice and each copy carries its own meters.
    steps = (
        Step(
            Rel.HAS_METER,
            "down",
            PageSpec(10),
            (Step(Rel.USES_METER, "up", then=(Step(Rel.USES_METER, "down"),)),),
        ),
        Step(Rel.SUPPLIES, "up", then=(Step(Rel.FEEDS, "up"),)),
    )
    tree = store.fetch_tree(Kind.TRANSFORMER, "T1", DAY, steps)
    assert tree is not None
    meters, feeder = shape(tree)[2]
    u1 = ("U1", "张伟", [(0, False, [("M1", "customer", []), ("V1", "pv", [])])])
    assert meters == (
        4,
        False,
        [
            ("G1", "gate", [(0, False, [])]),
            ("M1", "customer", [(0, False, [u1])]),
            (
                "M2",
                "customer",
                [(0, False, [("U2", "李娜", [(0, False, [("M2", "customer", [])])])])],
            ),
            ("V1", "pv", [(0, False, [u1])]),
        ],
    )
    assert feeder == (
        0,
        False,
        [("F1", "10kV城东线", [(0, False, [("S1", "110kV城关变电站", [])])])],
    )
    assert tree == fetch_tree_by_levels(store, Kind.TRANSFORMER, "T1", DAY, steps)


def test_no_such_root_and_no_steps(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    assert store.fetch_tree(Kind.FEEDER, "NOPE", DAY, EXPLORER[0].then) is None
    alone = store.fetch_tree(Kind.FEEDER, "F2", DAY, ())
    assert alone is not None and alone.reached == []
    assert alone.entity == store.entities(Kind.FEEDER, ["F2"])["F2"]


def test_a_tree_within_org_units_is_none_outside_them(store: Store, tmp_path: Path) -> None:
    """Z1 owns T1 and T2 (their meters, their customers); Z2 owns T3; X1 owns S1, F1, F2."""
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    z1 = frozenset({"Z1"})
    inside = {
        Kind.ORG_UNIT: ["Z1"],
        Kind.TRANSFORMER: ["T1", "T2"],
        Kind.METER: ["G1", "M1", "V1", "M2", "G2", "M3"],
        Kind.CUSTOMER: ["U1", "U2", "U3"],
    }
    outside = {
        Kind.ORG_UNIT: ["X1", "Z2", "P", "NOPE"],
        Kind.SUBSTATION: ["S1", "NOPE"],
        Kind.FEEDER: ["F1", "NOPE"],
        Kind.TRANSFORMER: ["T3", "NOPE"],
        Kind.METER: ["G3", "NOPE"],
        Kind.CUSTOMER: ["NOPE"],
    }
    steps = (Step(Rel.HAS_METER, "down", PageSpec(2)),)
    for kind, codes in inside.items():
        for code in codes:
            tree = store.fetch_tree(kind, code, DAY, (), within=z1)
            assert tree is not None and tree.entity.code == code, (kind, code)
    for kind, codes in outside.items():
        for code in codes:
            assert store.fetch_tree(kind, code, DAY, (), within=z1) is None, (kind, code)
    whole = store.fetch_tree(Kind.TRANSFORMER, "T1", DAY, steps, within=z1)
    assert whole is not None and whole == store.fetch_tree(Kind.TRANSFORMER, "T1", DAY, steps)
    assert store.fetch_tree(Kind.SUBSTATION, "S1", DAY, (), within=frozenset({"X1"})) is not None
    # A first load's links hold from the unbounded past: the same on an earlier day.
    assert store.fetch_tree(Kind.TRANSFORMER, "T1", dt.date(2020, 1, 1), (), within=z1)
    assert store.fetch_tree(Kind.TRANSFORMER, "T3", dt.date(2020, 1, 1), (), within=z1) is None


def test_a_search_within_org_units_finds_only_what_lies_in_them(
    store: Store, tmp_path: Path
) -> None:
    """The same chain as the tree's, inside the search query and before its limit."""
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    every = list(Kind)

    def codes(text: str, units: set[str] | None, limit: int = 50) -> list[str]:
        within = None if units is None else frozenset(units)
        return [e.code for e in store.search(text, every, limit, within, DAY)]

    assert codes("T", {"Z1"}) == ["T1", "T2"]
    assert codes("T", {"Z2"}) == ["T3"]
    assert codes("M", {"Z1"}) == ["M1", "M2", "M3"]
    assert codes("U", {"Z1"}) == ["U1", "U2", "U3"]
    assert codes("Z", {"Z1"}) == ["Z1"]
    assert codes("G", {"Z2"}) == ["G3"]
    assert codes("城", {"X1"}) == ["X1", "S1", "F1", "F2"]  # 东城, 城关, 城东, 城西
    assert codes("城", {"Z1"}) == []
    assert codes("幸福", {"Z1"}) == ["Z1", "T1", "T2"]
    assert codes("T3", {"Z1"}) == codes("T404", {"Z1"}) == []
    # The limit counts what is in scope only: the first hit in Z2 is not crowded out.
    assert codes("T", {"Z2"}, limit=1) == ["T3"]
    assert set(codes("T", None)) >= {"T1", "T2", "T3"}


def test_lines_lie_in_scope_with_their_area(store: Store, tmp_path: Path) -> None:
    net = small_network().line("L1", "T1", "a", "b").line("L2", "T3", "c", "d")
    net.node("G1", "a").node("G3", "c")
    load_folder(store, net.write(tmp_path / "net"), today=DAY)
    z1 = frozenset({"Z1"})
    assert within_units(store, Kind.LV_LINE, ["L1", "L2", "NOPE"], DAY, z1) == {"L1"}
    found = store.search("L", [Kind.LV_LINE], 10, z1, DAY)
    assert [e.code for e in found] == ["L1"]
