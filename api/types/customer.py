"""Customer (用户): one household or business, with its meters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.types.node import Node
from api.types.resolve import children
from api.types.shared_fields import person_name_field, text_field
from graph.domain.model import Rel

if TYPE_CHECKING:
    from api.types.meter import Meter


@strawberry.type(description="A customer (用户) and the meters archived under it.")
class Customer(Node):
    name: str = person_name_field(
        "The customer's name; masked (王*伟) for principals that do not see personal data."
    )

    category: str | None = text_field("category")

    @strawberry.field(description="The customer's meters on the as-of date.")
    async def meters(
        self, info: Info
    ) -> list[Annotated[Meter, strawberry.lazy("api.types.meter")]]:
        from api.types.meter import Meter

        found = await children(info, Rel.USES_METER, self.entity, self.as_of)
        return [Meter(entity=e, as_of=self.as_of) for e in found]
