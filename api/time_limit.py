"""The per-request time limit and the number of requests running at once.

A query past its time limit is answered with code TIMEOUT and its work stopped.

The request runs as a task with a deadline (graph/domain/deadline.py) that its store reads
carry into their threads: SQLite aborts the running statement, Neo4j times the transaction
out, and the task is cancelled, so that nothing keeps a worker busy for a caller who has
already had an answer. A mutation is the exception: once it runs, it runs to its end and
reports what it wrote (an answer "timed out" for a write that then commits would be a lie).

At most `max_running` requests execute at once, each on a worker thread with an event loop of
its own; the others wait their turn, and the wait counts against their time limit. The server's
loop only moves bytes, so /healthz is not queued behind the thousands of resolver callbacks of a
heavy request. Resolvers build results under Python's GIL: more requests building at once do
not finish sooner, they only make the server's loop wait longer for the GIL (2 by default;
more pays off when the store's round trips dominate, as with Neo4j on another machine).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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


_WORKER = threading.local()  # a request thread's own event loop, as `loop`


def on_request_thread() -> bool:
    """Whether this thread executes requests on a loop of its own (blocking here blocks only
    the request it runs, never the server's loop)."""
    return getattr(_WORKER, "loop", None) is not None


class _OwnLoops:
    """Threads that each keep an event loop of their own to execute requests on, so that the
    server's loop only moves bytes: /healthz is not queued behind the thousands of resolver
    callbacks a heavy request schedules."""

    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="taiqu-request")

    @staticmethod
    def _loop() -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(_WORKER, "loop", None)
        if loop is None:
            loop = _WORKER.loop = asyncio.new_event_loop()
        return loop

    async def run(self, execute: Callable[[], Awaitable[ExecutionResult]]) -> ExecutionResult:
        """`execute()` on a worker's loop, in the caller's context (the deadline goes along);
        cancelling the caller cancels the work there too."""
        main = asyncio.get_running_loop()
        running = _Running()

        async def on_worker() -> ExecutionResult:
            return await execute()

        def work() -> ExecutionResult:
            loop = self._loop()
            task = loop.create_task(on_worker())
            running.started(loop, task)
            return loop.run_until_complete(task)

        done = main.run_in_executor(self._pool, contextvars.copy_context().run, work)
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            running.cancel()
            raise


class _Running:
    """The task a worker runs a request as, for the caller to cancel from its own loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._at: tuple[asyncio.AbstractEventLoop, asyncio.Task[ExecutionResult]] | None = None

    def started(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[ExecutionResult]) -> None:
        with self._lock:
            self._at = (loop, task)
            if self._cancelled:
                task.cancel()

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._at is not None:
                loop, task = self._at
                loop.call_soon_threadsafe(task.cancel)


class RequestGate:
    """Runs each request within the time limit, at most `max_running` at once."""

    def __init__(self, limit_ms: int, max_running: int) -> None:
        self.limit_ms = limit_ms
        self.max_running = max_running
        self._loops = _OwnLoops(max_running)
        # One semaphore per event loop (tests run apps on several loops, one after another).
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        turns = self._turns.get(loop)
        if turns is None:
            turns = self._turns[loop] = asyncio.Semaphore(self.max_running)
        return turns

    async def run(self, execute: Callable[[], Awaitable[ExecutionResult]]) -> ExecutionResult:
        """`execute()` in its turn, with a deadline of the time limit from now; past it, a
        query is cancelled (waiting or running) and answered with code TIMEOUT, a running
        mutation awaited to its end."""
        turns = self._semaphore()

        async def in_turn() -> ExecutionResult:
            async with turns:
                return await self._loops.run(execute)

        run = _Run()
        run_token = _RUN.set(run)
        deadline_token = deadline.start(self.limit_ms / 1000)
        try:
            task = asyncio.ensure_future(in_turn())  # copies the context: the deadline goes along
            try:
                done, _ = await asyncio.wait({task}, timeout=self.limit_ms / 1000)
            except asyncio.CancelledError:  # the client went away: stop its work too
                task.cancel()
                raise
            if task in done:
                return task.result()
            if run.writes:
                return await task
            task.cancel()
            log.warning("stopped a request past its time limit of %d ms", self.limit_ms)
            return ExecutionResult(data=None, errors=[timeout_error(self.limit_ms)])
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
