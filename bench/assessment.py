"""Assessment benchmark (issue 16): one month's assessment of every unit of a level, over HTTP
(the response cache off: every request computes) and in-process, and the xlsx of every unit of
the province, on a home whose balances exist.

    .venv/bin/python -m bench.assessment --home bench/out/findings-home-1000000-35-1-3 \\
        --period 2026-10 --meters 1000000

Targets for the year are recorded for every unit first (five indicators; re-running records
nothing new). Results go to bench/results/<today>/assessment-<meters>.json and stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from bench.topology import Http, percentiles, serve
from graph.domain import clock
from graph.domain.targets import month_bounds
from graph.indicators.scoring import DEFAULT_WEIGHTS
from graph.series.files import SeriesFolder
from graph.series.loss import LossRules
from graph.series.reader import LossReader
from graph.services.assessment import AssessmentRow, assess, assessed_units
from graph.services.mismatches import MismatchCache
from graph.services.targets import TargetRow, record_targets
from graph.stores.embedded.store import EmbeddedStore
from taiqu.report_cli import write_xlsx

ROOT = Path(__file__).resolve().parent
TARGETS = {
    "lossRate": 0.06,
    "qualifiedRate": 0.9,
    "collectionRate": 0.98,
    "consistencyRate": 0.99,
    "computableRate": 0.95,
}
QUERY = """query($period: String!, $level: String!) { assessment(period: $period, level: $level)
  { orgUnit { code name } score previousScore rank rankedAmong
    indicators { name value target met gap previous change } } }"""
LEVELS = ("city", "county", "station")


def _levels(store: EmbeddedStore, end: dt.date) -> dict[str, list[str]]:
    return {level: assessed_units(store, end, level, None)[0] for level in LEVELS}


def run(home: Path, period: str, requests: int, http_too: bool = True) -> dict[str, Any]:
    store = EmbeddedStore(home)
    _, end = month_bounds(period)
    units = _levels(store, end)
    rows = [TargetRow(u, period[:4], k, v) for us in units.values() for u in us
            for k, v in TARGETS.items()]  # fmt: skip
    recorded = record_targets(store, rows, "bench")
    out: dict[str, Any] = {
        "period": period,
        "units": {k: len(v) for k, v in units.items()},
        "targets_recorded": recorded.written,
    }
    reader = LossReader(SeriesFolder(home / "series"), LossRules())
    mismatches = MismatchCache()
    _, parents = assessed_units(store, end, "county", None)

    def once(level: str) -> list[AssessmentRow]:
        return assess(
            store, reader, lambda d: mismatches.get(store, d), period, units[level], parents,
            DEFAULT_WEIGHTS,
        )  # fmt: skip

    in_process: dict[str, Any] = {}
    for level in LEVELS:
        started = time.perf_counter()
        once(level)
        cold = time.perf_counter() - started
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            once(level)
            samples.append(time.perf_counter() - started)
        in_process[level] = {"first_ms": round(cold * 1000, 1), **percentiles(samples)}
    out["in_process"] = in_process
    started = time.perf_counter()
    every = [r for level in LEVELS for r in once(level)]
    path = ROOT / "out" / f"assessment-{period}.xlsx"
    write_xlsx(every, path, period)
    out["xlsx_every_unit"] = {"units": len(every), "s": round(time.perf_counter() - started, 2)}
    reader.close()
    store.close()
    if not http_too:
        return out
    process, port = serve({"TAIQU_HOME": str(home), "TAIQU_RESPONSE_CACHE_MB": "0"})
    try:
        http = Http(port)
        over_http: dict[str, Any] = {}
        for level in LEVELS:
            variables = {"period": period, "level": level}
            started = time.perf_counter()
            http.graphql(QUERY, variables)
            first = time.perf_counter() - started
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                http.graphql(QUERY, variables)
                samples.append(time.perf_counter() - started)
            over_http[level] = {"first_ms": round(first * 1000, 1), **percentiles(samples)}
        out["http"] = over_http
        out["http_over_in_process_p50"] = {
            level: round(over_http[level]["p50_ms"] / max(in_process[level]["p50_ms"], 1e-3), 2)
            for level in LEVELS
        }
    finally:
        process.terminate()
        process.wait()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--period", required=True)
    parser.add_argument("--meters", required=True, type=int, help="for the result's name")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--no-http", action="store_true", help="in process only")
    args = parser.parse_args()
    found = run(args.home, args.period, args.requests, not args.no_http)
    found["meters"] = args.meters
    folder = ROOT / "results" / clock.today().isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"assessment-{args.meters}.json").write_text(json.dumps(found, indent=2))
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
