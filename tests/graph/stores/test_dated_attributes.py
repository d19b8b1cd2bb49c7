"""Attributes are dated like relationships, on both stores: a change on D closes the values
before it and opens new ones from D; reads on a day before D answer the old values; the same
day replaces; a day before the current values began is refused with nothing written."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from graph.domain.changes import ChangeSet, new_record
from graph.domain.errors import StoreError
from graph.domain.model import BEGINNING, FOREVER, Entity, Kind, Rel
from graph.stores.contract import Store
from graph.stores.embedded.sql import SCHEMA_VERSION_OF
from graph.stores.embedded.store import EmbeddedStore
from loaders.load import load_folder
from tests.builder import small_network
from tests.fingerprint import fingerprint

JUNE_5, JULY_1 = dt.date(2026, 6, 5), dt.date(2026, 7, 1)
DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    load_folder(store, small_network().write(tmp_path / "net"))
    return store


def _with(store: Store, kind: Kind, code: str, **attrs: object) -> Entity:
    now = store.entities(kind, [code])[code]
    return Entity(kind, code, {**now.attrs, **attrs})


def _update(store: Store, day: dt.date, *entities: Entity) -> str:
    record = new_record("test", "t", day, {"updated": len(entities)})
    by_kind: dict[Kind, list[Entity]] = {}
    for e in entities:
        by_kind.setdefault(e.kind, []).append(e)
    store.apply(ChangeSet(updated=by_kind, record=record, updated_on=day))
    return record.id


def test_a_change_closes_the_values_before_it(loaded: Store) -> None:
    first = _update(loaded, JUNE_5, _with(loaded, Kind.METER, "G1", multiplier=40.0))
    now = loaded.entities(Kind.METER, ["G1"])["G1"]
    assert (now.get("multiplier"), now.attrs_from) == (40.0, JUNE_5)
    # Before June 5th, the first load's values; from it, the current ones (absent: they hold).
    before = loaded.attrs_as_of(Kind.METER, ["G1", "G2"], dt.date(2026, 6, 4))
    assert set(before) == {"G1"}
    assert (before["G1"].get("multiplier"), before["G1"].attrs_from) == (60.0, BEGINNING)
    assert before["G1"].get("role") == "gate"
    assert loaded.attrs_as_of(Kind.METER, ["G1"], JUNE_5) == {}
    second = _update(loaded, JULY_1, _with(loaded, Kind.METER, "G1", multiplier=80.0))
    history = loaded.attr_histories(Kind.METER, ["G1", "M1"])
    spans = [(i.attrs["multiplier"], i.valid_from, i.valid_to) for i in history["G1"]]
    assert spans == [(60.0, BEGINNING, JUNE_5), (40.0, JUNE_5, JULY_1), (80.0, JULY_1, FOREVER)]
    assert [(i.opened_by, i.closed_by) for i in history["G1"]] == [
        (history["G1"][0].opened_by, first),
        (first, second),
        (second, None),
    ]
    assert len(history["M1"]) == 1 and history["M1"][0].valid_to == FOREVER
    june = loaded.attrs_as_of(Kind.METER, ["G1"], dt.date(2026, 6, 20))["G1"]
    assert (june.get("multiplier"), june.attrs_from) == (40.0, JUNE_5)
    scanned = [i for i in loaded.scan_attr_intervals(Kind.METER) if i.code == "G1"]
    assert sorted(scanned, key=lambda i: i.valid_from) == history["G1"]
    assert sum(1 for _ in loaded.scan_attr_intervals(Kind.METER)) == 7 + 2  # 7 meters, 2 past


def test_a_second_change_on_the_same_day_replaces(loaded: Store) -> None:
    _update(loaded, JUNE_5, _with(loaded, Kind.TRANSFORMER, "T1", capacity_kva=500.0))
    _update(loaded, JUNE_5, _with(loaded, Kind.TRANSFORMER, "T1", capacity_kva=630.0))
    history = loaded.attr_histories(Kind.TRANSFORMER, ["T1"])["T1"]
    assert [(i.attrs["capacity_kva"], i.valid_from) for i in history] == [
        (400.0, BEGINNING),
        (630.0, JUNE_5),
    ]


def test_a_name_changes_search_from_its_day(loaded: Store) -> None:
    _update(loaded, JUNE_5, _with(loaded, Kind.CUSTOMER, "U1", name="张伟强"))
    assert [e.code for e in loaded.search("张伟强", [Kind.CUSTOMER], 5)] == ["U1"]
    before = loaded.attrs_as_of(Kind.CUSTOMER, ["U1"], dt.date(2026, 6, 1))["U1"]
    assert before.get("name") == "张伟"


def test_values_cannot_change_before_they_began(loaded: Store) -> None:
    _update(loaded, JULY_1, _with(loaded, Kind.METER, "G1", multiplier=40.0))
    before = fingerprint(loaded)
    with pytest.raises(StoreError, match="G1"):
        _update(loaded, JUNE_5, _with(loaded, Kind.METER, "G1", multiplier=80.0))
    assert fingerprint(loaded) == before


def test_created_values_hold_from_the_day_given(store: Store) -> None:
    record = new_record("test", "t", JUNE_5, {"created": 1})
    meter = Entity(Kind.METER, "N1", {"role": "customer", "multiplier": 1.0, "phase": "A"})
    store.apply(ChangeSet(created={Kind.METER: [meter]}, record=record, created_on=JUNE_5))
    assert store.entities(Kind.METER, ["N1"])["N1"].attrs_from == JUNE_5
    (only,) = store.attr_histories(Kind.METER, ["N1"])["N1"]
    assert (only.valid_from, only.valid_to, only.opened_by) == (JUNE_5, FOREVER, record.id)


def test_a_store_of_the_version_before_is_migrated(tmp_path: Path) -> None:
    """tests/data/schema4: written by Taiqu before attributes were dated (small_network, then
    M2 moved to T2 on 2026-07-01). Today's values hold from the unbounded past; nothing else
    changes; the next change is dated."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(DATA / "schema4" / "topology.sqlite3", home / "topology.sqlite3")
    store = EmbeddedStore(home)
    try:
        assert store.version() == 2
        g1 = store.entities(Kind.METER, ["G1"])["G1"]
        assert (g1.get("multiplier"), g1.attrs_from) == (60, BEGINNING)
        assert [lk.parent for lk in store.links_of(Rel.HAS_METER, "M2")] == ["T1", "T2"]
        assert store.counts()[Kind.METER] == 7
        _update(store, JUNE_5, _with(store, Kind.METER, "G1", multiplier=40.0))
        before = store.attrs_as_of(Kind.METER, ["G1"], dt.date(2026, 6, 1))["G1"]
        assert before.get("multiplier") == 60
        with sqlite3.connect(home / "topology.sqlite3") as conn:
            assert conn.execute(SCHEMA_VERSION_OF).fetchone() == ("5",)
    finally:
        store.close()


def test_neo4j_nodes_written_before_dating_hold_from_the_beginning(
    request: pytest.FixtureRequest,
) -> None:
    """Nodes as the version before wrote them (no attrs_from): read as holding from the
    unbounded past, and dated from their first change."""
    store = request.getfixturevalue("neo4j_session_store")
    store.clear()
    store.driver.execute_query(
        "CREATE (:Meter {code: 'OLD', role: 'gate', multiplier: 60.0, phase: 'ABC', "
        "search_key: 'old'})",
        database_=store.database,
    )
    assert store.entities(Kind.METER, ["OLD"])["OLD"].attrs_from == BEGINNING
    _update(store, JUNE_5, _with(store, Kind.METER, "OLD", multiplier=40.0))
    history = store.attr_histories(Kind.METER, ["OLD"])["OLD"]
    assert [(i.attrs["multiplier"], i.valid_from, i.valid_to) for i in history] == [
        (60.0, BEGINNING, JUNE_5),
        (40.0, JUNE_5, FOREVER),
    ]


def test_an_entity_that_ends_has_no_values_from_that_day(loaded: Store) -> None:
    record = new_record("test", "t", JULY_1, {"removed": 1})
    loaded.apply(ChangeSet(ended={Kind.METER: ["G3"]}, ended_on=JULY_1, record=record))
    assert loaded.entities(Kind.METER, ["G3"])["G3"].attrs_from == FOREVER
    june = loaded.attrs_as_of(Kind.METER, ["G3"], JUNE_5)["G3"]
    assert (june.get("multiplier"), june.attrs_from) == (80.0, BEGINNING)
    assert loaded.attrs_as_of(Kind.METER, ["G3"], JULY_1) == {}
    (only,) = loaded.attr_histories(Kind.METER, ["G3"])["G3"]
    assert (only.valid_from, only.valid_to, only.closed_by) == (BEGINNING, JULY_1, record.id)
    assert [i.valid_to for i in loaded.scan_attr_intervals(Kind.METER) if i.code == "G3"] == [
        JULY_1
    ]
    before = fingerprint(loaded)
    again = new_record("test", "t", JUNE_5, {"updated": 1})
    with pytest.raises(StoreError, match="G3"):  # ended: its values cannot change any more
        loaded.apply(
            ChangeSet(
                updated={Kind.METER: [_with(loaded, Kind.METER, "G3", multiplier=40.0)]},
                record=again,
                updated_on=JULY_1 + dt.timedelta(days=5),
            )
        )
    assert fingerprint(loaded) == before


def test_an_entity_cannot_end_on_the_day_its_values_began(loaded: Store) -> None:
    _update(loaded, JULY_1, _with(loaded, Kind.METER, "G3", multiplier=40.0))
    before = fingerprint(loaded)
    record = new_record("test", "t", JULY_1, {"removed": 1})
    with pytest.raises(StoreError, match="G3"):
        loaded.apply(ChangeSet(ended={Kind.METER: ["G3"]}, ended_on=JULY_1, record=record))
    assert fingerprint(loaded) == before


def test_a_listing_counts_what_exists_on_its_day(loaded: Store) -> None:
    record = new_record("test", "t", JULY_1, {"created": 1})
    late = Entity(Kind.ORG_UNIT, "Z9", {"name": "新所", "level": "station"})
    loaded.apply(ChangeSet(created={Kind.ORG_UNIT: [late]}, record=record, created_on=JULY_1))
    ended = new_record("test", "t", JULY_1, {"removed": 1})
    loaded.apply(ChangeSet(ended={Kind.ORG_UNIT: ["Z2"]}, ended_on=JULY_1, record=ended))
    june, july = (loaded.entity_page(Kind.ORG_UNIT, d, 10, None) for d in (JUNE_5, JULY_1))
    assert [e.code for e in june.items] == ["C1", "P", "X1", "Z1", "Z2"] and june.total_count == 5
    assert [e.code for e in july.items] == ["C1", "P", "X1", "Z1", "Z9"] and july.total_count == 5
