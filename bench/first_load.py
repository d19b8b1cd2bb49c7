"""First load into an empty Neo4j (issue 12, item 7): offline import against Bolt.

    .venv/bin/python -m bench.first_load --meters 100000 1000000 [--bolt-max 100000]

For each size the project's generator writes a network in exchange format. The offline path is
timed as a user runs it: `taiqu load DIR --offline FILES` (its own process: parse, validate,
plan, write the files), Neo4j's importer into an empty data folder (`admin_import`), then the
server's start and the first connection of the store, which creates the uniqueness constraints
and search indexes, waited for until they are online: the graph is then ready to serve. The
Bolt path (`load_folder` into a fresh server, as `taiqu load` does) runs for sizes up to
--bolt-max. Entities are rows read, as in the topology benchmark. Results on stdout and in
bench/out/first-load-<meters>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.topology import OUT, ROOT
from graph.stores.neo4j import queries as cy
from graph.stores.neo4j.store import Neo4jStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from taiqu import neo4j_launcher

HEAP, PAGECACHE_MB = "2g", 1024
INDEX_WAIT_S = 1800


def _network(meters: int) -> Path:
    folder = OUT / f"first-load-net-{meters}"
    if not (folder / "meters.csv").is_file():  # kept: generating 1M meters takes a minute
        shutil.rmtree(folder, ignore_errors=True)
        write_folder(generate(meters), folder)
    return folder


def _run_measured(cmd: list[str]) -> tuple[float, float]:
    """Run `cmd`; its wall seconds and peak RSS in MB (of that process alone)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[2:5]} failed")
    return seconds, usage.ru_maxrss / 1024


def _ready(server: neo4j_launcher.Neo4jServer) -> float:
    """Open the store (schema statements) and wait for its indexes; seconds taken."""
    started = time.perf_counter()
    store = Neo4jStore(server.uri, None, None)
    try:
        store.driver.execute_query(cy.AWAIT_INDEXES, timeout_s=INDEX_WAIT_S)
    finally:
        store.close()
    return time.perf_counter() - started


def offline(folder: Path, work: Path) -> dict[str, Any]:
    files, data = work / "files", work / "neo4j"
    shutil.rmtree(work, ignore_errors=True)
    data.mkdir(parents=True)
    taiqu = [str(ROOT / ".venv/bin/python"), "-m", "taiqu", "load", str(folder)]
    plan_s, plan_rss = _run_measured([*taiqu, "--offline", str(files)])
    started = time.perf_counter()
    neo4j_launcher.admin_import(data, files, heap="1g")
    import_s = time.perf_counter() - started
    started = time.perf_counter()
    server = neo4j_launcher.start(data, HEAP, PAGECACHE_MB)
    start_s = time.perf_counter() - started
    try:
        ready_s = _ready(server)
    finally:
        server.stop()
    counts = json.loads((files / "taiqu-import.json").read_text())["counts"]
    shutil.rmtree(work, ignore_errors=True)
    return {
        "files_s": round(plan_s, 2),
        "files_peak_rss_mb": round(plan_rss, 1),
        "import_s": round(import_s, 2),
        "start_s": round(start_s, 2),
        "schema_and_indexes_s": round(ready_s, 2),
        "total_s": round(plan_s + import_s + start_s + ready_s, 2),
        "nodes_and_relationships": sum(counts.values()),
    }


def bolt(folder: Path) -> dict[str, Any]:
    server = neo4j_launcher.start(None, HEAP, PAGECACHE_MB)
    try:
        started = time.perf_counter()
        store = Neo4jStore(server.uri, None, None)
        try:
            report = load_folder(store, folder)
        finally:
            store.close()
        return {"total_s": round(time.perf_counter() - started, 2), "rows": report.rows_read}
    finally:
        server.stop()


def run_size(meters: int, bolt_max: int) -> dict[str, Any]:
    folder = _network(meters)
    rows = sum(1 for p in folder.glob("*.csv") for _ in p.open(encoding="utf-8")) - len(
        list(folder.glob("*.csv"))
    )
    result: dict[str, Any] = {"meters": meters, "entities": rows}
    result["offline"] = off = offline(folder, OUT / f"first-load-work-{meters}")
    off["entities_per_s"] = round(rows / off["total_s"])
    if meters <= bolt_max:
        result["bolt"] = on = bolt(folder)
        on["entities_per_s"] = round(rows / on["total_s"])
        result["offline_speedup"] = round(on["total_s"] / off["total_s"], 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, nargs="+", default=[100_000])
    parser.add_argument("--bolt-max", type=int, default=100_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for meters in args.meters:
        result = run_size(meters, args.bolt_max)
        print(json.dumps(result, indent=2), flush=True)
        (OUT / f"first-load-{meters}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
