"""Low-voltage networks for a synthetic network's public areas (issue 14): what `taiqu demo`
loads so that technical loss has lines to flow over.

Each public area gets a radial network as Chinese rural and town areas are built: 2-4 trunks
(出线) of aerial cable out of the transformer's busbar, a pole every 30-50 m, short branches of
thinner conductor off some poles; every customer's service on a pole (its PV meter on the same
node); the gate meter on the busbar. Supply radius within ~500 m. Private areas (one large
customer beside its transformer) get no lines: they show the equivalent-resistance estimate.
Deterministic per area (its own random stream: the rest of the network does not move).
"""

from __future__ import annotations

import random
import zlib

from loaders.generate import LV_LINES, SyntheticNetwork

#: (r ohm/km, x ohm/km, max kA) of aerial bundled cable (JKLYJ) by cross-section.
TRUNKS = ((0.253, 0.10, 0.30), (0.320, 0.10, 0.25), (0.443, 0.10, 0.20))  # 120, 95, 70 mm2
BRANCHES = ((0.641, 0.10, 0.16), (0.868, 0.11, 0.13))  # 50, 35 mm2


def _area_network(
    rng: random.Random, area: str, meters: list[str]
) -> tuple[list[tuple[object, ...]], dict[str, str]]:
    """Lines of one area, and the node of each of its (customer and pv) meters."""
    busbar = _busbar(area)
    lines: list[tuple[object, ...]] = []
    poles: list[str] = []
    count = 0

    def line(start: str, conductor: tuple[float, float, float], length_km: float) -> str:
        nonlocal count
        count += 1
        node = f"{area}-N{count}"
        r, x, max_ka = conductor
        lines.append((f"{area}-L{count}", area, start, node, round(length_km, 4), r, x, max_ka))
        return node

    trunks = rng.randint(2, 4)
    per_trunk = max(2, min(12, len(meters) // (trunks * 4) + 1))
    for _ in range(trunks):
        conductor = rng.choice(TRUNKS)
        at = busbar
        for _ in range(per_trunk):
            at = line(at, conductor, rng.uniform(0.03, 0.05))
            poles.append(at)
            if rng.random() < 0.3:  # a branch off this pole
                branch = rng.choice(BRANCHES)
                tip = at
                for _ in range(rng.randint(1, 3)):
                    tip = line(tip, branch, rng.uniform(0.025, 0.04))
                    poles.append(tip)
    nodes = {}
    for meter in meters:
        nodes[meter] = rng.choice(poles)
    return lines, nodes


def _busbar(area: str) -> str:
    """The node of an area's LV busbar: its gate meter's, the source of its network."""
    return f"{area}-N0"


def add_lv_networks(net: SyntheticNetwork, seed: int) -> None:
    """Lines for every public area of `net` and a node for each of its meters (the gate's on
    the busbar; a pv meter beside its customer's meter)."""
    public = {str(row[0]) for row in net.rows["transformers.csv"] if row[4] == "public"}
    by_area: dict[str, list[str]] = {}
    for code, area, role, *_ in net.rows["meters.csv"]:
        if area in public and role != "gate":
            by_area.setdefault(str(area), []).append(str(code))
    lines: list[tuple[object, ...]] = []
    nodes: dict[str, str] = {}
    for area in sorted(public):
        rng = random.Random(seed ^ zlib.crc32(area.encode()))  # noqa: S311 - synthetic data
        area_lines, area_nodes = _area_network(rng, area, by_area.get(area, []))
        lines.extend(area_lines)
        nodes.update(area_nodes)
    last_customer_node: dict[str, str] = {}
    with_node = []
    for row in net.rows["meters.csv"]:
        code, area, role, customer = (str(v) for v in row[:4])
        if role == "gate":
            node = _busbar(area) if area in public else ""
        elif role == "pv":  # on its customer's pole
            node = last_customer_node.get(customer, nodes.get(code, ""))
        else:
            node = nodes.get(code, "")
            last_customer_node[customer] = node
        with_node.append((*row, node))
    net.rows["meters.csv"] = with_node
    net.rows[LV_LINES] = lines
