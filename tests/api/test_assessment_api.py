"""Targets, setTargets and the monthly assessment over GraphQL, on a network worked out by hand
(three counties, two areas each, September and October 2026 read every day); the report
command's CSV and xlsx read back. Both stores.

Daily energy (gate / customer, kWh), the same every day of a month:
  X1: A1 100/90 in September, 100/95 in October; A2 100/97     Sept 13/200, Oct 8/200 = 0.04
  X2: B1 100/88 (HIGH); B2 100/96                              16/200 = 0.08, qualified 1/2
  X3: C1 100/94; C2 100/90 (0.10 exactly: NORMAL)              16/200 = 0.08, qualified 1
Targets (2026): lossRate 0.06 and qualifiedRate 0.9 for each county; X3's October lossRate 0.07.
Weights: the defaults; only lossRate (40) and qualifiedRate (20) have targets, so they score.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph.domain.access import Role
from graph.indicators.scoring import DEFAULT_WEIGHTS
from graph.series.reader import LossReader
from graph.services.assessment import assess, assessed_units
from graph.services.mismatches import MismatchCache
from graph.services.targets import TargetRow, record_targets
from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.report_cli import header, write_csv, write_xlsx
from taiqu.settings import Settings
from tests.api.conftest import Api, add_principal, make_api
from tests.networks import LossNetwork

TODAY = dt.date(2026, 11, 28)
P_KEY = "tq_test-province-marketing-key-for-targets-0"
X1_KEY = "tq_test-county-x1-marketing-key-for-targets0"
VIEW_KEY = "tq_test-province-viewer-key-for-targets-000"
AREAS = {  # area: (county, September customer kWh, October customer kWh)
    "A1": ("X1", 90, 95),
    "A2": ("X1", 97, 97),
    "B1": ("X2", 88, 88),
    "B2": ("X2", 96, 96),
    "C1": ("X3", 94, 94),
    "C2": ("X3", 90, 90),
}
ASSESS = """query($under: String, $level: String, $asOf: DateTime) {
    assessment(period: "2026-10", level: $level, under: $under, targetsAsOf: $asOf) {
        orgUnit { code name } score previousScore scoreChange rank rankedAmong
        indicators { name value target met gap previous change } } }"""
SET = """mutation($input: SetTargetsInput!) { setTargets(input: $input) {
    __typename ... on TargetsSet { written unchanged warnings }
    ... on ChangeRejected { errors { field message } } } }"""
TARGETS = [
    {"orgCode": x, "indicator": name, "target": value}
    for x in ("X1", "X2", "X3")
    for name, value in (("lossRate", 0.06), ("qualifiedRate", 0.9))
]


def network() -> LossNetwork:
    net = LossNetwork().org("P", "省公司", level="province").substation("S1", "P")
    for county in ("X1", "X2", "X3"):
        net.org(county, county + "县", "P", "county").feeder("F" + county, "S1", county)
    day = dt.date(2026, 9, 1)
    for area, (county, _, _) in AREAS.items():
        net.transformer(area, "F" + county, county)
        net.meter("G" + area, area, "gate").user_meter("M" + area, area)
    while day <= dt.date(2026, 10, 31):
        for area, (_, september, october) in AREAS.items():
            net.reading("G" + area, day.isoformat(), 100)
            net.reading("M" + area, day.isoformat(), september if day.month == 9 else october)
        day += dt.timedelta(days=1)
    return net


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    series = Settings(home=tmp_path / "home").series_folder()
    load_folder(store, network().write(tmp_path / "net"), today=TODAY, series=series)
    add_principal(store, "p", P_KEY, Role.MARKETING, org="P")
    add_principal(store, "x1", X1_KEY, Role.MARKETING, org="X1")
    add_principal(store, "v", VIEW_KEY, Role.VIEWER, org="P")
    yield from make_api(store, tmp_path, home="home")


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _set(api: Api, targets: list[dict[str, object]], period: str = "2026", key: str = P_KEY):
    return api.query(SET, {"input": {"period": period, "targets": targets}}, _auth(key))


def _with_targets(api: Api) -> None:
    assert _set(api, TARGETS)["data"]["setTargets"]["written"] == 6
    x3 = [{"orgCode": "X3", "indicator": "lossRate", "target": 0.07}]
    assert _set(api, x3, "2026-10")["data"]["setTargets"]["written"] == 1


def _rows(api: Api, key: str = P_KEY, **variables: object) -> dict[str, dict]:
    found = api.data(ASSESS, {"level": "county", **variables}, _auth(key))["assessment"]
    return {r["orgUnit"]["code"]: r for r in found}


def test_assessment_by_hand(api: Api) -> None:
    _with_targets(api)
    rows = _rows(api)
    x1, x2, x3 = rows["X1"], rows["X2"], rows["X3"]
    loss = {r["name"]: r for r in x2["indicators"]}["lossRate"]
    assert loss["value"] == pytest.approx(0.08) and loss["target"] == 0.06
    assert loss["met"] is False and loss["gap"] == pytest.approx(0.02)
    qualified = {r["name"]: r for r in x2["indicators"]}["qualifiedRate"]
    assert (qualified["value"], qualified["met"]) == (0.5, False)
    # X1 meets both: 100. X2: 40 × (1 − 0.02/0.06) + 20 × (1 − 0.4/0.9), over 60.
    assert x1["score"] == pytest.approx(100.0)
    assert x2["score"] == pytest.approx(100 * (40 * 2 / 3 + 20 * 5 / 9) / 60)
    # X3 by its October target 0.07: 40 × (1 − 0.01/0.07) + 20.
    assert {r["name"]: r for r in x3["indicators"]}["lossRate"]["target"] == 0.07
    assert x3["score"] == pytest.approx(100 * (40 * 6 / 7 + 20) / 60)
    assert [(rows[x]["rank"], rows[x]["rankedAmong"]) for x in ("X1", "X3", "X2")] == [
        (1, 3),
        (2, 3),
        (3, 3),
    ]
    # September: X1 at 13/200 = 0.065 against 0.06 (the year's: X3's 0.07 is October's only).
    x1_loss = {r["name"]: r for r in x1["indicators"]}["lossRate"]
    assert x1_loss["previous"] == pytest.approx(0.065)
    assert x1_loss["change"] == pytest.approx(0.04 - 0.065)
    assert x1["previousScore"] == pytest.approx(100 * (40 * 11 / 12 + 20) / 60)
    assert x1["scoreChange"] == pytest.approx(100 - 100 * (40 * 11 / 12 + 20) / 60)
    # Without collection evidence every customer meter is consistent; every reading is there.
    values = {r["name"]: r["value"] for r in x1["indicators"]}
    assert (values["consistencyRate"], values["collectionRate"]) == (1.0, 1.0)


def test_children_of_a_unit_and_no_targets(api: Api) -> None:
    found = api.data(ASSESS, {"under": "P"}, _auth(P_KEY))["assessment"]
    assert [r["orgUnit"]["code"] for r in found] == ["X1", "X2", "X3"]
    assert all(r["score"] is None and r["rank"] is None for r in found)  # no targets yet


def test_a_county_sees_its_rank_never_a_siblings_values(api: Api) -> None:
    _with_targets(api)
    rows = _rows(api, X1_KEY)
    assert list(rows) == ["X1"]
    assert (rows["X1"]["rank"], rows["X1"]["rankedAmong"]) == (1, 3)


def test_set_targets_is_handed_down_once_and_versioned(api: Api) -> None:
    _with_targets(api)
    again = _set(api, TARGETS)["data"]["setTargets"]
    assert (again["written"], again["unchanged"]) == (0, 6)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    time.sleep(1.1)  # versions are kept to the second
    changed = [{"orgCode": "X2", "indicator": "lossRate", "target": 0.08}]
    assert _set(api, changed)["data"]["setTargets"]["written"] == 1
    now = {r["name"]: r for r in _rows(api)["X2"]["indicators"]}["lossRate"]
    assert (now["target"], now["met"]) == (0.08, True)
    then = _rows(api, asOf=before.isoformat())["X2"]["indicators"]
    assert {r["name"]: r for r in then}["lossRate"]["target"] == 0.06


def test_set_targets_refusals(api: Api) -> None:
    sibling = [{"orgCode": "X2", "indicator": "lossRate", "target": 0.05}]
    body = _set(api, sibling, key=X1_KEY)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # X2 is not below X1
    body = _set(api, TARGETS, key=VIEW_KEY)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # not marketing
    bad = [
        {"orgCode": "X1", "indicator": "lossRate", "target": 5},
        {"orgCode": "X1", "indicator": "nope", "target": 0.1},
        {"orgCode": "X2", "indicator": "highCount", "target": 0.5},
    ]
    errors = _set(api, bad, "2026-13")["data"]["setTargets"]["errors"]
    assert [e["field"] for e in errors] == [
        "period",
        "targets[0].target",
        "targets[1].indicator",
        "targets[2].target",
    ]
    assert _rows(api)["X1"]["score"] is None  # nothing was written


def test_a_parent_target_the_children_cannot_add_up_to(api: Api, store: Store) -> None:
    _with_targets(api)
    done = record_targets(store, [TargetRow("P", "2026", "lossRate", 0.05)], "test")
    assert done.warnings == [
        "P 2026: lossRate: the targets below average (equal weights: no supply recorded last "
        "year) 0.06, above the parent's 0.05: every unit below can meet its target while the "
        "parent misses"
    ]


def test_report_csv_and_xlsx(api: Api, store: Store, tmp_path: Path) -> None:
    _with_targets(api)
    settings = Settings(home=tmp_path / "home")
    loss = LossReader(settings.series_folder(), settings.loss_rules())
    try:
        units, parents = assessed_units(store, dt.date(2026, 10, 31), "county", None)
        report = MismatchCache()
        rows = assess(
            store, loss, lambda d: report.get(store, d), "2026-10", units, parents, DEFAULT_WEIGHTS
        )
    finally:
        loss.close()
    write_xlsx(rows, tmp_path / "a.xlsx", "2026-10")
    sheet = load_workbook(tmp_path / "a.xlsx")["2026-10 county"]
    found = list(sheet.values)
    assert list(found[0]) == header() and found[0][8] == "台区线损率值"
    assert [r[0] for r in found[1:]] == ["X1", "X2", "X3"]
    assert found[2][4] == pytest.approx(100 * (40 * 2 / 3 + 20 * 5 / 9) / 60)
    assert (found[2][6], found[2][7]) == (3, 3)  # X2: rank 3 of 3
    assert str(sheet.cell(row=3, column=9).fill.start_color.rgb).endswith("FFC7CE")  # X2 missed
    assert sheet.cell(row=2, column=9).fill.fill_type is None  # X1 met
    write_csv(rows, tmp_path / "a.csv")
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == header() and [r[0] for r in table[1:]] == ["X1", "X2", "X3"]
    assert table[2][10] == "否"  # X2's lossRate missed
