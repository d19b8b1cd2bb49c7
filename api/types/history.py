"""History: the intervals of a meter or a transformer in its relationships, with the
changesets that opened and closed each one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import strawberry

from api.context import Info
from api.dataloaders import ChangesetKey, EntitiesKey, HistoriesKey
from api.types.changeset import Changeset
from api.types.node import Node
from api.types.resolve import context
from graph.domain.model import BEGINNING, FOREVER, REL_SPECS, Entity, Link, Rel


@strawberry.type(description="One interval [from, to) of a relationship.")
class Interval:
    link: strawberry.Private[Link]

    @strawberry.field(
        description="HAS_METER (its area), USES_METER (its customer), READS (the area whose "
        "concentrator reads it: collection evidence), SUPPLIES (a transformer's feeder), "
        "OWNS_TRANSFORMER (its org unit)."
    )
    def relationship(self) -> str:
        return self.link.rel.value

    @strawberry.field(description="The other end: the area, customer, feeder or org unit.")
    async def parent(self, info: Info) -> Node | None:
        from api.types.wrap import wrap

        kind = REL_SPECS[self.link.rel].parent
        entity = await context(info).loaders.entities.load(EntitiesKey(kind, self.link.parent))
        day = self.link.valid_from if self.link.valid_from != BEGINNING else context(info).today
        return None if entity is None else wrap(entity, day)

    @strawberry.field(description="READS: the concentrator (terminal) code; null otherwise.")
    def terminal_code(self) -> str | None:
        return self.link.detail

    @strawberry.field(name="from", description="First day; null: since records began.")
    def from_(self) -> dt.date | None:
        return None if self.link.valid_from == BEGINNING else self.link.valid_from

    @strawberry.field(description="First day it no longer holds; null: it holds now.")
    def to(self) -> dt.date | None:
        return None if self.link.valid_to == FOREVER else self.link.valid_to

    @strawberry.field(description="The changeset that opened it (null: before audit records).")
    async def opened_by(self, info: Info) -> Changeset | None:
        return await changeset_of(info, self.link.opened_by)

    @strawberry.field(description="The changeset that closed it.")
    async def closed_by(self, info: Info) -> Changeset | None:
        return await changeset_of(info, self.link.closed_by)


async def changeset_of(info: Info, changeset_id: str | None) -> Changeset | None:
    if changeset_id is None:
        return None
    record = await context(info).loaders.changeset.load(ChangesetKey(changeset_id))
    return None if record is None else Changeset(record=record)


async def history(info: Info, entity: Entity, rels: Sequence[Rel]) -> list[Interval]:
    """Every interval of `entity` in `rels`, oldest first."""
    loaders = context(info).loaders
    links: list[Link] = []
    for rel in rels:
        links.extend(await loaders.histories.load(HistoriesKey(rel, entity.code)))
    links.sort(key=lambda k: (k.valid_from, k.valid_to, k.rel.value))
    return [Interval(link=k) for k in links]
