"""`targets.csv`: org_code, period, indicator, target: each unit's target of an indicator for
a year (`2026`) or a month (`2026-06`). Validated whole before anything is written (file, line,
column); recorded as new versions of the targets that change (graph/services/targets.py)."""

from __future__ import annotations

from pathlib import Path

from graph.domain.errors import LoadRejected
from graph.domain.model import Kind
from graph.domain.targets import period_problem
from graph.indicators.checks import target_problem
from graph.services.targets import TargetRow
from graph.stores.contract import Store
from loaders.exchange import Column, FileSpec, Row, decode, read_rows
from loaders.problems import Problem, row_problem

TARGETS = FileSpec(
    "targets.csv",
    Kind.ORG_UNIT,
    "org_code",
    (Column("period"), Column("indicator"), Column("target")),
)
_COLUMNS = ("org_code", "period", "indicator", "target")


def read_targets(path: Path, store: Store) -> list[TargetRow]:
    """The rows of `path`, every one checked; LoadRejected with every problem when any is
    wrong: empty values, a period or indicator unknown, a target out of its indicator's range,
    a unit the graph does not hold, one target given twice."""
    problems: list[Problem] = []
    name = path.name
    if not path.is_file():
        raise LoadRejected([Problem(name, 0, None, None, f"no such file: {path}")])
    text = decode(path, problems)
    rows = [] if text is None else list(read_rows(TARGETS, text, problems))
    found: list[TargetRow] = []
    first_line: dict[tuple[str, str, str], int] = {}
    for row in rows:
        target = _checked(row, name, problems)
        if target is None:
            continue
        key = (target.org, target.period, target.indicator)
        if key in first_line:
            first = first_line[key]
            message = f"{key[2]} of {key[0]} for {key[1]} given twice: first at line {first}"
            problems.append(row_problem(name, row, "indicator", message))
            continue
        first_line[key] = row.line
        found.append(target)
    known = store.existing_codes(Kind.ORG_UNIT, sorted({t.org for t in found}))
    by_line = {r.line: r for r in rows}
    for target, line in zip(found, first_line.values(), strict=True):
        if target.org not in known:
            message = f"unknown org unit {target.org!r}: load the network's orgs.csv first"
            problems.append(row_problem(name, by_line[line], "org_code", message))
    if problems:
        raise LoadRejected(sorted(problems))
    return found


def _checked(row: Row, file: str, problems: list[Problem]) -> TargetRow | None:
    """The row as a target, or None with its problems appended."""
    values = row.values
    before = len(problems)
    for column in _COLUMNS:
        if not values[column]:
            problems.append(row_problem(file, row, column, f"{column} is empty"))
    if len(problems) > before:
        return None
    bad = period_problem(values["period"])
    if bad:
        problems.append(row_problem(file, row, "period", bad))
    try:
        value = float(values["target"])
    except ValueError:
        problems.append(row_problem(file, row, "target", f"{values['target']!r} is not a number"))
        return None
    bad_value = target_problem(values["indicator"], value)
    if bad_value:
        problems.append(row_problem(file, row, *bad_value))
    if len(problems) > before:
        return None
    return TargetRow(values["org_code"], values["period"], values["indicator"], value)
