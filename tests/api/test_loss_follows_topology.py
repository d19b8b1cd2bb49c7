"""Loss never silently diverges from the topology: the series copy records the graph version
it mirrors, so a write it missed (another process died between commit and sync, or wrote
without a sync) is found by the next writer, at start and by a running server; both stores."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from graph.domain.changes import ChangeSet, new_record
from graph.domain.model import Entity, Kind
from graph.series.files import SeriesFolder
from graph.series.writer import behind, ensure_synced
from graph.services import write as write_module
from graph.services.write import write_topology
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.api.conftest import make_api
from tests.networks import loaded_moved_network, moved_network

TODAY = dt.date(2026, 11, 28)
D2 = dt.date(2026, 10, 2)
SALES = (
    '{ transformer(code: "TB") { lossSeries(from: "2026-10-01", to: "2026-10-02") { salesKwh } } }'
)


@pytest.fixture
def series(store: Store, tmp_path: Path) -> SeriesFolder:
    return loaded_moved_network(store, tmp_path, TODAY)


def _write_without_sync(store: Store, tmp_path: Path) -> None:
    """Another process's write that never reaches the series copy (no mark, no sync)."""
    load_folder(store, moved_network("TB").write(tmp_path / "moved"), effective=D2, today=TODAY)


def test_the_copy_records_the_version_it_mirrors(store: Store, series: SeriesFolder) -> None:
    assert series.read().graph_version == store.version()
    assert not behind(series.read(), store)


def test_a_missed_write_is_found_and_repaired(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    _write_without_sync(store, tmp_path)
    assert not series.read().topology_stale  # nothing marked it: only the version tells
    assert behind(series.read(), store)
    assert ensure_synced(series, store)
    assert not behind(series.read(), store)
    assert not ensure_synced(series, store)


def test_a_write_loss_does_not_read_keeps_the_copy_in_step_without_a_sync(
    store: Store, series: SeriesFolder
) -> None:
    before = series.read()
    # A customer's name: neither loss nor technical loss reads it (a capacity it now does).
    customer = store.entities(Kind.CUSTOMER, ["UMA1"])["UMA1"]
    renamed = Entity(Kind.CUSTOMER, "UMA1", {**customer.attrs, "name": "王芳"})
    record = new_record("test", "t", None, {"updated": 1})
    write_topology(store, ChangeSet(updated={Kind.CUSTOMER: [renamed]}, record=record), series)
    after = series.read()
    assert after.graph_version == store.version() == before.graph_version + 1
    assert (after.topology, after.balances) == (before.topology, before.balances)


def test_a_running_server_catches_up_with_a_write_it_missed(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    for api in make_api(store, tmp_path, home="home", sync_check_ms=100):
        old = [d["salesKwh"] for d in api.data(SALES)["transformer"]["lossSeries"]]
        assert api.client.get("/readyz").json() == {"status": "ready"}
        _write_without_sync(store, tmp_path)
        deadline = time.monotonic() + 60
        while behind(series.read(), store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not behind(series.read(), store), "the server never resynced"
        new = [d["salesKwh"] for d in api.data(SALES)["transformer"]["lossSeries"]]
        assert new != old and new == [60.0, 90.0]  # MV counts in TB from 10-02
        ready = api.client.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


def test_not_ready_while_the_copy_is_behind(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    for api in make_api(store, tmp_path, home="home"):  # the watcher does not run here
        _write_without_sync(store, tmp_path)
        behind_now = api.client.get("/readyz")
        assert (behind_now.status_code, behind_now.json()) == (
            503,
            {"status": "loss is behind the topology"},
        )
        ensure_synced(series, store)
        assert api.client.get("/readyz").json() == {"status": "ready"}


def test_a_full_disk_after_the_commit_is_not_reported_as_a_failure(
    store: Store, series: SeriesFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "tq_" + "w" * 32
    move = (
        'mutation { meterMove(input: {meter: "MV", toArea: "TB", effective: "2026-10-02"}) '
        "{ __typename ... on ChangeWritten { changeset { graphVersion } } } }"
    )

    def disk_full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    for api in make_api(store, tmp_path, home="home", writers=(("w", token),)):
        old = [d["salesKwh"] for d in api.data(SALES)["transformer"]["lossSeries"]]
        with monkeypatch.context() as m:
            m.setattr(write_module, "sync_topology", disk_full)
            answer = api.data(move, headers={"Authorization": f"Bearer {token}"})["meterMove"]
        # Committed, so answered as written (a retry would move it twice otherwise)...
        assert answer["__typename"] == "MeterMoved"
        assert answer["changeset"]["graphVersion"] == store.version()
        # ...and the copy loss reads says it is behind: not ready until it is in step.
        assert behind(series.read(), store)
        assert api.client.get("/readyz").status_code == 503
        assert [d["salesKwh"] for d in api.data(SALES)["transformer"]["lossSeries"]] == old
        assert ensure_synced(series, store)
        assert api.client.get("/readyz").json() == {"status": "ready"}
        assert [d["salesKwh"] for d in api.data(SALES)["transformer"]["lossSeries"]] == [60, 90]
