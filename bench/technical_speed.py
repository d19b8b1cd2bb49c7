"""How long technical loss takes at scale (issue 14 goal: 1M meters, 31 days in <= 60 s and
<= 4 GB): the columnar path over the demo's LV networks, one day, timed per step.

    .venv/bin/python -m bench.technical_speed --meters 1000000 [--batch 500]

The project's generator writes the network with its LV networks (loaders/generate_lv.py); each
customer meter draws 2-15 kWh a day (PV meters export 5-20 kWh) by its area's typical shape.
Networks are built once (they change rarely: kept between days); a day is the meters'
columns, the loads on nodes and the sweep, batch by batch of areas. Reports the build, one
day's seconds and the 31-day estimate, and the peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from typing import Any

import numpy as np

from bench.topology import OUT
from graph.series.technical.columns import AreaColumns, MeterColumns, technical_days
from graph.series.technical.network import LvLine, RadialNetwork, radial_network
from graph.series.technical.shapes import STEPS, clear_sky_shape, residential_shape
from graph.series.technical.sweep import Forest
from loaders.generate import generate
from loaders.generate_lv import add_lv_networks


def _batches(
    networks: dict[str, RadialNetwork], meters: list[tuple[object, ...]], size: int
) -> list[tuple[Forest, list[str], dict[str, int], list[tuple[object, ...]]]]:
    areas = sorted(networks)
    by_area: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for row in meters:
        by_area[str(row[1])].append(row)
    found = []
    for i in range(0, len(areas), size):
        part = areas[i : i + size]
        forest = Forest.of([networks[a] for a in part])
        index: dict[str, int] = {}
        for a, start in zip(part, forest.starts, strict=True):
            index.update((n, int(start) + k) for k, n in enumerate(networks[a].nodes))
        rows = [r for a in part for r in by_area[a]]
        found.append((forest, part, index, rows))
    return found


def measure(meters: int, batch: int) -> dict[str, Any]:
    started = time.perf_counter()
    net = generate(meters)
    add_lv_networks(net, 20261128)
    generated = time.perf_counter() - started
    lines: dict[str, list[LvLine]] = defaultdict(list)
    for code, area, start, end, km, r, x, _ in net.rows["lv_lines.csv"]:
        lines[str(area)].append(
            LvLine(str(code), str(start), str(end), float(km), float(r), float(x))
        )  # type: ignore[arg-type]
    started = time.perf_counter()
    networks = {a: radial_network(ls, f"{a}-N0") for a, ls in lines.items()}
    batches = _batches(networks, net.rows["meters.csv"], batch)
    built = time.perf_counter() - started
    rng = np.random.default_rng(7)
    typical, sky = residential_shape(), clear_sky_shape()
    # Columns of each batch (a day's energies: what the balances hold, read as arrays).
    prepared = []
    for forest, part, index, rows in batches:
        area_of = {a: i for i, a in enumerate(part)}
        roles = np.array([str(r[2]) for r in rows])
        meters_cols = MeterColumns(
            area=np.array([area_of[str(r[1])] for r in rows], dtype=np.int64),
            node=np.array([index.get(str(r[-1]), -1) for r in rows], dtype=np.int64),
            import_kwh=np.where(roles == "customer", rng.uniform(2, 15, len(rows)), 0.0),
            export_kwh=np.where(roles == "pv", rng.uniform(5, 20, len(rows)), 0.0),
            gate=roles == "gate",
            pv=roles == "pv",
        )
        area_cols = AreaColumns(len(part), np.full((len(part), STEPS), np.nan), np.zeros(len(part)))
        prepared.append((forest, area_cols, meters_cols))
    started = time.perf_counter()
    total_kwh = 0.0
    converged = True
    for forest, area_cols, meters_cols in prepared:
        (day,) = technical_days(forest, [(area_cols, meters_cols)], typical, sky, 0.95, 0.4)
        total_kwh += float(day.loss_kwh.sum())
        converged &= day.converged
    one_day = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "meters": net.meter_count,
        "areas_with_lines": len(networks),
        "nodes": sum(len(n.nodes) for n in networks.values()),
        "batch_areas": batch,
        "generate_s": round(generated, 1),
        "networks_built_s": round(built, 1),
        "one_day_s": round(one_day, 2),
        "month_31_days_estimate_s": round(one_day * 31, 1),
        "converged": converged,
        "technical_kwh_one_day": round(total_kwh, 1),
        "peak_rss_mb": round(peak_mb),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    result = measure(args.meters, args.batch)
    print(json.dumps(result, indent=2))
    (OUT / f"technical-speed-{args.meters}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
