"""Subtree counts on both stores: areas, customer/pv meters and gate meters under a substation,
feeder or org unit on the as-of date (small_network: T1 = G1 + M1, V1, M2; T2 = G2 + M3;
T3 = G3; F1 supplies T1 and T2, F2 supplies T3; Z1 owns T1 and T2, Z2 owns T3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.stores.contract import Store
from tests.api.conftest import Api, week_api

TOKEN = "tq_" + "c" * 32
COUNTS = "transformerCount meterCount gateMeterCount"
QUERY = f"""query($d: Date) {{
  s1: substation(code: "S1", asOf: $d) {{ {COUNTS} }}
  f1: feeder(code: "F1", asOf: $d) {{ {COUNTS} }}
  f2: feeder(code: "F2", asOf: $d) {{ {COUNTS} }}
  x1: orgUnit(code: "X1", asOf: $d) {{ {COUNTS} }}
  z1: orgUnit(code: "Z1", asOf: $d) {{ {COUNTS} }}
}}"""


def _counts(areas: int, meters: int, gates: int) -> dict[str, int]:
    return {"transformerCount": areas, "meterCount": meters, "gateMeterCount": gates}


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    yield from week_api(store, tmp_path, writers=(("w", TOKEN),))


def test_counts_under_each_node_follow_the_as_of_date(api: Api) -> None:
    before = api.data(QUERY, {"d": "2026-06-30"})
    assert before == {
        "s1": _counts(3, 4, 3),
        "f1": _counts(2, 4, 2),
        "f2": _counts(1, 0, 1),
        "x1": _counts(3, 4, 3),
        "z1": _counts(2, 4, 2),
    }
    moved = (
        'mutation { areaMove(input: {area: "T3", toFeeder: "F1", effective: "2026-07-01"}) '
        "{ __typename } }"
    )
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert api.data(moved, headers=headers) == {"areaMove": {"__typename": "AreaMoved"}}
    after = api.data(QUERY, {"d": "2026-07-01"})
    assert (after["f1"], after["f2"]) == (_counts(3, 4, 3), _counts(0, 0, 0))
    assert after["s1"] == before["s1"] and after["z1"] == before["z1"]
    assert api.data(QUERY, {"d": "2026-06-30"}) == before  # the day before is as it was
