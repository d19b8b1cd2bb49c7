"""Reads of a principal below the top unit: only what is proven to stay inside its subtree.

A principal at a top unit (no parent) sees the whole network. One below it ("narrowed") sees
its unit's subtree (graph/services/scope.py), as of the day each part of an answer is read on:
- the roots answer null for a code out of scope exactly as for a code that does not exist,
  and lists, counts, roll-ups, mismatches and changesets leave out what lies outside (each
  filters in its own read: api/query.py, api/types/*);
- a field that leads from inside the scope to one entity outside it (an area's feeder, a
  unit's parent, the area a meter came from) shows that entity's code and name only: any
  other field of it is refused with FORBIDDEN (ScopeGuard.resolve).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import weakref
from collections.abc import AsyncIterator, Callable
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension

from api.context import Context
from api.dataloaders import off_loop
from api.types.node import Node
from graph.domain.errors import AccessDenied
from graph.domain.model import Entity, Kind
from graph.services.scope import OrgScope, in_scope, scope_of
from graph.stores.contract import Store

#: What an entity outside the scope shows when a field of one inside leads to it (the feeder
#: above an area, the area a meter came from, the other area of a mismatch): its key, and the
#: name of a part of the network (a customer's name is personal: never outside the scope).
_KEY = frozenset({"id", "code", "__typename"})
SHOWN_OUTSIDE: dict[Kind, frozenset[str]] = {
    kind: _KEY if kind is Kind.CUSTOMER else _KEY | {"name"} for kind in Kind
}
#: Steps that, from an entity in scope, reach only entities in scope: a unit's units and what
#: they own, an area's meters, a meter's area and customer. (A feeder may supply areas of
#: several units, a substation feed several units' feeders, a customer use meters of several
#: areas: those lists are filtered; a step up may leave the scope.)
SCOPE_CLOSED = frozenset(
    {
        ("OrgUnit", "children"),
        ("OrgUnit", "substations"),
        ("OrgUnit", "transformers"),
        ("Substation", "orgUnit"),
        ("Feeder", "orgUnit"),
        ("Transformer", "orgUnit"),
        ("Transformer", "gateMeters"),
        ("Transformer", "meters"),
        ("Meter", "transformer"),
        ("Meter", "customer"),
    }
)

# Per store (weakly: a closed store's scopes go with it), per unit and day: the graph version
# each was computed on (any write may have moved a unit) and when.
_kept: weakref.WeakKeyDictionary[Any, dict[tuple[str, dt.date], tuple[int, float, OrgScope]]] = (
    weakref.WeakKeyDictionary()
)
_KEPT_MAX = 1024
#: Without a version at hand (the response cache off), a scope is trusted this long, rather
#: than reading the version for it on every request.
KEPT_S = 5.0


def kept_scope(store: Store, org: str, day: dt.date, version: int) -> OrgScope | None:
    """A scope found before and still good: on `version`, or (version < 0: unknown) recently."""
    kept = _kept.get(store, {}).get((org, day))
    if kept is None:
        return None
    if kept[0] == version or (version < 0 and time.monotonic() - kept[1] <= KEPT_S):
        return kept[2]
    return None


def cached_scope(store: Store, org: str, day: dt.date, version: int) -> OrgScope:
    """`scope_of`, kept per graph `version`: a request must not walk the org tree each time
    (version < 0: read it now; a scope kept on that version is trusted KEPT_S again)."""
    found = kept_scope(store, org, day, version)
    if found is not None:
        return found
    if version < 0:
        version = store.version()
    found = kept_scope(store, org, day, version) or scope_of(store, org, day)
    mine = _kept.setdefault(store, {})
    if len(mine) >= _KEPT_MAX:
        mine.clear()
    mine[(org, day)] = (version, time.monotonic(), found)
    return found


class ScopeGuard(SchemaExtension):
    """Finds whether the principal sees less than everything today (ctx.narrowed); if so,
    each field of an entity outside its scope but those in SHOWN_OUTSIDE is refused with
    FORBIDDEN. Lists and roll-ups filter by scope themselves; this is what stops a step up
    (an area's feeder, a unit's parent) from going further than code and name."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        principal = ctx.principal if isinstance(ctx, Context) else None
        if not execution.result and principal is not None:
            ctx.narrowed = not (await scope_on(ctx, ctx.today)).everything
        yield

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        ctx = info.context
        if (
            not getattr(ctx, "narrowed", False)  # first: what every field of most requests pays
            or not isinstance(root, Node)
            or info.field_name in SHOWN_OUTSIDE[root.entity.kind]
        ):
            return _next(root, info, *args, **kwargs)
        known = ctx.scope_known.get((root.entity.kind, root.entity.code, root.as_of))
        if known is None:  # not asked yet: asked with the others of its level
            return _checked(_next, root, info, args, kwargs)
        if not known:
            raise _outside(root)
        return _next(root, info, *args, **kwargs)  # a plain value stays a plain value


def _outside(root: Node) -> AccessDenied:
    entity = root.entity
    shown = ", ".join(sorted(SHOWN_OUTSIDE[entity.kind] - {"__typename"}))
    return AccessDenied(
        f"{entity.kind.value} {entity.code} lies outside your scope on {root.as_of}: "
        f"only its {shown} are shown"
    )


async def _checked(
    _next: Callable[..., Any], root: Node, info: GraphQLResolveInfo, args: Any, kwargs: Any
) -> Any:
    if not await seen(info.context, root.entity, root.as_of):
        raise _outside(root)
    found = _next(root, info, *args, **kwargs)
    return await found if isawaitable(found) else found


async def seen(ctx: Context, entity: Entity, day: dt.date) -> bool:
    """Whether `entity` lies in the principal's scope on `day`, asked once per request
    (batched: the entities of one level of the answer are checked together)."""
    key = (entity.kind, entity.code, day)
    known = ctx.scope_known.get(key)
    return known if known is not None else await _checks(ctx).load(key)


def known_inside(ctx: Context, entities: list[Entity], day: dt.date) -> None:
    """Record that `entities` lie in the scope on `day` (reached from one inside it by a step
    of SCOPE_CLOSED): their fields need no check."""
    if ctx.narrowed:
        ctx.scope_known.update(((e.kind, e.code, day), True) for e in entities)


def _checks(ctx: Context) -> DataLoader[tuple[Kind, str, dt.date], bool]:
    if ctx.scope_checks is None:

        async def check(keys: list[tuple[Kind, str, dt.date]]) -> list[bool]:
            inside: set[tuple[Kind, str, dt.date]] = set()
            for day in {d for _, _, d in keys}:
                wanted = [(k, c) for k, c, d in keys if d == day]
                inside.update((k, c, day) for k, c in await _inside(ctx, day, wanted))
            found = [key in inside for key in keys]
            ctx.scope_known.update(zip(keys, found, strict=True))
            return found

        ctx.scope_checks = DataLoader(check)
    return ctx.scope_checks


async def scope_on(ctx: Context, day: dt.date) -> OrgScope:
    """The request's principal's scope on `day`: a kept one without leaving the loop (the
    version is known when the response cache read it), else found on the request's thread."""
    assert ctx.principal is not None
    org, version = ctx.principal.org, ctx.graph_version
    kept = kept_scope(ctx.store, org, day, version)
    if kept is not None:
        return kept
    return await off_loop(True, cached_scope, ctx.store, org, day, version)


async def _inside(
    ctx: Context, day: dt.date, wanted: list[tuple[Kind, str]]
) -> set[tuple[Kind, str]]:
    """Which of `wanted` lie in the principal's scope on `day` (the same reads whether a code
    is elsewhere or nowhere)."""
    scope = await scope_on(ctx, day)

    def check() -> set[tuple[Kind, str]]:
        inside: set[tuple[Kind, str]] = set()
        for kind in {k for k, _ in wanted}:
            codes = [c for k, c in wanted if k is kind]
            inside.update((kind, c) for c in in_scope(ctx.store, scope, kind, codes))
        return inside

    return await off_loop(True, check)  # inline: on the request's own worker thread


async def visible(ctx: Context, kind: Kind, code: str, day: dt.date) -> bool:
    """Whether a root by code may be answered: always for a principal seeing everything;
    else when the entity lies in its scope on `day`."""
    if not ctx.narrowed or ctx.principal is None:
        return True
    return await seen(ctx, Entity(kind, code), day)


async def units_seen(ctx: Context, day: dt.date) -> frozenset[str] | None:
    """The org units whose subtree the principal sees on `day`; None: everything."""
    if not ctx.narrowed or ctx.principal is None:
        return None
    scope = await scope_on(ctx, day)
    return None if scope.everything else scope.units


async def in_scope_of(ctx: Context, entities: list[Entity], day: dt.date) -> list[Entity]:
    """`entities` (of any kinds, in their order) that lie in the principal's scope on `day`."""
    if not ctx.narrowed or ctx.principal is None or not entities:
        return entities
    # Through the request's memo (one batched check): their own fields then need none.
    inside = await asyncio.gather(*(seen(ctx, e, day) for e in entities))
    return [e for e, keep in zip(entities, inside, strict=True) if keep]
