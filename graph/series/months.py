"""Balances of one month file as cumulative sums per area, cached by file name.

Balance files are immutable (a new generation writes a new name), so a cached month can never
be stale; the cache holds a bounded number of months, so memory does not grow with stored days.
A period's sum for an area is two subtractions per measure and month, however many days it
spans (the reader does them inline: it is the hot loop of every answer).
"""

from __future__ import annotations

import calendar
import datetime as dt
import threading
from array import array
from collections import OrderedDict

import duckdb

from graph.series import sql
from graph.series.judge import DAY_WEIGHTS, SCALE

_LOSS_MEASURES = 4  # the measures before the technical ones in a month row
_MONTH = {technical: sql.month_units(SCALE, technical, DAY_WEIGHTS) for technical in (False, True)}


class MonthBalances:
    """cum[area][m][i] = sum of measure m over the month's days before day i (0-based).

    Measures in `cum`: gate meter-days read, other meter-days read, supply units, sales
    units; in `technical` (apart, so that answers without the split never touch them):
    technical-loss units, technical days (packed: judge.DAY_WEIGHTS).
    """

    def __init__(
        self,
        first_day: dt.date,
        cum: dict[str, list[array]],
        technical: dict[str, list[array]],
    ) -> None:
        self.first_day = first_day
        self.cum = cum
        self.technical = technical

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, path: str, month: str) -> MonthBalances:
        first = dt.date.fromisoformat(month + "-01")
        length = calendar.monthrange(first.year, first.month)[1]
        daily: dict[str, list[array]] = {}
        columns = {name for (name,) in con.execute(sql.MONTH_COLUMNS, {"file": path}).fetchall()}
        query = _MONTH["technical_kwh" in columns]
        for area, day, *values in con.execute(query, {"file": path}).fetchall():
            rows = daily.get(area)
            if rows is None:
                rows = daily[area] = [array("q", bytes(8 * (length + 1))) for _ in values]
            i = (day - first).days + 1
            for m, value in enumerate(values):
                rows[m][i] = value
        for rows in daily.values():
            for series in rows:
                for i in range(1, length + 1):
                    series[i] += series[i - 1]
        cum = {area: rows[:_LOSS_MEASURES] for area, rows in daily.items()}
        technical = {area: rows[_LOSS_MEASURES:] for area, rows in daily.items()}
        return cls(first, cum, technical)


class MonthCache:
    """A bounded LRU of MonthBalances keyed by file path; thread-safe."""

    def __init__(self, capacity: int = 15) -> None:
        self.capacity = capacity
        self._months: OrderedDict[str, MonthBalances] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, con: duckdb.DuckDBPyConnection, path: str, month: str) -> MonthBalances:
        with self._lock:
            found = self._months.get(path)
            if found is not None:
                self._months.move_to_end(path)
                return found
            found = MonthBalances.read(con, path, month)
            self._months[path] = found
            while len(self._months) > self.capacity:
                self._months.popitem(last=False)
            return found
