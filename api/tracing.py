"""Optional OpenTelemetry traces: one span per GraphQL request (joining the caller's trace
when it sends a W3C `traceparent`), a child span per store call, exported over OTLP/HTTP
when `TAIQU_OTLP_ENDPOINT` is set (`pip install 'taiqu[otel]'`). Spans carry the request id,
principal, operation name, status and error codes; never the document, variables or
answers (strawberry's own tracing extension records the query text and every argument, and
a span per field: not used)."""

from __future__ import annotations

from typing import Any

from graph.domain.errors import ConfigError


def otlp_tracer(endpoint: str, service: str = "taiqu") -> Any:
    """A tracer exporting to the OTLP/HTTP collector at `endpoint`."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise ConfigError(
            "TAIQU_OTLP_ENDPOINT needs OpenTelemetry: pip install 'taiqu[otel]'"
        ) from exc
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    return tracer_with(BatchSpanProcessor(exporter), service)


def tracer_with(processor: Any, service: str = "taiqu") -> Any:
    """A tracer of its own provider (not the process-wide one) handing spans to `processor`."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(processor)
    return provider.get_tracer("taiqu")


def request_span(tracer: Any, scope: dict[str, Any]) -> Any:
    """The span of one HTTP request, a child of the caller's trace when it sent one."""
    from opentelemetry.propagate import extract
    from opentelemetry.trace import SpanKind

    carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    name = f"{scope.get('method', 'GET')} {scope.get('path', '/graphql')}"
    return tracer.start_as_current_span(name, context=extract(carrier), kind=SpanKind.SERVER)
