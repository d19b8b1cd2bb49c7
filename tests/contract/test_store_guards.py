"""A store refuses a change set that would leave a dangling link, and writes none of it.

The loader never produces one (validation comes first); this guards the stores themselves.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.errors import StoreError
from graph.model import Entity, Kind, Link, Rel
from graph.store import ChangeSet, LinkClose, Store
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
