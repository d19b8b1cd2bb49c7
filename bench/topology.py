"""Topology benchmark: load rate into each store, HTTP latency of two explorer queries against the
same answer fetched straight from the store, and peak memory of `taiqu serve`.

    .venv/bin/python -m bench.topology --sizes 10000 100000 1000000

Uses the project's synthetic generator; Neo4j is started in-process (taiqu.neo4j_launcher) unless
TAIQU_NEO4J_URI is set. Results go to bench/out/topology-<size>.json and stdout. Bounded: a fixed
number of requests per query, loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.domain import clock
from graph.domain.model import Kind, Rel
from graph.stores.contract import Store
from graph.stores.embedded.store import EmbeddedStore
from graph.stores.neo4j.store import Neo4jStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from taiqu import neo4j_launcher

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent
PAGE = 20
TODAY = clock.today()  # the day the store answers for, as the API does by default

FEEDER_QUERY = """query($code: String!) { feeder(code: $code) { code name voltageKv
  transformers(first: 20) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { code name capacityKva ownership } } } } }"""
AREA_QUERY = """query($code: String!) { transformer(code: $code) { code name capacityKva
  meters(first: 20) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { code role multiplier phase } } } } }"""


SEARCH_QUERY = """query($text: String!) { search(text: $text, first: 10) { kind code name } }"""


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 3),
        "n": len(ms),
    }


def timed(fn: Callable[[str], Any], codes: list[str], requests: int) -> list[float]:
    for i in range(min(300, 2 * requests)):  # warm-up: caches, the JVM's JIT, query plans
        fn(codes[i % len(codes)])
    samples = []
    for i in range(requests):
        code = codes[i % len(codes)]
        started = time.perf_counter()
        fn(code)
        samples.append(time.perf_counter() - started)
    return samples


#: The API key of the benchmark's principal on each server `serve` started, by port.
KEYS: dict[int, str] = {}


def bench_key(env: dict[str, str]) -> str:
    """A principal at the top unit of the store `env` configures (it reads everything, as a
    line-loss team at the provincial company does), made for this run; its key."""
    from graph.services.principals import create_principal, top_unit
    from taiqu.settings import Settings

    store = Settings.from_env(env).open_store()
    try:
        name = f"bench-{time.time_ns()}"
        return create_principal(store, name, "marketing", top_unit(store) or "-")[1]
    finally:
        store.close()


class Http:
    """A keep-alive HTTP/1.1 client: as little client overhead as the standard library allows."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"content-type": "application/json"}
        self.sent = 0  # GraphQL requests sent (compared with the server's /metrics)
        if port in KEYS:
            self.headers["authorization"] = f"Bearer {KEYS[port]}"

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.sent += 1
        body = json.dumps({"query": query, "variables": variables})
        self.conn.request("POST", "/graphql", body, self.headers)
        response = self.conn.getresponse()
        data = json.loads(response.read())
        if response.status != 200 or "errors" in data:
            raise RuntimeError(f"query failed: {response.status} {data}")
        return data

    def metered_requests(self) -> float | None:
        """The server's count of GraphQL requests (taiqu_requests_total, every label), from
        /metrics; None when it serves none (an older revision)."""
        self.conn.request("GET", "/metrics")
        response = self.conn.getresponse()
        text = response.read().decode()
        if response.status != 200:
            return None
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("taiqu_requests_total{")
        )

    def ready(self) -> bool:
        try:
            self.conn.request("GET", "/readyz")
            response = self.conn.getresponse()
            response.read()
            return response.status == 200
        except OSError:
            self.conn.close()
            return False


def serve(
    env_extra: dict[str, str],
    checkout: Path = ROOT,
    workers: int = 1,
    with_key: bool | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """`taiqu serve` on a free port, from `checkout` (another revision's work tree: its code
    comes first on PYTHONPATH), once it answers /readyz; `with_key` (default: from this
    checkout): make a principal whose key the port's Http clients send."""
    port = neo4j_launcher.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env.update(env_extra)
    if checkout == ROOT if with_key is None else with_key:  # another may predate principals
        KEYS[port] = bench_key(env)
    env["TAIQU_GRAPHIQL"] = "false"
    if checkout != ROOT:
        env["PYTHONPATH"] = str(checkout)
    # The server's log in a file, not a pipe (nobody reads it while the bench runs): its tail
    # says why when the server does not become ready.
    with tempfile.NamedTemporaryFile(
        prefix=f"taiqu-serve-{port}-", suffix=".log", delete=False
    ) as log:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "taiqu", "serve", "--port", str(port)]
            + (["--workers", str(workers)] if workers > 1 else []),
            env=env,
            cwd=checkout,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    client = Http(port)
    deadline = time.monotonic() + 300
    while not client.ready():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            tail = Path(log.name).read_text(errors="replace").splitlines()[-20:]
            raise RuntimeError(
                f"taiqu serve from {checkout} did not become ready (log {log.name}):\n"
                + "\n".join(tail)
            )
        time.sleep(0.2)
    return process, port


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _tree(pid: int) -> list[int]:
    """`pid` and its child processes (the workers of `taiqu serve --workers N`)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:
                    children.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return [pid, *children]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its children."""
    total = 0.0
    for one in _tree(pid):
        fields = _stat(one)
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def peak_rss_mb(pid: int) -> float:
    """The sum of each process's peak resident memory (VmHWM)."""
    total_kb = 0
    for one in _tree(pid):
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)


def raw_feeder(store: Store) -> Callable[[str], Any]:
    def run(code: str) -> Any:
        store.entities(Kind.FEEDER, [code])
        return store.child_pages(Rel.SUPPLIES, [code], TODAY, PAGE, None)

    return run


def raw_search(store: Store) -> Callable[[str], Any]:
    def run(text: str) -> Any:
        return store.search(text, list(Kind), 10)

    return run


def raw_area(store: Store) -> Callable[[str], Any]:
    def run(code: str) -> Any:
        store.entities(Kind.TRANSFORMER, [code])
        return store.child_pages(Rel.HAS_METER, [code], TODAY, PAGE, None)

    return run


def measure_store(
    name: str,
    store: Store,
    env_extra: dict[str, str],
    folder: Path,
    requests: int,
    feeders: list[str],
    areas: list[str],
    texts: list[str],
) -> dict[str, Any]:
    started = time.perf_counter()
    report = load_folder(store, folder)
    load_s = time.perf_counter() - started
    result: dict[str, Any] = {
        "store": name,
        "load_s": round(load_s, 2),
        "rows_read": report.rows_read,
        "changes_written": report.rows_written,
        "entities_per_s": round(report.rows_read / load_s),
        "write_s": round(report.write_seconds, 2),
        "write_changes_per_s": round(report.rows_written / report.write_seconds),
    }
    process, port = serve(env_extra)
    try:
        client = Http(port)
        metered_before = client.metered_requests()
        api_feeder = timed(lambda c: client.graphql(FEEDER_QUERY, {"code": c}), feeders, requests)
        api_area = timed(lambda c: client.graphql(AREA_QUERY, {"code": c}), areas, requests)
        api_search = timed(lambda t: client.graphql(SEARCH_QUERY, {"text": t}), texts, requests)
        result["serve_peak_rss_mb"] = peak_rss_mb(process.pid)
        metered_after = client.metered_requests()
        if metered_before is not None and metered_after is not None:
            # The check: /metrics counts what the client sent, no more, no less.
            result["requests_sent"] = client.sent
            result["requests_metered"] = metered_after - metered_before
    finally:
        process.terminate()
        process.wait(timeout=30)
    raw_f = timed(raw_feeder(store), feeders, requests)
    raw_a = timed(raw_area(store), areas, requests)
    raw_s = timed(raw_search(store), texts, requests)
    for label, api, raw in (
        ("feeder_page", api_feeder, raw_f),
        ("area_meters", api_area, raw_a),
        ("search", api_search, raw_s),
    ):
        a, r = percentiles(api), percentiles(raw)
        result[label] = {
            "api_http": a,
            "raw_store": r,
            "ratio_p50": round(a["p50_ms"] / r["p50_ms"], 2),
            "ratio_p95": round(a["p95_ms"] / r["p95_ms"], 2),
        }
    return result


def run_size(meters: int, requests: int, neo4j_uri: str, stores: list[str]) -> dict[str, Any]:
    folder = OUT / f"net-{meters}"
    started = time.perf_counter()
    network = generate(meters)
    if not (folder / "meters.csv").exists():
        write_folder(network, folder)
    rng = random.Random(meters)
    feeders = rng.sample(
        [r[0] for r in network.rows["feeders.csv"]], min(50, len(network.rows["feeders.csv"]))
    )
    areas = rng.sample([r[0] for r in network.rows["transformers.csv"]], 50)
    meter_code = network.rows["meters.csv"][len(network.rows["meters.csv"]) // 2][0]
    texts = [meter_code, "幸福村", "王伟"]  # a code, a village (indexed), a 2-char name (scan)
    out: dict[str, Any] = {
        "meters": meters,
        "entities": network.entity_count(),
        "generate_s": round(time.perf_counter() - started, 1),
        "results": [],
    }
    del network
    if "embedded" in stores:
        home = OUT / f"home-{meters}"
        subprocess.run(["rm", "-rf", str(home)], check=True)
        store = EmbeddedStore(home)
        out["results"].append(
            measure_store(
                "embedded",
                store,
                {"TAIQU_HOME": str(home)},
                folder,
                requests,
                feeders,
                areas,
                texts,
            )
        )
        store.close()
    if "neo4j" in stores:
        neo = Neo4jStore(neo4j_uri, None, None)
        neo.clear()
        out["results"].append(
            measure_store(
                "neo4j",
                neo,
                {"TAIQU_NEO4J_URI": neo4j_uri},
                folder,
                requests,
                feeders,
                areas,
                texts,
            )
        )
        neo.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--stores", nargs="+", default=["embedded", "neo4j"])
    parser.add_argument("--neo4j-heap", default="4g")
    parser.add_argument("--neo4j-pagecache-mb", type=int, default=3072)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    server = None
    uri = os.environ.get("TAIQU_NEO4J_URI", "")
    if "neo4j" in args.stores and not uri:
        server = neo4j_launcher.start(heap=args.neo4j_heap, pagecache_mb=args.neo4j_pagecache_mb)
        uri = server.uri
    try:
        for meters in args.sizes:
            result = run_size(meters, args.requests, uri, args.stores)
            (OUT / f"topology-{meters}.json").write_text(json.dumps(result, indent=2))
            print(json.dumps(result, indent=2), flush=True)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
