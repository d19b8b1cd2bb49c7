"""`taiqu load DIR`: parse -> validate -> plan -> apply, all or nothing.

A folder may hold topology files, `readings.csv`, or both. Everything is validated before
anything is written; then the topology is applied, the series copy of it synced, and the
readings merged.
"""

from __future__ import annotations

import datetime as dt
import getpass
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.domain import clock
from graph.domain.changes import ChangeSet, ChangesetRecord, new_record
from graph.domain.dates import DEFAULT_BOUNDS, DateBounds
from graph.domain.errors import InputError, LoadRejected
from graph.domain.model import Kind
from graph.series.curves import CurvesReport, write_curves
from graph.series.files import SeriesFolder
from graph.series.readings import ReadingsReport, write_readings
from graph.series.writer import connect, ensure_synced
from graph.services.write import write_topology
from graph.stores.contract import Progress, Store
from graph.stores.factory import open_store
from graph.stores.neo4j.import_files import ImportFiles, write_import_files
from loaders import curves as curves_file
from loaders import readings as readings_file
from loaders.exchange import ReadOptions, parse_folder
from loaders.gc_pause import paused_gc
from loaders.plan import PlanSummary, plan
from loaders.problems import Problem, warnings_unless_errors
from loaders.validate import validate


@dataclass
class LoadReport:
    summary: PlanSummary
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_written: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # the store's apply alone (parse, validate and plan excluded)
    readings_read: int = 0
    readings: ReadingsReport | None = None
    curves: CurvesReport | None = None
    readings_seconds: float = 0.0  # validating and storing readings.csv

    @property
    def changed(self) -> bool:
        written = self.readings and (self.readings.added or self.readings.replaced)
        shaped = self.curves and self.curves.written
        return self.rows_written > 0 or bool(written) or bool(shaped)


def _quiet(_: str) -> None:
    return None


def load_folder(
    store: Store,
    folder: Path,
    *,
    effective: dt.date | None = None,
    today: dt.date | None = None,
    progress: Progress = _quiet,
    series: SeriesFolder | None = None,
    actor: str | None = None,
    bounds: DateBounds = DEFAULT_BOUNDS,
    read: ReadOptions | None = None,
    dry_run: bool = False,
) -> LoadReport:
    """Load an exchange-format folder into `store`.

    Raises LoadRejected with every problem (file, line, column) when any error exists;
    then nothing is written. Loading the same folder again writes nothing. `readings.csv` is
    read only with a `series` folder (where readings and balances are kept). `dry_run`:
    everything checked and planned as for a load, nothing written (the report counts what a
    load would write).
    """
    started = time.perf_counter()
    day = today or clock.today()
    folder = Path(folder)
    planned = _plan_folder(store, folder, effective, day, progress, actor, bounds, read)
    changes, summary, problems, rows_read = planned
    readings_path = folder / readings_file.FILE
    curves_path = folder / curves_file.FILE
    series_files = [p for p in (readings_path, curves_path) if p.is_file()]
    if dry_run and series is not None and series_files and not series.root.is_dir():
        why = "not checked in a dry run: the home has no series folder yet"
        problems.extend(Problem(p.name, 1, None, None, why, "warning") for p in series_files)
        return _checked_only(summary, problems, rows_read, started, None, None)
    if series is None or not series_files:
        for path in series_files:
            problems.append(
                Problem(path.name, 1, None, None, "not read: no series folder", "warning")
            )
        if dry_run:
            return _checked_only(summary, problems, rows_read, started, None, None)
        return _write(store, series, changes, summary, problems, rows_read, started, progress)
    readings_started = time.perf_counter()
    if not dry_run:
        ensure_synced(series, store, progress)
    with (
        tempfile.TemporaryDirectory(dir=None if dry_run else series.root) as tmp,
        closing(connect(series)) as con,
    ):
        staged, curves = _stage_series(
            con, series, folder, changes, day, Path(tmp), problems, progress
        )
        staging = time.perf_counter() - readings_started
        if dry_run:
            return _checked_only(summary, problems, rows_read, started, staged, curves)
        report = _write(store, series, changes, summary, problems, rows_read, started, progress)
        if curves is not None:
            report.curves = write_curves(series, curves.curves)
        if staged is not None:
            writing = time.perf_counter()
            report.readings = write_readings(
                series, staged, readings_path.name, dt.datetime.now(dt.UTC).replace(tzinfo=None)
            )
            report.readings_read = staged.rows
            report.readings_seconds = staging + time.perf_counter() - writing
            report.seconds = time.perf_counter() - started
    return report


def _stage_series(
    con: Any,
    series: SeriesFolder,
    folder: Path,
    changes: ChangeSet,
    day: dt.date,
    tmp: Path,
    problems: list[Problem],
    progress: Progress,
) -> tuple[Any, Any]:
    """The folder's readings and curves read and checked (staged under `tmp`), not stored."""
    readings_path = folder / readings_file.FILE
    curves_path = folder / curves_file.FILE
    meters_file = series.read().topology.get("meters")
    stored_meters = series.path(meters_file) if meters_file else None  # codes already known
    created = [e.code for e in changes.created.get(Kind.METER, [])]
    staged = curves = None
    if readings_path.is_file():
        staged = readings_file.stage_readings(
            con,
            readings_path,
            meters_file=stored_meters,
            extra_meter_codes=created,
            today=day,
            tmp=tmp,
            problems=problems,
        )
        progress(f"read {readings_file.FILE}: {staged.rows if staged else 0:,} readings")
    if curves_path.is_file():
        curves = curves_file.stage_curves(
            con,
            curves_path,
            meters_file=stored_meters,
            extra_meter_codes=created,
            today=day,
            problems=problems,
        )
        progress(f"read {curves_file.FILE}: {curves.rows if curves else 0:,} curves")
    return staged, curves


def _checked_only(
    summary: PlanSummary,
    problems: list[Problem],
    rows_read: int,
    started: float,
    staged: Any,
    curves: Any,
) -> LoadReport:
    """A dry run's report: LoadRejected when any error was found; else nothing written."""
    warnings = warnings_unless_errors(problems)
    report = LoadReport(summary, warnings, rows_read, 0, time.perf_counter() - started)
    report.readings_read = staged.rows if staged is not None else 0
    return report


Planned = tuple[ChangeSet, PlanSummary, list[Problem], int]  # + every problem, rows read


def _plan_folder(
    store: Store,
    folder: Path,
    effective: dt.date | None,
    day: dt.date,
    progress: Progress,
    actor: str | None,
    bounds: DateBounds,
    read: ReadOptions | None = None,
) -> Planned:
    """Parse, validate and plan `folder` against `store`; problems are returned, not raised."""
    problem = bounds.problem(effective, day) if effective is not None else None
    if problem:
        raise InputError(f"--effective: {problem}")
    if not folder.is_dir():
        raise LoadRejected([Problem(str(folder), 0, None, None, "not a folder")])
    problems: list[Problem] = []
    with paused_gc():  # millions of acyclic objects: see loaders.gc_pause
        parsed = parse_folder(folder, problems, read)
        rows_read = sum(len(pf.rows) for pf in parsed)
        for pf in parsed:
            progress(f"read {pf.spec.file}: {len(pf.rows):,} rows")
        snapshot = validate(parsed, store, problems)
        errors = sum(p.severity == "error" for p in problems)
        # Said as it is: "validated" before a list of errors read as if they did not count.
        progress(f"checked: {errors:,} error(s), nothing will be written" if errors else "checked")
        changes, summary = plan(snapshot, store, effective, day, problems)
        del parsed, snapshot
    changes.record = load_record(summary, folder, effective, actor)
    return changes, summary, problems, rows_read


@dataclass
class OfflineReport:
    """A first load written as import files (`taiqu load --offline`), not into a store."""

    summary: PlanSummary
    files: ImportFiles
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    seconds: float = 0.0


def load_offline(
    folder: Path,
    out: Path,
    *,
    effective: dt.date | None = None,
    today: dt.date | None = None,
    progress: Progress = _quiet,
    actor: str | None = None,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> OfflineReport:
    """Validate and plan `folder` as a first load into an empty graph and write it as files
    for Neo4j's offline importer into `out` (graph/stores/neo4j/import_files.py).

    The same checks as `load_folder` (every problem, file, line and column; nothing written
    when any is an error), against an empty store: every reference must be in the folder.
    Readings are not imported this way: load the folder again once the server runs (the
    topology then writes nothing, the readings go to the series folder).
    """
    started = time.perf_counter()
    day = today or clock.today()
    folder = Path(folder)
    with tempfile.TemporaryDirectory(prefix="taiqu-offline-") as tmp:
        empty = open_store(Path(tmp))  # a real, empty store: what the import goes into
        try:
            planned = _plan_folder(empty, folder, effective, day, progress, actor, bounds)
        finally:
            empty.close()
    changes, summary, problems, rows_read = planned
    for name in (readings_file.FILE, curves_file.FILE):
        if (folder / name).is_file():
            problems.append(
                Problem(
                    name,
                    1,
                    None,
                    None,
                    "not imported offline: run `taiqu load` on this folder once the server runs",
                    "warning",
                )
            )
    warnings = warnings_unless_errors(problems)
    progress(f"writing {changes.row_count():,} changes as import files into {out}")
    files = write_import_files(changes, Path(out))
    return OfflineReport(summary, files, warnings, rows_read, time.perf_counter() - started)


def who() -> str:
    """The operating-system user running the command (for audit records)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # containers may run as a uid without a name
        return "unknown"


def load_record(
    summary: PlanSummary, folder: Path, effective: dt.date | None, actor: str | None
) -> ChangesetRecord:
    """The audit record of a load: who, when, which folder, what it counted."""
    counts = {
        "created": sum(summary.created.values()),
        "updated": sum(summary.updated.values()),
        "moved": sum(summary.moved.values()),
        "linked": summary.linked,
    }
    return new_record("load", actor or who(), effective, counts, note=str(folder))


def _write(
    store: Store,
    series: SeriesFolder | None,
    changes: ChangeSet,
    summary: PlanSummary,
    problems: list[Problem],
    rows_read: int,
    started: float,
    progress: Progress,
) -> LoadReport:
    """Raise when any error was found; else apply the topology and sync the series copy."""
    warnings = warnings_unless_errors(problems)
    written = write_topology(store, changes, series, progress)
    return LoadReport(
        summary,
        warnings,
        rows_read,
        changes.row_count(),
        time.perf_counter() - started,
        written.apply_seconds,
    )
