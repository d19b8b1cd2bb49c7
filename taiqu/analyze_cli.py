"""`taiqu analyze`: the findings over a period as a work list (table, JSON or a CSV that opens
in Excel with its Chinese names)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from graph.domain.model import Kind
from graph.domain.scope import Scope
from graph.series.findings.model import Finding, FindingKind
from graph.services.findings import findings_under, scope_of
from graph.stores.contract import Store
from taiqu.arguments import date_arg
from taiqu.settings import Settings

#: The kinds as a line-loss team names them (the CSV's second column).
KIND_NAMES = {
    FindingKind.METER_IN_OTHER_AREA: "户变关系错误",
    FindingKind.THEFT_SUSPECT: "疑似窃电",
    FindingKind.WRONG_MULTIPLIER: "倍率错误",
    FindingKind.READING_ANOMALY: "采集异常",
}
CSV_HEADER = (
    "kind",
    "类型",
    "score",
    "transformer_code",
    "台区名称",
    "meter_code",
    "likely_transformer_code",
    "可能台区名称",
    "likely_multiplier",
    "since",
    "loss_impact_kwh",
    "evidence",
)
TABLE_ROWS = 50


def _json(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind.value,
        "score": f.score,
        "transformer": f.transformer,
        "meter": f.meter,
        "likelyTransformer": f.likely_transformer,
        "likelyMultiplier": f.likely_multiplier,
        "since": f.since.isoformat() if f.since else None,
        "lossImpactKwh": f.loss_impact_kwh,
        "evidence": [{"name": n, "value": v} for n, v in f.evidence],
    }


def _names(store: Store, found: list[Finding]) -> dict[str, str]:
    """The Chinese names of the areas the findings name."""
    codes = sorted(
        {f.transformer for f in found}
        | {f.likely_transformer for f in found if f.likely_transformer}
    )
    entities = store.entities(Kind.TRANSFORMER, codes)
    return {code: str(e.get("name") or "") for code, e in entities.items()}


def write_csv(path: Path, found: list[Finding], names: dict[str, str]) -> None:
    """UTF-8 with a byte order mark: Excel then reads the Chinese names as such."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADER)
        for f in found:
            likely = f.likely_transformer or ""
            writer.writerow(
                (
                    f.kind.value,
                    KIND_NAMES[f.kind],
                    f"{f.score:.2f}",
                    f.transformer,
                    names.get(f.transformer, ""),
                    f.meter or "",
                    likely,
                    names.get(likely, "") if likely else "",
                    "" if f.likely_multiplier is None else f"{f.likely_multiplier:g}",
                    f.since.isoformat() if f.since else "",
                    "" if f.loss_impact_kwh is None else f"{f.loss_impact_kwh:.2f}",
                    "; ".join(f"{n}={v}" for n, v in f.evidence),
                )
            )


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    # The store (one connection) only for what the series copy does not hold: which kind of
    # node --under names, and the areas' names for the CSV.
    store = settings.open_store() if args.under or args.csv else None
    try:
        return _analyze(args, settings, store)
    finally:
        if store is not None:
            store.close()


def _analyze(args: argparse.Namespace, settings: Settings, store: Store | None) -> int:

    scope, code = Scope.NETWORK, ""
    if args.under and store is not None:
        scope, code = scope_of(store, args.under), args.under
    kinds = [FindingKind(k) for k in args.kinds] if args.kinds else None
    reader = settings.loss_reader()
    try:
        analysis = findings_under(reader, scope, code, args.start, args.end, kinds)
    finally:
        reader.close()
    found = analysis.findings
    kept = analysis.groups - analysis.analysed
    print(
        f"analysed {analysis.analysed:,} of {analysis.groups:,} feeders"
        + (f" ({kept:,} unchanged since an earlier analysis: findings kept)" if kept else ""),
        file=sys.stderr,
    )
    if args.json:
        period = {"from": args.start.isoformat(), "to": args.end.isoformat()}
        print(
            json.dumps(
                {"period": period, "count": len(found), "findings": [_json(f) for f in found]},
                ensure_ascii=False,
            )
        )
        return 0
    if args.csv and store is not None:
        write_csv(Path(args.csv), found, _names(store, found))
        print(f"{len(found):,} findings written to {args.csv}", file=sys.stderr)
        return 0
    print(f"{len(found):,} findings over {args.start} .. {args.end}, highest score first")
    for f in found[:TABLE_ROWS]:
        where = f.transformer + (f" -> {f.likely_transformer}" if f.likely_transformer else "")
        extra = dict(f.evidence).get("anomaly", "")
        if f.likely_multiplier is not None:
            extra = f"x{f.likely_multiplier:g}"
        since = f"since {f.since}" if f.since else ""
        impact = f"{f.loss_impact_kwh:,.0f} kWh" if f.loss_impact_kwh is not None else ""
        print(
            f"  {f.score:4.2f}  {f.kind.value:<19} {f.meter or '-':<12} {where:<30} "
            f"{extra:<17} {since:<17} {impact}"
        )
    if len(found) > TABLE_ROWS:
        print(f"  ... and {len(found) - TABLE_ROWS:,} more (--json or --csv FILE: all)")
    return 0


def add_commands(sub: Any) -> None:
    analyze = sub.add_parser(
        "analyze",
        help="find the causes of management loss in a period's readings (misplaced meters, "
        "theft suspects, wrong multipliers, reading anomalies)",
    )
    analyze.add_argument("--from", dest="start", type=date_arg, required=True, help="first day")
    analyze.add_argument("--to", dest="end", type=date_arg, required=True, help="last day")
    analyze.add_argument("--under", help="an org unit, substation, feeder or transformer code")
    analyze.add_argument(
        "--kinds", nargs="+", choices=[k.value for k in FindingKind], help="only these kinds"
    )
    out = analyze.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print every finding as JSON")
    out.add_argument("--csv", metavar="FILE", help="write every finding to a CSV file for Excel")
    analyze.set_defaults(run=cmd_analyze)
