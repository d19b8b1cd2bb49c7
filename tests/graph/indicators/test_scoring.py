"""The assessment's arithmetic and the handed-down check, by hand."""

from __future__ import annotations

import re

import pytest

from graph.indicators.checks import handed_down_problem
from graph.indicators.definitions import IndicatorResult
from graph.indicators.scoring import ranks, score, share


def test_share_met_missed_and_unknown() -> None:
    assert share(IndicatorResult("lossRate", 0.05, 0.05)) == 1.0  # at the target: met
    assert share(IndicatorResult("lossRate", 0.06, 0.05)) == pytest.approx(0.8)
    assert share(IndicatorResult("qualifiedRate", 0.45, 0.9)) == pytest.approx(0.5)
    assert share(IndicatorResult("lossRate", 0.2, 0.05)) == 0.0  # never below nothing
    assert share(IndicatorResult("highCount", 2.0, 0.0)) == 0.0
    assert share(IndicatorResult("lossRate", None, 0.05)) is None
    assert share(IndicatorResult("lossRate", 0.05, None)) is None


def test_score_over_the_weights_that_could_be_earned() -> None:
    results = [
        IndicatorResult("lossRate", 0.06, 0.05),  # 0.8 of 40
        IndicatorResult("qualifiedRate", 0.95, 0.9),  # all of 20
        IndicatorResult("collectionRate", 0.99, None),  # no target: left out
    ]
    weights = {"lossRate": 40.0, "qualifiedRate": 20.0, "collectionRate": 15.0}
    assert score(results, weights) == pytest.approx(100 * (32 + 20) / 60)
    assert score(results[2:], weights) is None


def test_ranks_among_siblings_with_ties() -> None:
    scores = {"A": 90.0, "B": 80.0, "C": 90.0, "D": 70.0, "E": None, "F": 50.0}
    parents = {"A": "P", "B": "P", "C": "P", "D": "P", "E": "P", "F": "Q"}
    assert ranks(scores, parents) == {
        "A": (1, 4),
        "C": (1, 4),
        "B": (3, 4),
        "D": (4, 4),
        "E": (None, 4),
        "F": (1, 1),
    }


def test_handed_down_weighted_by_supply() -> None:
    # 0.04 on 300 kWh and 0.07 on 100 kWh average 0.0475: within a parent's 0.05.
    weights = {"X1": 300.0, "X2": 100.0}
    kids = {"X1": 0.04, "X2": 0.07}
    assert handed_down_problem("lossRate", 0.05, kids, weights) is None
    # Equal weights would average 0.055, above it.
    assert "0.055" in (handed_down_problem("lossRate", 0.05, kids, {}) or "")
    # A rate that must stay at least: below the parent's is the problem.
    assert handed_down_problem("qualifiedRate", 0.9, {"X1": 0.95, "X2": 0.8}, {}) is not None
    assert handed_down_problem("qualifiedRate", 0.85, {"X1": 0.95, "X2": 0.8}, {}) is None
    # Counts add up.
    assert handed_down_problem("highCount", 3, {"X1": 2, "X2": 2}, {}) is not None
    assert handed_down_problem("highCount", 4, {"X1": 2, "X2": 2}, {}) is None


def test_weights_from_the_environment() -> None:
    from graph.domain.errors import ConfigError
    from graph.indicators.scoring import DEFAULT_WEIGHTS
    from taiqu.settings import Settings

    assert dict(Settings.from_env({}).assessment_weights) == DEFAULT_WEIGHTS
    found = Settings.from_env({"TAIQU_ASSESSMENT_WEIGHTS": "lossRate=50, qualifiedRate=50"})
    assert found.assessment_weights == (("lossRate", 50.0), ("qualifiedRate", 50.0))
    for bad, message in (
        ("lossRate=x", "'lossRate=x' is not NAME=NUMBER"),
        ("foo=1", "unknown indicator(s) foo"),
        ("lossRate=nan", "finite numbers >= 0"),
        ("lossRate=-1", "finite numbers >= 0"),
        ("lossRate=0", "at least one weight is > 0"),
    ):
        with pytest.raises(ConfigError, match=re.escape(message)):
            Settings.from_env({"TAIQU_ASSESSMENT_WEIGHTS": bad})
