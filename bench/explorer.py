"""Explorer benchmark (issue 18): the explorer in Debian's Chromium against `taiqu serve` on a
home with balances, timed as its users see it — the first page interactive (a fresh load of /
with the key in the tab, until the tree's first level takes keys) and opening an area (a link
followed inside the page, and a fresh load of its URL) — beside the area page's own GraphQL
request over plain HTTP (the floor the page cannot beat), with the server's response cache off.

    .venv/bin/python -m bench.explorer --home bench/out/findings-home-1000000-35-1-3 \\
        --from 2026-10-01 --to 2026-10-31 --meters 1000000

The areas opened are the period's worst (network ranking). Results go to
bench/results/<today>/explorer-<meters>.json and stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from bench.topology import KEYS, percentiles, serve
from tests.browser.explorer import explorer, graphql, launch

ROOT = Path(__file__).resolve().parent
AREA_QUERY_FILE = ROOT.parent / "web/src/pages/area.ts"
WORST = """query($from: Date!, $to: Date!, $first: Int!) { network {
  lossRanking(from: $from, to: $to, first: $first) {
    edges { node { transformer { code } } } } } }"""


def _area_query() -> str:
    """The area page's own query, read from its source (the same text the page sends)."""
    source = AREA_QUERY_FILE.read_text(encoding="utf-8")
    return source.split("const AREA = `", 1)[1].split("`;", 1)[0]


def _summary(seconds: list[float]) -> dict[str, float]:
    return percentiles(seconds)


def run(home: Path, start: str, end: str, areas: int, loads: int) -> dict[str, Any]:
    # The response cache off: every request the page sends is computed, as for a first visitor.
    process, port = serve({"TAIQU_HOME": str(home), "TAIQU_RESPONSE_CACHE_MB": "0"})
    base, key = f"http://127.0.0.1:{port}", KEYS[port]
    try:
        ranked = graphql(base, key, WORST, {"from": start, "to": end, "first": areas})
        codes = [
            e["node"]["transformer"]["code"] for e in ranked["network"]["lossRanking"]["edges"]
        ]
        query = _area_query()
        raw: list[float] = []
        for code in codes:
            began = time.perf_counter()
            graphql(base, key, query, {"code": code, "asOf": end, "from": start, "to": end,
                                       "first": 50, "after": None})  # fmt: skip
            raw.append(time.perf_counter() - began)
        with sync_playwright() as pw:
            browser = launch(pw)
            with explorer(browser, base) as tab:
                tab.login(key)
                tab.page.evaluate(
                    "p => sessionStorage.setItem('taiqu.period', JSON.stringify(p))",
                    {"from": start, "to": end, "asOf": end},
                )
                first_page = [tab.first_page_interactive() for _ in range(loads)]
                followed, fresh = [], []
                for code in codes:
                    followed.append(tab.navigate(f"area/{code}", "area"))
                    # Its mismatches and findings load after the page is drawn: let them
                    # finish before the next area (they are not part of "opening").
                    tab.page.wait_for_selector("section h2 ~ h2 ~ *", timeout=120_000)
                    tab.navigate("tree", "tree")
                for code in codes[: max(3, loads // 2)]:
                    fresh.append(tab.open(f"area/{code}", "area"))
                    tab.page.wait_for_selector("section h2 ~ h2 ~ *", timeout=120_000)
                assert tab.blocked == [] and tab.errors == [], (tab.blocked, tab.errors)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {
        "period": [start, end],
        "areas": len(codes),
        "first_page_interactive": _summary(first_page),
        "open_area_by_link": _summary(followed),
        "open_area_by_url": _summary(fresh),
        "area_query_http": _summary(raw),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--from", dest="start", required=True)
    parser.add_argument("--to", dest="end", required=True)
    parser.add_argument("--meters", type=int, required=True, help="for the result's name")
    parser.add_argument("--areas", type=int, default=20)
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args()
    found = run(args.home, args.start, args.end, args.areas, args.loads)
    found["meters"] = args.meters
    out = ROOT / "results" / dt.date.today().isoformat() / f"explorer-{args.meters}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(found, indent=2))
    print(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
