"""`curves.csv`: parse and validate meters' 96-point daily curves before anything is written.

    meter_code, date (YYYY-MM-DD), p1 .. p96

Each p is the average kW of a quarter hour as the meter registers it (before its multiplier):
import positive, export negative. Collection systems keep them for gate meters; any subset of
meters and days may come. Every problem names its line and column; a meter-day given twice
with other values is refused, twice the same is one.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from graph.series import sql
from loaders.problems import Problem

FILE = "curves.csv"
POINTS = sql.CURVE_POINTS
REQUIRED = ("meter_code", "date", *POINTS)
MAX_PROBLEMS = 1000
_NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,4})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class StagedCurves:
    """Validated curves, one per meter and day: (meter_code, day) -> 96 kW values."""

    curves: dict[tuple[str, dt.date], tuple[float, ...]]

    @property
    def rows(self) -> int:
        return len(self.curves)


def _known(
    con: duckdb.DuckDBPyConnection, meters_file: str | None, extra: Iterable[str]
) -> set[str]:
    known = set(extra)
    if meters_file:
        rows = con.execute(sql.METER_CODES, {"file": meters_file}).fetchall()
        known.update(code for (code,) in rows)
    return known


def stage_curves(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    meters_file: str | None,
    extra_meter_codes: Iterable[str],
    today: dt.date,
    problems: list[Problem],
) -> StagedCurves | None:
    """Read and validate `path` (None when it has problems: they are in `problems`)."""
    found: list[Problem] = []

    def problem(line: int, column: str | None, message: str, position: int | None) -> None:
        if len(found) < MAX_PROBLEMS:
            found.append(Problem(FILE, line, position, column, message))

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(FILE, 1, None, None, f"not valid UTF-8 text ({exc.reason})"))
        return None
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    for name in missing:
        problems.append(Problem(FILE, 1, None, name, f'missing required column "{name}"'))
    if missing:
        return None
    at = {name: header.index(name) for name in REQUIRED}
    known = _known(con, meters_file, extra_meter_codes)
    curves: dict[tuple[str, dt.date], tuple[float, ...]] = {}
    first_line: dict[tuple[str, dt.date], int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) < len(header):
            problem(line, None, f"row has {len(fields)} fields, the header has {len(header)}",
                    len(fields) + 1)  # fmt: skip
            continue
        code = fields[at["meter_code"]].strip()
        bad = len(found)
        if not code:
            problem(line, "meter_code", "a value is required", at["meter_code"] + 1)
        elif code not in known:
            problem(line, "meter_code", "unknown meter", at["meter_code"] + 1)
        raw_day = fields[at["date"]].strip()
        day = None
        if not _DATE.fullmatch(raw_day):
            problem(line, "date", "not a date: expected YYYY-MM-DD", at["date"] + 1)
        else:
            try:
                day = dt.date.fromisoformat(raw_day)
            except ValueError:
                problem(line, "date", "not a date: expected YYYY-MM-DD", at["date"] + 1)
            if day is not None and day > today:
                problem(line, "date", "curve date is in the future", at["date"] + 1)
        values = []
        for name in POINTS:
            raw = fields[at[name]].strip()
            if not _NUMBER.fullmatch(raw):
                problem(line, name, "not a number (kW, up to 4 decimals)", at[name] + 1)
            else:
                values.append(float(raw))
        if len(found) > bad or day is None:
            continue
        key = (code, day)
        curve = tuple(values)
        if key in curves and curves[key] != curve:
            problem(line, "p1", f"meter {code} has another curve for {day} on line "
                    f"{first_line[key]}", at["p1"] + 1)  # fmt: skip
            continue
        curves.setdefault(key, curve)
        first_line.setdefault(key, line)
    problems.extend(found)
    return None if found else StagedCurves(curves)
