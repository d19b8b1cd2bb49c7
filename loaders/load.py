"""`taiqu load DIR`: parse -> validate -> plan -> apply, all or nothing."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import LoadRejected
from graph.store import Progress, Store
from loaders.exchange import parse_folder
from loaders.plan import PlanSummary, plan
from loaders.problems import Problem
from loaders.validate import validate


@dataclass
class LoadReport:
    summary: PlanSummary
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_written: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # the store's apply alone (parse, validate and plan excluded)

    @property
    def changed(self) -> bool:
        return self.rows_written > 0


def _quiet(_: str) -> None:
    return None


def load_folder(
    store: Store,
    folder: Path,
    *,
    effective: dt.date | None = None,
    today: dt.date | None = None,
    progress: Progress = _quiet,
) -> LoadReport:
    """Load an exchange-format folder into `store`.

    Raises LoadRejected with every problem (file, line, column) when any error exists;
    then nothing is written. Loading the same folder again writes nothing.
    """
    started = time.perf_counter()
    folder = Path(folder)
    if not folder.is_dir():
        raise LoadRejected([Problem(str(folder), 0, None, None, "not a folder")])
    problems: list[Problem] = []
    parsed = parse_folder(folder, problems)
    rows_read = sum(len(pf.rows) for pf in parsed)
    for pf in parsed:
        progress(f"read {pf.spec.file}: {len(pf.rows):,} rows")
    snapshot = validate(parsed, store, problems)
    progress("validated")
    changes, summary = plan(snapshot, store, effective, today or dt.date.today(), problems)
    errors = sorted(p for p in problems if p.severity == "error")
    if errors:
        raise LoadRejected(errors)
    progress(f"writing {changes.row_count():,} changes")
    writing = time.perf_counter()
    store.apply(changes, progress)
    done = time.perf_counter()
    warnings = sorted(p for p in problems if p.severity == "warning")
    return LoadReport(
        summary, warnings, rows_read, changes.row_count(), done - started, done - writing
    )
