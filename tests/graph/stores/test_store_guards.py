"""A store refuses a change set that would leave a dangling link, and writes none of it; bulk
lookups agree with chunked ones.

The loader never produces one (validation comes first); this guards the stores themselves.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.changes import ChangeSet, LinkClose
from graph.domain.errors import StoreError
from graph.domain.model import Entity, Kind, Link, Rel
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import small_network
from tests.fingerprint import fingerprint


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    load_folder(store, small_network().write(tmp_path / "src"))
    return store


def _new_meter() -> Entity:
    return Entity(Kind.METER, "M9", {"role": "customer", "multiplier": 1.0, "phase": None})


def test_link_to_unknown_parent_is_refused(loaded: Store) -> None:
    before = fingerprint(loaded)
    changes = ChangeSet(
        created={Kind.METER: [_new_meter()]},
        opened=[Link(Rel.HAS_METER, "T404", "M9")],
    )
    with pytest.raises(StoreError):
        loaded.apply(changes)
    assert fingerprint(loaded) == before


def test_closing_a_link_that_is_not_open_is_refused(loaded: Store) -> None:
    before = fingerprint(loaded)
    changes = ChangeSet(
        created={Kind.METER: [_new_meter()]},
        closed=[LinkClose(Rel.HAS_METER, "M404", dt.date(2026, 6, 1))],
    )
    with pytest.raises(StoreError):
        loaded.apply(changes)
    assert fingerprint(loaded) == before


def test_bulk_lookups_answer_as_the_chunked_ones(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above BULK_LOOKUP codes the stores scan the relationship instead of looking each code
    up; both ways give the same answer (unknown and unlinked codes left out). Neo4j's scans
    come in pages; a page size of 2 gives the same entities."""
    import graph.stores.embedded.store
    import graph.stores.neo4j.store

    load_folder(store, small_network().write(tmp_path / "net"))
    codes = ["M1", "M2", "M3", "G1", "V1", "M404", "U1"]
    chunked = store.open_links(Rel.HAS_METER, codes)
    parents = store.open_parents(Rel.USES_METER, codes)
    meters = sorted(store.scan_entities(Kind.METER), key=lambda e: e.code)
    for module in (graph.stores.embedded.store, graph.stores.neo4j.store):
        monkeypatch.setattr(module, "BULK_LOOKUP", 2)
    monkeypatch.setattr(graph.stores.neo4j.store, "SCAN_PAGE", 2)  # Neo4j scans in pages: many here
    assert sorted(store.scan_entities(Kind.METER), key=lambda e: e.code) == meters
    assert len(meters) == 7 and meters[0].attrs["multiplier"] == 60
    assert store.open_links(Rel.HAS_METER, codes) == chunked
    assert sorted(chunked) == ["G1", "M1", "M2", "M3", "V1"]
    assert (
        store.open_parents(Rel.USES_METER, codes)
        == parents
        == {
            "M1": "U1",
            "M2": "U2",
            "M3": "U3",
            "V1": "U1",
        }
    )
