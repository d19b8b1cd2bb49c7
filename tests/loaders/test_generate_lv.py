"""The demo's LV networks (loaders/generate_lv.py): they load without a problem, each public
area's is radial from its busbar within a rural supply radius, every meter is on a node."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import networkx as nx

from graph.domain.model import Kind, Rel
from graph.stores.contract import Store
from loaders.demo import write_demo_folder
from loaders.generate import generate, write_folder
from loaders.generate_lv import add_lv_networks
from loaders.load import load_folder


def test_generated_networks_are_radial_within_their_radius_and_load_cleanly(
    store: Store, tmp_path: Path
) -> None:
    net = generate(1500, seed=11)
    add_lv_networks(net, 11)
    lines = net.rows["lv_lines.csv"]
    areas = {str(r[0]): str(r[4]) for r in net.rows["transformers.csv"]}
    graphs: dict[str, nx.Graph] = defaultdict(nx.Graph)
    for _code, area, start, end, length_km, *_ in lines:
        graphs[str(area)].add_edge(start, end, km=length_km)
    assert set(graphs) == {a for a, ownership in areas.items() if ownership == "public"}
    for area, graph in graphs.items():
        assert nx.is_tree(graph), area
        reach = nx.single_source_dijkstra_path_length(graph, f"{area}-N0", weight="km")
        assert max(reach.values()) <= 0.75, area  # a rural radius (~500 m), a branch beyond
    nodes = {str(r[0]): r[-1] for r in net.rows["meters.csv"]}
    for code, area, role, *_ in net.rows["meters.csv"]:
        node = nodes[str(code)]
        if areas[str(area)] == "private":
            assert node == ""
        elif role == "gate":
            assert node == f"{area}-N0"
        else:
            assert node in graphs[str(area)] and node != f"{area}-N0"
    again = generate(1500, seed=11)
    add_lv_networks(again, 11)
    assert again.rows == net.rows  # deterministic
    write_folder(net, tmp_path / "net")
    report = load_folder(store, tmp_path / "net", today=dt.date(2026, 11, 28))
    assert report.warnings == []
    assert store.counts()[Kind.LV_LINE] == len(lines)
    some = sorted(graphs)[0]
    found = store.neighbors(Rel.HAS_LINE, [some], dt.date(2026, 11, 28), "down")[some]
    assert len(found) == graphs[some].number_of_edges()


def test_demo_gate_curves_hold_their_gates_energy_and_load(tmp_path: Path) -> None:
    """The demo's curves.csv: one curve per gate reading, its quarter hours adding up to the
    gate's net energy of the day within the +-10 % noise, the same file for the same seed."""
    first = write_demo_folder(tmp_path / "a", 1500, 2, 11, dt.date(2026, 11, 28))
    again = write_demo_folder(tmp_path / "b", 1500, 2, 11, dt.date(2026, 11, 28))
    curves = (first.folder / "curves.csv").read_bytes()
    assert curves == (again.folder / "curves.csv").read_bytes()
    with (first.folder / "readings.csv").open(encoding="utf-8") as fh:
        readings = {(r["meter_code"], r["date"]): r for r in csv.DictReader(fh)}
    with (first.folder / "curves.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gates = {str(r[0]) for r in generate(1500, seed=11).rows["meters.csv"] if r[2] == "gate"}
    assert first.curves == len(rows) == sum(1 for m, _ in readings if m in gates) > 0
    for row in rows:
        reading = readings[(row["meter_code"], row["date"])]
        net_kwh = float(reading["import_kwh"]) - float(reading["export_kwh"] or 0)
        curve_kwh = sum(float(row[f"p{i}"]) for i in range(1, 97)) * 0.25
        assert abs(curve_kwh - net_kwh) <= 0.1 * abs(net_kwh) + 0.01
