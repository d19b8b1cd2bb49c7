"""What operators see of the running service: Prometheus metrics on /metrics and one access
log line per GraphQL request (request id, principal, operation name, status, duration; never
variables nor answers).

Metrics (prometheus_client; with `taiqu serve --workers N` counted in files every worker
shares, so that any worker's /metrics has them all):

- `taiqu_requests_total{operation, outcome}`: every request to /graphql. `outcome`: ok,
  errors (answered with field errors), refused (a request error: 4xx, no data, or 401),
  failed (5xx). `operation`: the operation's name when it has a plain one, else "-"; at most
  MAX_OPERATIONS names are kept apart, the rest are "other" (clients choose names: a label
  they could make unbounded would fill the server's memory).
- `taiqu_request_seconds{operation}`: their durations (histogram).
- `taiqu_store_call_seconds{call}`: every store call's duration, by contract method.
- `taiqu_change_events_total{event, outcome}`: change events (mutations) applied or refused.
- `taiqu_graph_version`: the topology's version as last seen (loads and applies of other
  processes raise it).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

from api.http_protocol import header
from api.tracing import request_span

MAX_OPERATIONS = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: prometheus_client's switch to counting in files shared by the worker processes.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
OBSERVED_KEY = "taiqu.observed"  # the request's record in the ASGI scope, filled as it goes

REQUESTS = Counter(
    "taiqu_requests_total", "GraphQL requests by operation and outcome", ["operation", "outcome"]
)
REQUEST_SECONDS = Histogram(
    "taiqu_request_seconds",
    "GraphQL request durations",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30),
)
STORE_SECONDS = Histogram(
    "taiqu_store_call_seconds",
    "Store call durations by contract method",
    ["call"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)
CHANGE_EVENTS = Counter(
    "taiqu_change_events_total", "Change events by event and outcome", ["event", "outcome"]
)
# "max": with several worker processes, the highest any of them has seen.
GRAPH_VERSION = Gauge(
    "taiqu_graph_version", "The topology's version as last seen", multiprocess_mode="max"
)

_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """A bounded label for a client-chosen operation name."""
    if not name or not _NAME.fullmatch(name):
        return "-"
    if name in _operations:
        return name
    if len(_operations) >= MAX_OPERATIONS:
        return "other"
    _operations.add(name)
    return name


def outcome_of(status: int, codes: list[str]) -> str:
    if status >= 500 or "INTERNAL" in codes:
        return "failed"
    if status >= 400:
        return "refused"
    return "errors" if codes else "ok"


def request_id(given: str | None) -> str:
    """The caller's X-Request-Id when it is a plain token, else a new one."""
    if given and _REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class TimedStore:
    """The store, each contract call timed into STORE_SECONDS (and the graph version read
    before each request kept in GRAPH_VERSION)."""

    def __init__(self, inner: Any, tracer: Any = None) -> None:
        self._inner = inner
        self._tracer = tracer  # OpenTelemetry (api/tracing.py): a span per call when set
        self._wrapped: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target) or name.startswith("_"):
            return target
        wrapped = self._wrapped.get(name)
        if wrapped is None:
            timer = STORE_SECONDS.labels(name)
            tracer = self._tracer

            def wrapped(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    if tracer is None:
                        found = target(*args, **kwargs)
                    else:
                        with tracer.start_as_current_span(f"store.{name}"):
                            found = target(*args, **kwargs)
                finally:
                    timer.observe(time.perf_counter() - started)
                if name == "versions" and isinstance(found, tuple) and found:
                    GRAPH_VERSION.set(found[0])
                return found

            self._wrapped[name] = wrapped
        return wrapped


async def metrics(request: Request) -> Response:
    """Every process's counts summed when `taiqu serve --workers N` shares a metrics folder
    (MULTIPROCESS_ENV, set by the CLI before the workers start); else this process's."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class ObserveRequests:
    """ASGI middleware around /graphql: a request id (the caller's X-Request-Id or a new one,
    echoed in the response), then, once answered, the request's metrics and its access log
    line. Inner layers fill OBSERVED_KEY's dict: the principal (api/authn.py), the operation's
    name and its error codes (api/access_log.py)."""

    def __init__(self, app: Any, log: Any, tracer: Any = None) -> None:
        self.app = app
        self.log = log
        self.tracer = tracer  # OpenTelemetry (api/tracing.py): a span per request when set

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(header(scope, b"x-request-id"))
        observed: dict[str, Any] = {"request_id": rid}
        status = 500

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            if self.tracer is None:
                await self.app({**scope, OBSERVED_KEY: observed}, receive, sending)
            else:
                with request_span(self.tracer, scope) as span:
                    await self.app({**scope, OBSERVED_KEY: observed}, receive, sending)
                    _describe_span(span, observed, status)
        finally:
            seconds = time.perf_counter() - started
            operation = operation_label(observed.get("operation"))
            codes = list(observed.get("codes") or [])
            REQUESTS.labels(operation, outcome_of(status, codes)).inc()
            REQUEST_SECONDS.labels(operation).observe(seconds)
            self.log.info(
                "request",
                extra={
                    "request_id": rid,
                    "principal": observed.get("principal") or "-",
                    "operation": observed.get("operation") or "-",
                    "document": observed.get("document") or "-",
                    "method": scope["method"],
                    "status": status,
                    "errors": codes,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )


def _describe_span(span: Any, observed: dict[str, Any], status: int) -> None:
    """What the access line says, on the request's span (no document, no variables)."""
    span.set_attribute("http.response.status_code", status)
    span.set_attribute("taiqu.request_id", observed["request_id"])
    for key in ("principal", "operation", "document"):
        if observed.get(key):
            span.set_attribute(f"taiqu.{key}", str(observed[key]))
    if observed.get("codes"):
        span.set_attribute("taiqu.errors", [str(c) for c in observed["codes"]])
