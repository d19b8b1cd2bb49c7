"""The five change events over GraphQL, on both stores: each writes one changeset with its
details, dated on the effective date, and loss follows; each invalid input is a typed
rejection naming the field, with nothing written; no duty, no write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import Api, week_api

TODAY = dt.date(2026, 11, 28)
TOKEN = "tq_" + "t" * 32
WRITER = {"Authorization": f"Bearer {TOKEN}"}
RESULT = """... on ChangeRejected { errors { field message } }
  ... on ChangeWritten { changeset { source actor effective graphVersion
      details { name value } counts { kind count } } }"""


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    yield from week_api(store, tmp_path, writers=(("李工", TOKEN),))


def _event(api: Api, mutation: str, fields: dict[str, Any], extra: str = "") -> dict[str, Any]:
    text = f"mutation($input: {mutation[0].upper()}{mutation[1:]}Input!) {{ {mutation}(input: "
    text += f"$input) {{ __typename {RESULT} {extra} }} }}"
    return api.data(text, {"input": fields}, headers=WRITER)[mutation]


def _errors(answer: dict[str, Any]) -> list[tuple[str | None, str]]:
    assert answer["__typename"] == "ChangeRejected", answer
    return [(e["field"], e["message"]) for e in answer["errors"]]


def _details(answer: dict[str, Any]) -> dict[str, str]:
    return {d["name"]: d["value"] for d in answer["changeset"]["details"]}


def _version(api: Api) -> int:
    return api.store.inner.version()


def _area_loss(api: Api, area: str) -> float:
    query = (
        "query($t: String!) { transformer(code: $t) { "
        'loss(from: "2026-11-01", to: "2026-11-07") { lossKwh } } }'
    )
    return api.data(query, {"t": area})["transformer"]["loss"]["lossKwh"]


def _area_of(api: Api, meter: str, day: str) -> str | None:
    query = "query($m: String!, $d: Date) { meter(code: $m, asOf: $d) { transformer { code } } }"
    found = api.data(query, {"m": meter, "d": day})["meter"]["transformer"]
    return None if found is None else found["code"]


def test_no_duty_no_write(api: Api) -> None:
    """The default reader is marketing: moving meters is customer service's duty."""
    version = _version(api)
    text = 'mutation { meterMove(input: {meter: "M2", toArea: "T2"}) { __typename } }'
    body = api.query(text)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["message"] == "meterMove is not among the duties of marketing"
    assert _version(api) == version


def test_no_valid_key_no_answer_at_all(api: Api) -> None:
    version = _version(api)
    text = 'mutation { meterMove(input: {meter: "M2", toArea: "T2"}) { __typename } }'
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong-key-wrong-key"}):
        response = api.client.post("/graphql", json={"query": text}, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert _version(api) == version


def test_meter_move_and_loss_follows(api: Api) -> None:
    assert (_area_loss(api, "T1"), _area_loss(api, "T2")) == (350, -350)
    moved = _event(
        api,
        "meterMove",
        {"meter": "M2", "toArea": "T2", "effective": "2026-11-04"},
        "... on MeterMoved { meter { code transformer { code } } }",
    )
    assert moved["__typename"] == "MeterMoved"
    assert moved["meter"] == {"code": "M2", "transformer": {"code": "T2"}}
    cs = moved["changeset"]
    assert (cs["source"], cs["actor"], cs["effective"]) == ("meterMove", "李工", "2026-11-04")
    # Dated within the days already read: recorded as a correction of November 4th..7th.
    assert _details(moved) == {
        "meter": "M2",
        "from_area": "T1",
        "to_area": "T2",
        "corrects_from": "2026-11-04",
        "corrects_to": "2026-11-07",
    }
    assert {"kind": "corrected_days", "count": 4} in cs["counts"]
    assert (_area_of(api, "M2", "2026-11-03"), _area_of(api, "M2", "2026-11-04")) == ("T1", "T2")
    # M2's 150 kWh a day count in T2 from the 4th: T1 sells 450 less, T2 600 more.
    assert (_area_loss(api, "T1"), _area_loss(api, "T2")) == (950, -950)
    history = api.data('{ meter(code: "M2") { history { relationship to openedBy { source } } } }')
    assert {"relationship": "HAS_METER", "to": None, "openedBy": {"source": "meterMove"}} in (
        history["meter"]["history"]
    )


def test_meter_move_rejections_write_nothing(api: Api) -> None:
    version = _version(api)
    assert _errors(_event(api, "meterMove", {"meter": "M404", "toArea": "T404"})) == [
        ("meter", 'unknown Meter "M404"'),
        ("toArea", 'unknown Transformer "T404"'),
    ]
    assert _errors(_event(api, "meterMove", {"meter": "G1", "toArea": "T2"})) == [
        ("meter", "G1 is a gate meter: gate meters stay with their area")
    ]
    assert _errors(_event(api, "meterMove", {"meter": "M2", "toArea": "T1"})) == [
        ("toArea", "M2 is in T1 already")
    ]
    assert _version(api) == version
    _event(api, "meterMove", {"meter": "M2", "toArea": "T2", "effective": "2026-07-01"})
    early = _event(api, "meterMove", {"meter": "M2", "toArea": "T1", "effective": "2026-06-01"})
    assert _errors(early) == [
        (
            "effective",
            "M2 is under T2 (HAS_METER) since 2026-07-01: the change must take effect after that",
        )
    ]
    assert _version(api) == version + 1


def test_meter_replace(api: Api) -> None:
    fields = {
        "oldMeter": "M1",
        "newMeter": "M1-2026",
        "finalRegisterKwh": 12345.6,
        "initialRegisterKwh": 0,
        "effective": "2026-11-10",
    }
    answer = _event(
        api,
        "meterReplace",
        fields,
        "... on MeterReplaced { newMeter { code role multiplier transformer { code } "
        "customer { code } } }",
    )
    assert answer["newMeter"] == {
        "code": "M1-2026",
        "role": "CUSTOMER",
        "multiplier": 1.0,
        "transformer": {"code": "T1"},
        "customer": {"code": "U1"},
    }
    assert _details(answer) == {
        "old_meter": "M1",
        "new_meter": "M1-2026",
        "final_register_kwh": "12345.6",
        "initial_register_kwh": "0",
        "area": "T1",
    }
    # The old meter stays through the day of the swap (its reading of that day counts).
    assert [_area_of(api, "M1", d) for d in ("2026-11-10", "2026-11-11")] == ["T1", None]
    assert _area_of(api, "M1-2026", "2026-11-10") == "T1"
    again = _event(api, "meterReplace", {**fields, "finalRegisterKwh": -1, "oldMeter": "M404"})
    assert _errors(again) == [
        ("oldMeter", 'unknown Meter "M404"'),
        ("newMeter", 'Meter "M1-2026" already exists'),
        ("finalRegisterKwh", "finalRegisterKwh must be between 0 and 1e+12 kWh, got -1.0"),
    ]


def test_transformer_replace(api: Api) -> None:
    answer = _event(
        api,
        "transformerReplace",
        {"transformer": "T1", "capacityKva": 630, "effective": "2026-11-10"},
        "... on TransformerReplaced { transformer { code capacityKva } }",
    )
    assert answer["transformer"] == {"code": "T1", "capacityKva": 630.0}
    assert _details(answer) == {
        "transformer": "T1",
        "capacity_kva_before": "400",
        "capacity_kva_after": "630",
    }
    assert _errors(
        _event(api, "transformerReplace", {"transformer": "T1", "capacityKva": 630})
    ) == [("capacityKva", "T1 has 630 kVA already")]
    assert _errors(_event(api, "transformerReplace", {"transformer": "T1", "capacityKva": 0})) == [
        ("capacityKva", "capacityKva must be between 1 and 100000 kVA, got 0.0")
    ]
    # The capacity is dated: 400 kVA until the 10th; it cannot change before that.
    before = api.data('{ transformer(code: "T1", asOf: "2026-11-09") { capacityKva } }')
    assert before == {"transformer": {"capacityKva": 400.0}}
    early = {"transformer": "T1", "capacityKva": 500, "effective": "2026-11-05"}
    assert _errors(_event(api, "transformerReplace", early)) == [
        ("effective", "T1's values hold from 2026-11-10: its capacity cannot change on 2026-11-05")
    ]


def test_on_the_day_of_a_swap_both_meters_count_each_with_its_multiplier(
    api: Api, tmp_path: Path
) -> None:
    """M2 (150 kWh a day, x1) is replaced on November 4th by M2N with a CT of x2. The old
    meter registered 100 kWh of the 4th before the swap, the new one 30 (x2 = 60) after it;
    from the 5th the new one registers 75 a day (x2 = 150). T1 sells 400 (M1) + 0 (V1) + M2."""
    _event(
        api,
        "meterReplace",
        {"oldMeter": "M2", "newMeter": "M2N", "finalRegisterKwh": 5000,
         "initialRegisterKwh": 0, "multiplier": 2, "effective": "2026-11-04"},
    )  # fmt: skip
    readings = "meter_code,date,import_kwh,export_kwh\nM2,2026-11-04,100,\nM2N,2026-11-04,30,\n"
    readings += "".join(f"M2N,2026-11-0{d},75,\n" for d in (5, 6, 7))
    readings += "".join(f"M2,2026-11-0{d},0,\n" for d in (5, 6, 7))  # not counted: gone
    folder = tmp_path / "swap"
    folder.mkdir()
    (folder / "readings.csv").write_text(readings, encoding="utf-8")
    series = Settings(home=tmp_path / "home").series_folder()
    load_folder(api.store.inner, folder, today=TODAY, series=series)
    query = """{ transformer(code: "T1") {
        lossSeries(from: "2026-11-03", to: "2026-11-05") { salesKwh } } }"""
    sales = [d["salesKwh"] for d in api.data(query)["transformer"]["lossSeries"]]
    assert sales == [400 + 150, 400 + 100 + 60, 400 + 150]


def test_area_move(api: Api) -> None:
    answer = _event(
        api,
        "areaMove",
        {"area": "T3", "toFeeder": "F1", "effective": "2026-07-01"},
        "... on AreaMoved { area { code feeder { code } } }",
    )
    assert answer["area"] == {"code": "T3", "feeder": {"code": "F1"}}
    assert _details(answer) == {
        "area": "T3",
        "from_feeder": "F2",
        "to_feeder": "F1",
        "corrects_from": "2026-11-01",  # July: before every day read, so all seven
        "corrects_to": "2026-11-07",
    }
    feeder = '{ transformer(code: "T3", asOf: "%s") { feeder { code } } }'
    assert api.data(feeder % "2026-06-30")["transformer"]["feeder"]["code"] == "F2"
    assert _errors(_event(api, "areaMove", {"area": "T3", "toFeeder": "F1"})) == [
        ("toFeeder", "T3 is supplied by F1 already")
    ]
    assert _errors(_event(api, "areaMove", {"area": "T3", "toFeeder": "F404"})) == [
        ("toFeeder", 'unknown Feeder "F404"')
    ]


def test_area_retire(api: Api) -> None:
    (problem,) = _errors(_event(api, "areaRetire", {"area": "T1"}))
    assert problem[0] == "area" and "still has 3 customer/pv meter(s)" in problem[1]
    answer = _event(
        api,
        "areaRetire",
        {"area": "T3", "effective": "2026-11-10"},
        "... on AreaRetired { area { code feeder { code } } }",
    )
    assert answer["area"] == {"code": "T3", "feeder": {"code": "F2"}}  # its last day
    assert _details(answer) == {"area": "T3", "gate_meters": "G3"}
    # The area and its gate meter end on the 10th: read as of then, they no longer exist.
    after = '{ transformer(code: "T3", asOf: "2026-11-10") { feeder { code } } }'
    assert api.data(after) == {"transformer": None}
    assert api.data('{ meter(code: "G3", asOf: "2026-11-10") { code } }') == {"meter": None}
    assert _area_of(api, "G3", "2026-11-09") == "T3"
    last_day = """{ transformer(code: "T3", asOf: "2026-11-09") { capacityKva
        valueHistory { from to closedBy { source } } } }"""
    assert api.data(last_day)["transformer"] == {
        "capacityKva": 200.0,
        "valueHistory": [{"from": None, "to": "2026-11-10", "closedBy": {"source": "areaRetire"}}],
    }
    assert _errors(_event(api, "areaRetire", {"area": "T3"})) == [
        ("area", "area T3 is retired (no SUPPLIES)")
    ]


def test_a_target_must_be_in_service_on_the_effective_date(api: Api) -> None:
    """T3 is under F1 from July: a meter cannot move into it (as T3's current interval) in
    June, and the problem says when T3's interval begins; nothing is written."""
    _event(api, "areaMove", {"area": "T3", "toFeeder": "F1", "effective": "2026-07-01"})
    version = _version(api)
    june = _event(api, "meterMove", {"meter": "M2", "toArea": "T3", "effective": "2026-06-15"})
    assert _errors(june) == [("effective", "area T3 is in service only from 2026-07-01")]
    assert _version(api) == version


def test_an_effective_date_out_of_bounds_is_a_rejection(api: Api) -> None:
    """effective 9999-12-31 (the open-interval sentinel) once left M2 with two intervals that
    both held now; far dates are refused and nothing is written."""
    version = _version(api)
    for day in ("9999-12-31", "2100-01-01", "0001-01-02"):
        answer = _event(api, "meterMove", {"meter": "M2", "toArea": "T2", "effective": day})
        assert [f for f, _ in _errors(answer)] == ["effective"]
        assert _errors(answer)[0][1].startswith(f"effective date {day} is ")
    assert _version(api) == version
    assert _area_of(api, "M2", "2026-11-28") == "T1"


def test_a_change_sent_again_with_its_key_is_written_once(api: Api) -> None:
    """The answer to a meterMove was lost; the client sends it again with the same key."""
    version = _version(api)
    fields = {"meter": "M2", "toArea": "T2", "effective": "2026-11-04", "clientMutationId": "a-1"}
    extra = "... on MeterMoved { meter { transformer { code } } }"
    first = _event(api, "meterMove", fields, extra)
    again = _event(api, "meterMove", fields, extra)
    assert first["__typename"] == again["__typename"] == "MeterMoved"
    assert again == first  # the same changeset, the same meter
    assert _details(first)["client_mutation_id"] == "a-1"
    assert _version(api) == version + 1
    # the key with another change: refused, nothing written
    other = _event(api, "meterMove", {**fields, "toArea": "T1"})
    (problem,) = _errors(other)
    assert problem[0] == "clientMutationId"
    assert problem[1].startswith("clientMutationId 'a-1' was sent before with another change")
    assert _version(api) == version + 1
