"""Every loss formula on hand-computed networks, on both stores (see tests/networks.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from graph.domain.errors import InputError
from graph.domain.scope import Scope
from graph.series.files import SeriesFolder
from graph.series.loss import LossOrder, LossRules, LossStatus, LossSummary
from graph.series.reader import LossReader
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.networks import moved_network, moved_readings, status_network

TODAY = dt.date(2026, 11, 28)
D1, D2 = dt.date(2026, 10, 1), dt.date(2026, 10, 2)


@pytest.fixture
def series(tmp_path: Path) -> SeriesFolder:
    return SeriesFolder(tmp_path / "series")


@pytest.fixture
def reader(store: Store, series: SeriesFolder, tmp_path: Path) -> Iterator[LossReader]:
    load_folder(store, status_network().write(tmp_path / "net"), today=TODAY, series=series)
    loss = LossReader(series, LossRules())
    yield loss
    loss.close()


def _figures(s: LossSummary) -> tuple[object, ...]:
    return (
        s.transformer_count,
        s.normal_count,
        s.high_count,
        s.negative_count,
        s.uncomputable_count,
        s.supply_kwh,
        s.sales_kwh,
        s.loss_kwh,
        s.meter_read,
        s.meter_expected,
    )


def test_area_balances_and_statuses(reader: LossReader) -> None:
    areas = reader.areas(["TN", "TH", "TG", "TX", "T0", "TM", "TS", "TC", "TB"], D1, D2)
    expected = {
        "TN": (200, 192, 8, LossStatus.NORMAL, 6, 6),
        "TH": (200, 170, 30, LossStatus.HIGH, 2, 2),
        "TG": (200, 208, -8, LossStatus.NEGATIVE, 2, 2),
        "TX": (200, 180, 20, LossStatus.NORMAL, 2, 2),
        "T0": (0, 20, -20, LossStatus.UNCOMPUTABLE, 2, 2),
        "TM": (100, 180, -80, LossStatus.UNCOMPUTABLE, 2, 2),
        "TS": (-10, 0, -10, LossStatus.UNCOMPUTABLE, 2, 2),
        "TC": (200, 120, 80, LossStatus.UNCOMPUTABLE, 3, 4),
        "TB": (200, 196, 4, LossStatus.NORMAL, 49, 50),
    }
    got = {
        code: (a.supply_kwh, a.sales_kwh, a.loss_kwh, a.status, a.meter_read, a.meter_expected)
        for code, a in areas.items()
    }
    assert got == expected
    assert areas["TN"].loss_rate == 0.04
    assert areas["TH"].loss_rate == 0.15
    assert areas["TG"].loss_rate == -0.04
    assert areas["TX"].loss_rate == 0.1
    assert areas["T0"].loss_rate is None
    assert areas["TS"].loss_rate is None
    assert areas["TM"].loss_rate == -0.8
    assert areas["TC"].reading_coverage == 0.75
    assert areas["TB"].reading_coverage == 0.98


def test_reasons_name_each_cause(reader: LossReader) -> None:
    areas = reader.areas(["TN", "TH", "TG", "T0", "TM", "TS", "TC"], D1, D2)
    rules = reader.rules
    assert areas["TN"].reasons(rules) == []
    assert areas["TH"].reasons(rules) == ["loss rate 0.1500 is above 0.10"]
    assert areas["TG"].reasons(rules) == ["loss rate -0.0400 is negative: sales exceed supply"]
    assert areas["T0"].reasons(rules) == ["no gate meter", "supply is not positive (0 kWh)"]
    assert areas["TM"].reasons(rules) == ["gate meter readings missing for 1 of 2 meter-days"]
    assert areas["TS"].reasons(rules) == ["supply is not positive (-10 kWh)"]
    assert areas["TC"].reasons(rules) == [
        "reading coverage 0.7500 is below 0.98 (3 of 4 meter-days read)"
    ]


def test_thresholds_are_configuration(store: Store, series: SeriesFolder, tmp_path: Path) -> None:
    load_folder(store, status_network().write(tmp_path / "net"), today=TODAY, series=series)
    strict = LossReader(series, LossRules(high_rate=Decimal("0.05"), min_coverage=Decimal("0.7")))
    areas = strict.areas(["TX", "TC", "TN"], D1, D2)
    assert areas["TX"].status is LossStatus.HIGH  # 0.10 > 0.05
    assert areas["TN"].status is LossStatus.NORMAL  # 0.04
    assert areas["TC"].status is LossStatus.HIGH  # coverage 0.75 now enough; rate 0.4
    strict.close()


def test_feeder_roll_ups(reader: LossReader) -> None:
    found = reader.summaries(Scope.FEEDER, ["F1", "F2"], D1, D2)
    assert _figures(found["F1"]) == (4, 2, 1, 1, 0, 800, 750, 50, 12, 12)
    assert found["F1"].loss_rate == 0.0625
    assert found["F1"].qualified_rate == 0.5
    assert found["F1"].reading_coverage == 1.0
    # Only TB is computable: its figures alone; coverage counts every area.
    assert _figures(found["F2"]) == (5, 1, 0, 0, 4, 200, 196, 4, 58, 60)
    assert found["F2"].loss_rate == 0.02
    assert found["F2"].qualified_rate == 0.2
    assert found["F2"].reading_coverage == 58 / 60


def test_substation_org_and_network_roll_ups_agree(reader: LossReader) -> None:
    whole = (9, 3, 1, 1, 4, 1000, 946, 54, 70, 72)
    assert _figures(reader.summaries(Scope.SUBSTATION, ["S1"], D1, D2)["S1"]) == whole
    orgs = reader.summaries(Scope.ORG, ["P", "X1", "Z1", "Z2"], D1, D2)
    assert _figures(orgs["P"]) == whole  # all descendant units
    assert _figures(orgs["X1"]) == whole
    assert _figures(orgs["Z1"]) == (4, 2, 1, 1, 0, 800, 750, 50, 12, 12)
    assert _figures(orgs["Z2"]) == (5, 1, 0, 0, 4, 200, 196, 4, 58, 60)
    network = reader.summaries(Scope.NETWORK, [], D1, D2)[""]
    assert _figures(network) == whole
    assert network.loss_rate == 0.054
    assert network.qualified_rate == 3 / 9


def test_transformer_roll_up_is_its_own_balance(reader: LossReader) -> None:
    tn = reader.summaries(Scope.TRANSFORMER, ["TN", "TS"], D1, D2)
    assert _figures(tn["TN"]) == (1, 1, 0, 0, 0, 200, 192, 8, 6, 6)
    assert _figures(tn["TS"]) == (1, 0, 0, 0, 1, 0, 0, 0, 2, 2)
    assert tn["TS"].loss_rate is None
    assert tn["TS"].qualified_rate == 0.0


def test_daily_series_judges_each_day(reader: LossReader) -> None:
    f2 = reader.series(Scope.FEEDER, ["F2"], D1, D2)["F2"]
    assert [(s.start, s.end) for s in f2] == [(D1, D1), (D2, D2)]
    # Day 1: TM has its gate reading (NORMAL, rate 0.10), TC is read in full (HIGH, 0.2),
    # TB is read in full (NORMAL); T0 and TS stay uncomputable.
    assert _figures(f2[0]) == (5, 2, 1, 0, 2, 300, 270, 30, 30, 30)
    # Day 2: nothing is computable.
    assert _figures(f2[1]) == (5, 0, 0, 0, 5, 0, 0, 0, 28, 30)
    assert f2[1].loss_rate is None
    assert f2[1].qualified_rate == 0.0
    f1 = reader.series(Scope.FEEDER, ["F1"], D1, D2)["F1"]
    assert [_figures(s) for s in f1] == [(4, 2, 1, 1, 0, 400, 375, 25, 6, 6)] * 2


def test_days_without_readings_are_uncomputable(reader: LossReader) -> None:
    summary = reader.summaries(Scope.FEEDER, ["F1"], D1, dt.date(2026, 10, 3))["F1"]
    assert summary.uncomputable_count == 4  # every gate lacks day 3
    assert (summary.meter_read, summary.meter_expected) == (12, 18)
    before = reader.summaries(Scope.NETWORK, [], dt.date(2026, 9, 1), dt.date(2026, 9, 30))[""]
    assert (before.transformer_count, before.uncomputable_count, before.supply_kwh) == (9, 9, 0)


def test_ranking_orders_filters_and_pages(reader: LossReader) -> None:
    def codes(order: LossOrder, statuses: list[LossStatus] | None = None) -> list[str]:
        page = reader.ranking(Scope.SUBSTATION, "S1", D1, D2, order, statuses, 100, 0)
        return [a.area for a in page.items]

    assert codes(LossOrder.LOSS_RATE_DESC) == [
        "TC", "TH", "TX", "TN", "TB", "TG", "TM", "T0", "TS"
    ]  # fmt: skip
    assert codes(LossOrder.LOSS_RATE_ASC) == [
        "TM", "TG", "TB", "TN", "TX", "TH", "TC", "T0", "TS"
    ]  # fmt: skip
    assert codes(LossOrder.LOSS_KWH_DESC) == [
        "TC", "TH", "TX", "TN", "TB", "TG", "TS", "T0", "TM"
    ]  # fmt: skip
    assert codes(LossOrder.LOSS_RATE_DESC, [LossStatus.HIGH, LossStatus.NEGATIVE]) == ["TH", "TG"]
    first = reader.ranking(Scope.NETWORK, "", D1, D2, LossOrder.LOSS_RATE_DESC, None, 4, 0)
    assert [a.area for a in first.items] == ["TC", "TH", "TX", "TN"]
    assert (first.total_count, first.has_next) == (9, True)
    last = reader.ranking(Scope.NETWORK, "", D1, D2, LossOrder.LOSS_RATE_DESC, None, 4, 8)
    assert [a.area for a in last.items] == ["TS"]
    assert (last.total_count, last.has_next) == (9, False)
    past = reader.ranking(Scope.NETWORK, "", D1, D2, LossOrder.LOSS_RATE_DESC, None, 4, 20)
    assert (past.items, past.total_count, past.has_next) == ([], 9, False)


def test_unknown_roots_get_empty_roll_ups(reader: LossReader) -> None:
    found = reader.summaries(Scope.FEEDER, ["NOPE"], D1, D2)["NOPE"]
    assert _figures(found) == (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert found.loss_rate is None and found.qualified_rate is None
    assert found.reading_coverage == 1.0


def test_period_limits(reader: LossReader) -> None:
    with pytest.raises(InputError, match="before it starts"):
        reader.summaries(Scope.NETWORK, [], D2, D1)
    with pytest.raises(InputError, match="longer than the maximum of 400 days"):
        reader.summaries(Scope.NETWORK, [], D1, D1 + dt.timedelta(days=400))
    assert reader.summaries(Scope.NETWORK, [], D1, D1 + dt.timedelta(days=399))[
        ""
    ].transformer_count


def test_meter_readings_as_registered(reader: LossReader) -> None:
    found = reader.readings(["GN", "MB25", "NOPE"], D1, D2)
    assert [(r.day, r.import_kwh, r.export_kwh, r.multiplier) for r in found["GN"]] == [
        (D1, Decimal("1.6"), Decimal("0.1"), 60),
        (D2, Decimal("1.6"), Decimal("0.1"), 60),
    ]
    assert [r.day for r in found["MB25"]] == [D1]
    assert found["NOPE"] == []


@pytest.mark.parametrize("readings_first", [True, False])
def test_moved_meter_counts_where_it_belonged_each_day(
    store: Store, series: SeriesFolder, tmp_path: Path, readings_first: bool
) -> None:
    """MV moves from TA to TB on day 2: day 1 counts in TA, day 2 in TB, whichever of the
    readings and the move arrives first."""
    before = moved_network("TA")
    if readings_first:
        moved_readings(before)
    load_folder(store, before.write(tmp_path / "a"), today=TODAY, series=series)
    after = moved_network("TB")
    if not readings_first:
        moved_readings(after)
    load_folder(store, after.write(tmp_path / "b"), effective=D2, today=TODAY, series=series)
    reader = LossReader(series, LossRules())
    days = reader.series(Scope.TRANSFORMER, ["TA", "TB"], D1, D2)
    assert [(s.sales_kwh, s.meter_expected) for s in days["TA"]] == [(90, 2), (70, 1)]
    assert [(s.sales_kwh, s.meter_expected) for s in days["TB"]] == [(60, 1), (90, 2)]
    period = reader.areas(["TA", "TB"], D1, D2)
    assert (period["TA"].sales_kwh, period["TA"].meter_read, period["TA"].meter_expected) == (
        160, 3, 3
    )  # fmt: skip
    assert (period["TB"].sales_kwh, period["TB"].meter_read, period["TB"].meter_expected) == (
        150, 3, 3
    )  # fmt: skip
    reader.close()


def test_area_moved_to_another_feeder_rolls_up_by_the_period_end(
    store: Store, series: SeriesFolder, tmp_path: Path, reader: LossReader
) -> None:
    net = status_network()
    net.rows["transformers.csv"] = [
        (r[0], r[1], "F2", *r[3:]) if r[0] == "TH" else r for r in net.rows["transformers.csv"]
    ]
    net.readings = []
    load_folder(store, net.write(tmp_path / "moved"), effective=D2, today=TODAY, series=series)
    days = reader.series(Scope.FEEDER, ["F1", "F2"], D1, D2)
    assert [s.transformer_count for s in days["F1"]] == [4, 3]
    assert [s.transformer_count for s in days["F2"]] == [5, 6]
    period = reader.summaries(Scope.FEEDER, ["F1", "F2"], D1, D2)
    assert (period["F1"].transformer_count, period["F2"].transformer_count) == (3, 6)
    assert period["F2"].high_count == 1  # TH's whole period, under the feeder it ended in
