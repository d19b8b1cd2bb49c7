"""Migration benchmark (issue 11): open an embedded home written before attributes were dated.

    git worktree add /tmp/base d666e5b          # the last version before dated attributes
    .venv/bin/python -m bench.migration --base /tmp/base --meters 100000 1000000

For each size: the project's generator writes a network with a month of readings, `taiqu load`
from the base checkout writes it into a home (schema 4 and its loss copy), then this checkout
opens a copy of that home (the schema migration) and brings the loss copy in step (the first
start after an upgrade rewrites it with the meters' values per interval). A third step reads
every meter's values, as the first sync does. Results on stdout and in
bench/out/migration-<meters>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.topology import OUT, ROOT
from graph.domain.model import Kind
from graph.series.files import SeriesFolder
from graph.series.writer import ensure_synced
from graph.stores.embedded.store import EmbeddedStore
from loaders.generate import generate, write_folder
from loaders.generate_readings import write_readings

DAYS = 31
OCTOBER_1 = dt.date(2026, 10, 1)


def _written_by_base(base: Path, meters: int) -> Path:
    """A home the base version wrote (kept: making it takes minutes at 1M meters)."""
    home = OUT / f"migration-base-home-{meters}"
    if (home / "topology.sqlite3").is_file():
        return home
    folder = OUT / f"migration-net-{meters}"
    shutil.rmtree(folder, ignore_errors=True)
    write_folder(generate(meters), folder)
    write_readings(folder, OCTOBER_1, DAYS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env.update(PYTHONPATH=str(base), TAIQU_HOME=str(home))
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "taiqu", "load", str(folder)],
        env=env,
        cwd=base,
        check=True,
    )
    return home


def measure(base: Path, meters: int) -> dict[str, Any]:
    source = _written_by_base(base, meters)
    home = OUT / f"migration-home-{meters}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(source, home)
    started = time.perf_counter()
    store = EmbeddedStore(home)  # schema 4 -> 5
    migrated = time.perf_counter()
    try:
        resynced = ensure_synced(SeriesFolder(home / "series"), store)
        synced = time.perf_counter()
        intervals = sum(1 for _ in store.scan_attr_intervals(Kind.METER))
        scanned = time.perf_counter()
    finally:
        store.close()
    return {
        "meters": meters,
        "schema_migration_s": round(migrated - started, 3),
        "loss_copy_resync_s": round(synced - migrated, 1),
        "resynced": resynced,
        "meter_value_intervals": intervals,
        "scan_meter_values_s": round(scanned - synced, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="checkout before dating")
    parser.add_argument("--meters", type=int, nargs="+", default=[100_000])
    args = parser.parse_args()
    for meters in args.meters:
        result = measure(args.base, meters)
        text = json.dumps(result, indent=1)
        print(text, flush=True)
        (OUT / f"migration-{meters}.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
