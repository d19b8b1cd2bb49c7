"""Every write is audited: a version, a changeset record, intervals stamped with the changeset
that opened and closed them; a write against a stale version is refused; on both stores."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from graph.domain.changes import ChangeSet, ChangesetRecord, LinkClose, new_changeset_id
from graph.domain.errors import StalePlan
from graph.domain.model import Entity, Kind, Link, Rel
from graph.stores.contract import Store
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from tests.builder import small_network
from tests.fingerprint import fingerprint

TODAY = dt.date(2026, 11, 28)
JUNE = dt.date(2026, 6, 1)


def _moved() -> object:
    net = small_network()
    net.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in net.rows["meters.csv"]
    ]
    return net


def test_loads_are_recorded_and_stamp_their_intervals(store: Store, tmp_path: Path) -> None:
    assert store.version() == 0 and store.changesets(10, None) == []
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY, actor="张工")
    (first,) = store.changesets(10, None)
    assert (first.source, first.actor, first.graph_version) == ("load", "张工", 1)
    assert first.counts == {"created": 21, "updated": 0, "moved": 0, "linked": 26}
    assert store.version() == 1
    assert store.changeset(first.id) == first
    assert store.links_of(Rel.HAS_METER, "M2")[0].opened_by == first.id

    load_folder(store, _moved().write(tmp_path / "b"), effective=JUNE, today=TODAY)  # type: ignore[attr-defined]
    second, again = store.changesets(10, None)
    assert again == first and second.graph_version == 2 and second.effective == JUNE
    assert second.counts["moved"] == 1
    old, new = store.links_of(Rel.HAS_METER, "M2")
    assert (old.opened_by, old.closed_by) == (first.id, second.id)
    assert (new.parent, new.opened_by, new.closed_by) == ("T2", second.id, None)

    load_folder(store, _moved().write(tmp_path / "c"), effective=JUNE, today=TODAY)  # type: ignore[attr-defined]
    assert store.version() == 2, "a load that changes nothing is not a write"
    assert store.changesets(1, None) == [second]
    assert store.changesets(1, second.id) == [first]
    assert store.changesets(1, first.id) == []
    assert store.changeset("nope") is None


def test_stale_version_is_refused_and_nothing_written(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    before = fingerprint(store)
    now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    record = ChangesetRecord(new_changeset_id(now), "equipment", "tester", now, JUNE, {"moved": 1})
    move = ChangeSet(
        closed=[LinkClose(Rel.HAS_METER, "M2", JUNE)],
        opened=[Link(Rel.HAS_METER, "T2", "M2", JUNE)],
        record=record,
    )
    with pytest.raises(StalePlan, match="plan again"):
        store.apply(move, expect_version=0)
    assert fingerprint(store) == before and store.version() == 1
    assert store.changeset(record.id) is None
    store.apply(move, expect_version=1)
    assert store.version() == 2
    assert store.changeset(record.id) is not None
    assert store.links_of(Rel.HAS_METER, "M2")[-1].opened_by == record.id


def test_unrecorded_write_still_counts_as_a_version(store: Store) -> None:
    store.apply(ChangeSet(created={Kind.ORG_UNIT: [Entity(Kind.ORG_UNIT, "P", {"name": "省"})]}))
    assert store.version() == 1 and store.changesets(5, None) == []


def test_embedded_store_of_schema_2_is_migrated(tmp_path: Path) -> None:
    home = tmp_path / "old"
    home.mkdir()
    conn = sqlite3.connect(home / "topology.sqlite3")
    conn.executescript(
        """
        CREATE TABLE entity (kind TEXT NOT NULL, code TEXT NOT NULL, attrs TEXT NOT NULL,
            search_key TEXT NOT NULL, UNIQUE (kind, code));
        CREATE TABLE link (rel TEXT NOT NULL, parent TEXT NOT NULL, child TEXT NOT NULL,
            valid_from TEXT NOT NULL, valid_to TEXT NOT NULL);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '2');
        INSERT INTO link VALUES ('HAS_METER', 'T1', 'M1', '0001-01-01', '9999-12-31');
        """
    )
    conn.commit()
    conn.close()
    store = EmbeddedStore(home)
    (link,) = store.links_of(Rel.HAS_METER, "M1")
    assert (link.parent, link.opened_by) == ("T1", None)
    assert store.version() == 0
    store.close()


def test_changesets_since_a_version_oldest_first(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    load_folder(store, _moved().write(tmp_path / "b"), today=TODAY, effective=JUNE)  # type: ignore[attr-defined]
    newest_first = store.changesets(10, None)
    assert [c.graph_version for c in newest_first] == [2, 1]
    assert store.changesets_since(0, 10) == newest_first[::-1]
    assert [c.graph_version for c in store.changesets_since(1, 10)] == [2]
    assert [c.graph_version for c in store.changesets_since(0, 1)] == [1]  # paged
    assert store.changesets_since(2, 10) == []


def test_what_a_changeset_changed_entity_by_entity(store: Store, tmp_path: Path) -> None:
    from graph.domain.stamped import ChangeKind, changes_of

    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    net = _moved()
    net.rows["transformers.csv"] = [  # type: ignore[attr-defined]
        (*r[:3], 630, *r[4:]) if r[0] == "T2" else r
        for r in net.rows["transformers.csv"]  # type: ignore[attr-defined]
    ]
    load_folder(store, net.write(tmp_path / "b"), today=TODAY, effective=JUNE)  # type: ignore[attr-defined]
    first, second = store.changesets_since(0, 10)
    created = changes_of(store.stamped(first.id))
    assert {c.change for c in created} == {ChangeKind.CREATED, ChangeKind.LINKED}
    assert sum(c.change is ChangeKind.CREATED for c in created) == first.counts["created"]
    assert sum(c.change is ChangeKind.LINKED for c in created) == first.counts["linked"]
    changed = changes_of(store.stamped(second.id))
    by_code = {(c.code, c.relationship): c for c in changed}
    moved = by_code[("M2", Rel.HAS_METER)]
    assert (moved.kind, moved.change, moved.before, moved.after, moved.effective) == (
        Kind.METER,
        ChangeKind.MOVED,
        "T1",
        "T2",
        JUNE,
    )
    updated = by_code[("T2", None)]
    assert updated.change is ChangeKind.UPDATED and updated.effective == JUNE
    assert json.loads(updated.before or "") == {"capacity_kva": 315.0}
    assert json.loads(updated.after or "") == {"capacity_kva": 630.0}
    assert len(changed) == 2
