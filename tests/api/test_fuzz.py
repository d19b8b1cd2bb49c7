"""Fuzzing the API from schema.graphql (hypothesis-graphql), on both stores: queries and change
events valid for the schema, their arguments sent as literals or lifted into variables, some
variables of the wrong kind; dates anywhere in years 1-9999, text with any character.

Whatever it sends, the answer is HTTP 200 (or 400 for a body that is not JSON) and no error is
"Unexpected error." (code INTERNAL). TAIQU_FUZZ_EXAMPLES sets how many operations
each store gets (default 1,000; bench/README.md has a run of 5,000).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import strategies as gql

from graph.stores.contract import Store
from tests.api.conftest import Api, week_api

SCHEMA = graphql.build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())
EXAMPLES = int(os.environ.get("TAIQU_FUZZ_EXAMPLES", "1000"))
TOKEN = "tq_" + "f" * 32
WRITER = {"Authorization": f"Bearer {TOKEN}"}
MASKED = "Unexpected error."

_DATES = st.dates().map(lambda d: graphql.StringValueNode(value=d.isoformat()))
_TIMES = st.datetimes().map(lambda d: graphql.StringValueNode(value=d.isoformat()))
_SCALARS = {"Date": _DATES, "DateTime": _TIMES}
OPERATIONS = st.one_of(
    gql.queries(SCHEMA, custom_scalars=_SCALARS),
    gql.mutations(SCHEMA, custom_scalars=_SCALARS),
)
# What a careless client puts in a variable instead of the value its type wants.
WRONG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["2026-13-01", "9999-12-31", "0001-01-01", "", "\x00", "\ud800"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


class _Lift(graphql.Visitor):
    """Every argument's literal value becomes a variable of the argument's type."""

    def __init__(self, type_info: graphql.TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.definitions: list[graphql.VariableDefinitionNode] = []
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> graphql.ArgumentNode | None:
        argument = self.type_info.get_argument()
        if argument is None or isinstance(node.value, graphql.VariableNode):
            return None
        name = f"v{len(self.values)}"
        self.values[name] = graphql.value_from_ast_untyped(node.value)
        type_node = graphql.parse_type(str(argument.type))
        self.definitions.append(
            graphql.VariableDefinitionNode(
                variable=graphql.VariableNode(name=graphql.NameNode(value=name)), type=type_node
            )
        )
        return graphql.ArgumentNode(
            name=node.name, value=graphql.VariableNode(name=graphql.NameNode(value=name))
        )


def lift_arguments(text: str) -> tuple[str, dict[str, Any]]:
    """`text` with its argument literals as variables, and their values."""
    document = graphql.parse(text)
    type_info = graphql.TypeInfo(SCHEMA)
    lift = _Lift(type_info)
    changed = graphql.visit(document, graphql.TypeInfoVisitor(type_info, lift))
    (operation,) = changed.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    lifted = graphql.OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(lift.definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    return graphql.print_ast(lifted), lift.values


def test_lifting_keeps_the_operation() -> None:
    text, values = lift_arguments('{ meter(code: "M1", asOf: "2026-01-01") { code } }')
    assert values == {"v0": "M1", "v1": "2026-01-01"}
    assert graphql.print_ast(graphql.parse(text)) == graphql.print_ast(
        graphql.parse("query ($v0: String!, $v1: Date) { meter(code: $v0, asOf: $v1) { code } }")
    )


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    yield from week_api(store, tmp_path, writers=(("fuzz", TOKEN),))


def test_no_operation_is_an_unexpected_error(api: Api) -> None:
    seen: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same operations on every run: a failure is reproducible
        suppress_health_check=list(HealthCheck),
    )
    @given(operation=OPERATIONS, data=st.data())
    def send(operation: str, data: st.DataObject) -> None:
        variables: dict[str, Any] | None = None
        if data.draw(st.booleans(), label="lift"):
            operation, variables = lift_arguments(operation)
            if variables and data.draw(st.booleans(), label="spoil"):
                name = data.draw(st.sampled_from(sorted(variables)), label="spoiled")
                variables[name] = data.draw(WRONG_VALUES, label="value")
        # ASCII JSON: a lone surrogate travels as its \\u escape, as a careless client sends it
        body = json.dumps({"query": operation, "variables": variables})
        headers = {**WRITER, "content-type": "application/json"}
        response = api.client.post("/graphql", content=body, headers=headers)
        assert response.status_code in (200, 400), (response.status_code, operation, variables)
        if response.status_code == 400:
            return
        for error in response.json().get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            assert error["message"] != MASKED and code != "INTERNAL", (
                operation,
                variables,
                error,
            )
            seen[code] = seen.get(code, 0) + 1

    send()
    # the fuzzer reached the server's checks, not only GraphQL's
    assert seen.get("BAD_USER_INPUT", 0) > 0, seen
