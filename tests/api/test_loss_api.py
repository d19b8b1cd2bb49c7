"""Loss over GraphQL on the hand-computed status network (tests/networks.py), both stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import Api, make_api
from tests.builder import small_network
from tests.networks import status_network

TODAY = dt.date(2026, 11, 28)
PERIOD = {"from": "2026-10-01", "to": "2026-10-02"}
SUMMARY = """
    from to transformerCount normalCount highCount negativeCount uncomputableCount
    supplyKwh salesKwh lossKwh lossRate qualifiedRate readingCoverage
"""


@pytest.fixture
def loss_api(store: Store, tmp_path: Path) -> Iterator[Api]:
    series = Settings(home=tmp_path / "home").series_folder()
    load_folder(store, status_network().write(tmp_path / "net"), today=TODAY, series=series)
    yield from make_api(store, tmp_path, home="home")


def test_network_and_feeder_summaries(loss_api: Api) -> None:
    data = loss_api.data(
        f"""query($from: Date!, $to: Date!) {{
            network {{ lossSummary(from: $from, to: $to) {{ {SUMMARY} }} }}
            feeder(code: "F2") {{ lossSummary(from: $from, to: $to) {{ {SUMMARY} }} }}
        }}""",
        PERIOD,
    )
    assert data["network"]["lossSummary"] == {
        "from": "2026-10-01",
        "to": "2026-10-02",
        "transformerCount": 9,
        "normalCount": 3,
        "highCount": 1,
        "negativeCount": 1,
        "uncomputableCount": 4,
        "supplyKwh": 1000.0,
        "salesKwh": 946.0,
        "lossKwh": 54.0,
        "lossRate": 0.054,
        "qualifiedRate": 3 / 9,
        "readingCoverage": 70 / 72,
    }
    f2 = data["feeder"]["lossSummary"]
    assert (f2["transformerCount"], f2["normalCount"], f2["uncomputableCount"]) == (5, 1, 4)
    assert (f2["supplyKwh"], f2["lossRate"], f2["qualifiedRate"]) == (200.0, 0.02, 0.2)


def test_series_per_day_for_an_org_unit_and_a_substation(loss_api: Api) -> None:
    data = loss_api.data(
        """query($from: Date!, $to: Date!) {
            orgUnit(code: "Z2") { lossSeries(from: $from, to: $to) {
                from to normalCount highCount uncomputableCount supplyKwh lossRate } }
            substation(code: "S1") { lossSeries(from: $from, to: $to) { transformerCount } }
        }""",
        PERIOD,
    )
    assert data["orgUnit"]["lossSeries"] == [
        {"from": "2026-10-01", "to": "2026-10-01", "normalCount": 2, "highCount": 1,
         "uncomputableCount": 2, "supplyKwh": 300.0, "lossRate": 0.1},
        {"from": "2026-10-02", "to": "2026-10-02", "normalCount": 0, "highCount": 0,
         "uncomputableCount": 5, "supplyKwh": 0.0, "lossRate": None},
    ]  # fmt: skip
    assert data["substation"]["lossSeries"] == [{"transformerCount": 9}] * 2


def test_ranking_pages_with_cursors_and_filters(loss_api: Api) -> None:
    query = """query($from: Date!, $to: Date!, $after: String, $status: [LossStatus!]) {
        network { lossRanking(from: $from, to: $to, first: 4, after: $after, status: $status) {
            totalCount pageInfo { hasNextPage endCursor }
            edges { node { transformer { code name } lossRate status reasons } } } } }"""
    first = loss_api.data(query, PERIOD)["network"]["lossRanking"]
    assert [e["node"]["transformer"]["code"] for e in first["edges"]] == ["TC", "TH", "TX", "TN"]
    assert first["edges"][0]["node"]["status"] == "UNCOMPUTABLE"
    assert first["edges"][0]["node"]["reasons"] == [
        "reading coverage 0.7500 is below 0.98 (3 of 4 meter-days read)"
    ]
    assert first["edges"][1]["node"]["lossRate"] == 0.15
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (9, True)
    after = first["pageInfo"]["endCursor"]
    second = loss_api.data(query, {**PERIOD, "after": after})["network"]["lossRanking"]
    assert [e["node"]["transformer"]["code"] for e in second["edges"]] == ["TB", "TG", "TM", "T0"]
    only = loss_api.data(query, {**PERIOD, "status": ["NEGATIVE"]})["network"]["lossRanking"]
    assert [e["node"]["transformer"]["code"] for e in only["edges"]] == ["TG"]
    by_kwh = loss_api.data(
        """{ feeder(code: "F1") { lossRanking(from: "2026-10-01", to: "2026-10-02",
             orderBy: LOSS_KWH_DESC) { edges { node { transformer { code } lossKwh } } } } }"""
    )["feeder"]["lossRanking"]["edges"]
    assert [(e["node"]["transformer"]["code"], e["node"]["lossKwh"]) for e in by_kwh] == [
        ("TH", 30.0), ("TX", 20.0), ("TN", 8.0), ("TG", -8.0)
    ]  # fmt: skip


def test_transformer_loss_and_meter_readings(loss_api: Api) -> None:
    data = loss_api.data(
        """query($from: Date!, $to: Date!) {
            transformer(code: "TN") {
                loss(from: $from, to: $to) { from to supplyKwh salesKwh lossKwh lossRate status
                    reasons readingCoverage meterDaysRead meterDaysExpected
                    gateMeterDaysRead gateMeterDaysExpected }
                lossSummary(from: $from, to: $to) { transformerCount normalCount }
                gateMeters { code readings(from: $from, to: $to) {
                    date importKwh exportKwh multiplier importKwhMultiplied exportKwhMultiplied } }
            }
            t0: transformer(code: "T0") { loss(from: $from, to: $to) { status reasons } }
        }""",
        PERIOD,
    )
    tn = data["transformer"]
    assert tn["loss"] == {
        "from": "2026-10-01", "to": "2026-10-02", "supplyKwh": 200.0, "salesKwh": 192.0,
        "lossKwh": 8.0, "lossRate": 0.04, "status": "NORMAL", "reasons": [],
        "readingCoverage": 1.0, "meterDaysRead": 6, "meterDaysExpected": 6,
        "gateMeterDaysRead": 2, "gateMeterDaysExpected": 2,
    }  # fmt: skip
    assert tn["lossSummary"] == {"transformerCount": 1, "normalCount": 1}
    (gate,) = tn["gateMeters"]
    assert gate["readings"][0] == {
        "date": "2026-10-01", "importKwh": 1.6, "exportKwh": 0.1, "multiplier": 60.0,
        "importKwhMultiplied": 96.0, "exportKwhMultiplied": 6.0,
    }  # fmt: skip
    assert data["t0"]["loss"] == {
        "status": "UNCOMPUTABLE",
        "reasons": ["no gate meter", "supply is not positive (0 kWh)"],
    }


def test_period_and_cursor_errors_are_clear(loss_api: Api) -> None:
    long = loss_api.query(
        '{ network { lossSummary(from: "2025-01-01", to: "2026-10-01") { lossRate } } }'
    )
    assert long["errors"][0]["message"] == (
        "period of 639 days is longer than the maximum of 400 days"
    )
    assert long["errors"][0]["path"] == ["network", "lossSummary"]
    reversed_ = loss_api.query(
        '{ transformer(code: "TN") { loss(from: "2026-10-02", to: "2026-10-01") { status } } }'
    )
    assert reversed_["errors"][0]["message"] == (
        "period ends (2026-10-01) before it starts (2026-10-02)"
    )
    bad = loss_api.query(
        '{ network { lossRanking(from: "2026-10-01", to: "2026-10-02", after: "bm9wZQ==") '
        "{ totalCount } } }"
    )
    assert "not a cursor returned by this ranking" in bad["errors"][0]["message"]
    too_many = loss_api.query(
        '{ network { lossRanking(from: "2026-10-01", to: "2026-10-02", first: 101) '
        "{ totalCount } } }"
    )
    assert too_many["errors"][0]["message"] == "first must be between 0 and 100, got 101"


def test_max_period_is_configuration(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    for api in make_api(store, tmp_path, loss_max_days=31):
        body = api.query(
            '{ network { lossSummary(from: "2026-10-01", to: "2026-11-01") { lossRate } } }'
        )
        assert body["errors"][0]["message"] == (
            "period of 32 days is longer than the maximum of 31 days"
        )


def test_periods_out_of_the_accepted_dates_are_clear(loss_api: Api) -> None:
    """Days near 9999 overflowed date arithmetic and answered "Unexpected error."."""
    far = loss_api.query(
        '{ network { lossSummary(from: "9999-12-30", to: "9999-12-31") { lossRate } } }'
    )
    (error,) = far["errors"]
    assert error["message"].startswith("period: 9999-12-30 is more than 366 days after today")
    assert error["path"] == ["network", "lossSummary"]
    early = loss_api.query(
        '{ transformer(code: "TN") { loss(from: "0001-01-02", to: "0001-01-03") { status } } }'
    )
    assert early["errors"][0]["message"] == (
        "period: 0001-01-02 is before 2000-01-01, the earliest date accepted"
    )


DAILY = """query($code: String!, $from: Date!, $to: Date!) { transformer(code: $code) {
    dailyLoss(from: $from, to: $to) { from to supplyKwh salesKwh lossKwh lossRate status reasons }
    loss(from: $from, to: $to) { supplyKwh salesKwh lossKwh }
} }"""


@pytest.mark.parametrize(
    ("code", "supply_kwh", "sales_kwh", "status"),
    [("TN", 100.0, 96.0, "NORMAL"), ("TH", 100.0, 85.0, "HIGH"), ("TG", 100.0, 104.0, "NEGATIVE")],
)
def test_daily_loss_is_each_day_on_its_own(
    loss_api: Api, code: str, supply_kwh: float, sales_kwh: float, status: str
) -> None:
    """By hand (tests/networks.py): TN's gate 1.6 - 0.1 registered x 60 + pv export 10 = 100
    kWh a day, sales 55 + 40 + 1 = 96; TH 100 in, 85 out; TG 100 in, 104 out. 30 September has
    no readings: uncomputable, with the reasons the period's `loss` would give."""
    found = loss_api.data(DAILY, {"code": code, "from": "2026-09-30", "to": "2026-10-02"})
    days = found["transformer"]["dailyLoss"]
    assert [(d["from"], d["to"]) for d in days] == [
        ("2026-09-30", "2026-09-30"),
        ("2026-10-01", "2026-10-01"),
        ("2026-10-02", "2026-10-02"),
    ]
    assert days[0]["status"] == "UNCOMPUTABLE" and days[0]["reasons"]
    for day in days[1:]:
        assert (day["supplyKwh"], day["salesKwh"]) == pytest.approx((supply_kwh, sales_kwh))
        assert day["lossKwh"] == pytest.approx(supply_kwh - sales_kwh)
        assert day["lossRate"] == pytest.approx((supply_kwh - sales_kwh) / supply_kwh)
        assert day["status"] == status
    # Each day is the area's loss of that one day.
    for day in days:
        one = loss_api.data(DAILY, {"code": code, "from": day["from"], "to": day["to"]})
        assert one["transformer"]["dailyLoss"] == [day]
    period = loss_api.data(DAILY, {"code": code, "from": "2026-10-01", "to": "2026-10-02"})
    assert period["transformer"]["loss"]["supplyKwh"] == pytest.approx(2 * supply_kwh)


def test_daily_loss_refuses_a_period_as_loss_does(loss_api: Api) -> None:
    body = loss_api.query(DAILY, {"code": "TN", "from": "2026-10-02", "to": "2026-10-01"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
