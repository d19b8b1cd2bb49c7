"""Loss by the values of each day, on both stores: a multiplier or role changed on D changes no
answer about a day before D, and recomputes the balances of the days from D only.

Area TA, June 1st..8th: gate GA x60 reads 2 kWh a day (120 kWh), customer MA1 100 a day.
  supply 120, sales 100, loss 20 a day (rate 1/6: HIGH).
GA's multiplier becomes 55 on June 5th (the CT was changed): from then supply 110, loss 10.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from graph.domain.scope import Scope
from graph.series.files import SeriesFolder
from graph.series.loss import LossRules
from graph.series.reader import LossReader
from graph.series.writer import sync_topology
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.networks import LossNetwork

TODAY = dt.date(2026, 11, 28)
DAYS = [dt.date(2026, 6, d) for d in range(1, 9)]
JUNE_5 = dt.date(2026, 6, 5)


def _network(gate_multiplier: int) -> LossNetwork:
    net = LossNetwork().org("P", "省公司").substation("S1", "P").feeder("F1", "S1", "P")
    net.transformer("TA", "F1", "P")
    net.meter("GA", "TA", "gate", multiplier=gate_multiplier)
    net.user_meter("MA1", "TA")
    return net


def _with_readings(net: LossNetwork) -> LossNetwork:
    for day in DAYS:
        net.reading("GA", day.isoformat(), 2).reading("MA1", day.isoformat(), 100)
    return net


def _answers(series: SeriesFolder) -> dict[str, object]:
    """Every loss answer about the days before June 5th, and about June."""
    reader = LossReader(series, LossRules())
    try:
        before = (DAYS[0], DAYS[3])
        return {
            "series": reader.series(Scope.TRANSFORMER, ["TA"], *before)["TA"],
            "summary": reader.summaries(Scope.TRANSFORMER, ["TA"], *before)["TA"],
            "readings": reader.readings(["GA", "MA1"], *before),
            "month": reader.summaries(Scope.TRANSFORMER, ["TA"], DAYS[0], DAYS[-1])["TA"],
        }
    finally:
        reader.close()


@pytest.fixture
def series(store: Store, tmp_path: Path) -> SeriesFolder:
    folder = SeriesFolder(tmp_path / "home" / "series")
    net = _with_readings(_network(60))
    load_folder(store, net.write(tmp_path / "base"), today=TODAY, series=folder)
    return folder


def test_a_multiplier_changed_on_a_day_changes_nothing_before_it(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    before = _answers(series)
    assert [s.loss_kwh for s in before["series"]] == [20, 20, 20, 20]  # type: ignore[attr-defined]
    load_folder(store, _network(55).write(tmp_path / "ct"), effective=JUNE_5, today=TODAY)
    report = sync_topology(series, store)
    assert (report.changed_areas, report.recomputed_days) == (1, 4)  # June 5th..8th only
    after = _answers(series)
    for answer in ("series", "summary", "readings"):
        assert after[answer] == before[answer], answer
    month = after["month"]
    assert (month.supply_kwh, month.sales_kwh, month.loss_kwh) == (  # type: ignore[attr-defined]
        4 * 120 + 4 * 110,
        800,
        4 * 20 + 4 * 10,
    )
    reader = LossReader(series, LossRules())
    try:
        june = reader.readings(["GA"], DAYS[3], DAYS[4])["GA"]
        assert [r.multiplier for r in june] == [Decimal(60), Decimal(55)]
    finally:
        reader.close()


def test_a_role_changed_on_a_day_counts_from_that_day(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    """GA is found to be a customer meter from June 5th (the area's gate was elsewhere):
    from then the area has no gate."""
    before = _answers(series)
    net = _network(60).customer("UGA")
    net.rows["meters.csv"] = [
        (r[0], r[1], "customer", "UGA", *r[4:]) if r[0] == "GA" else r
        for r in net.rows["meters.csv"]
    ]
    load_folder(store, net.write(tmp_path / "role"), effective=JUNE_5, today=TODAY)
    report = sync_topology(series, store)
    assert report.recomputed_days == 4
    after = _answers(series)
    for answer in ("series", "summary", "readings"):
        assert after[answer] == before[answer], answer
    reader = LossReader(series, LossRules())
    try:
        later = reader.series(Scope.TRANSFORMER, ["TA"], DAYS[4], DAYS[-1])["TA"]
    finally:
        reader.close()
    # No gate from June 5th: uncomputable (a summary sums computable areas only).
    assert [(s.uncomputable_count, s.meter_read) for s in later] == [(1, 2)] * 4


def test_a_change_of_another_attribute_recomputes_nothing(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    net = _network(60)
    net.rows["meters.csv"] = [(*r[:5], "B") if r[0] == "MA1" else r for r in net.rows["meters.csv"]]
    load_folder(store, net.write(tmp_path / "phase"), effective=JUNE_5, today=TODAY)
    report = sync_topology(series, store)
    assert report.recomputed_days == 0


def test_a_backdated_change_is_recorded_as_a_correction_of_the_days_it_covers(
    store: Store, series: SeriesFolder, tmp_path: Path
) -> None:
    """The archive was wrong since June 5th: the change recomputes June 5th..8th and says so
    in its changeset; one dated after the last day read corrects nothing."""
    load_folder(store, _network(55).write(tmp_path / "a"), effective=JUNE_5, today=TODAY,
                series=series)  # fmt: skip
    (record,) = store.changesets(1, None)
    assert record.counts["corrected_days"] == 4
    assert (record.details["corrects_from"], record.details["corrects_to"]) == (
        "2026-06-05",
        "2026-06-08",
    )
    later = dt.date(2026, 7, 1)
    load_folder(store, _network(50).write(tmp_path / "b"), effective=later, today=TODAY,
                series=series)  # fmt: skip
    (record,) = store.changesets(1, None)
    assert "corrected_days" not in record.counts and "corrects_from" not in record.details
