"""The per-request time limit (api/time_limit.py): a query past it is answered with code TIMEOUT
and its reads stopped; a mutation past it runs to its end and reports what it wrote; each
store stops a read once the deadline has passed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from api.time_limit import RequestGate
from graph.domain import deadline
from graph.domain.errors import DeadlineExceeded
from graph.domain.model import Kind
from graph.stores.contract import Store
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import TODAY, Api, make_api
from tests.builder import small_network_with_a_week

TOKEN = "tq_" + "t" * 32
WRITER = {"Authorization": f"Bearer {TOKEN}"}
LIMIT_MS = 300


class SlowStore:
    """A real store whose named methods take `seconds` longer (as on a loaded server)."""

    def __init__(self, inner: Store, seconds: float, slow: set[str]) -> None:
        self.inner = inner
        self.seconds = seconds
        self.slow = slow

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if name not in self.slow:
            return target

        def slowed(*args: Any, **kwargs: Any) -> Any:
            time.sleep(self.seconds)
            return target(*args, **kwargs)

        return slowed


def _slow_api(store: Store, tmp_path: Path, seconds: float, limit_ms: int) -> Iterator[Api]:
    settings = Settings(home=tmp_path / "home")
    net = small_network_with_a_week()
    load_folder(store, net.write(tmp_path / "net"), today=TODAY, series=settings.series_folder())
    slow = SlowStore(store, seconds, {"search", "apply"})
    yield from make_api(
        slow,  # type: ignore[arg-type]
        tmp_path,
        home="home",
        writers=(("李工", TOKEN),),
        request_timeout_ms=limit_ms,
    )


@pytest.fixture
def slow_api(store: Store, tmp_path: Path) -> Iterator[Api]:
    yield from _slow_api(store, tmp_path, 1.0, LIMIT_MS)


@pytest.fixture
def slow_writes_api(store: Store, tmp_path: Path) -> Iterator[Api]:
    """A limit a mutation surely starts within, even on a loaded machine (a mutation cut off
    before it began executing is answered TIMEOUT, rightly: nothing was written), and a write
    that runs well past it."""
    yield from _slow_api(store, tmp_path, 2.5, 1_000)


def test_a_query_past_the_limit_is_answered_with_timeout(slow_api: Api) -> None:
    body = slow_api.query('{ search(text: "M1") { code } }')
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "TIMEOUT"}
    assert error["message"].startswith(f"The request ran past its time limit of {LIMIT_MS} ms")
    # the server goes on answering, and a quick query is not affected
    assert slow_api.data('{ meter(code: "M1") { code } }') == {"meter": {"code": "M1"}}


def test_a_mutation_past_the_limit_runs_to_its_end(slow_writes_api: Api) -> None:
    text = (
        'mutation { meterMove(input: {meter: "M2", toArea: "T2", effective: "2026-11-04"}) '
        "{ __typename ... on MeterMoved { meter { transformer { code } } } } }"
    )
    body = slow_writes_api.query(text, headers=WRITER)
    assert "errors" not in body
    moved = body["data"]["meterMove"]
    assert moved == {"__typename": "MeterMoved", "meter": {"transformer": {"code": "T2"}}}
    assert slow_writes_api.data('{ meter(code: "M2") { transformer { code } } }') == {
        "meter": {"transformer": {"code": "T2"}}
    }


def test_a_store_read_stops_once_the_deadline_has_passed(store: Store, tmp_path: Path) -> None:
    write_folder(generate(3_000), tmp_path / "net")
    load_folder(store, tmp_path / "net", today=TODAY)
    assert store.search("1", [Kind.METER], 5)  # no deadline: answers
    token = deadline.start(-1.0)
    try:
        # SQLite aborts the statement ("interrupted"); Neo4j runs nothing.
        with pytest.raises((sqlite3.OperationalError, DeadlineExceeded)):
            store.search("1", [Kind.METER], 5)
    finally:
        deadline.reset(token)
    assert store.search("1", [Kind.METER], 5)  # the connection still serves the next read


def test_a_deadline_lives_in_its_own_context() -> None:
    assert deadline.remaining_seconds() is None
    token = deadline.start(10.0)
    left = deadline.remaining_seconds()
    assert left is not None and 9.0 < left <= 10.0 and not deadline.passed()
    deadline.reset(token)
    assert deadline.remaining_seconds() is None and not deadline.passed()


def test_a_request_runs_off_the_server_loop_and_is_cancelled_there_past_its_limit() -> None:
    """The server's loop keeps its pace while a request blocks the loop it executes on, and a
    request past its limit is cancelled where it runs (pure logic: no store)."""
    gate = RequestGate(limit_ms=400, max_running=2)
    seen: dict[str, Any] = {}

    async def blocks_its_loop() -> ExecutionResult:
        seen["deadline_s"] = deadline.remaining_seconds()  # the deadline came along
        time.sleep(0.3)  # a resolver building a big result, as the loop sees it
        return ExecutionResult(data={"ok": True}, errors=None)

    async def never_ends() -> ExecutionResult:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            seen["cancelled"] = True
            raise
        raise AssertionError("not cancelled")

    async def ticks(seconds: float) -> float:
        """The longest a 10 ms sleep on the server's loop took while `seconds` passed."""
        worst, stop = 0.0, time.monotonic() + seconds
        while time.monotonic() < stop:
            began = time.monotonic()
            await asyncio.sleep(0.01)
            worst = max(worst, time.monotonic() - began)
        return worst

    async def main() -> tuple[ExecutionResult, float, ExecutionResult]:
        blocked, worst = await asyncio.gather(gate.run(blocks_its_loop), ticks(0.25))
        timed_out = await gate.run(never_ends)
        await asyncio.sleep(0.05)  # the worker's loop runs the cancellation
        return blocked, worst, timed_out

    blocked, worst_tick_s, timed_out = asyncio.run(main())
    assert blocked.data == {"ok": True}
    assert 0.0 < seen["deadline_s"] <= 0.4
    assert worst_tick_s < 0.1  # on the server's loop it would be 0.3 s
    assert timed_out.errors and timed_out.errors[0].extensions == {"code": "TIMEOUT"}
    assert seen["cancelled"]
