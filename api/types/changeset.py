"""Changeset: the audit record of one write to the topology (a load, a reconciliation plan
applied, a change event)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from api.context import Context, Info
from api.dataloaders import ChangesetsKey
from api.pagination import (
    decode_cursor,
    decode_offset,
    encode_cursor,
    encode_offset,
    page_size,
)
from api.scope_guard import seen
from api.types.connection import Connection, Edge, PageInfo
from api.types.enums import ChangeKind, EntityKind
from api.types.resolve import context
from graph.domain.changes import ENTITY_DETAILS, ChangesetRecord
from graph.domain.errors import InputError
from graph.domain.model import Entity
from graph.domain.stamped import Change as StampedChange
from graph.domain.stamped import changes_of
from graph.services.scope import OrgScope, in_scope, scope_of

#: Below the top unit, a page of changesets looks at this many records at most: a page may
#: then hold fewer than asked, with `hasNextPage` and an `endCursor` to go on from.
SCAN_MAX = 1000
_BATCH = 200


@strawberry.type(description="How many of one kind of change a changeset made.")
class ChangeCount:
    kind: str
    count: int


@strawberry.type(description="One named value of a change event's record.")
class ChangeDetail:
    name: str
    value: str


#: A changeset's changes are listed up to this many (a first load makes millions: follow
#: the entities' history instead).
MAX_CHANGES_LISTED = 20_000


@strawberry.type(description="One entity a changeset changed, or one of its relationships.")
class Change:
    kind: EntityKind = strawberry.field(
        description="The kind of the entity (a relationship's child)."
    )
    code: str = strawberry.field(description="Its code.")
    change: ChangeKind = strawberry.field(description="What happened to it.")
    relationship: str | None = strawberry.field(
        description="The relationship that opened, moved or closed (HAS_METER, SUPPLIES, ...); "
        "null: its values changed."
    )
    before: str | None = strawberry.field(
        description="The parent before (a move, a close), or the values that changed as they "
        "were (JSON)."
    )
    after: str | None = strawberry.field(
        description="The parent after (a link, a move), or the changed values as they are (JSON)."
    )
    effective: dt.date | None = strawberry.field(
        description="The day it holds from (a close: the first day without it); null: from "
        "the beginning."
    )


@strawberry.type(description="One write to the topology: who, when, from where, what it did.")
class Changeset:
    record: strawberry.Private[ChangesetRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="load, equipment, marketing, collection, or an event kind.")
    def source(self) -> str:
        return self.record.source

    @strawberry.field(description="Who made it (the operating-system user of a CLI command).")
    def actor(self) -> str:
        return self.record.actor

    @strawberry.field(description="When it was written (UTC).")
    def created_at(self) -> dt.datetime:
        return self.record.created_at

    @strawberry.field(description="The date its moves took effect; null: from the start.")
    def effective(self) -> dt.date | None:
        return self.record.effective

    @strawberry.field(description="The graph version it produced (each write adds one).")
    def graph_version(self) -> int:
        return self.record.graph_version

    @strawberry.field(description="The folder or plan it came from.")
    def note(self) -> str:
        return self.record.note

    @strawberry.field(
        description="What a change event said: the codes it touched, values before and after, "
        "a replaced meter's final and initial registers. Empty for loads and plans. Below the "
        "top unit: the codes of the principal's scope only."
    )
    async def details(self, info: Info) -> list[ChangeDetail]:
        ctx = context(info)
        shown = self.record.details if not ctx.narrowed else await scoped_details(ctx, self.record)
        return [ChangeDetail(name=k, value=v) for k, v in sorted((shown or {}).items())]

    @strawberry.field(
        description="What it changed, entity by entity, ordered by kind and code: entities "
        "created, updated or ended, relationships linked, moved or unlinked (an area's LV "
        "lines aside: they are not in the schema; at most "
        f"{MAX_CHANGES_LISTED:,} changes a changeset; a bigger one is refused). Below the top "
        "unit: the entities of your scope only."
    )
    async def changes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Change]:
        ctx = context(info)
        size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
        total = sum(self.record.counts.values())
        if total > MAX_CHANGES_LISTED:
            raise InputError(
                f"changeset {self.record.id} made {total:,} changes: more than "
                f"{MAX_CHANGES_LISTED:,} are not listed; read the entities' history"
            )
        found = await asyncio.to_thread(_changes, ctx, self.record)
        start = decode_offset(after)
        page = found[start : start + size]
        edges = [Edge(cursor=encode_offset(start + i), node=_change(c)) for i, c in enumerate(page)]
        return Connection(
            total_count=len(found),
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], start + size < len(found), after),
        )

    @strawberry.field(
        description="How many of each change it made. Below the top unit: a change event's "
        "only (a load's or plan's counts are the whole network's)."
    )
    def counts(self, info: Info) -> list[ChangeCount]:
        if context(info).narrowed and not _named(self.record):
            return []
        return [ChangeCount(kind=k, count=v) for k, v in sorted(self.record.counts.items())]


@strawberry.type
class ChangesetEdge:
    cursor: str
    node: Changeset


@strawberry.type(description="Changesets, newest first.")
class ChangesetConnection:
    edges: list[ChangesetEdge]
    page_info: PageInfo


def _named(record: ChangesetRecord) -> dict[str, str]:
    """The details of `record` that name an entity."""
    return {k: v for k, v in record.details.items() if k in ENTITY_DETAILS and v}


def _days(record: ChangesetRecord, today: dt.date) -> list[dt.date]:
    """The days its entities are checked on: just before and on the day it took effect (what
    left the scope that day was in it the day before)."""
    day = record.effective or today
    return [day - dt.timedelta(days=1), day]


async def scoped_details(ctx: Context, record: ChangesetRecord) -> dict[str, str] | None:
    """What a principal below the top unit sees of `record`'s details: those that name an
    entity of its scope (on the day before or the day it took effect) and those that name
    none (values, registers); None when it names nothing of the scope (loads and plans name
    nothing: they are seen only through the intervals they opened or closed)."""
    named = _named(record)
    days = _days(record, ctx.today)
    checks = await asyncio.gather(
        *(
            asyncio.gather(*(seen(ctx, Entity(ENTITY_DETAILS[k], v), d) for d in days))
            for k, v in named.items()
        )
    )
    inside = {k for k, found in zip(named, checks, strict=True) if any(found)}
    if not inside:
        return None
    return {k: v for k, v in record.details.items() if k in inside or k not in named}


Fetch = Callable[[Any, int], Awaitable[list[ChangesetRecord]]]


async def _scoped_page(
    ctx: Context,
    fetch: Fetch,
    position: Callable[[ChangesetRecord], Any],
    cursor: Any,
    size: int,
) -> tuple[list[ChangesetRecord], bool, Any]:
    """A page of the changesets `fetch(cursor, n)` gives after `cursor`; below the top unit,
    those naming something of its scope, looking at SCAN_MAX at most. Returns the page,
    whether more follow, and the position to go on from when it is not the page's last
    changeset's (a scan stopped by SCAN_MAX)."""
    if not ctx.narrowed:
        found = await fetch(cursor, size + 1)
        return found[:size], len(found) > size, None
    kept: list[ChangesetRecord] = []
    scanned, more = 0, True
    while more and len(kept) <= size and scanned < SCAN_MAX:
        batch = await fetch(cursor, _BATCH)
        more = len(batch) == _BATCH
        shown = await asyncio.gather(*(scoped_details(ctx, r) for r in batch))
        for record, details in zip(batch, shown, strict=True):
            scanned += 1
            cursor = position(record)
            if details is not None:
                kept.append(record)
                if len(kept) > size:
                    return kept[:size], True, None
    return kept, more, cursor if more else None


async def changeset_connection(
    info: Info, first: int | None, after: str | None, since: int | None = None
) -> ChangesetConnection:
    """Changesets, newest first (cursors: their ids); with `since`, those after that graph
    version oldest first, how an integrating system follows the changes (cursors: graph
    versions). Below the top unit, those naming something of its scope."""
    ctx = context(info)
    size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
    cursor: Any = decode_cursor(after)
    if since is None:

        async def newest_first(before: Any, n: int) -> list[ChangesetRecord]:
            return await ctx.loaders.changesets.load(ChangesetsKey(n, before))

        page = await _scoped_page(ctx, newest_first, lambda r: r.id, cursor, size)
        return _connection(*page, after, lambda r: r.id)
    if since < 0:
        raise InputError("since: a graph version, 0 or more")
    if cursor is not None and not cursor.isdigit():
        raise InputError("after: not a cursor of changesets(since:)")
    start = since if cursor is None else max(since, int(cursor))

    async def oldest_first(version: Any, n: int) -> list[ChangesetRecord]:
        return await asyncio.to_thread(ctx.store.changesets_since, version, n)

    page = await _scoped_page(ctx, oldest_first, lambda r: r.graph_version, start, size)
    return _connection(*page, after, lambda r: r.graph_version)


def _connection(
    records: list[ChangesetRecord],
    has_next: bool,
    scanned_to: Any,
    after: str | None,
    position: Callable[[ChangesetRecord], Any],
) -> ChangesetConnection:
    edges = [
        ChangesetEdge(cursor=encode_cursor(str(position(r))), node=Changeset(record=r))
        for r in records
    ]
    end = encode_cursor(str(scanned_to)) if scanned_to is not None else None
    return ChangesetConnection(
        edges=edges, page_info=PageInfo.of([e.cursor for e in edges], has_next, after, end)
    )


#: A changeset's changes, kept: found by a scan of the store (a second or so at 1M meters),
#: read page after page. Keyed by the graph version too: a repair may unstamp intervals.
_KEPT: OrderedDict[tuple[int, str, int], list[StampedChange]] = OrderedDict()
_KEPT_MAX = 16
_KEPT_LOCK = threading.Lock()


def _all_changes(ctx: Context, record: ChangesetRecord) -> list[StampedChange]:
    key = (id(ctx.store), record.id, ctx.store.version())
    with _KEPT_LOCK:
        kept = _KEPT.get(key)
    if kept is None:
        public = {k.value for k in EntityKind}  # an area's LV lines are not in the schema
        kept = [c for c in changes_of(ctx.store.stamped(record.id)) if c.kind.value in public]
        with _KEPT_LOCK:
            _KEPT[key] = kept
            while len(_KEPT) > _KEPT_MAX:
                _KEPT.popitem(last=False)
    return kept


def _changes(ctx: Context, record: ChangesetRecord) -> list[StampedChange]:
    """The changes of `record`; below the top unit, those of entities in the scope on the
    day each holds from (or today)."""
    found = _all_changes(ctx, record)
    principal = ctx.principal
    if not ctx.narrowed or principal is None:
        return found
    kept = []
    scopes: dict[dt.date, OrgScope] = {}
    for change in found:
        day = change.effective or ctx.today
        if day not in scopes:
            scopes[day] = scope_of(ctx.store, principal.org, day)
        if in_scope(ctx.store, scopes[day], change.kind, [change.code]):
            kept.append(change)
    return kept


def _change(c: StampedChange) -> Change:
    return Change(
        kind=EntityKind(c.kind.value),
        code=c.code,
        change=ChangeKind(c.change.value),
        relationship=c.relationship.value if c.relationship else None,
        before=c.before,
        after=c.after,
        effective=c.effective,
    )
