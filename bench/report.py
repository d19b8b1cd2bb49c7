"""Print topology benchmark results (topology-*.json of a folder, default bench/out) as tables."""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
QUERIES = (
    ("feeder_page", "feeder + first 20 transformers"),
    ("area_meters", "area + first 20 meters"),
    ("search", "search, all kinds, 10 hits"),
)


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    results = sorted(
        (json.loads(p.read_text()) for p in folder.glob("topology-*.json")),
        key=lambda r: r["meters"],
    )
    print(
        "| meters | entities | store | load s | entities/s | write s | changes/s written "
        "| serve peak RSS MB |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        for s in r["results"]:
            print(
                f"| {r['meters']:,} | {r['entities']:,} | {s['store']} | {s['load_s']} "
                f"| {s['entities_per_s']:,} | {s['write_s']} | {s['write_changes_per_s']:,} "
                f"| {s['serve_peak_rss_mb']} |"
            )
    print()
    print("| meters | store | query | API p50 / p95 ms | store p50 / p95 ms | ratio p50 / p95 |")
    print("|---:|---|---|---:|---:|---:|")
    for r in results:
        for s in r["results"]:
            for key, label in QUERIES:
                if key not in s:
                    continue
                q = s[key]
                a, raw = q["api_http"], q["raw_store"]
                print(
                    f"| {r['meters']:,} | {s['store']} | {label} "
                    f"| {a['p50_ms']:.2f} / {a['p95_ms']:.2f} "
                    f"| {raw['p50_ms']:.2f} / {raw['p95_ms']:.2f} "
                    f"| {q['ratio_p50']} / {q['ratio_p95']} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
