"""Store validated readings: merge them into the day files, record every replaced value, and
recompute the balances of the days that changed.

Re-importing identical readings publishes nothing. A new value for a stored meter-day replaces
it, and the replacement is kept in a corrections file (when, by which file, old and new).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from graph.domain.errors import StoreError
from graph.series import sql
from graph.series.files import SeriesFolder, next_generation
from graph.series.writer import literal, recompute_balances, table_of

_MERGE = f"""
CREATE TEMP TABLE inc AS
SELECT m.meter_id, i.meter_code, i.day, i.import_kwh::{sql.KWH} AS import_kwh,
       i.export_kwh::{sql.KWH} AS export_kwh
FROM incoming i JOIN cur_meters m ON m.code = i.meter_code
"""
_REPLACED = """
CREATE TEMP TABLE replaced AS
SELECT i.meter_code, i.day, o.import_kwh AS old_import_kwh, o.export_kwh AS old_export_kwh,
       i.import_kwh AS new_import_kwh, i.export_kwh AS new_export_kwh,
       $at::TIMESTAMP AS replaced_at, $source AS source
FROM inc i JOIN old_readings o ON o.meter_id = i.meter_id AND o.day = i.day
WHERE i.import_kwh <> o.import_kwh OR i.export_kwh <> o.export_kwh
"""
_ADDED = """
SELECT count(*) FROM inc i ANTI JOIN old_readings o ON o.meter_id = i.meter_id AND o.day = i.day
"""
_TOUCHED_DAYS = """
SELECT DISTINCT day FROM (
    SELECT day FROM replaced
    UNION ALL
    SELECT i.day FROM inc i ANTI JOIN old_readings o ON o.meter_id = i.meter_id AND o.day = i.day
) ORDER BY day
"""
_MERGED = """
CREATE TEMP TABLE merged AS
SELECT * FROM (
    SELECT o.meter_id, o.day, o.import_kwh, o.export_kwh FROM old_readings o
    ANTI JOIN inc i ON o.meter_id = i.meter_id AND o.day = i.day
    WHERE o.day IN (SELECT unnest($days::DATE[]))
    UNION ALL
    SELECT meter_id, day, import_kwh, export_kwh FROM inc
    WHERE day IN (SELECT unnest($days::DATE[]))
) ORDER BY day, meter_id
"""


@dataclass(frozen=True)
class ReadingsReport:
    added: int
    replaced: int
    unchanged: int
    days_written: int


def write_readings(
    folder: SeriesFolder, con: duckdb.DuckDBPyConnection, source: str, at: dt.datetime
) -> ReadingsReport:
    """Merge table `incoming` of `con` (validated by `loaders.readings`) into the folder."""
    with folder.writing() as current:
        if "meters" not in current.topology:
            raise StoreError("the series folder has no meters yet: load the topology first")
        table_of(con, folder, [current.topology["meters"]], "meters", "cur_meters")
        con.execute(_MERGE)
        lost = con.execute(
            "SELECT count(*) FROM incoming i ANTI JOIN cur_meters m ON m.code = i.meter_code"
        ).fetchone()
        if lost and lost[0]:
            raise StoreError(f"{lost[0]} readings name meters the series copy does not know")
        con.execute("DROP TABLE incoming")
        days = [
            d.isoformat()
            for (d,) in con.execute("SELECT DISTINCT day FROM inc ORDER BY day").fetchall()
        ]
        stored = [current.readings[d] for d in days if d in current.readings]
        table_of(con, folder, stored, "readings", "old_readings")
        con.execute(_REPLACED, {"at": at, "source": source})
        replaced_row = con.execute("SELECT count(*) FROM replaced").fetchone()
        added_row = con.execute(_ADDED).fetchone()
        replaced = int(replaced_row[0]) if replaced_row else 0
        added = int(added_row[0]) if added_row else 0
        total_row = con.execute("SELECT count(*) FROM inc").fetchone()
        unchanged = (int(total_row[0]) if total_row else 0) - replaced - added
        if not replaced and not added:
            return ReadingsReport(0, 0, unchanged, 0)
        touched = [d.isoformat() for (d,) in con.execute(_TOUCHED_DAYS).fetchall()]
        touched_dates = [dt.date.fromisoformat(d) for d in touched]
        gen = current.generation + 1
        con.execute(_MERGED, {"days": touched_dates})
        readings = dict(current.readings)
        for day in touched_dates:
            name = folder.new_name(gen, "readings", day.isoformat())
            con.execute(
                f"COPY (SELECT * FROM merged WHERE day = $day) TO {literal(folder.path(name))} "
                f"{sql.PARQUET}",
                {"day": day},
            )
            readings[day.isoformat()] = name
        corrections = current.corrections
        if replaced:
            name = folder.new_name(gen, "corrections", "replaced")
            con.execute(
                f"COPY (SELECT * FROM replaced ORDER BY day, meter_code) TO "
                f"{literal(folder.path(name))} {sql.PARQUET}"
            )
            corrections = (*corrections, name)
        table_of(con, folder, [current.topology["memberships"]], "memberships", "memberships")
        balances = recompute_balances(
            con, folder, current, gen, touched, [readings[d] for d in touched], None
        )
        folder.publish(
            current,
            next_generation(current, readings=readings, balances=balances, corrections=corrections),
        )
        return ReadingsReport(added, replaced, unchanged, len(touched))
