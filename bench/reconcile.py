"""Reconciliation benchmark (first figures): plan time and peak memory of `taiqu reconcile plan`
for a marketing snapshot in which 1 % of customer meters moved to another area.

    .venv/bin/python -m bench.reconcile --meters 1000000 [--neo4j]

Reuses bench/out/loss-net-<meters> and bench/out/loss-home-<meters> (made by bench.loss: the
network loaded into the embedded store); writes the snapshot to bench/out/market-<meters>,
runs the real command in its own process under /usr/bin/time and prints JSON. With --neo4j it
also loads the network into a fresh in-process Neo4j and times the plan and the apply there.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bench.topology import OUT, ROOT

SHARE = 0.01  # customer meters moved


def _snapshot(network: Path, target: Path, seed: int) -> int:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(network / "customers.csv", target / "customers.csv")
    with (network / "meters.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    areas = sorted({r[1] for r in body})
    rng = random.Random(seed)
    moved = 0
    with (target / "meters.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in body:
            if row[2] != "gate" and rng.random() < SHARE:
                new_area = rng.choice(areas)
                moved += new_area != row[1]
                row = [row[0], new_area, *row[2:]]
            writer.writerow(row)
    return moved


def timed_cli(args: list[str], env: dict[str, str]) -> tuple[str, float, int]:
    """Run `taiqu ARGS` in its own process under /usr/bin/time: stdout, wall s, peak RSS MB."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", str(ROOT / ".venv/bin/taiqu"), *args],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert wall and rss
    hours, minutes, seconds = wall.groups()
    wall_s = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return done.stdout, round(wall_s, 1), round(int(rss.group(1)) / 1024)


def apply_into_neo4j(network: Path, market: Path, heap: str, pagecache_mb: int) -> dict[str, float]:
    """Load the network into a fresh in-process Neo4j, plan the snapshot, apply it: seconds."""
    import datetime as dt
    import tempfile
    import time

    from graph.stores.neo4j.store import Neo4jStore
    from loaders.apply import apply_plan
    from loaders.load import load_folder
    from loaders.plans import PlanStore
    from loaders.reconcile import make_plan
    from taiqu import neo4j_launcher

    server = neo4j_launcher.start(heap=heap, pagecache_mb=pagecache_mb)
    store = Neo4jStore(server.uri, None, None)
    try:
        topology = Path(tempfile.mkdtemp(dir=OUT))
        for name in ("orgs", "substations", "feeders", "transformers", "customers", "meters"):
            shutil.copy(network / f"{name}.csv", topology / f"{name}.csv")
        started = time.perf_counter()
        load_folder(store, topology)
        loaded = time.perf_counter()
        plan, _ = make_plan(store, "marketing", market, "20261128T120000-b0b0b0", "bench")
        planned = time.perf_counter()
        plans = PlanStore(topology / "plans")
        plans.save(plan)
        apply_plan(store, plans, plan.plan_id, dt.date(2026, 11, 1), "bench")
        applied = time.perf_counter()
        shutil.rmtree(topology)
        return {
            "neo4j_load_s": round(loaded - started, 1),
            "neo4j_plan_s": round(planned - loaded, 1),
            "neo4j_apply_s": round(applied - planned, 1),
        }
    finally:
        store.close()
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--neo4j", action="store_true", help="also plan and apply into Neo4j")
    parser.add_argument("--neo4j-heap", default="4g")
    parser.add_argument("--neo4j-pagecache-mb", type=int, default=3072)
    args = parser.parse_args()
    network, home = OUT / f"loss-net-{args.meters}", OUT / f"loss-home-{args.meters}"
    if not (network / "meters.csv").exists() or not home.exists():
        print(f"run `python -m bench.loss --sizes {args.meters}` first", file=sys.stderr)
        return 1
    market = OUT / f"market-{args.meters}"
    moved = _snapshot(network, market, seed=args.meters)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    out, plan_s, rss_mb = timed_cli(
        ["reconcile", "plan", "--source", "marketing", str(market), "--json"], env
    )
    result = {
        "meters": args.meters,
        "moved_in_snapshot": moved,
        "plan_counts": json.loads(out)["counts"],
        "plan_s": plan_s,
        "peak_rss_mb": rss_mb,
    }
    if args.neo4j:
        result |= apply_into_neo4j(network, market, args.neo4j_heap, args.neo4j_pagecache_mb)
    (OUT / f"reconcile-{args.meters}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
