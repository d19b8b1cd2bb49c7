"""`taiqu load` as a user runs it: exit codes, messages on stderr, the store untouched on error."""

from __future__ import annotations

import csv
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from graph.domain import clock
from graph.domain.model import Kind
from graph.domain.targets import current, month_bounds
from graph.services.mismatches import find_mismatches
from graph.stores.embedded.store import EmbeddedStore
from loaders.demo_targets import last_whole_month
from taiqu.neo4j_launcher import free_port
from taiqu.settings import Settings
from tests.builder import evidence_only, small_network, small_network_with_a_week


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
    bigger = small_network()
    bigger.rows["transformers.csv"] = [
        (*r[:3], 630, *r[4:]) if r[0] == "T2" else r for r in bigger.rows["transformers.csv"]
    ]
    changed = taiqu(
        tmp_path / "home", "load", str(bigger.write(tmp_path / "b")), "--effective", "2026-06-01"
    )
    assert changed.returncode == 0, changed.stderr
    assert (
        "updated: 1 Transformer (new values from 2026-06-01; the ones before kept for earlier "
        "days)" in changed.stdout
    )


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
    today = clock.today()
    month = last_whole_month(today)
    first = month_bounds(month)[0]
    # From the first of last month to yesterday: the assessment has a whole month.
    assert sorted(manifest.readings)[0] == first.isoformat()
    assert len(manifest.readings) == (today - first).days
    assert "readings: " in done.stdout and " added, 0 replaced" in done.stdout
    assert "unknown file" not in done.stderr  # curves.csv is a file of the load
    # A year's targets, written beside the folder and loaded; the month is assessed against them
    # with units that meet and units that miss.
    targets = (tmp_path / "home/demo-1500-targets.csv").read_text(encoding="utf-8").splitlines()
    assert targets[0] == "org_code,period,indicator,target"
    held = current(store.target_versions([month[:4]]))
    assert len(held) == len(targets) - 1 > 0
    report_done = taiqu(
        tmp_path / "home", "report", "assessment", "--period", month, "--level", "station"
    )
    assert report_done.returncode == 0, report_done.stderr
    scored = [line.split("\t") for line in report_done.stdout.splitlines()]
    scores = [float(cells[2]) for cells in scored if cells[2] != "-"]
    assert scores and min(scores) < 100.0
    # A demo principal at the top unit, its key printed once and kept only as a hash.
    (principal,) = store.principals()
    assert principal.role.value == "marketing" and principal.name.startswith("demo-")
    key = done.stdout.split('"Authorization": "Bearer ')[1].split('"')[0]
    assert principal.holds(key)
    assert f"sign in to the explorer (/) with the key\n  {key}\n" in done.stdout
    # Collection evidence for every meter, a few read in another area of the same feeder:
    # exactly those are the mismatches.
    demo = tmp_path / "home/demo-1500"
    with (demo / "meters.csv").open() as fh:
        archived = {row["meter_code"]: row["transformer_code"] for row in csv.DictReader(fh)}
    with (demo / "collection/collection.csv").open() as fh:
        evidence = {row["meter_code"]: row["transformer_code"] for row in csv.DictReader(fh)}
    elsewhere = {meter for meter, area in evidence.items() if archived[meter] != area}
    report = find_mismatches(store, clock.today())
    assert evidence.keys() == archived.keys() and elsewhere
    assert {m.meter.code for m in report} == elsewhere
    assert all(m.collection_area[:8] == m.marketing_area[:8] for m in report)  # same feeder
    store.close()


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


def test_dry_runs_write_nothing_and_the_version(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = small_network().write(tmp_path / "src")
    dry = taiqu(home, "load", str(folder), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run: " in dry.stdout and "nothing written. A load would do:" in dry.stdout
    assert "created: 3 Customer, 2 Feeder, 7 Meter" in dry.stdout
    assert sum(EmbeddedStore(home).counts().values()) == 0
    assert taiqu(home, "load", str(folder)).returncode == 0
    market = small_network()
    market.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in market.rows["meters.csv"]
    ]
    planned = taiqu(
        home, "reconcile", "plan", "--source", "marketing", str(market.write(tmp_path / "m")),
        "--dry-run",
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert "moved    Meter        M2" in planned.stdout and "was not stored" in planned.stdout
    assert not list(Settings(home=home).plans_folder().glob("*.json"))
    version = taiqu(home, "--version")
    assert version.returncode == 0 and version.stdout.startswith("taiqu ")


def test_collection_evidence_then_mismatch_report(tmp_path: Path) -> None:
    """The collection system reads M3 in T1 while the archive keeps it in T2: the report names
    M3 alone, with the week's loss status of both areas (T2 sells more than its gate gave)."""
    home = tmp_path / "home"
    net = small_network_with_a_week()
    assert taiqu(home, "load", str(net.write(tmp_path / "src"))).returncode == 0
    evidence = evidence_only(net, {"M3": "T1"})
    plan = taiqu(
        home, "reconcile", "plan", "--source", "collection", str(evidence.write(tmp_path / "c"))
    )
    assert plan.returncode == 0, plan.stderr
    assert "added: 7, removed: 0, moved: 0, changed: 0" in plan.stdout
    plan_id = plan.stdout.split()[1]
    applied = taiqu(home, "reconcile", "apply", plan_id, "--effective", "2026-11-10")
    assert applied.returncode == 0, applied.stderr
    report = taiqu(home, "reconcile", "mismatches", "--json")
    assert report.returncode == 0, report.stderr
    found = json.loads(report.stdout)
    assert found["status_period"] == {"from": "2026-11-01", "to": "2026-11-07"}
    assert found["mismatches"] == [
        {
            "meter": "M3",
            "role": "customer",
            "customer": "U3",
            "marketing_area": "T2",
            "equipment_area": None,
            "collection_area": "T1",
            "terminal": "JT1",
            "since": "2026-11-10",
            "area_status": {"T1": "NORMAL", "T2": "NEGATIVE"},
        }
    ]
    table = taiqu(home, "reconcile", "mismatches")
    assert "1 meter(s) read in another area" in table.stdout
    assert "M3" in table.stdout and "marketing T2" in table.stdout and "(NEGATIVE)" in table.stdout
    before = taiqu(home, "reconcile", "mismatches", "--json", "--as-of", "2026-11-09")
    assert json.loads(before.stdout)["count"] == 0


def test_effective_dates_out_of_bounds_are_refused(tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "src")
    far = taiqu(tmp_path / "home", "load", str(folder), "--effective", "9999-12-31")
    assert far.returncode == 2
    assert "taiqu: --effective: 9999-12-31 is more than 366 days after today" in far.stderr
    assert EmbeddedStore(tmp_path / "home").counts().get(Kind.METER, 0) == 0
    assert taiqu(tmp_path / "home", "load", str(folder)).returncode == 0
    early = taiqu(
        tmp_path / "home",
        "reconcile",
        "apply",
        "20261128T100000-c0ffee",
        "--effective",
        "1999-01-01",
    )
    assert early.returncode == 2
    assert "taiqu: --effective: 1999-01-01 is before 2000-01-01" in early.stderr


def test_serve_with_workers(tmp_path: Path) -> None:
    """`taiqu serve --workers 2`: two processes on one port, each answering from the store."""
    home = tmp_path / "home"
    assert (
        taiqu(home, "load", str(small_network_with_a_week().write(tmp_path / "n"))).returncode == 0
    )
    made = taiqu(home, "principals", "add", "bench", "--role", "viewer", "--org", "P", "--json")
    key = json.loads(made.stdout)["token"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "taiqu", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = json.dumps({"query": '{ meter(code: "G1") { multiplier } }'}).encode()
        answers = []
        deadline = time.monotonic() + 120
        while len(answers) < 20 and time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
                conn.request("POST", "/graphql", body, headers)
                answers.append(json.loads(conn.getresponse().read()))
                conn.close()
            except OSError:
                time.sleep(0.2)
        assert answers and all(a["data"] == {"meter": {"multiplier": 60.0}} for a in answers)
        workers = [
            p for p in Path("/proc").iterdir()
            if p.name.isdigit() and _parent_pid(p) == server.pid
        ]  # fmt: skip
        assert len(workers) >= 2
        # Any worker's /metrics counts every worker's requests: the 20 answered, no more.
        for _ in range(4):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
            conn.close()
            counted = sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("taiqu_requests_total{")
            )
            assert counted == len(answers), text
        assert taiqu(home, "serve", "--workers", "0").returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=30)


def _parent_pid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_load_offline_writes_import_files_and_touches_no_store(tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "src")
    done = taiqu(tmp_path / "home", "load", str(folder), "--offline", str(tmp_path / "files"))
    assert done.returncode == 0, done.stderr
    assert "21 rows read; 47 nodes and relationships written as import files" in done.stdout
    assert "neo4j-admin database import full neo4j @neo4j-admin.args" in done.stdout
    assert (tmp_path / "files" / "nodes-Meter.csv").is_file()
    assert not (tmp_path / "home").exists()  # no store opened, not even the embedded one
    again = taiqu(tmp_path / "home", "load", str(folder), "--offline", str(tmp_path / "files"))
    assert again.returncode == 2 and "--offline:" in again.stderr and "not empty" in again.stderr
    bad = small_network().meter("M9", "T404", "customer", "U1").write(tmp_path / "bad")
    rejected = taiqu(tmp_path / "home", "load", str(bad), "--offline", str(tmp_path / "out"))
    assert rejected.returncode == 1
    assert 'meters.csv:9:2 (transformer_code): error: unknown Transformer "T404"' in (
        rejected.stderr
    )
    assert not (tmp_path / "out").exists()


def test_principals_are_added_listed_and_revoked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert taiqu(home, "load", str(small_network().write(tmp_path / "n"))).returncode == 0
    made = taiqu(home, "principals", "add", "zhang.z1", "--role", "supply_station", "--org", "Z1",
                 "--expires", "2099-12-31", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    answer = json.loads(made.stdout)
    assert {k: answer[k] for k in ("name", "role", "org")} == {
        "name": "zhang.z1", "role": "supply_station", "org": "Z1"
    }  # fmt: skip
    key = answer["token"]
    assert key.startswith("tq_") and len(key) > 40
    plain = taiqu(home, "principals", "add", "li.viewer", "--role", "viewer", "--org", "P")
    assert plain.returncode == 0 and "shown this once" in plain.stdout
    listed = taiqu(home, "principals", "list", "--json")
    assert key not in listed.stdout and key not in plain.stdout
    rows = {p["name"]: p for p in json.loads(listed.stdout)}
    assert rows["zhang.z1"]["expires"] == "2099-12-31" and rows["zhang.z1"]["active"]
    for bad, message in (
        (["zhang.z1", "--role", "viewer", "--org", "P"], "exists already"),
        (["x", "--role", "viewer", "--org", "NOPE"], "unknown org unit 'NOPE'"),
        (["x y", "--role", "viewer", "--org", "P"], "letters, digits"),
        (["x", "--role", "viewer", "--org", "P", "--expires", "2020-01-01"], "in the past"),
    ):
        refused = taiqu(home, "principals", "add", *bad)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
    assert taiqu(home, "principals", "revoke", "zhang.z1").returncode == 0
    again = taiqu(home, "principals", "revoke", "zhang.z1")
    assert again.returncode == 2 and "no active principal" in again.stderr
    rows = {p["name"]: p for p in json.loads(taiqu(home, "principals", "list", "--json").stdout)}
    assert not rows["zhang.z1"]["active"] and rows["zhang.z1"]["revokedAt"]


def test_targets_and_the_assessment_report(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from tests.api.test_assessment_api import network

    home = tmp_path / "home"
    loaded = taiqu(home, "load", str(network().write(tmp_path / "net")))
    assert loaded.returncode == 0, loaded.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("org_code,period,indicator,target\nX1,2026,lossRate,6\n", encoding="utf-8")
    refused = taiqu(home, "targets", "load", str(bad))
    assert refused.returncode == 1
    assert "bad.csv:2:4 (target): error: lossRate is a fraction of 1" in refused.stderr
    good = tmp_path / "targets.csv"
    rows = [f"{x},2026,lossRate,0.06" for x in ("X1", "X2", "X3")] + ["P,2026,lossRate,0.05"]
    good.write_text("org_code,period,indicator,target\n" + "\n".join(rows) + "\n", "utf-8")
    first = taiqu(home, "targets", "load", str(good))
    assert first.returncode == 0, first.stderr
    assert "4 target(s) recorded, 0 unchanged" in first.stdout
    assert "warning: P 2026: lossRate: the targets below average" in first.stderr
    again = taiqu(home, "targets", "load", str(good))
    assert "0 target(s) recorded, 4 unchanged" in again.stdout
    shown = taiqu(home, "report", "assessment", "--period", "2026-10", "--level", "county")
    assert shown.returncode == 0, shown.stderr
    assert [line.split("\t")[0] for line in shown.stdout.splitlines()] == ["X1", "X2", "X3"]
    # X2 and X3 both at 0.08 against 0.06: 1 − 0.02/0.06 of the points, sharing rank 2.
    lines = shown.stdout.splitlines()
    assert lines[0].endswith("100.0\t1/3\t")
    assert lines[1].endswith("66.7\t2/3\tlossRate") and lines[2].endswith("66.7\t2/3\tlossRate")
    out = tmp_path / "a.xlsx"
    wrote = taiqu(home, "report", "assessment", "--period", "2026-10", "--under", "P", "--xlsx",
                  str(out))  # fmt: skip
    assert wrote.returncode == 0, wrote.stderr
    assert [r[0] for r in load_workbook(out)["2026-10 county"].values][1:] == ["X1", "X2", "X3"]
    wrong = taiqu(home, "report", "assessment", "--period", "2026")
    assert wrong.returncode == 2 and "an assessment is of one month" in wrong.stderr
