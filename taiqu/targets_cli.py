"""`taiqu targets load|list`: the indicators' targets per org unit and period (an operator's
commands; a marketing unit hands targets down with the setTargets mutation)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from graph.domain.errors import InputError, LoadRejected
from graph.domain.targets import Target, current, period_problem
from graph.services.targets import record_targets
from loaders.targets import read_targets
from taiqu.settings import Settings


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    store = settings.open_store()
    loss = settings.loss_reader()
    try:
        rows = read_targets(path, store)
        done = record_targets(store, rows, path.name, loss)
    except LoadRejected as rejected:
        for problem in rejected.problems:
            print(problem, file=sys.stderr)
        print(f"targets rejected: {rejected}", file=sys.stderr)
        return 1
    finally:
        loss.close()
        store.close()
    for warning in done.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        body = {"written": done.written, "unchanged": done.unchanged, "warnings": done.warnings}
        print(json.dumps(body, ensure_ascii=False))
        return 0
    print(f"{path.name}: {done.written} target(s) recorded, {done.unchanged} unchanged")
    return 0


def _as_of(text: str) -> dt.datetime:
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date or date-time") from exc
    return found.replace(tzinfo=dt.UTC) if found.tzinfo is None else found.astimezone(dt.UTC)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    problem = period_problem(args.period)
    if problem:
        raise InputError(problem)
    store = settings.open_store(read_only=settings.home_is_read_only())
    try:
        versions = store.target_versions([args.period])
    finally:
        store.close()
    picked = versions if args.history else list(current(versions, args.as_of).values())
    shown = sorted(picked, key=_order)
    if args.json:
        print(json.dumps([_public(t) for t in shown], ensure_ascii=False, indent=2))
        return 0
    for t in shown:
        print(f"{t.org}\t{t.period}\t{t.indicator}\t{t.target:g}\t{t.recorded_at}\t{t.source}")
    if not shown:
        print(f"no targets for {args.period}", file=sys.stderr)
    return 0


def _order(t: Target) -> tuple[str, str, dt.datetime]:
    return (t.org, t.indicator, t.recorded_at)


def _public(t: Target) -> dict[str, Any]:
    return {
        "org": t.org,
        "period": t.period,
        "indicator": t.indicator,
        "target": t.target,
        "recordedAt": t.recorded_at.isoformat(),
        "source": t.source,
    }


def add_commands(sub: Any) -> None:
    """The `targets` command group on the main parser's subparsers."""
    group = sub.add_parser("targets", help="the indicators' targets: load a file, list them")
    steps = group.add_subparsers(dest="step", required=True)
    load = steps.add_parser(
        "load",
        help="record targets.csv (org_code, period, indicator, target): all rows or none; "
        "a changed target becomes a new version",
    )
    load.add_argument("file")
    load.add_argument("--json", action="store_true", help="print written, unchanged, warnings")
    load.set_defaults(run=cmd_load)
    listing = steps.add_parser("list", help="a period's targets (2026 or 2026-06)")
    listing.add_argument("--period", required=True)
    listing.add_argument(
        "--as-of", type=_as_of, default=None, help="as they stood then (ISO date-time, UTC)"
    )
    listing.add_argument("--history", action="store_true", help="every version recorded")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)
