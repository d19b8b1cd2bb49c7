"""The rules of a folder's low-voltage networks (lv_lines.csv and the meters' nodes), checked
with the rest of the folder before anything is written.

Refused: a line from a node to itself; a line whose node lies on another area's lines (a node
belongs to one area's network); lines of an area not connected to its gate's node (the
busbar, the source of the network); a gate's node on none of its area's lines; a meter's node
on no area's lines when its area has lines. Warned: a meter whose node lies on another area's
lines (the archive places it elsewhere: evidence for the findings; the power flow puts its
load where its node is), and a meter without a node in an area with lines (its load is left
out of the power flow). Checked within the folder: lines or meters stored before are not
read back.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import networkx as nx

from graph.domain.model import Kind, MeterRole, Rel
from loaders.problems import Problem, row_problem

if TYPE_CHECKING:
    from loaders.validate import Snapshot

LINES = "lv_lines.csv"
METERS = "meters.csv"


def check_lv_networks(snap: Snapshot, problems: list[Problem]) -> None:
    lines = snap.entities.get(Kind.LV_LINE, {})
    if not lines:
        return
    rows = snap.rows[Kind.LV_LINE]
    area_of_line = {code: w.parent for code, w in snap.links.get(Rel.HAS_LINE, {}).items()}
    node_area: dict[str, tuple[str, str]] = {}  # node -> (area, the first line on it)
    networks: dict[str, nx.Graph] = defaultdict(nx.Graph)
    for code, line in lines.items():
        area = area_of_line.get(code)
        if area is None:
            continue
        ends = (str(line.attrs["from_node"]), str(line.attrs["to_node"]))
        if ends[0] == ends[1]:
            problems.append(
                row_problem(LINES, rows[code], "to_node", f'a line from node "{ends[0]}" to itself')
            )
            continue
        joins_two = False
        for column, node in zip(("from_node", "to_node"), ends, strict=True):
            other = node_area.setdefault(node, (area, code))
            if other[0] != area:
                joins_two = True
                problems.append(
                    row_problem(
                        LINES,
                        rows[code],
                        column,
                        f'node "{node}" is on {other[0]}\'s network (line {other[1]}): a line '
                        f"of {area} cannot join it",
                    )
                )
        if not joins_two:
            networks[area].add_edge(*ends, line=code)
    if Kind.METER in snap.entities:
        _check_meters(snap, networks, node_area, problems)


def _check_meters(
    snap: Snapshot,
    networks: dict[str, nx.Graph],
    node_area: dict[str, tuple[str, str]],
    problems: list[Problem],
) -> None:
    meters = snap.entities[Kind.METER]
    rows = snap.rows[Kind.METER]
    area_of_meter = {code: w.parent for code, w in snap.links.get(Rel.HAS_METER, {}).items()}
    sources: dict[str, list[str]] = defaultdict(list)
    for code, meter in meters.items():
        area, node = area_of_meter.get(code), meter.attrs.get("node")
        if area is None:
            continue
        with_lines = area in networks
        if meter.attrs.get("role") == MeterRole.GATE:
            if node is not None and with_lines:
                if node in networks[area]:
                    sources[area].append(str(node))
                else:
                    message = f"node \"{node}\" is on none of {area}'s lines: a gate's node is "
                    problems.append(row_problem(METERS, rows[code], "node", message + "its busbar"))
            continue
        if node is None:
            if with_lines:
                problems.append(
                    row_problem(
                        METERS,
                        rows[code],
                        "node",
                        f"no node, and {area} has lines: its load is left out of the power flow",
                        "warning",
                    )
                )
            continue
        placed = node_area.get(str(node))
        if placed is None:
            if with_lines:
                message = f'node "{node}" is on no area\'s lines'
                problems.append(row_problem(METERS, rows[code], "node", message))
        elif placed[0] != area:
            problems.append(
                row_problem(
                    METERS,
                    rows[code],
                    "node",
                    f"node \"{node}\" is on {placed[0]}'s network, not on {area}'s where the "
                    f"archive places the meter: its load counts on {placed[0]}'s lines",
                    "warning",
                )
            )
    _check_connected(snap, networks, sources, problems)


def _check_connected(
    snap: Snapshot,
    networks: dict[str, nx.Graph],
    sources: dict[str, list[str]],
    problems: list[Problem],
) -> None:
    """Every line of an area reachable from its gate's node."""
    rows = snap.rows[Kind.LV_LINE]
    for area, network in sorted(networks.items()):
        reached: set[str] = set()
        for source in sources.get(area, []):
            reached |= nx.node_connected_component(network, source)
        for part in nx.connected_components(network):
            if part & reached:
                continue
            first = min(
                (data["line"] for *_, data in network.subgraph(part).edges(data=True)),
                key=lambda line: rows[line].line,
            )
            where = (
                f"its gate's node {', '.join(sorted(sources[area]))}"
                if sources.get(area)
                else f"a gate meter's node (no gate of {area} has a node on its lines)"
            )
            problems.append(
                row_problem(
                    LINES,
                    rows[first],
                    "from_node",
                    f"{area}'s lines through {first} are not connected to {where}",
                )
            )
