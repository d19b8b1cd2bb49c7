"""`taiqu load` as a user runs it: exit codes, messages on stderr, the store untouched on error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.model import Kind
from taiqu.settings import Settings
from tests.builder import small_network


def taiqu(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "taiqu", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_load_then_reload(tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "src")
    first = taiqu(tmp_path / "home", "load", str(folder))
    assert first.returncode == 0, first.stderr
    assert "created: 3 Customer, 2 Feeder, 7 Meter, 5 OrgUnit, 1 Substation, 3 Transformer" in (
        first.stdout
    )
    assert "[taiqu] read meters.csv: 7 rows" in first.stderr  # progress
    again = taiqu(tmp_path / "home", "load", str(folder))
    assert again.returncode == 0 and "already up to date" in again.stdout


def test_rejected_load_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "src")
    (folder / "meters.csv").write_text(
        "meter_code,transformer_code,role,customer_code,multiplier\nM1,T404,customer,U1,\n",
        encoding="utf-8",
    )
    done = taiqu(tmp_path / "home", "load", str(folder))
    assert done.returncode == 1
    assert 'meters.csv:2:2 (transformer_code): error: unknown Transformer "T404"' in done.stderr
    assert "load rejected: 1 problem(s); nothing was written" in done.stderr
    store = EmbeddedStore(tmp_path / "home")
    assert sum(store.counts().values()) == 0


def test_bad_effective_date(tmp_path: Path) -> None:
    done = taiqu(tmp_path / "home", "load", str(tmp_path), "--effective", "2026-13-01")
    assert done.returncode == 2 and "not a date (YYYY-MM-DD)" in done.stderr


def test_demo_without_serving(tmp_path: Path) -> None:
    done = taiqu(tmp_path / "home", "demo", "--meters", "1500", "--no-serve")
    assert done.returncode == 0, done.stderr
    store = EmbeddedStore(tmp_path / "home")
    assert store.counts()[Kind.METER] == 1_500
    manifest = Settings(home=tmp_path / "home").series_folder().read()
    assert len(manifest.readings) == 31  # the last 31 days of readings, loaded
    assert "readings: " in done.stdout and " added, 0 replaced" in done.stdout


def test_readings_rejected_by_line_and_column(tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "src")
    (folder / "readings.csv").write_text(
        "meter_code,date,import_kwh,export_kwh\nM1,2026-10-01,3.5,\nM9,2026-10-01,x,\n",
        encoding="utf-8",
    )
    done = taiqu(tmp_path / "home", "load", str(folder))
    assert done.returncode == 1
    assert "readings.csv:3:1 (meter_code): error: unknown meter" in done.stderr
    assert "readings.csv:3:3 (import_kwh): error: not a number" in done.stderr
    store = EmbeddedStore(tmp_path / "home")
    assert sum(store.counts().values()) == 0
    (folder / "readings.csv").write_text(
        "meter_code,date,import_kwh,export_kwh\nM1,2026-10-01,3.5,\n", encoding="utf-8"
    )
    done = taiqu(tmp_path / "home", "load", str(folder))
    assert done.returncode == 0, done.stderr
    assert "readings: 1 added, 0 replaced" in done.stdout


def test_reconcile_plan_json_then_apply_then_stale(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert taiqu(home, "load", str(small_network().write(tmp_path / "src"))).returncode == 0
    market = small_network()
    market.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in market.rows["meters.csv"]
    ]
    folder = market.write(tmp_path / "market")
    first = taiqu(home, "reconcile", "plan", "--source", "marketing", str(folder), "--json")
    assert first.returncode == 0, first.stderr
    plan = json.loads(first.stdout)
    assert plan["counts"] == {"added": 0, "removed": 0, "moved": 1, "changed": 0}
    second = json.loads(
        taiqu(home, "reconcile", "plan", "--source", "marketing", str(folder), "--json").stdout
    )
    table = taiqu(home, "reconcile", "plan", "--source", "marketing", str(folder))
    assert "moved    Meter        M2" in table.stdout and "T1 -> T2" in table.stdout
    done = taiqu(home, "reconcile", "apply", plan["plan_id"], "--effective", "2026-07-01")
    assert done.returncode == 0, done.stderr
    assert "(graph version 2, effective 2026-07-01): added: 0" in done.stdout
    stale = taiqu(home, "reconcile", "apply", second["plan_id"])
    assert stale.returncode == 2 and "is stale" in stale.stderr
    again = taiqu(home, "reconcile", "plan", "--source", "marketing", str(folder), "--json")
    assert json.loads(again.stdout)["counts"] == dict.fromkeys(
        ("added", "removed", "moved", "changed"), 0
    )
    bad = taiqu(home, "reconcile", "apply", "../../etc/passwd")
    assert bad.returncode == 2 and "not a plan id" in bad.stderr
