"""Org units' indicators over GraphQL on the hand-computed status network (tests/networks.py),
with collection evidence placing one customer meter, one pv meter and one gate elsewhere; and
the monthly loss series. Both stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.domain.access import Role
from graph.stores.contract import Store
from loaders.apply import apply_plan
from loaders.load import load_folder
from loaders.plans import PlanStore
from loaders.reconcile import make_plan
from taiqu.settings import Settings
from tests.api.conftest import Api, add_principal, make_api
from tests.builder import NetworkBuilder
from tests.networks import status_network

TODAY = dt.date(2026, 11, 28)
SEPTEMBER = dt.date(2026, 9, 1)
PERIOD = {"from": "2026-10-01", "to": "2026-10-02"}
STATION_KEY = "tq_test-station-z1-key-for-indicators-00000"
QUERY = """query($code: String!, $from: Date!, $to: Date!) {
    orgUnit(code: $code) {
        indicators(from: $from, to: $to) { name label direction value target met gap }
        lossSummary(from: $from, to: $to) { technicalLossRate managementLossRate } } }"""


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    series = Settings(home=tmp_path / "home").series_folder()
    load_folder(store, status_network().write(tmp_path / "net"), today=TODAY, series=series)
    # From September the collection system reads customer MH1 (archived in TH), pv VN1 and
    # gate GN (in TN) in TG; every other meter where the archive has it.
    moved = {"MH1": "TG", "VN1": "TG", "GN": "TG"}
    evidence = NetworkBuilder()
    for meter, area, *_ in status_network().rows["meters.csv"]:
        evidence.collected(str(meter), moved.get(str(meter), str(area)))
    folder = evidence.write(tmp_path / "ev")
    plan, _ = make_plan(store, "collection", folder, "20261128T100000-abcdef", "tester")
    plans = PlanStore(tmp_path / "plans")
    plans.save(plan)
    apply_plan(store, plans, plan.plan_id, SEPTEMBER, "tester", series=series)
    add_principal(store, "z1", STATION_KEY, Role.MARKETING, org="Z1")
    yield from make_api(store, tmp_path, home="home")


SPLIT = ("technicalLossRate", "managementLossRate")  # checked against lossSummary's below


def _values(api: Api, code: str, headers: dict[str, str] | None = None) -> dict[str, object]:
    data = api.data(QUERY, {"code": code, **PERIOD}, headers)["orgUnit"]
    return {i["name"]: i["value"] for i in data["indicators"] if i["name"] not in SPLIT}


def test_indicators_by_hand(api: Api) -> None:
    # Z1: TN (supply 100, sales 96), TH (100, 85: HIGH), TG (100, 104: NEGATIVE), TX (100, 90)
    # a day each; 5 customer meters, MH1 read in TG.
    assert _values(api, "Z1") == {
        "lossRate": 50 / 800,
        "qualifiedRate": 2 / 4,
        "computableRate": 1.0,
        "highCount": 1.0,
        "negativeCount": 1.0,
        "collectionRate": 1.0,
        "consistencyRate": 4 / 5,
    }
    # Z2: only TB computable (200 supply, 196 sales); meter-days 58 of 60 read; 30 customers.
    assert _values(api, "Z2") == {
        "lossRate": 4 / 200,
        "qualifiedRate": 1 / 5,
        "computableRate": 1 / 5,
        "highCount": 0.0,
        "negativeCount": 0.0,
        "collectionRate": 58 / 60,
        "consistencyRate": 1.0,
    }
    # X1: both stations; P above it the same areas.
    x1 = _values(api, "X1")
    assert (x1["lossRate"], x1["qualifiedRate"], x1["computableRate"]) == (0.054, 3 / 9, 5 / 9)
    assert (x1["collectionRate"], x1["consistencyRate"]) == (70 / 72, 34 / 35)
    assert _values(api, "P") == x1


def test_names_labels_directions_and_no_target(api: Api) -> None:
    found = api.data(QUERY, {"code": "Z1", **PERIOD})["orgUnit"]
    rows = {i["name"]: i for i in found["indicators"]}
    assert rows["lossRate"]["label"] == "台区线损率"
    assert rows["consistencyRate"]["label"] == "户变一致率"
    assert rows["lossRate"]["direction"] == "AT_MOST"
    assert rows["qualifiedRate"]["direction"] == "AT_LEAST"
    assert all((i["target"], i["met"], i["gap"]) == (None, None, None) for i in rows.values())
    # The split as lossSummary gives it (the status network's areas have the estimate).
    assert rows["technicalLossRate"]["value"] > 0
    assert rows["technicalLossRate"]["value"] == found["lossSummary"]["technicalLossRate"]
    assert rows["managementLossRate"]["value"] == found["lossSummary"]["managementLossRate"]


def test_a_station_sees_its_own_never_a_siblings(api: Api) -> None:
    headers = {"Authorization": f"Bearer {STATION_KEY}"}
    assert _values(api, "Z1", headers) == _values(api, "Z1")
    assert api.data(QUERY, {"code": "Z2", **PERIOD}, headers)["orgUnit"] is None
    parent = api.query(
        """{ orgUnit(code: "Z1") { parent { code
             indicators(from: "2026-10-01", to: "2026-10-02") { value } } } }""",
        headers=headers,
    )
    assert parent["data"]["orgUnit"]["parent"] is None
    assert parent["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_period_too_long_is_refused(api: Api) -> None:
    body = api.query(QUERY, {"code": "Z1", "from": "2025-01-01", "to": "2026-10-02"})
    assert body["data"]["orgUnit"] is None
    assert "longer than the maximum" in body["errors"][0]["message"]


def test_monthly_series(api: Api) -> None:
    data = api.data(
        """{ network { lossSeries(from: "2026-09-15", to: "2026-10-02", step: MONTH) {
             from to transformerCount uncomputableCount supplyKwh lossRate } } }"""
    )["network"]["lossSeries"]
    assert data == [
        {"from": "2026-09-15", "to": "2026-09-30", "transformerCount": 9,
         "uncomputableCount": 9, "supplyKwh": 0.0, "lossRate": None},
        {"from": "2026-10-01", "to": "2026-10-02", "transformerCount": 9,
         "uncomputableCount": 4, "supplyKwh": 1000.0, "lossRate": 0.054},
    ]  # fmt: skip
    by_day = api.data(
        """{ network { lossSeries(from: "2026-10-01", to: "2026-10-02") { from } } }"""
    )["network"]["lossSeries"]
    assert [d["from"] for d in by_day] == ["2026-10-01", "2026-10-02"]
