"""Reconciliation benchmark (first figures): plan time and peak memory of `taiqu reconcile plan`
for a marketing snapshot in which 1 % of customer meters moved to another area.

    .venv/bin/python -m bench.reconcile --meters 1000000

Reuses bench/out/loss-net-<meters> and bench/out/loss-home-<meters> (made by bench.loss: the
network loaded into the embedded store); writes the snapshot to bench/out/market-<meters>,
runs the real command in its own process under /usr/bin/time and prints JSON.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=100_000)
    args = parser.parse_args()
    network, home = OUT / f"loss-net-{args.meters}", OUT / f"loss-home-{args.meters}"
    if not (network / "meters.csv").exists() or not home.exists():
        print(f"run `python -m bench.loss --sizes {args.meters}` first", file=sys.stderr)
        return 1
    market = OUT / f"market-{args.meters}"
    moved = _snapshot(network, market, seed=args.meters)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    done = subprocess.run(
        ["/usr/bin/time", "-v", str(ROOT / ".venv/bin/taiqu"), "reconcile", "plan", "--source",
         "marketing", str(market), "--json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    plan = json.loads(done.stdout)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert wall and rss
    hours, minutes, seconds = wall.groups()
    result = {
        "meters": args.meters,
        "moved_in_snapshot": moved,
        "plan_counts": plan["counts"],
        "plan_s": round(int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds), 1),
        "peak_rss_mb": round(int(rss.group(1)) / 1024),
    }
    (OUT / f"reconcile-{args.meters}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
