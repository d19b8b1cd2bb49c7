"""meterMove: a customer's meter belongs to another area from the effective date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from api.mutations.common import (
    EFFECTIVE_DOC,
    ChangeRejected,
    ChangeWritten,
    effective_of,
    entity_on,
    run_event,
)
from api.types.meter import Meter
from graph.events.meters import meter_move
from graph.model import Kind


@strawberry.input
class MeterMoveInput:
    meter: str = strawberry.field(description="The customer or pv meter's code.")
    to_area: str = strawberry.field(description="The area (transformer code) it moves to.")
    effective: dt.date | None = strawberry.field(default=None, description=EFFECTIVE_DOC)


@strawberry.type(description="The meter moved; its new area holds from the effective date.")
class MeterMoved(ChangeWritten):
    code: strawberry.Private[str]

    @strawberry.field
    async def meter(self, info: strawberry.Info) -> Meter | None:
        entity = await entity_on(info, Kind.METER, self.code, self.record)
        return None if entity is None else Meter(entity=entity, as_of=effective_of(self.record))


MeterMoveResult = Annotated[MeterMoved | ChangeRejected, strawberry.union("MeterMoveResult")]


async def resolve(info: strawberry.Info, input: MeterMoveInput) -> MeterMoveResult:
    outcome = await run_event(
        info,
        input.effective,
        lambda store, day, who: meter_move(store, input.meter, input.to_area, day, who),
    )
    if isinstance(outcome, ChangeRejected):
        return outcome
    return MeterMoved(record=outcome, code=input.meter)
