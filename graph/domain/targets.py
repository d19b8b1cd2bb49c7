"""Targets of the indicators, per org unit and period (`YYYY` or `YYYY-MM`), with their history.

A target is never changed in place: setting another value records a new version, and the one
recorded last at or before a moment answers for that moment (the assessment the meeting saw
stays reproducible). A month without a target of its own takes its year's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

_PERIOD = re.compile(r"(\d{4})(?:-(\d{2}))?")

TargetKey = tuple[str, str, str]  # (org, period, indicator)


@dataclass(frozen=True)
class Target:
    """One version of one target."""

    org: str
    period: str  # "2026" for the year, "2026-06" for a month
    indicator: str  # a name of graph/indicators/definitions.py
    target: float
    recorded_at: dt.datetime  # UTC, to the second
    source: str  # the file loaded, or "setTargets by NAME"

    @property
    def key(self) -> TargetKey:
        return (self.org, self.period, self.indicator)


def period_problem(period: str) -> str | None:
    """Why `period` is not `YYYY` or `YYYY-MM` (None when it is)."""
    found = _PERIOD.fullmatch(period)
    if found is None or not 1900 <= int(found[1]) <= 2999:
        return f"period {period!r} is neither a year (2026) nor a month (2026-06)"
    if found[2] is not None and not 1 <= int(found[2]) <= 12:
        return f"period {period!r}: the month must be 01 to 12"
    return None


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a `YYYY-MM` or `YYYY` period (checked before)."""
    year, _, month = period.partition("-")
    if not month:
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    first = dt.date(int(year), int(month), 1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def period_of(start: dt.date, end: dt.date) -> str | None:
    """The period [start, end] is exactly (a calendar month or year), else None."""
    month = f"{start.year:04d}-{start.month:02d}"
    if (start, end) == month_bounds(month):
        return month
    if (start, end) == month_bounds(f"{start.year:04d}"):
        return f"{start.year:04d}"
    return None


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def current(
    versions: Iterable[Target], as_of: dt.datetime | None = None
) -> dict[TargetKey, Target]:
    """Each key's version recorded last at or before `as_of` (None: the newest; without a
    time zone: UTC, as versions are recorded)."""
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)
    found: dict[TargetKey, Target] = {}
    for v in versions:
        if as_of is not None and v.recorded_at > as_of:
            continue
        kept = found.get(v.key)
        if kept is None or v.recorded_at >= kept.recorded_at:
            found[v.key] = v
    return found


def unit_targets(
    current_targets: dict[TargetKey, Target], period: str
) -> dict[str, dict[str, float]]:
    """Each unit's target of each indicator for `period` (a month's own, else its year's), in
    one pass over the targets."""
    found: dict[str, dict[str, float]] = {}
    for wanted in periods_answering(period)[::-1]:  # the year's first: a month's own overwrites
        for (org, held_period, name), t in current_targets.items():
            if held_period == wanted:
                found.setdefault(org, {})[name] = t.target
    return found


def targets_for(
    current_targets: dict[TargetKey, Target], org: str, period: str
) -> dict[str, float]:
    """`org`'s target of each indicator for `period`: a month's own, else its year's."""
    return unit_targets(current_targets, period).get(org, {})


def periods_answering(period: str) -> list[str]:
    """The stored periods a target for `period` may come from (the month and its year)."""
    return [period] if len(period) == 4 else [period, period[:4]]
