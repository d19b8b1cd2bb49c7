"""Technical loss as the balances compute it (graph.series.technical.materialize): every area
over a month, and one area's month (what a write to one area recomputes), on a demo home.

    .venv/bin/python -m bench.technical_materialize --meters 100000 [--days 31] [--repeat 5]

The demo folder (network, LV lines, readings, gate curves) is written and loaded into an
embedded home under bench/out; then, on the loaded series copy, the technical rows are
computed again (nothing is written): all areas once, and one area `--repeat` times (p50/p95).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.topology import OUT
from graph.series.files import SeriesFolder
from graph.series.technical.day import Assumptions
from graph.series.technical.materialize import technical_rows, with_tied_areas
from graph.series.writer import connect, table_of, technical_views
from graph.stores.embedded.store import EmbeddedStore
from loaders.demo import write_demo_folder
from loaders.load import load_folder

TODAY = dt.date(2026, 11, 1)


def _home(meters: int, days: int) -> Path:
    home = OUT / f"technical-home-{meters}-{days}"
    if not (home / "series" / "manifest.json").is_file():
        demo = write_demo_folder(home / "folder", meters, days, 20261203, TODAY)
        store = EmbeddedStore(home)
        try:
            load_folder(store, demo.folder, today=TODAY, series=SeriesFolder(home / "series"))
        finally:
            store.close()
    return home


def measure(meters: int, days: int, repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    home = _home(meters, days)
    prepared = time.perf_counter() - started
    folder = SeriesFolder(home / "series")
    manifest = folder.read()
    con = connect(folder)
    table_of(con, folder, [manifest.topology["memberships"]], "memberships", "memberships")
    technical_views(con, folder, manifest)
    day_files = {dt.date.fromisoformat(d): folder.path(f) for d, f in manifest.readings.items()}
    curve_files = {dt.date.fromisoformat(d): folder.path(f) for d, f in manifest.curves.items()}
    assumed = Assumptions()
    started = time.perf_counter()
    rows = list(technical_rows(con, day_files, curve_files, None, assumed))
    every_area_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    areas = sorted({r.area for r in rows})
    one = areas[len(areas) // 2]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        wanted = with_tied_areas(con, [one])
        list(technical_rows(con, day_files, curve_files, wanted, assumed))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    con.close()
    methods = {m: sum(1 for r in rows if r.method == m) for m in (0, 1, 2)}
    return {
        "meters": meters,
        "days": len(day_files),
        "areas": len(areas),
        "area_days_by_method": {
            "power_flow": methods[0],
            "equivalent": methods[1],
            "none": methods[2],
        },
        "prepare_s": round(prepared, 1),
        "every_area_all_days_s": round(every_area_s, 1),
        "one_area_all_days_ms_p50": round(statistics.median(times), 1),
        "one_area_all_days_ms_p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "peak_rss_mb": round(peak_mb),
        "curves_days": len(curve_files),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = measure(args.meters, args.days, args.repeat)
    print(json.dumps(result, indent=2))
    out = OUT / f"technical-materialize-{args.meters}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
