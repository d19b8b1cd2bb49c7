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
from graph.series.writer import recompute_balances, table_of, technical_views


@dataclass
class StagedReadings:
    """Readings validated and staged in a working connection, one row per meter and day
    (meter_code, day, import_kwh, export_kwh), ready for `write_readings`."""

    con: duckdb.DuckDBPyConnection
    rows: int
    days: list[str]
    table: str = "incoming"  # the working table that holds them (the stager's and ours)


@dataclass(frozen=True)
class ReadingsReport:
    added: int
    replaced: int
    unchanged: int
    days_written: int


def write_readings(
    folder: SeriesFolder, staged: StagedReadings, source: str, at: dt.datetime
) -> ReadingsReport:
    """Merge `staged` readings (validated by `loaders.readings`) into the folder."""
    con = staged.con
    with folder.writing() as current:
        if "meters" not in current.topology:
            raise StoreError("the series folder has no meters yet: load the topology first")
        table_of(con, folder, [current.topology["meters"]], "meters", "cur_meters")
        con.execute(sql.merge_staged(staged.table))
        lost = con.execute(sql.staged_unknown(staged.table)).fetchone()
        if lost and lost[0]:
            raise StoreError(f"{lost[0]} readings name meters the series copy does not know")
        con.execute(sql.drop_staged(staged.table))
        days = [d.isoformat() for (d,) in con.execute(sql.INCOMING_DAYS).fetchall()]
        stored = [current.readings[d] for d in days if d in current.readings]
        table_of(con, folder, stored, "readings", "old_readings")
        con.execute(sql.REPLACED, {"at": at, "source": source})
        replaced_row = con.execute(sql.REPLACED_COUNT).fetchone()
        added_row = con.execute(sql.ADDED_COUNT).fetchone()
        replaced = int(replaced_row[0]) if replaced_row else 0
        added = int(added_row[0]) if added_row else 0
        total_row = con.execute(sql.INCOMING_COUNT).fetchone()
        unchanged = (int(total_row[0]) if total_row else 0) - replaced - added
        if not replaced and not added:
            return ReadingsReport(0, 0, unchanged, 0)
        touched = [d.isoformat() for (d,) in con.execute(sql.TOUCHED_DAYS).fetchall()]
        touched_dates = [dt.date.fromisoformat(d) for d in touched]
        gen = current.generation + 1
        con.execute(sql.MERGED, {"days": touched_dates})
        readings = dict(current.readings)
        for day in touched_dates:
            name = folder.new_name(gen, "readings", day.isoformat())
            con.execute(sql.copy_to(sql.MERGED_DAY, folder.path(name)), {"day": day})
            readings[day.isoformat()] = name
        corrections = current.corrections
        if replaced:
            name = folder.new_name(gen, "corrections", "replaced")
            con.execute(sql.copy_to(sql.REPLACED_ROWS, folder.path(name)))
            corrections = (*corrections, name)
        table_of(con, folder, [current.topology["memberships"]], "memberships", "memberships")
        technical_views(con, folder, current)
        balances = recompute_balances(
            con, folder, current, gen, touched, [readings[d] for d in touched], None
        )
        folder.publish(
            current,
            next_generation(current, readings=readings, balances=balances, corrections=corrections),
        )
        return ReadingsReport(added, replaced, unchanged, len(touched))
