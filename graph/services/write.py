"""The one topology write path: mark the series copy stale, apply, sync.

Every write of topology (a load, a reconciliation plan, a change event, the demo's evidence)
comes through `write_topology`, so that the series copy loss reads can never silently miss a
write: it is marked stale before the store commits (a crash in between is repaired by the next
write or at server start) and synced after. Writes that touch nothing loss reads skip both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from graph.domain.changes import ChangeSet
from graph.series.files import SeriesFolder
from graph.series.writer import (
    advance_version,
    ensure_synced,
    mark_topology_stale,
    sync_topology,
    touches_loss,
)
from graph.stores.contract import Progress, Store


@dataclass(frozen=True)
class WriteReport:
    """How long the store's apply and the series sync took (seconds)."""

    apply_seconds: float = 0.0
    sync_seconds: float = 0.0


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
    started = time.perf_counter()
    if not changes.is_empty():
        if progress:
            progress(f"writing {changes.row_count():,} changes")
        if follow is not None:
            mark_topology_stale(follow)
        store.apply(changes, progress, expect_version=expect_version)
    applied = time.perf_counter()
    if follow is not None:
        sync_topology(follow, store, progress)
    elif series is not None:
        if changes.record is not None and not changes.is_empty():
            written = store.changeset(changes.record.id)
            if written is not None:
                advance_version(series, written.graph_version - 1, written.graph_version)
        ensure_synced(series, store, progress)
    return WriteReport(applied - started, time.perf_counter() - applied)
