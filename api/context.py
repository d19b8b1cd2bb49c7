"""The per-request context: everything a resolver needs comes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension

from api.dataloaders import Loaders, build_loaders
from api.feed import ChangeFeed
from graph.domain import clock
from graph.domain.access import Principal
from graph.domain.model import Kind
from graph.series.reader import LossReader
from graph.services.findings import FindingsCache
from graph.services.mismatches import MismatchCache
from graph.stores.contract import Store
from taiqu.settings import Settings


@dataclass
class Context:
    store: Store
    loss: LossReader
    settings: Settings
    loaders: Loaders
    mismatches: MismatchCache
    findings: FindingsCache = field(default_factory=FindingsCache)  # shared by the app
    principal: Principal | None = None  # who asks (api/authn.py); None only outside HTTP
    # The principal sees only its unit's subtree (api/scope_guard.py sets it per request).
    narrowed: bool = False
    graph_version: int = -1  # the topology's version this request's scope was found on
    read_only: bool = False  # the data folder cannot be written: no change events
    today: dt.date = field(default_factory=clock.today)
    # The request's record for its access log line and metrics (api/observe.py); None outside
    # HTTP.
    observed: dict[str, Any] | None = None
    feed: ChangeFeed | None = None  # new changesets for subscriptions (api/feed.py)
    connection_params: dict[str, Any] | None = None  # a WebSocket's connection_init payload
    # Roots whose trees are in the loaders already: (kind, code, day) (api/prefetch.py)
    trees_read: set[tuple[Kind, str, dt.date]] = field(default_factory=set)
    # Which entities lie in a narrowed principal's scope, per day: asked once per request
    # (api/scope_guard.py): the answers so far, and the loader asking the others in batches.
    scope_known: dict[tuple[Kind, str, dt.date], bool] = field(default_factory=dict)
    scope_checks: DataLoader[tuple[Kind, str, dt.date], bool] | None = None

    def read_scope(self) -> object:
        """What decides which data this caller may read and how it is shown: part of a kept
        answer's key (the principal's unit and whether it sees personal data)."""
        p = self.principal
        return None if p is None else (p.org, p.sees_personal_data())

    def scope_org(self) -> str | None:
        """The org unit whose subtree this request sees; None: the whole network."""
        return self.principal.org if self.narrowed and self.principal is not None else None

    def sees_personal_data(self) -> bool:
        return self.principal is not None and self.principal.sees_personal_data()


def scope_within(ctx: Context, kind: Kind) -> str | None:
    """The org unit whose areas alone count in a roll-up or count under a node of `kind`:
    the narrowed principal's, under a substation or feeder (they may feed several units'
    areas); None under a unit or area in scope (all its areas are in scope with it)."""
    return ctx.scope_org() if kind in (Kind.SUBSTATION, Kind.FEEDER) else None


#: What resolvers receive as `info`: the request's Context, no root value.
Info = strawberry.Info[Context, None]


def build_context(
    store: Store,
    loss: LossReader,
    settings: Settings,
    mismatches: MismatchCache,
    principal: Principal | None = None,
    read_only: bool = False,
    findings: FindingsCache | None = None,
    observed: dict[str, Any] | None = None,
    feed: ChangeFeed | None = None,
) -> Context:
    """`principal`: who asks, found by api/authn.py from the request's API key."""
    return Context(
        store=store,
        loss=loss,
        settings=settings,
        loaders=build_loaders(store, loss, mismatches),
        mismatches=mismatches,
        findings=findings if findings is not None else FindingsCache(),
        principal=principal,
        read_only=read_only,
        observed=observed,
        feed=feed,
    )


#: The Context of the request being executed, for what is built without `info` at hand: a
#: node's dated values are read when its object is made (api/types/values.py).
CURRENT: ContextVar[Context] = ContextVar("taiqu_request_context")


class CurrentContext(SchemaExtension):
    """Sets CURRENT for the execution (resolver tasks copy it when they are created)."""

    def on_execute(self) -> Iterator[None]:
        token = CURRENT.set(self.execution_context.context)
        try:
            yield
        finally:
            CURRENT.reset(token)
