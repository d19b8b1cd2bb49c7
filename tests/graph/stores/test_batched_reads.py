"""Batched reads answer each code as a read of that code alone would, in one statement per
batch (the DataLoaders' contract), on both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graph.domain.model import Rel
from graph.services.events.base import write_event
from graph.services.events.meters import meter_move
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import small_network

DAY = dt.date(2026, 11, 28)


def test_neighbors_of_many_codes_at_once(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    down = store.neighbors(Rel.HAS_METER, ["T2", "T1", "T3", "NOPE", "T1"], DAY, "down")
    assert {code: [e.code for e in found] for code, found in down.items()} == {
        "T1": ["G1", "M1", "M2", "V1"],
        "T2": ["G2", "M3"],
        "T3": ["G3"],
        "NOPE": [],
    }
    up = store.neighbors(Rel.HAS_METER, ["M3", "M1", "NOPE"], DAY, "up")
    assert {code: [e.code for e in found] for code, found in up.items()} == {
        "M3": ["T2"],
        "M1": ["T1"],
        "NOPE": [],
    }
    assert up["M1"][0].get("capacity_kva") == 400


def test_histories_of_many_children_at_once(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "net"), today=DAY)
    write_event(store, meter_move(store, "M2", "T2", dt.date(2026, 7, 1), "t"), None)
    found = store.histories(Rel.HAS_METER, ["M2", "M1", "NOPE"])
    assert found.keys() == {"M2", "M1", "NOPE"}
    assert found["NOPE"] == []
    first, then = found["M2"]
    assert (first.parent, first.valid_to, then.parent) == ("T1", dt.date(2026, 7, 1), "T2")
    for child in ("M1", "M2"):
        assert found[child] == store.links_of(Rel.HAS_METER, child)
        assert [k.opened_by for k in found[child]] == [
            k.opened_by for k in store.links_of(Rel.HAS_METER, child)
        ]
