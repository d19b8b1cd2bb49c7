"""Findings against the truth of generated faults: recall per kind (with the right area, day
within 3 days, multiplier), false findings at a score of 0.5 or more, time and memory.

    .venv/bin/python -m bench.findings --meters 20000 --seeds 1 2 3 [--min-use 3] [--days 35]

Each seed writes a network and household-like readings with the issue's scenario (a dozen
misplaced meters, nine thieves, one wrong gate multiplier, two of each reading anomaly) among
households using at least `--min-use` kWh a day, loads it into an embedded home under
bench/out and analyses every area over the whole period.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from bench.topology import OUT
from graph.series.files import SeriesFolder
from graph.series.findings.analyze import analyze_areas
from graph.series.findings.model import Finding, FindingKind
from graph.stores.embedded.store import EmbeddedStore
from loaders.generate import generate, write_folder
from loaders.generate_households import Fault, FaultCounts, read_truth, write_household_readings
from loaders.load import load_folder

START = dt.date(2026, 10, 1)
SURE = 0.5
DAY_TOLERANCE = 3


def _home(meters: int, days: int, seed: int, min_use: float, customer_cts: int = 0) -> Path:
    home = OUT / f"findings-home-{meters}-{days}-{seed}-{min_use:g}"
    if customer_cts:
        home = home.with_name(f"{home.name}-ct{customer_cts}")
    if (home / "series" / "manifest.json").is_file():
        return home
    shutil.rmtree(home, ignore_errors=True)
    folder = home / "folder"
    write_folder(generate(meters, seed=seed), folder)
    counts = FaultCounts(min_use_kwh=min_use, customer_multipliers=customer_cts)
    write_household_readings(folder, START, days, seed, counts)
    store = EmbeddedStore(home)
    try:
        today = START + dt.timedelta(days=days + 1)
        load_folder(store, folder, today=today, series=SeriesFolder(home / "series"))
    finally:
        store.close()
    return home


def _right(f: Finding, t: Fault) -> bool:
    """The finding names what was injected: the area, the day or the multiplier."""
    if f.kind == FindingKind.METER_IN_OTHER_AREA:
        return f.likely_transformer == t.likely_transformer_code
    if f.kind == FindingKind.THEFT_SUSPECT:
        return (
            f.since is not None
            and t.since is not None
            and abs((f.since - t.since).days) <= DAY_TOLERANCE
        )
    if f.kind == FindingKind.WRONG_MULTIPLIER:
        return f.likely_multiplier == t.likely_multiplier
    return dict(f.evidence).get("anomaly") == t.detail


def measure(
    meters: int, days: int, seed: int, min_use: float, customer_cts: int = 0
) -> dict[str, Any]:
    home = _home(meters, days, seed, min_use, customer_cts)
    truth = read_truth(home / "folder")
    series = SeriesFolder(home / "series")
    transformers = series.path(series.read().topology["transformers"])
    areas = [
        a for (a,) in duckdb.sql(f"SELECT code FROM read_parquet('{transformers}')").fetchall()
    ]
    started = time.perf_counter()
    found = analyze_areas(
        series, areas, START, START + dt.timedelta(days=days - 1), keep=False
    ).findings
    seconds = time.perf_counter() - started
    sure = [f for f in found if f.score >= SURE]
    by_key = {(t.kind, t.meter_code): t for t in truth}
    right = Counter(
        f.kind.value
        for f in sure
        if (k := (f.kind.value, f.meter)) in by_key and _right(f, by_key[k])
    )
    false = [f for f in sure if (f.kind.value, f.meter) not in by_key]
    return {
        "meters": meters,
        "days": days,
        "seed": seed,
        "min_use_kwh": min_use,
        "areas": len(areas),
        "injected": dict(Counter(t.kind for t in truth)),
        "found_right_at_0_5": dict(right),
        "false_at_0_5": [{"kind": f.kind.value, "meter": f.meter, "score": f.score} for f in false],
        "findings": len(found),
        "analysis_s": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--min-use", type=float, default=3.0)
    parser.add_argument(
        "--customer-cts", type=int, default=0, help="large customers' CTs with a wrong ratio"
    )
    args = parser.parse_args()
    results = [
        measure(args.meters, args.days, s, args.min_use, args.customer_cts) for s in args.seeds
    ]
    print(json.dumps(results, indent=2, ensure_ascii=False))
    cts = f"-ct{args.customer_cts}" if args.customer_cts else ""
    out = OUT / f"findings-{args.meters}-{args.min_use:g}{cts}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
