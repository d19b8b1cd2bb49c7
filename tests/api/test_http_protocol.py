"""GraphQL over HTTP conformance (the draft specification; ids from the graphql-http audit
suite where one exists, ours where the specification asks more). One table of requests and
what the answer must be: media type, status, data or not, error codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.http_protocol import GRAPHQL_RESPONSE, negotiate
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from tests.api.conftest import TODAY, Api, make_api
from tests.builder import small_network

GQL = GRAPHQL_RESPONSE
JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp_path = tmp_path_factory.mktemp("http")
    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    for api in make_api(store, tmp_path):
        yield api.client
    store.close()


@dataclass(frozen=True)
class Case:
    id: str
    accept: str | None  # None: no Accept header
    body: Any = None  # JSON-encoded unless bytes; None: no body
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    content_type: str | None = JSON
    status: int = 200
    media: str | None = None  # default: the one negotiated from `accept`
    data: bool | None = None  # True: a data entry; False: none; None: not checked
    errors: bool | None = None
    code: str | None = None  # the first error's extensions.code


def _text(case: Case) -> bytes | None:
    if case.body is None or isinstance(case.body, bytes):
        return case.body
    return json.dumps(case.body).encode()


INVALID = [("object", {"obj": "ect"}), ("number", 0), ("boolean", False), ("array", ["array"])]
NOT_A_MAP = [("string", "string"), ("number", 0), ("boolean", False), ("array", ["array"])]
VARIABLES_QUERY = "query Type($name: String!) { __type(name: $name) { name } }"
MISSING_FIELD = "{ f8f31403dfe404bccbb0e835f2629c6a7 }"

CASES = [
    # Media types
    Case("22EB accepts graphql-response+json", GQL, TYPENAME, data=True, errors=False),
    Case("4655 accepts application/json", JSON, TYPENAME, data=True, errors=False),
    Case("47DE */* answers application/json", "*/*", TYPENAME, media=JSON),
    Case("ours: no Accept answers graphql-response+json (since 2025)", None, TYPENAME, media=GQL),
    Case("ours: the first listed wins", f"{GQL}, {JSON}", TYPENAME, media=GQL),
    Case("ours: a higher quality wins", f"{GQL};q=0.5, {JSON}", TYPENAME, media=JSON),
    Case("ours: neither acceptable: 406", "text/xml", TYPENAME, status=406, media=JSON),
    Case("BF61 accepts a utf-8 charset", JSON, TYPENAME, content_type=f"{JSON}; charset=utf-8"),
    # Requests
    Case("5A70 a query by GET", JSON, method="GET", params=TYPENAME, data=True, errors=False),
    Case(
        "9C48 no mutation by GET: 405",
        GQL,
        method="GET",
        params={"query": "mutation { __typename }"},
        status=405,
        data=False,
        code="METHOD_NOT_ALLOWED",
    ),
    Case("9ABE POST without a content type: 4xx", GQL, b"", content_type=None, status=415),
    Case("ours: POST as text/plain: 415", JSON, TYPENAME, content_type="text/plain", status=415),
    Case("7267 POST needs a body", GQL, None, status=400, data=False, errors=True),
    Case("6610 no query: 400", GQL, {"notquery": "{ __typename }"}, status=400, data=False),
    Case("3715 no query (application/json): 400 with errors", JSON, {"x": 1}, status=400),
    *(
        Case(f"4F5{i} {name} query: 400", accept, {"query": bad}, status=400, errors=True)
        for i, (name, bad) in enumerate(INVALID)
        for accept in (GQL, JSON)
    ),
    *(
        Case(
            f"E3E{i} {name} operationName: 400",
            GQL,
            {"query": "{ __typename }", "operationName": bad},
            status=400,
            code="BAD_REQUEST",
        )
        for i, (name, bad) in enumerate(INVALID)
    ),
    Case(
        "8161 a string operationName",
        GQL,
        {"operationName": "Query", "query": "query Query { __typename }"},
        errors=False,
    ),
    *(
        Case(f"94B{i} null {p}", accept, {"query": "{ __typename }", p: None}, errors=False)
        for i, p in enumerate(("variables", "operationName", "extensions"))
        for accept in (GQL, JSON)
    ),
    *(
        Case(f"69B{i} {name} variables: 400", GQL, {**TYPENAME, "variables": bad}, status=400)
        for i, (name, bad) in enumerate(NOT_A_MAP)
    ),
    Case("2EA1 map variables", GQL, {"query": VARIABLES_QUERY, "variables": {"name": "x"}}),
    Case(
        "D6D5 JSON variables by GET",
        GQL,
        method="GET",
        params={"query": VARIABLES_QUERY, "variables": json.dumps({"name": "Meter"})},
        errors=False,
    ),
    *(
        Case(f"904{i} {name} extensions: 400", GQL, {**TYPENAME, "extensions": bad}, status=400)
        for i, (name, bad) in enumerate(NOT_A_MAP)
    ),
    Case("428F map extensions", GQL, {**TYPENAME, "extensions": {"some": "value"}}, errors=False),
    # Responses
    Case("2163 JSON parse failure: 400", GQL, b'{ "not a JSON', status=400, data=False),
    Case("ours: JSON parse failure (application/json): 400", JSON, b"NONSENSE", status=400),
    Case("17C5 34D6 invalid parameters", GQL, {"qeury": "{ __typename }"}, status=400, data=False),
    Case(
        "556A D586 document parse failure: 400, no data",
        GQL,
        {"query": "{"},
        status=400,
        data=False,
        code="GRAPHQL_PARSE_FAILED",
    ),
    Case("572B document parse failure (application/json): 200", JSON, {"query": "{"}, errors=True),
    Case(
        "74FF 5E5B validation failure: 400, no data",
        GQL,
        {"query": MISSING_FIELD},
        status=400,
        data=False,
        code="GRAPHQL_VALIDATION_FAILED",
    ),
    Case("FDE2 validation failure (application/json): 200", JSON, {"query": MISSING_FIELD}),
    Case(
        "ours: variable coercion failure: 400, no data",
        GQL,
        {"query": VARIABLES_QUERY, "variables": {"name": 7}},
        status=400,
        data=False,
        code="BAD_USER_INPUT",
    ),
    Case(
        "ours: a field error keeps data and 200",
        GQL,
        {"query": '{ network { lossSummary(from: "2026-11-02", to: "2026-11-01") { lossRate } } }'},
        data=True,
        errors=True,
        code="BAD_USER_INPUT",
    ),
    Case(
        "ours: a limit refuses the request: 400",
        GQL,
        {"query": "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"},
        status=400,
        data=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_graphql_over_http(client: TestClient, case: Case) -> None:
    headers = {} if case.accept is None else {"accept": case.accept}
    if case.content_type is not None:
        headers["content-type"] = case.content_type
    request = client.build_request(
        case.method, "/graphql", params=case.params, content=_text(case), headers=headers
    )
    if case.accept is None:
        del request.headers["accept"]  # the client's default */*
    response = client.send(request)
    assert response.status_code == case.status, response.text
    media = case.media or negotiate(case.accept) or JSON
    assert response.headers["content-type"] == f"{media}; charset=utf-8"
    body = json.loads(response.content.decode("utf-8"))  # 82A3: UTF-8
    assert isinstance(body, dict)
    if case.data is not None:
        assert ("data" in body) == case.data, body
    if case.errors is not None:
        assert bool(body.get("errors")) == case.errors, body
    for error in body.get("errors") or []:
        assert isinstance(error["extensions"]["code"], str), error  # a code on every error
    if case.code is not None:
        assert body["errors"][0]["extensions"]["code"] == case.code, body
    if case.status == 405:
        assert response.headers["allow"] == "POST"


def test_a_key_is_needed_by_get_as_by_post(client: TestClient) -> None:
    anonymous = {"authorization": ""}
    for accept in (GQL, JSON):
        by_get = client.get("/graphql", params=TYPENAME, headers={**anonymous, "accept": accept})
        by_post = client.post("/graphql", json=TYPENAME, headers={**anonymous, "accept": accept})
        for response in (by_get, by_post):
            assert response.status_code == 401
            assert response.headers["content-type"] == f"{accept}; charset=utf-8"
            assert response.headers["www-authenticate"] == 'Bearer realm="taiqu"'
            assert "data" not in response.json()
            assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    page = client.get("/graphql", headers={**anonymous, "accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()  # holds no data


def test_forbidden_is_a_field_error_with_data(tmp_path: Path) -> None:
    """A supply station setting targets (marketing's duty): FORBIDDEN. The answer still has
    data (the mutation's field is null), so 200, as the specification wants for a partial
    response."""
    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    writer = "tq_test-writer-key-for-the-protocol-tests-0000"
    for api in make_api(store, tmp_path, writers=(("station", writer),)):
        response = api.client.post(
            "/graphql",
            json={
                "query": 'mutation { setTargets(input: {period: "2026", targets: []}) '
                "{ __typename } }"
            },
            headers={"accept": GQL, "authorization": f"Bearer {writer}"},
        )
        body = response.json()
        assert response.status_code == 200 and "data" in body, body
        assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    store.close()


def _cors_client(tmp_path: Path, origins: tuple[str, ...]) -> Iterator[Api]:
    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    yield from make_api(store, tmp_path, cors_origins=origins)
    store.close()


def test_cors_only_from_configured_origins(tmp_path: Path) -> None:
    preflight = {
        "origin": "https://explorer.example.cn",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    for api in _cors_client(tmp_path / "on", ("https://explorer.example.cn",)):
        allowed = api.client.options("/graphql", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://explorer.example.cn"
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        other = api.client.options("/graphql", headers={**preflight, "origin": "https://evil.cn"})
        assert "access-control-allow-origin" not in other.headers
        answered = api.client.post(
            "/graphql", json=TYPENAME, headers={"origin": preflight["origin"]}
        )
        assert answered.headers["access-control-allow-origin"] == preflight["origin"]
    for api in _cors_client(tmp_path / "off", ()):
        answered = api.client.post(
            "/graphql", json=TYPENAME, headers={"origin": preflight["origin"]}
        )
        assert answered.status_code == 200 and "access-control-allow-origin" not in answered.headers


def test_introspection_can_be_switched_off(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "home")
    schema_query = {"query": "{ __schema { queryType { name } } }"}
    for introspection in (True, False):
        for api in make_api(store, tmp_path, introspection=introspection):
            response = api.client.post("/graphql", json=schema_query, headers={"accept": GQL})
            assert response.status_code == (200 if introspection else 400), response.text
            still = api.client.post("/graphql", json=TYPENAME, headers={"accept": GQL})
            assert still.json()["data"] == {"__typename": "Query"}
    store.close()
