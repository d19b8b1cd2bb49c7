"""Secure defaults: limits, masking, mutations by POST only, no batching, health endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import TODAY, Api, make_api
from tests.builder import small_network


@pytest.fixture
def embedded_api(tmp_path: Path) -> Iterator[Api]:
    from loaders.load import load_folder
    from tests.api.conftest import TODAY
    from tests.builder import small_network

    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    yield from make_api(store, tmp_path)


def test_depth_limit(embedded_api: Api) -> None:
    deep = '{ orgUnit(code: "P") ' + "{ children " * 12 + "{ code }" + " }" * 12 + " }"
    body = embedded_api.query(deep)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_alias_limit(embedded_api: Api) -> None:
    aliases = " ".join(f'a{i}: meter(code: "M1") {{ code }}' for i in range(31))
    body = embedded_api.query("{ " + aliases + " }")
    assert "aliases found" in body["errors"][0]["message"].lower()


def test_token_limit(embedded_api: Api) -> None:
    fields = " ".join(["code"] * 2100)
    body = embedded_api.query('{ meter(code: "M1") { ' + fields + " } }")
    assert "token" in body["errors"][0]["message"].lower()


class _Broken(EmbeddedStore):
    def entities(self, kind, codes):  # type: ignore[no-untyped-def]
        raise RuntimeError("password=hunter2 at db host 10.1.2.3")

    def ping(self) -> None:
        raise RuntimeError("down")


def test_unexpected_errors_are_masked_and_readyz_fails(tmp_path: Path) -> None:
    loaded = EmbeddedStore(tmp_path / "home")  # a network, so that the reader sees all of it
    load_folder(loaded, small_network().write(tmp_path / "src"), today=TODAY)
    loaded.close()
    for api in make_api(_Broken(tmp_path / "home"), tmp_path):
        body = api.query('{ meter(code: "M1") { code } }')
        assert body["errors"][0]["message"] == "Unexpected error."
        assert "hunter2" not in str(body)
        ready = api.client.get("/readyz")
        assert ready.status_code == 503 and ready.json() == {"status": "unavailable"}


def test_health_and_readiness(embedded_api: Api) -> None:
    assert embedded_api.client.get("/healthz").json() == {"status": "ok"}
    assert embedded_api.client.get("/readyz").json() == {"status": "ready"}


def test_mutations_only_by_post_and_no_batching(embedded_api: Api) -> None:
    client = embedded_api.client
    query = client.get("/graphql", params={"query": "{ substations { totalCount } }"})
    assert query.status_code == 200 and query.json()["data"]["substations"]["totalCount"] == 1
    mutation = (
        'mutation { areaRetire(input: {code: "T1", effective: "2026-11-28"}) { __typename } }'
    )
    by_get = client.get("/graphql", params={"query": mutation})
    assert by_get.status_code == 405 and "data" not in by_get.json()
    batch = client.post("/graphql", json=[{"query": "{ substations { totalCount } }"}] * 2)
    assert batch.status_code == 400


def test_graphiql_can_be_switched_off(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "home")
    html = {"accept": "text/html"}
    with TestClient(create_app(Settings(home=tmp_path), store=store)) as client:
        page = client.get("/graphql", headers=html)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    with TestClient(create_app(Settings(home=tmp_path, graphiql=False), store=store)) as client:
        assert client.get("/graphql", headers=html).status_code == 404
