"""transformerReplace (换变/增容): a new transformer of another capacity serves the area."""

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
from graph.services.events.areas import transformer_replace


@strawberry.input
class TransformerReplaceInput:
    transformer: str = strawberry.field(description="The area's transformer code.")
    capacity_kva: float = strawberry.field(description="The new transformer's rated capacity.")
    effective: dt.date | None = strawberry.field(default=None, description=EFFECTIVE_DOC)
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY_DOC)


@strawberry.type(
    description="The area keeps its code, meters and history; its capacity is the new one "
    "(the changeset's details keep the old)."
)
class TransformerReplaced(ChangeWritten):
    code: strawberry.Private[str]

    @strawberry.field
    async def transformer(self, info: Info) -> Transformer | None:
        return await node_of(info, Kind.TRANSFORMER, self.code, self.record, Transformer)


TransformerReplaceResult = Annotated[
    TransformerReplaced | ChangeRejected, strawberry.union("TransformerReplaceResult")
]


async def resolve(info: Info, input: TransformerReplaceInput) -> TransformerReplaceResult:
    outcome = await run_event(
        info,
        input,
        lambda store, day, who, bounds: transformer_replace(
            store, input.transformer, input.capacity_kva, day, who, bounds=bounds
        ),
        [(Kind.TRANSFORMER, input.transformer)],
    )
    return answer(
        outcome, lambda record: TransformerReplaced(record=record, code=input.transformer)
    )
