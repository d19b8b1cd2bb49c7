"""Principals over the API, on both stores: keys, duties, the scope of writes, masked names.

The small network: P -> C1 -> X1 -> Z1 (owns T1, T2), Z2 (owns T3); X1 owns S1, F1, F2.
U1 张伟 uses M1 and V1 (in T1), U2 李娜 M2 (T1), U3 王芳 M3 (T2).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import authn
from api.authn import bearer_key
from graph.domain.access import DUTIES, Role
from graph.stores.contract import Store
from tests.api.conftest import Api, add_principal, week_api

KEYS = {
    "station-z1": ("tq_" + "1" * 40, Role.SUPPLY_STATION, "Z1"),
    "station-z2": ("tq_" + "2" * 40, Role.SUPPLY_STATION, "Z2"),
    "ops": ("tq_" + "3" * 40, Role.OPERATIONS, "P"),
    "service": ("tq_" + "4" * 40, Role.CUSTOMER_SERVICE, "P"),
    "viewer": ("tq_" + "5" * 40, Role.VIEWER, "P"),
    "viewer-pd": ("tq_" + "6" * 40, Role.VIEWER, "P"),
    "old": ("tq_" + "7" * 40, Role.MARKETING, "P"),
}
MOVE = 'mutation($m: String!, $a: String!) { meterMove(input: {meter: $m, toArea: $a, effective: "2026-11-05"}) { __typename ... on MeterMoved { changeset { actor } } } }'  # noqa: E501


def as_(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[name][0]}"}


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    for api in week_api(store, tmp_path):
        for name, (key, role, org) in KEYS.items():
            more: dict[str, Any] = {"personal_data": name == "viewer-pd"}
            if name == "old":
                more["expires"] = dt.date(2026, 1, 1)
            add_principal(store, name, key, role, org, **more)
        yield api


def test_bearer_keys_are_read_strictly() -> None:
    assert bearer_key("Bearer tq_abc") == "tq_abc" and bearer_key("bearer  tq_abc ") == "tq_abc"
    assert bearer_key(None) is None and bearer_key("Basic abc") is None
    assert bearer_key("Bearer ") is None and bearer_key("Bearer " + "x" * 8193) is None


def test_no_key_an_unknown_or_expired_one_gets_401_and_nothing_is_read(api: Api) -> None:
    query = {"query": '{ meter(code: "M1") { code } }'}
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer tq_nope"}, as_("old")):
        response = api.client.post("/graphql", json=query, headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert sum(api.store.calls.values()) == 0
    assert api.client.get("/healthz").status_code == 200  # probes need no key


def test_a_revoked_key_is_refused_once_its_lookup_is_no_longer_trusted(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = '{ meter(code: "M1") { code } }'
    assert api.data(query, headers=as_("viewer")) == {"meter": {"code": "M1"}}
    assert api.store.inner.revoke_principal("viewer", dt.datetime.now(dt.UTC))
    monkeypatch.setattr(authn, "KEPT_S", 0.0)
    response = api.client.post("/graphql", json={"query": query}, headers=as_("viewer"))
    assert response.status_code == 401


def test_duties_decide_which_events_a_role_sends(api: Api) -> None:
    version = api.store.inner.version()
    for name in ("ops", "viewer", "old"):
        response = api.client.post(
            "/graphql", json={"query": MOVE, "variables": {"m": "M2", "a": "T2"}}, headers=as_(name)
        )
        body = response.json()
        if name == "old":
            assert response.status_code == 401
            continue
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "is not among the duties of" in body["errors"][0]["message"]
    assert api.store.inner.version() == version
    moved = api.data(MOVE, {"m": "M2", "a": "T2"}, headers=as_("service"))["meterMove"]
    assert moved == {"__typename": "MeterMoved", "changeset": {"actor": "service"}}


def test_a_station_writes_inside_its_own_station_only(api: Api) -> None:
    version = api.store.inner.version()
    refused = []
    # M2 is Z1's; T3 is Z2's; M404 exists nowhere: the refusals read alike.
    for who, meter, area in (
        ("station-z2", "M2", "T3"),
        ("station-z1", "M2", "T3"),
        ("station-z2", "M404", "T3"),
    ):
        body = api.query(MOVE, {"m": meter, "a": area}, headers=as_(who))
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        refused.append(error["message"])
    assert refused == [
        "Meter M2 is not within Z2 on 2026-11-05",
        "Transformer T3 is not within Z1 on 2026-11-05",
        "Meter M404 is not within Z2 on 2026-11-05",
    ]
    assert api.store.inner.version() == version
    moved = api.data(MOVE, {"m": "M2", "a": "T2"}, headers=as_("station-z1"))["meterMove"]
    assert moved == {"__typename": "MeterMoved", "changeset": {"actor": "station-z1"}}


PERSON = """{ customer(code: "U1") { name valueHistory { values { name value } } }
  search(text: "U1", kinds: [CUSTOMER]) { name }
  meter(code: "M1") { customer { name } } }"""


def _names(body: dict[str, Any]) -> list[str]:
    customer = body["customer"]
    history = [v["value"] for v in customer["valueHistory"][0]["values"] if v["name"] == "name"]
    return [
        customer["name"],
        *history,
        body["search"][0]["name"],
        body["meter"]["customer"]["name"],
    ]


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("viewer", "张*"),
        ("ops", "张*"),
        ("viewer-pd", "张伟"),
        ("service", "张伟"),
    ],
)
def test_customer_names_are_masked_for_roles_without_personal_data(
    api: Api, who: str, shown: str
) -> None:
    assert _names(api.data(PERSON, headers=as_(who))) == [shown] * 4
    alone = '{ customer(code: "U1") { name meters { code } } }'  # the fast path's kind of query
    assert api.data(alone, headers=as_(who))["customer"]["name"] == shown
    # Asked again (a kept answer, api/response_cache.py): the same, never another reader's.
    assert _names(api.data(PERSON, headers=as_(who))) == [shown] * 4


def test_a_name_is_not_found_by_search_when_it_would_be_masked(api: Api) -> None:
    query = '{ search(text: "张伟") { code } }'
    assert api.data(query, headers=as_("service")) == {"search": [{"code": "U1"}]}
    assert api.data(query, headers=as_("viewer")) == {"search": []}


ROOTS = {
    "orgUnit": ("Z1", "X1"),
    "transformer": ("T1", "T3"),
    "meter": ("M1", "M3X"),
    "customer": ("U1", "U9X"),
}


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_a_station_sees_its_subtree_and_nothing_else_exists(api: Api, root: str) -> None:
    """Z1's principal: its own things answer; Z2's, the county above and codes that exist
    nowhere all answer null, alike."""
    mine = ROOTS[root][0]
    query = f"query($c: String!) {{ {root}(code: $c) {{ code }} }}"
    assert api.data(query, {"c": mine}, headers=as_("station-z1")) == {root: {"code": mine}}
    elsewhere = {"orgUnit": ["X1", "Z2", "P"], "transformer": ["T3"], "meter": ["G3"],
                 "customer": []}[root]  # fmt: skip
    for code in [*elsewhere, "NOWHERE404"]:
        assert api.data(query, {"c": code}, headers=as_("station-z1")) == {root: None}
    # The same question from the top unit: everything is there (and no kept answer leaks).
    for code in elsewhere:
        assert api.data(query, {"c": code}) == {root: {"code": code}}


def test_what_a_station_sees_below_its_unit(api: Api) -> None:
    query = """{ orgUnit(code: "Z1") { transformerCount meterCount
        transformers { totalCount edges { node { code meters { totalCount } orgUnit { code }
          loss(from: "2026-11-01", to: "2026-11-07") { lossKwh } } } } }
      meter(code: "M2") { transformer { code } customer { code name } } }"""
    data = api.data(query, headers=as_("station-z1"))
    unit = data["orgUnit"]
    assert (unit["transformerCount"], unit["transformers"]["totalCount"]) == (2, 2)
    codes = [e["node"]["code"] for e in unit["transformers"]["edges"]]
    assert codes == ["T1", "T2"]
    assert data["meter"] == {
        "transformer": {"code": "T1"},
        "customer": {"code": "U2", "name": "李娜"},
    }
    assert unit["transformers"]["edges"][0]["node"]["loss"]["lossKwh"] == 350


def test_out_of_scope_and_nonexistent_codes_take_the_same_reads(api: Api) -> None:
    """Timing follows the store's round trips: the same calls, the same count, for a meter of
    the neighbour's station and a meter that exists nowhere."""
    query = "query($c: String!) { meter(code: $c) { code } }"
    seen = []
    api.data(query, {"c": "M1"}, headers=as_("station-z1"))  # its scope found, and kept
    for code in ("G3", "NOWHERE404"):
        api.store.calls.clear()
        assert api.data(query, {"c": code}, headers=as_("station-z1")) == {"meter": None}
        seen.append(dict(api.store.calls))
    assert seen[0] == seen[1]


def test_node_and_search_below_the_top_unit_find_only_the_subtree(api: Api) -> None:
    node = "query($id: ID!) { node(id: $id) { id } }"
    z1 = as_("station-z1")
    assert api.data(node, {"id": "Transformer:T1"}, headers=z1) == {
        "node": {"id": "Transformer:T1"}
    }
    for hidden in ("Transformer:T3", "Feeder:F1", "OrgUnit:X1", "Meter:NOWHERE"):
        assert api.data(node, {"id": hidden}, headers=z1) == {"node": None}
    search = '{ search(text: "T") { code } }'
    assert api.data(search, headers=z1) == {"search": [{"code": "T1"}, {"code": "T2"}]}
    assert api.data(search, headers=as_("station-z2")) == {"search": [{"code": "T3"}]}
    everyone = [h["code"] for h in api.data(search)["search"]]
    assert {"T1", "T2", "T3"} <= set(everyone)


def test_out_of_scope_and_nonexistent_codes_answer_in_the_same_time(api: Api) -> None:
    """A few hundred requests each, interleaved: the two distributions' medians and upper
    quartiles agree within what the machine's noise allows (the reads are the same)."""
    query = "query($c: String!) { meter(code: $c) { code } }"
    z1 = as_("station-z1")
    api.data(query, {"c": "M1"}, headers=z1)
    times: dict[str, list[float]] = {"G3": [], "NOWHERE404": []}
    for _ in range(200):
        for code, samples in times.items():
            started = time.perf_counter()
            assert api.data(query, {"c": code}, headers=z1) == {"meter": None}
            samples.append(time.perf_counter() - started)
    elsewhere, nowhere = (sorted(s) for s in times.values())
    for q in (0.5, 0.75):
        ratio = elsewhere[int(q * 199)] / nowhere[int(q * 199)]
        assert 0.75 < ratio < 1.33, (q, ratio)


VIEWER = "{ viewer { name role orgCode orgUnit { code } seesPersonalData changeEvents } }"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("station-z1", ("supply_station", "Z1", True, 5)),
        ("ops", ("operations", "P", False, 3)),
        ("service", ("customer_service", "P", True, 2)),
        ("viewer", ("viewer", "P", False, 0)),
        ("viewer-pd", ("viewer", "P", True, 0)),
    ],
)
def test_viewer_says_who_asks_with_its_unit_and_duties(
    api: Api, name: str, expected: tuple[str, str, bool, int]
) -> None:
    viewer = api.data(VIEWER, headers=as_(name))["viewer"]
    role, org, personal, events = expected
    assert (viewer["name"], viewer["role"], viewer["orgCode"]) == (name, role, org)
    assert viewer["orgUnit"] == {"code": org}
    assert viewer["seesPersonalData"] is personal
    assert len(viewer["changeEvents"]) == events
    # The duties it lists are the ones the API lets it send.
    for event in viewer["changeEvents"]:
        assert Role(role) in DUTIES[event]
    assert set(viewer["changeEvents"]) == {e for e, roles in DUTIES.items() if Role(role) in roles}
