"""Collection evidence and the mismatch report at scale.

    .venv/bin/python -m bench.collection --meters 1000000 [--requests 300]

Copies the embedded store bench.loss made (bench/out/loss-home-<meters>, with its month of
readings) to bench/out/collect-home-<meters>, writes a collection.csv for every meter in
which 1 % of customer meters are read by another area's concentrator (the demo's generator),
then times the real commands in their own processes (`reconcile plan --source collection`,
`reconcile apply`, `reconcile mismatches --json`; then a second snapshot against the stored
evidence) and `mismatches` over HTTP: the first request (the report is computed) and the
following ones (served from the cache, paged), against the store query.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench.reconcile import timed_cli
from bench.topology import OUT, Http, peak_rss_mb, percentiles, serve, timed
from graph.domain import clock
from graph.services.mismatches import MismatchCache
from graph.stores.embedded.store import EmbeddedStore
from loaders.generate_collection import write_collection

SHARE = 0.01  # customer meters read by the concentrator of another area of their feeder
MISMATCHES = """query($under: ID) { mismatches(under: $under, first: 20) { totalCount
  statusFrom statusTo edges { node { meter { code } customer { code } marketingArea { code }
  collectionArea { code } terminalCode since
  areas { code source loss { status lossRate } } } } } }"""


def _feeders(network: Path) -> list[str]:
    with (network / "feeders.csv").open(encoding="utf-8") as fh:
        return [row["feeder_code"] for row in csv.DictReader(fh)]


def _http(home: Path, feeders: list[str], requests: int) -> dict[str, Any]:
    process, port = serve({"TAIQU_HOME": str(home)})
    try:
        client = Http(port)
        started = time.perf_counter()
        first = client.graphql(MISMATCHES, {"under": None})["data"]["mismatches"]
        cold_s = time.perf_counter() - started
        network = timed(lambda _: client.graphql(MISMATCHES, {"under": None}), ["-"], requests)
        under = timed(
            lambda code: client.graphql(MISMATCHES, {"under": f"Feeder:{code}"}), feeders, requests
        )
        return {
            "http_total_count": first["totalCount"],
            "http_first_request_s": round(cold_s, 2),
            "http_network_first20": percentiles(network),
            "http_feeder_first20": percentiles(under),
            "serve_peak_rss_mb": peak_rss_mb(process.pid),
        }
    finally:
        process.terminate()
        process.wait()


def _store(home: Path) -> dict[str, Any]:
    """The raw store query, and a cached report (what the API pages through)."""
    store = EmbeddedStore(home)
    try:
        today = clock.today()
        started = time.perf_counter()
        rows = store.disagreeing_reads(today)
        raw_s = time.perf_counter() - started
        cache = MismatchCache()
        started = time.perf_counter()
        cache.get(store, today)
        report_s = time.perf_counter() - started
        warm = timed(lambda _: cache.get(store, today)[:20], ["-"], 300)
        return {
            "store_disagreeing_reads_s": round(raw_s, 2),
            "store_rows": len(rows),
            "report_with_meters_and_customers_s": round(report_s, 2),
            "cached_report_page": percentiles(warm),
        }
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    network, source = OUT / f"loss-net-{args.meters}", OUT / f"loss-home-{args.meters}"
    if not (network / "meters.csv").exists() or not source.exists():
        print(f"run `python -m bench.loss --sizes {args.meters}` first", file=sys.stderr)
        return 1
    home = OUT / f"collect-home-{args.meters}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(source, home, ignore=shutil.ignore_patterns("plans"))
    snapshot = OUT / f"collection-{args.meters}"
    elsewhere = write_collection(network, snapshot, seed=args.meters, share=SHARE)
    feeders = _feeders(network)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    out, plan_s, plan_mb = timed_cli(
        ["reconcile", "plan", "--source", "collection", str(snapshot), "--json"], env
    )
    plan = json.loads(out)
    _, apply_s, apply_mb = timed_cli(["reconcile", "apply", plan["plan_id"]], env)
    # The daily case: evidence exists, and the next snapshot differs in about 2 % of meters
    # (this run's 1 % read elsewhere go back, another 1 % move).
    later = OUT / f"collection-{args.meters}-next"
    write_collection(network, later, seed=args.meters + 1, share=SHARE)
    out, next_plan_s, next_plan_mb = timed_cli(
        ["reconcile", "plan", "--source", "collection", str(later), "--json"], env
    )
    next_plan = json.loads(out)
    effective = (clock.today() + dt.timedelta(days=1)).isoformat()
    _, next_apply_s, _ = timed_cli(
        ["reconcile", "apply", next_plan["plan_id"], "--effective", effective], env
    )
    out, report_s, report_mb = timed_cli(["reconcile", "mismatches", "--json"], env)
    result: dict[str, Any] = {
        "meters": args.meters,
        "read_elsewhere_in_snapshot": elsewhere,
        "plan_counts": plan["counts"],
        "plan_s": plan_s,
        "plan_peak_rss_mb": plan_mb,
        "apply_s": apply_s,
        "apply_peak_rss_mb": apply_mb,
        "next_plan_counts": next_plan["counts"],
        "next_plan_s": next_plan_s,
        "next_plan_peak_rss_mb": next_plan_mb,
        "next_apply_s": next_apply_s,
        "cli_mismatches_s": report_s,
        "cli_mismatches_peak_rss_mb": report_mb,
        "cli_mismatches_count": json.loads(out)["count"],
    }
    result |= _store(home)
    result |= _http(home, feeders, args.requests)
    (OUT / f"collection-{args.meters}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
