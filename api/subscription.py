"""Subscriptions (graphql-transport-ws over a WebSocket at /graphql): new changesets as they
are written, scoped like every read (docs/integration.md)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from api.context import Info
from api.scope_guard import scope_on
from api.types.changeset import Changeset, scoped_details
from api.types.resolve import context
from graph.domain.errors import AccessDenied, InputError


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each changeset as it is written (a load, an applied plan, a change event; "
        "by any process), oldest first; with `since` (a graph version), the ones written after "
        "it first. Below the top unit: those naming something of your scope."
    )
    async def changesets(
        self,
        info: Info,
        since: Annotated[
            int | None,
            strawberry.argument(description="A graph version: catch up from after it."),
        ] = None,
    ) -> AsyncGenerator[Changeset, None]:
        ctx = context(info)
        if ctx.principal is None or ctx.feed is None:
            raise AccessDenied("send an API key in connection_init: {Authorization: Bearer <key>}")
        if since is not None and since < 0:
            raise InputError("since: a graph version, 0 or more")
        ctx.narrowed = not (await scope_on(ctx, ctx.today)).everything
        async for record in ctx.feed.follow(since):
            if ctx.narrowed and await scoped_details(ctx, record) is None:
                continue
            yield Changeset(record=record)
