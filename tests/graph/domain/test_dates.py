"""The dates a caller may give: never the open-interval sentinel, nor a typing slip."""

from __future__ import annotations

import datetime as dt

from graph.domain.dates import DateBounds
from graph.domain.model import BEGINNING, FOREVER

TODAY = dt.date(2026, 12, 2)
BOUNDS = DateBounds(dt.date(2000, 1, 1), 366)


def test_dates_within_the_bounds_are_accepted() -> None:
    for day in (dt.date(2000, 1, 1), TODAY, dt.date(2027, 12, 3)):
        assert BOUNDS.problem(day, TODAY) is None


def test_the_sentinels_and_far_dates_are_refused() -> None:
    assert BOUNDS.problem(FOREVER, TODAY) == (
        "9999-12-31 is more than 366 days after today (2026-12-02)"
    )
    assert BOUNDS.problem(dt.date(2100, 1, 1), TODAY) is not None
    assert BOUNDS.problem(dt.date(2027, 12, 4), TODAY) is not None  # a year and two days
    assert BOUNDS.problem(BEGINNING, TODAY) == (
        "0001-01-01 is before 2000-01-01, the earliest date accepted"
    )
    assert BOUNDS.problem(dt.date(1, 1, 2), TODAY) is not None
    assert BOUNDS.problem(dt.date(1999, 12, 31), TODAY) is not None
