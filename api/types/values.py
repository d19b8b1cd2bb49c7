"""Attribute values as of a node's date: attributes are dated (docs/history.md).

Nearly every node is read on a day its current values hold; its fields answer at once, with no
await. A node read before its current values began gets the values of that day from one
batched store call per kind and day (`attrs_as_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from api.context import Info
from api.dataloaders import AttrsAsOfKey
from api.types.node import Node
from api.types.resolve import context
from graph.domain.model import Entity

T = TypeVar("T")


def value_of(root: Node, info: Info, name: str, convert: Callable[[object], T]) -> Any:
    """`convert(value of attribute name)` on root's as-of date: the value itself when the
    current values hold then, else an awaitable of it (graphql-core awaits what a resolver
    returns; typed Any for that reason, each field declares its GraphQL type)."""
    entity = root.entity
    if entity.attrs_from <= root.as_of:
        return convert(entity.get(name))
    return _past_value(root, info, name, convert)


async def entity_on(info: Info, entity: Entity, day: dt.date) -> Entity | None:
    """`entity` with the values it had on `day`; None when it had none then (it came later,
    or had ended). Free when its current values held then, as for nearly every entity."""
    if entity.attrs_from <= day:
        return entity
    return await context(info).loaders.attrs_as_of.load(AttrsAsOfKey(entity.kind, day, entity.code))


async def _past_value(root: Node, info: Info, name: str, convert: Callable[[object], T]) -> T:
    then = await entity_on(info, root.entity, root.as_of)
    # None: no values that early (it came later): the first ones known answer.
    return convert((then or root.entity).get(name))
