"""The per-request time limit: a query past it is answered with code TIMEOUT and its work stopped.

The request runs as a task with a deadline (graph/domain/deadline.py) that its store reads
carry into their threads: SQLite aborts the running statement, Neo4j times the transaction
out, and the task is cancelled, so that nothing keeps a worker busy for a caller who has
already had an answer. A mutation is the exception: once it runs, it runs to its end and
reports what it wrote (an answer "timed out" for a write that then commits would be a lie).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graph.domain import deadline

log = logging.getLogger("taiqu.api")

TIMEOUT = "TIMEOUT"


@dataclass
class _Run:
    writes: bool = False  # the operation is a mutation: it is not cut short


_RUN: ContextVar[_Run | None] = ContextVar("taiqu_run", default=None)


def timeout_message(limit_ms: int) -> str:
    return (
        f"The request ran past its time limit of {limit_ms} ms and was stopped: "
        "ask for smaller pages, fewer fields or shorter periods"
    )


def timeout_error(limit_ms: int) -> GraphQLError:
    return GraphQLError(timeout_message(limit_ms), extensions={"code": TIMEOUT})


async def within_time_limit(
    execute: Callable[[], Awaitable[ExecutionResult]], limit_ms: int
) -> ExecutionResult:
    """Run `execute()` with a deadline of `limit_ms`; past it, a query is cancelled and
    answered with code TIMEOUT, a mutation awaited to its end."""
    run = _Run()
    run_token = _RUN.set(run)
    deadline_token = deadline.start(limit_ms / 1000)
    try:
        task = asyncio.ensure_future(execute())  # copies the context: the deadline goes along
        try:
            done, _ = await asyncio.wait({task}, timeout=limit_ms / 1000)
        except asyncio.CancelledError:  # the client went away: stop its work too
            task.cancel()
            raise
        if task in done:
            return task.result()
        if run.writes:
            return await task
        task.cancel()
        log.warning("stopped a request past its time limit of %d ms", limit_ms)
        return ExecutionResult(data=None, errors=[timeout_error(limit_ms)])
    finally:
        deadline.reset(deadline_token)
        _RUN.reset(run_token)


class WritesRunToTheirEnd(SchemaExtension):
    """A mutation drops the deadline before it executes (see the module's docstring)."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type == OperationType.MUTATION:
            run = _RUN.get()
            if run is not None:
                run.writes = True
            deadline.clear()
        yield
