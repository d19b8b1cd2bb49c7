"""Taiqu against its peer on one Neo4j: @neo4j/graphql 7 on Apollo Server (bench/peer/).

    (cd bench/peer && npm ci) && .venv/bin/python -m bench.peer --meters 100000

One command after the npm install. Neo4j 5.26 is started in-process (TAIQU_NEO4J_URI: use a
running one instead, which is cleared). The project's generator network is loaded once; then
`taiqu serve` and the peer serve the same questions, the answers are compared (normalized to
the same shape), and the servers are measured:

- latency: sequential requests alternating between the two (ABBA), p50 / p95;
- throughput: 8 client threads on one server, then on the other, twice, requests per second;
- server CPU per request (user + system of the server's process over the sequential phase)
  and resident memory (VmHWM) at the end.

Results on stdout (a markdown table) and in bench/out/peer-<meters>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.topology import OUT, Http, cpu_seconds, peak_rss_mb, percentiles, serve
from graph.stores.neo4j.store import Neo4jStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from taiqu import neo4j_launcher

PEER = Path(__file__).resolve().parent / "peer"
TODAY = time.strftime("%Y-%m-%d")
ON = "{valid_from: {lte: $d}, valid_to: {gt: $d}}"  # the peer's as-of filter on an interval

# Each question: Taiqu's query, the peer's, and a function giving both answers one shape.
TAIQU_FEEDER = """query($code: String!) { feeder(code: $code) { code name
  transformers(first: 20) { totalCount edges { node { code name gateMeters { code multiplier }
    meters(first: 20, role: CUSTOMER) { totalCount edges { node { code customer { name } } } }
  } } } } }"""
PEER_FEEDER = f"""query($code: String!, $d: Date!) {{ feeders(where: {{code: {{eq: $code}}}}) {{
  code name transformersConnection(first: 20, sort: [{{node: {{code: ASC}}}}],
    where: {{edge: {ON}}}) {{ totalCount edges {{ node {{ code name
    gates: metersConnection(where: {{edge: {ON}, node: {{role: {{eq: "gate"}}}}}},
      sort: [{{node: {{code: ASC}}}}]) {{ edges {{ node {{ code multiplier }} }} }}
    metersConnection(first: 20, sort: [{{node: {{code: ASC}}}}],
      where: {{edge: {ON}, node: {{role: {{eq: "customer"}}}}}}) {{ totalCount
      edges {{ node {{ code customerConnection(where: {{edge: {ON}}}) {{
        edges {{ node {{ name }} }} }} }} }} }} }} }} }} }} }}"""

TAIQU_PATH = """query($code: String!) { meter(code: $code) { code
  transformer { code feeder { code substation { code } } } } }"""
PEER_PATH = f"""query($code: String!, $d: Date!) {{ meters(where: {{code: {{eq: $code}}}}) {{ code
  areaConnection(where: {{edge: {ON}}}) {{ edges {{ node {{ code
    feederConnection(where: {{edge: {ON}}}) {{ edges {{ node {{ code
      substationConnection(where: {{edge: {ON}}}) {{ edges {{ node {{ code }} }} }}
    }} }} }} }} }} }} }} }}"""

TAIQU_COUNTS = """query($code: String!) { substation(code: $code) { code transformerCount
  meterCount } }"""
PEER_COUNTS = f"""query($code: String!, $d: Date!) {{ substations(where: {{code: {{eq: $code}}}}) {{
  code feedersConnection(where: {{edge: {ON}}}) {{ edges {{ node {{
    transformersConnection(where: {{edge: {ON}}}) {{ totalCount edges {{ node {{
      metersConnection(where: {{edge: {ON}, node: {{NOT: {{role: {{eq: "gate"}}}}}}}}) {{
        totalCount }} }} }} }} }} }} }} }} }}"""


# The store floor: one hand-written Cypher per question, the same answer, through the Python
# driver (records decoded), as an API could at best send it.
_ON = "r.valid_from <= $d AND r.valid_to > $d"
FLOOR_FEEDER = (
    "MATCH (f:Feeder {code: $code}) CALL (f) { MATCH (f)-[r:SUPPLIES]->(t) WHERE "
    + _ON
    + " WITH t ORDER BY t.code WITH collect(t) AS ts"
    " RETURN size(ts) AS total, ts[..20] AS page }"
    " CALL (page) { UNWIND page AS t"
    " CALL (t) { MATCH (t)-[r:HAS_METER]->(g) WHERE " + _ON + " AND g.role = 'gate'"
    " WITH g ORDER BY g.code RETURN collect([g.code, g.multiplier]) AS gates }"
    " CALL (t) { MATCH (t)-[r:HAS_METER]->(m) WHERE " + _ON + " AND m.role = 'customer'"
    " WITH m ORDER BY m.code WITH collect(m) AS found RETURN size(found) AS n, found[..20] AS ms }"
    " CALL (ms) { UNWIND ms AS m OPTIONAL CALL (m) { MATCH (c)-[r:USES_METER]->(m) WHERE "
    + _ON
    + " RETURN c.name AS name LIMIT 1 } WITH m, name ORDER BY m.code"
    " RETURN collect([m.code, name]) AS meters }"
    " WITH t, gates, n, meters ORDER BY t.code RETURN collect([t.code, t.name, gates, n, meters])"
    " AS areas } RETURN f.code AS code, total, areas"
)
FLOOR_PATH = (
    "MATCH (m:Meter {code: $code}) OPTIONAL CALL (m) { MATCH (t)-[r:HAS_METER]->(m) WHERE "
    + _ON
    + " OPTIONAL CALL (t) { MATCH (f)-[r:SUPPLIES]->(t) WHERE "
    + _ON
    + " OPTIONAL CALL (f) { MATCH (s)-[r:FEEDS]->(f) WHERE "
    + _ON
    + " RETURN s LIMIT 1 }"
    " RETURN f, s LIMIT 1 } RETURN t, f, s LIMIT 1 }"
    " RETURN m.code, t.code, f.code, s.code"
)
FLOOR_COUNTS = (
    "MATCH (s:Substation {code: $code}) RETURN s.code AS code,"
    " COUNT { MATCH (s)-[r1:FEEDS]->()-[r2:SUPPLIES]->(t) WHERE r1.valid_from <= $d"
    " AND r1.valid_to > $d AND r2.valid_from <= $d AND r2.valid_to > $d } AS areas,"
    " COUNT { MATCH (s)-[r1:FEEDS]->()-[r2:SUPPLIES]->()-[r3:HAS_METER]->(m)"
    " WHERE r1.valid_from <= $d AND r1.valid_to > $d AND r2.valid_from <= $d AND r2.valid_to > $d"
    " AND r3.valid_from <= $d AND r3.valid_to > $d AND m.role <> 'gate' } AS meters"
)


class Client(Http):
    """Http that reconnects once when a server dropped the kept-alive connection."""

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            return super().graphql(query, variables)
        except (ConnectionError, http.client.RemoteDisconnected):
            self.conn.close()
            return super().graphql(query, variables)


def _one(edges: list[dict[str, Any]]) -> dict[str, Any] | None:
    return edges[0]["node"] if edges else None


def feeder_shape(taiqu: dict[str, Any], peer: dict[str, Any]) -> tuple[Any, Any]:
    t = taiqu["feeder"]
    mine = (
        t["code"],
        t["transformers"]["totalCount"],
        [
            (
                a["node"]["code"],
                a["node"]["name"],
                [(g["code"], g["multiplier"]) for g in a["node"]["gateMeters"]],
                a["node"]["meters"]["totalCount"],
                [
                    (m["node"]["code"], (m["node"]["customer"] or {}).get("name"))
                    for m in a["node"]["meters"]["edges"]
                ],
            )
            for a in t["transformers"]["edges"]
        ],
    )
    (p,) = peer["feeders"]
    conn = p["transformersConnection"]
    theirs = (
        p["code"],
        conn["totalCount"],
        [
            (
                a["node"]["code"],
                a["node"]["name"],
                [(g["node"]["code"], g["node"]["multiplier"]) for g in a["node"]["gates"]["edges"]],
                a["node"]["metersConnection"]["totalCount"],
                [
                    (
                        m["node"]["code"],
                        (_one(m["node"]["customerConnection"]["edges"]) or {}).get("name"),
                    )
                    for m in a["node"]["metersConnection"]["edges"]
                ],
            )
            for a in conn["edges"]
        ],
    )
    return mine, theirs


def path_shape(taiqu: dict[str, Any], peer: dict[str, Any]) -> tuple[Any, Any]:
    t = taiqu["meter"]
    area = t["transformer"]
    mine = (t["code"], area["code"], area["feeder"]["code"], area["feeder"]["substation"]["code"])
    (p,) = peer["meters"]
    a = _one(p["areaConnection"]["edges"]) or {}
    f = _one(a.get("feederConnection", {}).get("edges", [])) or {}
    s = _one(f.get("substationConnection", {}).get("edges", [])) or {}
    return mine, (p["code"], a.get("code"), f.get("code"), s.get("code"))


def counts_shape(taiqu: dict[str, Any], peer: dict[str, Any]) -> tuple[Any, Any]:
    t = taiqu["substation"]
    (p,) = peer["substations"]
    areas = meters = 0
    for feeder in p["feedersConnection"]["edges"]:
        conn = feeder["node"]["transformersConnection"]
        areas += conn["totalCount"]
        meters += sum(a["node"]["metersConnection"]["totalCount"] for a in conn["edges"])
    return (t["code"], t["transformerCount"], t["meterCount"]), (p["code"], areas, meters)


def start_peer(uri: str) -> tuple[subprocess.Popen[bytes], int]:
    if not (PEER / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)
    port = neo4j_launcher.free_port()
    process = subprocess.Popen(
        ["node", "server.mjs", str(port)],
        cwd=PEER,
        env={**os.environ, "NEO4J_URI": uri},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Http(port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            client.graphql("{ __typename }", {})
            return process, port
        except (OSError, RuntimeError):
            client = Http(port)
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the peer did not start")


def sender(query: str, codes: list[str], as_of: bool) -> Callable[[Http, int], None]:
    """Send `query` for the i-th code (with the as-of day for the peer)."""

    def send(http: Http, i: int) -> None:
        variables: dict[str, Any] = {"code": codes[i % len(codes)]}
        if as_of:
            variables["d"] = TODAY
        http.graphql(query, variables)

    return send


def throughput(port: int, send: Callable[[Http, int], None], clients: int, seconds: float) -> float:
    """Requests per second that `clients` threads get from one server."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        http = Client(port)
        i = index
        while time.monotonic() < stop:
            send(http, i)
            done[index] += 1
            i += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def measure(
    clients: dict[str, Client],
    ports: dict[str, int],
    pids: dict[str, int],
    send: dict[str, Callable[[Http, int], None]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Latency (ABBA, after a warm-up), CPU per request and throughput of both sides."""
    samples: dict[str, list[float]] = {"taiqu": [], "peer": []}
    cpu = {side: cpu_seconds(pid) for side, pid in pids.items()}
    for i in range(args.requests + 100):
        for side in ("taiqu", "peer") if i % 2 == 0 else ("peer", "taiqu"):
            began = time.perf_counter()
            send[side](clients[side], i)
            if i >= 100:  # warm-up: the JIT of both, query plans
                samples[side].append(time.perf_counter() - began)
    used = {
        side: (cpu_seconds(pid) - cpu[side]) / (args.requests + 100) * 1000
        for side, pid in pids.items()
    }
    rates: dict[str, list[float]] = {"taiqu": [], "peer": []}
    for _ in range(2):  # alternated, so that drift falls on both
        for side in ("taiqu", "peer"):
            rates[side].append(throughput(ports[side], send[side], args.clients, args.seconds))
    return {
        side: {
            **percentiles(samples[side]),
            "cpu_ms_per_request": round(used[side], 2),
            "requests_per_s_at_clients": round(max(rates[side]), 1),
        }
        for side in ("taiqu", "peer")
    }


def floor_p50(uri: str, query: str, codes: list[str], requests: int) -> float:
    """p50 ms of the hand-written Cypher through the Python driver (the store floor)."""
    store = Neo4jStore(uri, None, None)
    try:
        day = dt.date.fromisoformat(TODAY)
        samples = []
        for i in range(requests + 100):
            began = time.perf_counter()
            store._read(query, code=codes[i % len(codes)], d=day)
            if i >= 100:
                samples.append(time.perf_counter() - began)
        return percentiles(samples)["p50_ms"]
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="timed per query and side")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10, help="per throughput round")
    parser.add_argument("--workers", type=int, default=1, help="taiqu serve --workers")
    args = parser.parse_args()
    uri = os.environ.get("TAIQU_NEO4J_URI")
    neo4j = None if uri else neo4j_launcher.start(heap="2g", pagecache_mb=1024)
    uri = uri or neo4j.uri  # type: ignore[union-attr]
    home = Path(tempfile.mkdtemp(prefix="peer-home-", dir=OUT))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        store = Neo4jStore(uri, None, None)
        store.clear()
        network = generate(args.meters)
        folder = home / "net"
        write_folder(network, folder)
        load_folder(store, folder)
        store.close()
        feeders = [r[0] for r in network.rows["feeders.csv"]][:50]
        meters = [r[0] for r in network.rows["meters.csv"] if r[2] == "customer"][:200]
        substations = [r[0] for r in network.rows["substations.csv"]][:20]
        del network
        questions = [
            ("feeder + 20 areas + gates + 20 customer meters", TAIQU_FEEDER, PEER_FEEDER,
             FLOOR_FEEDER, feeders, feeder_shape),
            ("a meter and its path up", TAIQU_PATH, PEER_PATH, FLOOR_PATH, meters, path_shape),
            ("meters under a substation (counts)", TAIQU_COUNTS, PEER_COUNTS, FLOOR_COUNTS,
             substations, counts_shape),
        ]  # fmt: skip
        peer, peer_port = start_peer(uri)
        processes.append(peer)
        result: dict[str, Any] = {
            "meters": args.meters, "workers": args.workers, "queries": {}
        }  # fmt: skip
        for phase, cache_mb in (("cold", "0"), ("warm", "64")):
            env = {"TAIQU_HOME": str(home), "TAIQU_NEO4J_URI": uri,
                   "TAIQU_RESPONSE_CACHE_MB": cache_mb}  # fmt: skip
            taiqu, taiqu_port = serve(env, workers=args.workers)
            processes.append(taiqu)
            clients = {"taiqu": Client(taiqu_port), "peer": Client(peer_port)}
            ports = {"taiqu": taiqu_port, "peer": peer_port}
            pids = {"taiqu": taiqu.pid, "peer": peer.pid}
            for name, mine, theirs, _floor, codes, shape in questions:
                # The same answers first: every code once (warm: this fills the cache).
                for code in codes:
                    a = clients["taiqu"].graphql(mine, {"code": code})["data"]
                    b = clients["peer"].graphql(theirs, {"code": code, "d": TODAY})["data"]
                    left, right = shape(a, b)
                    if left != right:
                        raise AssertionError(f"{name}, {code}: answers differ\n{left}\n{right}")
                send = {"taiqu": sender(mine, codes, False), "peer": sender(theirs, codes, True)}
                measured = measure(clients, ports, pids, send, args)
                result["queries"].setdefault(name, {})[phase] = measured
            result.setdefault("peak_rss_mb", {})[phase] = {
                "taiqu": peak_rss_mb(taiqu.pid), "peer": peak_rss_mb(peer.pid)
            }  # fmt: skip
            taiqu.terminate()
            taiqu.wait()
        for name, _mine, _theirs, floor, codes, _shape in questions:
            result["queries"][name]["store_floor_p50_ms"] = floor_p50(
                uri, floor, codes, args.requests
            )
    finally:
        for p in processes:
            if p.poll() is None:
                p.terminate()
                p.wait()
        if neo4j is not None:
            neo4j.stop()
        shutil.rmtree(home, ignore_errors=True)
    report(result, args.clients)
    name = f"peer-{args.meters}" + (f"-workers{args.workers}" if args.workers > 1 else "")
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


def report(result: dict[str, Any], clients: int) -> None:
    print(
        "| query | phase | Taiqu p50 / p95 ms | peer p50 / p95 ms | p50 ratio | "
        f"CPU ms/req T / P | req/s at {clients} T / P | throughput ratio |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, q in result["queries"].items():
        for phase in ("cold", "warm"):
            t, p = q[phase]["taiqu"], q[phase]["peer"]
            print(
                f"| {name} | {phase} | {t['p50_ms']:.2f} / {t['p95_ms']:.2f} | "
                f"{p['p50_ms']:.2f} / {p['p95_ms']:.2f} | {t['p50_ms'] / p['p50_ms']:.2f} | "
                f"{t['cpu_ms_per_request']} / {p['cpu_ms_per_request']} | "
                f"{t['requests_per_s_at_clients']} / {p['requests_per_s_at_clients']} | "
                f"{t['requests_per_s_at_clients'] / p['requests_per_s_at_clients']:.2f} |"
            )
    print("\n| query | store floor p50 ms (one Cypher) | Taiqu cold p50 / floor |")
    print("|---|---:|---:|")
    for name, q in result["queries"].items():
        floor = q["store_floor_p50_ms"]
        print(f"| {name} | {floor:.2f} | {q['cold']['taiqu']['p50_ms'] / floor:.2f} |")
    print(f"peak RSS MB: {result['peak_rss_mb']}")


if __name__ == "__main__":
    raise SystemExit(main())
