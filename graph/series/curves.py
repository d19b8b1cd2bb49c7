"""Store validated 96-point curves (curves.csv) in day files and recompute the technical loss
of the days whose curves changed.

A curve for a stored meter-day replaces it; loading the same curves again publishes nothing.
Curves shape technical loss only (supply and sales come from the readings), so a day without
readings has nothing to recompute.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from graph.domain.errors import StoreError
from graph.series import sql
from graph.series.files import SeriesFolder, next_generation
from graph.series.writer import (
    connect,
    recompute_balances,
    table_from_csv,
    table_of,
    technical_views,
    write_csv,
)

Curve = tuple[float, ...]


@dataclass(frozen=True)
class CurvesReport:
    written: int  # meter-days new or changed
    unchanged: int
    days_written: int


def _stored(con: duckdb.DuckDBPyConnection, path: str) -> dict[int, Curve]:
    rows = con.execute(sql.CURVES_OF_DAY, {"file": path}).fetchall()
    return {int(meter_id): tuple(values) for meter_id, *values in rows}


def write_curves(folder: SeriesFolder, curves: dict[tuple[str, dt.date], Curve]) -> CurvesReport:
    """Merge validated `curves` ((meter_code, day) -> 96 kW) into the folder."""
    with folder.writing() as current, tempfile.TemporaryDirectory(dir=folder.root) as tmp:
        if "meters" not in current.topology:
            raise StoreError("the series folder has no meters yet: load the topology first")
        con = connect(folder)
        try:
            ids = dict(
                con.execute(
                    sql.METER_IDS_OF, {"file": folder.path(current.topology["meters"])}
                ).fetchall()
            )
            by_day: dict[dt.date, dict[int, Curve]] = {}
            for (code, day), curve in curves.items():
                by_day.setdefault(day, {})[int(ids[code])] = curve
            gen = current.generation + 1
            files = dict(current.curves)
            written = unchanged = 0
            touched: list[str] = []
            for day, incoming in sorted(by_day.items()):
                key = day.isoformat()
                old = _stored(con, folder.path(files[key])) if key in files else {}
                changed = {m: c for m, c in incoming.items() if old.get(m) != c}
                written += len(changed)
                unchanged += len(incoming) - len(changed)
                if not changed:
                    continue
                merged = old | changed
                path = Path(tmp) / f"{key}.csv"
                write_csv(
                    path, ("meter_id", *sql.CURVE_POINTS), ((m, *merged[m]) for m in sorted(merged))
                )
                con.execute(sql.DROP_DAY_CURVES)
                table_from_csv(con, "day_curves", path, sql.CURVE_COLUMNS)
                files[key] = folder.new_name(gen, "curves", key)
                con.execute(sql.copy_to(sql.DAY_CURVES, folder.path(files[key])))
                touched.append(key)
            if not touched:
                return CurvesReport(0, unchanged, 0)
            balances = current.balances
            read = [d for d in touched if d in current.readings]
            if read:
                table_of(con, folder, [current.topology["memberships"]], "memberships",
                         "memberships")  # fmt: skip
                technical_views(con, folder, current)
                balances = recompute_balances(
                    con,
                    folder,
                    current,
                    gen,
                    read,
                    [current.readings[d] for d in read],
                    None,
                    curve_files=files,
                )
            folder.publish(current, next_generation(current, curves=files, balances=balances))
            return CurvesReport(written, unchanged, len(touched))
        finally:
            con.close()
