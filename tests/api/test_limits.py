"""Document limits measured once per fragment: the same figures as strawberry's limiters on
ordinary documents, and a fragment chain that would expand to millions of spreads is refused
instead of walked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from strawberry.extensions.max_aliases import count_fields_with_alias

from api.body_limit import BodyLimit
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


def test_a_long_comment_counts_against_the_query_size(embedded_api: Api) -> None:
    """The token limit counts no comment: a 10 MB comment took 1.8 s to skip."""
    text = "# " + "x" * 70_000 + '\n{ meter(code: "M1") { code } }'
    (error,) = embedded_api.query(text)["errors"]
    assert error["message"] == f"Query of {len(text)} bytes. Allowed: 65536"
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert sum(embedded_api.store.calls.values()) == 0


def test_a_body_over_the_limit_is_http_413(embedded_api: Api) -> None:
    big = {"query": "query($t: String!) { search(text: $t) { code } }",
           "variables": {"t": "x" * 2_000_000}}  # fmt: skip
    response = embedded_api.client.post("/graphql", json=big)
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["message"] == "Request body larger than 1048576 bytes"
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert sum(embedded_api.store.calls.values()) == 0
    assert embedded_api.client.get("/healthz").json() == {"status": "ok"}


def test_a_chunked_body_over_the_limit_is_refused_before_the_app_runs() -> None:
    """No Content-Length: the limit counts the chunks as they come."""
    reached: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append((await receive())["body"])

    async def run(chunks: list[bytes]) -> list[dict[str, Any]]:
        incoming = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return incoming.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await BodyLimit(app, max_bytes=10)({"type": "http", "headers": []}, receive, send)
        return sent

    refused = asyncio.run(run([b"123456", b"7890", b"X"]))
    assert refused[0]["status"] == 413 and reached == []
    assert asyncio.run(run([b"12345", b"67890"])) == [] and reached == [b"1234567890"]
