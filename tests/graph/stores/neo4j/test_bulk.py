"""The Neo4j bulk path: parallel writers over disjoint parts give the same graph."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.model import Kind
from graph.stores.neo4j import store as neo4j_store
from graph.stores.neo4j import writes as neo4j_writes
from graph.stores.neo4j.store import Neo4jStore
from graph.stores.neo4j.writes import disjoint_parts
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from tests.fingerprint import fingerprint

TODAY = dt.date(2026, 11, 28)


def test_parts_never_split_a_parent() -> None:
    rows = [{"parent": f"T{i % 7}", "child": f"M{i}"} for i in range(100)]
    parts = disjoint_parts(rows, 2)
    assert sum(len(p) for p in parts) == 100
    parents = [{r["parent"] for r in p} for p in parts]
    assert len(parts) == 2 and not parents[0] & parents[1]


def test_parts_of_node_rows_and_tiny_inputs() -> None:
    nodes = [{"code": f"M{i}"} for i in range(5)]
    assert disjoint_parts(nodes, 2) == [nodes[:2], nodes[2:]]
    assert disjoint_parts([{"parent": "T1"}] * 3, 2) == [[{"parent": "T1"}] * 3]
    assert disjoint_parts([], 2) == []


def test_bulk_load_equals_single_transaction_load(
    neo4j_session_store: Neo4jStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_folder(generate(400), tmp_path / "src")
    store = neo4j_session_store
    store.clear()
    load_folder(store, tmp_path / "src", today=TODAY)
    single = fingerprint(store)
    store.clear()
    monkeypatch.setattr(neo4j_store, "SINGLE_TX_MAX_ROWS", 10)
    monkeypatch.setattr(neo4j_writes, "BATCH_ROWS", 60)
    report = load_folder(store, tmp_path / "src", today=TODAY)
    assert report.rows_written > 1_500
    assert fingerprint(store) == single
    # the search indexes dropped for the bulk load are back, online, and answer
    indexes = store.driver.execute_query(
        "SHOW INDEXES YIELD name, state WHERE name ENDS WITH '_search' RETURN name, state"
    ).records
    assert sorted((r["name"], r["state"]) for r in indexes) == [
        (f"{k.value.lower()}_search", "ONLINE") for k in sorted(Kind, key=lambda k: k.value.lower())
    ]
    assert [e.code for e in store.search("s001-f01-t00", [Kind.TRANSFORMER], 3)] == [
        "S001-F01-T001",
        "S001-F01-T002",
        "S001-F01-T003",
    ]
