"""OpenTelemetry: a span per request joining the caller's trace, a child per store call, and
nothing of the document or the variables on them."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.testclient import TestClient

from api.app import create_app
from api.tracing import tracer_with
from graph.domain.access import Role
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import READER_KEY, TODAY, add_principal
from tests.builder import small_network

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_a_span_per_request_with_its_store_calls(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "home")
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    add_principal(store, "reader", READER_KEY, Role.MARKETING)
    exporter = InMemorySpanExporter()
    tracer = tracer_with(SimpleSpanProcessor(exporter))
    app = create_app(
        Settings(home=tmp_path / "x", sync_check_ms=600_000), store=store, tracer=tracer
    )
    with TestClient(app, headers={"Authorization": f"Bearer {READER_KEY}"}) as client:
        response = client.post(
            "/graphql",
            json={
                "query": "query OneMeter($c: String!) { meter(code: $c) { code } }",
                "variables": {"c": "M1"},
            },
            headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
        )
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    (request,) = [s for s in spans if s.name == "POST /graphql"]
    assert f"{request.context.trace_id:032x}" == TRACE_ID  # joined the caller's trace
    attributes = dict(request.attributes or {})
    assert attributes["taiqu.operation"] == "OneMeter"
    assert attributes["taiqu.principal"] == "reader"
    assert attributes["http.response.status_code"] == 200
    ours = request.context.trace_id
    calls = [s for s in spans if s.name.startswith("store.") and s.context.trace_id == ours]
    assert calls and all(s.parent is not None for s in calls)  # the request's store calls
    assert "store.versions" in {s.name for s in calls}
    shown = str([dict(s.attributes or {}) for s in spans])
    assert "M1" not in shown and "meter(code" not in shown  # no variables, no document
    store.close()
