"""Attribute values as of a node's date: attributes are dated (docs/history.md).

A node's dated values are plain fields, filled when its object is made: nearly every node is
read on a day its current values hold, and a plain field costs graphql-core a fraction of a
resolver (no arguments, no Info, no coroutine). A node read before its current values began
holds an awaitable instead, answered by one batched store call per kind and day
(`attrs_as_of`), which graphql-core awaits like a resolver's result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import strawberry

from api.context import CURRENT, Info
from api.dataloaders import AttrsAsOfKey, Loaders
from api.types.resolve import context
from graph.domain.model import Entity

if TYPE_CHECKING:
    from api.types.node import Node

Convert = Callable[[object], Any]
_VALUE = "taiqu_value"  # metadata key of a value field: (attribute, convert)


def value_field(attr: str, convert: Convert, graphql_type: Any, description: str | None) -> Any:
    """A plain field holding `convert(attribute attr)` on the node's as-of date."""
    return strawberry.field(
        default=None,
        graphql_type=graphql_type,
        description=description,
        metadata={_VALUE: (attr, convert)},
    )


_FIELDS: dict[type, tuple[tuple[str, str, Convert], ...]] = {}


def _value_fields(cls: type) -> tuple[tuple[str, str, Convert], ...]:
    """(python name, attribute, convert) of each value field of a node type."""
    known = _FIELDS.get(cls)
    if known is not None:
        return known
    found = []
    for f in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        spec = value_spec(f.metadata or {})
        if spec is not None:
            found.append((f.python_name, *spec))
    known = _FIELDS[cls] = tuple(found)
    return known


def value_spec(metadata: Mapping[str, Any]) -> tuple[str, Convert] | None:
    """(attribute, convert) of a field made by `value_field` (from its metadata), else None."""
    spec: tuple[str, Convert] | None = metadata.get(_VALUE)
    return spec


def fill_values(node: Node) -> None:
    """Set `node`'s value fields: the values themselves when its entity's current values hold
    on its date, else awaitables of that day's values."""
    entity, day = node.entity, node.as_of
    fields = _value_fields(type(node))
    if entity.attrs_from <= day:
        for name, attr, convert in fields:
            setattr(node, name, convert(entity.get(attr)))
        return
    loaders = CURRENT.get().loaders
    for name, attr, convert in fields:
        setattr(node, name, _PastValue(loaders, entity, day, attr, convert))


class _PastValue:
    """An attribute's value on a day before its entity's current values; awaitable any number
    of times (an aliased field awaits it twice; the loader reads the store once)."""

    __slots__ = ("_attr", "_convert", "_day", "_entity", "_loaders")

    def __init__(
        self, loaders: Loaders, entity: Entity, day: dt.date, attr: str, convert: Convert
    ) -> None:
        self._loaders, self._entity, self._day = loaders, entity, day
        self._attr, self._convert = attr, convert

    def __await__(self) -> Generator[Any, None, Any]:
        return self._value().__await__()

    async def _value(self) -> Any:
        key = AttrsAsOfKey(self._entity.kind, self._day, self._entity.code)
        then = await self._loaders.attrs_as_of.load(key)
        # None: no values that early (it came later): the first ones known answer.
        return self._convert((then or self._entity).get(self._attr))


async def entity_on(info: Info, entity: Entity, day: dt.date) -> Entity | None:
    """`entity` with the values it had on `day`; None when it had none then (it came later,
    or had ended). Free when its current values held then, as for nearly every entity."""
    if entity.attrs_from <= day:
        return entity
    return await context(info).loaders.attrs_as_of.load(AttrsAsOfKey(entity.kind, day, entity.code))
