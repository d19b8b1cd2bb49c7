"""Kept answers (api/response_cache.py): served again only while the data and the day are the
same, on both stores; never a mutation's or an error's; bounded; switchable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from strawberry.types import ExecutionResult

from api.response_cache import ResponseCache, request_key
from graph.services.events.base import write_event
from graph.services.events.meters import meter_move
from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import TODAY, Api, make_api, week_api
from tests.builder import small_network_with_a_week

AREA = """query($code: String!) { transformer(code: $code) { code
  meters { totalCount edges { node { code } } } } }"""
LOSS = """{ transformer(code: "T1") { loss(from: "2026-11-01", to: "2026-11-07") {
  supplyKwh salesKwh lossKwh } } }"""
TOKEN = "tq_" + "w" * 32
WRITER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def kept(store: Store, tmp_path: Path) -> Iterator[Api]:
    yield from week_api(store, tmp_path, writers=(("李工", TOKEN),))


def codes(answer: dict) -> list[str]:
    return [e["node"]["code"] for e in answer["transformer"]["meters"]["edges"]]


def test_the_same_request_is_answered_from_what_was_kept(kept: Api) -> None:
    first = kept.data(AREA, {"code": "T1"})
    assert kept.store.calls and kept.store.version_reads == 1
    kept.store.calls.clear()
    assert kept.data(AREA, {"code": "T1"}) == first
    assert dict(kept.store.calls) == {}  # nothing read but the version
    assert kept.store.version_reads == 2
    # other variables, another question
    assert codes(kept.data(AREA, {"code": "T2"})) == ["G2", "M3"]
    assert kept.store.calls


def test_a_write_from_anywhere_makes_it_read_again(kept: Api) -> None:
    assert codes(kept.data(AREA, {"code": "T2"})) == ["G2", "M3"]
    # Another process's write, straight into the store: the version moves on.
    write_event(kept.store.inner, meter_move(kept.store.inner, "M2", "T2", TODAY, "t"), None)
    assert codes(kept.data(AREA, {"code": "T2"})) == ["G2", "M2", "M3"]
    # A write over the API too.
    moved = kept.data(
        'mutation { meterMove(input: {meter: "M2", toArea: "T1"}) { __typename } }',
        headers=WRITER,
    )
    assert moved["meterMove"]["__typename"]
    assert codes(kept.data(AREA, {"code": "T2"})) == ["G2", "M3"]


def test_new_readings_make_loss_read_again(kept: Api, store: Store, tmp_path: Path) -> None:
    before = kept.data(LOSS)["transformer"]["loss"]
    assert before["supplyKwh"] == 4200  # 7 days x 10 kWh x 60
    more = small_network_with_a_week()
    more.readings = [r for r in more.readings if not (r[0] == "G1" and r[1] == "2026-11-07")]
    more.reading("G1", "2026-11-07", 20)
    series = Settings(home=tmp_path / "home").series_folder()
    load_folder(store, more.write(tmp_path / "more"), today=TODAY, series=series)
    after = kept.data(LOSS)["transformer"]["loss"]
    assert after["supplyKwh"] == 4800


def test_mutations_and_errors_are_never_kept(kept: Api) -> None:
    bad = '{ transformer(code: "T1") { meters(first: 100000) { totalCount } } }'
    for _ in range(2):
        kept.store.calls.clear()
        assert kept.query(bad)["errors"]
        assert kept.store.calls  # read again: the error was not kept
    move = 'mutation { meterMove(input: {meter: "M2", toArea: "T2"}) { __typename } }'
    assert kept.data(move, headers=WRITER)["meterMove"]["__typename"] == "MeterMoved"
    # run again, not replayed: M2 is already there
    assert kept.data(move, headers=WRITER)["meterMove"]["__typename"] == "ChangeRejected"


def test_switched_off(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network_with_a_week().write(tmp_path / "net"), today=TODAY)
    for api in make_api(store, tmp_path, response_cache_mb=0):
        api.data(AREA, {"code": "T1"})
        api.store.calls.clear()
        api.store.version_reads = 0
        api.data(AREA, {"code": "T1"})
        # No answer kept: the reads happen. The version is read at most for the principal's
        # scope, once it is older than api/scope_guard.KEPT_S.
        assert api.store.calls and api.store.version_reads <= 1


def _result(text: str) -> ExecutionResult:
    return ExecutionResult(data={"x": text}, errors=None)


def test_keys_hold_the_day_the_scope_and_the_operation() -> None:
    cache = ResponseCache(10_000)
    query = "query A { a } query B { b } mutation C { c }"
    key = request_key(query, "A", {"x": 1}, None, TODAY)
    assert key is not None
    cache.put(key, (1, 1), _result("a"))
    assert cache.get(key, (1, 1)) == _result("a")
    tomorrow = request_key(query, "A", {"x": 1}, None, TODAY + dt.timedelta(days=1))
    assert tomorrow is not None and cache.get(tomorrow, (1, 1)) is None
    scoped = request_key(query, "A", {"x": 1}, "Z1", TODAY)
    assert scoped is not None and cache.get(scoped, (1, 1)) is None
    assert request_key(query, "A", {"a": 1, "b": [2]}, None, TODAY) == request_key(
        query, "A", {"b": [2], "a": 1}, None, TODAY
    )  # the order the variables came in does not matter
    for name in ("C", None):  # a mutation, or no name among several operations
        other = request_key(query, name, {}, None, TODAY)
        assert other is not None
        cache.put(other, (1, 1), _result("c"))
        assert cache.get(other, (1, 1)) is None
    assert request_key(query, "A", {"x": object()}, None, TODAY) is None


def test_a_new_state_drops_everything_and_late_answers_are_not_kept() -> None:
    cache = ResponseCache(10_000)
    key = request_key("{ a }", None, None, None, TODAY)
    assert key is not None
    cache.put(key, (1, 1), _result("a"))
    assert cache.get(key, (1, 1)) is not None
    assert cache.get(key, (2, 1)) is None and len(cache) == 0
    cache.put(key, (1, 1), _result("old"))  # computed before the write: not kept
    assert cache.get(key, (2, 1)) is None
    cache.put(key, (2, 1), _result("new"))
    assert cache.get(key, (2, 2)) is None  # new readings


def test_bounded_least_recently_used_out() -> None:
    cache = ResponseCache(8 * 100)  # an answer may use an eighth: 100 bytes
    keys = [request_key("{ a }", None, {"i": i}, None, TODAY) for i in range(12)]
    assert all(k is not None for k in keys)
    cache.get(keys[0], (1, 1))  # type: ignore[arg-type]
    for k in keys:
        cache.put(k, (1, 1), _result("v" * 60))  # type: ignore[arg-type]
        cache.get(keys[0], (1, 1))  # type: ignore[arg-type]  # keeps the first in use
    assert cache.get(keys[0], (1, 1)) is not None  # type: ignore[arg-type]
    assert cache.get(keys[1], (1, 1)) is None  # type: ignore[arg-type]
    assert cache.get(keys[-1], (1, 1)) is not None  # type: ignore[arg-type]
    assert 1 < len(cache) < 12
    huge = request_key("{ a }", None, {"i": "huge"}, None, TODAY)
    cache.put(huge, (1, 1), _result("v" * 200))  # type: ignore[arg-type]
    assert cache.get(huge, (1, 1)) is None  # type: ignore[arg-type]
