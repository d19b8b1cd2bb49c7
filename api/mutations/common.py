"""What every change event shares: the rejection type, the writer check, and the write."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import strawberry

from api.context import Info
from api.types.changeset import Changeset
from api.types.resolve import context, node_by_code
from graph.domain.changes import ChangesetRecord
from graph.domain.dates import DateBounds
from graph.domain.errors import AccessDenied, EventRejected
from graph.domain.model import Kind
from graph.services.events.base import CheckedEvent, write_event
from graph.stores.contract import Store

EFFECTIVE_DOC = "The date the change holds from (default: today)."


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
    day = (record.effective or dt.date.today()) - dt.timedelta(days=days_before)
    return await node_by_code(info, kind, code, day, make)


def answer(
    outcome: ChangesetRecord | ChangeRejected, make: Callable[[ChangesetRecord], W]
) -> W | ChangeRejected:
    """The rejection as it is, or the written event's success type."""
    return outcome if isinstance(outcome, ChangeRejected) else make(outcome)


async def run_event(
    info: Info,
    effective: dt.date | None,
    check: Callable[[Store, dt.date, str, DateBounds], CheckedEvent],
) -> ChangesetRecord | ChangeRejected:
    """Check and write one event as the calling writer; a rejection is an answer, not an
    error. Callers without a writer token get an error (the API is read-only to them)."""
    ctx = context(info)
    if ctx.writer is None:
        raise AccessDenied(
            "change events need a writer token (Authorization: Bearer ...; see TAIQU_WRITERS)"
        )
    writer, day, series = ctx.writer, effective or ctx.today, ctx.settings.series_folder()

    def work() -> ChangesetRecord:
        event = check(ctx.store, day, writer, ctx.settings.date_bounds())
        return write_event(ctx.store, event, series)

    try:
        return await asyncio.to_thread(work)
    except EventRejected as exc:
        return ChangeRejected(
            errors=[FieldError(field=p.field, message=p.message) for p in exc.problems]
        )
