"""The synthetic generator: deterministic, exact meter count, realistic shape, valid input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from graph.domain.model import Kind
from graph.stores.embedded.store import EmbeddedStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder


def test_same_seed_same_network() -> None:
    assert generate(5_000).rows == generate(5_000).rows
    assert generate(5_000, seed=1).rows != generate(5_000).rows


def test_shape() -> None:
    net = generate(60_000)
    rows = net.rows
    assert net.meter_count == 60_000
    roles = Counter(r[2] for r in rows["meters.csv"])
    assert roles["gate"] == len(rows["transformers.csv"])  # one gate meter per area
    assert 0.02 < roles["pv"] / roles["customer"] < 0.06
    per_feeder = Counter(r[2] for r in rows["transformers.csv"])
    assert 20 <= sum(per_feeder.values()) / len(per_feeder) <= 40
    per_area = Counter(r[1] for r in rows["meters.csv"])
    public = [r[0] for r in rows["transformers.csv"] if r[4] == "public"]
    assert all(per_area[t] <= 400 for t in public)
    assert {r[3] for r in rows["orgs.csv"]} == {"province", "city", "county", "station"}


def test_generated_folder_loads(tmp_path: Path) -> None:
    write_folder(generate(2_000), tmp_path / "src")
    store = EmbeddedStore(tmp_path / "home")
    report = load_folder(store, tmp_path / "src")
    assert report.summary.created[Kind.METER] == 2_000
    assert report.warnings == []
