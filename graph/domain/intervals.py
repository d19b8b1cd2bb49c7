"""The rules of validity intervals [valid_from, valid_to): how one may end and the next begin.

Every write that closes or opens an interval (a load, a reconciliation plan, a change event)
checks these two rules, so that history never holds an empty or overlapping interval.

>>> can_end_on(dt.date(2026, 6, 1), dt.date(2026, 6, 2))
True
>>> can_end_on(dt.date(2026, 6, 1), dt.date(2026, 6, 1))
False
>>> can_begin_on(dt.date(2026, 6, 1), dt.date(2026, 6, 1))
True
"""

from __future__ import annotations

import datetime as dt


def can_end_on(valid_from: dt.date, day: dt.date) -> bool:
    """Whether an interval that began on `valid_from` may end on `day`: it must hold at least
    one day, so it cannot end on or before its start."""
    return day > valid_from


def can_change_values_on(values_from: dt.date, day: dt.date) -> bool:
    """Whether an entity's values that hold from `values_from` may change on `day`: on that
    very day they are replaced, before it they cannot (an interval cannot end before it
    began). Ending them for good is `can_end_on`: it needs a day they held."""
    return day >= values_from


def can_begin_on(last_end: dt.date, day: dt.date) -> bool:
    """Whether a child's new interval may begin on `day` when its last one ended on
    `last_end`: never before that end, or the two would overlap."""
    return day >= last_end
