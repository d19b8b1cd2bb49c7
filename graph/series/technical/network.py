"""An area's low-voltage network as the power flow needs it: a tree from its source node.

Lines come from `lv_lines.csv` (per line: two node codes, length, resistance and reactance per
km). The area's source is the node of its gate meter: the LV busbar of the transformer. The
network must be connected to it; it must be radial for the sweep (a mesh is reported: the
caller falls back to another method and says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt

#: Reactance of an LV conductor when a line gives none (ohm/km): typical of 0.4 kV cables and
#: aerial bundled conductors (overhead open wire is nearer 0.3).
DEFAULT_X_OHM_PER_KM = 0.08


@dataclass(frozen=True)
class LvLine:
    """One low-voltage line (three-phase) between two nodes."""

    code: str
    from_node: str
    to_node: str
    length_km: float
    r_ohm_per_km: float
    x_ohm_per_km: float | None = None
    max_i_ka: float | None = None

    @classmethod
    def of(cls, code: str, attrs: Mapping[str, object]) -> LvLine:
        """A line from its stored attributes (lv_lines.csv's columns, validated on load)."""

        def number(name: str) -> float | None:
            value = attrs.get(name)
            return None if value is None else float(value)  # type: ignore[arg-type]

        return cls(
            code,
            str(attrs["from_node"]),
            str(attrs["to_node"]),
            number("length_km") or 0.0,
            number("r_ohm_per_km") or 0.0,
            number("x_ohm_per_km"),
            number("max_i_ka"),
        )

    @property
    def r_ohm(self) -> float:
        return self.length_km * self.r_ohm_per_km

    @property
    def x_ohm(self) -> float:
        per_km = DEFAULT_X_OHM_PER_KM if self.x_ohm_per_km is None else self.x_ohm_per_km
        return self.length_km * per_km


class NotRadial(ValueError):
    """The lines hold a loop (or two lines between one pair of nodes)."""


class NotConnected(ValueError):
    """Some nodes cannot be reached from the source."""


@dataclass(frozen=True)
class RadialNetwork:
    """Nodes in breadth-first order from the source (index 0); for each node but the source,
    its parent and the impedance of the line from the parent."""

    nodes: tuple[str, ...]
    parent: npt.NDArray[np.int64]  # -1 for the source
    r_ohm: npt.NDArray[np.float64]  # 0 for the source
    x_ohm: npt.NDArray[np.float64]
    depth: npt.NDArray[np.int64]

    def index(self) -> dict[str, int]:
        return {node: i for i, node in enumerate(self.nodes)}


def radial_network(lines: list[LvLine], source: str) -> RadialNetwork:
    """The tree of `lines` from `source` (NotConnected: a node out of its reach, or no line at
    the source; NotRadial: a loop or parallel lines)."""
    graph = nx.MultiGraph()
    graph.add_node(source)
    for line in lines:
        graph.add_edge(line.from_node, line.to_node, key=line.code, line=line)
    reached = nx.node_connected_component(graph, source)
    if len(reached) != graph.number_of_nodes():
        away = sorted(set(graph.nodes) - reached)
        raise NotConnected(f"not connected to the source {source}: {', '.join(away[:5])}")
    if graph.number_of_edges() != graph.number_of_nodes() - 1:
        cycle = nx.cycle_basis(nx.Graph(graph)) or [["(parallel lines)"]]
        raise NotRadial(f"a loop through {', '.join(map(str, cycle[0][:5]))}")
    order = [source]
    parent_of: dict[str, str] = {}
    for above, below in nx.bfs_edges(graph, source):
        order.append(below)
        parent_of[below] = above
    index = {node: i for i, node in enumerate(order)}
    parent = np.full(len(order), -1, dtype=np.int64)
    r = np.zeros(len(order))
    x = np.zeros(len(order))
    depth = np.zeros(len(order), dtype=np.int64)
    for node, above in parent_of.items():
        i = index[node]
        (line,) = (d["line"] for d in graph.get_edge_data(above, node).values())
        parent[i], r[i], x[i] = index[above], line.r_ohm, line.x_ohm
        depth[i] = depth[index[above]] + 1  # breadth-first: the parent's depth is known
    return RadialNetwork(tuple(order), parent, r, x, depth)
