"""The one topology write path, on both stores: the series copy is marked stale before the
store commits and synced after, only when the change touches what loss reads; a failed write
leaves the mark, and the next write repairs the copy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.changes import ChangeSet, LinkClose, new_record
from graph.domain.errors import StalePlan, StoreError
from graph.domain.model import Entity, Kind, Link, Rel
from graph.series.files import SeriesFolder
from graph.services.write import write_topology
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import small_network

DAY = dt.date(2026, 7, 1)


@pytest.fixture
def series(store: Store, tmp_path: Path) -> SeriesFolder:
    folder = SeriesFolder(tmp_path / "home" / "series")
    load_folder(store, small_network().write(tmp_path / "net"), series=folder)
    return folder


def _move(meter: str, to_area: str) -> ChangeSet:
    return ChangeSet(
        closed=[LinkClose(Rel.HAS_METER, meter, DAY)],
        opened=[Link(Rel.HAS_METER, to_area, meter, DAY)],
        record=new_record("test", "t", DAY, {"moved": 1}),
    )


def test_a_change_loss_reads_is_synced_into_the_copy(store: Store, series: SeriesFolder) -> None:
    before = series.read()
    report = write_topology(store, _move("M2", "T2"), series)
    after = series.read()
    assert after.generation > before.generation and not after.topology_stale
    assert after.topology["memberships"] != before.topology["memberships"]
    assert report.apply_seconds >= 0 and report.sync_seconds >= 0


def test_a_change_loss_does_not_read_leaves_the_copy_alone(
    store: Store, series: SeriesFolder
) -> None:
    before, version = series.read(), store.version()
    # A customer's name (a capacity is read now: technical loss estimates from it).
    u1 = store.entities(Kind.CUSTOMER, ["U1"])["U1"]
    renamed = Entity(Kind.CUSTOMER, "U1", {**u1.attrs, "name": "张三"})
    record = new_record("test", "t", None, {"updated": 1})
    write_topology(store, ChangeSet(updated={Kind.CUSTOMER: [renamed]}, record=record), series)
    after = series.read()
    assert store.version() == version + 1
    assert (after.topology, after.balances) == (before.topology, before.balances)  # no sync
    assert after.graph_version == version + 1  # ...and still the store's topology


def test_an_empty_change_set_writes_nothing(store: Store, series: SeriesFolder) -> None:
    before, version = series.read(), store.version()
    write_topology(store, ChangeSet(), series)
    assert (store.version(), series.read()) == (version, before)


def test_a_failed_write_leaves_the_mark_and_the_next_write_repairs_it(
    store: Store, series: SeriesFolder
) -> None:
    version = store.version()
    not_open = ChangeSet(closed=[LinkClose(Rel.HAS_METER, "NOPE", DAY)])
    not_open.opened.append(Link(Rel.HAS_METER, "T2", "M2", DAY))
    with pytest.raises(StoreError):
        write_topology(store, not_open, series)
    assert store.version() == version
    assert series.read().topology_stale  # the crash-between case: repaired by the next write
    write_topology(store, ChangeSet(), series)
    assert not series.read().topology_stale


def test_a_write_on_another_version_is_refused(store: Store, series: SeriesFolder) -> None:
    version = store.version()
    with pytest.raises(StalePlan):
        write_topology(store, _move("M2", "T2"), series, expect_version=version - 1)
    assert store.version() == version
    assert store.open_links(Rel.HAS_METER, ["M2"])["M2"].parent == "T1"
