"""The CPU of executing one explorer page in-process, with and without the fast path.

    .venv/bin/python -m bench.execution --meters 100000 [--requests 200]

No HTTP: the schema executes the peer benchmark's feeder page (bench/peer.py) directly, on the
embedded store (or the Neo4j of TAIQU_NEO4J_URI, which is cleared and loaded), so that what
is measured is what execution costs: CPU ms per request (all threads of this process) and
wall p50, for TAIQU_FAST_PATH on (answered from the store's tree) and off (the resolvers, with
the tree read ahead into their loaders), alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import strawberry

from api import time_limit
from api.context import build_context
from api.schema import build_schema
from bench.peer import TAIQU_FEEDER
from bench.topology import OUT, percentiles
from graph.domain.access import Principal, Role
from graph.series.reader import LossReader
from graph.services.mismatches import MismatchCache
from graph.services.principals import top_unit
from graph.stores.contract import Store
from graph.stores.factory import open_store
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from taiqu.settings import Settings


async def _run(schema: Any, settings: Settings, store: Store, loss: LossReader, codes: list[str],
               requests: int) -> tuple[list[float], float]:  # fmt: skip
    # As a request's worker thread does: in-process reads inline (api/time_limit.py).
    time_limit._WORKER.loop = asyncio.get_running_loop()
    mismatches = MismatchCache()
    now = dt.datetime.now(dt.UTC)
    reader = Principal("bench", Role.MARKETING, top_unit(store) or "-", now)  # sees all
    samples = []
    cpu = time.process_time()
    for i in range(requests):
        ctx = build_context(store, loss, settings, mismatches, reader)
        began = time.perf_counter()
        result = await strawberry.Schema.execute(
            schema, TAIQU_FEEDER, {"code": codes[i % len(codes)]}, context_value=ctx
        )
        samples.append(time.perf_counter() - began)
        if result.errors:
            raise RuntimeError(result.errors)
    return samples, (time.process_time() - cpu) / requests * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="execution-home-", dir=OUT))
    uri = os.environ.get("TAIQU_NEO4J_URI")
    store = open_store(home, uri, None, None, "neo4j")
    try:
        if uri:
            store.clear()  # type: ignore[attr-defined]
        network = generate(args.meters)
        write_folder(network, home / "net")
        base = Settings(home=home, neo4j_uri=uri)
        load_folder(store, home / "net", series=base.series_folder())
        codes = [r[0] for r in network.rows["feeders.csv"]][:50]
        loss = LossReader(base.series_folder(), base.loss_rules())
        result: dict[str, Any] = {"meters": args.meters, "store": "neo4j" if uri else "embedded"}
        runs: dict[str, list[tuple[list[float], float]]] = {"fast path": [], "resolvers": []}
        for _ in range(3):  # alternated, so that drift falls on both
            for name, fast in (("fast path", True), ("resolvers", False)):
                settings = Settings(home=home, neo4j_uri=uri, fast_path=fast, max_cost=100_000)
                schema = build_schema(settings)
                asyncio.run(_run(schema, settings, store, loss, codes, 20))  # warm-up
                runs[name].append(asyncio.run(_run(schema, settings, store, loss, codes,
                                                   args.requests)))  # fmt: skip
        for name, measured in runs.items():
            samples = [s for run, _ in measured for s in run]
            result[name] = {
                **percentiles(samples),
                "cpu_ms_per_request": round(min(cpu for _, cpu in measured), 2),
            }
        loss.close()
    finally:
        store.close()
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(result, indent=1))
    (OUT / f"execution-{result['store']}-{args.meters}.json").write_text(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
