"""Depth, alias and fragment-spread limits that cannot blow up.

strawberry's QueryDepthLimiter and MaxAliasesLimiter expand every fragment spread where it is
used: a chain of 20 fragments that each spread the next twice makes them walk 2^20 spreads on
the event loop (an 818-byte query stalled the server for 12.6 s). Here each fragment is
measured once and its figures reused wherever it is spread, so a document costs one walk of its
own text whatever it expands to. The figures are those of the limiters they replace (the same
depth and alias counts, the same messages), plus a budget on fragment spreads once expanded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

from api.errors import LIMIT_EXCEEDED

_LIMIT = {"code": LIMIT_EXCEEDED}


@dataclass(frozen=True)
class Measure:
    """What a selection set amounts to once its fragments are expanded."""

    depth: int = 0  # the deepest field level below it (a leaf at the top: 0)
    aliases: int = 0  # aliased fields
    spreads: int = 0  # fragment spreads

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.spreads + other.spreads,
        )


class _Measurer:
    """Measures selection sets, each fragment once (a cycle counts as empty: the standard
    NoFragmentCycles rule reports it)."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, Measure] = {}
        self.visiting: set[str] = set()

    def fragment(self, name: str) -> Measure:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return Measure()
        self.visiting.add(name)
        measure = self.selections(definition.selection_set)
        self.visiting.discard(name)
        self.measured[name] = measure
        return measure

    def selections(self, selection_set: SelectionSetNode | None) -> Measure:
        total = Measure()
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                inner = Measure()
                if node.selection_set and not node.name.value.startswith("__"):
                    below = self.selections(node.selection_set)
                    inner = Measure(below.depth + 1, below.aliases, below.spreads)
                elif node.selection_set:  # introspection: counted, not measured in depth
                    below = self.selections(node.selection_set)
                    inner = Measure(0, below.aliases, below.spreads)
                total += inner + Measure(0, 1 if node.alias else 0, 0)
            elif isinstance(node, InlineFragmentNode):
                total += self.selections(node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                target = self.fragment(node.name.value)
                total += Measure(target.depth, target.aliases, target.spreads + 1)
        return total


def limits_rule(max_depth: int, max_aliases: int, max_spreads: int) -> type[ValidationRule]:
    """A validation rule refusing documents over the depth of any operation, the aliases of
    all of them, or the fragment spreads of all of them once expanded."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measurer = _Measurer(context.document)
            aliases = spreads = 0
            for definition in context.document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                measure = measurer.selections(definition.selection_set)
                aliases += measure.aliases
                spreads += measure.spreads
                if measure.depth > max_depth:
                    name = definition.name.value if definition.name else "anonymous"
                    message = f"'{name}' exceeds maximum operation depth of {max_depth}"
                    context.report_error(GraphQLError(message, definition, extensions=_LIMIT))
            if aliases > max_aliases:
                message = f"{aliases} aliases found. Allowed: {max_aliases}"
                context.report_error(GraphQLError(message, extensions=_LIMIT))
            if spreads > max_spreads:
                message = f"{spreads} fragment spreads once expanded. Allowed: {max_spreads}"
                context.report_error(GraphQLError(message, extensions=_LIMIT))

    return DocumentLimits


class QuerySizeLimit(SchemaExtension):
    """Refuse a query text over `max_bytes` before it is parsed: the token limit counts no
    comment and no string, and a 10 MB comment took 1.8 s to skip."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        size = len(query.encode("utf-8", "surrogatepass"))
        if size > self.max_bytes:
            message = f"Query of {size} bytes. Allowed: {self.max_bytes}"
            raise GraphQLError(message, extensions=_LIMIT)
        yield
