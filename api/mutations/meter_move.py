"""meterMove: a customer's meter belongs to another area from the effective date."""

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
from api.types.meter import Meter
from graph.domain.model import Kind
from graph.services.events.meters import meter_move


@strawberry.input
class MeterMoveInput:
    meter: str = strawberry.field(description="The customer or pv meter's code.")
    to_area: str = strawberry.field(description="The area (transformer code) it moves to.")
    effective: dt.date | None = strawberry.field(default=None, description=EFFECTIVE_DOC)
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY_DOC)


@strawberry.type(description="The meter moved; its new area holds from the effective date.")
class MeterMoved(ChangeWritten):
    code: strawberry.Private[str]

    @strawberry.field
    async def meter(self, info: Info) -> Meter | None:
        return await node_of(info, Kind.METER, self.code, self.record, Meter)


MeterMoveResult = Annotated[MeterMoved | ChangeRejected, strawberry.union("MeterMoveResult")]


async def resolve(info: Info, input: MeterMoveInput) -> MeterMoveResult:
    outcome = await run_event(
        info,
        input,
        lambda store, day, who, bounds: meter_move(
            store, input.meter, input.to_area, day, who, bounds=bounds
        ),
        [(Kind.METER, input.meter), (Kind.TRANSFORMER, input.to_area)],
    )
    return answer(outcome, lambda record: MeterMoved(record=record, code=input.meter))
