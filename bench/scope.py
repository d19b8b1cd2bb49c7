"""What scope costs (issue 13): the explorer's questions asked by a principal at the top unit
and by a supply station's principal, about the station's own areas, interleaved on one server.

    .venv/bin/python -m bench.scope --meters 100000 [--store embedded|neo4j] [--requests 300]

The project's generator writes the network; `load_folder` loads it into a fresh store; `taiqu
serve` runs with the response cache off (every answer computed: the cold case). Both
principals ask the same question about the same area in turn, so both get the same answer; per
question p50/p95 of each and the ratio station / top. Results on stdout and in
bench/out/scope-<store>-<meters>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench.topology import AREA_QUERY, OUT, Http, percentiles, serve
from graph.domain.access import Role
from graph.services.principals import create_principal, top_unit
from graph.stores.contract import Store
from graph.stores.embedded.store import EmbeddedStore
from graph.stores.neo4j.store import Neo4jStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from taiqu import neo4j_launcher


def _client(port: int, key: str) -> Http:
    client = Http(port)
    client.headers["authorization"] = f"Bearer {key}"
    return client


def _busiest_station(folder: Path) -> tuple[str, list[str]]:
    """The station owning the most areas, and those areas."""
    owned: dict[str, list[str]] = {}
    with (folder / "transformers.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            owned.setdefault(row["org_code"], []).append(row["transformer_code"])
    station = max(owned, key=lambda org: len(owned[org]))
    return station, owned[station]


#: The explorer's questions about one area of the station (or the station itself): the area
#: page (the fast path), the same with the feeder above (a step that may leave the scope), the
#: station's areas page (resolvers), its ranking, its mismatches and a search by area code.
QUESTIONS: dict[str, str] = {
    "area": AREA_QUERY,
    "area_with_feeder": """query($code: String!) { transformer(code: $code) { code name
      feeder { code name } orgUnit { code name } gateMeters { code multiplier }
      meters(first: 20) { totalCount edges { node { code role customer { code name } } } } } }""",
    "unit_areas": """query($unit: String!) { orgUnit(code: $unit) { code transformerCount
      transformers(first: 20) { totalCount edges { node { code name capacityKva } } } } }""",
    "unit_ranking": """query($unit: String!) { orgUnit(code: $unit) {
      lossRanking(from: "2026-11-01", to: "2026-11-07", first: 20) { totalCount
        edges { node { transformer { code name } lossRate status } } } } }""",
    "unit_mismatches": """query($id: ID!) { mismatches(under: $id, first: 20) { totalCount
      edges { node { meter { code } collectionArea { code } } } } }""",
    "search": """query($code: String!) { search(text: $code, first: 10) { kind code name } }""",
}


def _variables(question: str, area: str, unit: str) -> dict[str, str]:
    if question.startswith("unit_"):
        return {"id": f"OrgUnit:{unit}"} if question == "unit_mismatches" else {"unit": unit}
    return {"code": area}


def _ask(client: Http, question: str, query: str, area: str, unit: str) -> float:
    """One request's seconds (its answer must hold no error)."""
    variables = _variables(question, area, unit)
    started = time.perf_counter()
    answer = client.graphql(query, variables)
    took = time.perf_counter() - started
    assert "errors" not in answer, (question, answer)
    return took


def measure(store: Store, env: dict[str, str], folder: Path, requests: int) -> dict[str, Any]:
    load_folder(store, folder)
    station, areas = _busiest_station(folder)
    top = top_unit(store) or "-"
    stamp = time.time_ns()
    _, top_key = create_principal(store, f"top-{stamp}", Role.MARKETING.value, top)
    _, station_key = create_principal(store, f"st-{stamp}", Role.SUPPLY_STATION.value, station)
    process, port = serve({**env, "TAIQU_RESPONSE_CACHE_MB": "0"})
    found: dict[str, Any] = {}
    try:
        clients = {"top": _client(port, top_key), "station": _client(port, station_key)}
        codes = random.Random(13).sample(areas, min(50, len(areas)))
        for question, query in QUESTIONS.items():
            for i in range(min(100, requests)):  # warm-up: JIT, plans, the scopes kept
                for client in clients.values():
                    _ask(client, question, query, codes[i % len(codes)], station)
            samples: dict[str, list[float]] = {name: [] for name in clients}
            for i in range(requests):
                for name, client in clients.items():
                    area = codes[i % len(codes)]
                    samples[name].append(_ask(client, question, query, area, station))
            result = {name: percentiles(s) for name, s in samples.items()}
            found[question] = {
                **result,
                "ratio_p50": round(result["station"]["p50_ms"] / result["top"]["p50_ms"], 2),
                "ratio_p95": round(result["station"]["p95_ms"] / result["top"]["p95_ms"], 2),
            }
            print(question, json.dumps(found[question]), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {"station_unit": station, "station_areas": len(areas), "questions": found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    folder = OUT / f"scope-net-{args.meters}"
    if not (folder / "meters.csv").is_file():
        write_folder(generate(args.meters), folder)
    home = OUT / f"scope-home-{args.store}-{args.meters}"
    shutil.rmtree(home, ignore_errors=True)
    env = {"TAIQU_HOME": str(home)}
    if args.store == "embedded":
        store: Store = EmbeddedStore(home)
        server = None
    else:
        server = neo4j_launcher.start(None, "2g", 1024)
        env["TAIQU_NEO4J_URI"] = server.uri
        store = Neo4jStore(server.uri, None, None)
    try:
        result = {"meters": args.meters, "store": args.store}
        result |= measure(store, env, folder, args.requests)
    finally:
        store.close()
        if server is not None:
            server.stop()
    print(json.dumps(result, indent=2))
    (OUT / f"scope-{args.store}-{args.meters}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
