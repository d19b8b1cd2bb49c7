"""Documents by hash: trusted documents for integration principals, automatic persisted
queries for everyone else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.documents import sha256
from graph.domain.access import Role
from graph.domain.errors import ConfigError
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import TODAY, Api, add_principal, make_api
from tests.builder import small_network

METER = '{ meter(code: "M1") { code } }'
OTHER = '{ meter(code: "M2") { code } }'
SYSTEM_KEY = "tq_test-integration-key-for-documents-000000"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    manifest = tmp_path / "documents.json"
    manifest.write_text(json.dumps({f"sha256:{sha256(METER)}": METER}), encoding="utf-8")
    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    add_principal(store, "billing-system", SYSTEM_KEY, Role.INTEGRATION)
    yield from make_api(store, tmp_path, trusted_documents=manifest)
    store.close()


def _post(api: Api, body: dict[str, object], key: str | None = None) -> tuple[int, dict]:
    headers = {"authorization": f"Bearer {key}"} if key else None
    response = api.client.post("/graphql", json=body, headers=headers)
    return response.status_code, response.json()


def test_an_integration_principal_runs_trusted_documents_only(api: Api) -> None:
    by_id = _post(api, {"documentId": f"sha256:{sha256(METER)}"}, SYSTEM_KEY)
    assert by_id == (200, {"data": {"meter": {"code": "M1"}}, "extensions": by_id[1]["extensions"]})
    by_text = _post(api, {"query": METER}, SYSTEM_KEY)
    assert by_text[1]["data"] == {"meter": {"code": "M1"}}  # the same text is the same document
    status, body = _post(api, {"query": OTHER}, SYSTEM_KEY)
    assert status == 403 and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "data" not in body
    get = api.client.get(
        "/graphql",
        params={"documentId": sha256(METER)},
        headers={"authorization": f"Bearer {SYSTEM_KEY}"},
    )
    assert get.status_code == 200 and get.json()["data"] == {"meter": {"code": "M1"}}
    # Other principals are not bound to the registry.
    assert _post(api, {"query": OTHER})[1]["data"] == {"meter": {"code": "M2"}}


def test_automatic_persisted_queries(api: Api) -> None:
    hashed = {"persistedQuery": {"version": 1, "sha256Hash": sha256(OTHER)}}
    status, body = _post(api, {"extensions": hashed})
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    status, body = _post(api, {"extensions": hashed, "query": OTHER})
    assert status == 200 and body["data"] == {"meter": {"code": "M2"}}
    status, body = _post(api, {"extensions": hashed})  # kept: the hash alone is enough now
    assert status == 200 and body["data"] == {"meter": {"code": "M2"}}
    by_get = api.client.get("/graphql", params={"extensions": json.dumps(hashed)})
    assert by_get.status_code == 200 and by_get.json()["data"] == {"meter": {"code": "M2"}}
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": sha256(METER)}}
    status, body = _post(api, {"extensions": wrong, "query": OTHER})
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    anonymous = api.client.get(
        "/graphql", params={"extensions": json.dumps(hashed)}, headers={"authorization": ""}
    )
    assert anonymous.status_code == 401  # a GET by hash needs a key like any operation


def test_a_manifest_whose_hash_is_not_its_documents_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "documents.json"
    manifest.write_text(json.dumps({sha256(OTHER): METER}), encoding="utf-8")
    store = EmbeddedStore(tmp_path / "home")
    with pytest.raises(ConfigError, match="is not the sha256 of its document"):
        for _ in make_api(store, tmp_path, trusted_documents=manifest):
            pass
    store.close()
    assert Settings.from_env({"TAIQU_TRUSTED_DOCUMENTS": str(manifest)}).trusted_documents
