"""`taiqu report assessment`: one month's assessment of the units of a level (or the children of
a unit) on the terminal, as CSV or as an xlsx workbook (one sheet per level, misses in red)."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.indicators.definitions import INDICATORS
from graph.services.assessment import AssessmentRow, assess, assessed_units, assessment_month
from graph.services.mismatches import MismatchCache
from taiqu.settings import Settings

FIXED = ("单位编码", "单位名称", "层级", "上级单位", "得分", "上月得分", "排名", "参与排名数")
PER_INDICATOR = ("值", "目标", "达标", "差距", "环比")  # value, target, met, gap, change
MISS_FILL = "FFC7CE"  # Excel's light red of a conditional "bad" cell


def header() -> list[str]:
    return list(FIXED) + [f"{i.label}{part}" for i in INDICATORS for part in PER_INDICATOR]


def cells(row: AssessmentRow) -> list[Any]:
    """A row's cells, in `header()`'s order (rates as fractions; met as 是/否)."""
    found: list[Any] = [
        row.org,
        row.unit.attrs.get("name") or "",
        row.unit.attrs.get("level") or "",
        row.parent or "",
        _round(row.score),
        _round(row.previous_score),
        row.rank,
        row.ranked,
    ]
    by_name = {r.name: r for r in row.indicators}
    for indicator in INDICATORS:
        r = by_name[indicator.name]
        met = None if r.met is None else ("是" if r.met else "否")
        found += [_round(r.value), r.target, met, _round(r.gap), _round(r.change)]
    return found


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def write_csv(rows: Sequence[AssessmentRow], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel reads UTF-8
        writer = csv.writer(out)
        writer.writerow(header())
        writer.writerows(["" if c is None else c for c in cells(r)] for r in rows)


def write_xlsx(rows: Sequence[AssessmentRow], path: Path, period: str) -> None:
    """One sheet per level (in the order the levels come), misses highlighted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    miss = PatternFill("solid", start_color=MISS_FILL, end_color=MISS_FILL)
    names = header()
    levels: dict[str, list[AssessmentRow]] = {}
    for r in rows:
        levels.setdefault(str(r.unit.attrs.get("level") or "units"), []).append(r)
    for level, group in levels.items() or [("units", [])]:
        sheet = book.create_sheet(title=f"{period} {level}"[:31])
        sheet.append(names)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "C2"
        for r in group:
            sheet.append(cells(r))
            line = sheet.max_row
            by_name = {x.name: x for x in r.indicators}
            for k, indicator in enumerate(INDICATORS):
                if by_name[indicator.name].met is False:
                    first = len(FIXED) + k * len(PER_INDICATOR) + 1
                    for column in range(first, first + len(PER_INDICATOR)):
                        sheet.cell(row=line, column=column).fill = miss
    book.save(path)


def cmd_assessment(args: argparse.Namespace, settings: Settings) -> int:
    _, end = assessment_month(args.period)
    store = settings.open_store(read_only=settings.home_is_read_only())
    loss = settings.loss_reader()
    mismatches = MismatchCache()
    try:
        units, parents = assessed_units(store, end, args.level, args.under)
        rows = assess(
            store,
            loss,
            lambda day: mismatches.get(store, day),
            args.period,
            units,
            parents,
            dict(settings.assessment_weights),
        )
    finally:
        loss.close()
        store.close()
    if args.xlsx:
        write_xlsx(rows, Path(args.xlsx), args.period)
        print(f"{args.xlsx}: {len(rows)} unit(s)", file=sys.stderr)
    elif args.csv:
        write_csv(rows, Path(args.csv))
        print(f"{args.csv}: {len(rows)} unit(s)", file=sys.stderr)
    else:
        for r in rows:
            score = "-" if r.score is None else f"{r.score:.1f}"
            rank = "-" if r.rank is None else f"{r.rank}/{r.ranked}"
            misses = [x.name for x in r.indicators if x.met is False]
            print(f"{r.org}\t{r.unit.attrs.get('name') or ''}\t{score}\t{rank}\t{','.join(misses)}")
    return 0


def add_commands(sub: Any) -> None:
    """The `report` command group on the main parser's subparsers."""
    group = sub.add_parser("report", help="reports for the line-loss meeting")
    steps = group.add_subparsers(dest="report", required=True)
    one = steps.add_parser("assessment", help="a month's assessment (考核) of units")
    one.add_argument("--period", required=True, help="the month, e.g. 2026-06")
    one.add_argument("--level", default=None, help="every unit of this level (orgs.csv)")
    one.add_argument(
        "--under", default=None, help="inside this unit (its children without --level)"
    )
    out = one.add_mutually_exclusive_group()
    out.add_argument("--xlsx", default=None, help="write a workbook: one sheet per level")
    out.add_argument("--csv", default=None, help="write CSV (UTF-8 with BOM)")
    one.set_defaults(run=cmd_assessment)
