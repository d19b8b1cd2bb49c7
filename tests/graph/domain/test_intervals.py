"""The interval rules every write checks: no empty interval, no overlap."""

from __future__ import annotations

import datetime as dt

from graph.domain.intervals import can_begin_on, can_end_on

JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)


def test_an_interval_ends_after_it_begins() -> None:
    assert can_end_on(JUNE_1, JUNE_2)
    assert not can_end_on(JUNE_1, JUNE_1)  # [June 1, June 1) would hold no day
    assert not can_end_on(JUNE_2, JUNE_1)


def test_the_next_interval_begins_no_earlier_than_the_last_end() -> None:
    assert can_begin_on(JUNE_1, JUNE_1)  # [.., June 1) then [June 1, ..): adjacent
    assert can_begin_on(JUNE_1, JUNE_2)
    assert not can_begin_on(JUNE_2, JUNE_1)  # would overlap June 1
