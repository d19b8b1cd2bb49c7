"""`taiqu` command line: load, serve, demo, analyze."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from graph.domain import clock
from graph.domain.errors import InputError, LoadRejected, TaiquError
from graph.domain.targets import month_bounds
from graph.series.loss import AreaLoss
from graph.services.mismatches import Mismatch
from loaders.demo_targets import last_whole_month
from loaders.exchange import ReadOptions, encoding_problem
from loaders.load import LoadReport, load_folder
from loaders.plan import PlanSummary
from loaders.sources import SOURCES
from taiqu.analyze_cli import add_commands as add_analyze_commands
from taiqu.arguments import date_arg
from taiqu.logs import configure as configure_logging
from taiqu.principals_cli import add_commands as add_principal_commands
from taiqu.progress import StepPrinter
from taiqu.report_cli import add_commands as add_report_commands
from taiqu.settings import Settings
from taiqu.targets_cli import add_commands as add_target_commands

MAX_PROBLEMS_SHOWN = 200


_printer = StepPrinter(live=False)  # main() sets the command's (terminal, --quiet)


def _progress(message: str) -> None:
    _printer(message)


def _summary_lines(s: PlanSummary) -> str:
    """What a load created, updated, moved and linked, one line each."""
    created = ", ".join(f"{n:,} {k.value}" for k, n in sorted(s.created.items())) or "nothing"
    updated = ", ".join(f"{n:,} {k.value}" for k, n in sorted(s.updated.items())) or "nothing"
    if s.updated and s.changed_on is not None:
        updated += f" (new values from {s.changed_on}; the ones before kept for earlier days)"
    moved = ", ".join(f"{n:,} {r.value}" for r, n in sorted(s.moved.items())) or "nothing"
    return f"created: {created}\nupdated: {updated}\nmoved: {moved}\nlinked: {s.linked:,}"


def _print_report(report: LoadReport) -> None:
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    rate = report.rows_read / report.seconds if report.seconds else 0.0
    print(_summary_lines(report.summary))
    r = report.readings
    if r is not None:
        per_s = report.readings_read / report.readings_seconds if report.readings_seconds else 0.0
        print(
            f"readings: {r.added:,} added, {r.replaced:,} replaced (old values kept as "
            f"corrections), {r.unchanged:,} unchanged; {r.days_written} days written in "
            f"{report.readings_seconds:.1f} s ({per_s:,.0f} readings/s)"
        )
    c = report.curves
    if c is not None:
        print(
            f"curves: {c.written:,} written (new or replaced), {c.unchanged:,} unchanged; "
            f"{c.days_written} days written"
        )
    print(
        f"{report.rows_read:,} rows read, {report.rows_written:,} changes written in "
        f"{report.seconds:.1f} s ({rate:,.0f} rows/s)"
        + ("" if report.changed else " - already up to date")
    )


def _load(
    settings: Settings,
    folder: Path,
    effective: dt.date | None,
    read: ReadOptions | None = None,
    dry_run: bool = False,
) -> int:
    """Load a folder into the configured store; print problems or the report. Exit code."""
    store = settings.open_store(read_only=dry_run and settings.home_is_read_only())
    try:
        report = load_folder(
            store,
            folder,
            effective=effective,
            progress=_progress,
            series=settings.series_folder(),
            bounds=settings.date_bounds(),
            read=read,
            dry_run=dry_run,
        )
    except LoadRejected as rejected:
        return _load_rejected(rejected)
    finally:
        store.close()
    if dry_run:
        for warning in report.warnings:
            print(warning, file=sys.stderr)
        print(
            f"dry run: {report.rows_read:,} rows and {report.readings_read:,} readings checked, "
            "no problem; nothing written. A load would do:"
        )
        print(_summary_lines(report.summary))
        return 0
    _print_report(report)
    return 0


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    if args.encoding is not None:
        problem = encoding_problem(args.encoding)
        if problem:
            raise InputError(f"--encoding: {problem}")
    if args.offline is not None:
        return _load_offline(settings, Path(args.dir), Path(args.offline), args.effective)
    read = ReadOptions(args.encoding, args.ignore_unknown)
    return _load(settings, Path(args.dir), args.effective, read, args.dry_run)


def _load_offline(settings: Settings, folder: Path, out: Path, effective: dt.date | None) -> int:
    """A first load as files for Neo4j's offline importer; no store is opened."""
    from loaders.load import load_offline

    try:
        report = load_offline(
            folder, out, effective=effective, progress=_progress, bounds=settings.date_bounds()
        )
    except LoadRejected as rejected:
        return _load_rejected(rejected)
    except (FileExistsError, NotADirectoryError) as exc:
        raise InputError(f"--offline: {exc}") from exc
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    files = report.files
    counted = ", ".join(f"{n:,} {name}" for name, n in files.counts.items())
    print(
        f"{report.rows_read:,} rows read; {files.entities():,} nodes and relationships written "
        f"as import files in {report.seconds:.1f} s: {counted}\n"
        f"import them into an empty, stopped database:\n"
        f"  cd {files.folder} && neo4j-admin database import full neo4j @neo4j-admin.args\n"
        f"or with the project's launcher (imports, then starts Neo4j):\n"
        f"  python -m taiqu.neo4j_launcher --data DATA_DIR --import {files.folder}"
    )
    return 0


def _load_rejected(rejected: LoadRejected) -> int:
    """Every problem (the first MAX_PROBLEMS_SHOWN) and the verdict on stderr; exit code 1."""
    _print_problems(rejected)
    print(f"load rejected: {rejected}", file=sys.stderr)
    return 1


def _print_problems(rejected: LoadRejected) -> None:
    for problem in rejected.problems[:MAX_PROBLEMS_SHOWN]:
        print(problem, file=sys.stderr)
    hidden = len(rejected.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        print(f"... and {hidden} more", file=sys.stderr)


def cmd_reconcile_plan(args: argparse.Namespace, settings: Settings) -> int:
    from loaders.load import who
    from loaders.plans import PlanStore, plan_snapshot, plan_summary

    store = settings.open_store()
    try:
        plans = PlanStore(settings.plans_folder())
        plan, warnings = plan_snapshot(
            store, plans, args.source, Path(args.dir), who(), keep=not args.dry_run
        )
    except LoadRejected as rejected:
        _print_problems(rejected)
        print(
            f"no plan: {rejected.problems and len(rejected.problems)} problem(s)", file=sys.stderr
        )
        return 1
    finally:
        store.close()
    for warning in warnings:
        print(warning, file=sys.stderr)
    if args.json:
        print(json.dumps(plan_summary(plan), ensure_ascii=False, indent=1))
        return 0
    counts = plan.counts()
    print(f"plan {plan.plan_id} ({plan.source}, against graph version {plan.graph_version})")
    for c in plan.changes[:MAX_PROBLEMS_SHOWN]:
        change = f"{c.before or '-'} -> {c.after or '-'}"
        print(f"  {c.change:<8} {c.kind.value:<12} {c.code:<24} {c.what:<18} {change}")
    if len(plan.changes) > MAX_PROBLEMS_SHOWN:
        print(f"  ... and {len(plan.changes) - MAX_PROBLEMS_SHOWN:,} more lines (--json: all)")
    print(", ".join(f"{k}: {counts[k]:,}" for k in ("added", "removed", "moved", "changed")))
    if args.dry_run:
        print("dry run: the plan was not stored; run without --dry-run to apply it later")
    elif not plan.is_empty():
        print(f"apply with: taiqu reconcile apply {plan.plan_id} [--effective YYYY-MM-DD]")
    return 0


def cmd_reconcile_apply(args: argparse.Namespace, settings: Settings) -> int:
    from loaders.apply import apply_plan
    from loaders.load import who
    from loaders.plans import PlanStore

    store = settings.open_store()
    try:
        record = apply_plan(
            store,
            PlanStore(settings.plans_folder()),
            args.plan_id,
            args.effective or clock.today(),
            who(),
            series=settings.series_folder(),
            progress=_progress,
            bounds=settings.date_bounds(),
        )
    finally:
        store.close()
    counts = ", ".join(f"{k}: {v:,}" for k, v in record.counts.items())
    print(
        f"applied plan {args.plan_id} as changeset {record.id} (graph version "
        f"{record.graph_version}, effective {record.effective}): {counts}"
    )
    return 0


def cmd_repair_intervals(args: argparse.Namespace, settings: Settings) -> int:
    from graph.services.repair import remove_empty_intervals
    from loaders.load import who

    store = settings.open_store()
    try:
        record = remove_empty_intervals(store, who(), settings.series_folder())
    finally:
        store.close()
    if record is None:
        print("no interval to repair: every interval holds on at least one day")
        return 0
    print(
        f"removed {record.counts['removed']:,} interval(s) that held on no day as changeset "
        f"{record.id} (graph version {record.graph_version})"
    )
    return 0


def _mismatch_json(m: Mismatch, statuses: dict[str, AreaLoss]) -> dict[str, object]:
    return {
        "meter": m.meter.code,
        "role": m.meter.get("role"),
        "customer": m.customer,
        "marketing_area": m.marketing_area,
        "equipment_area": m.equipment_area,
        "collection_area": m.collection_area,
        "terminal": m.terminal,
        "since": m.since.isoformat() if m.since else None,
        "area_status": {a: statuses[a].status.value for a in m.areas() if a in statuses},
    }


def cmd_reconcile_mismatches(args: argparse.Namespace, settings: Settings) -> int:
    from graph.services.mismatches import area_statuses, find_mismatches

    today = clock.today()
    store = settings.open_store()
    try:
        report = find_mismatches(store, args.as_of or today)
    finally:
        store.close()
    loss = settings.loss_reader()
    try:
        (start, end), statuses = area_statuses(loss, report, today)
    finally:
        loss.close()
    rows = [_mismatch_json(m, statuses) for m in report]
    if args.json:
        period = {"from": start.isoformat(), "to": end.isoformat()}
        print(json.dumps({"count": len(rows), "status_period": period, "mismatches": rows}))
        return 0
    print(f"{len(rows):,} meter(s) read in another area than the sources place them in")
    print(f"(area loss status over {start} .. {end})")

    def status(area: str | None) -> str:
        return statuses[area].status.value if area in statuses else "-"

    for m in report[: args.limit]:
        print(
            f"  {m.meter.code:<16} customer {m.customer or '-':<14} {m.placed_by} "
            f"{m.placed_area or '-':<12} ({status(m.placed_area)})  collection "
            f"{m.collection_area:<12} ({status(m.collection_area)}) via {m.terminal or '-'}"
            f"  since {m.since or 'first load'}"
        )
    if len(rows) > args.limit:
        print(f"  ... and {len(rows) - args.limit:,} more (--json: all)")
    return 0


GIL_SWITCH_S = 0.001
MAX_WORKERS = 64


def worker_app() -> Any:
    """The app of one worker process of `taiqu serve --workers N` (uvicorn's factory): its
    settings from the environment, as the parent's were."""
    from api.app import create_app

    _tune_gil()
    settings = Settings.from_env()
    configure_logging(settings.log_format)
    return create_app(settings)  # which sets the time zone


def _tune_gil() -> None:
    # Requests execute on worker threads (api/time_limit.py); the server's loop must get the
    # GIL back quickly to answer /healthz while they build results: 1 ms instead of 5 ms
    # halves /healthz p99 under heavy load for ~5 % of heavy throughput (bench/README.md).
    sys.setswitchinterval(GIL_SWITCH_S)


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    import uvicorn

    from api.app import create_app

    configure_logging(settings.log_format)
    print(f"[taiqu] GraphQL on http://{host}:{port}/graphql", file=sys.stderr, flush=True)
    if workers > 1:
        # Processes share nothing but the stores: each opens its own, follows the loss copy
        # and has its own GIL; the writer lock of the series folder serializes their syncs.
        # Their metrics are counted in files of one folder, fresh for this server, so that
        # any worker's /metrics sums them all (set before a worker imports the client).
        counted = tempfile.mkdtemp(prefix="taiqu-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = counted
        try:
            uvicorn.run(
                "taiqu.cli:worker_app",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="info",
                access_log=False,  # ours: one line per request with its id (api/observe.py)
                log_config=None,  # uvicorn's loggers go through ours (TAIQU_LOG_FORMAT)
            )
        finally:
            shutil.rmtree(counted, ignore_errors=True)
        return 0
    _tune_gil()
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, log_config=None)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.workers <= MAX_WORKERS:
        raise InputError(f"--workers must be 1 to {MAX_WORKERS}, got {args.workers}")
    return _serve(settings, args.host, args.port, args.workers)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from loaders.demo import apply_demo_evidence, write_demo_folder
    from loaders.generate_households import TRUTH, FaultCounts
    from loaders.load import who
    from loaders.plans import PlanStore

    started = time.perf_counter()
    folder = Path(args.write) if args.write else settings.home / f"demo-{args.meters}"
    _progress(f"generating {args.meters:,} meters, their areas and readings into {folder}")
    faults = FaultCounts(customer_multipliers=1) if args.faults else None
    today = clock.today()
    days = args.days if args.days is not None else _days_since_last_month(today)
    demo = write_demo_folder(folder, args.meters, days, args.seed, today, faults)
    if days:
        _progress(f"generated {demo.readings:,} readings from {demo.first_day} for {days} days")
    if demo.faults:
        last = demo.first_day + dt.timedelta(days=days - 1)
        _progress(
            f"injected {demo.faults} faults (truth: {folder / TRUTH}); find them with "
            f"taiqu analyze --from {demo.first_day} --to {last}"
        )
    _progress(
        f"generated {demo.meters:,} meters ({demo.entities:,} entities) "
        f"into {folder} in {time.perf_counter() - started:.1f} s"
    )
    code = _load(settings, folder, None)
    if code:
        return code
    elsewhere = None
    # With faults the readings follow the archive (and the truth file): collection evidence
    # would move meters away from where their readings say they are.
    if not demo.faults:
        store = settings.open_store()
        try:
            plans = PlanStore(settings.plans_folder())
            elsewhere = apply_demo_evidence(
                store, plans, settings.series_folder(), demo, args.seed, who()
            )
        finally:
            store.close()
    if elsewhere is not None:
        _progress(
            f"collection evidence applied: {elsewhere:,} meters read in another area "
            "(taiqu reconcile mismatches)"
        )
    month = last_whole_month(today)
    if days and demo.first_day <= month_bounds(month)[0]:
        # beside the folder, not in it: `taiqu load` of the folder would take it for a network file
        _demo_targets(settings, folder.with_name(f"{folder.name}-targets.csv"), month, args.seed)
    _demo_principal(settings)
    if args.no_serve:
        return 0
    return _serve(settings, args.host, args.port)


def _days_since_last_month(today: dt.date) -> int:
    """Days from the first of last month to yesterday: the demo's assessment has a whole month."""
    return (today - month_bounds(last_whole_month(today))[0]).days


def _demo_targets(settings: Settings, path: Path, month: str, seed: int) -> None:
    """Targets for `month`'s year around the demo's own values, written and loaded like a
    utility's targets.csv."""
    from graph.services.mismatches import MismatchCache
    from graph.services.targets import record_targets
    from loaders.demo_targets import write_demo_targets
    from loaders.targets import read_targets

    store = settings.open_store()
    loss = settings.loss_reader()
    mismatches = MismatchCache()
    try:
        write_demo_targets(store, loss, lambda d: mismatches.get(store, d), month, seed, path)
        done = record_targets(store, read_targets(path, store), path.name, loss)
    finally:
        loss.close()
        store.close()
    _progress(
        f"targets for {month[:4]} loaded from {path} ({done.written} recorded); "
        f"taiqu report assessment --period {month} --level <level>"
    )


def _demo_principal(settings: Settings) -> None:
    """A marketing principal at the top unit for trying the API; its key printed once."""
    from graph.services.principals import create_principal, top_unit

    store = settings.open_store()
    try:
        top = top_unit(store)
        if top is None:
            return
        name = "demo-" + dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        _, key = create_principal(store, name, "marketing", top)
    finally:
        store.close()
    print(
        f"demo principal {name} (marketing, {top}); sign in to the explorer (/) with the key\n"
        f"  {key}\n"
        "or in GraphiQL (/graphql) add the header\n"
        f'  {{"Authorization": "Bearer {key}"}}',
        flush=True,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("taiqu")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taiqu", description=__doc__)
    parser.add_argument("--version", action="version", version=f"taiqu {_version()}")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress, only results and problems"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    load = sub.add_parser("load", help="import an exchange-format folder (all or nothing)")
    load.add_argument(
        "dir", help="folder with orgs.csv, substations.csv, ..., readings.csv (any subset)"
    )
    load.add_argument(
        "--effective",
        type=date_arg,
        default=None,
        help="date from which what this load adds or moves holds (YYYY-MM-DD)",
    )
    load.add_argument(
        "--offline",
        metavar="OUT",
        default=None,
        help="a first load into an empty Neo4j: validate, then write files for neo4j-admin's "
        "offline importer into the new folder OUT instead of writing to a store",
    )
    load.add_argument(
        "--dry-run",
        action="store_true",
        help="check and plan everything, write nothing; say what a load would do",
    )
    load.add_argument(
        "--encoding",
        default=None,
        help="the CSV files' encoding when not UTF-8 (gb18030 for a GBK export from Excel)",
    )
    load.add_argument(
        "--ignore-unknown",
        action="store_true",
        help="let files the exchange format does not know through (warned), not an error",
    )
    load.set_defaults(run=cmd_load)

    add_principal_commands(sub)
    add_analyze_commands(sub)
    add_target_commands(sub)
    add_report_commands(sub)

    reconcile = sub.add_parser("reconcile", help="plan and apply one source system's snapshot")
    steps = reconcile.add_subparsers(dest="step", required=True)
    plan = steps.add_parser("plan", help="diff a snapshot against the graph; store the plan")
    plan.add_argument("--source", required=True, choices=SOURCES)
    plan.add_argument("dir", help="the source's snapshot in exchange format v1")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument(
        "--dry-run", action="store_true", help="show the plan, do not store it (nothing written)"
    )
    plan.set_defaults(run=cmd_reconcile_plan)
    apply = steps.add_parser("apply", help="apply a stored plan, all or nothing")
    apply.add_argument("plan_id")
    apply.add_argument(
        "--effective",
        type=date_arg,
        default=None,
        help="date the changes hold from (default today)",
    )
    apply.set_defaults(run=cmd_reconcile_apply)
    mismatches = steps.add_parser(
        "mismatches", help="meters the collection system reads in another area (户变不一致)"
    )
    mismatches.add_argument("--json", action="store_true", help="print every mismatch as JSON")
    mismatches.add_argument("--as-of", type=date_arg, default=None, help="the day (default today)")
    mismatches.add_argument("--limit", type=int, default=MAX_PROBLEMS_SHOWN, help="rows shown")
    mismatches.set_defaults(run=cmd_reconcile_mismatches)

    repair = sub.add_parser("repair", help="repair what earlier versions let into the store")
    repairs = repair.add_subparsers(dest="what", required=True)
    intervals = repairs.add_parser(
        "intervals",
        help="remove intervals that hold on no day (an event dated 9999-12-31 before dates "
        "were bounded), with an audit record",
    )
    intervals.set_defaults(run=cmd_repair_intervals)

    for name, helptext in (("serve", "serve GraphQL"), ("demo", "load a synthetic network, serve")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.set_defaults(run=cmd_serve if name == "serve" else cmd_demo)
        if name == "serve":
            p.add_argument(
                "--workers",
                type=int,
                default=1,
                help="server processes (each with its own GIL; they share only the stores)",
            )
        if name == "demo":
            p.add_argument("--meters", type=int, default=20_000, help="meters to generate")
            p.add_argument("--seed", type=int, default=20261128)
            p.add_argument("--write", help="folder for the generated CSV files")
            p.add_argument(
                "--days",
                type=int,
                default=None,
                help="days of readings up to yesterday (0: none; default from the first of "
                "last month, so that the assessment has a whole month)",
            )
            p.add_argument("--no-serve", action="store_true", help="generate and load only")
            p.add_argument(
                "--faults",
                action="store_true",
                help="household-like readings with misplaced meters, thieves, a wrong gate "
                "multiplier and reading anomalies injected, their truth in truth/faults.csv",
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    global _printer
    args = build_parser().parse_args(argv)
    # `serve` logs instead: a live display would fight the server's log lines.
    _printer = StepPrinter(quiet=args.quiet, live=False if args.command == "serve" else None)
    try:
        with _printer:
            settings = Settings.from_env()
            clock.set_zone(settings.timezone)  # before anything asks what day it is
            return int(args.run(args, settings))
    except TaiquError as exc:
        print(f"taiqu: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
