"""Per-request DataLoaders (built in get_context; never module-level, they would cache forever).

The one way a resolver reaches data: `ctx.loaders.<name>.load(<Name>Key(...))`, where each
loader is named after the store, loss reader or mismatch-report method it calls, and that
method after its Cypher and SQL (`child_pages` -> `Store.child_pages` -> `cy.child_pages`,
`q.CHILD_PAGES`). Batched loaders put the keys of one resolver level into one call per
distinct group (everything but the last field of the key), so a query costs a bounded number
of round trips whatever the number of nodes it touches; the others make one call per distinct
key (a request asking the same thing twice asks once). Calls run in a worker thread so that the
event loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from strawberry.dataloader import DataLoader

from api.time_limit import on_request_thread
from graph.domain.changes import ChangesetRecord
from graph.domain.model import AttrInterval, Entity, Kind, Link, Rel
from graph.domain.scope import Scope
from graph.indicators.definitions import IndicatorResult
from graph.series.loss import (
    AreaLoss,
    LossOrder,
    LossStatus,
    LossStep,
    LossSummary,
    RankingPage,
    Reading,
    ReadingCorrection,
)
from graph.series.placement import SubtreeCounts
from graph.series.reader import LossReader
from graph.services.indicators import period_targets, unit_indicators
from graph.services.mismatches import Mismatch, MismatchCache
from graph.stores.contract import Direction, Page, Store

K = TypeVar("K", bound=tuple[Any, ...])
V = TypeVar("V")


# --- keys: the last field of a batched key is the code; the rest is its group ---------------
class EntitiesKey(NamedTuple):
    kind: Kind
    code: str


class AttrsAsOfKey(NamedTuple):
    """An entity's values on a day before its current ones began."""

    kind: Kind
    day: dt.date
    code: str


class NeighborsKey(NamedTuple):
    rel: Rel
    direction: Direction
    as_of: dt.date
    code: str


class ChildPagesKey(NamedTuple):
    rel: Rel
    as_of: dt.date
    first: int
    after: str | None
    role: str | None
    parent: str


class OrgTransformerPagesKey(NamedTuple):
    as_of: dt.date
    first: int
    after: str | None
    org: str


class HistoriesKey(NamedTuple):
    rel: Rel
    child: str


class AttrHistoriesKey(NamedTuple):
    kind: Kind
    code: str


class ChangesetKey(NamedTuple):
    id: str


class LossKey(NamedTuple):
    """A roll-up over a subtree: summaries and series."""

    scope: Scope
    start: dt.date
    end: dt.date
    # Only the areas in this org unit's subtree (a narrowed principal's scope); None: all.
    within: str | None
    technical: bool  # the technical split asked for (it costs ~20 % of a roll-up)
    code: str


class SeriesKey(NamedTuple):
    """A series of roll-ups over a subtree, by day or by month."""

    scope: Scope
    start: dt.date
    end: dt.date
    within: str | None
    technical: bool
    step: LossStep
    code: str


class PeriodKey(NamedTuple):
    """One area's or meter's figures over [start, end]: areas, readings, corrections."""

    start: dt.date
    end: dt.date
    code: str


# --- keys of loaders that are not batched -----------------------------------------------------
class EntityPageKey(NamedTuple):
    kind: Kind
    as_of: dt.date
    first: int
    after: str | None


class SearchKey(NamedTuple):
    text: str
    kinds: tuple[Kind, ...]
    limit: int
    within: frozenset[str] | None = None  # a narrowed principal's units, on `as_of`
    as_of: dt.date | None = None


class ChangesetsKey(NamedTuple):
    first: int
    after: str | None


class RankingKey(NamedTuple):
    scope: Scope
    code: str
    start: dt.date
    end: dt.date
    order: LossOrder
    statuses: tuple[LossStatus, ...] | None
    first: int
    offset: int
    # Only the areas in this org unit's subtree (a narrowed principal's scope); None: all.
    within: str | None


class SubtreeCountsKey(NamedTuple):
    scope: Scope
    day: dt.date
    # Only the areas in this org unit's subtree (a narrowed principal's scope); None: all.
    within: str | None
    code: str


class AreasUnderKey(NamedTuple):
    scope: Scope
    code: str
    day: dt.date
    # Only the areas in this org unit's subtree (a narrowed principal's scope); None: all.
    within: str | None


class IndicatorsKey(NamedTuple):
    """An org unit's indicators over [start, end]."""

    start: dt.date
    end: dt.date
    code: str


class MismatchesKey(NamedTuple):
    as_of: dt.date


class LatestDayKey(NamedTuple):
    """The newest day with readings (one per request)."""


async def off_loop(inline: bool, fetch: Callable[..., V], *args: Any) -> V:
    """`fetch(*args)` off the server's loop: inline when `inline` and already on a request's
    own worker thread (a hop to another thread costs as much as a local read), else on a
    thread of the running loop's pool (a round trip to a server overlaps the others)."""
    if inline and on_request_thread():
        return fetch(*args)
    return await asyncio.to_thread(fetch, *args)


def _grouped(
    fetch: Callable[[tuple[Any, ...], list[str]], dict[str, V]],
    default: Callable[[], V],
    inline: bool = True,
) -> Callable[[Sequence[tuple[Any, ...]]], Awaitable[list[V]]]:
    """A batch function over keys (group..., code): one `fetch(group, codes)` per group."""

    async def load(keys: Sequence[tuple[Any, ...]]) -> list[V]:
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for key in keys:
            groups[tuple(key[:-1])].append(key[-1])
        results: dict[tuple[Any, ...], V] = {}
        for group, codes in groups.items():
            found = await off_loop(inline, fetch, group, codes)
            for code in codes:
                results[(*group, code)] = found[code] if code in found else default()
        return [results[tuple(k)] for k in keys]

    return load


def _each(
    fetch: Callable[[K], V], inline: bool = True
) -> Callable[[Sequence[K]], Awaitable[list[V]]]:
    """A batch function that answers each distinct key with one call."""

    async def load(keys: Sequence[K]) -> list[V]:
        return [await off_loop(inline, fetch, key) for key in keys]

    return load


@dataclass
class Loaders:
    """Loaders of one request, each named after the method it calls."""

    # Store (topology and audit)
    entities: DataLoader[EntitiesKey, Entity | None]
    attrs_as_of: DataLoader[AttrsAsOfKey, Entity | None]
    neighbors: DataLoader[NeighborsKey, list[Entity]]
    child_pages: DataLoader[ChildPagesKey, Page]
    org_transformer_pages: DataLoader[OrgTransformerPagesKey, Page]
    entity_page: DataLoader[EntityPageKey, Page]
    search: DataLoader[SearchKey, list[Entity]]
    histories: DataLoader[HistoriesKey, list[Link]]
    attr_histories: DataLoader[AttrHistoriesKey, list[AttrInterval]]
    changeset: DataLoader[ChangesetKey, ChangesetRecord | None]
    changesets: DataLoader[ChangesetsKey, list[ChangesetRecord]]
    # Loss reader (readings and balances)
    summaries: DataLoader[LossKey, LossSummary]
    series: DataLoader[SeriesKey, list[LossSummary]]
    areas: DataLoader[PeriodKey, AreaLoss]
    ranking: DataLoader[RankingKey, RankingPage]
    areas_under: DataLoader[AreasUnderKey, list[str]]
    subtree_counts: DataLoader[SubtreeCountsKey, SubtreeCounts]
    latest_day: DataLoader[LatestDayKey, dt.date | None]
    readings: DataLoader[PeriodKey, list[Reading]]
    corrections: DataLoader[PeriodKey, list[ReadingCorrection]]
    # Mismatch report (cached per graph version)
    mismatches: DataLoader[MismatchesKey, list[Mismatch]]
    # Indicators (loss reader and mismatch report)
    indicators: DataLoader[IndicatorsKey, list[IndicatorResult]]


def build_loaders(store: Store, loss: LossReader, mismatches: MismatchCache) -> Loaders:
    local = store.in_process  # its reads are short local calls (the loss reader's always are)

    def entities(group: tuple[Any, ...], codes: list[str]) -> dict[str, Entity | None]:
        (kind,) = group
        return dict(store.entities(kind, codes))

    def attr_histories(group: tuple[Any, ...], codes: list[str]) -> dict[str, list[AttrInterval]]:
        (kind,) = group
        return store.attr_histories(kind, codes)

    def attrs_as_of(group: tuple[Any, ...], codes: list[str]) -> dict[str, Entity | None]:
        kind, day = group
        return dict(store.attrs_as_of(kind, codes, day))

    def neighbors(group: tuple[Any, ...], codes: list[str]) -> dict[str, list[Entity]]:
        rel, direction, as_of = group
        return store.neighbors(rel, codes, as_of, direction)

    def child_pages(group: tuple[Any, ...], codes: list[str]) -> dict[str, Page]:
        rel, as_of, first, after, role = group
        return store.child_pages(rel, codes, as_of, first, after, role)

    def org_transformer_pages(group: tuple[Any, ...], codes: list[str]) -> dict[str, Page]:
        as_of, first, after = group
        return store.org_transformer_pages(codes, as_of, first, after)

    def empty_page() -> Page:
        return Page([], 0, False)

    def histories(group: tuple[Any, ...], codes: list[str]) -> dict[str, list[Link]]:
        (rel,) = group
        return store.histories(rel, codes)

    def changeset(_: tuple[Any, ...], ids: list[str]) -> dict[str, ChangesetRecord | None]:
        return {i: store.changeset(i) for i in ids}

    def summaries(group: tuple[Any, ...], codes: list[str]) -> dict[str, LossSummary]:
        scope, start, end, within, technical = group
        return loss.summaries(scope, codes, start, end, within, technical)

    def series(group: tuple[Any, ...], codes: list[str]) -> dict[str, list[LossSummary]]:
        scope, start, end, within, technical, step = group
        return loss.series(scope, codes, start, end, within, technical, step)

    def areas(group: tuple[Any, ...], codes: list[str]) -> dict[str, AreaLoss]:
        start, end = group
        return loss.areas(codes, start, end)  # an unknown area is judged on no data

    def readings(group: tuple[Any, ...], codes: list[str]) -> dict[str, list[Reading]]:
        start, end = group
        return loss.readings(codes, start, end)

    def corrections(group: tuple[Any, ...], codes: list[str]) -> dict[str, list[ReadingCorrection]]:
        start, end = group
        return loss.corrections(codes, start, end)

    def entity_page(k: EntityPageKey) -> Page:
        return store.entity_page(k.kind, k.as_of, k.first, k.after)

    def search(k: SearchKey) -> list[Entity]:
        return store.search(k.text, list(k.kinds), k.limit, k.within, k.as_of)

    def changesets(k: ChangesetsKey) -> list[ChangesetRecord]:
        return store.changesets(k.first, k.after)

    def subtree_counts(k: SubtreeCountsKey) -> SubtreeCounts:
        return loss.subtree_counts(k.scope, k.code, k.day, k.within)

    def areas_under(k: AreasUnderKey) -> list[str]:
        return loss.areas_under(k.scope, k.code, k.day, k.within)

    def latest_day(_: LatestDayKey) -> dt.date | None:
        return loss.latest_day()

    def mismatch_report(k: MismatchesKey) -> list[Mismatch]:
        return mismatches.get(store, k.as_of)

    def indicators(group: tuple[Any, ...], codes: list[str]) -> dict[str, list[IndicatorResult]]:
        start, end = group
        targets = period_targets(store, codes, start, end)
        return unit_indicators(loss, mismatches.get(store, end), codes, start, end, targets)

    def ranking(k: RankingKey) -> RankingPage:
        return loss.ranking(
            k.scope, k.code, k.start, k.end, k.order, k.statuses, k.first, k.offset, k.within
        )

    return Loaders(
        entities=DataLoader(_grouped(entities, lambda: None, inline=local)),
        attrs_as_of=DataLoader(_grouped(attrs_as_of, lambda: None, inline=local)),
        neighbors=DataLoader(_grouped(neighbors, list, inline=local)),
        child_pages=DataLoader(_grouped(child_pages, empty_page, inline=local)),
        org_transformer_pages=DataLoader(_grouped(org_transformer_pages, empty_page, inline=local)),
        entity_page=DataLoader(_each(entity_page, inline=local)),
        search=DataLoader(_each(search, inline=local)),
        histories=DataLoader(_grouped(histories, list, inline=local)),
        attr_histories=DataLoader(_grouped(attr_histories, list, inline=local)),
        changeset=DataLoader(_grouped(changeset, lambda: None, inline=local)),
        changesets=DataLoader(_each(changesets, inline=local)),
        summaries=DataLoader(_grouped(summaries, _no_value)),
        series=DataLoader(_grouped(series, list)),
        areas=DataLoader(_grouped(areas, _no_value)),
        ranking=DataLoader(_each(ranking)),
        areas_under=DataLoader(_each(areas_under)),
        subtree_counts=DataLoader(_each(subtree_counts)),
        latest_day=DataLoader(_each(latest_day)),
        readings=DataLoader(_grouped(readings, list)),
        corrections=DataLoader(_grouped(corrections, list)),
        mismatches=DataLoader(_each(mismatch_report, inline=local)),
        indicators=DataLoader(_grouped(indicators, _no_value, inline=local)),
    )


def _no_value() -> Any:
    raise AssertionError("every code gets a value from the loss reader")
