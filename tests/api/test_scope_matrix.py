"""What each principal may read and write, on both stores: a matrix of principals at every
level against every root field, connection, loss query, search, node, mismatches, changesets,
history and mutation, counting leaks (docs/access.md shows the table).

The network: small_network_with_a_week (P -> C1 -> X1 -> Z1 (T1, T2), Z2 (T3); S1, F1, F2
owned by X1), and
- F3 out of S1, owned by the station Z1, supplying T4 of the station Z2 (gate G4): a feeder
  in Z1's scope with an area outside it;
- U4 赵敏 using M4 in T1 (Z1) and M5 in T3 (Z2): a customer with meters in two stations;
- collection evidence: every meter read in its own area but M2 (archived in T1), read by T3's
  concentrator, and M3, still read by T2's after it moved;
- M3 moved from T2 (Z1) to T3 (Z2) on 2026-11-05 by a meterMove.

A leak: an entity outside the principal's scope that appears in an answer as more than code
and name (or in a list, a count, a search hit, a change detail, a roll-up), or a root answer
that differs between a code outside the scope and a code that exists nowhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.scope_guard import SHOWN_OUTSIDE
from graph.domain.access import Role
from graph.domain.model import Kind
from graph.stores.contract import Store
from loaders.apply import apply_plan
from loaders.load import load_folder
from loaders.plans import PlanStore
from loaders.reconcile import make_plan
from taiqu.settings import Settings
from tests.api.conftest import TODAY, Api, add_principal, make_api
from tests.builder import NetworkBuilder, evidence_only, small_network_with_a_week

ALL: dict[Kind, list[str]] = {
    Kind.ORG_UNIT: ["P", "C1", "X1", "Z1", "Z2"],
    Kind.SUBSTATION: ["S1"],
    Kind.FEEDER: ["F1", "F2", "F3"],
    Kind.TRANSFORMER: ["T1", "T2", "T3", "T4"],
    Kind.METER: ["G1", "M1", "V1", "M2", "G2", "M3", "G3", "M4", "M5", "G4"],
    Kind.CUSTOMER: ["U1", "U2", "U3", "U4"],
}
CODES = {code: kind for kind, codes in ALL.items() for code in codes}
EVERYTHING = set(CODES)
#: Per principal: what it sees (today), and what it may meet as code and name only.
SEES = {
    "top": EVERYTHING,
    "county": EVERYTHING - {"P", "C1"},
    "z1": {"Z1", "F3", "T1", "T2", "G1", "M1", "V1", "M2", "G2", "M4", "U1", "U2", "U4"},
    "z2": {"Z2", "T3", "T4", "G3", "G4", "M3", "M5", "U3", "U4"},
    "z1-integration": set(),  # as z1 (filled below)
}
SEES["z1-integration"] = SEES["z1"]
MEETS = {
    "top": set(),
    "county": {"P", "C1"},
    # Above it; T3, M3 and U3 through the mismatches and M3's move out of T2.
    "z1": {"P", "C1", "X1", "S1", "F1", "T3", "M3", "U3"},
    # Above it (F3 is Z1's feeder of T4); T1, T2, M2 and U2 through the mismatches and M3's
    # history.
    "z2": {"P", "C1", "X1", "S1", "F2", "F3", "T1", "T2", "M2", "U2"},
}
MEETS["z1-integration"] = MEETS["z1"]
PRINCIPALS = {
    "top": ("tq_" + "a" * 40, Role.MARKETING, "P"),
    "county": ("tq_" + "b" * 40, Role.VIEWER, "X1"),
    "county-service": ("tq_" + "9" * 40, Role.CUSTOMER_SERVICE, "X1"),
    "z1": ("tq_" + "c" * 40, Role.SUPPLY_STATION, "Z1"),
    "z2": ("tq_" + "d" * 40, Role.CUSTOMER_SERVICE, "Z2"),
    "z1-integration": ("tq_" + "e" * 40, Role.INTEGRATION, "Z1"),
    "operations": ("tq_" + "f" * 40, Role.OPERATIONS, "P"),
    "viewer": ("tq_" + "0" * 40, Role.VIEWER, "P"),
}
WEEK = 'from: "2026-11-01", to: "2026-11-07"'


def as_(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {PRINCIPALS[name][0]}"}


def matrix_network() -> NetworkBuilder:
    net = (
        small_network_with_a_week()
        .feeder("F3", "S1", "Z1", "10kV幸福支线")
        .transformer("T4", "F3", "Z2", "和平村2号台区", 100)
        .customer("U4", "赵敏")
        .meter("M4", "T1", "customer", "U4")
        .meter("M5", "T3", "customer", "U4")
        .meter("G4", "T4", "gate", multiplier=10)
    )
    for day in range(1, 8):
        date = f"2026-11-{day:02d}"
        net.reading("M4", date, 20).reading("M5", date, 30).reading("G4", date, 5)
    return net


MOVE_M3 = """mutation { meterMove(input: {meter: "M3", toArea: "T3", effective: "2026-11-05"})
  { __typename } }"""


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    series = Settings(home=tmp_path / "home").series_folder()
    net = matrix_network()
    load_folder(store, net.write(tmp_path / "net"), today=TODAY, series=series)
    evidence = evidence_only(net, {"M2": "T3"}).write(tmp_path / "c")
    plan, _ = make_plan(store, "collection", evidence, "20261128T120000-abcdef", "tester")
    plans = PlanStore(Settings(home=tmp_path / "home").plans_folder())
    plans.save(plan)
    apply_plan(store, plans, plan.plan_id, dt.date(2026, 11, 1), "tester")
    for name, (key, role, org) in PRINCIPALS.items():
        add_principal(store, name, key, role, org)
    # The matrix asks everything at once (every field of every unit in one listing).
    for api in make_api(store, tmp_path, home="home", max_cost=1_000_000):
        moved = api.data(MOVE_M3, headers=as_("county-service"))  # both stations are its
        assert moved == {"meterMove": {"__typename": "MeterMoved"}}
        yield api


# --- what one entity shows: every field, and one step to each neighbour --------------------
REF = "{ __typename id code name }"
KEY = "{ __typename id code }"  # meters have no name; a customer's is personal
LOSS = f"lossSummary({WEEK}) {{ transformerCount supplyKwh salesKwh lossKwh }}"
RANKING = f"lossRanking({WEEK}) {{ totalCount edges {{ node {{ transformer {REF} lossKwh }} }} }}"
COUNTS = "transformerCount meterCount gateMeterCount"
HISTORY = """history { relationship from to parent { __typename id code }
  openedBy { id source details { name value } counts { kind count } } }"""
ENTITY = f"""fragment E on Node {{ __typename id code
  valueHistory {{ from to values {{ name value }} }}
  ... on OrgUnit {{ name level parent {REF} path {KEY} children {REF} substations {REF}
    transformers {{ totalCount edges {{ node {REF} }} }} {COUNTS} {LOSS} {RANKING} }}
  ... on Substation {{ name voltageKv orgUnit {REF} path {KEY} feeders {REF} {COUNTS} {LOSS}
    {RANKING} }}
  ... on Feeder {{ name orgUnit {REF} path {KEY} substation {REF}
    transformers {{ totalCount edges {{ node {REF} }} }} {COUNTS} {LOSS} {RANKING} }}
  ... on Transformer {{ name capacityKva orgUnit {REF} path {KEY} feeder {REF}
    gateMeters {KEY}
    meters {{ totalCount edges {{ node {KEY} }} }}
    {HISTORY} loss({WEEK}) {{ lossKwh }} {LOSS} }}
  ... on Meter {{ role multiplier path {KEY} transformer {REF} customer {KEY}
    {HISTORY}
    readings({WEEK}) {{ date importKwh }} }}
  ... on Customer {{ name customerMeters: meters {KEY} }}
}}"""
ROOT_FIELD = {
    Kind.ORG_UNIT: "orgUnit",
    Kind.SUBSTATION: "substation",
    Kind.FEEDER: "feeder",
    Kind.TRANSFORMER: "transformer",
    Kind.METER: "meter",
    Kind.CUSTOMER: "customer",
}
MISMATCHES = f"""{{ mismatches {{ totalCount edges {{ node {{ meter {KEY} customer {KEY}
  marketingArea {REF} equipmentArea {REF} collectionArea {REF} terminalCode
  areas {{ code source area {REF} loss {{ lossKwh }} }} }} }} }} }}"""
CHANGESETS = """{ changesets(first: 100) { edges { node { id source actor details { name value }
  counts { kind count } } } } }"""
LISTINGS = f"""{{ orgUnits(first: 100) {{ totalCount edges {{ node {{ ...E }} }} }}
  substations(first: 100) {{ totalCount edges {{ node {{ ...E }} }} }}
  network {{ {LOSS} {RANKING} lossSeries({WEEK}) {{ day: from transformerCount lossKwh }} }} }}"""


class Leaks:
    """Walks answers: every mention of an entity outside what the principal sees, beyond
    the code-and-name of one it may meet, is a leak (with where it was found)."""

    def __init__(self, who: str) -> None:
        self.sees, self.meets = SEES[who], MEETS[who]
        self.found: list[str] = []
        self.cases = 0

    def check(self, answer: Any, where: str) -> None:
        self.cases += 1
        self._walk(answer, where)

    def _walk(self, value: Any, where: str) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                self._walk(item, f"{where}[{i}]")
        elif isinstance(value, dict):
            code = _entity_code(value)
            if code is not None and code not in self.sees:
                kind = CODES[code]
                extra = set(value) - SHOWN_OUTSIDE[kind]
                if code not in self.meets or extra:
                    self.found.append(f"{where}: {code} {sorted(extra)}")
                return
            for key, item in value.items():
                self._walk(item, f"{where}.{key}")
        elif isinstance(value, str) and value in CODES and value not in self.sees | self.meets:
            self.found.append(f"{where}: {value}")


def _entity_code(value: dict[str, Any]) -> str | None:
    given = value.get("id")
    if isinstance(given, str) and ":" in given:
        code = given.split(":", 1)[1]
        return code if code in CODES else None
    return None


def _read_everything(api: Api, who: str) -> Leaks:
    leaks = Leaks(who)
    headers = as_(who)
    for kind, codes in ALL.items():
        field = ROOT_FIELD[kind]
        for code in codes:
            query = f'{{ {field}(code: "{code}") {{ ...E }} }} {ENTITY}'
            body = api.query(query, headers=headers)
            assert "errors" not in body, (who, code, body["errors"])
            leaks.check(body["data"], f"{field}({code})")
            node = api.query(
                f'{{ node(id: "{kind.value}:{code}") {{ ...E }} }} {ENTITY}', headers=headers
            )
            leaks.cases += 1
            if node["data"]["node"] != body["data"][field]:
                leaks.found.append(f"node({kind.value}:{code}) differs from {field}({code})")
            # Outside the scope, the answer of a code that exists nowhere.
            if code not in SEES[who]:
                nowhere = api.query(
                    f'{{ {field}(code: "NOWHERE404") {{ ...E }} }} {ENTITY}', headers=headers
                )
                leaks.cases += 1
                if body != nowhere:
                    leaks.found.append(f"{field}({code}) differs from a code nowhere")
    listed = api.query(f"{LISTINGS} {ENTITY}", headers=headers)
    assert "errors" not in listed, listed["errors"]
    leaks.check(listed["data"], "listings")
    for text in ("T", "M", "F", "U", "Z", "G", "S", "幸福", "和平", "赵"):
        found = api.data(
            f'{{ search(text: "{text}", first: 50) {{ kind code name node {{ id }} }} }}',
            headers=headers,
        )
        leaks.check(found, f"search({text})")
    mismatches = api.data(MISMATCHES, headers=headers)
    leaks.check(mismatches, "mismatches")
    for code in EVERYTHING:
        under = api.data(
            f'{{ mismatches(under: "{CODES[code].value}:{code}") '
            "{ totalCount edges { node { meter { id code } } } } }",
            headers=headers,
        )
        leaks.check(under, f"mismatches(under: {code})")
    changesets = api.data(CHANGESETS, headers=headers)
    leaks.check(changesets, "changesets")
    for edge in api.data(CHANGESETS)["changesets"]["edges"]:  # every id, asked one by one
        one = api.data(
            f'{{ changeset(id: "{edge["node"]["id"]}") {{ id details {{ name value }} }} }}',
            headers=headers,
        )
        leaks.check(one, f"changeset({edge['node']['id']})")
    return leaks


@pytest.mark.parametrize("who", sorted(SEES))
def test_no_principal_reads_anything_outside_its_scope(api: Api, who: str) -> None:
    leaks = _read_everything(api, who)
    assert leaks.found == []
    assert leaks.cases >= 90


def _loss(api: Api, field: str, who: str) -> dict[str, Any]:
    query = (
        f"{{ {field} {{ lossSummary({WEEK}) {{ transformerCount supplyKwh salesKwh lossKwh }} }} }}"
    )
    return api.data(query, headers=as_(who))


@pytest.mark.parametrize(("who", "unit"), [("z1", "Z1"), ("z2", "Z2"), ("county", "X1")])
def test_the_network_of_a_principal_below_the_top_is_its_units_subtree(
    api: Api, who: str, unit: str
) -> None:
    network = _loss(api, "network", who)["network"]
    assert network == _loss(api, f'orgUnit(code: "{unit}")', who)["orgUnit"]
    assert network == _loss(api, f'orgUnit(code: "{unit}")', "top")["orgUnit"]


def test_a_feeder_of_a_station_counts_only_the_stations_areas(api: Api) -> None:
    """F3 is Z1's and supplies only T4, which is Z2's: Z1 sees the feeder and none of it."""
    query = f"""{{ feeder(code: "F3") {{ {COUNTS} transformers {{ totalCount }}
      {LOSS} lossRanking({WEEK}) {{ totalCount }} }} }}"""
    mine = api.data(query, headers=as_("z1"))["feeder"]
    assert mine == {
        "transformerCount": 0,
        "meterCount": 0,
        "gateMeterCount": 0,
        "transformers": {"totalCount": 0},
        "lossSummary": {"transformerCount": 0, "supplyKwh": 0, "salesKwh": 0, "lossKwh": 0},
        "lossRanking": {"totalCount": 0},
    }
    everyone = api.data(query)["feeder"]
    assert (everyone["transformerCount"], everyone["gateMeterCount"]) == (1, 1)
    assert everyone["lossSummary"]["supplyKwh"] == 7 * 5 * 10
    assert api.data(query, headers=as_("z2")) == {"feeder": None}  # T4's, not F3's


def test_a_customer_of_two_stations_shows_each_its_own_meters(api: Api) -> None:
    query = '{ customer(code: "U4") { meters { code } } }'
    assert api.data(query, headers=as_("z1")) == {"customer": {"meters": [{"code": "M4"}]}}
    assert api.data(query, headers=as_("z2")) == {"customer": {"meters": [{"code": "M5"}]}}
    assert api.data(query) == {"customer": {"meters": [{"code": "M4"}, {"code": "M5"}]}}


def test_a_move_between_stations_shows_each_its_own_side(api: Api) -> None:
    def details(who: str) -> list[dict[str, str]]:
        edges = api.data(CHANGESETS, headers=as_(who))["changesets"]["edges"]
        (move,) = [e["node"] for e in edges if e["node"]["source"] == "meterMove"]
        return move["details"]

    assert {"name": "from_area", "value": "T2"} in details("z1")
    assert all(d["name"] != "to_area" for d in details("z1"))
    assert {"name": "to_area", "value": "T3"} in details("z2")
    assert all(d["name"] != "from_area" for d in details("z2"))
    names = {d["name"] for d in details("top")}
    assert {"meter", "from_area", "to_area"} <= names
    # The load names nothing: below the top unit it is not listed, nor its network's counts.
    loads = [
        e for e in api.data(CHANGESETS)["changesets"]["edges"] if e["node"]["source"] == "load"
    ]
    assert loads and loads[0]["node"]["counts"]
    assert all(
        e["node"]["source"] != "load"
        for e in api.data(CHANGESETS, headers=as_("z1"))["changesets"]["edges"]
    )


def test_an_entity_met_outside_the_scope_shows_its_code_and_name_only(api: Api) -> None:
    ok = api.data('{ transformer(code: "T1") { feeder { id code name } } }', headers=as_("z1"))
    assert ok == {
        "transformer": {"feeder": {"id": "Feeder:F1", "code": "F1", "name": "10kV城东线"}}
    }
    for query, field in (
        ('{ transformer(code: "T1") { feeder { voltageKv } } }', "voltageKv"),
        ('{ transformer(code: "T1") { feeder { transformers { totalCount } } } }', "transformers"),
        ('{ orgUnit(code: "Z1") { parent { children { code } } } }', "children"),
        ("{ mismatches { edges { node { customer { name } } } } }", "name"),
    ):
        body = api.query(query, headers=as_("z1"))
        errors = body["errors"]
        assert errors and all(e["extensions"]["code"] == "FORBIDDEN" for e in errors), body
        assert "lies outside your scope" in errors[0]["message"], errors[0]
        assert errors[0]["path"][-1] == field
        assert "errors" not in api.query(query)  # the top unit's principal may ask it


def test_mismatches_below_the_top_are_those_of_the_scope_with_the_other_area_bare(
    api: Api,
) -> None:
    """M2 (archived in T1, read in T3) and M3 (moved to T3, still read in T2) involve both
    stations: each sees both, without the other station's area's loss."""
    query = """{ mismatches { totalCount edges { node { meter { code }
      areas { code area { code } loss { lossKwh } } } } } }"""
    everyone = api.data(query)["mismatches"]
    assert {e["node"]["meter"]["code"] for e in everyone["edges"]} == {"M2", "M3"}
    for who, outside in (("z1", {"T3"}), ("z2", {"T1", "T2"}), ("top", set())):
        seen = api.data(query, headers=as_(who))["mismatches"]
        assert seen["totalCount"] == 2
        for edge in seen["edges"]:
            for area in edge["node"]["areas"]:
                assert (area["loss"] is None) == (area["code"] in outside), (who, area)


# --- writes ------------------------------------------------------------------------------
EFFECTIVE = "2026-11-20"
#: Per mutation: its input inside Z1's station and inside Z2's.
WRITES: dict[str, dict[str, str]] = {
    "meterMove": {
        "Z1": '{meter: "M2", toArea: "T2"}',
        "Z2": '{meter: "M5", toArea: "T4"}',
    },
    "meterReplace": {
        "Z1": '{oldMeter: "M1", newMeter: "M1N", finalRegisterKwh: 10, initialRegisterKwh: 0}',
        "Z2": '{oldMeter: "M5", newMeter: "M5N", finalRegisterKwh: 10, initialRegisterKwh: 0}',
    },
    "transformerReplace": {
        "Z1": '{transformer: "T2", capacityKva: 400}',
        "Z2": '{transformer: "T3", capacityKva: 315}',
    },
    "areaMove": {"Z1": '{area: "T2", toFeeder: "F2"}', "Z2": '{area: "T4", toFeeder: "F2"}'},
    "areaRetire": {"Z1": '{area: "T2"}', "Z2": '{area: "T4"}'},
}
#: Who may send what where: duty (graph/domain/access.py) and scope.
MAY = {
    "top": set(),
    "county": set(),
    "viewer": set(),
    "z1-integration": set(),
    "operations": {
        (m, s) for m in ("areaMove", "areaRetire", "transformerReplace") for s in ("Z1", "Z2")
    },
    "z1": {(m, "Z1") for m in WRITES},
    "z2": {(m, "Z2") for m in ("meterMove", "meterReplace")},
    "county-service": {(m, s) for m in ("meterMove", "meterReplace") for s in ("Z1", "Z2")},
}


def _write(api: Api, who: str, mutation: str, station: str) -> dict[str, Any]:
    text = WRITES[mutation][station][:-1] + f', effective: "{EFFECTIVE}"}}'
    return api.query(f"mutation {{ {mutation}(input: {text}) {{ __typename }} }}", headers=as_(who))


def test_no_principal_writes_outside_its_duties_or_scope(api: Api) -> None:
    refused = 0
    for who in PRINCIPALS:
        for mutation in WRITES:
            for station in ("Z1", "Z2"):
                if (mutation, station) in MAY[who]:
                    continue
                version = api.store.inner.version()
                body = api.query(
                    f"mutation {{ {mutation}(input: "
                    f'{WRITES[mutation][station][:-1]}, effective: "{EFFECTIVE}"}}) '
                    "{ __typename } }",
                    headers=as_(who),
                )
                assert body["data"] is None, (who, mutation, station, body)
                assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
                assert api.store.inner.version() == version, (who, mutation, station)
                refused += 1
    assert refused == len(PRINCIPALS) * len(WRITES) * 2 - sum(len(m) for m in MAY.values())


@pytest.mark.parametrize(
    ("who", "mutation", "station"),
    sorted((who, m, s) for who, allowed in MAY.items() for m, s in allowed),
)
def test_each_principal_writes_what_its_duties_and_scope_allow(
    api: Api, who: str, mutation: str, station: str
) -> None:
    body = _write(api, who, mutation, station)
    assert "errors" not in body, body
    written = body["data"][mutation]["__typename"]
    assert written != "ChangeRejected", json.dumps(body)
    changesets = api.data("{ changesets(first: 1) { edges { node { source actor } } } }")
    assert changesets["changesets"]["edges"][0]["node"] == {"source": mutation, "actor": who}


def test_the_day_of_a_scope_is_the_day_asked(api: Api) -> None:
    """M3 was Z1's until 2026-11-05: asked as of 2026-11-04 it is there for Z1, not for Z2."""
    query = 'query($d: Date) { meter(code: "M3", asOf: $d) { transformer { code } } }'
    before = {"d": "2026-11-04"}
    assert api.data(query, before, headers=as_("z1")) == {"meter": {"transformer": {"code": "T2"}}}
    assert api.data(query, before, headers=as_("z2")) == {"meter": None}
    assert api.data(query, headers=as_("z1")) == {"meter": None}
    assert api.data(query, headers=as_("z2")) == {"meter": {"transformer": {"code": "T3"}}}
    assert dt.date(2026, 11, 5) < TODAY
