"""Kept findings: what an analysis costs cold (every feeder analysed and kept), warm (every
feeder's findings kept), for one feeder once kept, and after a correction of one reading
(one feeder analysed again).

    .venv/bin/python -m bench.findings_kept --meters 1000000 [--days 35] [--seed 1]

Uses the home of bench.findings (generated and loaded once, under bench/out).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import statistics
import sys
import time
from typing import Any

import duckdb

from bench.findings import START, _home
from bench.topology import OUT
from graph.series.files import SeriesFolder
from graph.series.findings.analyze import Analysis, analyze_areas
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder


def _timed(series: SeriesFolder, areas: list[str], end: dt.date) -> tuple[float, Analysis]:
    started = time.perf_counter()
    analysis = analyze_areas(series, areas, START, end)
    return time.perf_counter() - started, analysis


def measure(meters: int, days: int, seed: int) -> dict[str, Any]:
    home = _home(meters, days, seed, 3.0)
    series = SeriesFolder(home / "series")
    end = START + dt.timedelta(days=days - 1)
    shutil.rmtree(series.root / "findings", ignore_errors=True)
    rows = duckdb.sql(
        f"SELECT transformer_code, feeder_code FROM read_csv('{home / 'folder'}/transformers.csv')"
    ).fetchall()
    areas = sorted(a for a, _ in rows)
    feeder = rows[0][1]
    one_feeder = sorted(a for a, f in rows if f == feeder)
    result: dict[str, Any] = {"meters": meters, "days": days, "areas": len(areas)}
    cold_s, cold = _timed(series, areas, end)
    result["cold"] = {"s": round(cold_s, 2), "groups": cold.groups, "analysed": cold.analysed}
    warm_s, warm = _timed(series, areas, end)
    assert warm.findings == cold.findings
    result["warm"] = {"s": round(warm_s, 2), "analysed": warm.analysed}
    feeder_ms = []
    for _ in range(20):
        seconds, part = _timed(series, one_feeder, end)
        assert part.analysed == 0
        feeder_ms.append(seconds * 1000)
    feeder_ms.sort()
    result["one_feeder_kept_ms"] = {
        "p50": round(statistics.median(feeder_ms), 1),
        "p95": round(feeder_ms[int(0.95 * len(feeder_ms)) - 1], 1),
        "areas": len(one_feeder),
    }
    # One reading corrected in the feeder's first area, loaded as a user would.
    (meter,) = duckdb.sql(
        f"SELECT meter_code FROM read_csv('{home / 'folder'}/meters.csv', all_varchar = true) "
        f"WHERE transformer_code = '{one_feeder[0]}' AND role = 'customer' LIMIT 1"
    ).fetchall()
    fix = OUT / "findings-kept-fix"
    fix.mkdir(parents=True, exist_ok=True)
    with (fix / "readings.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["meter_code", "date", "import_kwh", "export_kwh"])
        writer.writerow([meter[0], (START + dt.timedelta(days=3)).isoformat(), "412.5", ""])
    store = EmbeddedStore(home)
    try:
        started = time.perf_counter()
        load_folder(store, fix, today=end + dt.timedelta(days=2), series=series)
        load_s = time.perf_counter() - started
    finally:
        store.close()
    after_s, after = _timed(series, areas, end)
    result["after_one_correction"] = {
        "load_s": round(load_s, 2),
        "s": round(after_s, 2),
        "analysed": after.analysed,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = measure(args.meters, args.days, args.seed)
    print(json.dumps(result, indent=2))
    out = OUT / f"findings-kept-{args.meters}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
