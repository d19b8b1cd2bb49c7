"""The per-request context: everything a resolver needs comes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import strawberry
from strawberry.extensions import SchemaExtension

from api.dataloaders import Loaders, build_loaders
from graph.domain.model import Kind
from graph.series.reader import LossReader
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
    writer: str | None = None  # who sent a valid writer token (None: read-only caller)
    read_only: bool = False  # the data folder cannot be written: no change events
    today: dt.date = field(default_factory=dt.date.today)
    # Roots whose trees are in the loaders already: (kind, code, day) (api/prefetch.py)
    trees_read: set[tuple[Kind, str, dt.date]] = field(default_factory=set)

    def read_scope(self) -> object:
        """What decides which data this caller may read: part of a kept answer's key. Every
        caller reads the same network today; per-principal scopes come with departments."""
        return None


#: What resolvers receive as `info`: the request's Context, no root value.
Info = strawberry.Info[Context, None]


def build_context(
    store: Store,
    loss: LossReader,
    settings: Settings,
    mismatches: MismatchCache,
    authorization: str | None = None,
    read_only: bool = False,
) -> Context:
    """`authorization`: the request's Authorization header ("Bearer <token>")."""
    scheme, _, token = (authorization or "").partition(" ")
    writer = settings.writer(token.strip()) if scheme.lower() == "bearer" and token else None
    return Context(
        store=store,
        loss=loss,
        settings=settings,
        loaders=build_loaders(store, loss, mismatches),
        mismatches=mismatches,
        writer=writer,
        read_only=read_only,
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
