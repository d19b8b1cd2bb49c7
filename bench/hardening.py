"""Hardening benchmark: /healthz and /readyz while clients send the most expensive requests the
limits allow, how long those take against the time limit, and how fast refusals come.

    .venv/bin/python -m bench.hardening --home bench/out/loss-home-100000 --clients 8

Needs a home with a topology and a month of readings (bench.loss makes one). `taiqu serve` runs
on the embedded store with the default limits; results go to stdout and --out (JSON).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.topology import KEYS, serve

MONTH = {"from": "2026-10-01", "to": "2026-10-31"}

# Each close to the default cost budget (10,000), or cheap to cost and heavy to answer.
HEAVY: dict[str, tuple[str, dict[str, Any]]] = {
    # 1 + 100 x (3 + 48 x 2) = 9,901: the widest listing the budget allows
    "org_units_x_areas": (
        "{ orgUnits(first: 100) { edges { node { code transformers(first: 48) "
        "{ edges { node { code name capacityKva } } } } } } }",
        {},
    ),
    # 3 x (1 + 1 + 100 x (2 + 31)) = 9,906: a month of readings for 300 meters
    "readings_300_meters": (
        "query($from: Date!, $to: Date!) { "
        + " ".join(
            f'a{i}: transformer(code: "$AREA{i}") {{ meters(first: 100) {{ edges {{ node {{ '
            "code readings(from: $from, to: $to) { date importKwh } } } } }"
            for i in range(3)
        )
        + " }",
        MONTH,
    ),
    # 24 x (31 + 1) + 1 = 769 (cheap by the budget): 24 network-wide month series
    "network_series_x24": (
        "{ network { "
        + " ".join(
            f'a{i}: lossSeries(from: "2026-10-{1 + i:02d}", to: "2026-10-31") {{ lossKwh }}'
            for i in range(24)
        )
        + " } }",
        {},
    ),
    # a network ranking over the month, the largest page
    "network_ranking_100": (
        "query($from: Date!, $to: Date!) { network { lossRanking(from: $from, to: $to, "
        "first: 100) { totalCount edges { node { transformer { code feeder { code } } "
        "lossKwh lossRate status reasons } } } } }",
        MONTH,
    ),
    # 1-character searches scan every name (no index below 3 characters)
    "short_searches_x20": (
        "{ "
        + " ".join(f'a{i}: search(text: "{i % 10}", first: 50) {{ code }}' for i in range(20))
        + " }",
        {},
    ),
}

REFUSED: dict[str, str] = {
    "depth": "{ " + 'orgUnit(code: "P") { children { ' * 7 + "code" + " } }" * 7 + " }",
    "aliases": "{ " + " ".join(f'a{i}: meter(code: "M{i}") {{ code }}' for i in range(40)) + " }",
    "fragment_chain_30": "{ ...F0 } "
    + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    + " fragment F30 on Query { __typename }",
    "cost": "{ orgUnits(first: 100) { edges { node { transformers(first: 100) "
    "{ edges { node { meters(first: 100) { edges { node { code } } } } } } } } } }",
    "query_bytes": "# " + "x" * 70_000 + '\n{ meter(code: "M1") { code } }',
}


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"content-type": "application/json"}
        if port in KEYS:
            self.headers["authorization"] = f"Bearer {KEYS[port]}"

    def post(self, body: bytes) -> tuple[int, dict[str, Any] | None]:
        self.conn.request("POST", "/graphql", body, self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, None

    def get(self, path: str) -> int:
        """The status; a connection the server closed (idle keep-alive) is opened again."""
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (http.client.RemoteDisconnected, ConnectionError):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def pct(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    if not ms:
        return {"n": 0}

    def at(q: float) -> float:
        return round(ms[min(len(ms) - 1, int(q * (len(ms) - 1)))], 2)

    return {"n": len(ms), "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(ms[-1], 2)}  # fmt: skip


def _body(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def area_codes(port: int, count: int) -> list[str]:
    status, data = Client(port).post(
        _body(
            "{ orgUnits(first: 20) { edges { node { transformers(first: 5) "
            "{ edges { node { code } } } } } } }",
            {},
        )
    )
    assert status == 200 and data is not None and "errors" not in data, data
    codes = [
        t["node"]["code"]
        for o in data["data"]["orgUnits"]["edges"]
        for t in o["node"]["transformers"]["edges"]
    ]
    return codes[:count]


def probe(port: int, path: str, seconds: float) -> tuple[list[float], int]:
    """GET `path` every 20 ms for `seconds`: the latencies, and how many were not 200."""
    http = Client(port)
    samples: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        began = time.perf_counter()
        status = http.get(path)
        samples.append(time.perf_counter() - began)
        failures += status != 200
        time.sleep(0.02)
    return samples, failures


def heavy_load(
    port: int, clients: int, seconds: float, bodies: list[tuple[str, bytes]], nice: int = 0
) -> dict[str, Any]:
    """`clients` threads sending the heavy requests in turn; /healthz and /readyz polled every
    20 ms on their own connections meanwhile. With `nice`, the client threads run at that
    niceness (the probes and the server keep theirs)."""
    stop = time.monotonic() + seconds
    durations: dict[str, list[float]] = {name: [] for name, _ in bodies}
    outcomes: dict[str, dict[str, int]] = {name: {} for name, _ in bodies}
    probes: dict[str, list[float]] = {"/healthz": [], "/readyz": []}
    probe_failures: dict[str, int] = {"/healthz": 0, "/readyz": 0}
    lock = threading.Lock()

    def client(index: int, niceness: int) -> None:
        if niceness:
            # Linux: a thread's niceness is its own (setpriority on the thread id).
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
        http = Client(port)
        turn = index
        while time.monotonic() < stop:
            name, body = bodies[turn % len(bodies)]
            turn += 1
            began = time.perf_counter()
            status, data = http.post(body)
            took = time.perf_counter() - began
            codes = {e.get("extensions", {}).get("code") for e in (data or {}).get("errors", [])}
            outcome = f"{status} " + (",".join(sorted(str(c) for c in codes)) or "ok")
            with lock:
                durations[name].append(took)
                outcomes[name][outcome] = outcomes[name].get(outcome, 0) + 1

    # The probes in processes of their own: in this one they would wait for the GIL behind
    # the clients' JSON parsing, and measure the client instead of the server.
    with multiprocessing.get_context("spawn").Pool(len(probes)) as pool:
        polled = pool.starmap_async(probe, [(port, path, seconds) for path in probes])
        threads = [threading.Thread(target=client, args=(i, nice)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for path, (samples, failures) in zip(probes, polled.get(), strict=True):
            probes[path], probe_failures[path] = samples, failures
    return {
        "heavy": {n: {**pct(d), "outcomes": outcomes[n]} for n, d in durations.items()},
        "probes": {p: {**pct(s), "not_200": probe_failures[p]} for p, s in probes.items()},
    }


def refusals(port: int, repeat: int) -> dict[str, Any]:
    http = Client(port)
    result: dict[str, Any] = {}
    cases: list[tuple[str, Callable[[], tuple[int, dict[str, Any] | None]]]] = [
        (name, lambda q=query: http.post(_body(q, {}))) for name, query in REFUSED.items()
    ]
    big = _body("query($t: String!) { search(text: $t) { code } }", {"t": "x" * 2_000_000})
    cases.append(("body_2mb", lambda: http.post(big)))
    for name, send in cases:
        samples: list[float] = []
        codes: set[str] = set()
        for _ in range(repeat):
            began = time.perf_counter()
            status, data = send()
            samples.append(time.perf_counter() - began)
            if status == 413:
                codes.add("413")
                http = Client(port)  # the server closes the connection after a 413
            else:
                codes.update(e["extensions"]["code"] for e in (data or {}).get("errors", []))
        result[name] = {**pct(samples), "codes": sorted(codes)}
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--running", type=int, help="TAIQU_MAX_RUNNING_REQUESTS (default: its)")
    parser.add_argument("--only", nargs="*", help="names of heavy requests (default: all)")
    parser.add_argument("--workers", type=int, default=1, help="taiqu serve --workers")
    parser.add_argument(
        "--clients-nice",
        type=int,
        default=0,
        help="niceness of the heavy clients' threads: on one machine they otherwise take CPU "
        "from the server they measure (clients of a real deployment run elsewhere)",
    )
    args = parser.parse_args()
    env = {"TAIQU_HOME": str(args.home.resolve())}
    if args.running:
        env["TAIQU_MAX_RUNNING_REQUESTS"] = str(args.running)
    process, port = serve(env, workers=args.workers)
    try:
        areas = area_codes(port, 3)
        bodies = []
        for name, (query, variables) in HEAVY.items():
            if args.only and name not in args.only:
                continue
            for i, code in enumerate(areas):
                query = query.replace(f"$AREA{i}", code)
            bodies.append((name, _body(query, variables)))
        result = {
            "home": str(args.home),
            "clients": args.clients,
            "max_running_requests": args.running or "default",
            "seconds": args.seconds,
            "clients_nice": args.clients_nice,
            "workers": args.workers,
            "refusals": refusals(port, 50),
            "idle_probes": heavy_load(port, 0, 5, bodies)["probes"],
            **heavy_load(port, args.clients, args.seconds, bodies, args.clients_nice),
        }
    finally:
        process.terminate()
        process.wait()
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
