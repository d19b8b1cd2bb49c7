"""A small network loaded into each store, for change events checked as domain rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.errors import EventRejected
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import small_network

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def net(store: Store, tmp_path: Path) -> Store:
    """small_network (tests/builder.py), loaded: T1 (G1, M1, V1, M2), T2 (G2, M3), T3 (G3)."""
    load_folder(store, small_network().write(tmp_path / "net"), today=TODAY)
    return store


def problems(rejected: pytest.ExceptionInfo[EventRejected]) -> list[tuple[str | None, str]]:
    return [(p.field, p.message) for p in rejected.value.problems]
