"""meterReplace (换表): a new meter takes an old one's place, registers recorded."""

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
from graph.services.events.meters import meter_replace


@strawberry.input
class MeterReplaceInput:
    old_meter: str = strawberry.field(description="The meter taken off the wall.")
    new_meter: str = strawberry.field(description="The new meter's code (not used before).")
    final_register_kwh: float = strawberry.field(
        description="The old meter's last import register, as read (before its multiplier)."
    )
    initial_register_kwh: float = strawberry.field(
        description="The new meter's first import register, as read."
    )
    multiplier: float | None = strawberry.field(
        default=None, description="The new meter's multiplier (default: the old one's)."
    )
    effective: dt.date | None = strawberry.field(default=None, description=EFFECTIVE_DOC)
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY_DOC)


@strawberry.type(
    description="The new meter is in the old one's area and under its customer from the "
    "effective date; the old one's intervals end then."
)
class MeterReplaced(ChangeWritten):
    old_code: strawberry.Private[str]
    new_code: strawberry.Private[str]

    @strawberry.field
    async def old_meter(self, info: Info) -> Meter | None:
        return await node_of(info, Kind.METER, self.old_code, self.record, Meter)

    @strawberry.field
    async def new_meter(self, info: Info) -> Meter | None:
        return await node_of(info, Kind.METER, self.new_code, self.record, Meter)


MeterReplaceResult = Annotated[
    MeterReplaced | ChangeRejected, strawberry.union("MeterReplaceResult")
]


async def resolve(info: Info, input: MeterReplaceInput) -> MeterReplaceResult:
    outcome = await run_event(
        info,
        input,
        lambda store, day, who, bounds: meter_replace(
            store,
            input.old_meter,
            input.new_meter,
            input.final_register_kwh,
            input.initial_register_kwh,
            day,
            who,
            input.multiplier,
            bounds=bounds,
        ),
        [(Kind.METER, input.old_meter)],
    )
    return answer(
        outcome,
        lambda record: MeterReplaced(
            record=record, old_code=input.old_meter, new_code=input.new_meter
        ),
    )
