"""Shared resolver steps: reach the context, and walk one relationship through the loaders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from api.context import Context, Info
from api.dataloaders import ChildPagesKey, EntitiesKey, NeighborsKey, OrgTransformerPagesKey
from api.pagination import decode_cursor, page_size
from api.scope_guard import in_scope_of, known_inside
from graph.domain.model import Entity, Kind, Rel
from graph.stores.contract import Page


def context(info: Info) -> Context:
    ctx: Context = info.context
    return ctx


N = TypeVar("N")


async def node_by_code(
    info: Info, kind: Kind, code: str | None, as_of: dt.date, make: Callable[..., N]
) -> N | None:
    """The GraphQL node `make` builds for a stored entity (None: no code, or not stored),
    read through the request's entity loader."""
    if code is None:
        return None
    entity = await context(info).loaders.entities.load(EntitiesKey(kind, code))
    return None if entity is None else make(entity=entity, as_of=as_of)


def period_context(info: Info, start: dt.date, end: dt.date) -> Context:
    """The context, once the period of a loss or readings field is known to be acceptable
    (raises InputError, shown to the caller, when it ends before it starts or is too long)."""
    ctx = context(info)
    ctx.loss.rules.check_period(start, end, ctx.today)
    return ctx


async def child_pages(
    info: Info,
    rel: Rel,
    entity: Entity,
    as_of: dt.date,
    first: int | None,
    after: str | None,
    role: str | None = None,
) -> Page:
    """One page of `entity`'s children in `rel`, with the page size checked against the cap."""
    ctx = context(info)
    size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
    if ctx.narrowed and rel in LEAVE_SCOPE:  # those in scope, paged here (a feeder's areas)
        found = await children(info, rel, entity, as_of)
        if role is not None:
            found = [e for e in found if e.get("role") == role]
        return page_of(found, size, decode_cursor(after))
    key = ChildPagesKey(rel, as_of, size, decode_cursor(after), role, entity.code)
    page = await ctx.loaders.child_pages.load(key)
    known_inside(ctx, page.items, as_of)  # an area's meters: in scope with it
    return page


async def org_transformer_pages(
    info: Info, entity: Entity, as_of: dt.date, first: int | None, after: str | None
) -> Page:
    """One page of the transformers of an org unit's whole subtree."""
    ctx = context(info)
    size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
    key = OrgTransformerPagesKey(as_of, size, decode_cursor(after), entity.code)
    page = await ctx.loaders.org_transformer_pages.load(key)
    known_inside(ctx, page.items, as_of)  # the areas of a unit's subtree: in scope with it
    return page


#: Relationships down which an entity in a principal's scope may have children outside it:
#: a substation feeds feeders of several units, a feeder supplies their areas, a customer
#: may use meters in several areas.
LEAVE_SCOPE = frozenset({Rel.FEEDS, Rel.SUPPLIES, Rel.USES_METER})


async def children(info: Info, rel: Rel, entity: Entity, as_of: dt.date) -> list[Entity]:
    """`entity`'s children in `rel` on `as_of` (a narrowed principal's: those in its scope)."""
    ctx = context(info)
    found = await ctx.loaders.neighbors.load(NeighborsKey(rel, "down", as_of, entity.code))
    if ctx.narrowed and rel in LEAVE_SCOPE:
        return await in_scope_of(ctx, found, as_of)
    known_inside(ctx, found, as_of)  # a unit's units and substations: in scope with it
    return found


def page_of(items: list[Entity], size: int, after: str | None) -> Page:
    """A page of `items` by code, after the code `after`."""
    ordered = sorted(items, key=lambda e: e.code)
    rest = ordered if after is None else [e for e in ordered if e.code > after]
    return Page(rest[:size], len(ordered), len(rest) > size)


async def parent(info: Info, rel: Rel, entity: Entity, as_of: dt.date) -> Entity | None:
    loaders = context(info).loaders
    found = await loaders.neighbors.load(NeighborsKey(rel, "up", as_of, entity.code))
    return found[0] if found else None


#: The relationship that leads up from each kind of the network chain.
UP_CHAIN = {
    Kind.METER: Rel.HAS_METER,
    Kind.TRANSFORMER: Rel.SUPPLIES,
    Kind.FEEDER: Rel.FEEDS,
    Kind.ORG_UNIT: Rel.ORG_PARENT,
}
MAX_PATH = 16  # org trees are a few levels deep; a longer walk means bad data


async def path_from_top(info: Info, entity: Entity, as_of: dt.date) -> list[Entity]:
    """The entities from the top of its tree down to `entity` (itself last), on `as_of`."""
    chain = [entity]
    while len(chain) < MAX_PATH:
        rel = UP_CHAIN.get(chain[-1].kind)
        if rel is None:
            break
        up = await parent(info, rel, chain[-1], as_of)
        if up is None or up in chain:
            break
        chain.append(up)
    return chain[::-1]
