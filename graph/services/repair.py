"""Repairs of what earlier versions let into a store.

Before dates were bounded, a change event could be dated on the open-interval sentinel
(9999-12-31): it closed the meter's interval on that day, which still reads as open, and opened
one that holds on no day. The meter then had two "open" intervals, could never move again, and
every plan touching it was refused. `remove_empty_intervals` takes such intervals out (with an
audit record), which puts each meter back as it was before the event.
"""

from __future__ import annotations

from graph.domain.changes import ChangesetRecord, new_record
from graph.series.files import SeriesFolder
from graph.series.writer import ensure_synced
from graph.stores.contract import Store


def remove_empty_intervals(
    store: Store, actor: str, series: SeriesFolder | None
) -> ChangesetRecord | None:
    """The repair's changeset, or None when there was nothing to repair. The loss copy follows
    (a crash before it does leaves it behind the new graph version: the next start or write
    resyncs it)."""
    record = new_record(
        "repair", actor, None, {}, note="removed intervals that hold on no day (from >= to)"
    )
    if not store.remove_empty_intervals(record):
        return None
    if series is not None:
        ensure_synced(series, store)
    return store.changeset(record.id)
