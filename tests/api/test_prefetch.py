"""A root field reads the tree its selection walks in one store call (api/prefetch.py), and
answers exactly what the resolvers answer level by level (`node(id)`, which does not read
ahead), on both stores. The selections hold `id`, which the fast path (api/fast_path.py) does
not know: the resolvers run."""

from __future__ import annotations

from typing import Any

from api.ids import global_id
from graph.domain.model import Kind
from tests.api.conftest import Api

EXPLORER = """{ id code name
  transformers(first: 1) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { code name capacityKva ownership
      gateMeters { code multiplier role customer { name } }
      meters(first: 2, role: CUSTOMER) { totalCount edges { node { code phase
        customer { name category } } } } } } } }"""


def both_ways(api: Api, kind: Kind, type_name: str, code: str, selection: str) -> Any:
    """The answer by code (read ahead) and by id (level by level), with each one's calls."""
    field = type_name[0].lower() + type_name[1:]
    api.store.calls.clear()
    ahead = api.data(f'{{ {field}(code: "{code}") {selection} }}')[field]
    ahead_calls = dict(api.store.calls)
    api.store.calls.clear()
    node_id = global_id(kind, code)
    levels = api.data(f'{{ node(id: "{node_id}") {{ ... on {type_name} {selection} }} }}')["node"]
    return ahead, ahead_calls, levels, dict(api.store.calls)


def test_the_explorer_page_is_one_store_call(api: Api) -> None:
    ahead, calls, levels, level_calls = both_ways(api, Kind.FEEDER, "Feeder", "F1", EXPLORER)
    assert calls == {"fetch_tree": 1}
    assert level_calls == {"entities": 1, "child_pages": 3, "neighbors": 1}
    assert ahead == levels
    (area,) = ahead["transformers"]["edges"]
    assert ahead["transformers"]["totalCount"] == 2
    assert ahead["transformers"]["pageInfo"]["hasNextPage"] is True
    assert area["node"]["gateMeters"] == [
        {"code": "G1", "multiplier": 60.0, "role": "GATE", "customer": None}
    ]
    assert area["node"]["meters"]["totalCount"] == 2
    assert [
        (m["node"]["code"], m["node"]["customer"]["name"]) for m in area["node"]["meters"]["edges"]
    ] == [("M1", "张伟"), ("M2", "李娜")]


def test_the_next_page_is_read_ahead_too(api: Api) -> None:
    cursor = api.data(
        '{ feeder(code: "F1") { transformers(first: 1) { pageInfo { endCursor } } } }'
    )
    after = cursor["feeder"]["transformers"]["pageInfo"]["endCursor"]
    selection = (
        f'{{ id transformers(first: 1, after: "{after}") {{ edges {{ node {{ code }} }} }} }}'
    )
    ahead, calls, levels, _ = both_ways(api, Kind.FEEDER, "Feeder", "F1", selection)
    assert calls == {"fetch_tree": 1}
    assert ahead["transformers"] == {"edges": [{"node": {"code": "T2"}}]}
    assert ahead == levels


def test_aliases_fragments_and_directives(api: Api) -> None:
    selection = """{ id code
      a: meters(first: 10) { edges { node { code } } }
      b: meters(first: 10) { edges { node { customer { name } transformer { code } } } }
      gateMeters @skip(if: true) { code }
      ... on Node { ... up }
    }"""
    fragment = " fragment up on Transformer { feeder { substation { code } orgUnit { code } } }"
    api.store.calls.clear()
    ahead = api.data('{ transformer(code: "T1") ' + selection + " }" + fragment)["transformer"]
    assert dict(api.store.calls) == {"fetch_tree": 1}
    node_id = global_id(Kind.TRANSFORMER, "T1")
    levels = api.data(f'{{ node(id: "{node_id}") {{ ... on Transformer {selection} }} }}{fragment}')
    assert ahead == levels["node"]
    assert "gateMeters" not in ahead
    assert ahead["feeder"] == {"substation": {"code": "S1"}, "orgUnit": {"code": "X1"}}
    assert [e["node"]["code"] for e in ahead["a"]["edges"]] == ["G1", "M1", "M2", "V1"]
    assert [e["node"]["customer"] for e in ahead["b"]["edges"]] == [
        None,
        {"name": "张伟"},
        {"name": "李娜"},
        {"name": "张伟"},
    ]


def test_what_the_resolver_refuses_is_not_read_ahead(api: Api) -> None:
    """A page size over the cap or a foreign cursor: the resolver's own error, unchanged."""
    for args in ("first: 100000", 'first: 1, after: "bm90LWEtY3Vyc29y"'):
        api.store.calls.clear()
        body = api.query(f'{{ feeder(code: "F1") {{ transformers({args}) {{ totalCount }} }} }}')
        assert body["data"] == {"feeder": None}
        assert body["errors"][0]["path"] == ["feeder", "transformers"]
        assert "fetch_tree" not in api.store.calls


def test_a_root_that_is_not_there(api: Api) -> None:
    api.store.calls.clear()
    assert api.data('{ feeder(code: "NOPE") ' + EXPLORER + " }") == {"feeder": None}
    assert dict(api.store.calls) == {"fetch_tree": 1}
