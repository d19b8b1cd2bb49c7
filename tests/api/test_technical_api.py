"""The split of loss over GraphQL, both stores: the hand-computed network of
tests/graph/series/test_technical_balances.py, its assumptions set as a user sets them
(TAIQU_POWER_FACTOR, TAIQU_TYPICAL_SHAPE)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from graph.domain.errors import ConfigError
from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import Api, make_api
from tests.graph.series.test_technical_balances import (
    TA_DAY,
    TB_DAY,
    _network,
    _with_readings,
    daily,
)

TODAY = dt.date(2026, 11, 28)
PERIOD = {"from": "2026-06-01", "to": "2026-06-02"}
SPLIT = "technicalLossKwh technicalLossRate managementLossKwh managementLossRate technicalMethod"


def _flat(tmp_path: Path) -> dict[str, object]:
    shape = tmp_path / "flat.csv"
    shape.write_text(",".join(["1"] * 24) + "\n", encoding="utf-8")  # hourly: spread to 96
    return {"power_factor": Decimal(1), "typical_shape_file": shape}


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    assumed = _flat(tmp_path)
    series = Settings(home=tmp_path / "home", **assumed).series_folder()  # type: ignore[arg-type]
    net = _with_readings(_network()).write(tmp_path / "net")
    load_folder(store, net, today=TODAY, series=series)
    yield from make_api(store, tmp_path, home="home", **assumed)


def test_the_split_of_an_area_a_feeder_and_a_day(api: Api) -> None:
    data = api.data(
        f"""query($from: Date!, $to: Date!) {{
            transformer(code: "TA") {{ loss(from: $from, to: $to) {{ lossKwh {SPLIT} }} }}
            feeder(code: "F1") {{
                lossSummary(from: $from, to: $to) {{ lossKwh supplyKwh {SPLIT} }}
                lossSeries(from: $from, to: $to) {{ technicalLossKwh }}
            }}
        }}""",
        PERIOD,
    )
    ta = data["transformer"]["loss"]
    technical = float(2 * daily(TA_DAY))
    assert ta == {
        "lossKwh": 20.0,
        "technicalLossKwh": technical,
        "technicalLossRate": pytest.approx(technical / 500),
        "managementLossKwh": pytest.approx(20.0 - technical),
        "managementLossRate": pytest.approx((20.0 - technical) / 500),
        "technicalMethod": "POWER_FLOW",
    }
    f1 = data["feeder"]["lossSummary"]
    both = float(2 * daily(TA_DAY) + 2 * daily(TB_DAY))
    assert (f1["lossKwh"], f1["supplyKwh"]) == (40.0, 700.0)  # TU (no gate) left out
    assert f1["technicalLossKwh"] == pytest.approx(both)
    assert f1["managementLossKwh"] == pytest.approx(40.0 - both)
    assert f1["technicalMethod"] == "EQUIVALENT_RESISTANCE"  # TB has no lines
    day = float(daily(TA_DAY) + daily(TB_DAY))
    assert [d["technicalLossKwh"] for d in data["feeder"]["lossSeries"]] == [pytest.approx(day)] * 2


def test_the_ranking_by_management_loss_rate(api: Api) -> None:
    data = api.data(
        """query($from: Date!, $to: Date!) { feeder(code: "F1") {
            lossRanking(from: $from, to: $to, orderBy: MANAGEMENT_LOSS_RATE_DESC) {
                edges { node { transformer { code } managementLossRate } } } } }""",
        PERIOD,
    )
    edges = data["feeder"]["lossRanking"]["edges"]
    assert [e["node"]["transformer"]["code"] for e in edges] == ["TB", "TA", "TU"]
    rates = [e["node"]["managementLossRate"] for e in edges]
    assert rates[0] > rates[1] and rates[2] is None


def test_a_bad_typical_shape_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"96 \(quarter hours\) or 24"):
        Settings.from_env({"TAIQU_TYPICAL_SHAPE": str(bad)}).series_folder()
    with pytest.raises(ConfigError, match="TAIQU_POWER_FACTOR"):
        Settings.from_env({"TAIQU_POWER_FACTOR": "0.2"})


def test_the_split_through_fragments_and_beside_a_summary_without_it(api: Api) -> None:
    """The split is read only when asked for (it costs a fifth of a roll-up): asked through a
    fragment or an alias it is there; the same summary without it in one request is the same
    loss, and asking for the split again answers it."""
    data = api.data(
        """query($from: Date!, $to: Date!) {
            feeder(code: "F1") {
                plain: lossSummary(from: $from, to: $to) { lossKwh }
                split: lossSummary(from: $from, to: $to) { lossKwh ...Split }
                days: lossSeries(from: $from, to: $to) {
                    ... on LossSummary { m: managementLossKwh }
                }
            }
        }
        fragment Split on LossSummary { technicalMethod t: technicalLossKwh }""",
        PERIOD,
    )
    f1 = data["feeder"]
    both = float(2 * daily(TA_DAY) + 2 * daily(TB_DAY))
    assert f1["plain"] == {"lossKwh": 40.0}
    assert f1["split"] == {
        "lossKwh": 40.0,
        "technicalMethod": "EQUIVALENT_RESISTANCE",
        "t": pytest.approx(both),
    }
    day = float(daily(TA_DAY) + daily(TB_DAY))
    assert [d["m"] for d in f1["days"]] == [pytest.approx(20.0 - day)] * 2
