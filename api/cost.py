"""What a request will cost, computed before any resolver runs, and the refusal over budget.

The cost estimates the objects a request makes the server build, from the document and its
variables alone:

- every field that returns an object (or a list of them) costs 1 for each object it returns;
  a scalar costs nothing (it is read with its object);
- a paged field (`first`) returns `first` objects (the default page size when absent), so its
  `edges` multiply what is below them by the page size;
- a per-day list (`lossSeries`, `readings`, `readingCorrections`) returns one object per day of
  `from`..`to` (`lossSeries(step: MONTH)`: per calendar month it can touch);
- an aggregate over a period (`lossSummary`, `loss`, `lossRanking`) costs one more for each
  started 31 days it reads;
- an analysis (`findings`) costs ANALYSIS_COST on top: it reads every meter-day of the
  areas under its node (a feeder's in about a second), so a request runs at most a few;
- an unpaged list costs its usual length (`LIST_LENGTHS`: a unit's child units, a feeder's
  areas of a substation, a meter's history);
- introspection costs nothing.

So `orgUnits(first: 100) { edges { node { transformers(first: 100) { edges { node { code }
} } } } }` costs 1 + 100 × (2 + 1 + 100 × 2) = 20,301. Over the budget, the request is refused
with code LIMIT_EXCEEDED and `cost` / `maxCost` in the error's extensions, before any store call. An
accepted request's cost is in the response's `extensions.cost`, so that a client can see how
close it came.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

from api.errors import LIMIT_EXCEEDED

#: The usual length of a list field that is not paged (a guess on the large side).
LIST_LENGTHS: Mapping[str, int] = {
    "children": 20,  # an org unit's child units
    "substations": 50,  # an org unit's substations
    "feeders": 20,  # a substation's feeders
    "meters": 5,  # a customer's meters (an area's are paged)
    "gateMeters": 2,
    "history": 10,
    "path": 6,
    "details": 10,
    "counts": 10,
    "areas": 3,  # a mismatch's areas
    "errors": 10,
    "assessment": 50,  # the units of a level, or a unit's children
    "indicators": 9,
}
DEFAULT_LIST_LENGTH = 10
PER_DAY_LISTS = frozenset({"lossSeries", "readings", "readingCorrections"})
PERIOD_AGGREGATES = frozenset({"lossSummary", "loss", "lossRanking"})
DAYS_PER_UNIT = 31
ANALYSES = frozenset({"findings"})
ANALYSIS_COST = 1_000


@dataclass(frozen=True)
class CostRules:
    max_cost: int
    default_page_size: int
    max_page_size: int
    max_days: int  # the longest period a loss field accepts (a longer one is refused anyway)


class _Coster:
    """Unit costs of selection sets (the cost of one parent object); each fragment is costed
    once per page size it is spread under, so a fragment chain costs one walk."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: VariableValues,
        rules: CostRules,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.rules = rules
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.costed: dict[tuple[str, int], int] = {}
        self.visiting: set[tuple[str, int]] = set()

    def selections(
        self, parent: GraphQLNamedType | None, selection_set: SelectionSetNode | None, page: int
    ) -> int:
        """The cost below one object of type `parent`; `page`: the page size of the paged field
        this selection sits in (what its `edges` return)."""
        total = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                total += self.field(parent, node, page)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(inner, node.selection_set, page)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, page)
        return total

    def fragment(self, name: str, page: int) -> int:
        key = (name, page)
        if key in self.costed:
            return self.costed[key]
        definition = self.fragments.get(name)
        if definition is None or key in self.visiting:  # validation reports both
            return 0
        self.visiting.add(key)
        condition = self.schema.get_type(definition.type_condition.name.value)
        cost = self.selections(condition, definition.selection_set, page)
        self.visiting.discard(key)
        self.costed[key] = cost
        return cost

    def field(self, parent: GraphQLNamedType | None, node: FieldNode, page: int) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return 0  # introspection, or unknown (validation reports it)
        definition: GraphQLField = fields[name]
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        args = self.arguments(definition, node)
        own_page = self.page_size(args) if "first" in definition.args else page
        days = self.days(args)
        count = 1
        if is_list_type(get_nullable_type(definition.type)):
            count = self.list_length(name, days, page, args, "first" in definition.args)
        own = count
        if name in PERIOD_AGGREGATES and days:
            own += math.ceil(days / DAYS_PER_UNIT)
        if name in ANALYSES:
            own += ANALYSIS_COST
        return own + count * self.selections(named, node.selection_set, own_page)

    def list_length(
        self, name: str, days: int | None, page: int, args: dict[str, Any], paged: bool
    ) -> int:
        if paged:  # a list paged by its own `first` (search)
            return self.page_size(args)
        if name == "edges":
            return page
        if name in PER_DAY_LISTS and days:
            if str(args.get("step", "DAY")).endswith("MONTH"):
                return days // 28 + 2  # the calendar months a period of `days` can touch
            return days
        return LIST_LENGTHS.get(name, DEFAULT_LIST_LENGTH)

    def arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's arguments with variables applied; nothing when they are invalid
        (execution refuses them with a clear error before any store call)."""
        if not definition.args:
            return {}
        try:
            return get_argument_values(definition, node, self.variables)
        except (GraphQLError, TypeError, ValueError):
            return {}

    def page_size(self, args: dict[str, Any]) -> int:
        first = args.get("first")
        if not isinstance(first, int) or first < 0:
            return self.rules.default_page_size
        return min(first, self.rules.max_page_size)

    def days(self, args: dict[str, Any]) -> int | None:
        start, end = args.get("from"), args.get("to")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date):
            return None
        return max(1, min((end - start).days + 1, self.rules.max_days))


def operation_of(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
) -> tuple[OperationDefinitionNode, VariableValues] | None:
    """The operation a request runs, with its variables coerced; None when it names none that
    exists (or names none among several) or its variables are invalid: execution reports it."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None
    (operation,) = operations
    coerced = get_variable_values(schema, operation.variable_definitions or (), raw_variables or {})
    if isinstance(coerced, list):  # coercion errors
        return None
    return operation, coerced


def request_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
    rules: CostRules,
) -> int | None:
    """The cost of the operation the request runs; None when it names none that exists or its
    variables are invalid (execution reports both before any resolver)."""
    chosen = operation_of(schema, document, operation_name, raw_variables)
    if chosen is None:
        return None
    operation, coerced = chosen
    root = schema.get_root_type(operation.operation)
    coster = _Coster(schema, document, coerced, rules)
    return coster.selections(root, operation.selection_set, rules.default_page_size)


class CostLimit(SchemaExtension):
    """Refuses a request over the cost budget before execution; reports the cost otherwise."""

    def __init__(self, rules: CostRules) -> None:
        self.rules = rules
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.result:
            self.cost = request_cost(
                context.schema._schema,
                document,
                context.operation_name,
                context.variables,
                self.rules,
            )
            if self.cost is not None and self.cost > self.rules.max_cost:
                message = (
                    f"The request would cost {self.cost} (objects it returns, days it reads). "
                    f"Allowed: {self.rules.max_cost}; ask for smaller pages or shorter periods"
                )
                extensions = {
                    "code": LIMIT_EXCEEDED,
                    "cost": self.cost,
                    "maxCost": self.rules.max_cost,
                }
                context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(message, extensions=extensions)]
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "maxCost": self.rules.max_cost}}
