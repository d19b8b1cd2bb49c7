"""Over GraphQL, on both stores: a change of attributes effective D (a name, capacity,
multiplier, phase, ownership, voltage and category on one load) leaves every answer about
days before D identical (as-of reads, loss, series, rankings, mismatches), and answers from D
with the new values; history lists the intervals of the values.

small_network_with_a_week: G1 (T1's gate, x60) reads 10 a day: supply 600; T1 sells 550.
On 2026-11-04 G1's CT becomes x50 (supply 500, T1 loss -50 a day from then), T2's
transformer 630 kVA, customer U1 is renamed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import TODAY, Api, week_api
from tests.builder import NetworkBuilder, small_network

D = dt.date(2026, 11, 4)
BEFORE = """{
  g1: meter(code: "G1", asOf: "2026-11-03") { role multiplier
      readings(from: "2026-11-01", to: "2026-11-03") { date importKwh multiplier } }
  t2: transformer(code: "T2", asOf: "2026-11-03") { name capacityKva ownership }
  u1: customer(code: "U1", asOf: "2026-11-03") { name category }
  s1: substation(code: "S1", asOf: "2026-11-03") { name voltageKv }
  f1: feeder(code: "F1", asOf: "2026-11-03") { name voltageKv }
  m1: meter(code: "M1", asOf: "2026-11-03") { phase }
  z1: orgUnit(code: "Z1", asOf: "2026-11-03") { name level }
  t1: transformer(code: "T1", asOf: "2026-11-03") {
    meters(first: 10) { edges { node { code multiplier role } } }
    loss(from: "2026-11-01", to: "2026-11-03") { supplyKwh salesKwh lossKwh status }
    lossSeries(from: "2026-11-01", to: "2026-11-03") { supplyKwh lossKwh }
  }
  network { lossRanking(from: "2026-11-01", to: "2026-11-03", first: 5) {
    edges { node { transformer { code } lossKwh } } } }
  mismatches(asOf: "2026-11-03", first: 5) { edges { node { meter { code } } } }
}"""
FROM_D = """{
  g1: meter(code: "G1", asOf: "2026-11-05") { multiplier }
  t2: transformer(code: "T2", asOf: "2026-11-05") { capacityKva ownership }
  u1: customer(code: "U1", asOf: "2026-11-05") { name category }
  s1: substation(code: "S1", asOf: "2026-11-05") { voltageKv }
  f1: feeder(code: "F1", asOf: "2026-11-05") { voltageKv }
  m1: meter(code: "M1", asOf: "2026-11-05") { phase }
  z1: orgUnit(code: "Z1", asOf: "2026-11-05") { name }
  t1: transformer(code: "T1") { loss(from: "2026-11-04", to: "2026-11-07") { supplyKwh lossKwh } }
}"""


def _changed() -> NetworkBuilder:
    net = small_network()
    net.rows["meters.csv"] = [
        (*r[:4], 50, *r[5:]) if r[0] == "G1" else r for r in net.rows["meters.csv"]
    ]
    net.rows["transformers.csv"] = [
        (*r[:3], 630, "private", r[5]) if r[0] == "T2" else r for r in net.rows["transformers.csv"]
    ]
    net.rows["customers.csv"] = [
        (r[0], "张伟强", "business") if r[0] == "U1" else r for r in net.rows["customers.csv"]
    ]
    net.rows["substations.csv"] = [(r[0], r[1], 220, r[3]) for r in net.rows["substations.csv"]]
    net.rows["feeders.csv"] = [
        (*r[:3], 20, r[4]) if r[0] == "F1" else r for r in net.rows["feeders.csv"]
    ]
    net.rows["meters.csv"] = [(*r[:5], "B") if r[0] == "M1" else r for r in net.rows["meters.csv"]]
    net.rows["orgs.csv"] = [
        (r[0], "幸福中心供电所", *r[2:]) if r[0] == "Z1" else r for r in net.rows["orgs.csv"]
    ]
    return net


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    yield from week_api(store, tmp_path)


def _load_change(api: Api, tmp_path: Path) -> None:
    series = Settings(home=tmp_path / "home").series_folder()
    folder = _changed().write(tmp_path / "changed")
    load_folder(api.store.inner, folder, effective=D, today=TODAY, series=series)


def test_a_change_on_d_changes_no_answer_about_the_days_before(api: Api, tmp_path: Path) -> None:
    before: dict[str, Any] = api.data(BEFORE)
    assert before["g1"]["multiplier"] == 60 and before["t2"]["capacityKva"] == 315
    _load_change(api, tmp_path)
    assert api.data(BEFORE) == before
    after = api.data(FROM_D)
    assert after["g1"]["multiplier"] == 50
    assert after["t2"] == {"capacityKva": 630, "ownership": "PRIVATE"}
    assert after["u1"] == {"name": "张伟强", "category": "business"}
    assert (after["s1"], after["f1"]) == ({"voltageKv": 220}, {"voltageKv": 20})
    assert (after["m1"], after["z1"]) == ({"phase": "B"}, {"name": "幸福中心供电所"})
    # From the 4th T1's gate counts x50: supply 500 a day against sales of 550.
    assert after["t1"]["loss"] == {"supplyKwh": 4 * 500, "lossKwh": 4 * -50}


def test_history_lists_the_values_intervals(api: Api, tmp_path: Path) -> None:
    _load_change(api, tmp_path)
    query = """{ meter(code: "G1") { valueHistory { from to openedBy { source effective }
        closedBy { source effective } values { name value } changed } } }"""
    history = api.data(query)["meter"]["valueHistory"]
    load = {"source": "load", "effective": None}
    changing = {"source": "load", "effective": "2026-11-04"}
    values = [{"name": "role", "value": "gate"}, {"name": "phase", "value": "ABC"}]
    assert history == [
        {
            "from": None,
            "to": "2026-11-04",
            "openedBy": load,
            "closedBy": changing,
            "values": [values[0], {"name": "multiplier", "value": "60"}, values[1]],
            "changed": [],
        },
        {
            "from": "2026-11-04",
            "to": None,
            "openedBy": changing,
            "closedBy": None,
            "values": [values[0], {"name": "multiplier", "value": "50"}, values[1]],
            "changed": ["multiplier"],
        },
    ]
    # Relationships keep their own history field, unchanged.
    assert api.data('{ meter(code: "G1") { history { relationship } } }')["meter"]["history"]


def test_an_entity_added_on_d_does_not_exist_before(api: Api, tmp_path: Path) -> None:
    net = small_network().customer("U9", "新户")
    net.meter("M9", "T2", "customer", "U9")
    series = Settings(home=tmp_path / "home").series_folder()
    load_folder(api.store.inner, net.write(tmp_path / "new"), effective=D, today=TODAY,
                series=series)  # fmt: skip
    query = 'query($d: Date) { meter(code: "M9", asOf: $d) { code transformer { code } } }'
    assert api.data(query, {"d": "2026-11-03"}) == {"meter": None}
    assert api.data(query, {"d": "2026-11-04"}) == {
        "meter": {"code": "M9", "transformer": {"code": "T2"}}
    }
    assert api.data('{ customer(code: "U9", asOf: "2026-11-01") { name } }') == {"customer": None}


def test_search_leaves_out_what_did_not_exist_and_names_as_of_the_day(
    api: Api, tmp_path: Path
) -> None:
    _load_change(api, tmp_path)  # U1 is 张伟强 from the 4th
    net = _changed().customer("U9", "张伟新户")
    net.meter("M9", "T2", "customer", "U9")
    series = Settings(home=tmp_path / "home").series_folder()
    load_folder(api.store.inner, net.write(tmp_path / "new"), effective=dt.date(2026, 11, 6),
                today=TODAY, series=series)  # fmt: skip
    query = 'query($d: Date) { search(text: "张伟", kinds: [CUSTOMER], asOf: $d) { code name } }'
    on_the_3rd = api.data(query, {"d": "2026-11-03"})["search"]
    assert on_the_3rd == [{"code": "U1", "name": "张伟"}]
    on_the_6th = api.data(query, {"d": "2026-11-06"})["search"]
    assert sorted(h["code"] for h in on_the_6th) == ["U1", "U9"]
    assert {h["code"]: h["name"] for h in on_the_6th}["U1"] == "张伟强"
