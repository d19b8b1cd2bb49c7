"""The per-request context: everything a resolver needs comes through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import strawberry

from api.dataloaders import Loaders, build_loaders
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
