"""Feeder (10 kV 线路): supplies many transformer areas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.pagination import decode_cursor, page_size
from api.types.connection import Connection, connection
from api.types.node import Node
from api.types.resolve import context, parent
from api.types.shared_fields import org_unit_field, path_field
from api.types.transformer import Transformer
from graph.model import Rel

if TYPE_CHECKING:
    from api.types.org_unit import OrgUnit
    from api.types.substation import Substation


@strawberry.type(description="A medium-voltage feeder (馈线) out of a substation.")
class Feeder(Node):
    @strawberry.field
    def name(self) -> str:
        return str(self.entity.get("name") or "")

    @strawberry.field
    def voltage_kv(self) -> float | None:
        value = self.entity.get("voltage_kv")
        return None if value is None else float(value)  # type: ignore[arg-type]

    @strawberry.field(description="The substation feeding it on the as-of date.")
    async def substation(
        self, info: strawberry.Info
    ) -> Annotated[Substation, strawberry.lazy("api.types.substation")] | None:
        from api.types.substation import Substation

        found = await parent(info, Rel.FEEDS, self.entity, self.as_of)
        return None if found is None else Substation(entity=found, as_of=self.as_of)

    org_unit: Annotated[OrgUnit, strawberry.lazy("api.types.org_unit")] | None = org_unit_field
    path: list[Node] = path_field

    @strawberry.field(description="The transformers it supplies on the as-of date, by code.")
    async def transformers(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[Transformer]:
        ctx = context(info)
        size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
        key = (Rel.SUPPLIES, self.as_of, size, decode_cursor(after), None, self.entity.code)
        page = await ctx.loaders.child_page.load(key)
        return connection(page, self.as_of, lambda e, d: Transformer(entity=e, as_of=d))
