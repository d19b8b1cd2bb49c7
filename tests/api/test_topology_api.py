"""The public GraphQL contract over both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from api.pagination import encode_cursor
from graph.stores.contract import Store
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from tests.api.conftest import TODAY, Api, make_api
from tests.builder import small_network

DOWN = """
{ substations(first: 2) { totalCount edges { node { code name orgUnit { code }
    feeders { code voltageKv transformers(first: 5) { totalCount edges { node { code capacityKva
      ownership gateMeters { code multiplier }
      meters(first: 5) { totalCount edges { node { code role customer { code name } } } } } } } }
} } } }
"""


def test_down_the_network(api: Api) -> None:
    data = api.data(DOWN)
    assert data["substations"]["totalCount"] == 1
    s1 = data["substations"]["edges"][0]["node"]
    assert (s1["code"], s1["name"], s1["orgUnit"]["code"]) == ("S1", "110kV城关变电站", "X1")
    f1, f2 = s1["feeders"]
    assert (f1["code"], f1["voltageKv"], f2["code"]) == ("F1", 10.0, "F2")
    t1 = f1["transformers"]["edges"][0]["node"]
    assert (t1["code"], t1["capacityKva"], t1["ownership"]) == ("T1", 400.0, "PUBLIC")
    assert t1["gateMeters"] == [{"code": "G1", "multiplier": 60.0}]
    meters = [
        (e["node"]["code"], e["node"]["role"], e["node"]["customer"]) for e in t1["meters"]["edges"]
    ]
    assert meters == [
        ("G1", "GATE", None),
        ("M1", "CUSTOMER", {"code": "U1", "name": "张伟"}),
        ("M2", "CUSTOMER", {"code": "U2", "name": "李娜"}),
        ("V1", "PV", {"code": "U1", "name": "张伟"}),
    ]
    assert f2["transformers"]["edges"][0]["node"]["ownership"] == "PRIVATE"


def test_up_the_network_and_paths(api: Api) -> None:
    data = api.data("""{
      meter(code: "V1") { transformer { code feeder { code substation { code } } orgUnit { code } }
        customer { code meters { code } } path { __typename code } }
      orgUnit(code: "Z1") { parent { code } path { code } children { code } }
      org: orgUnit(code: "X1") { children { code } substations { code }
        transformers(first: 2) { totalCount edges { node { code } } } }
    }""")
    meter = data["meter"]
    assert meter["transformer"] == {
        "code": "T1",
        "feeder": {"code": "F1", "substation": {"code": "S1"}},
        "orgUnit": {"code": "Z1"},
    }
    assert meter["customer"] == {"code": "U1", "meters": [{"code": "M1"}, {"code": "V1"}]}
    assert [(p["__typename"], p["code"]) for p in meter["path"]] == [
        ("Substation", "S1"),
        ("Feeder", "F1"),
        ("Transformer", "T1"),
        ("Meter", "V1"),
    ]
    assert data["orgUnit"]["parent"] == {"code": "X1"}
    assert [p["code"] for p in data["orgUnit"]["path"]] == ["P", "C1", "X1", "Z1"]
    assert data["org"]["children"] == [{"code": "Z1"}, {"code": "Z2"}]
    assert data["org"]["substations"] == [{"code": "S1"}]
    assert data["org"]["transformers"]["totalCount"] == 3


def test_node_by_id_for_every_kind(api: Api) -> None:
    for field, code in [
        ("orgUnit", "C1"),
        ("substation", "S1"),
        ("feeder", "F2"),
        ("transformer", "T3"),
        ("meter", "G2"),
        ("customer", "U3"),
    ]:
        node_id = api.data(f'{{ {field}(code: "{code}") {{ id }} }}')[field]["id"]
        found = api.data(
            "query($id: ID!) { node(id: $id) { __typename id code } }", {"id": node_id}
        )
        assert found["node"]["id"] == node_id and found["node"]["code"] == code
    assert api.data('{ transformer(code: "T404") { code } }') == {"transformer": None}
    bad = api.query('{ node(id: "Nope:1") { id } }')
    assert bad["errors"][0]["message"] == "id: not a node id of this API: 'Nope:1'"


def test_cursor_paging(api: Api) -> None:
    q = """query($after: String) { transformer(code: "T1") {
      meters(first: 3, after: $after) { totalCount edges { cursor node { code } }
        pageInfo { hasNextPage endCursor } } } }"""
    page1 = api.data(q)["transformer"]["meters"]
    assert [e["node"]["code"] for e in page1["edges"]] == ["G1", "M1", "M2"]
    assert page1["pageInfo"] == {"hasNextPage": True, "endCursor": page1["edges"][-1]["cursor"]}
    page2 = api.data(q, {"after": page1["pageInfo"]["endCursor"]})["transformer"]["meters"]
    assert [e["node"]["code"] for e in page2["edges"]] == ["V1"]
    assert page2["pageInfo"] == {"hasNextPage": False, "endCursor": encode_cursor("V1")}
    assert page2["totalCount"] == 4
    roles = api.data('{ transformer(code: "T1") { meters(role: PV) { totalCount } } }')
    assert roles["transformer"]["meters"]["totalCount"] == 1


def test_page_size_is_capped(api: Api) -> None:
    body = api.query('{ feeder(code: "F1") { transformers(first: 101) { totalCount } } }')
    assert body["errors"][0]["message"] == "first must be between 0 and 100, got 101"
    assert body["errors"][0]["path"] == ["feeder", "transformers"]
    body = api.query("{ substations(first: -1) { totalCount } }")
    assert "first must be between 0 and 100" in body["errors"][0]["message"]


def test_search(api: Api) -> None:
    data = api.data('{ search(text: "幸福", kinds: [TRANSFORMER]) { kind code name node { id } } }')
    assert data["search"] == [
        {
            "kind": "TRANSFORMER",
            "code": "T1",
            "name": "幸福村1号台区",
            "node": {"id": "Transformer:T1"},
        },
        {
            "kind": "TRANSFORMER",
            "code": "T2",
            "name": "幸福村2号台区",
            "node": {"id": "Transformer:T2"},
        },
    ]
    everything = api.data('{ search(text: "幸福", first: 1) { code } }')
    assert everything["search"] == [{"code": "Z1"}]
    body = api.query('{ search(text: "  ") { code } }')
    assert body["errors"][0]["message"] == "text must have 1 to 100 characters"


def test_as_of_reads_history(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY)
    moved = small_network()
    moved.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in moved.rows["meters.csv"]
    ]
    load_folder(store, moved.write(tmp_path / "b"), effective=dt.date(2026, 6, 1), today=TODAY)
    for api in make_api(store, tmp_path):
        q = """query($d: Date) { meter(code: "M2", asOf: $d) { transformer { code
                 meters { totalCount } } } }"""
        may = api.data(q, {"d": "2026-05-31"})["meter"]["transformer"]
        june = api.data(q, {"d": "2026-06-01"})["meter"]["transformer"]
        assert may == {"code": "T1", "meters": {"totalCount": 4}}
        assert june == {"code": "T2", "meters": {"totalCount": 3}}


MAX_COST = 20_000_000
THREE_LEVELS = """
{ substations(first: 100) { edges { node { code feeders { code
    transformers(first: 50) { edges { node { code gateMeters { code }
      meters(first: 20) { edges { node { code customer { code meters { code } } } } }
    } } } } } } } }
"""


def test_round_trips_are_bounded_whatever_the_size(store: Store, tmp_path: Path) -> None:
    """One store call per level: the count is the same for 7 meters and for 3,000 (the cost
    budget raised: the query asks for up to 100 x 20 x 50 x 20 meters)."""
    load_folder(store, small_network().write(tmp_path / "small"), today=TODAY)
    for api in make_api(store, tmp_path, max_cost=MAX_COST):
        api.data(THREE_LEVELS)
        small_calls = dict(api.store.calls)
    write_folder(generate(3_000), tmp_path / "big")
    load_folder(store, tmp_path / "big", today=TODAY)
    for api in make_api(store, tmp_path, max_cost=MAX_COST):
        data = api.data(THREE_LEVELS)
        big_calls = dict(api.store.calls)
    transformers = sum(
        len(f["transformers"]["edges"])
        for s in data["substations"]["edges"]
        for f in s["node"]["feeders"]
    )
    assert transformers > 10  # the query really fanned out
    expected = {"entity_page": 1, "neighbors": 3, "child_pages": 3}
    assert small_calls == expected
    assert big_calls == expected
