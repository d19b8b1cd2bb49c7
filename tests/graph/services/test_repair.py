"""The repair of intervals that hold on no day (graph/services/repair.py), on both stores: the
state an event dated 9999-12-31 left before dates were bounded is rebuilt by writing what it
wrote, then repaired; the meter is as before the event, with an audit record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graph.domain.changes import ChangeSet, LinkClose, new_record
from graph.domain.model import FOREVER, Link, Rel
from graph.series.files import SeriesFolder
from graph.series.writer import behind
from graph.services.repair import remove_empty_intervals
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import small_network

TODAY = dt.date(2026, 11, 28)


def _corrupt_as_the_old_meter_move_did(store: Store) -> None:
    """meterMove M2 -> T2 effective 9999-12-31: T1's interval closed on the sentinel (still
    reads as open) and one opened that holds on no day."""
    store.apply(
        ChangeSet(
            closed=[LinkClose(Rel.HAS_METER, "M2", FOREVER)],
            opened=[Link(Rel.HAS_METER, "T2", "M2", FOREVER, FOREVER)],
            record=new_record("meterMove", "old", FOREVER, {"moved": 1}),
        )
    )


def test_empty_intervals_are_removed_with_an_audit_record(store: Store, tmp_path: Path) -> None:
    series = SeriesFolder(tmp_path / "series")
    load_folder(store, small_network().write(tmp_path / "net"), today=TODAY, series=series)
    _corrupt_as_the_old_meter_move_did(store)
    assert [(lk.parent, lk.valid_to) for lk in store.links_of(Rel.HAS_METER, "M2")] == [
        ("T1", FOREVER),
        ("T2", FOREVER),
    ]
    version = store.version()

    record = remove_empty_intervals(store, "repairer", series)

    assert record is not None
    assert (record.source, record.actor, record.counts) == ("repair", "repairer", {"removed": 1})
    assert record.graph_version == store.version() == version + 1
    (only,) = store.links_of(Rel.HAS_METER, "M2")
    assert (only.parent, only.valid_to, only.closed_by) == ("T1", FOREVER, None)
    assert store.open_links(Rel.HAS_METER, ["M2"])["M2"].parent == "T1"
    assert not behind(series.read(), store)  # the loss copy followed
    # once repaired, there is nothing left to do, and nothing is written
    assert remove_empty_intervals(store, "repairer", series) is None
    assert store.version() == version + 1
