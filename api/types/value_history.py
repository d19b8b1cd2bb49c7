"""The history of an entity's attribute values: every interval [from, to) of them, with the
changesets that opened and closed it (attributes are dated like relationships)."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.context import Info
from api.dataloaders import AttrHistoriesKey
from api.types.changeset import ChangeDetail, Changeset
from api.types.history import changeset_of
from api.types.resolve import context
from graph.domain.access import shown
from graph.domain.model import ATTRIBUTES, BEGINNING, FOREVER, AttrInterval, Entity


def _camel(name: str) -> str:
    """An attribute's GraphQL name: capacity_kva -> capacityKva."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


@strawberry.type(description="The values of an entity's attributes over one interval [from, to).")
class ValueInterval:
    interval: strawberry.Private[AttrInterval]
    before: strawberry.Private[AttrInterval | None]

    @strawberry.field(name="from", description="First day; null: since records began.")
    def from_(self) -> dt.date | None:
        return None if self.interval.valid_from == BEGINNING else self.interval.valid_from

    @strawberry.field(description="First day they no longer hold; null: they hold now.")
    def to(self) -> dt.date | None:
        return None if self.interval.valid_to == FOREVER else self.interval.valid_to

    @strawberry.field(
        description="Every attribute (its GraphQL field name) and its value as text; null "
        "values are left out."
    )
    def values(self, info: Info) -> list[ChangeDetail]:
        attrs, kind = self.interval.attrs, self.interval.kind
        sees = context(info).sees_personal_data()
        return [
            ChangeDetail(name=_camel(name), value=text)
            for name in ATTRIBUTES[kind]
            if (text := _text(shown(kind, name, attrs.get(name), sees))) is not None
        ]

    @strawberry.field(description="The attributes whose value differs from the interval before.")
    def changed(self) -> list[str]:
        if self.before is None:
            return []
        old, new = self.before.attrs, self.interval.attrs
        return [_camel(n) for n in ATTRIBUTES[self.interval.kind] if old.get(n) != new.get(n)]

    @strawberry.field(description="The changeset that opened it (null: before audit records).")
    async def opened_by(self, info: Info) -> Changeset | None:
        return await changeset_of(info, self.interval.opened_by)

    @strawberry.field(description="The changeset that closed it.")
    async def closed_by(self, info: Info) -> Changeset | None:
        return await changeset_of(info, self.interval.closed_by)


async def value_history(info: Info, entity: Entity) -> list[ValueInterval]:
    """Every interval of `entity`'s values, oldest first."""
    key = AttrHistoriesKey(entity.kind, entity.code)
    intervals = await context(info).loaders.attr_histories.load(key)
    return [
        ValueInterval(interval=i, before=intervals[n - 1] if n else None)
        for n, i in enumerate(intervals)
    ]
