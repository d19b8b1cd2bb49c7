"""Caller mistakes are answered as such: a code, a message naming what is wrong, no store call,
nothing logged as a server error; malformed bodies are HTTP 400; only the unexpected is masked."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from tests.api.conftest import TODAY, Api, make_api
from tests.builder import small_network

DATE_QUERY = 'query($d: Date) { meter(code: "M1", asOf: $d) { code } }'
CODE_QUERY = "query($c: String!) { meter(code: $c) { code } }"
BAD_VARIABLES: list[tuple[str, dict[str, Any], str]] = [
    (DATE_QUERY, {"d": "2026-13-01"}, "Value cannot represent a Date"),
    (DATE_QUERY, {"d": 5}, "Expected a string"),
    (CODE_QUERY, {"c": None}, "not to be None"),
    (CODE_QUERY, {"c": 7}, "String cannot represent a non string value"),
    (
        'query($k: [EntityKind!]) { search(text: "M1", kinds: $k) { code } }',
        {"k": ["NOPE"]},
        "does not exist in 'EntityKind'",
    ),
    (
        'query($f: Int) { network { lossRanking(from: "2026-10-01", to: "2026-10-02", '
        "first: $f) { totalCount } } }",
        {"f": 1.5},
        "Int cannot represent non-integer value",
    ),
]


@pytest.mark.parametrize(("text", "variables", "says"), BAD_VARIABLES)
def test_a_variable_that_fails_coercion_is_bad_user_input(
    api: Api, caplog: pytest.LogCaptureFixture, text: str, variables: dict[str, Any], says: str
) -> None:
    with caplog.at_level(logging.INFO):
        body = api.query(text, variables)
    (error,) = body["errors"]
    assert says in error["message"] and error["message"] != "Unexpected error."
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert sum(api.store.calls.values()) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_codes_of_validation_limits_input_and_access(api: Api) -> None:
    unknown = api.query('{ meter(code: "M1") { ...Nope } }')["errors"][0]
    assert unknown == {
        "message": "Unknown fragment 'Nope'.",
        "locations": [{"line": 1, "column": 26}],
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
    syntax = api.query("{ meter(code: ")["errors"][0]
    assert syntax["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    deep = '{ orgUnit(code: "P") ' + "{ children " * 12 + "{ code }" + " }" * 12 + " }"
    assert api.query(deep)["errors"][0]["extensions"] == {"code": "LIMIT_EXCEEDED"}
    tokens = api.query('{ meter(code: "M1") { ' + " ".join(["code"] * 2100) + " } }")
    assert tokens["errors"][0]["extensions"] == {"code": "LIMIT_EXCEEDED"}
    period = api.query(
        '{ network { lossSummary(from: "2026-10-02", to: "2026-10-01") { lossRate } } }'
    )
    assert period["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    move = api.query('mutation { meterMove(input: {meter: "M2", toArea: "T2"}) { __typename } }')
    assert move["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


def test_search_text_with_control_characters_is_refused(api: Api) -> None:
    """A NUL in 3+ characters broke the embedded store's full-text match."""
    body = api.query("query($t: String!) { search(text: $t) { code } }", {"t": "ab\u0000c"})
    (error,) = body["errors"]
    assert error["message"] == "text must not hold control or invisible characters"
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert sum(api.store.calls.values()) == 0


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"null", "The request body must be a JSON object"),
        (b'"abc"', "The request body must be a JSON object"),
        (b"42", "The request body must be a JSON object"),
        (b"\xff\xfe{", "Unable to parse request body as JSON"),
        (b"{", "Unable to parse request body as JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "Unable to parse request body as JSON"),
        # A lone surrogate escaped in a string: valid JSON text, no valid Unicode string.
        (
            b'{"query": "query($c: String!) { meter(code: $c) { code } }", '
            b'"variables": {"c": "\\ud800"}}',
            "Unable to parse request body as JSON",
        ),
    ],
)
def test_malformed_bodies_are_http_400(tmp_path: Any, body: bytes, says: str) -> None:
    for api in make_api(EmbeddedStore(tmp_path / "home"), tmp_path):
        response = api.client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        error = response.json()["errors"][0]  # a GraphQL error body, with a code
        assert (error["message"], error["extensions"]["code"]) == (says, "BAD_REQUEST")


class _Broken(EmbeddedStore):
    def entities(self, kind, codes):  # type: ignore[no-untyped-def]
        raise RuntimeError("password=hunter2")


def test_an_unexpected_error_is_masked_with_its_code(tmp_path: Any) -> None:
    loaded = EmbeddedStore(tmp_path / "home")  # a network, so that the reader sees all of it
    load_folder(loaded, small_network().write(tmp_path / "src"), today=TODAY)
    loaded.close()
    for api in make_api(_Broken(tmp_path / "home"), tmp_path):
        (error,) = api.query('{ meter(code: "M1") { code } }')["errors"]
        assert error["message"] == "Unexpected error."
        assert error["extensions"] == {"code": "INTERNAL"}
