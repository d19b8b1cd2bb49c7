"""Topology reads answered straight from the tree the store returns, without field resolvers.

An explorer page (a feeder, 20 areas, their gate meters, 20 meters each with its customer) is
some 1,500 fields; graphql-core spends ~30 ms of CPU executing them one by one, far more than
the store needs to read them. When every field a query selects is one this module knows - a
root field by code, node codes and dated values, the relationships of api/prefetch.py, and
the connection fields around them - the query is answered from the one store read directly:
same values, same serialization (each leaf through its GraphQL type's `serialize`), same
order of keys. Anything else, and anything unusual (a directive, a node read on a day before
its current values, a null where the schema promises a value), leaves the request to the
resolvers, with the tree already handed to their loaders.

Runs as an extension after CostLimit (api/schema.py): when it runs, the limits, validation
and the cost have accepted the request; a refusal leaves `execution_context.result` set and
the fast path does nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionResult

from api.context import Context
from api.cost import operation_of
from api.dataloaders import off_loop
from api.pagination import encode_cursor
from api.prefetch import STEPS, TYPE_NAMES, NotCompiled, hand_over
from api.query import BY_CODE
from api.scope_guard import SCOPE_CLOSED, SHOWN_OUTSIDE, units_seen
from api.types.values import value_spec
from graph.domain.model import Kind
from graph.stores.tree import Reached, Step, Tree
from taiqu.settings import Settings


def _metadata(field: GraphQLField) -> dict[str, Any]:
    """The metadata of the strawberry field a GraphQL field was made from: what it is."""
    defined = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return getattr(defined, "metadata", None) or {}


class _Fallback(Exception):
    """Leave the request to the resolvers."""


Shape = Callable[[Tree], dict[str, Any]]


class _Compiler:
    """Turns the selection on a node type into the steps to read and a function shaping the
    read tree into the response."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        settings: Settings,
        day: dt.date,
        narrowed: bool = False,
    ) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.settings, self.day = settings, day
        self.narrowed = narrowed  # a principal below the top unit asks (api/scope_guard.py)

    def fields(
        self, type_: GraphQLObjectType, sets: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, through the fragments that apply (graphql-core's
        collection, without directives: a directive leaves the request to the resolvers)."""
        found: dict[str, list[FieldNode]] = {}
        for selection_set in sets:
            self._collect(type_, selection_set, found, set())
        return found

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_set: SelectionSetNode,
        found: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        for node in selection_set.selections:
            if node.directives:
                raise _Fallback
            if isinstance(node, FieldNode):
                key = node.alias.value if node.alias else node.name.value
                found.setdefault(key, []).append(node)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                if condition is None or self._applies(condition.name.value, type_):
                    self._collect(type_, node.selection_set, found, spread)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or fragment.directives:
                    raise _Fallback
                if name in spread:
                    continue
                spread.add(name)
                if self._applies(fragment.type_condition.name.value, type_):
                    self._collect(type_, fragment.selection_set, found, spread)

    def _applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        target = self.schema.get_type(condition)
        if target is type_:
            return True
        return is_abstract_type(target) and self.schema.is_sub_type(target, type_)  # type: ignore[arg-type]

    def node(self, kind: Kind, sets: list[SelectionSetNode]) -> tuple[tuple[Step, ...], Shape]:
        type_ = self.schema.get_type(TYPE_NAMES[kind])
        assert isinstance(type_, GraphQLObjectType)
        steps: list[Step] = []
        emit: list[tuple[str, Callable[[Tree], Any]]] = []
        for key, nodes in self.fields(type_, sets).items():
            name = nodes[0].name.value
            if name == "__typename":
                emit.append((key, _constant(type_.name)))
                continue
            field = type_.fields.get(name)
            if field is None:
                raise _Fallback
            if name == "code":
                emit.append((key, _code))
            elif (spec := value_spec(_metadata(field))) is not None:
                emit.append((key, _value(field, *spec)))
            elif (type_.name, name) in STEPS:
                step, walk = self.step(type_.name, name, field, nodes, len(steps))
                steps.append(step)
                emit.append((key, walk))
            else:
                raise _Fallback

        def shape(tree: Tree) -> dict[str, Any]:
            if tree.entity.attrs_from > self.day:  # values of an earlier day: the resolvers
                raise _Fallback
            return {key: value(tree) for key, value in emit}

        return tuple(steps), shape

    def step(
        self, type_name: str, name: str, field: GraphQLField, nodes: list[FieldNode], index: int
    ) -> tuple[Step, Callable[[Tree], Any]]:
        try:
            args = get_argument_values(field, nodes[0], self.variables)
            step = STEPS[(type_name, name)](args, self.settings)
        except (GraphQLError, NotCompiled, TypeError, ValueError) as exc:
            raise _Fallback from exc
        sets = _sets(nodes)
        listed = is_list_type(get_nullable_type(field.type))
        if self.narrowed and (type_name, name) not in SCOPE_CLOSED:
            # A step that may leave the scope: one entity up, asking only what an entity
            # outside the scope shows; a list to filter is the resolvers'.
            reached = {n[0].name.value for n in self.fields(_object_type(field), sets).values()}
            if listed or step.page is not None or not reached <= SHOWN_OUTSIDE[step.reached_kind()]:
                raise _Fallback
        if step.page is not None and not listed:  # a page as a connection (not gateMeters)
            return self.connection(step, field, sets, index)
        then, below = self.node(step.reached_kind(), sets)
        walked = replace(step, then=then)
        nullable = not is_non_null_type(field.type)
        if not listed:  # one node: a parent

            def one(tree: Tree) -> Any:
                trees = tree.reached[index].trees
                if not trees:
                    if not nullable:
                        raise _Fallback
                    return None
                return below(trees[0])

            return walked, one

        def many(tree: Tree) -> Any:
            return [below(t) for t in tree.reached[index].trees]

        return walked, many

    def parts(
        self,
        type_: GraphQLObjectType,
        sets: list[SelectionSetNode],
        known: dict[str, Callable[[list[FieldNode]], Callable[[Any], Any]]],
    ) -> list[tuple[str, Callable[[Any], Any]]]:
        """The selected fields of a type around the nodes (a connection, an edge, page info),
        by response key: `known` makes each one's part from its field nodes; `__typename` is
        the type's name; any other field leaves the request to the resolvers."""
        found: list[tuple[str, Callable[[Any], Any]]] = []
        for key, nodes in self.fields(type_, sets).items():
            name = nodes[0].name.value
            if name == "__typename":
                found.append((key, _constant(type_.name)))
            elif name in known:
                found.append((key, known[name](nodes)))
            else:
                raise _Fallback
        return found

    def connection(
        self, step: Step, field: GraphQLField, sets: list[SelectionSetNode], index: int
    ) -> tuple[Step, Callable[[Tree], Any]]:
        conn_type = _object_type(field)
        below: list[tuple[Step, ...]] = []  # the steps under `edges { node }`

        def edges(nodes: list[FieldNode]) -> Callable[[Reached], Any]:
            if below:  # `edges` under two keys: rare, left to the resolvers
                raise _Fallback
            shape, then = self.edges(step, _object_type(conn_type.fields["edges"]), nodes)
            below.append(then)
            return shape

        parts = self.parts(
            conn_type,
            sets,
            {
                "totalCount": lambda _: lambda r: r.total_count,
                "pageInfo": lambda nodes: self.page_info(conn_type, nodes),
                "edges": edges,
            },
        )

        def shape(tree: Tree) -> Any:
            reached = tree.reached[index]
            return {key: part(reached) for key, part in parts}

        return replace(step, then=below[0] if below else ()), shape

    def page_info(
        self, conn_type: GraphQLObjectType, nodes: list[FieldNode]
    ) -> Callable[[Reached], Any]:
        parts = self.parts(
            _object_type(conn_type.fields["pageInfo"]),
            _sets(nodes),
            {
                "hasNextPage": lambda _: lambda r: r.has_next,
                "endCursor": lambda _: (
                    lambda r: encode_cursor(r.trees[-1].entity.code) if r.trees else None
                ),
                "startCursor": lambda _: (
                    lambda r: encode_cursor(r.trees[0].entity.code) if r.trees else None
                ),
                # hasPreviousPage needs the request's `after`: left to the resolvers
            },
        )
        return lambda r: {key: part(r) for key, part in parts}

    def edges(
        self, step: Step, edge_type: GraphQLObjectType, nodes: list[FieldNode]
    ) -> tuple[Callable[[Reached], Any], tuple[Step, ...]]:
        below: list[tuple[Step, ...]] = []  # the steps under `node`

        def node(inner: list[FieldNode]) -> Shape:
            if below:  # `node` under two keys
                raise _Fallback
            then, shape = self.node(step.reached_kind(), _sets(inner))
            below.append(then)
            return shape

        parts = self.parts(
            edge_type,
            _sets(nodes),
            {"cursor": lambda _: lambda t: encode_cursor(t.entity.code), "node": node},
        )

        def shape(reached: Reached) -> Any:
            return [{key: part(t) for key, part in parts} for t in reached.trees]

        return shape, below[0] if below else ()


def _sets(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    """The selection sets of one response key's field nodes (merged as graphql-core does)."""
    return [n.selection_set for n in nodes if n.selection_set]


def _object_type(field: GraphQLField) -> GraphQLObjectType:
    named = get_named_type(field.type)
    assert isinstance(named, GraphQLObjectType)
    return named


def _constant(value: Any) -> Callable[[Any], Any]:
    return lambda _: value


def _code(tree: Tree) -> str:
    return tree.entity.code


def _value(
    field: GraphQLField, attr: str, convert: Callable[[object], Any]
) -> Callable[[Tree], Any]:
    leaf = get_named_type(field.type)
    if not is_leaf_type(leaf):
        raise _Fallback
    serialize = leaf.serialize  # type: ignore[union-attr]
    required = is_non_null_type(field.type)

    def value(tree: Tree) -> Any:
        raw = convert(tree.entity.get(attr))
        out = None if raw is None else serialize(raw)
        if out is None and required:
            raise _Fallback
        return out

    return value


async def answer(schema: GraphQLSchema, ctx: Context, execution: Any) -> dict[str, Any] | None:
    """The data of the request, or None to leave it to the resolvers."""
    chosen = operation_of(
        schema, execution.graphql_document, execution.operation_name, execution.variables
    )
    if chosen is None or chosen[0].operation != OperationType.QUERY:
        return None
    operation, variables = chosen
    fragments = {
        d.name.value: d
        for d in execution.graphql_document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    query_type = schema.query_type
    assert query_type is not None
    try:
        root_fields = _Compiler(schema, fragments, variables, ctx.settings, ctx.today).fields(
            query_type, [operation.selection_set]
        )
    except _Fallback:
        return None
    plans: list[tuple[str, tuple[Kind, str, dt.date, tuple[Step, ...], Shape] | None]] = []
    for key, nodes in root_fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            plans.append((key, None))
            continue
        root = query_type.fields.get(name)
        kind = None if root is None else _metadata(root).get(BY_CODE)
        if kind is None or len(nodes) != 1:
            return None
        args = get_argument_values(root, nodes[0], variables)
        day = args.get("asOf") or ctx.today
        compiler = _Compiler(schema, fragments, variables, ctx.settings, day, ctx.narrowed)
        try:
            steps, shape = compiler.node(kind, _sets(nodes))
        except _Fallback:
            return None
        plans.append((key, (kind, args["code"], day, steps, shape)))
    data: dict[str, Any] = {}
    for key, plan in plans:
        if plan is None:
            data[key] = query_type.name
            continue
        kind, code, day, steps, shape = plan
        store = ctx.store
        # Below the top unit the root must lie in the principal's scope on its day: part of
        # the same read (null outside it, as for a code that exists nowhere).
        within = await units_seen(ctx, day)
        try:
            # Inline on the request's own thread, whichever the store: one read, nothing to
            # overlap it with, and a hop to another thread costs a GIL hand-over or two.
            tree = await off_loop(True, store.fetch_tree, kind, code, day, steps, within)
        except Exception:  # the resolvers read again and report it as they always do
            return None
        try:
            data[key] = None if tree is None else shape(tree)
        except Exception:  # _Fallback, or a value the resolvers would report as an error
            hand_over(ctx, kind, code, day, steps, tree)  # theirs, not read twice
            return None
    return data


class FastPath(SchemaExtension):
    """Answers a topology query from one store read, when it can (see the module)."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        if (
            not execution.result
            and execution.graphql_document
            and isinstance(ctx, Context)
            and ctx.settings.fast_path
        ):
            data = await answer(execution.schema._schema, ctx, execution)
            if data is not None:
                execution.result = ExecutionResult(data=data, errors=None)
        yield
