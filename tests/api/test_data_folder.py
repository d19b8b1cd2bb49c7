"""The data folder checked at start-up and by /readyz (graph/services/data_check.py), and a
read-only home served read-only: each broken folder the hardening probe found is refused or
reported, never served as if whole."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph.domain.access import Role
from graph.domain.changes import ChangeSet, LinkClose, new_record
from graph.domain.errors import StoreError
from graph.domain.model import Rel
from graph.stores.embedded.store import DB_FILE, EmbeddedStore
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import READER_KEY, TODAY, add_principal
from tests.builder import small_network_with_a_week

TOKEN = "tq_" + "r" * 32


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home with a network and a week of readings, as `taiqu load` leaves it."""
    home = tmp_path / "home"
    settings = Settings(home=home)
    store = EmbeddedStore(home)
    net = small_network_with_a_week()
    load_folder(store, net.write(tmp_path / "net"), today=TODAY, series=settings.series_folder())
    add_principal(store, "reader", READER_KEY, Role.MARKETING)
    add_principal(store, "李工", TOKEN, Role.SUPPLY_STATION)
    store.close()
    return home


def _client(home: Path, **settings: object) -> TestClient:
    chosen = Settings(home=home, sync_check_ms=600_000, **settings)  # type: ignore[arg-type]
    return TestClient(create_app(chosen), headers={"Authorization": f"Bearer {READER_KEY}"})


def _fingerprint(home: Path) -> dict[str, str]:
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


def test_a_whole_folder_is_ready(home: Path) -> None:
    with _client(home) as client:
        assert client.get("/readyz").json() == {"status": "ready"}


def test_an_emptied_topology_under_a_loss_copy_does_not_start(home: Path) -> None:
    """A 0-byte topology.sqlite3 served an empty network while loss answered from the copy."""
    (home / DB_FILE).write_bytes(b"")
    for leftover in home.glob(f"{DB_FILE}-*"):  # its WAL and shared-memory files
        leftover.unlink()
    client = _client(home)
    with pytest.raises(StoreError, match=r"holds no network .* mirrors version"), client:
        pass


def test_corrupt_pages_do_not_start(home: Path) -> None:
    db = home / DB_FILE
    data = bytearray(db.read_bytes())
    for leftover in home.glob(f"{DB_FILE}-*"):
        leftover.unlink()
    page = 4096
    assert len(data) > 4 * page
    data[2 * page : 4 * page] = b"\xa5" * (2 * page)  # two pages of the tables overwritten
    db.write_bytes(bytes(data))
    client = _client(home)
    with pytest.raises(StoreError, match=r"malformed|corrupt|not a database|Tree|page"), client:
        pass


def test_a_missing_series_file_is_not_ready(home: Path) -> None:
    readings = sorted((home / "series" / "readings").glob("*"))
    assert readings
    readings[0].unlink()
    with _client(home) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "data folder damaged"
        assert any(p.endswith(f"{readings[0].name}: missing") for p in body["problems"])


def test_a_corrupt_series_file_keeps_the_server_not_ready(home: Path) -> None:
    balances = sorted((home / "series" / "balances").glob("*"))
    assert balances
    balances[0].write_bytes(b"not parquet at all")
    with _client(home) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        (problem,) = response.json()["problems"]
        assert balances[0].name in problem and "unreadable" in problem


def test_a_read_only_home_is_served_without_writing_to_it(home: Path) -> None:
    before = _fingerprint(home)
    with _client(home, read_only=True) as client:
        assert client.get("/readyz").json() == {"status": "ready", "readOnly": True}
        data = client.post(
            "/graphql",
            json={"query": '{ meter(code: "M1") { transformer { code } } }'},
        ).json()
        assert data == {
            "data": {"meter": {"transformer": {"code": "T1"}}},
            "extensions": {"cost": {"requested": 2, "maxCost": 10_000}},
        }
        moved = client.post(
            "/graphql",
            json={"query": 'mutation { meterMove(input: {meter: "M2", toArea: "T2"}) '
                  "{ __typename } }"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).json()  # fmt: skip
        (error,) = moved["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "read-only" in error["message"]
    assert _fingerprint(home) == before


@pytest.fixture
def read_only_store(home: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(home, read_only=True)
    yield store
    store.close()


def test_a_read_only_store_refuses_writes(read_only_store: EmbeddedStore) -> None:
    close = LinkClose(Rel.HAS_METER, "M1", TODAY)
    changes = ChangeSet(closed=[close], record=new_record("test", "me", TODAY, {"closed": 1}))
    with pytest.raises(StoreError, match="read-only"):
        read_only_store.apply(changes)
    assert read_only_store.links_of(Rel.HAS_METER, "M1")[-1].valid_to != TODAY
