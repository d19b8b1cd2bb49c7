"""The audit record every write carries, built one way."""

from __future__ import annotations

import datetime as dt
import re

from graph.domain.changes import ChangeSet, ChangesetRecord, LinkClose, new_record
from graph.domain.model import Entity, Kind, Link, Rel


def test_new_record_is_stamped_now_with_a_sortable_unique_id() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    day = dt.date(2026, 11, 4)
    record = new_record("meterMove", "李工", day, {"moved": 1}, "event meterMove", {"meter": "M2"})
    assert before <= record.created_at <= dt.datetime.now(dt.UTC)
    assert record.created_at.microsecond == 0
    assert re.fullmatch(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{6}", record.id)
    assert (record.source, record.actor, record.effective) == (
        "meterMove",
        "李工",
        dt.date(2026, 11, 4),
    )
    assert (record.counts, record.note, record.details) == (
        {"moved": 1},
        "event meterMove",
        {"meter": "M2"},
    )
    assert record.graph_version == 0  # the store stamps it when it writes the record
    assert ChangesetRecord.from_json(record.to_json()) == record
    assert new_record("load", "x", None, {}).id != new_record("load", "x", None, {}).id


def test_a_change_set_counts_its_rows() -> None:
    day = dt.date(2026, 6, 1)
    changes = ChangeSet(
        created={Kind.METER: [Entity(Kind.METER, "M9", {})]},
        closed=[LinkClose(Rel.HAS_METER, "M1", day)],
        opened=[Link(Rel.HAS_METER, "T2", "M1", day)],
    )
    assert changes.row_count() == 3 and not changes.is_empty()
    assert ChangeSet().is_empty()
