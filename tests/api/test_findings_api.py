"""findings over GraphQL, both stores: the generated feeder of
tests/graph/series/findings/test_findings_on_generated.py, paged and filtered, on a meter, in
a station principal's scope, and what a request asking for it costs."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.domain.access import Role
from graph.stores.contract import Store
from loaders.generate_households import read_truth
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.api.conftest import TODAY, Api, add_principal, make_api
from tests.graph.series.findings.test_findings_on_generated import END, START, _generated

PERIOD = {"from": START.isoformat(), "to": END.isoformat()}
STATION_KEY = "tq_test-station-key-for-the-findings-tests-0"
FINDING = """kind score transformer { code } meter { code } likelyTransformer { code }
             likelyMultiplier since lossImpactKwh evidence { name value }"""


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Iterator[tuple[Api, Path]]:
    folder = _generated(tmp_path)
    load_folder(store, folder, today=TODAY, series=Settings(home=tmp_path / "home").series_folder())
    yield from ((api, folder) for api in make_api(store, tmp_path, home="home"))


def _feeder(folder: Path) -> str:
    with (folder / "feeders.csv").open(encoding="utf-8") as fh:
        return next(csv.DictReader(fh))["feeder_code"]


def test_a_feeders_findings_paged_and_filtered(loaded: tuple[Api, Path]) -> None:
    api, folder = loaded
    truth = read_truth(folder)
    query = f"""query($from: Date!, $to: Date!, $kinds: [FindingKind!], $after: String) {{
        feeder(code: "{_feeder(folder)}") {{
            findings(from: $from, to: $to, kinds: $kinds, first: 3, after: $after) {{
                totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {FINDING} }} }}
            }}
        }}
    }}"""
    every = api.query(query, PERIOD)
    assert "errors" not in every, every
    assert every["extensions"]["cost"]["requested"] >= 1_000  # an analysis is dear
    page = every["data"]["feeder"]["findings"]
    assert page["totalCount"] > 3 and page["pageInfo"]["hasNextPage"]
    scores = [e["node"]["score"] for e in page["edges"]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    after = page["pageInfo"]["endCursor"]
    second = api.data(query, {**PERIOD, "after": after})["feeder"]["findings"]
    assert second["edges"][0]["node"]["score"] <= scores[-1]
    gate = next(t for t in truth if t.kind == "WRONG_MULTIPLIER")
    [found] = api.data(query, {**PERIOD, "kinds": ["WRONG_MULTIPLIER"]})["feeder"]["findings"][
        "edges"
    ]
    node = found["node"]
    assert node["kind"] == "WRONG_MULTIPLIER"
    assert node["meter"] == {"code": gate.meter_code}
    assert node["transformer"] == {"code": gate.transformer_code}
    assert node["likelyMultiplier"] == gate.likely_multiplier
    evidence = {d["name"]: d["value"] for d in node["evidence"]}
    assert (
        float(evidence["loss_rate_archived"]) < -0.03 or float(evidence["loss_rate_archived"]) > 0.2
    )


def test_a_meters_findings(loaded: tuple[Api, Path]) -> None:
    api, folder = loaded
    anomaly = next(t for t in read_truth(folder) if t.kind == "READING_ANOMALY")
    data = api.data(
        f"""query($from: Date!, $to: Date!) {{
            meter(code: "{anomaly.meter_code}") {{ findings(from: $from, to: $to) {{ {FINDING} }} }}
        }}""",
        PERIOD,
    )
    found = data["meter"]["findings"]
    assert found and {f["meter"]["code"] for f in found} == {anomaly.meter_code}
    details = {d["value"] for f in found for d in f["evidence"] if d["name"] == "anomaly"}
    assert anomaly.detail in details
    assert anomaly.since is not None and anomaly.since.isoformat() in {f["since"] for f in found}


def test_a_station_sees_the_findings_of_its_own_areas_only(
    loaded: tuple[Api, Path], store: Store
) -> None:
    api, folder = loaded
    with (folder / "transformers.csv").open(encoding="utf-8") as fh:
        owner = {r["transformer_code"]: r["org_code"] for r in csv.DictReader(fh)}
    station = sorted(set(owner.values()))[0]
    mine = {a for a, o in owner.items() if o == station}
    add_principal(store, "station", STATION_KEY, Role.MARKETING, org=station)
    # The network of a principal below the top unit is its unit's subtree.
    query = """query($from: Date!, $to: Date!) {
        network {
            findings(from: $from, to: $to, first: 100) {
                totalCount edges { node { transformer { code } } }
            }
        }
    }"""
    headers = {"Authorization": f"Bearer {STATION_KEY}"}
    seen = api.data(query, PERIOD, headers=headers)["network"]["findings"]
    everything = api.data(query, PERIOD)["network"]["findings"]
    areas = {e["node"]["transformer"]["code"] for e in seen["edges"]}
    assert areas <= mine
    assert seen["totalCount"] < everything["totalCount"]


def test_a_period_too_short_for_an_analysis_is_refused(loaded: tuple[Api, Path]) -> None:
    api, folder = loaded
    body = api.query(
        f"""{{ feeder(code: "{_feeder(folder)}") {{
            findings(from: "2026-10-01", to: "2026-10-05") {{ totalCount }} }} }}"""
    )
    assert "at least 14 days" in body["errors"][0]["message"]
