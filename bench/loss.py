"""Loss benchmark: readings import rate, disk per stored meter-day, HTTP latency of four loss
queries against the same answer straight from the series store (LossReader, in-process), and
`taiqu serve` memory as stored days grow.

    .venv/bin/python -m bench.loss --sizes 100000 1000000

Uses the project's generators (network, then 31 days of readings from 2026-10-01); the topology
goes into the embedded store (loss is read from the series folder whichever store holds the
topology). Then 31 more days (2026-08-31..09-30) are imported and the same queries measured
again, to show that memory and latency do not grow with stored days. Results go to
bench/out/loss-<size>.json and stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.topology import OUT, Http, peak_rss_mb, percentiles, serve, timed
from graph.domain.scope import Scope
from graph.series.files import SeriesFolder
from graph.series.loss import LossOrder, LossRules
from graph.series.reader import LossReader
from graph.series.writer import sync_topology
from graph.stores.embedded.store import EmbeddedStore
from loaders.generate import generate, write_folder
from loaders.generate_readings import write_readings
from loaders.load import LoadReport, load_folder

MONTH = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SERIES_30 = (dt.date(2026, 10, 2), dt.date(2026, 10, 31))
EARLIER = dt.date(2026, 8, 31)  # 31 more days before October: stored days grow
DAYS = 31
TODAY = dt.date(2026, 11, 28)

NETWORK_SUMMARY = """query($from: Date!, $to: Date!) { network { lossSummary(from: $from, to: $to)
  { transformerCount normalCount highCount negativeCount uncomputableCount supplyKwh salesKwh
    lossKwh lossRate qualifiedRate readingCoverage } } }"""
FEEDER_SUMMARY = """query($code: String!, $from: Date!, $to: Date!) { feeder(code: $code) {
  lossSummary(from: $from, to: $to) { transformerCount normalCount highCount negativeCount
    uncomputableCount supplyKwh salesKwh lossKwh lossRate qualifiedRate readingCoverage } } }"""
COUNTY_SERIES = """query($code: String!, $from: Date!, $to: Date!) { orgUnit(code: $code) {
  lossSeries(from: $from, to: $to) { from transformerCount normalCount uncomputableCount
    supplyKwh lossKwh lossRate qualifiedRate readingCoverage } } }"""
NETWORK_RANKING = """query($from: Date!, $to: Date!) { network { lossRanking(from: $from,
  to: $to, first: 20) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { transformer { code name } supplyKwh salesKwh lossKwh lossRate status
      reasons readingCoverage } } } } }"""


def _period(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


def _load(store: EmbeddedStore, folder: Path, series: SeriesFolder) -> LoadReport:
    return load_folder(store, folder, today=TODAY, series=series)


def _disk(series: SeriesFolder) -> dict[str, Any]:
    manifest = series.read()
    reading_bytes = sum(Path(series.path(f)).stat().st_size for f in manifest.readings.values())
    balance_bytes = sum(Path(series.path(f)).stat().st_size for f in manifest.balances.values())
    return {
        "days": len(manifest.readings),
        "readings_bytes": reading_bytes,
        "balances_bytes": balance_bytes,
    }


def _queries(
    port: int, reader: LossReader, feeders: list[str], counties: list[str], requests: int
) -> dict[str, Any]:
    # A fresh connection per case: uvicorn closes one idle for 5 s (while raw calls are timed).
    http = Http(port)
    cases: list[tuple[str, Callable[[str], Any], Callable[[str], Any], list[str]]] = [
        (
            "network_summary_month",
            lambda _: http.graphql(NETWORK_SUMMARY, _period(*MONTH)),
            lambda _: reader.summaries(Scope.NETWORK, [], *MONTH),
            [""],
        ),
        (
            "feeder_summary_month",
            lambda c: http.graphql(FEEDER_SUMMARY, {"code": c, **_period(*MONTH)}),
            lambda c: reader.summaries(Scope.FEEDER, [c], *MONTH),
            feeders,
        ),
        (
            "county_series_30_days",
            lambda c: http.graphql(COUNTY_SERIES, {"code": c, **_period(*SERIES_30)}),
            lambda c: reader.series(Scope.ORG, [c], *SERIES_30),
            counties,
        ),
        (
            "network_ranking_first_page",
            lambda _: http.graphql(NETWORK_RANKING, _period(*MONTH)),
            lambda _: reader.ranking(
                Scope.NETWORK, "", *MONTH, LossOrder.LOSS_RATE_DESC, None, 20, 0
            ),
            [""],
        ),
    ]
    found: dict[str, Any] = {}
    for name, api, raw, codes in cases:
        http.conn.close()  # reconnects on the next request
        api_s = percentiles(timed(api, codes, requests))
        raw_s = percentiles(timed(raw, codes, requests))
        found[name] = {
            "api_http": api_s,
            "raw_store": raw_s,
            "ratio_p50": round(api_s["p50_ms"] / raw_s["p50_ms"], 2),
            "ratio_p95": round(api_s["p95_ms"] / raw_s["p95_ms"], 2),
        }
        print(f"  {name}: api {api_s} raw {raw_s}", file=sys.stderr, flush=True)
    return found


def _measure(
    home: Path, series: SeriesFolder, feeders: list[str], counties: list[str], requests: int
) -> dict[str, Any]:
    process, port = serve({"TAIQU_HOME": str(home)})
    reader = LossReader(series, LossRules())
    try:
        result = _queries(port, reader, feeders, counties, requests)
        result["serve_peak_rss_mb"] = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait()
        reader.close()
    return result


def run_size(meters: int, requests: int) -> dict[str, Any]:
    folder = OUT / f"loss-net-{meters}"
    started = time.perf_counter()
    network = generate(meters)
    write_folder(network, folder)
    rows = write_readings(folder, MONTH[0], DAYS)
    generated = time.perf_counter() - started
    rng = random.Random(meters)
    feeders = rng.sample(
        [r[0] for r in network.rows["feeders.csv"]], min(50, len(network.rows["feeders.csv"]))
    )
    counties = [r[0] for r in network.rows["orgs.csv"] if r[3] == "county"]
    out: dict[str, Any] = {
        "meters": meters,
        "readings": rows,
        "days": DAYS,
        "generate_s": round(generated, 1),
        "areas": len(network.rows["transformers.csv"]),
        "counties": len(counties),
    }
    del network
    home = OUT / f"loss-home-{meters}"
    subprocess.run(["rm", "-rf", str(home)], check=True)
    store = EmbeddedStore(home)
    series = SeriesFolder(home / "series")
    report = _load(store, folder, series)
    out["first_load"] = {
        "total_s": round(report.seconds, 1),
        "topology_write_s": round(report.write_seconds, 1),
        "readings_s": round(report.readings_seconds, 1),
        "readings_per_s": round(report.readings_read / report.readings_seconds),
    }
    print(f"{meters:,} meters: {out['first_load']}", file=sys.stderr, flush=True)
    synced = time.perf_counter()
    sync_topology(series, store)  # what a topology change costs the series copy (no change)
    out["topology_sync_s"] = round(time.perf_counter() - synced, 1)
    again = time.perf_counter()
    report = _load(store, folder, series)  # identical: validates, compares, writes nothing
    out["identical_reimport_s"] = round(time.perf_counter() - again, 1)
    assert report.readings is not None and report.readings.added == 0
    disk = _disk(series)
    out["disk"] = disk | {"bytes_per_meter_day": round(disk["readings_bytes"] / rows, 2)}
    out["at_31_days"] = _measure(home, series, feeders, counties, requests)
    # 31 earlier days: the same October queries, with twice the days stored.
    earlier = OUT / f"loss-earlier-{meters}"
    earlier.mkdir(exist_ok=True)
    (earlier / "meters.csv").write_bytes((folder / "meters.csv").read_bytes())
    more = write_readings(earlier, EARLIER, DAYS)
    (earlier / "meters.csv").unlink()  # readings only: the topology is already stored
    started = time.perf_counter()
    report = _load(store, earlier, series)
    out["second_import"] = {
        "readings": more,
        "readings_s": round(report.readings_seconds, 1),
        "readings_per_s": round(report.readings_read / report.readings_seconds),
        "total_s": round(time.perf_counter() - started, 1),
    }
    disk = _disk(series)
    out["disk_62_days"] = disk | {
        "bytes_per_meter_day": round(disk["readings_bytes"] / (rows + more), 2)
    }
    out["at_62_days"] = _measure(home, series, feeders, counties, requests)
    store.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for meters in args.sizes:
        result = run_size(meters, args.requests)
        (OUT / f"loss-{meters}.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
