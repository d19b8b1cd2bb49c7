"""An analysis over a period: the areas asked, read with the other areas of their feeders
(a meter may be fed by a sibling outside the subtree), every detector run, the findings that
show in the areas asked (or name one of them as the likely area), highest score first. A
feeder's findings are kept in the series folder and reused while its data is unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb

from graph.series import sql
from graph.series.files import Manifest, SeriesFolder
from graph.series.findings import anomalies, misplaced, multiplier, theft
from graph.series.findings.inputs import Floats, PeriodInputs, period_inputs
from graph.series.findings.kept import KeptFindings, fingerprints, groups_of
from graph.series.findings.model import Finding, FindingKind
from graph.series.findings.regression import Residuals, residuals

SURE = 0.5  # the score from which a misplacement is taken as fact for the second round
Detector = Callable[[PeriodInputs, list[Residuals | None]], list[Finding]]
DETECTORS: dict[FindingKind, Detector] = {
    FindingKind.METER_IN_OTHER_AREA: misplaced.find,
    FindingKind.THEFT_SUSPECT: theft.find,
    FindingKind.WRONG_MULTIPLIER: multiplier.find,
    FindingKind.READING_ANOMALY: anomalies.find,
}


def analyze(inputs: PeriodInputs, kinds: Iterable[FindingKind] | None = None) -> list[Finding]:
    """Every finding of `kinds` (None: all) in the inputs' areas, highest score first.

    Two rounds: the meters surely fed by another area and the registers surely wrong (stopped,
    or import registered as export) are found first, and the losses corrected for them (the
    use moved back to the area that feeds it; what was not registered taken out); then every
    detector runs on the corrected losses, so that one fault does not blur the fits of its
    neighbours (a stopped register's days must not make a neighbour a theft suspect)."""
    wanted = set(DETECTORS if kinds is None else kinds)
    loss = inputs.loss_kwh
    fits = _fits(inputs, loss)
    sure = [f for f in misplaced.find(inputs, fits) if f.score >= SURE]
    wrong_registers = [
        f
        for f in anomalies.find(inputs, fits)
        if f.score >= SURE and dict(f.evidence)["anomaly"] in anomalies.UNREGISTERED
    ]
    if sure or wrong_registers:
        loss = _corrected(inputs, loss, sure, wrong_registers)
    fits = _fits(inputs, loss)
    found: list[Finding] = list(sure)
    known = {f.meter for f in sure}
    for kind in DETECTORS:
        if kind in wanted or kind == FindingKind.METER_IN_OTHER_AREA:
            found.extend(f for f in DETECTORS[kind](inputs, fits) if not _seen(f, known))
    found = _explained(found)
    found = [f for f in found if f.kind in wanted]
    found.sort(key=Finding.sort_key)
    return found


def _fits(inputs: PeriodInputs, loss: Floats) -> list[Residuals | None]:
    return [residuals(loss[a], inputs.supply_kwh[a]) for a in range(len(inputs.areas))]


def _seen(f: Finding, misplaced_meters: set[str | None]) -> bool:
    """A misplacement found in the first round (its effect is gone from the second)."""
    return f.kind == FindingKind.METER_IN_OTHER_AREA and f.meter in misplaced_meters


def _corrected(
    inputs: PeriodInputs, loss: Floats, misplaced: list[Finding], registers: list[Finding]
) -> Floats:
    """The losses as they would be with each sure misplaced meter under its likely area and
    each wrong register's days as the meter used them."""
    row_of_area = {a: k for k, a in enumerate(inputs.areas)}
    row_of_meter = {m: k for k, m in enumerate(inputs.meters)}
    corrected = loss.copy()
    for f in misplaced:
        use = inputs.filled_kwh[row_of_meter[str(f.meter)]]
        corrected[row_of_area[f.transformer]] += use
        corrected[row_of_area[str(f.likely_transformer)]] -= use
    for f in registers:
        i = row_of_meter[str(f.meter)]
        corrected[row_of_area[f.transformer]] -= anomalies.unregistered_kwh(inputs, i, f)
    return corrected


def _explained(found: list[Finding]) -> list[Finding]:
    """Without theft suspects that a misplacement explains: the use of a meter fed by
    another area lowers its archived area's loss day by day, so any drop of that use raises
    the archived area's loss as theft would."""
    misplaced = {f.meter for f in found if f.kind == FindingKind.METER_IN_OTHER_AREA}
    return [f for f in found if not (f.kind == FindingKind.THEFT_SUSPECT and f.meter in misplaced)]


def feeders_on(
    con: duckdb.DuckDBPyConnection, folder: SeriesFolder, manifest: Manifest, day: dt.date
) -> dict[str, str]:
    """Each area's feeder on `day` (SUPPLIES: feeder -> transformer)."""
    links = manifest.topology.get("links")
    if not links:
        return {}
    query = sql.FINDING_FEEDERS
    return dict(con.execute(query, {"links": folder.path(links), "day": day}).fetchall())


@dataclass(frozen=True)
class Analysis:
    findings: list[Finding]  # highest score first
    groups: int  # feeders (or areas without one) the areas asked belong to
    analysed: int  # of them analysed now; the others' findings were kept from before


def analyze_areas(
    folder: SeriesFolder,
    areas: list[str],
    start: dt.date,
    end: dt.date,
    kinds: Iterable[FindingKind] | None = None,
    keep: bool = True,
) -> Analysis:
    """The findings of `areas` over [start, end] from the series copy: each of their feeders
    analysed whole, or its findings kept from an earlier analysis of the same data (`keep`)."""
    manifest = folder.read()
    kept = KeptFindings(folder) if keep else None
    con = duckdb.connect()
    try:
        feeder_of = feeders_on(con, folder, manifest, end)
        groups = groups_of(areas, feeder_of)
        prints = fingerprints(con, folder, manifest, groups, start, end) if kept else {}
        by_group: dict[str, list[Finding]] = {}
        for key in groups:
            found = kept.get(start, end, key, prints[key]) if kept else None
            if found is not None:
                by_group[key] = found
        stale = [key for key in groups if key not in by_group]
        if stale:
            context = sorted({a for key in stale for a in groups[key]})
            inputs = period_inputs(con, folder, manifest, context, feeder_of, start, end)
            group_of = {a: key for key in stale for a in groups[key]}
            fresh: dict[str, list[Finding]] = {key: [] for key in stale}
            for f in analyze(inputs):  # every kind: the kept findings serve any later ask
                fresh[group_of[f.transformer]].append(f)
            for key in stale:
                by_group[key] = fresh[key]
                if kept:
                    kept.put(start, end, key, prints[key], fresh[key])
    finally:
        con.close()
    wanted, wanted_kinds = set(areas), set(FindingKind if kinds is None else kinds)
    found = [
        f
        for group in by_group.values()
        for f in group
        if f.kind in wanted_kinds and (f.transformer in wanted or f.likely_transformer in wanted)
    ]
    found.sort(key=Finding.sort_key)
    return Analysis(found, len(groups), len(stale))
