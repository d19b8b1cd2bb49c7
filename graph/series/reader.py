"""Loss answers for the API, read from the series folder without ever taking its writer lock.

An in-memory DuckDB holds the small tables every answer needs (areas' meter counts over time,
the placement links, the transformer list) and reloads them when the manifest changes; balances
and readings stay in their Parquet files and only the months or days of the asked period are
read, so memory stays flat however many days are stored.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import duckdb

from graph.errors import InputError
from graph.series import sql
from graph.series.files import Manifest, SeriesFolder
from graph.series.loss import (
    AreaLoss,
    LossOrder,
    LossRules,
    LossStatus,
    LossSummary,
    RankingPage,
    Reading,
    ReadingCorrection,
)
from graph.series.writer import literal

SCOPE_KINDS = tuple(sql.SCOPES)
_SMALL_TABLES = {
    "spans": "area VARCHAR, valid_from DATE, valid_to DATE, gates INTEGER, meters INTEGER",
    "links": "rel VARCHAR, parent VARCHAR, child VARCHAR, valid_from DATE, valid_to DATE",
    "transformers": "code VARCHAR",
}


def _months(start: dt.date, end: dt.date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class LossReader:
    """Thread-safe: each thread queries through its own cursor of one in-memory database."""

    def __init__(self, folder: SeriesFolder, rules: LossRules) -> None:
        self.folder = folder
        self.rules = rules
        self._db = duckdb.connect()
        self._db.execute("SET threads = 2")
        self._local = threading.local()
        self._reload = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._manifest = Manifest()
        self._db.execute(sql.EMPTY_BALANCES.format(name="no_balances").replace("TEMP ", ""))

    def close(self) -> None:
        self._db.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur: duckdb.DuckDBPyConnection | None = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._db.cursor()
            self._local.cur = cur
        return cur

    def manifest(self) -> Manifest:
        """The current manifest; reloads the small tables when a writer published a new one."""
        stamp = self.folder.stamp()
        if stamp != self._stamp:
            with self._reload:
                if stamp != self._stamp:
                    manifest = self.folder.read()
                    cur = self._db.cursor()
                    for name, columns in _SMALL_TABLES.items():
                        file = manifest.topology.get(name)
                        source = (
                            f"SELECT * FROM read_parquet({literal(self.folder.path(file))})"
                            if file
                            else "SELECT * FROM (SELECT NULL) WHERE false"
                        )
                        cur.execute(f"CREATE OR REPLACE TABLE {name} ({columns})")
                        if file:
                            cur.execute(f"INSERT INTO {name} {source}")
                    cur.close()
                    self._manifest, self._stamp = manifest, stamp
        return self._manifest

    # --- loss ---------------------------------------------------------------------------
    def _classified(
        self, mode: str, kind: str, codes: Sequence[str], start: dt.date, end: dt.date
    ) -> tuple[str, dict[str, Any]]:
        if kind not in sql.SCOPES:
            raise ValueError(f"unknown scope kind {kind!r}")
        self.rules.check_period(start, end)
        manifest = self.manifest()
        files = [
            self.folder.path(manifest.balances[m])
            for m in _months(start, end)
            if m in manifest.balances
        ]
        query = sql.CLASSIFIED.format(
            on_days=sql.ON_DAYS[mode],
            scope=sql.SCOPES[kind],
            grid=sql.GRID[mode],
            balances=sql.BALANCE_SOURCES["files" if files else "none"],
        )
        params: dict[str, Any] = {
            "from": start,
            "to": end,
            "min_coverage": str(self.rules.min_coverage),
            "high_rate": str(self.rules.high_rate),
        }
        if kind != "network":
            params["roots"] = list(codes)
        if files:
            params["balances"] = files
        return query, params

    def summaries(
        self, kind: str, codes: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, LossSummary]:
        """The roll-up of each root over [start, end] (root "" for the network)."""
        classified, params = self._classified("summary", kind, codes, start, end)
        rows = (
            self._cursor()
            .execute(f"WITH classified AS ({classified}) {sql.ROLLUP}", params)
            .fetchall()
        )
        found = {row[0]: _summary(row, start, end) for row in rows}
        keys = [""] if kind == "network" else codes
        return {code: found.get(code, LossSummary(start, end)) for code in keys}

    def series(
        self, kind: str, codes: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, list[LossSummary]]:
        """One roll-up per day of [start, end] for each root, each day on that day's topology."""
        classified, params = self._classified("series", kind, codes, start, end)
        rows = (
            self._cursor()
            .execute(f"WITH classified AS ({classified}) {sql.ROLLUP}", params)
            .fetchall()
        )
        found = {(row[0], row[1]): row for row in rows}
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        keys = [""] if kind == "network" else codes
        return {
            code: [
                _summary(found[(code, d)], d, d) if (code, d) in found else LossSummary(d, d)
                for d in days
            ]
            for code in keys
        }

    def areas(self, codes: Sequence[str], start: dt.date, end: dt.date) -> dict[str, AreaLoss]:
        """Each transformer's own balance over [start, end]."""
        classified, params = self._classified("summary", "transformer", codes, start, end)
        rows = (
            self._cursor()
            .execute(f"WITH classified AS ({classified}) {sql.AREAS}", params)
            .fetchall()
        )
        return {row[1]: _area(row, start, end) for row in rows}

    def ranking(
        self,
        kind: str,
        code: str,
        start: dt.date,
        end: dt.date,
        order: LossOrder,
        statuses: Sequence[LossStatus] | None,
        first: int,
        offset: int,
    ) -> RankingPage:
        """A page of the areas under one root, ordered by `order` (ties by code)."""
        if offset < 0:
            raise InputError("the cursor is not valid here")
        classified, params = self._classified("summary", kind, [code], start, end)
        params |= {
            "statuses": [s.value for s in (statuses or list(LossStatus))],
            "limit": first + 1,
            "offset": offset,
        }
        query = f"WITH classified AS ({classified}) " + sql.RANKING.format(
            order=sql.RANKING_ORDER[LossOrder(order).value]
        )
        rows = self._cursor().execute(query, params).fetchall()
        total = int(rows[0][-1]) if rows else self._count(kind, code, start, end, statuses)
        items = [_area(row, start, end) for row in rows[:first]]
        return RankingPage(items, total, offset, len(rows) > first)

    def _count(
        self,
        kind: str,
        code: str,
        start: dt.date,
        end: dt.date,
        statuses: Sequence[LossStatus] | None,
    ) -> int:
        """The total for a page past the end (the window count came with no row)."""
        summary = self.summaries(kind, [code] if kind != "network" else [], start, end)
        s = summary["" if kind == "network" else code]
        by_status = {
            LossStatus.NORMAL: s.normal_count,
            LossStatus.HIGH: s.high_count,
            LossStatus.NEGATIVE: s.negative_count,
            LossStatus.UNCOMPUTABLE: s.uncomputable_count,
        }
        return sum(by_status[st] for st in (statuses or list(LossStatus)))

    # --- readings -------------------------------------------------------------------------
    def readings(
        self, meter_codes: Sequence[str], start: dt.date, end: dt.date
    ) -> dict[str, list[Reading]]:
        """Each meter's stored readings over [start, end], oldest first."""
        self.rules.check_period(start, end)
        manifest = self.manifest()
        found: dict[str, list[Reading]] = {code: [] for code in meter_codes}
        meters_file = manifest.topology.get("meters")
        day_files = [
            self.folder.path(f)
            for d, f in sorted(manifest.readings.items())
            if start.isoformat() <= d <= end.isoformat()
        ]
        if not meters_file or not day_files or not meter_codes:
            return found
        cur = self._cursor()
        keys = cur.execute(
            sql.METER_KEYS, {"file": self.folder.path(meters_file), "codes": list(meter_codes)}
        ).fetchall()
        for code, meter_id, multiplier in keys:
            rows = cur.execute(
                sql.METER_READINGS,
                {"files": day_files, "meter_id": meter_id, "from": start, "to": end},
            ).fetchall()
            found[code] = [Reading(day, imp, exp, Decimal(multiplier)) for day, imp, exp in rows]
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
                    "from": start,
                    "to": end,
                },
            )
            .fetchall()
        )
        for code, *fields in rows:
            found[code].append(ReadingCorrection(*fields))
        return found


def _summary(row: tuple[Any, ...], start: dt.date, end: dt.date) -> LossSummary:
    (_, _, count, normal, high, negative, uncomputable, supply, sales, loss, read, expected) = row
    return LossSummary(
        start,
        end,
        count,
        normal,
        high,
        negative,
        uncomputable,
        supply,
        sales,
        loss,
        int(read),
        int(expected),
    )


def _area(row: tuple[Any, ...], start: dt.date, end: dt.date) -> AreaLoss:
    (
        _,
        area,
        days,
        gate_days,
        gate_expected,
        gate_read,
        meter_expected,
        meter_read,
        supply,
        sales,
        loss,
        no_gate,
        gate_missing,
        no_supply,
        low_coverage,
        status,
    ) = row[:16]
    return AreaLoss(
        area,
        start,
        end,
        days,
        gate_days,
        gate_expected,
        gate_read,
        meter_expected,
        meter_read,
        supply,
        sales,
        loss,
        LossStatus(status),
        no_gate,
        gate_missing,
        no_supply,
        low_coverage,
    )
