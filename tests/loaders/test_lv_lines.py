"""lv_lines.csv and the meters' nodes (issue 14): loaded with history like every entity, on
both stores, and refused or warned by the rules of loaders/lv_networks.py with file, line and
column, writing nothing on an error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.errors import LoadRejected
from graph.domain.model import Kind, Rel
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import NetworkBuilder, small_network

TODAY = dt.date(2026, 11, 28)


def with_lines() -> NetworkBuilder:
    """T1: bus1 - n1 - n2, n1 - n3 (G1 on bus1; M1, V1 on n2; M2 on n3). T2: bus2 - m1 (G2 on
    bus2, M3 on m1). T3 has no lines (G3 without a node)."""
    return (
        small_network()
        .line("L1", "T1", "bus1", "n1", 0.12, 0.32, 0.08)
        .line("L2", "T1", "n1", "n2", 0.08, 0.443)
        .line("L3", "T1", "n1", "n3", 0.05, 0.641)
        .line("L4", "T2", "bus2", "m1", 0.2, 0.32)
        .node("G1", "bus1")
        .node("M1", "n2")
        .node("V1", "n2")
        .node("M2", "n3")
        .node("G2", "bus2")
        .node("M3", "m1")
    )


def test_lines_and_nodes_load_with_their_values_and_again_change_nothing(
    store: Store, tmp_path: Path
) -> None:
    report = load_folder(store, with_lines().write(tmp_path / "net"), today=TODAY)
    assert report.warnings == []
    lines = store.entities(Kind.LV_LINE, ["L1", "L2"])
    assert lines["L1"].attrs == {
        "from_node": "bus1",
        "to_node": "n1",
        "length_km": 0.12,
        "r_ohm_per_km": 0.32,
        "x_ohm_per_km": 0.08,
        "max_i_ka": None,
    }
    assert lines["L2"].attrs["x_ohm_per_km"] is None  # the sweep's default then
    areas = store.neighbors(Rel.HAS_LINE, ["T1", "T2", "T3"], TODAY, "down")
    assert {a: sorted(e.code for e in found) for a, found in areas.items()} == {
        "T1": ["L1", "L2", "L3"],
        "T2": ["L4"],
        "T3": [],
    }
    assert store.entities(Kind.METER, ["M1"])["M1"].attrs["node"] == "n2"
    version = store.version()
    again = load_folder(store, with_lines().write(tmp_path / "net"), today=TODAY)
    assert not again.changed and store.version() == version


def test_a_changed_line_keeps_its_old_values_for_the_past(store: Store, tmp_path: Path) -> None:
    load_folder(store, with_lines().write(tmp_path / "a"), today=TODAY)
    changed = with_lines()
    changed.lines[0] = ("L1", "T1", "bus1", "n1", 0.12, 0.206, 0.08)  # a thicker cable
    load_folder(store, changed.write(tmp_path / "b"), effective=dt.date(2026, 11, 20), today=TODAY)
    assert store.entities(Kind.LV_LINE, ["L1"])["L1"].attrs["r_ohm_per_km"] == 0.206
    before = store.attrs_as_of(Kind.LV_LINE, ["L1"], dt.date(2026, 11, 19))
    assert before["L1"].attrs["r_ohm_per_km"] == 0.32


def _refused(store: Store, net: NetworkBuilder, folder: Path) -> list[str]:
    version = store.version()
    with pytest.raises(LoadRejected) as caught:
        load_folder(store, net.write(folder), today=TODAY)
    assert store.version() == version  # nothing written
    return [str(p) for p in caught.value.problems if p.severity == "error"]


def test_what_a_network_may_not_be(store: Store, tmp_path: Path) -> None:
    net = with_lines()
    net.line("L5", "T2", "m1", "n2")  # T1's node n2 on a line of T2
    net.line("L6", "T1", "x1", "x1")  # a line to itself
    net.line("L7", "T1", "y1", "y2")  # not connected to bus1
    net.node("M3", "z9")  # on no line although T2 has lines
    assert _refused(store, net, tmp_path / "net") == [
        'lv_lines.csv:6:4 (to_node): error: node "n2" is on T1\'s network (line L2): a line of '
        "T2 cannot join it",
        'lv_lines.csv:7:4 (to_node): error: a line from node "x1" to itself',
        "lv_lines.csv:8:3 (from_node): error: T1's lines through L7 are not connected to its "
        "gate's node bus1",
        'meters.csv:7:7 (node): error: node "z9" is on no area\'s lines',
    ]


def test_a_gate_off_its_lines_and_lines_without_a_gate_node(store: Store, tmp_path: Path) -> None:
    net = with_lines().node("G1", "n9")
    net.nodes.pop("G2")
    assert _refused(store, net, tmp_path / "net") == [
        "lv_lines.csv:2:3 (from_node): error: T1's lines through L1 are not connected to a gate "
        "meter's node (no gate of T1 has a node on its lines)",
        "lv_lines.csv:5:3 (from_node): error: T2's lines through L4 are not connected to a gate "
        "meter's node (no gate of T2 has a node on its lines)",
        "meters.csv:2:7 (node): error: node \"n9\" is on none of T1's lines: a gate's node is "
        "its busbar",
    ]


def test_a_meter_on_another_areas_lines_or_without_a_node_is_a_warning(
    store: Store, tmp_path: Path
) -> None:
    net = with_lines().node("M3", "n3")  # archived in T2, connected on T1's lines
    net.nodes.pop("M2")
    report = load_folder(store, net.write(tmp_path / "net"), today=TODAY)
    assert [str(w) for w in report.warnings] == [
        "meters.csv:5:7 (node): warning: no node, and T1 has lines: its load is left out of the "
        "power flow",
        "meters.csv:7:7 (node): warning: node \"n3\" is on T1's network, not on T2's where the "
        "archive places the meter: its load counts on T1's lines",
    ]


def test_bad_values_and_references_of_a_line(store: Store, tmp_path: Path) -> None:
    net = with_lines().line("L8", "T9", "n3", "n4", 0, "x")
    problems = _refused(store, net, tmp_path / "net")
    assert (
        'lv_lines.csv:6:2 (transformer_code): error: unknown Transformer "T9" (not in this '
        "folder nor stored)"
    ) in problems
    assert any(p.startswith("lv_lines.csv:6:5 (length_km)") for p in problems)
    assert any(p.startswith("lv_lines.csv:6:6 (r_ohm_per_km)") for p in problems)
