"""areaRetire (撤销台区): an area leaves service on the effective date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from api.context import Info
from api.mutations.common import (
    EFFECTIVE_DOC,
    KEY_DOC,
    ChangeRejected,
    ChangeWritten,
    answer,
    node_of,
    run_event,
)
from api.types.transformer import Transformer
from graph.domain.model import Kind
from graph.services.events.areas import area_retire


@strawberry.input
class AreaRetireInput:
    area: str = strawberry.field(description="The area's transformer code (no customers left).")
    effective: dt.date | None = strawberry.field(default=None, description=EFFECTIVE_DOC)
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY_DOC)


@strawberry.type(
    description="The area's feeder, org unit and gate meter intervals ended on the effective "
    "date; it stays in history."
)
class AreaRetired(ChangeWritten):
    code: strawberry.Private[str]

    @strawberry.field(description="The area as it was on its last day.")
    async def area(self, info: Info) -> Transformer | None:
        return await node_of(info, Kind.TRANSFORMER, self.code, self.record, Transformer, 1)


AreaRetireResult = Annotated[AreaRetired | ChangeRejected, strawberry.union("AreaRetireResult")]


async def resolve(info: Info, input: AreaRetireInput) -> AreaRetireResult:
    outcome = await run_event(
        info,
        input,
        lambda store, day, who, bounds: area_retire(store, input.area, day, who, bounds=bounds),
        [(Kind.TRANSFORMER, input.area)],
    )
    return answer(outcome, lambda record: AreaRetired(record=record, code=input.area))
