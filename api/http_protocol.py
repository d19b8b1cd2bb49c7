"""GraphQL over HTTP (the draft specification of the GraphQL foundation): which media type a
response is in, and its status code.

- `application/graphql-response+json` when the caller's Accept header lists it first (or
  sends no Accept header: the specification's default since 2025); `application/json` when it
  lists that, `application/*` or `*/*` first (what most clients and browsers send). Neither
  listed: 406.
- A request that is not well-formed (not JSON, `query` not a string, `variables` not an
  object, a batch, an unsupported content type): 400 in both, with a GraphQL error body.
  A mutation sent by GET: 405 with `Allow: POST`. No key: 401; not permitted: 403.
- A response to a well-formed request in `application/json`: 200, errors or not.
  In `application/graphql-response+json`: a request error (the document does not parse or
  validate, a limit refuses it, a variable does not coerce) has no `data` entry and 400 (403
  when every error is FORBIDDEN); a response with `data` (even null, even with field
  errors) has 200.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.responses import Response
from starlette.types import Scope

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MEDIA_KEY = "taiqu.media"  # where the negotiated media type travels in the ASGI scope
STATUS_KEY = "taiqu.status"  # and the status its GraphQL response asks for

#: The code of an error raised before GraphQL runs, by HTTP status (docs/errors.md).
HTTP_CODES: Mapping[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in, from an Accept header; None when it accepts neither."""
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        answer = GRAPHQL_RESPONSE if media == GRAPHQL_RESPONSE else None
        if media in (JSON, "application/*", "*/*"):
            answer = JSON
        if answer is None:
            continue
        weight = _quality(params)
        if weight <= 0:
            continue
        rank = (weight, -position)  # the highest quality, then the first listed
        if best is None or rank > best:
            best, chosen = rank, answer
    return chosen


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8"


def header(scope: Scope, name: bytes) -> str | None:
    """The value of the request header `name` (lower case), None when it is not sent."""
    for key, value in scope.get("headers") or []:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def answer_media(scope: Scope) -> str:
    """The media type to refuse a request in: the one it accepts, else application/json."""
    return negotiate(header(scope, b"accept")) or JSON


class Refusal(HTTPException):
    """A request refused before GraphQL runs, with its own error code (not its status's)."""

    def __init__(self, status: int, reason: str, code: str) -> None:
        super().__init__(status, reason)
        self.code = code


def refuse(
    status: int, message: str, media: str, method: str = "", code: str | None = None
) -> Response:
    """A refusal before GraphQL runs, as a GraphQL response without data, in `media`."""
    code = code or HTTP_CODES.get(status, "BAD_REQUEST")
    response = Response(error_body(message, code), status_code=status)
    response.headers["content-type"] = content_type(media)
    if status == 405:
        response.headers["allow"] = "POST" if method == "GET" else "GET, POST"
    return response


def error_body(message: str, code: str, **extensions: Any) -> bytes:
    """A GraphQL response with one request error and no data."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return orjson.dumps({"errors": [error]})


def is_request_error(response: Mapping[str, Any]) -> bool:
    """A response whose operation never ran: no data and only errors without a path (a
    document that does not parse or validate, a limit, a variable that does not coerce)."""
    errors = response.get("errors") or []
    return response.get("data") is None and bool(errors) and not any(e.get("path") for e in errors)


def status_of(response: Mapping[str, Any], media: str) -> int:
    """The status of a GraphQL response served as `media` (its `data` dropped by the caller
    when it is a request error, see module doc)."""
    if media != GRAPHQL_RESPONSE or "data" in response:
        return 200
    codes = {(e.get("extensions") or {}).get("code") for e in response.get("errors") or []}
    if codes == {"FORBIDDEN"}:
        return 403
    if codes == {"UNAUTHENTICATED"}:
        return 401
    return 400
