"""`taiqu load --offline`: a first load as files for Neo4j's offline importer.

The files themselves are checked here without a server; tests/graph/stores/neo4j/
test_offline_import.py imports them into a real Neo4j and compares the graph with a Bolt load.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from graph.domain import clock
from graph.domain.changes import ChangeSet, LinkClose
from graph.domain.errors import LoadRejected
from graph.domain.model import Rel
from graph.stores.neo4j.import_files import (
    ARGS_FILE,
    MANIFEST_FILE,
    NotAFirstLoad,
    read_import_files,
    write_import_files,
)
from loaders.load import load_offline
from tests.builder import small_network


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_entity_and_link_is_written_with_the_properties_of_a_bolt_write(
    tmp_path: Path,
) -> None:
    folder = small_network().write(tmp_path / "net")
    report = load_offline(folder, tmp_path / "out", actor="tester")
    out = tmp_path / "out"
    meters = {r["code:ID(Meter)"]: r for r in _rows(out / "nodes-Meter.csv")}
    assert sorted(meters) == ["G1", "G2", "G3", "M1", "M2", "M3", "V1"]
    changeset = report.files.counts and json.loads((out / MANIFEST_FILE).read_text())["changeset"]
    assert meters["G1"] == {
        "code:ID(Meter)": "G1",
        "role": "gate",
        "multiplier:double": "60.0",
        "phase": "ABC",
        "node": "",
        "search_key": "g1\u0001",
        "attrs_from:date": "0001-01-01",
        "attrs_opened_by": changeset,
    }
    assert meters["V1"]["phase"] == ""  # absent: no property, as a null in a Bolt write
    assert meters["V1"]["multiplier:double"] == "1.0"  # the column's default
    has_meter = _rows(out / "rels-HAS_METER.csv")
    assert len(has_meter) == 7
    assert has_meter[0] == {
        ":START_ID(Transformer)": "T1",
        ":END_ID(Meter)": "G1",
        "valid_from:date": "0001-01-01",
        "valid_to:date": "9999-12-31",
        "opened_by": changeset,
        "detail": "",
    }
    (audit,) = _rows(out / "nodes-changeset.csv")
    record = json.loads(audit["record"])
    assert audit["id:ID(Changeset)"] == changeset == record["id"]
    assert (audit["seq:long"], record["graph_version"]) == ("1", 1)
    assert record["source"] == "load" and record["actor"] == "tester"
    assert record["counts"]["created"] == 21  # 5 orgs, 1 substation, 2 feeders, 3 + 3 + 7
    assert _rows(out / "nodes-meta.csv") == [{"key:ID(TaiquMeta)": "graph", "version:long": "1"}]
    assert report.rows_read == 21
    assert report.files.counts["HAS_METER"] == 7 and report.files.counts["PARENT_OF"] == 4
    assert not report.files.multiline
    args = (out / ARGS_FILE).read_text().split()
    assert "--nodes=Meter=nodes-Meter.csv" in args
    assert "--relationships=USES_METER=rels-USES_METER.csv" in args
    assert read_import_files(out) == report.files


def test_an_effective_date_dates_values_and_links(tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "net")
    day = clock.today() - dt.timedelta(days=30)
    load_offline(folder, tmp_path / "out", effective=day)
    assert {r["attrs_from:date"] for r in _rows(tmp_path / "out" / "nodes-Feeder.csv")} == {
        day.isoformat()
    }
    links = _rows(tmp_path / "out" / "rels-SUPPLIES.csv")
    assert {(r["valid_from:date"], r["valid_to:date"]) for r in links} == {
        (day.isoformat(), "9999-12-31")
    }


def test_values_with_commas_quotes_and_line_breaks_survive_and_ask_for_multiline_parsing(
    tmp_path: Path,
) -> None:
    odd = 'Zhang, "the elder"\nsecond line'
    folder = small_network().customer("U9", odd).write(tmp_path / "net")
    report = load_offline(folder, tmp_path / "out")
    customers = {r["code:ID(Customer)"]: r for r in _rows(tmp_path / "out" / "nodes-Customer.csv")}
    assert customers["U9"]["name"] == odd
    assert report.files.multiline
    assert "--multiline-fields=true" in (tmp_path / "out" / ARGS_FILE).read_text()


def test_a_bad_folder_is_rejected_with_every_problem_and_no_files(tmp_path: Path) -> None:
    net = small_network().meter("M9", "T404", "customer", "U1").meter("M1", "T1", "customer")
    folder = net.write(tmp_path / "net")
    with pytest.raises(LoadRejected) as rejected:
        load_offline(folder, tmp_path / "out")
    where = {(p.file, p.line, p.column_name) for p in rejected.value.problems}
    assert ("meters.csv", 9, "transformer_code") in where  # unknown area (nothing is stored)
    assert ("meters.csv", 10, "meter_code") in where  # duplicate code
    assert not (tmp_path / "out").exists()


def test_a_reference_to_something_only_a_store_could_hold_is_an_error(tmp_path: Path) -> None:
    """An offline import goes into an empty database: the folder must be whole."""
    folder = small_network().write(tmp_path / "net")
    (folder / "orgs.csv").unlink()
    with pytest.raises(LoadRejected) as rejected:
        load_offline(folder, tmp_path / "out")
    assert any('unknown OrgUnit "X1"' in p.message for p in rejected.value.problems)


def test_the_files_go_only_into_a_new_or_empty_folder(tmp_path: Path) -> None:
    folder = small_network().write(tmp_path / "net")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("not ours")
    with pytest.raises(FileExistsError):
        load_offline(folder, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_readings_are_left_for_a_load_into_the_running_server(tmp_path: Path) -> None:
    net = small_network().reading("G1", "2026-11-01", 100)
    report = load_offline(net.write(tmp_path / "net"), tmp_path / "out")
    assert [(w.file, w.severity) for w in report.warnings] == [("readings.csv", "warning")]
    assert "taiqu load" in report.warnings[0].message


def test_only_a_first_load_can_be_written_as_import_files(tmp_path: Path) -> None:
    closing = ChangeSet(closed=[LinkClose(Rel.HAS_METER, "M1", dt.date(2026, 1, 1))])
    with pytest.raises(NotAFirstLoad):
        write_import_files(closing, tmp_path / "out")
