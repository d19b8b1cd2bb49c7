"""Query.mismatches on both stores: exactly the disagreeing meters, each source's area, the
areas' loss status, `under` any node, paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.stores.contract import Store
from loaders.apply import apply_plan
from loaders.load import load_folder
from loaders.plans import PlanStore
from loaders.reconcile import make_plan
from taiqu.settings import Settings
from tests.api.conftest import Api, make_api
from tests.builder import evidence_only, small_network_with_a_week

TODAY = dt.date(2026, 11, 28)
EFFECTIVE = dt.date(2026, 11, 10)

MISMATCHES = """query($under: ID, $first: Int, $after: String, $asOf: Date) {
  mismatches(under: $under, first: $first, after: $after, asOf: $asOf) {
    totalCount statusFrom statusTo pageInfo { hasNextPage endCursor }
    edges { node {
      meter { code role } customer { code }
      marketingArea { code } equipmentArea { code } collectionArea { code }
      terminalCode since
      areas { code source loss { status lossKwh } }
    } } } }"""


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    """The archive keeps M3 in T2 and G3 in T3; the collection system reads M3 and G3 in T1
    from 2026-11-10."""
    settings = Settings(home=tmp_path / "home")
    net = small_network_with_a_week()
    load_folder(store, net.write(tmp_path / "net"), today=TODAY, series=settings.series_folder())
    evidence = evidence_only(net, {"M3": "T1", "G3": "T1"}).write(tmp_path / "c")
    plan, _ = make_plan(store, "collection", evidence, "20261128T120000-abcdef", "tester")
    plans = PlanStore(settings.plans_folder())
    plans.save(plan)
    apply_plan(store, plans, plan.plan_id, EFFECTIVE, "tester")
    yield from make_api(store, tmp_path, home="home")


def _codes(found: dict) -> list[str]:
    return [e["node"]["meter"]["code"] for e in found["edges"]]


def test_mismatches_name_each_source_and_the_area_status(api: Api) -> None:
    found = api.data(MISMATCHES)["mismatches"]
    assert found["totalCount"] == 2
    assert (found["statusFrom"], found["statusTo"]) == ("2026-11-01", "2026-11-07")
    gate, customer = (e["node"] for e in found["edges"])
    assert customer == {
        "meter": {"code": "M3", "role": "CUSTOMER"},
        "customer": {"code": "U3"},
        "marketingArea": {"code": "T2"},
        "equipmentArea": None,
        "collectionArea": {"code": "T1"},
        "terminalCode": "JT1",
        "since": "2026-11-10",
        "areas": [
            {"code": "T1", "source": "collection", "loss": {"status": "NORMAL", "lossKwh": 350}},
            {"code": "T2", "source": "marketing", "loss": {"status": "NEGATIVE", "lossKwh": -350}},
        ],
    }
    assert (gate["meter"]["code"], gate["customer"], gate["equipmentArea"]) == (
        "G3",
        None,
        {"code": "T3"},
    )
    assert [a["source"] for a in gate["areas"]] == ["collection", "equipment"]
    history = api.data('{ meter(code: "M3") { history { relationship terminalCode from } } }')
    assert {"relationship": "READS", "terminalCode": "JT1", "from": "2026-11-10"} in history[
        "meter"
    ]["history"]
    # Before the evidence took effect the sources agreed.
    assert api.data(MISMATCHES, {"asOf": "2026-11-09"})["mismatches"]["totalCount"] == 0


def test_mismatches_under_a_node_and_paged(api: Api) -> None:
    def under(node_id: str) -> list[str]:
        return _codes(api.data(MISMATCHES, {"under": node_id})["mismatches"])

    assert under("Transformer:T1") == ["G3", "M3"]  # read there
    assert under("Transformer:T2") == ["M3"]  # archived there
    assert under("Feeder:F2") == ["G3"]  # T3's feeder
    assert under("OrgUnit:Z2") == ["G3"]  # T3's supply station
    assert under("OrgUnit:P") == ["G3", "M3"]
    assert under("Substation:S1") == ["G3", "M3"]
    assert under("Meter:M3") == ["M3"]
    assert under("Customer:U3") == ["M3"]
    assert under("Customer:U1") == []
    first = api.data(MISMATCHES, {"first": 1})["mismatches"]
    assert _codes(first) == ["G3"] and first["pageInfo"]["hasNextPage"] is True
    rest = api.data(MISMATCHES, {"first": 1, "after": first["pageInfo"]["endCursor"]})
    assert _codes(rest["mismatches"]) == ["M3"]
    assert rest["mismatches"]["pageInfo"]["hasNextPage"] is False
    bad = api.query(MISMATCHES, {"under": "Nothing:1"})
    assert bad["errors"][0]["message"].startswith("id: not a node id")
    assert bad["errors"][0]["path"] == ["mismatches"]
