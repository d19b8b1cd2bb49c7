"""Reads of a principal below the top unit: only what is proven to stay inside its subtree.

A principal at a top unit (no parent) sees the whole network. One below it sees its unit's
subtree (graph/services/scope.py). Until every field filters by scope in its query, such a
principal may select only the fields listed here, each of which can only lead to things in
scope once its root is in scope: its units and their areas, meters and customers, their loss.
Anything else is refused before execution with FORBIDDEN, naming the field; the roots answer
null for a code out of scope exactly as for a code that does not exist.
"""

from __future__ import annotations

import datetime as dt
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)
from graphql.language.visitor import SKIP
from strawberry.extensions import SchemaExtension

from api.context import Context
from api.dataloaders import off_loop
from graph.domain.model import Entity, Kind
from graph.services.scope import OrgScope, in_scope, scope_of
from graph.stores.contract import Store

_VALUES = {"code", "id", "name", "valueHistory"}
_LOSS = {"lossSummary", "lossSeries", "lossRanking"}

#: Per type, the fields a principal below the top unit may select; types not named here
#: (connections, edges, loss figures, values) hold nothing of their own to filter.
ALLOWED_BELOW_TOP: dict[str, frozenset[str]] = {
    "Query": frozenset({"orgUnit", "transformer", "meter", "customer", "node", "search"}),
    "Node": frozenset({"id", "code"}),
    "OrgUnit": frozenset(
        _VALUES
        | _LOSS
        | {"level", "children", "transformers", "transformerCount", "meterCount"}
        | {"gateMeterCount"}
    ),
    "Transformer": frozenset(
        _VALUES
        | _LOSS
        | {"capacityKva", "ownership", "orgUnit", "loss", "meters", "gateMeters", "feeder"}
    ),
    "Meter": frozenset(
        _VALUES
        | {"role", "multiplier", "phase", "transformer", "customer", "readings"}
        | {"readingCorrections"}
    ),
    "Customer": frozenset(_VALUES | {"category"}),
    # Above the scope (an area's feeder may be the county's): code and name only.
    "Feeder": frozenset({"id", "code", "name"}),
    # Reached only through fields refused above, or telling of other parts of the network.
    "Substation": frozenset(),
    # Who wrote what and when, not what it touched (details may name other units' things).
    "Changeset": frozenset({"id", "source", "actor", "effective", "graphVersion"}),
    "SearchHit": frozenset({"kind", "code", "name", "node"}),
    "Network": frozenset(),
    "Mismatch": frozenset(),
}
#: Mutations check duty and scope themselves (api/mutations/common.py).
UNGUARDED = frozenset({"Mutation"})

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


def refused_fields(schema: Any, document: Any) -> list[str]:
    """`Type.field` of every selection outside ALLOWED_BELOW_TOP, in document order."""
    info = TypeInfo(schema)
    refused: list[str] = []

    class Check(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> Any:
            parent = info.get_parent_type()
            name = node.name.value
            if parent is None or name.startswith("__") or parent.name in UNGUARDED:
                return None
            allowed = ALLOWED_BELOW_TOP.get(parent.name)
            if allowed is not None and name not in allowed:
                refused.append(f"{parent.name}.{name}")
                return SKIP  # what is below a refused field is not asked either
            return None

    visit(document, TypeInfoVisitor(info, Check()))
    return list(dict.fromkeys(refused))


class ScopeGuard(SchemaExtension):
    """Finds the principal's scope today; below the top unit, refuses what is not allowed."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        principal = ctx.principal if isinstance(ctx, Context) else None
        if execution.result or principal is None or execution.graphql_document is None:
            yield
            return
        ctx.narrowed = not (await scope_on(ctx, ctx.today)).everything
        if ctx.narrowed:
            refused = refused_fields(execution.schema._schema, execution.graphql_document)
            if refused:
                message = (
                    f"not available to a principal below the top unit (it sees {principal.org}'s "
                    f"subtree): {', '.join(refused)}"
                )
                error = GraphQLError(message, extensions={"code": "FORBIDDEN"})
                execution.result = ExecutionResult(data=None, errors=[error])
        yield


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
    return (kind, code) in await _inside(ctx, day, [(kind, code)])


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
    inside = await _inside(ctx, day, [(e.kind, e.code) for e in entities])
    return [e for e in entities if (e.kind, e.code) in inside]
