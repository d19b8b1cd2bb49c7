"""A server killed -9 in the middle of a change event, on both stores: killed before its
commit, nothing was written; killed after the commit and before the loss copy followed, the
change stands and the restarted server's loss agrees with it before it says ready.

The kill is deterministic (tests/crash.py): `taiqu serve` dies before the second write
statement of the event's transaction, or as the sync after its commit begins."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.domain.access import Role
from graph.domain.model import Rel
from graph.series.files import SeriesFolder
from graph.series.writer import behind
from graph.stores.contract import Store
from graph.stores.neo4j.store import Neo4jStore
from loaders.load import load_folder
from taiqu.neo4j_launcher import free_port
from tests.api.conftest import TODAY, add_principal, make_api
from tests.builder import small_network_with_a_week
from tests.crash import ROOT, wait_for_rollback

TOKEN = "tq_" + "k" * 32
MOVE = (
    'mutation { meterMove(input: {meter: "M2", toArea: "T2", effective: "2026-11-04"}) '
    "{ __typename } }"
)
LOSS = (
    "query($t: String!) { transformer(code: $t) { "
    'loss(from: "2026-11-01", to: "2026-11-07") { lossKwh } } }'
)


def _digest(store: Store) -> tuple[int, str]:
    rows = sorted(
        (k.rel.value, k.parent, k.child, str(k.valid_from), str(k.valid_to))
        for k in store.scan_links(Rel.HAS_METER)
    )
    return store.version(), hashlib.sha256(repr(rows).encode()).hexdigest()


def _serve_to_be_killed(options: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.crash", *options, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server died before the change event"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not become ready")


def _send_move(port: int) -> None:
    """The event; the server dies while writing it, so no answer comes back."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"query": MOVE}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        conn.request("POST", "/graphql", body, headers)
        conn.getresponse().read()


@pytest.mark.parametrize("kill", ["before_commit", "after_commit"])
def test_a_server_killed_in_a_change_event(
    store: Store, tmp_path: Path, request: pytest.FixtureRequest, kill: str
) -> None:
    home = tmp_path / "home"  # the embedded store's own home too
    series = SeriesFolder(home / "series")
    net = small_network_with_a_week()
    load_folder(store, net.write(tmp_path / "net"), today=TODAY, series=series)
    add_principal(store, "w", TOKEN, Role.SUPPLY_STATION)
    before = _digest(store)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env.update(TAIQU_HOME=str(home), TAIQU_GRAPHIQL="false")
    if isinstance(store, Neo4jStore):
        env["TAIQU_NEO4J_URI"] = request.getfixturevalue("neo4j_uri")
    options = ["--from-apply", "2"] if kill == "before_commit" else ["--at-sync", "0"]

    server, port = _serve_to_be_killed(options, env)
    _send_move(port)
    assert server.wait(timeout=60) == -signal.SIGKILL
    if isinstance(store, Neo4jStore):
        wait_for_rollback(store)

    if kill == "before_commit":
        assert _digest(store) == before  # nothing of the event was written
        expected = {"T1": 350, "T2": -350}
    else:
        assert store.version() == before[0] + 1  # the event stands...
        assert behind(series.read(), store)  # ...and the copy loss reads had not followed
        expected = {"T1": 950, "T2": -950}  # M2 (150 kWh a day) in T2 from the 4th
    for api in make_api(store, tmp_path, home="home"):  # the restart
        assert api.client.get("/readyz").json() == {"status": "ready"}
        loss = {t: api.data(LOSS, {"t": t})["transformer"]["loss"]["lossKwh"] for t in expected}
        assert loss == expected
        assert not behind(series.read(), store)
