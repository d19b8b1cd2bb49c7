"""Per-request DataLoaders (built in get_context; never module-level, they would cache forever).

Each loader batches the keys of one resolver level into one store call per distinct
(relationship, date, page arguments) group, so a query costs a bounded number of round trips
whatever the number of nodes it touches. Store calls run in a worker thread so that the event
loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from graph.domain.changes import ChangesetRecord
from graph.domain.model import Entity, Kind, Link, Rel
from graph.series.loss import AreaLoss, LossSummary, Reading, ReadingCorrection
from graph.series.reader import LossReader
from graph.stores.contract import Direction, Page, Store

K = TypeVar("K", bound=tuple)
V = TypeVar("V")


def _grouped(
    fetch: Callable[[tuple, list[str]], dict[str, V]], default: Callable[[], V]
) -> Callable[[Sequence[tuple]], Any]:
    """A batch function over keys (group..., code): one `fetch(group, codes)` per group."""

    async def load(keys: Sequence[tuple]) -> list[V]:
        groups: dict[tuple, list[str]] = defaultdict(list)
        for key in keys:
            groups[key[:-1]].append(key[-1])
        results: dict[tuple, V] = {}
        for group, codes in groups.items():
            found = await asyncio.to_thread(fetch, group, codes)
            for code in codes:
                results[(*group, code)] = found[code] if code in found else default()
        return [results[tuple(k)] for k in keys]

    return load


@dataclass
class Loaders:
    """Loaders of one request. Keys end with the code; the rest of a key is its group."""

    entity: DataLoader[tuple[Kind, str], Entity | None]
    neighbors: DataLoader[tuple[Rel, Direction, dt.date, str], list[Entity]]
    child_page: DataLoader[tuple[Rel, dt.date, int, str | None, str | None, str], Page]
    org_transformer_page: DataLoader[tuple[dt.date, int, str | None, str], Page]
    # Loss: keys (scope kind, from, to, code) or (from, to, code); one query per group.
    loss_summary: DataLoader[tuple[str, dt.date, dt.date, str], LossSummary]
    loss_series: DataLoader[tuple[str, dt.date, dt.date, str], list[LossSummary]]
    area_loss: DataLoader[tuple[dt.date, dt.date, str], AreaLoss]
    readings: DataLoader[tuple[dt.date, dt.date, str], list[Reading]]
    corrections: DataLoader[tuple[dt.date, dt.date, str], list[ReadingCorrection]]
    # History: every interval of a child in a relationship; audit records by id.
    history: DataLoader[tuple[Rel, str], list[Link]]
    changeset: DataLoader[tuple[str], ChangesetRecord | None]


def build_loaders(store: Store, loss: LossReader) -> Loaders:
    def entities(group: tuple, codes: list[str]) -> dict[str, Entity | None]:
        (kind,) = group
        return dict(store.entities(kind, codes))

    def neighbors(group: tuple, codes: list[str]) -> dict[str, list[Entity]]:
        rel, direction, as_of = group
        return store.neighbors(rel, codes, as_of, direction)

    def child_pages(group: tuple, codes: list[str]) -> dict[str, Page]:
        rel, as_of, first, after, role = group
        return store.child_pages(rel, codes, as_of, first, after, role)

    def org_pages(group: tuple, codes: list[str]) -> dict[str, Page]:
        as_of, first, after = group
        return store.org_transformer_pages(codes, as_of, first, after)

    def empty_page() -> Page:
        return Page([], 0, False)

    def summaries(group: tuple, codes: list[str]) -> dict[str, LossSummary]:
        kind, start, end = group
        return loss.summaries(kind, codes, start, end)

    def series(group: tuple, codes: list[str]) -> dict[str, list[LossSummary]]:
        kind, start, end = group
        return loss.series(kind, codes, start, end)

    def areas(group: tuple, codes: list[str]) -> dict[str, AreaLoss]:
        start, end = group
        return loss.areas(codes, start, end)  # an unknown area is judged on no data

    def readings(group: tuple, codes: list[str]) -> dict[str, list[Reading]]:
        return loss.readings(codes, *group)

    def corrections(group: tuple, codes: list[str]) -> dict[str, list[ReadingCorrection]]:
        return loss.corrections(codes, *group)

    def history(group: tuple, codes: list[str]) -> dict[str, list[Link]]:
        (rel,) = group
        return {code: store.links_of(rel, code) for code in codes}

    def changesets(group: tuple, ids: list[str]) -> dict[str, ChangesetRecord | None]:
        return {i: store.changeset(i) for i in ids}

    return Loaders(
        entity=DataLoader(_grouped(entities, lambda: None)),
        neighbors=DataLoader(_grouped(neighbors, list)),
        child_page=DataLoader(_grouped(child_pages, empty_page)),
        org_transformer_page=DataLoader(_grouped(org_pages, empty_page)),
        loss_summary=DataLoader(_grouped(summaries, _no_value)),
        loss_series=DataLoader(_grouped(series, list)),
        area_loss=DataLoader(_grouped(areas, _no_value)),
        readings=DataLoader(_grouped(readings, list)),
        corrections=DataLoader(_grouped(corrections, list)),
        history=DataLoader(_grouped(history, list)),
        changeset=DataLoader(_grouped(changesets, lambda: None)),
    )


def _no_value() -> Any:
    raise AssertionError("every code gets a value from the loss reader")
