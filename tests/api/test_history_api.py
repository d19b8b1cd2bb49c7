"""Meter.history, Transformer.history, changesets and changeset over GraphQL; both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graph.stores.contract import Store
from loaders.load import load_folder
from tests.api.conftest import make_api
from tests.builder import small_network

TODAY = dt.date(2026, 11, 28)
JUNE = dt.date(2026, 6, 1)

HISTORY = """{ meter(code: "M2") { history { relationship from to
    parent { __typename code } openedBy { id source } closedBy { id source } } }
  transformer(code: "T3") { history { relationship from to parent { code } } } }"""


def test_history_and_changesets(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "a"), today=TODAY, actor="李工")
    moved = small_network()
    moved.rows["meters.csv"] = [
        (r[0], "T2", *r[2:]) if r[0] == "M2" else r for r in moved.rows["meters.csv"]
    ]
    moved.rows["transformers.csv"] = [
        (r[0], r[1], "F1", *r[3:]) if r[0] == "T3" else r for r in moved.rows["transformers.csv"]
    ]
    load_folder(store, moved.write(tmp_path / "b"), effective=JUNE, today=TODAY, actor="王工")
    for api in make_api(store, tmp_path):
        sets = api.data(
            "{ changesets(first: 1) { edges { cursor node { id source actor effective "
            "graphVersion counts { kind count } } } pageInfo { hasNextPage endCursor } } }"
        )["changesets"]
        (edge,) = sets["edges"]
        second = edge["node"]
        assert (second["actor"], second["effective"], second["graphVersion"]) == (
            "王工",
            "2026-06-01",
            2,
        )
        assert {"kind": "moved", "count": 2} in second["counts"]
        assert sets["pageInfo"]["hasNextPage"] is True
        older = api.data(
            "query($a: String) { changesets(first: 5, after: $a) { edges { node { actor } } "
            "pageInfo { hasNextPage } } }",
            {"a": sets["pageInfo"]["endCursor"]},
        )["changesets"]
        assert [e["node"]["actor"] for e in older["edges"]] == ["李工"]
        assert older["pageInfo"]["hasNextPage"] is False

        data = api.data(HISTORY)
        area, customer, new_area = data["meter"]["history"]
        first_id = area["openedBy"]["id"]
        assert area == {
            "relationship": "HAS_METER", "from": None, "to": "2026-06-01",
            "parent": {"__typename": "Transformer", "code": "T1"},
            "openedBy": {"id": first_id, "source": "load"},
            "closedBy": {"id": second["id"], "source": "load"},
        }  # fmt: skip
        assert customer["relationship"] == "USES_METER" and customer["to"] is None
        assert customer["parent"] == {"__typename": "Customer", "code": "U2"}
        assert (new_area["from"], new_area["parent"]["code"]) == ("2026-06-01", "T2")
        assert new_area["openedBy"]["id"] == second["id"] and new_area["closedBy"] is None
        feeders = [
            (i["relationship"], i["from"], i["to"], i["parent"]["code"])
            for i in data["transformer"]["history"]
        ]
        assert feeders == [  # by start, then end
            ("SUPPLIES", None, "2026-06-01", "F2"),
            ("OWNS_TRANSFORMER", None, None, "Z2"),
            ("SUPPLIES", "2026-06-01", None, "F1"),
        ]
        one = api.data("query($id: ID!) { changeset(id: $id) { actor note } }", {"id": first_id})[
            "changeset"
        ]
        assert one["actor"] == "李工" and one["note"].endswith("a")
        assert api.data('{ changeset(id: "nope") { id } }')["changeset"] is None


def test_histories_of_a_page_of_meters_cost_one_call_per_relationship(
    store: Store, tmp_path: Path
) -> None:
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    for api in make_api(store, tmp_path):
        api.store.calls.clear()
        data = api.data(
            '{ transformer(code: "T1") { meters(first: 10) { edges { node { code '
            "history { relationship } } } } } }"
        )
        assert len(data["transformer"]["meters"]["edges"]) == 4
        assert api.store.calls["histories"] == 3  # HAS_METER, USES_METER, READS: 4 meters each
        assert api.store.calls["links_of"] == 0
