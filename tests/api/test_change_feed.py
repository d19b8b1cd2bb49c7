"""Following the changes: `changesets(since:)` pages oldest first, and the `changesets`
subscription delivers each new changeset over graphql-transport-ws to a real WebSocket
client (a real server on a port), scoped like every read; on both stores."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import websockets

from api.app import create_app
from graph.domain.access import Role
from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.neo4j_launcher import free_port
from taiqu.settings import Settings
from tests.api.conftest import READER_KEY, TODAY, add_principal, make_api
from tests.builder import small_network

STATION_KEY = "tq_test-station-key-for-the-feed-tests-00000"
SUBSCRIBE = "subscription { changesets { graphVersion source details { name value } } }"


def _moved(tmp_path: Path, name: str, meter: str, to: str) -> Path:
    net = small_network()
    net.rows["meters.csv"] = [
        (r[0], to, *r[2:]) if r[0] == meter else r for r in net.rows["meters.csv"]
    ]
    return net.write(tmp_path / name)


def test_changesets_since_a_version_page_by_page(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    load_folder(store, _moved(tmp_path, "b", "M2", "T2"), today=TODAY)
    query = """query($since: Int, $after: String) { changesets(since: $since, first: 1,
        after: $after) { edges { cursor node { graphVersion } } pageInfo { hasNextPage
        endCursor hasPreviousPage startCursor } } }"""
    for api in make_api(store, tmp_path):
        first = api.data(query, {"since": 0})["changesets"]
        assert [e["node"]["graphVersion"] for e in first["edges"]] == [1]
        assert first["pageInfo"]["hasNextPage"] is True
        after = first["pageInfo"]["endCursor"]
        second = api.data(query, {"since": 0, "after": after})["changesets"]
        assert [e["node"]["graphVersion"] for e in second["edges"]] == [2]
        assert second["pageInfo"]["hasNextPage"] is False
        assert first["pageInfo"]["hasPreviousPage"] is False  # Relay's PageInfo, complete
        assert second["pageInfo"]["hasPreviousPage"] is True
        assert second["pageInfo"]["startCursor"] == second["edges"][0]["cursor"]
        assert api.data(query, {"since": 2})["changesets"]["edges"] == []
        refused = api.query(query, {"since": -1})
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


class _Server:
    """`create_app` under uvicorn on a free port, in a thread."""

    def __init__(self, store: Store, home: Path) -> None:
        self.port = free_port()
        app = create_app(Settings(home=home, sync_check_ms=600_000), store=store)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


async def _subscribe(port: int, key: str, since: int | None = None) -> Any:
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    )
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    variables = {} if since is None else {"since": since}
    query = (
        SUBSCRIBE
        if since is None
        else SUBSCRIBE.replace("subscription {", "subscription($since: Int) {").replace(
            "changesets {", "changesets(since: $since) {"
        )
    )
    await ws.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
    )
    return ws


async def _next(ws: Any, timeout_s: float = 10) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout_s))
    assert message["type"] == "next", message
    return message["payload"]["data"]["changesets"]


@pytest.fixture
def served(store: Store, tmp_path: Path) -> Iterator[tuple[Store, int]]:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    add_principal(store, "reader", READER_KEY, Role.MARKETING)
    add_principal(store, "station-x2", STATION_KEY, Role.SUPPLY_STATION, org="Z2")
    with _Server(store, tmp_path / "home") as server:
        yield store, server.port


def test_a_new_changeset_reaches_every_subscriber_within_a_second(
    served: tuple[Store, int], tmp_path: Path
) -> None:
    store, port = served

    async def scenario() -> None:
        top = await _subscribe(port, READER_KEY)
        replay = await _subscribe(port, READER_KEY, since=0)
        assert (await _next(replay))["graphVersion"] == 1  # caught up from the store
        await asyncio.sleep(0.5)  # both subscriptions registered
        started = time.monotonic()
        # Written by "another process": straight into the store, not through this server.
        await asyncio.to_thread(load_folder, store, _moved(tmp_path, "b", "M2", "T2"), today=TODAY)
        written = time.monotonic()
        for ws in (top, replay):
            got = await _next(ws, timeout_s=5)
            assert got["graphVersion"] == 2 and got["source"] == "load"
        assert time.monotonic() - written < 1.0, time.monotonic() - started
        for ws in (top, replay):
            await ws.close()

    asyncio.run(scenario())


def test_no_key_no_connection_and_a_station_sees_its_own_changes_only(
    served: tuple[Store, int], tmp_path: Path
) -> None:
    _, port = served

    async def scenario() -> None:
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        )
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        # A load names no unit: below the top unit it is not shown (as in changesets).
        station = await _subscribe(port, STATION_KEY, since=0)
        top = await _subscribe(port, READER_KEY, since=0)
        assert (await _next(top))["graphVersion"] == 1
        with pytest.raises(TimeoutError):
            await _next(station, timeout_s=1.0)
        await station.close()
        await top.close()

    asyncio.run(scenario())


def test_a_changesets_changes_entity_by_entity(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    net = small_network()
    net.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in net.rows["meters.csv"]
    ]
    net.rows["transformers.csv"] = [
        (*r[:3], 630, *r[4:]) if r[0] == "T2" else r for r in net.rows["transformers.csv"]
    ]
    load_folder(store, net.write(tmp_path / "b"), today=TODAY, effective=dt.date(2026, 6, 1))
    query = """query($id: ID!, $after: String) { changeset(id: $id) { changes(first: 1,
        after: $after) { totalCount edges { node { kind code change relationship before
        after effective } } pageInfo { hasNextPage endCursor } } } }"""
    for api in make_api(store, tmp_path):
        second = api.data("{ changesets(first: 1) { edges { node { id } } } }")
        changeset_id = second["changesets"]["edges"][0]["node"]["id"]
        first_page = api.data(query, {"id": changeset_id})["changeset"]["changes"]
        assert first_page["totalCount"] == 2 and first_page["pageInfo"]["hasNextPage"]
        after = first_page["pageInfo"]["endCursor"]
        rest = api.data(query, {"id": changeset_id, "after": after})["changeset"]["changes"]
        nodes = [e["node"] for e in first_page["edges"] + rest["edges"]]
        assert nodes == [
            {
                "kind": "METER",
                "code": "M2",
                "change": "MOVED",
                "relationship": "HAS_METER",
                "before": "T1",
                "after": "T2",
                "effective": "2026-06-01",
            },
            {
                "kind": "TRANSFORMER",
                "code": "T2",
                "change": "UPDATED",
                "relationship": None,
                "before": '{"capacity_kva": 315.0}',
                "after": '{"capacity_kva": 630.0}',
                "effective": "2026-06-01",
            },
        ]


def test_a_stations_principal_sees_the_changes_of_its_own_areas_only(
    store: Store, tmp_path: Path
) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    writer = "tq_test-writer-key-for-the-changes-tests-0000"
    z1, z2 = "tq_test-station-z1-key-changes-tests-000000", "tq_test-station-z2-key-changes-00000"
    add_principal(store, "station-z1", z1, Role.SUPPLY_STATION, org="Z1")
    add_principal(store, "station-z2", z2, Role.SUPPLY_STATION, org="Z2")
    query = """query($id: ID!) { changeset(id: $id) { changes { totalCount edges { node {
        code change before after } } } } }"""
    for api in make_api(store, tmp_path, writers=(("writer", writer),)):
        moved = api.data(
            'mutation { meterMove(input: {meter: "M2", toArea: "T2", effective: "2026-11-05"}) '
            "{ ... on MeterMoved { changeset { id } } } }",
            headers={"authorization": f"Bearer {writer}"},
        )
        changeset_id = moved["meterMove"]["changeset"]["id"]
        top = api.data(query, {"id": changeset_id})["changeset"]["changes"]
        assert [e["node"] for e in top["edges"]] == [
            {"code": "M2", "change": "MOVED", "before": "T1", "after": "T2"}
        ]
        own = api.data(query, {"id": changeset_id}, {"authorization": f"Bearer {z1}"})
        assert own["changeset"]["changes"] == top  # T1, T2 and M2 are Z1's
        other = api.data(query, {"id": changeset_id}, {"authorization": f"Bearer {z2}"})
        assert other["changeset"] is None  # names nothing of Z2's: it does not exist there
