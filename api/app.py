"""The Starlette app: /graphql (GraphiQL optional), /healthz, /readyz.

One store (and so one Neo4j Driver) per app, opened and closed by the lifespan.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.authn import OPERATION_PARAMS, SCOPE_KEY, Principals, RequireKey, carries_operation
from api.body_limit import BodyLimit
from api.context import Context, build_context
from api.documents import Documents, read_trusted
from api.feed import ChangeFeed
from api.http_protocol import (
    GRAPHQL_RESPONSE,
    JSON,
    MEDIA_KEY,
    STATUS_KEY,
    Refusal,
    content_type,
    header,
    is_request_error,
    negotiate,
    refuse,
    status_of,
)
from api.observe import OBSERVED_KEY, ObserveRequests, TimedStore, metrics
from api.schema import build_schema
from api.tracing import otlp_tracer
from graph.domain import clock
from graph.domain.access import Role
from graph.domain.errors import StoreError
from graph.series.files import SeriesFolder
from graph.series.reader import LossReader
from graph.series.writer import behind, ensure_synced
from graph.services.data_check import check_data
from graph.services.findings import FindingsCache
from graph.services.mismatches import MismatchCache
from graph.stores.contract import Store
from taiqu.settings import Settings

log = logging.getLogger("taiqu.api")
access_log = logging.getLogger("taiqu.access")

GRAPHIQL_FILES = Path(__file__).resolve().parent / "static" / "graphiql"
# The explorer (built from web/ by Vite): its page at /, its hashed assets under /explorer.
EXPLORER_FILES = Path(__file__).resolve().parent / "static" / "explorer"
EXPLORER_ASSETS = "/explorer"
GRAPHIQL_PAGE = GRAPHIQL_FILES / "index.html"
GRAPHIQL_ASSETS = "/graphiql-assets"
# GraphiQL and ECharts style inline (style-src needs 'unsafe-inline'); scripts only from us.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


async def explorer_page(request: Request) -> Response:
    """The explorer's page: it holds no data (every figure comes from /graphql with the
    principal's key), and its policy lets it load nothing from anywhere but this server."""
    page = (EXPLORER_FILES / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(page, headers={**PAGE_HEADERS, "Cache-Control": "no-cache"})


class TaiquGraphQL(GraphQL):
    """Strawberry's ASGI app with Taiqu's per-request context, answering as GraphQL over HTTP
    says (api/http_protocol.py): queries by GET or POST, mutations by POST only."""

    def __init__(self, app_state: Any, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql else None,
            # Queries by GET too (cacheable links for integrators); a GET carries no state
            # change: mutations are refused with 405, and every GET needs a key like a POST.
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.cors_origins,  # a browser's WebSocket from another page
        )
        self._state = app_state
        self._settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        media = negotiate(header(scope, b"accept"))
        if media is None and not _asks_for_page(scope):
            refusal = "send Accept: application/graphql-response+json or application/json"
            await refuse(406, refusal, JSON)(scope, receive, send)
            return
        answer_in = scope[MEDIA_KEY] = media or JSON  # a page request accepting neither
        if scope["method"] == "POST" and not _is_json(header(scope, b"content-type")):
            refusal = "send the operation as Content-Type: application/json"
            await refuse(415, refusal, answer_in)(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            code = exc.code if isinstance(exc, Refusal) else None
            status = exc.status_code
            if status == 200 and media == GRAPHQL_RESPONSE:  # no data: never 2xx in this type
                status = 400
            response = refuse(status, exc.reason, answer_in, scope["method"], code)
        if isinstance(response, Response) and STATUS_KEY in scope:
            response.status_code = scope[STATUS_KEY]
            response.headers["content-type"] = content_type(answer_in)
        await response(scope, receive, send)

    async def parse_http_body(self, request: Any) -> Any:
        found = await super().parse_http_body(request)
        if not isinstance(found, list) and not isinstance(found.operation_name, str | None):
            raise HTTPException(400, "`operationName` must be a string or null, if provided")
        return found

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):  # a mutation by GET
                raise HTTPException(405, exc.reason) from exc
            raise

    async def process_result(self, request: Any, result: Any) -> Any:
        """The response of one operation; in application/graphql-response+json without
        `data` when the operation never ran, and the status the media type asks for."""
        response = await super().process_result(request, result)
        media = request.scope.get(MEDIA_KEY, JSON)
        if media == GRAPHQL_RESPONSE and is_request_error(response):
            response.pop("data", None)
        request.scope[STATUS_KEY] = status_of(response, media)
        return response

    async def render_graphql_ide(self, request: Any) -> Response:
        """Taiqu's own GraphiQL page (api/static/graphiql): every file from this server, which
        the Content-Security-Policy enforces; works on an intranet with no way out."""
        return HTMLResponse(GRAPHIQL_PAGE.read_text(encoding="utf-8"), headers=PAGE_HEADERS)

    def decode_json(self, data: str | bytes) -> object:
        """A body that is not a JSON object (or a list, refused as a batch) is the caller's
        mistake: HTTP 400, never 500 (invalid UTF-8, `null`, a string, nesting too deep, a
        lone surrogate such as "\\ud800", which no store can encode: orjson refuses it)."""
        try:
            body = orjson.loads(data)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(body, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        if isinstance(body, dict):
            _document_id_into_extensions(body)
        return body

    def should_render_graphql_ide(self, request: Any) -> bool:
        """GraphiQL's page for a GET without an operation (by text, hash or id) from a
        browser."""
        if request.method != "GET" or any(p in request.query_params for p in OPERATION_PARAMS):
            return False
        accept = request.headers.get("accept", "")
        return "text/html" in accept or "*/*" in accept

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        found = super().parse_query_params(params)
        _document_id_into_extensions(found)
        return found

    async def execute_operation(
        self,
        request: Any,
        request_adapter: Any,
        request_data: Any,
        context: Any,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        """A document sent by hash becomes its text (api/documents.py); an integration
        principal runs trusted documents only when a registry is configured."""
        if isinstance(request_data, GraphQLRequestData):
            extensions = request_data.extensions
            principal = getattr(context, "principal", None)
            integration = principal is not None and principal.role is Role.INTEGRATION
            request_data.query = self._state.documents.resolve(
                request_data.query, extensions, integration
            )
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    def encode_json(self, data: object) -> bytes:
        """orjson: an explorer page (30 KB) encodes in a tenth of json.dumps's time; UTF-8
        text as it is (json.dumps would escape every Chinese character)."""
        try:
            return orjson.dumps(data)
        except TypeError:  # a value orjson does not know (none is expected): the slow way
            return json.dumps(data, separators=(",", ":"), default=str).encode()

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        state = self._state
        return build_context(
            state.store,
            state.loss,
            self._settings,
            state.mismatches,
            request.scope.get(SCOPE_KEY),
            read_only=getattr(state, "read_only", False),
            findings=state.findings,
            observed=request.scope.get(OBSERVED_KEY),
            feed=state.feed,
        )

    async def on_ws_connect(self, context: Any) -> Any:
        """A WebSocket says who it is in connection_init's payload ({"Authorization": "Bearer
        <key>"}, as the header of an HTTP request): no active principal, no connection
        (closed with 4403)."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("Authorization") or params.get("authorization")
        principal = await self._state.principals.find(
            authorization if isinstance(authorization, str) else None, clock.today()
        )
        if principal is None:
            raise ConnectionRejectionError({"message": "send an API key in connection_init"})
        context.principal = principal
        return None


def _document_id_into_extensions(body: dict[str, Any]) -> None:
    """`documentId` (GraphQL over HTTP's persisted documents) travels in `extensions`, the
    only place strawberry passes on."""
    if "documentId" in body:
        extensions = body.get("extensions")
        if extensions is None:
            body["extensions"] = extensions = {}
        if isinstance(extensions, dict):
            extensions["documentId"] = body.pop("documentId")


def _is_json(content: str | None) -> bool:
    return (content or "").split(";")[0].strip().lower() == JSON


def _asks_for_page(scope: Scope) -> bool:
    """A GET without an operation: GraphiQL's page, which holds no data."""
    return scope["method"] == "GET" and not carries_operation(scope)


def loss_behind(series: SeriesFolder, store: Store) -> bool:
    return behind(series.read(), store)


def _check_at_start(store: Store, series: SeriesFolder) -> list[str]:
    """The deep check of the data folder: refuse to start on what would mislead; the rest is
    returned (the server stays not ready until it is repaired and restarted)."""
    found = check_data(store, series, deep=True)
    for problem in found.problems:
        log.error("data folder: %s", problem)
    if found.fatal:
        raise StoreError("cannot serve this data: " + "; ".join(found.fatal))
    return found.problems


async def _follow_topology(
    app: Starlette, series: SeriesFolder, every_ms: int, resync: bool = True
) -> None:
    """Keep the loss copy in step with the topology when another process wrote it and died
    before its sync (or a disk filled up): not ready while behind, then resync (unless the
    home is read-only: then not ready until someone who can write has synced it)."""
    while True:
        await asyncio.sleep(every_ms / 1000)
        try:
            if await asyncio.to_thread(loss_behind, series, app.state.store):
                app.state.loss_behind = True
                if not resync:
                    continue
                log.warning("the loss copy is behind the topology: resyncing")
                await asyncio.to_thread(ensure_synced, series, app.state.store, log.info)
            app.state.loss_behind = False
        except Exception:  # a store or disk fault: stay not ready, try again next round
            app.state.loss_behind = True
            log.exception("could not bring the loss copy in step with the topology")


def create_app(
    settings: Settings | None = None, store: Store | None = None, tracer: Any = None
) -> Starlette:
    """Build the app; pass `store` to serve an already open store (tests, demo). Loss is read
    from the series folder under the settings' home."""
    settings = settings or Settings.from_env()
    clock.set_zone(settings.timezone)
    tracer = tracer or (otlp_tracer(settings.otlp_endpoint) if settings.otlp_endpoint else None)
    series = settings.series_folder()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        read_only = settings.home_is_read_only()
        app.state.read_only = read_only
        opened = store or settings.open_store(read_only=read_only)
        app.state.store = TimedStore(opened, tracer) if settings.metrics or tracer else opened
        try:
            app.state.start_problems = await asyncio.to_thread(
                _check_at_start, app.state.store, series
            )
        except BaseException:
            if owned:
                app.state.store.close()
            raise
        # A topology loaded before readings existed, or a load that crashed between its
        # topology write and the sync: repair the copy loss reads before answering.
        if read_only:
            log.warning("%s is read-only: serving it read-only (no change events)", settings.home)
        elif await asyncio.to_thread(ensure_synced, series, app.state.store, log.info):
            log.info("synced the series copy of the topology")
        app.state.loss = LossReader(series, settings.loss_rules())
        app.state.mismatches = MismatchCache()
        app.state.feed = ChangeFeed(app.state.store)
        trusted = settings.trusted_documents
        app.state.documents = Documents(read_trusted(trusted) if trusted else None)
        app.state.findings = FindingsCache()
        app.state.principals = Principals(app.state.store, settings.oidc)
        app.state.loss_behind = False
        # /readyz's checks on a thread of their own: never queued behind heavy requests.
        app.state.probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="taiqu-probe")
        watcher = asyncio.create_task(
            _follow_topology(app, series, settings.sync_check_ms, resync=not read_only)
        )
        log.info("serving %r", settings)
        try:
            yield
        finally:
            watcher.cancel()
            app.state.probes.shutdown(wait=False)
            app.state.loss.close()
            if owned:
                app.state.store.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        state = request.app.state
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(state.probes, check_data, state.store, series)
            lagging = state.loss_behind or await loop.run_in_executor(
                state.probes, loss_behind, series, state.store
            )
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        problems = state.start_problems + found.fatal + found.problems
        if problems:
            body = {"status": "data folder damaged", "problems": list(dict.fromkeys(problems))}
            return JSONResponse(body, status_code=503)
        if lagging:
            return JSONResponse({"status": "loss is behind the topology"}, status_code=503)
        ready: dict[str, object] = {"status": "ready"}
        if state.read_only:
            ready["readOnly"] = True  # served, but no change events
        return JSONResponse(ready)

    routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/readyz", readyz)]
    if settings.metrics:
        routes.append(Route("/metrics", metrics))
    if settings.explorer:
        routes.append(Route("/", explorer_page))
        explorer = StaticFiles(directory=EXPLORER_FILES)
        routes.append(Mount(EXPLORER_ASSETS, app=explorer, name="explorer-assets"))
    if settings.graphiql:
        assets = StaticFiles(directory=GRAPHIQL_FILES)
        routes.append(Mount(GRAPHIQL_ASSETS, app=assets, name="graphiql-assets"))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:  # outermost: a preflight is answered before anything else
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "accept"],
            max_age=600,
        )
    graphql = TaiquGraphQL(app.state, settings)
    # An ASGI app as a route endpoint: Starlette passes scope/receive/send straight through.
    keyed = RequireKey(graphql, app.state)  # no operation without an active principal
    observed = ObserveRequests(keyed, access_log, tracer)  # its id, metrics, log line, span
    app.add_route("/graphql", observed, methods=["GET", "POST"])  # type: ignore[arg-type]
    # Subscriptions: graphql-transport-ws; the key comes in connection_init (on_ws_connect).
    app.router.routes.append(WebSocketRoute("/graphql", graphql))
    return app
