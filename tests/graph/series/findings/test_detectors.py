"""Each detector on a small hand-built feeder (tests/graph/series/findings/network.py): the
fault it must name, and the look-alikes it must leave alone."""

from __future__ import annotations

import numpy as np
import pytest

from graph.series.findings.analyze import analyze
from graph.series.findings.inputs import CUSTOMER, PV
from graph.series.findings.model import Finding, FindingKind
from graph.series.findings.regression import residuals
from tests.graph.series.findings.network import DAYS, START, Period

SURE = 0.5


def _sure(found: list[Finding], kind: FindingKind) -> list[Finding]:
    return [f for f in found if f.kind == kind and f.score >= SURE]


def _household(
    period: Period, code: str, area: int, level: float, seed: int, sigma: float = 0.45
) -> int:
    """A household whose days vary by `sigma` (in the log) on their own."""
    noise = np.exp(np.random.default_rng(seed).normal(0, sigma, DAYS))
    return period.add(code, area, CUSTOMER, 1.0, level * noise)


def test_a_meter_fed_by_another_area_is_named_with_that_area() -> None:
    period = Period(["A", "B", "C"])
    x = _household(period, "X", 0, 12.0, seed=7)
    period.physical[x] = 1  # archived under A, behind B's gate
    found = analyze(period.inputs())
    [finding] = _sure(found, FindingKind.METER_IN_OTHER_AREA)
    assert (finding.meter, finding.transformer, finding.likely_transformer) == ("X", "A", "B")
    evidence = dict(finding.evidence)
    assert 0.8 <= float(evidence["fitted_share"]) <= 1.2
    assert float(evidence["slope_in_archived_area"]) < 0 < float(evidence["slope_in_likely_area"])
    assert finding.loss_impact_kwh == pytest.approx(float(period.use[x].sum()), abs=0.01)


def test_rightly_archived_meters_are_not_found_elsewhere() -> None:
    found = analyze(Period(["A", "B", "C"]).inputs(), [FindingKind.METER_IN_OTHER_AREA])
    assert _sure(found, FindingKind.METER_IN_OTHER_AREA) == []


def test_theft_from_a_day_is_named_with_that_day() -> None:
    period = Period(["A", "B"])
    thief = _household(period, "T", 0, 15.0, seed=3, sigma=0.3)
    period.registered[thief][18:] *= 0.4
    [finding] = _sure(analyze(period.inputs()), FindingKind.THEFT_SUSPECT)
    assert (finding.meter, finding.transformer) == ("T", "A")
    assert finding.since is not None
    assert abs((finding.since - START).days - 18) <= 1
    missing = float((period.use[thief][18:] * 0.6).sum())
    assert finding.loss_impact_kwh == pytest.approx(missing, rel=0.3)


def test_a_household_using_less_is_not_a_thief() -> None:
    """Its use drops for good, and its gate sees the drop too: the area loses nothing."""
    period = Period(["A", "B"])
    moved_out = _household(period, "H", 0, 15.0, seed=3, sigma=0.3)
    period.use[moved_out][18:] *= 0.4
    period.registered[moved_out] = period.use[moved_out].copy()
    assert _sure(analyze(period.inputs()), FindingKind.THEFT_SUSPECT) == []


def test_theft_from_the_first_day_cannot_be_seen() -> None:
    """No level before to compare with: what the method cannot see (docs/findings.md)."""
    period = Period(["A", "B"])
    thief = _household(period, "T", 0, 15.0, seed=3, sigma=0.3)
    period.registered[thief] *= 0.4
    found = analyze(period.inputs(), [FindingKind.THEFT_SUSPECT])
    assert [f for f in found if f.meter == "T"] == []


def test_a_gate_with_the_wrong_multiplier_is_named_with_the_right_one() -> None:
    period = Period(["A", "B"])
    gate = period.row("G-B")
    period.real_multiplier[gate] = 160.0  # registers by 800/5; the archive says 400/5
    [finding] = _sure(analyze(period.inputs()), FindingKind.WRONG_MULTIPLIER)
    assert (finding.meter, finding.transformer, finding.likely_multiplier) == ("G-B", "B", 160.0)
    evidence = dict(finding.evidence)
    assert float(evidence["loss_rate_archived"]) < -0.5
    assert 0.0 <= float(evidence["loss_rate_likely"]) <= 0.06


def _large_customer(period: Period, area: int, level: float, archived: float, real: float) -> int:
    """A customer behind a CT whose register counts by `real` while the archive says
    `archived`: what it is said to use is its use x archived / real."""
    use = level * np.exp(np.random.default_rng(11).normal(0, 0.3, DAYS))
    i = period.add("K", area, CUSTOMER, archived, use)
    period.real_multiplier[i] = real
    period.registered[i] = use * archived / real
    return i


def test_a_customer_ct_with_the_wrong_multiplier_is_named_with_the_right_one() -> None:
    period = Period(["A", "B"])
    _large_customer(period, 0, 600.0, archived=40.0, real=160.0)  # 800/5 archived as 200/5
    [finding] = _sure(analyze(period.inputs()), FindingKind.WRONG_MULTIPLIER)
    assert (finding.meter, finding.transformer, finding.likely_multiplier) == ("K", "A", 160.0)
    evidence = dict(finding.evidence)
    assert evidence["meter_role"] == "customer"
    assert float(evidence["loss_rate_archived"]) > 0.3
    assert 0.0 <= float(evidence["loss_rate_likely"]) <= 0.06
    # The gate at 50 would give 9 %, but the customer's varying share leaves its days uneven.
    assert finding.score > 0.8


def test_when_the_gate_or_the_customer_ct_could_be_wrong_both_are_named_and_neither_is_sure() -> (
    None
):
    """An area almost all one large customer: its CT at x60 or the gate's at x80 both give a
    steady, plausible rate; the finding names the nearer to the feeder's typical rate and
    lists the other."""
    period = Period(["A", "B", "P"])
    gate = period.row("G-P")
    period.multiplier[gate] = period.real_multiplier[gate] = 120.0
    _large_customer(period, 2, 20_000.0, archived=40.0, real=60.0)
    found = analyze(period.inputs(), [FindingKind.WRONG_MULTIPLIER])
    [finding] = [f for f in found if f.transformer == "P"]
    assert (finding.meter, finding.likely_multiplier) == ("K", 60.0)
    also = [v for k, v in finding.evidence if k == "also_fits"]
    assert len(also) == 1 and also[0].startswith("G-P x80:")
    assert 0.2 < finding.score < SURE


def test_an_area_losing_a_sixth_is_high_not_a_wrong_multiplier() -> None:
    period = Period(["A", "B"], loss_rate=0.2)  # a 16.7 % loss rate: theft or lines, not a CT
    assert analyze(period.inputs(), [FindingKind.WRONG_MULTIPLIER]) == []


@pytest.mark.parametrize("anomaly", ["ZERO", "FLAT", "EXPORT_WITHOUT_PV", "JUMP", "MISSING"])
def test_each_reading_anomaly_is_named_with_its_first_day(anomaly: str) -> None:
    period = Period(["A", "B"])
    i = _household(period, "R", 0, 10.0, seed=5)
    registered = period.registered[i]
    if anomaly == "ZERO":
        registered[12:17] = 0.0
    elif anomaly == "FLAT":
        registered[12:17] = registered[12]
    elif anomaly == "EXPORT_WITHOUT_PV":
        period.export[i][12:] = registered[12:]
        registered[12:] = 0.0
    elif anomaly == "JUMP":
        registered[12] += 800.0
    else:
        registered[12:16] = np.nan
    found = [
        f
        for f in analyze(period.inputs(), [FindingKind.READING_ANOMALY])
        if f.meter == "R" and dict(f.evidence)["anomaly"] == anomaly
    ]
    assert len(found) == 1
    assert found[0].since is not None and (found[0].since - START).days == 12
    assert found[0].score >= SURE


def test_a_pv_meter_exporting_and_a_steady_household_are_no_anomaly() -> None:
    period = Period(["A", "B"])
    rng = np.random.default_rng(4)
    pv = period.add("V", 0, PV, 1.0, rng.uniform(0.2, 0.6, DAYS).round(2))
    period.export[pv] = rng.uniform(8, 14, DAYS).round(2)
    found = analyze(period.inputs(), [FindingKind.READING_ANOMALY])
    assert found == []


def test_one_bad_day_does_not_drown_its_area() -> None:
    """A jump of 800 kWh lowers A's loss on one day; the fit leaves that day out, so the
    misplaced meter is still found (and the jump is named)."""
    period = Period(["A", "B", "C"])
    x = _household(period, "X", 0, 12.0, seed=7)
    period.physical[x] = 1
    jumper = period.row("M-A-03")
    period.registered[jumper][20] += 800.0
    found = analyze(period.inputs())
    assert [f.meter for f in _sure(found, FindingKind.METER_IN_OTHER_AREA)] == ["X"]
    assert [f.meter for f in _sure(found, FindingKind.READING_ANOMALY)] == ["M-A-03"]


def test_a_day_far_off_the_fit_is_left_out() -> None:
    supply = np.linspace(1000, 1200, DAYS)
    loss = 0.03 * supply + np.random.default_rng(2).normal(0, 1, DAYS)
    loss[9] -= 500
    fit = residuals(loss, supply)
    assert fit is not None
    assert not fit.days[9] and fit.days.sum() == DAYS - 1
    assert np.sqrt(fit.sum_sq / fit.count) < 1.5


def test_findings_are_ordered_by_score_highest_first() -> None:
    period = Period(["A", "B", "C"])
    x = _household(period, "X", 0, 12.0, seed=7)
    period.physical[x] = 1
    period.registered[period.row("M-B-05")][10:14] = 0.0
    found = analyze(period.inputs())
    assert len(found) >= 2
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
