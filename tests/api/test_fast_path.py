"""Topology queries answered from the store's tree (api/fast_path.py) answer exactly what the
resolvers answer (the same query with TAIQU_FAST_PATH off), byte for byte, on both stores;
and what the fast path does not know is left to the resolvers."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import parse

from api.context import build_context
from api.fast_path import answer
from api.schema import build_schema
from graph.series.reader import LossReader
from graph.services.events.base import write_event
from graph.services.events.meters import meter_move
from graph.services.mismatches import MismatchCache
from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import TODAY, make_api
from tests.builder import small_network

EXPLORER = """query($code: String!, $first: Int, $role: MeterRole) { feeder(code: $code) {
  __typename code name voltageKv
  transformers(first: $first) { __typename totalCount
    pageInfo { __typename hasNextPage endCursor }
    edges { __typename cursor node { code name capacityKva ownership
      gateMeters { code multiplier role phase customer { name } }
      m: meters(first: 2, role: $role) { totalCount edges { node { code phase
        customer { code name category } } } } } } }
  substation { code orgUnit { code name level } } } }"""

ANSWERED = [
    (EXPLORER, {"code": "F1", "first": 1, "role": "CUSTOMER"}),
    (EXPLORER, {"code": "F1", "first": 5, "role": None}),
    (EXPLORER, {"code": "F2"}),
    (EXPLORER, {"code": "NOPE"}),
    (
        """{ a: meter(code: "M1") { code role multiplier transformer { feeder { substation {
          code feeders { code } } } } } b: customer(code: "U1") { name meters { code role } }
          __typename }""",
        {},
    ),
    (
        """query { transformer(code: "T1") { ...area ... on Node { code } } }
        fragment area on Transformer { code meters(first: 1) { edges { node { code } } }
          meters(first: 1) { pageInfo { hasNextPage } } }""",
        {},
    ),
    (
        """{ orgUnit(code: "X1") { code children { code name parent { code } substations {
          code } } } }""",
        {},
    ),
]
LEFT_TO_RESOLVERS = [
    ('{ feeder(code: "F1") { id code } }', {}),  # a field it does not know
    ('{ feeder(code: "F1") { code name @skip(if: true) } }', {}),  # a directive
    ('{ feeder(code: "F1") { transformers(first: 1000) { totalCount } } }', {}),  # refused
    ('{ network { __typename } feeder(code: "F1") { code } }', {}),  # another root
    ("mutation { __typename }", {}),
]


def _answers(store: Store, tmp_path: Path, fast: bool, queries: list[Any]) -> list[str]:
    out = []
    for api in make_api(store, tmp_path, fast_path=fast, response_cache_mb=0):
        for query, variables in queries:
            out.append(json.dumps(api.query(query, variables), ensure_ascii=False))
    return out


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    load_folder(store, small_network().write(tmp_path / "net"), today=TODAY)
    return store


def test_the_same_answers_both_ways(loaded: Store, tmp_path: Path) -> None:
    queries = ANSWERED + LEFT_TO_RESOLVERS
    fast = _answers(loaded, tmp_path, True, queries)
    slow = _answers(loaded, tmp_path, False, queries)
    assert fast == slow
    explorer = json.loads(fast[0])["data"]["feeder"]
    area = explorer["transformers"]["edges"][0]["node"]
    assert area["gateMeters"] == [
        {"code": "G1", "multiplier": 60.0, "role": "GATE", "phase": "ABC", "customer": None}
    ]
    assert [e["node"]["customer"]["name"] for e in area["m"]["edges"]] == ["张伟", "李娜"]
    assert explorer["substation"]["orgUnit"] == {
        "code": "X1",
        "name": "东城县供电公司",
        "level": "county",
    }


def test_the_past_and_moved_meters(loaded: Store, tmp_path: Path) -> None:
    """A day before a move, and a day before a node's current values: the same answers (the
    latter from the resolvers, which read that day's values)."""
    write_event(loaded, meter_move(loaded, "M2", "T2", dt.date(2026, 7, 1), "t"), None)
    moved = small_network()
    moved.rows["customers.csv"] = [
        (c, "李娜(改)" if c == "U2" else n, k) for c, n, k in moved.rows["customers.csv"]
    ]
    moved.rows["meters.csv"] = [
        (m, "T2", *r) if m == "M2" else (m, t, *r) for m, t, *r in moved.rows["meters.csv"]
    ]
    load_folder(
        loaded, moved.write(tmp_path / "renamed"), effective=dt.date(2026, 9, 1), today=TODAY
    )
    query = """query($d: Date) { transformer(code: "T2", asOf: $d) { code meters { edges {
      node { code customer { name } } } } } }"""
    days = [{"d": None}, {"d": "2026-08-31"}, {"d": "2026-06-30"}]
    fast = _answers(loaded, tmp_path, True, [(query, d) for d in days])
    assert fast == _answers(loaded, tmp_path, False, [(query, d) for d in days])
    names = [
        [
            (e["node"]["code"], e["node"]["customer"])
            for e in json.loads(a)["data"]["transformer"]["meters"]["edges"]
        ]
        for a in fast
    ]
    assert names == [
        [("G2", None), ("M2", {"name": "李娜(改)"}), ("M3", {"name": "王芳"})],
        [("G2", None), ("M2", {"name": "李娜"}), ("M3", {"name": "王芳"})],
        [("G2", None), ("M3", {"name": "王芳"})],
    ]


def _direct(store: Store, tmp_path: Path, query: str, variables: dict[str, Any]) -> Any:
    settings = Settings(home=tmp_path / "direct")
    schema = build_schema(settings)
    ctx = build_context(
        store,
        LossReader(settings.series_folder(), settings.loss_rules()),
        settings,
        MismatchCache(),
    )
    ctx.today = TODAY
    execution = SimpleNamespace(
        graphql_document=parse(query), operation_name=None, variables=variables
    )
    return asyncio.run(answer(schema._schema, ctx, execution)), ctx


def test_what_it_answers_and_what_it_leaves(loaded: Store, tmp_path: Path) -> None:
    for query, variables in ANSWERED:
        data, _ = _direct(loaded, tmp_path, query, variables)
        assert data is not None, query
    for query, variables in LEFT_TO_RESOLVERS:
        data, ctx = _direct(loaded, tmp_path, query, variables)
        assert data is None, query
        assert not ctx.trees_read  # decided before reading anything
    # Decided after reading: a node before its current values; the tree goes to the loaders.
    moved = small_network()
    moved.rows["feeders.csv"] = [(c, f"{n}(改)", *r) for c, n, *r in moved.rows["feeders.csv"]]
    load_folder(
        loaded, moved.write(tmp_path / "renamed"), effective=dt.date(2026, 9, 1), today=TODAY
    )
    data, ctx = _direct(loaded, tmp_path, '{ feeder(code: "F1", asOf: "2026-08-01") { name } }', {})
    assert data is None
    assert ctx.trees_read  # handed over, not read twice
