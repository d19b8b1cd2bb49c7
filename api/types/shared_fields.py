"""Resolvers shared by several types (declared once, attached with strawberry.field)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.context import CURRENT, Info
from api.types.node import Node
from api.types.resolve import parent, path_from_top
from api.types.values import value_field
from graph.domain.access import shown
from graph.domain.model import OWNER_REL, Kind

if TYPE_CHECKING:
    from api.types.org_unit import OrgUnit


async def resolve_path(root: Node, info: Info) -> list[Node]:
    from api.types.wrap import wrap

    return [wrap(e, root.as_of) for e in await path_from_top(info, root.entity, root.as_of)]


async def resolve_org_unit(
    root: Node, info: Info
) -> Annotated[OrgUnit, strawberry.lazy("api.types.org_unit")] | None:
    from api.types.org_unit import OrgUnit

    found = await parent(info, OWNER_REL[root.entity.kind], root.entity, root.as_of)
    return None if found is None else OrgUnit(entity=found, as_of=root.as_of)


path_field = strawberry.field(
    resolver=resolve_path, description="From the top of its tree down to this node (itself last)."
)
org_unit_field = strawberry.field(
    resolver=resolve_org_unit, description="The org unit that owns it on the as-of date."
)


def _name(value: object) -> str:
    return str(value or "")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def name_field(description: str | None = None) -> Any:
    """`name: String!` on the as-of date (an empty string when the source gave none)."""
    return value_field("name", _name, str, description)


def _person_name(value: object) -> str:
    """A person's name, masked unless the request's principal sees personal data (masked
    too where no request is known: never shown by accident)."""
    ctx = CURRENT.get(None)
    sees = ctx is not None and ctx.sees_personal_data()
    return _name(shown(Kind.CUSTOMER, "name", value, sees))


def person_name_field(description: str | None = None) -> Any:
    """`name: String!` of a person (a customer): personal data (graph/domain/access.py)."""
    return value_field("name", _person_name, str, description)


def text_field(attr: str, description: str | None = None) -> Any:
    """An optional text attribute of the entity on the as-of date."""
    return value_field(attr, _text, str | None, description)


def number_field(attr: str, description: str | None = None) -> Any:
    """An optional number attribute of the entity on the as-of date (units in its name)."""
    return value_field(attr, _number, float | None, description)
