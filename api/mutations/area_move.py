"""areaMove (切改): an area is supplied by another feeder from the effective date."""

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
from graph.services.events.areas import area_move


@strawberry.input
class AreaMoveInput:
    area: str = strawberry.field(description="The area's transformer code.")
    to_feeder: str = strawberry.field(description="The feeder that supplies it from now on.")
    effective: dt.date | None = strawberry.field(default=None, description=EFFECTIVE_DOC)
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY_DOC)


@strawberry.type(description="The area (with its meters) is under the new feeder.")
class AreaMoved(ChangeWritten):
    code: strawberry.Private[str]

    @strawberry.field
    async def area(self, info: Info) -> Transformer | None:
        return await node_of(info, Kind.TRANSFORMER, self.code, self.record, Transformer)


AreaMoveResult = Annotated[AreaMoved | ChangeRejected, strawberry.union("AreaMoveResult")]


async def resolve(info: Info, input: AreaMoveInput) -> AreaMoveResult:
    outcome = await run_event(
        info,
        input,
        lambda store, day, who, bounds: area_move(
            store, input.area, input.to_feeder, day, who, bounds=bounds
        ),
        [(Kind.TRANSFORMER, input.area)],
    )
    return answer(outcome, lambda record: AreaMoved(record=record, code=input.area))
