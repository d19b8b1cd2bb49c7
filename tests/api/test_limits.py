"""Document limits measured once per fragment: the same figures as strawberry's limiters on
ordinary documents, and a fragment chain that would expand to millions of spreads is refused
instead of walked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from strawberry.extensions.max_aliases import count_fields_with_alias

from api.limits import _Measurer
from graph.stores.embedded.store import EmbeddedStore
from tests.api.conftest import Api, make_api

DOCUMENTS = [
    '{ meter(code: "M1") { code } }',
    '{ a: meter(code: "M1") { code } b: meter(code: "M2") { c: code } }',
    '{ orgUnit(code: "P") { children { children { code } } } __typename }',
    '{ ...Q ...Q } fragment Q on Query { x: meter(code: "M1") { ...M } } '
    "fragment M on Meter { code y: role transformer { code } }",
    '{ feeder(code: "F1") { ... on Feeder { transformers { edges { node { code } } } } } }',
]


def _chain(links: int) -> str:
    spreads = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(links)
    )
    return "{ ...F0 } " + spreads + f" fragment F{links} on Query {{ __typename }}"


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_same_aliases_as_strawberrys_limiter(text: str) -> None:
    document = parse(text)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    measured = _Measurer(document).selections(operation.selection_set)
    assert measured.aliases == count_fields_with_alias(operation, fragments)


def test_depth_counts_nested_fields_through_fragments() -> None:
    document = parse(DOCUMENTS[3])
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    measured = _Measurer(document).selections(operation.selection_set)
    # meter -> transformer -> code: two levels below the top field
    assert (measured.depth, measured.aliases, measured.spreads) == (2, 4, 4)


def test_a_fragment_chain_is_measured_without_expanding_it() -> None:
    document = parse(_chain(60))
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    measured = _Measurer(document).selections(operation.selection_set)
    assert measured.spreads == 2**61 - 1  # 1 + 2 + 4 + ... + 2^60
    assert measured.depth == 0


@pytest.fixture
def embedded_api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(EmbeddedStore(tmp_path / "home"), tmp_path)


def test_a_fragment_chain_is_refused_and_the_server_keeps_answering(embedded_api: Api) -> None:
    body = embedded_api.query(_chain(30))
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] == (f"{2**31 - 1} fragment spreads once expanded. Allowed: 1000")
    assert embedded_api.client.get("/healthz").json() == {"status": "ok"}
    small = embedded_api.query(_chain(3))  # 15 spreads: within the budget
    assert "errors" not in small and small["data"] == {"__typename": "Query"}
