"""/metrics counts what clients sent; one access line per request with its id, never the
variables; JSON log lines when asked."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.observe import operation_label
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from taiqu.logs import JsonFormatter
from tests.api.conftest import TODAY, make_api
from tests.builder import small_network


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_metrics_count_requests_by_operation_and_outcome(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    for api in make_api(store, tmp_path):
        before = _samples(api.client.get("/metrics").text, "taiqu_requests_total")
        query = 'query CountedMeter { meter(code: "M1") { code } }'
        for _ in range(3):
            api.data(query)
        api.client.post("/graphql", json={"query": "query Broken { nope }"})
        api.client.post("/graphql", json={"query": "{ __typename }"}, headers={"authorization": ""})
        text = api.client.get("/metrics").text
        after = _samples(text, "taiqu_requests_total")
        ok, errors, refused = (
            after.get(k, 0.0) - before.get(k, 0.0)
            for k in (
                (("operation", "CountedMeter"), ("outcome", "ok")),  # 2 of 3 kept answers
                (("operation", "Broken"), ("outcome", "errors")),  # application/json: 200
                (("operation", "-"), ("outcome", "refused")),  # no key: 401
            )
        )
        assert (ok, errors, refused) == (3, 1, 1)
        calls = _samples(text, "taiqu_store_call_seconds_count")
        assert calls[(("call", "versions"),)] >= 4  # read before each query (kept or not)
        assert sum(calls.values()) > calls[(("call", "versions"),)]  # and what answered them
        assert "taiqu_graph_version" in text
    store.close()


def test_one_access_line_per_request_without_variables(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    for api in make_api(store, tmp_path):
        with caplog.at_level(logging.INFO, logger="taiqu.access"):
            response = api.client.post(
                "/graphql",
                json={
                    "query": "query OneMeter($c: String!) { meter(code: $c) { code } }",
                    "variables": {"c": "M1-secret-variable"},
                },
                headers={"x-request-id": "trace-42"},
            )
        assert response.headers["x-request-id"] == "trace-42"
        (line,) = [r for r in caplog.records if r.name == "taiqu.access"]
        assert line.request_id == "trace-42"  # type: ignore[attr-defined]
        assert line.principal == "reader"  # type: ignore[attr-defined]
        assert line.operation == "OneMeter" and line.status == 200  # type: ignore[attr-defined]
        assert line.duration_ms >= 0  # type: ignore[attr-defined]
        formatted = json.loads(JsonFormatter().format(line))
        assert formatted["request_id"] == "trace-42" and formatted["message"] == "request"
        assert "secret" not in json.dumps(formatted) and "M1" not in json.dumps(formatted)
        fresh = api.client.post("/graphql", json={"query": "{ __typename }"})
        assert len(fresh.headers["x-request-id"]) == 32  # a new id when none is sent
    store.close()


def test_operation_labels_are_bounded() -> None:
    assert operation_label(None) == "-"
    assert operation_label("x" * 100) == "-"  # too long: not a label
    assert operation_label("Ok_1") == "Ok_1"
    names = [operation_label(f"Name{i}") for i in range(500)]
    assert "other" in names  # past MAX_OPERATIONS distinct names
