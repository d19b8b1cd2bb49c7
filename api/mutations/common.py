"""What every change event shares: the rejection type, the writer check, and the write."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import strawberry

from api.context import Info
from api.observe import CHANGE_EVENTS
from api.types.changeset import Changeset
from api.types.resolve import context, node_by_code
from graph.domain import clock
from graph.domain.changes import ChangesetRecord
from graph.domain.dates import DateBounds
from graph.domain.errors import AccessDenied, EventRejected
from graph.domain.model import Kind
from graph.services.events.base import CheckedEvent, write_event
from graph.services.events.keys import IdempotencyKey, write_keyed_event
from graph.services.scope import in_scope, scope_of
from graph.stores.contract import Store

EFFECTIVE_DOC = "The date the change holds from (default: today)."
KEY_DOC = (
    "Your own key for this change (up to 128 characters), to send it again safely when an "
    "answer was lost: sent again by the same writer with the same input, the change is not "
    "written twice and the answer is the first write's; with another input it is refused."
)


class EventInput(Protocol):
    effective: dt.date | None
    client_mutation_id: str | None


@strawberry.type(description="One problem with the input: the field it is about, and what.")
class FieldError:
    field: str | None = strawberry.field(description="The input field; null: the whole change.")
    message: str


@strawberry.type(description="The change was refused; nothing was written.")
class ChangeRejected:
    errors: list[FieldError]


@strawberry.interface(description="A change event that was written.")
class ChangeWritten:
    record: strawberry.Private[ChangesetRecord]

    @strawberry.field(description="Its audit record.")
    def changeset(self) -> Changeset:
        return Changeset(record=self.record)


N = TypeVar("N")
W = TypeVar("W")


async def node_of(
    info: Info,
    kind: Kind,
    code: str,
    record: ChangesetRecord,
    make: Callable[..., N],
    days_before: int = 0,
) -> N | None:
    """The GraphQL node of an entity an event touched, read on its effective date (or
    `days_before` it: a retired area on its last day)."""
    day = (record.effective or clock.today()) - dt.timedelta(days=days_before)
    return await node_by_code(info, kind, code, day, make)


def answer(
    outcome: ChangesetRecord | ChangeRejected, make: Callable[[ChangesetRecord], W]
) -> W | ChangeRejected:
    """The rejection as it is, or the written event's success type."""
    return outcome if isinstance(outcome, ChangeRejected) else make(outcome)


async def run_event(
    info: Info,
    input: EventInput,
    check: Callable[[Store, dt.date, str, DateBounds], CheckedEvent],
    touches: Sequence[tuple[Kind, str]],
) -> ChangesetRecord | ChangeRejected:
    """Check and write one event as the calling principal; a rejection is an answer, not an
    error. An event outside the principal's duties, or touching anything outside its scope
    on the effective date (`touches`: what the event names), is refused with FORBIDDEN and
    writes nothing; the refusal reads the same for a code elsewhere and a code nowhere. With
    a clientMutationId, a change sent again is answered with its first write
    (graph/services/events/keys.py)."""
    ctx = context(info)
    event = info.field_name
    principal = ctx.principal
    if principal is None or not principal.may_send(event):
        role = principal.role.value if principal else "no principal"
        CHANGE_EVENTS.labels(event, "forbidden").inc()
        raise AccessDenied(f"{event} is not among the duties of {role}")
    if ctx.read_only:
        raise AccessDenied(
            "this server's data folder (TAIQU_HOME) is read-only: change events cannot be "
            "written here"
        )
    writer, day, series = principal.name, input.effective or ctx.today, ctx.settings.series_folder()

    def checked() -> CheckedEvent:
        return check(ctx.store, day, writer, ctx.settings.date_bounds())

    def work() -> ChangesetRecord:
        scope = scope_of(ctx.store, principal.org, day)
        for kind, code in [] if scope.everything else touches:  # all: the checks tell more
            if code not in in_scope(ctx.store, scope, kind, [code]):
                raise AccessDenied(f"{kind.value} {code} is not within {principal.org} on {day}")
        if input.client_mutation_id is None:
            return write_event(ctx.store, checked(), series)
        fields = {k: v for k, v in vars(input).items() if k != "client_mutation_id"}
        key = IdempotencyKey.of(writer, input.client_mutation_id, info.field_name, fields)
        return write_keyed_event(ctx.store, checked, key, series)

    try:
        written = await asyncio.to_thread(work)
    except EventRejected as exc:
        CHANGE_EVENTS.labels(event, "rejected").inc()
        return ChangeRejected(
            errors=[FieldError(field=p.field, message=p.message) for p in exc.problems]
        )
    CHANGE_EVENTS.labels(event, "applied").inc()
    return written
