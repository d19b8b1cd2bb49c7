"""Interleaved A/B of the API between two checkouts on one embedded home.

    git worktree add /tmp/base <rev>; git worktree add /tmp/head HEAD
    .venv/bin/python -m bench.ab_api --base /tmp/base --head /tmp/head --home bench/out/home-100000

Starts `taiqu serve` from each checkout (PYTHONPATH picks the code) on the same store and
alternates the same requests between them (ABBA), so that this shared machine's drift (±40 %
within an hour) falls on both alike. A run of one, then the other, cannot tell a 10 % change
from noise; this can. The home must have been written by both versions' schema (a refactor's
base and head share it, or --base-home gives the base its own copy: a head that migrates the
schema needs one). Run both from worktrees: a server started from this checkout measured
~1.7 ms slower per request than the same code started from a worktree (2026-12-02), so a head
from here would be judged by that difference.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path

from bench.topology import AREA_QUERY, FEEDER_QUERY, Http, serve

# Loss over a month for one area, and a gate meter's week of readings (needs a home with the
# October readings bench.loss imports).
AREA_LOSS_QUERY = """query($code: String!) { transformer(code: $code) {
  loss(from: "2026-10-01", to: "2026-10-31") { supplyKwh salesKwh lossRate status }
  lossSeries(from: "2026-10-01", to: "2026-10-07") { lossKwh } } }"""
READINGS_QUERY = """query($code: String!) { transformer(code: $code) { gateMeters {
  readings(from: "2026-10-01", to: "2026-10-07") { date importKwh multiplier } } } }"""

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 300


def serve_from(
    checkout: Path, home: Path, with_key: bool, cold: bool
) -> tuple[subprocess.Popen[bytes], Http]:
    env = {"TAIQU_HOME": str(home.resolve())}  # the server runs in the checkout's folder
    if cold:
        env["TAIQU_RESPONSE_CACHE_MB"] = "0"
    process, port = serve(env, checkout, with_key=with_key)
    return process, Http(port)


def p50_p95(samples_s: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples_s)
    return statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="checkout of the base revision")
    parser.add_argument("--head", type=Path, default=ROOT, help="checkout of the head revision")
    parser.add_argument("--home", type=Path, required=True, help="an embedded TAIQU_HOME")
    parser.add_argument("--base-home", type=Path, help="the base's own copy of the home")
    parser.add_argument("--loss", action="store_true", help="also the two loss queries")
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument(
        "--cold", action="store_true", help="response cache off: every answer computed"
    )
    parser.add_argument(
        "--no-keys", action="store_true", help="revisions before API keys (2026-12-03)"
    )
    args = parser.parse_args()
    with sqlite3.connect(args.home / "topology.sqlite3") as con:
        codes = {
            kind: [r[0] for r in con.execute(
                "SELECT code FROM entity WHERE kind = ? ORDER BY code LIMIT 50", (kind,)
            )]
            for kind in ("Feeder", "Transformer")
        }  # fmt: skip
    with_keys = not args.no_keys
    servers = [
        serve_from(args.base, args.base_home or args.home, with_keys, args.cold),
        serve_from(args.head, args.home, with_keys, args.cold),
    ]
    queries = [
        ("feeder + first 20 transformers", FEEDER_QUERY, "Feeder"),
        ("area + first 20 meters", AREA_QUERY, "Transformer"),
    ]
    if args.loss:
        queries += [
            ("area month loss + 7-day series", AREA_LOSS_QUERY, "Transformer"),
            ("gate meter readings, 7 days", READINGS_QUERY, "Transformer"),
        ]
    try:
        for name, query, kind in queries:
            keys = codes[kind]
            samples: list[list[float]] = [[], []]
            for i in range(WARM_UP + args.requests):
                order = (0, 1) if i % 2 == 0 else (1, 0)
                for side in order:
                    started = time.perf_counter()
                    servers[side][1].graphql(query, {"code": keys[i % len(keys)]})
                    if i >= WARM_UP:
                        samples[side].append(time.perf_counter() - started)
            (b50, b95), (h50, h95) = p50_p95(samples[0]), p50_p95(samples[1])
            print(f"| {name} | {b50:.2f} / {b95:.2f} | {h50:.2f} / {h95:.2f} | {h50 / b50:.3f} |")
    finally:
        for process, _ in servers:
            process.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
