"""Loss answers for the API, read from the series folder without ever taking its writer lock.

What every answer needs is held in memory and reloaded when the manifest changes: the placement
of areas in the network and org trees and their meter counts over time (`Placement`, sized by
the network), and the balances of recently asked months as cumulative sums (`MonthCache`,
bounded). Readings stay in their day files and are read only for the days asked. Memory stays
flat however many days are stored.
"""

from __future__ import annotations

import datetime as dt
import threading
from array import array
from collections.abc import Sequence
from decimal import Decimal

import duckdb

from graph.domain.errors import InputError
from graph.domain.scope import Scope
from graph.series import sql
from graph.series.files import Manifest, SeriesFolder
from graph.series.judge import AreaNumbers, Thresholds, flags, judge, rollup, technical_of
from graph.series.loss import (
    AreaLoss,
    LossOrder,
    LossRules,
    LossStatus,
    LossStep,
    LossSummary,
    RankingPage,
    Reading,
    ReadingCorrection,
)
from graph.series.months import MonthBalances, MonthCache
from graph.series.placement import Placement, SubtreeCounts


def _months(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The months of [start, end], each with the part of the period inside it."""
    found = []
    day = start
    while day <= end:
        nxt = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(end, nxt - dt.timedelta(days=1))
        found.append((f"{day.year:04d}-{day.month:02d}", day, last))
        day = nxt
    return found


def _buckets(start: dt.date, end: dt.date, step: LossStep) -> list[tuple[dt.date, dt.date]]:
    """The first and last day of each bucket of a series over [start, end]."""
    if step == LossStep.MONTH:
        return [(first, last) for _, first, last in _months(start, end)]
    return [(d, d) for d in (start + dt.timedelta(days=i) for i in range((end - start).days + 1))]


_MonthPart = tuple[MonthBalances, dt.date, dt.date]


_Ranked = tuple[str, AreaNumbers]


def _rate(item: _Ranked) -> float:
    """The loss rate for ordering (0 when there is none: those rank last anyway)."""
    n = item[1]
    return (n.supply_units - n.sales_units) / n.supply_units if n.supply_units > 0 else 0.0


def _management_key(item: _Ranked, sign: int) -> tuple[bool, float, str]:
    """Order by management loss rate (`sign` -1: highest first); ties by code, an area
    without one (supply <= 0, or a day without technical loss) last."""
    n = item[1]
    if n.supply_units <= 0 or not technical_of(n.days, n.technical_days)[0]:
        return True, 0.0, item[0]
    rate = (n.supply_units - n.sales_units - n.technical_units) / n.supply_units
    return False, sign * rate, item[0]


# Sort keys; ties by code, an area without a loss rate (supply <= 0) last.
_ORDER_KEYS = {
    LossOrder.LOSS_RATE_DESC: lambda i: (i[1].supply_units <= 0, -_rate(i), i[0]),
    LossOrder.LOSS_RATE_ASC: lambda i: (i[1].supply_units <= 0, _rate(i), i[0]),
    LossOrder.LOSS_KWH_DESC: lambda i: (i[1].sales_units - i[1].supply_units, i[0]),
    LossOrder.MANAGEMENT_LOSS_RATE_DESC: lambda i: _management_key(i, -1),
    LossOrder.MANAGEMENT_LOSS_RATE_ASC: lambda i: _management_key(i, 1),
}


_Part = tuple[dict[str, list[array]], dict[str, list[array]], int, int]


_NOT_ASKED = (0, 0)


def _technical_sums(parts: list[_Part], area: str) -> tuple[int, int]:
    """An area's technical-loss sums over the months' parts (only when an answer asks)."""
    units = days = 0
    for _, technical, lo, hi in parts:
        rows = technical.get(area)
        if rows is not None:
            te, td = rows
            units += te[hi] - te[lo]
            days += td[hi] - td[lo]
    return units, days


class LossReader:
    """Thread-safe: the API calls it from worker threads."""

    def __init__(self, folder: SeriesFolder, rules: LossRules, cached_months: int = 15) -> None:
        self.folder = folder
        self.rules = rules
        self._db = duckdb.connect()
        self._db.execute("SET threads = 1")  # small reads: one thread answers fastest
        self._local = threading.local()
        self._reload = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._manifest = Manifest()
        self._placement = Placement()
        self._months = MonthCache(cached_months)
        self._customers: dict[tuple[tuple[int, int] | None, dt.date], dict[str, int]] = {}

    def close(self) -> None:
        self._db.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur: duckdb.DuckDBPyConnection | None = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._db.cursor()
            self._local.cur = cur
        return cur

    def manifest(self) -> Manifest:
        """The current manifest; reloads the placement when a writer published a new one."""
        stamp = self.folder.stamp()
        if stamp != self._stamp:
            with self._reload:
                if stamp != self._stamp:
                    manifest = self.folder.read()
                    self._placement = self._read_placement(manifest)
                    self._manifest, self._stamp = manifest, stamp
        return self._manifest

    def _read_placement(self, manifest: Manifest) -> Placement:
        rows: dict[str, list] = {}
        for name, query in sql.PLACEMENT_FILES.items():
            file = manifest.topology.get(name)
            rows[name] = (
                self._cursor().execute(query, {"file": self.folder.path(file)}).fetchall()
                if file
                else []
            )
        return Placement.build((c for (c,) in rows["transformers"]), rows["links"], rows["spans"])

    def latest_day(self) -> dt.date | None:
        """The newest day with readings, None before any."""
        days = self.manifest().readings
        return dt.date.fromisoformat(max(days)) if days else None

    def areas_under(
        self, scope: Scope, code: str, day: dt.date, within: str | None = None
    ) -> list[str]:
        """The areas under a node on `day` (see Placement.areas_under)."""
        self.manifest()
        return self._placement.areas_under(scope, code, day, within)

    def subtree_counts(
        self, scope: Scope, code: str, day: dt.date, within: str | None = None
    ) -> SubtreeCounts:
        """How many areas, gate meters and other meters are under a node on `day` (`within`:
        in that org unit's subtree only)."""
        self.manifest()
        placement = self._placement
        areas = placement.areas_under(scope, code, day, within)
        gates = meters = 0
        for area in areas:
            g, m = placement.meters_on(area, day)
            gates, meters = gates + g, meters + m
        return SubtreeCounts(len(areas), gates, meters)

    def customer_meters(self, day: dt.date) -> dict[str, int]:
        """Customer meters (not gates, not pv) in service in each area on `day`; kept for the
        last few days asked until the copy changes."""
        manifest = self.manifest()
        key = (self._stamp, day)
        found = self._customers.get(key)
        if found is None:
            file = manifest.topology.get("memberships")
            rows = (
                self._cursor()
                .execute(sql.CUSTOMER_METERS_ON, {"file": self.folder.path(file), "day": day})
                .fetchall()
                if file
                else []
            )
            found = dict(rows)
            with self._reload:
                if len(self._customers) >= 8:
                    self._customers.clear()
                self._customers[key] = found
        return found

    # --- loss ---------------------------------------------------------------------------
    def _period(self, start: dt.date, end: dt.date) -> tuple[Placement, list[_MonthPart]]:
        """Check the period; the placement and each month's balances with its part of it."""
        self.rules.check_period(start, end)
        manifest = self.manifest()
        months = [
            (self._months.get(self._cursor(), self.folder.path(manifest.balances[m]), m), a, b)
            for m, a, b in _months(start, end)
            if m in manifest.balances
        ]
        return self._placement, months

    @staticmethod
    def _numbers(
        placement: Placement,
        months: list[_MonthPart],
        areas: Sequence[str],
        start: dt.date,
        end: dt.date,
        technical: bool = True,
    ) -> list[AreaNumbers]:
        """Each area's sums over [start, end] (inside the months given): meter counts from
        the placement, readings' sums from the months' balances; technical loss only when
        asked (without it, it is unknown: None)."""
        days = (end - start).days + 1
        # Per month: its cumulative sums and the indexes bounding the period's part of it.
        parts = []
        for month, a, b in months:
            first_day, last_day = max(a, start), min(b, end)
            if first_day <= last_day:
                base = month.first_day
                lo, hi = (first_day - base).days, (last_day - base).days + 1
                parts.append((month.cum, month.technical, lo, hi))
        found = []
        meter_days = placement.meter_days
        for area in areas:  # the hot loop of every answer: kept flat on purpose
            gate_read = meter_read = supply = sales = 0
            for cum, _, lo, hi in parts:
                rows = cum.get(area)
                if rows is not None:
                    g, m, su, sa = rows
                    gate_read += g[hi] - g[lo]
                    meter_read += m[hi] - m[lo]
                    supply += su[hi] - su[lo]
                    sales += sa[hi] - sa[lo]
            gate_days, gate_expected, meter_expected = meter_days(area, start, end)
            technical_units, technical_days = (
                _technical_sums(parts, area) if technical else _NOT_ASKED
            )
            found.append(
                AreaNumbers(
                    days,
                    gate_days,
                    gate_expected,
                    gate_read,
                    meter_expected,
                    meter_read,
                    supply,
                    sales,
                    technical_units,
                    technical_days,
                )
            )
        return found

    def _judged(
        self,
        placement: Placement,
        months: list[_MonthPart],
        areas: Sequence[str],
        start: dt.date,
        end: dt.date,
    ) -> list[AreaLoss]:
        numbers = self._numbers(placement, months, areas, start, end)
        return [judge(a, start, end, n, self.rules) for a, n in zip(areas, numbers, strict=True)]

    def _rollup(
        self,
        placement: Placement,
        months: list[_MonthPart],
        areas: Sequence[str],
        start: dt.date,
        end: dt.date,
        technical: bool = True,
    ) -> LossSummary:
        numbers = self._numbers(placement, months, areas, start, end, technical)
        return rollup(start, end, numbers, self.rules, technical)

    def summaries(
        self,
        scope: Scope,
        codes: Sequence[str],
        start: dt.date,
        end: dt.date,
        within: str | None = None,
        technical: bool = True,
    ) -> dict[str, LossSummary]:
        """The roll-up of each root over [start, end] (root "" for the network), over the
        areas under it on `end` (`within`: those in that org unit's subtree only; without
        `technical`, the split is left unknown)."""
        placement, months = self._period(start, end)
        roots = [""] if scope == Scope.NETWORK else list(codes)
        return {
            code: self._rollup(
                placement,
                months,
                placement.areas_under(scope, code, end, within),
                start,
                end,
                technical,
            )
            for code in roots
        }

    def series(
        self,
        scope: Scope,
        codes: Sequence[str],
        start: dt.date,
        end: dt.date,
        within: str | None = None,
        technical: bool = True,
        step: LossStep = LossStep.DAY,
    ) -> dict[str, list[LossSummary]]:
        """One roll-up per bucket of [start, end] for each root (each day, or each month's part
        of the period), each on the subtree as of the bucket's last day."""
        placement, months = self._period(start, end)
        buckets = _buckets(start, end, step)
        roots = [""] if scope == Scope.NETWORK else list(codes)
        return {
            code: [
                self._rollup(
                    placement,
                    months,
                    placement.areas_under(scope, code, last, within),
                    first,
                    last,
                    technical,
                )
                for first, last in buckets
            ]
            for code in roots
        }

    def areas(self, codes: Sequence[str], start: dt.date, end: dt.date) -> dict[str, AreaLoss]:
        """Each transformer's own balance over [start, end]."""
        placement, months = self._period(start, end)
        return {a.area: a for a in self._judged(placement, months, list(codes), start, end)}

    def ranking(
        self,
        scope: Scope,
        code: str,
        start: dt.date,
        end: dt.date,
        order: LossOrder,
        statuses: Sequence[LossStatus] | None,
        first: int,
        offset: int,
        within: str | None = None,
    ) -> RankingPage:
        """A page of the areas under one root on `end`, ordered by `order` (ties by code;
        a null loss rate last)."""
        if offset < 0:
            raise InputError("the cursor is not valid here")
        wanted = set(statuses or LossStatus)
        placement, months = self._period(start, end)
        areas = placement.areas_under(scope, code, end, within)
        numbers = self._numbers(placement, months, areas, start, end)
        t = Thresholds.of(self.rules)
        kept = [
            (area, n) for area, n in zip(areas, numbers, strict=True) if flags(n, t)[0] in wanted
        ]
        kept.sort(key=_ORDER_KEYS[LossOrder(order)])
        # Only the page is judged in full (reasons, decimals): a network has thousands of areas.
        page = [judge(area, start, end, n, self.rules) for area, n in kept[offset : offset + first]]
        return RankingPage(page, len(kept), offset, offset + first < len(kept))

    # --- readings -------------------------------------------------------------------------
    def readings(
        self, meter_codes: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, list[Reading]]:
        """Each meter's stored readings over [start, end], oldest first."""
        self.rules.check_period(start, end)
        manifest = self.manifest()
        found: dict[str, list[Reading]] = {code: [] for code in meter_codes}
        meters_file = manifest.topology.get("meters")
        values_file = manifest.topology.get("meter_values")
        day_files = [
            self.folder.path(f)
            for d, f in sorted(manifest.readings.items())
            if start.isoformat() <= d <= end.isoformat()
        ]
        if not meters_file or not values_file or not day_files or not meter_codes:
            return found
        params = {
            "meters": self.folder.path(meters_file),
            "values": self.folder.path(values_file),
            "codes": list(meter_codes),
            "files": day_files,
            "first_day": start,
            "last_day": end,
        }
        for code, day, imp, exp, multiplier in (
            self._cursor().execute(sql.METER_READINGS, params).fetchall()
        ):
            found[code].append(Reading(day, imp, exp, Decimal(multiplier)))
        return found

    def corrections(
        self, meter_codes: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, list[ReadingCorrection]]:
        """Each meter's replaced readings for days in [start, end], oldest replacement first."""
        self.rules.check_period(start, end)
        manifest = self.manifest()
        found: dict[str, list[ReadingCorrection]] = {code: [] for code in meter_codes}
        if not manifest.corrections or not meter_codes:
            return found
        rows = (
            self._cursor()
            .execute(
                sql.CORRECTIONS,
                {
                    "files": [self.folder.path(f) for f in manifest.corrections],
                    "codes": list(meter_codes),
                    "first_day": start,
                    "last_day": end,
                },
            )
            .fetchall()
        )
        for code, *fields in rows:
            found[code].append(ReadingCorrection(*fields))
        return found
