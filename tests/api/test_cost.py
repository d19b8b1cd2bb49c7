"""The cost of a request, computed before execution (api/cost.py): hand-computed figures for
each rule, and refusals over the budget that reach no store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from api.cost import CostRules, request_cost
from api.schema import build_schema
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.api.conftest import TODAY, Api, make_api
from tests.builder import small_network

RULES = CostRules(max_cost=10_000, default_page_size=20, max_page_size=100, max_days=400)
SCHEMA = build_schema()._schema


def cost(text: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int | None:
    return request_cost(SCHEMA, parse(text), name, variables, RULES)


def test_an_object_costs_one_and_a_scalar_nothing() -> None:
    assert cost('{ meter(code: "M1") { code role } }') == 1
    assert cost('{ meter(code: "M1") { code transformer { code feeder { code } } } }') == 3


def test_a_page_multiplies_what_is_below_its_edges() -> None:
    # the connection 1, then per transformer: its edge 1 and its node 1
    assert cost('{ feeder(code: "F") { transformers(first: 7) { edges { node { code } } } } }') \
        == 1 + 1 + 7 * 2  # fmt: skip
    # no `first`: the default page size (20)
    assert cost('{ feeder(code: "F") { transformers { edges { node { code } } } } }') == 2 + 40
    # a page over the cap costs the cap (the request is refused for its `first` anyway)
    assert cost('{ feeder(code: "F") { transformers(first: 5000) { edges { cursor } } } }') \
        == 2 + 100  # fmt: skip


def test_nested_pages_multiply() -> None:
    text = (
        "{ orgUnits(first: 100) { edges { node { transformers(first: 100) "
        "{ edges { node { code } } } } } } }"
    )
    assert cost(text) == 1 + 100 * (2 + 1 + 100 * 2)  # 20,301


def test_a_per_day_list_returns_one_object_a_day() -> None:
    text = '{ meter(code: "M") { readings(from: "2026-01-01", to: "2026-01-31") { date } } }'
    assert cost(text) == 1 + 31
    many = (
        '{ transformer(code: "T") { meters(first: 100) { edges { node { '
        'readings(from: "2026-01-01", to: "2026-01-31") { date } } } } } }'
    )
    assert cost(many) == 1 + 1 + 100 * (2 + 31)


def test_an_aggregate_costs_one_more_per_started_31_days() -> None:
    month = '{ network { lossSummary(from: "2026-01-01", to: "2026-01-31") { lossKwh } } }'
    assert cost(month) == 1 + 1 + 1
    month_and_a_day = month.replace("01-31", "02-01")
    assert cost(month_and_a_day) == 1 + 1 + 2


def test_variables_count_like_literals() -> None:
    text = "query($n: Int, $f: Date!, $t: Date!) { network { lossRanking(from: $f, to: $t, " \
        "first: $n) { edges { node { transformer { code } } } } } }"  # fmt: skip
    figures = {"n": 10, "f": "2026-01-01", "t": "2026-03-01"}  # 60 days: 2 units
    assert cost(text, figures) == 1 + (1 + 2) + 10 * (1 + 1 + 1)
    assert cost(text, {**figures, "f": "not a date"}) is None  # execution refuses it


def test_unpaged_lists_cost_their_usual_length() -> None:
    assert cost('{ orgUnit(code: "P") { children { code } } }') == 1 + 20
    assert cost('{ meter(code: "M") { history { openedBy { id } } } }') == 1 + 10 * 2


def test_fragments_and_the_chosen_operation() -> None:
    text = (
        'query A { meter(code: "M") { ...M } } query B { meter(code: "M") { code } } '
        "fragment M on Meter { transformer { ...T } customer { code } } "
        "fragment T on Transformer { feeder { code } }"
    )
    assert cost(text, name="A") == 1 + (1 + 1) + 1
    assert cost(text, name="B") == 1
    assert cost(text, name=None) is None  # two operations, none named: execution refuses


def test_introspection_is_free() -> None:
    assert cost("{ __schema { types { name fields { name type { name } } } } }") == 0


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    yield from make_api(store, tmp_path, max_cost=50)


def test_over_the_budget_refused_with_its_cost_before_any_store_call(api: Api) -> None:
    text = (
        '{ orgUnit(code: "P") { children { transformers(first: 3) { edges { node { code } } } } } }'
    )
    body = api.query(text)
    assert body["data"] is None
    (error,) = body["errors"]
    expected = 1 + 20 * (1 + 1 + 3 * 2)  # 161
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "cost": expected, "maxCost": 50}
    assert error["message"].startswith(f"The request would cost {expected} ")
    assert sum(api.store.calls.values()) == 0


def test_thirty_long_series_are_refused(api: Api) -> None:
    """The issue's case: 30 aliases of a 400-day lossSeries (distinct windows: no two alike)."""
    start = dt.date(2025, 1, 1)
    fields = " ".join(
        f'a{i}: lossSeries(from: "{start + dt.timedelta(i)}", '
        f'to: "{start + dt.timedelta(i + 399)}") {{ lossKwh }}'
        for i in range(30)
    )
    text = "{ network { " + fields + " } }"
    assert cost(text) == 1 + 30 * 400 > RULES.max_cost  # over the default budget too
    (error,) = api.query(text)["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert error["extensions"]["cost"] == 12_001
    assert sum(api.store.calls.values()) == 0


def test_an_accepted_request_reports_its_cost(api: Api) -> None:
    body = api.query(f'{{ transformer(code: "T1", asOf: "{TODAY}") {{ code feeder {{ code }} }} }}')
    assert "errors" not in body
    assert body["data"]["transformer"]["feeder"]["code"] == "F1"
    assert body["extensions"] == {"cost": {"requested": 2, "maxCost": 50}}
