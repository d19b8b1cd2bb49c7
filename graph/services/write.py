"""The one topology write path: mark the series copy stale, apply, sync.

Every write of topology (a load, a reconciliation plan, a change event, the demo's evidence)
comes through `write_topology`, so that the series copy loss reads can never silently miss a
write: it is marked stale before the store commits (a crash in between is repaired by the next
write or at server start) and synced after. Writes that touch nothing loss reads skip both.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from graph.domain.changes import ChangeSet
from graph.series.files import SeriesFolder
from graph.series.writer import (
    advance_version,
    corrected_days,
    ensure_synced,
    mark_topology_stale,
    sync_topology,
    touches_loss,
)
from graph.stores.contract import Progress, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteReport:
    """How long the store's apply and the series sync took (seconds); `loss_behind` when the
    topology was committed but the series copy could not follow (a full disk): it stays
    marked and is brought in step by the next write, a running server or the next start."""

    apply_seconds: float = 0.0
    sync_seconds: float = 0.0
    loss_behind: bool = False


def write_topology(
    store: Store,
    changes: ChangeSet,
    series: SeriesFolder | None,
    progress: Progress | None = None,
    expect_version: int | None = None,
) -> WriteReport:
    """Write a validated change set to `store` and keep `series` in step with it.

    With `expect_version`, the store refuses (StalePlan, nothing written) when the graph is
    at another version. An empty change set writes nothing; the series copy is still brought
    in step when it is missing or a crash left it stale.
    """
    follow = series if series is not None and touches_loss(changes) else None
    if follow is not None:
        changes = _as_correction(changes, corrected_days(changes, follow.read()))
    started = time.perf_counter()
    if not changes.is_empty():
        if progress:
            progress(f"writing {changes.row_count():,} changes")
        if follow is not None:
            mark_topology_stale(follow)
        store.apply(changes, progress, expect_version=expect_version)
    applied = time.perf_counter()
    if series is None:
        return WriteReport(applied - started)
    try:
        _follow(store, changes, series, follow is not None, progress)
    except Exception:
        if changes.is_empty():
            raise  # nothing was committed: the failure is the answer
        # Committed: the write stands and must not be reported as failed. The copy's version
        # (or its stale mark) says it is behind, so readiness and the next writer repair it.
        log.exception("written, but the loss copy could not follow; it will be resynced")
        if progress:
            progress("written; the loss copy could not follow (see the log): it is resynced "
                     "by the next write or when the server notices")  # fmt: skip
        return WriteReport(applied - started, time.perf_counter() - applied, loss_behind=True)
    return WriteReport(applied - started, time.perf_counter() - applied)


def _as_correction(changes: ChangeSet, days: list[str]) -> ChangeSet:
    """Record in the changeset which days of loss it corrects (days already read): an
    assessment reported on them can be shown to have changed, and by which write."""
    record = changes.record
    if not days or record is None:
        return changes
    counts = {**record.counts, "corrected_days": len(days)}
    details = {**record.details, "corrects_from": days[0], "corrects_to": days[-1]}
    return replace(changes, record=replace(record, counts=counts, details=details))


def _follow(
    store: Store, changes: ChangeSet, series: SeriesFolder, sync: bool, progress: Progress | None
) -> None:
    """Bring the series copy in step after a commit: a full sync when the change touches
    what loss reads, else only its version (and any earlier write it missed)."""
    if sync:
        sync_topology(series, store, progress)
        return
    if changes.record is not None and not changes.is_empty():
        written = store.changeset(changes.record.id)
        if written is not None:
            advance_version(series, written.graph_version - 1, written.graph_version)
    ensure_synced(series, store, progress)
