"""A write that dies before it publishes changes nothing readers see; a crash between a
topology write and its sync is repaired by the next load or at server start; both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.scope import Scope
from graph.series.files import SeriesFolder
from graph.series.loss import LossRules
from graph.series.reader import LossReader
from graph.series.writer import ensure_synced, mark_topology_stale
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.api.conftest import make_api
from tests.networks import loaded_moved_network, moved_network

TODAY = dt.date(2026, 11, 28)
D1, D2 = dt.date(2026, 10, 1), dt.date(2026, 10, 2)
HEADER = "meter_code,date,import_kwh,export_kwh\n"


@pytest.fixture
def series(store: Store, tmp_path: Path) -> SeriesFolder:
    return loaded_moved_network(store, tmp_path, TODAY)


def _sales(series: SeriesFolder) -> list[object]:
    reader = LossReader(series, LossRules())
    days = reader.series(Scope.TRANSFORMER, ["TA", "TB"], D1, D2)
    reader.close()
    return [s.sales_kwh for s in days["TA"] + days["TB"]]


def _files(series: SeriesFolder) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in series.root.glob("*/*.parquet")}


def test_import_that_dies_before_publishing_changes_nothing(
    store: Store, series: SeriesFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, manifest = _sales(series), series.read()
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "readings.csv").write_text(HEADER + "MA1,2026-10-01,99,\n", encoding="utf-8")

    def die(*_: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(SeriesFolder, "publish", die)
        with pytest.raises(OSError, match="disk full"):
            load_folder(store, folder, today=TODAY, series=series)
    assert series.read() == manifest
    assert _sales(series) == before
    left_over = _files(series) - manifest.files()
    assert left_over  # the dead write's files are there, unreferenced...
    load_folder(store, folder, today=TODAY, series=series)
    assert not left_over & _files(series)  # ...until the next writer removes them
    assert _files(series) == manifest.files() | series.read().files()
    assert _sales(series)[0] == 99 + 20


def test_crash_between_topology_write_and_sync_is_repaired(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    mark_topology_stale(series)
    # The topology write lands; the process dies before syncing (no series folder passed).
    load_folder(store, moved_network("TB").write(tmp_path / "moved"), effective=D2, today=TODAY)
    assert _sales(series) == [90, 100, 60, 60]  # still the old placement: MV in TA both days
    assert series.read().topology_stale
    assert ensure_synced(series, store)
    assert not series.read().topology_stale
    assert _sales(series) == [90, 70, 60, 90]
    assert not ensure_synced(series, store)


def test_server_start_repairs_a_stale_copy(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    mark_topology_stale(series)
    load_folder(store, moved_network("TB").write(tmp_path / "moved"), effective=D2, today=TODAY)
    for api in make_api(store, tmp_path, home="home"):
        data = api.data(
            '{ transformer(code: "TB") { lossSeries(from: "2026-10-01", to: "2026-10-02") '
            "{ salesKwh } } }"
        )
        assert [d["salesKwh"] for d in data["transformer"]["lossSeries"]] == [60.0, 90.0]
