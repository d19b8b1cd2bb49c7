"""The per-request context: everything a resolver needs comes through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from api.dataloaders import Loaders, build_loaders
from graph.mismatches import MismatchCache
from graph.series.reader import LossReader
from graph.store import Store
from taiqu.settings import Settings


@dataclass
class Context:
    store: Store
    loss: LossReader
    settings: Settings
    loaders: Loaders
    mismatches: MismatchCache
    today: dt.date = field(default_factory=dt.date.today)


def build_context(
    store: Store, loss: LossReader, settings: Settings, mismatches: MismatchCache
) -> Context:
    return Context(
        store=store,
        loss=loss,
        settings=settings,
        loaders=build_loaders(store, loss),
        mismatches=mismatches,
    )
