"""`readings.csv`: parse and validate daily meter readings, in DuckDB, before anything is written.

    meter_code, date (YYYY-MM-DD), import_kwh, export_kwh (empty = 0)

Energy is as the meter registers it, before its multiplier. A file of plain lines (no quotes,
no blank lines: what metering systems export) is read by DuckDB's CSV reader, whose row order
gives each row's line; any other file goes through Python's csv module first, which numbers
lines itself. Either way every problem names its line and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import mmap
from collections.abc import Iterable
from pathlib import Path

import duckdb

from graph.series import sql
from graph.series.readings import StagedReadings
from graph.series.writer import table_from_csv, write_csv
from loaders.aliases import canonical
from loaders.problems import Problem

FILE = "readings.csv"
COLUMNS = ("meter_code", "date", "import_kwh", "export_kwh")
REQUIRED = ("meter_code", "date", "import_kwh")
MAX_PROBLEMS = 1000  # a wholly wrong file would otherwise print millions of lines

NUMBER = r"[0-9]+(\.[0-9]+)?"
# One check per column: (column, SQL condition that is true when the value is wrong, message).
# Conditions read the trimmed text `v`; an empty value is NULL.
_CHECKS = (
    ("meter_code", "v IS NULL", "a value is required"),
    ("date", "v IS NULL", "a value is required"),
    (
        "date",
        r"NOT regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') OR try_cast(v AS DATE) IS NULL",
        "not a date: expected YYYY-MM-DD",
    ),
    ("date", "try_cast(v AS DATE) > $today", "reading date is in the future"),
    ("import_kwh", "v IS NULL", "a value is required"),
)
_ENERGY_CHECKS = (
    ("regexp_full_match(v, '-\\s*" + NUMBER + "')", "negative energy"),
    ("NOT regexp_full_match(v, '-?\\s*" + NUMBER + "')", "not a number"),
    ("length(split_part(v, '.', 2)) > 4", "more than 4 decimal places"),
    ("length(split_part(v, '.', 1)) > 14", "too large"),
)


def _plain(path: Path) -> bool:
    """True when every line is one row: no quotes, no blank lines, no UTF-8 trouble to report."""
    with path.open("rb") as fh:
        if fh.seek(0, 2) == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return (
                data.find(b'"') < 0
                and data.find(b"\n\n") < 0
                and data.find(b"\n\r\n") < 0
                and data.find(b"\r", 0, data.find(b"\n")) < 0  # no CR-only line ends
            )


def _header(path: Path, problems: list[Problem]) -> list[str] | None:
    with path.open("rb") as fh:
        first = fh.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(FILE, 1, None, None, "not valid UTF-8 text"))
        return None
    header = canonical(FILE, [h.strip() for h in next(csv.reader([text.rstrip("\r\n")]), [])])
    if not any(header):
        problems.append(Problem(FILE, 1, None, None, "empty file: a header row is required"))
        return None
    missing = [c for c in REQUIRED if c not in header]
    for name in missing:
        problems.append(Problem(FILE, 1, None, name, f'missing required column "{name}"'))
    return None if missing else header


def _stage_plain(con: duckdb.DuckDBPyConnection, path: Path, width: int) -> str:
    columns = {f"c{i}": "VARCHAR" for i in range(1, width + 1)}
    con.execute(sql.raw_plain(), {"path": str(path), "columns": columns})
    con.execute(sql.LINED_VIEW)
    return sql.DROP_LINED_VIEW


def _stage_python(
    con: duckdb.DuckDBPyConnection, path: Path, width: int, tmp: Path, problems: list[Problem]
) -> str:
    """Slow path: Python numbers the lines, then the rows go to DuckDB like the fast path."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(FILE, 1, None, None, f"not valid UTF-8 text ({exc.reason})"))
        text = ""
    out = tmp / "readings.lined.csv"
    reader = csv.reader(text.splitlines(keepends=True))
    next(reader, None)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line"] + [f"c{i}" for i in range(1, width + 1)])
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) < width:
                problems.append(
                    Problem(
                        FILE,
                        line,
                        len(fields) + 1,
                        None,
                        f"row has {len(fields)} fields, the header has {width}",
                    )
                )
                continue
            writer.writerow([line, *fields[:width]])
    columns = {"line": "BIGINT"} | {f"c{i}": "VARCHAR" for i in range(1, width + 1)}
    table_from_csv(con, "lined", out, columns)
    return sql.DROP_LINED_TABLE


def _known_meters(
    con: duckdb.DuckDBPyConnection, meters_file: str | None, extra_codes: Iterable[str], tmp: Path
) -> None:
    path = tmp / "extra_meters.csv"
    write_csv(path, ("code",), ((c,) for c in extra_codes))
    table_from_csv(con, "known", path, {"code": "VARCHAR"})
    if meters_file:
        con.execute(sql.KNOWN_FROM_METERS, {"f": meters_file})


def _problems(
    con: duckdb.DuckDBPyConnection,
    positions: dict[str, int],
    today: dt.date,
    problems: list[Problem],
) -> None:
    checks: list[tuple[str, str, str]] = [c for c in _CHECKS if c[0] in positions]
    for column in ("import_kwh", "export_kwh"):
        if column in positions:
            checks += [(column, f"v IS NOT NULL AND ({cond})", msg) for cond, msg in _ENERGY_CHECKS]
    query = sql.failed_checks(
        [(column, condition) for column, condition, _ in checks], MAX_PROBLEMS
    )
    rows = con.execute(query, {"today": today}).fetchall()
    for line, check_no, _ in rows:
        if check_no == -1:
            problems.append(
                Problem(FILE, line, positions["meter_code"], "meter_code", "unknown meter")
            )
        else:
            column, _, message = checks[check_no]
            problems.append(Problem(FILE, line, positions[column], column, message))
    if rows and rows[0][2] > MAX_PROBLEMS:
        problems.append(
            Problem(
                FILE,
                rows[-1][0],
                None,
                None,
                f"... and {rows[0][2] - MAX_PROBLEMS:,} more problems",
            )
        )


def _duplicates(
    con: duckdb.DuckDBPyConnection, positions: dict[str, int], problems: list[Problem]
) -> None:
    rows = con.execute(sql.conflicting_duplicates(MAX_PROBLEMS)).fetchall()
    for line, meter, day, first_line, _ in rows:
        problems.append(
            Problem(
                FILE,
                line,
                positions["import_kwh"],
                "import_kwh",
                f"meter {meter} has a different reading for {day} on line {first_line}",
            )
        )


def stage_readings(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    meters_file: str | None,
    extra_meter_codes: Iterable[str],
    today: dt.date,
    tmp: Path,
    problems: list[Problem],
) -> StagedReadings | None:
    """Read and validate `path`; on success the readings are staged in `con`.

    Known meters are those of `meters_file` (the series copy of the topology) and
    `extra_meter_codes` (meters the same load adds). Returns None when any error was found.
    """
    errors_before = sum(p.severity == "error" for p in problems)
    header = _header(path, problems)
    if header is None:
        return None
    width = len(header)
    positions = {name: header.index(name) + 1 for name in COLUMNS if name in header}
    if _plain(path):
        try:
            cleanup = _stage_plain(con, path, width)
        except duckdb.Error:
            cleanup = _stage_python(con, path, width, tmp, problems)  # reports malformed rows
    else:
        cleanup = _stage_python(con, path, width, tmp, problems)
    _known_meters(con, meters_file, extra_meter_codes, tmp)
    con.execute(sql.typed_text({name: f"c{i}" for name, i in positions.items()}))
    con.execute(cleanup)
    _problems(con, positions, today, problems)
    if sum(p.severity == "error" for p in problems) > errors_before:
        return None
    con.execute(sql.TYPED)
    con.execute(sql.DROP_TYPED_TEXT)
    _duplicates(con, positions, problems)
    if sum(p.severity == "error" for p in problems) > errors_before:
        return None
    table = StagedReadings.table
    con.execute(sql.staged(table))
    con.execute(sql.DROP_TYPED)
    count = con.execute(sql.staged_count(table)).fetchone()
    days = [d.isoformat() for (d,) in con.execute(sql.staged_days(table)).fetchall()]
    return StagedReadings(con, int(count[0]) if count else 0, days, table)
