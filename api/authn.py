"""Who is asking: every GraphQL request carries `Authorization: Bearer <API key>` of an active
principal, or gets HTTP 401 with error code UNAUTHENTICATED before anything is parsed.

Keys are looked up by their hash in the store; what a lookup found is kept a few seconds per
process (a revoked key is refused by every server within KEPT_S), bounded in number so that
random keys cannot fill the memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from api.http_protocol import answer_media, header, refuse
from api.observe import OBSERVED_KEY
from api.oidc import OidcVerifier, looks_like_jwt
from graph.domain import clock
from graph.domain.access import TOKEN_PREFIX, Principal, token_hash
from graph.stores.contract import Store
from taiqu.settings import OidcSettings

KEPT_S = 5.0  # how long a lookup's answer is trusted
KEPT_MAX = 4096  # lookups kept (known and unknown keys alike)
SCOPE_KEY = "taiqu.principal"  # where the request's principal travels in the ASGI scope
MAX_KEY_LENGTH = 8_192  # an access token can be long; beyond this it is no credential

UNAUTHENTICATED = "send an API key: Authorization: Bearer <key> (taiqu principals add)"


#: A GET with any of these runs an operation (a document by text, by hash or by id).
OPERATION_PARAMS = ("query", "extensions", "documentId")


def carries_operation(scope: Scope) -> bool:
    """A POST, or a GET with an operation's parameter: a request that runs an operation (a GET
    without one is GraphiQL's page)."""
    if scope["method"] == "POST":
        return True
    if scope["method"] != "GET":
        return False
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return any(name in params for name in OPERATION_PARAMS)


def bearer_key(authorization: str | None) -> str | None:
    scheme, _, key = (authorization or "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or len(key) > MAX_KEY_LENGTH:
        return None
    return key


class Principals:
    """Active principals by API key, each lookup trusted for KEPT_S; with OpenID Connect
    configured, also the principals that valid access tokens name (api/oidc.py)."""

    def __init__(self, store: Store, oidc: OidcSettings | None = None) -> None:
        self._store = store
        self._kept: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()
        self._tokens = OidcVerifier(oidc) if oidc is not None else None

    async def find(self, authorization: str | None, today: dt.date) -> Principal | None:
        key = bearer_key(authorization)
        if key is None:
            return None
        if not key.startswith(TOKEN_PREFIX):
            if self._tokens is None or not looks_like_jwt(key):
                return None
            return await asyncio.to_thread(self._tokens.principal, key, today)
        digest = token_hash(key)
        now = time.monotonic()
        kept = self._kept.get(digest)
        if kept is None or now - kept[0] > KEPT_S:
            found = await asyncio.to_thread(self._store.principal_by_key, digest)
            kept = (now, found)
            self._kept[digest] = kept
            while len(self._kept) > KEPT_MAX:
                self._kept.popitem(last=False)
        self._kept.move_to_end(digest)
        principal = kept[1]
        if principal is None or not principal.active_on(today) or not principal.holds(key):
            return None
        return principal


class RequireKey:
    """ASGI middleware for /graphql: every request that carries an operation (a POST, a GET
    with `query`) needs an active principal, which it puts in the scope for the request's
    context; other GETs are the GraphiQL page, which holds no data."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state  # the app's state: its `principals`, set by the lifespan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not carries_operation(scope):
            await self.app(scope, receive, send)
            return
        principals: Principals = self.state.principals
        principal = await principals.find(header(scope, b"authorization"), clock.today())
        observed = scope.get(OBSERVED_KEY)
        if observed is not None and principal is not None:
            observed["principal"] = principal.name
        if principal is None:
            refused = refuse(401, UNAUTHENTICATED, answer_media(scope))
            refused.headers["www-authenticate"] = 'Bearer realm="taiqu"'
            await refused(scope, receive, send)
            return
        await self.app({**scope, SCOPE_KEY: principal}, receive, send)
