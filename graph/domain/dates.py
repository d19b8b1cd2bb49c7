"""The dates a caller may give: an effective date of a change, the days of a loss period.

Within [earliest, today + days_ahead]: a change dated 9999-12-31 would be the open-interval
sentinel itself (an interval that "holds now" twice, never to move again), 0001-01-02 the day
after the unbounded past, 2100-01-01 a typing slip; none is a date a utility means. Both
bounds are settings (TAIQU_EARLIEST_DATE, TAIQU_MAX_DAYS_AHEAD), so the sentinels BEGINNING and
FOREVER can never be input.

>>> bounds = DateBounds(dt.date(2000, 1, 1), 366)
>>> bounds.problem(dt.date(2026, 6, 1), dt.date(2026, 12, 2)) is None
True
>>> bounds.problem(dt.date(9999, 12, 31), dt.date(2026, 12, 2))
'9999-12-31 is more than 366 days after today (2026-12-02)'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_EARLIEST = dt.date(2000, 1, 1)
DEFAULT_DAYS_AHEAD = 366


@dataclass(frozen=True)
class DateBounds:
    earliest: dt.date = DEFAULT_EARLIEST
    days_ahead: int = DEFAULT_DAYS_AHEAD

    def latest(self, today: dt.date) -> dt.date:
        return today + dt.timedelta(days=self.days_ahead)

    def problem(self, day: dt.date, today: dt.date) -> str | None:
        """Why `day` is refused, or None when it is within the bounds."""
        if day < self.earliest:
            return f"{day} is before {self.earliest}, the earliest date accepted"
        if day > self.latest(today):
            return f"{day} is more than {self.days_ahead} days after today ({today})"
        return None


DEFAULT_BOUNDS = DateBounds()
