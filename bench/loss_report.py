"""Print loss benchmark results (loss-*.json of a folder, default bench/out) as tables."""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
QUERIES = (
    ("network_summary_month", "network.lossSummary, one month"),
    ("feeder_summary_month", "feeder.lossSummary, one month"),
    ("county_series_30_days", "county lossSeries, 30 days"),
    ("network_ranking_first_page", "network lossRanking, first 20"),
)


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    results = sorted(
        (json.loads(p.read_text()) for p in folder.glob("loss-*.json")),
        key=lambda r: r["meters"],
    )
    print(
        "| meters | areas | readings | import s | readings/s | 2nd month readings/s "
        "| identical re-import s | topology sync s | bytes per meter-day "
        "| serve RSS MB, 31 / 62 days |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        first, second = r["first_load"], r["second_import"]
        print(
            f"| {r['meters']:,} | {r['areas']:,} | {r['readings']:,} | {first['readings_s']} "
            f"| {first['readings_per_s']:,} | {second['readings_per_s']:,} "
            f"| {r['identical_reimport_s']} | {r.get('topology_sync_s', '')} "
            f"| {r['disk']['bytes_per_meter_day']} "
            f"| {r['at_31_days']['serve_peak_rss_mb']} / {r['at_62_days']['serve_peak_rss_mb']} |"
        )
    print()
    print("| meters | days stored | query | API p50 / p95 ms | store p50 / p95 ms | ratio p50 |")
    print("|---:|---:|---|---:|---:|---:|")
    for r in results:
        for stored in ("at_31_days", "at_62_days"):
            for key, label in QUERIES:
                q = r[stored][key]
                a, raw = q["api_http"], q["raw_store"]
                print(
                    f"| {r['meters']:,} | {stored[3:5]} | {label} "
                    f"| {a['p50_ms']:.1f} / {a['p95_ms']:.1f} "
                    f"| {raw['p50_ms']:.1f} / {raw['p95_ms']:.1f} | {q['ratio_p50']} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
