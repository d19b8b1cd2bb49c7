"""Read ahead what a request walks below a root field, in one store call.

`feeder(code) { transformers(first: 20) { edges { node { gateMeters {…} meters(first: 20)
{ edges { node { customer { name } } } } } } } }` reads four levels below the feeder. The
resolvers read them through the request's loaders, a round trip per level; before they run,
the root field compiles its selection into a tree of steps (graph/stores/tree.py), the store
answers the whole tree at once (Neo4j: one Cypher) and the answers are primed into the
loaders under the very keys the resolvers will ask for. The resolvers are unchanged: what the
tree does not cover (loss, history, paths, fields under fragments on other types, arguments
that the resolver will refuse) they read as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.context import Context, Info
from api.dataloaders import ChildPagesKey, EntitiesKey, Loaders, NeighborsKey, off_loop
from api.pagination import decode_cursor, page_size
from api.types.enums import MeterRole
from api.types.resolve import context
from api.types.wrap import NODE_TYPES
from graph.domain.errors import InputError
from graph.domain.model import GATE_ROLE, OWNER_REL, Kind, Rel
from graph.stores.tree import PageSpec, Step, Tree, page_of
from taiqu.settings import Settings

#: The GraphQL type name of each kind.
TYPE_NAMES = {
    kind: cls.__strawberry_definition__.name  # type: ignore[attr-defined]
    for kind, cls in NODE_TYPES.items()
}


class NotCompiled(Exception):
    """An argument the resolver will refuse or read differently: leave the field to it."""


def _int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotCompiled
    try:
        return int(value)  # type: ignore[call-overload]  # a literal arrives as its text
    except (TypeError, ValueError) as exc:
        raise NotCompiled from exc


def _page(args: dict[str, Any], settings: Settings, role: str | None = None) -> PageSpec:
    try:
        first = page_size(
            _int(args.get("first")), settings.default_page_size, settings.max_page_size
        )
        after = decode_cursor(args.get("after"))
    except InputError as exc:
        raise NotCompiled from exc
    return PageSpec(first, after, role)


def _meter_role(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, MeterRole):
        return value.value
    if isinstance(value, str) and value in MeterRole.__members__:
        return MeterRole[value].value
    raise NotCompiled


# (type, field) -> the step its resolver reads, from the field's arguments and the settings.
# Connections (`page` steps) select their nodes under `edges { node }`.
STEPS: dict[tuple[str, str], Callable[[dict[str, Any], Settings], Step]] = {
    ("OrgUnit", "parent"): lambda f, s: Step(Rel.ORG_PARENT, "up"),
    ("OrgUnit", "children"): lambda f, s: Step(Rel.ORG_PARENT, "down"),
    ("OrgUnit", "substations"): lambda f, s: Step(Rel.SUBSTATION_OWNER, "down"),
    ("Substation", "feeders"): lambda f, s: Step(Rel.FEEDS, "down"),
    ("Feeder", "substation"): lambda f, s: Step(Rel.FEEDS, "up"),
    ("Feeder", "transformers"): lambda f, s: Step(Rel.SUPPLIES, "down", _page(f, s)),
    ("Transformer", "feeder"): lambda f, s: Step(Rel.SUPPLIES, "up"),
    ("Transformer", "gateMeters"): lambda f, s: Step(
        Rel.HAS_METER, "down", PageSpec(s.max_page_size, None, GATE_ROLE)
    ),
    ("Transformer", "meters"): lambda f, s: Step(
        Rel.HAS_METER, "down", _page(f, s, _meter_role(f.get("role")))
    ),
    ("Meter", "transformer"): lambda f, s: Step(Rel.HAS_METER, "up"),
    ("Meter", "customer"): lambda f, s: Step(Rel.USES_METER, "up"),
    ("Customer", "meters"): lambda f, s: Step(Rel.USES_METER, "down"),
}
for _kind, _rel in OWNER_REL.items():
    STEPS[(TYPE_NAMES[_kind], "orgUnit")] = partial(lambda rel, f, s: Step(rel, "up"), _rel)


def _fields(selections: list[Selection], type_name: str) -> Iterator[SelectedField]:
    """The fields selected on `type_name`, through the fragments that apply to it, leaving
    out what @skip/@include drop."""
    for s in selections:
        if _dropped(s.directives):
            continue
        if isinstance(s, SelectedField):
            yield s
        elif isinstance(s, InlineFragment | FragmentSpread) and s.type_condition in (
            None,
            type_name,
            "Node",
        ):
            yield from _fields(s.selections, type_name)


def _dropped(directives: dict[str, dict[str, Any]]) -> bool:
    return directives.get("skip", {}).get("if") is True or (
        "include" in directives and directives["include"].get("if") is not True
    )


# Fields that return a page as a connection (`gateMeters` is a page returned as a list).
_CONNECTIONS = {("Feeder", "transformers"), ("Transformer", "meters")}


def _nodes_of(type_name: str, field: SelectedField) -> list[Selection]:
    """What is selected on the nodes a field returns: under `edges { node }` for a
    connection."""
    if (type_name, field.name) not in _CONNECTIONS:
        return field.selections
    found: list[Selection] = []
    for edges in _fields(field.selections, "Connection"):
        if edges.name == "edges":
            for node in _fields(edges.selections, "Edge"):
                if node.name == "node":
                    found.extend(node.selections)
    return found


def compile_steps(selections: list[Selection], kind: Kind, settings: Settings) -> tuple[Step, ...]:
    """The steps the resolvers below a `kind` node will read, the same read merged once."""
    type_name = TYPE_NAMES[kind]
    steps = []
    for field in _fields(selections, type_name):
        build = STEPS.get((type_name, field.name))
        if build is None:
            continue
        try:
            step = build(field.arguments, settings)
        except NotCompiled:
            continue
        then = compile_steps(_nodes_of(type_name, field), step.reached_kind(), settings)
        steps.append(replace(step, then=then))
    return merged(steps)


def merged(steps: Iterable[Step]) -> tuple[Step, ...]:
    """One step per read (a read selected several times, under aliases or by several root
    fields, is read once), walking on below to what each of them walks."""
    same: dict[tuple[Any, ...], list[Step]] = {}
    for step in steps:
        same.setdefault((step.rel, step.direction, step.page), []).append(step)
    return tuple(
        group[0]
        if len(group) == 1
        else replace(group[0], then=merged(t for step in group for t in step.then))
        for group in same.values()
    )


async def prefetch(info: Info, kind: Kind, code: str, as_of: dt.date) -> None:
    """Read the root entity and the tree below it at once, into the request's loaders;
    nothing when the selection walks no relationship (the root loader reads it alone)."""
    ctx = context(info)
    if (kind, code, as_of) in ctx.trees_read:  # read already (api/fast_path.py)
        return
    steps = merged(
        step
        for selected in info.selected_fields
        for step in compile_steps(selected.selections, kind, ctx.settings)
    )
    if not steps:
        return
    # Inline on the request's own thread: one read, nothing to overlap it with.
    tree = await off_loop(True, ctx.store.fetch_tree, kind, code, as_of, steps)
    hand_over(ctx, kind, code, as_of, steps, tree)


def hand_over(
    ctx: Context, kind: Kind, code: str, as_of: dt.date, steps: tuple[Step, ...], tree: Tree | None
) -> None:
    """Give the request's loaders the root and the tree read below it (None: no such root),
    and remember it was read, so that nothing reads it again."""
    ctx.loaders.entities.prime(EntitiesKey(kind, code), None if tree is None else tree.entity)
    if tree is not None:
        _prime(ctx.loaders, tree, steps, as_of)
    ctx.trees_read.add((kind, code, as_of))


def _prime(loaders: Loaders, tree: Tree, steps: tuple[Step, ...], as_of: dt.date) -> None:
    code = tree.entity.code
    for step, reached in zip(steps, tree.reached, strict=True):
        if step.page is None:
            key = NeighborsKey(step.rel, step.direction, as_of, code)
            loaders.neighbors.prime(key, [t.entity for t in reached.trees])
        else:
            spec = step.page
            pages = ChildPagesKey(step.rel, as_of, spec.first, spec.after, spec.role, code)
            loaders.child_pages.prime(pages, page_of(reached))
        for below in reached.trees:
            _prime(loaders, below, step.then, as_of)
