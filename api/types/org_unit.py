"""OrgUnit: province -> city bureau -> county company / service centre -> supply station."""

from __future__ import annotations

import strawberry

from api.pagination import decode_cursor, page_size
from api.types.connection import Connection, connection
from api.types.node import Node
from api.types.resolve import children, context, parent
from api.types.shared_fields import path_field
from api.types.substation import Substation
from api.types.transformer import Transformer
from graph.model import Rel


@strawberry.type(description="A unit of the utility's organisation tree.")
class OrgUnit(Node):
    @strawberry.field
    def name(self) -> str:
        return str(self.entity.get("name") or "")

    @strawberry.field(description="Level as the source names it: province, city, county, station…")
    def level(self) -> str | None:
        value = self.entity.get("level")
        return None if value is None else str(value)

    @strawberry.field(description="The unit above, on the as-of date.")
    async def parent(self, info: strawberry.Info) -> OrgUnit | None:
        found = await parent(info, Rel.ORG_PARENT, self.entity, self.as_of)
        return None if found is None else OrgUnit(entity=found, as_of=self.as_of)

    @strawberry.field(description="The units directly below, on the as-of date.")
    async def children(self, info: strawberry.Info) -> list[OrgUnit]:
        found = await children(info, Rel.ORG_PARENT, self.entity, self.as_of)
        return [OrgUnit(entity=e, as_of=self.as_of) for e in found]

    path: list[Node] = path_field

    @strawberry.field(description="Substations this unit owns directly.")
    async def substations(self, info: strawberry.Info) -> list[Substation]:
        found = await children(info, Rel.SUBSTATION_OWNER, self.entity, self.as_of)
        return [Substation(entity=e, as_of=self.as_of) for e in found]

    @strawberry.field(description="Transformers owned by this unit or any unit below it.")
    async def transformers(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[Transformer]:
        ctx = context(info)
        size = page_size(first, ctx.settings.default_page_size, ctx.settings.max_page_size)
        key = (self.as_of, size, decode_cursor(after), self.entity.code)
        page = await ctx.loaders.org_transformer_page.load(key)
        return connection(page, self.as_of, lambda e, d: Transformer(entity=e, as_of=d))
