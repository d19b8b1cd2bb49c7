"""Findings kept in the series folder between analyses, per feeder and period, with a
fingerprint of what they were found from: an analysis reuses a feeder's findings while its
fingerprint holds and analyses again only the feeders a write touched.

    TAIQU_HOME/series/findings/2026-10-01_2026-11-04/<hash of the group>.json

The unit is a group: a feeder with all its areas (a meter may be fed by a sibling area, so a
feeder is analysed whole), or an area without a feeder. A group's fingerprint covers what its
analysis reads: which areas it has, each area's meters' intervals in the period (area, role,
multiplier), and each area-day's balance with the checksum of its readings. A group whose
balances were written before checksums were kept has no fingerprint and is always analysed.
VERSION changes with what the detectors find, and makes every kept finding stale.

Kept findings are a cache: a file that cannot be read is analysed again, a home that cannot be
written (read-only) keeps nothing, and two processes writing one group write the same answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from graph.series import sql
from graph.series.files import Manifest, SeriesFolder
from graph.series.findings.model import Finding, FindingKind

VERSION = 2  # 2: customer meters behind a CT checked for a wrong multiplier
KEEP_PERIODS = 24  # periods kept, the most recently written first

Groups = dict[str, list[str]]  # group key -> its areas, sorted


def groups_of(areas: list[str], feeder_of: dict[str, str]) -> Groups:
    """The groups `areas` belong to, each with every one of its areas: a feeder's
    ("feeder:F03") or a lone area's ("area:T1")."""
    siblings: defaultdict[str, list[str]] = defaultdict(list)
    for area, feeder in feeder_of.items():
        siblings[feeder].append(area)
    groups: Groups = {}
    for area in areas:
        its_feeder = feeder_of.get(area)
        if its_feeder:
            groups[f"feeder:{its_feeder}"] = sorted(siblings[its_feeder])
        else:
            groups[f"area:{area}"] = [area]
    return groups


def fingerprints(
    con: duckdb.DuckDBPyConnection,
    folder: SeriesFolder,
    manifest: Manifest,
    groups: Groups,
    start: dt.date,
    end: dt.date,
) -> dict[str, str | None]:
    """Each group's fingerprint over [start, end] (None: not to be reused)."""
    areas = sorted({a for members in groups.values() for a in members})
    params: dict[str, object] = {"areas": areas, "first": start, "after": end + dt.timedelta(1)}
    service: dict[str, tuple[int, int]] = {}
    memberships = manifest.topology.get("memberships")
    if memberships:
        query = sql.FINDING_PRINT_SERVICE
        rows = con.execute(query, {**params, "memberships": folder.path(memberships)}).fetchall()
        service = {area: (int(h), int(n)) for area, h, n in rows}
    balances: dict[str, tuple[int, int, int]] = {}
    months = [m for m in _months(start, end) if m in manifest.balances]
    files = [folder.path(manifest.balances[m]) for m in months]
    if files:
        with_checksums = con.execute(sql.FINDING_PRINT_CHECKSUMS, {"files": files}).fetchone()
        if not with_checksums or with_checksums[0] < len(files):
            return dict.fromkeys(groups)  # a month written before checksums were kept
        rows = con.execute(sql.FINDING_PRINT_BALANCES, {**params, "files": files}).fetchall()
        balances = {area: (int(h or 0), int(n), int(unknown)) for area, h, n, unknown in rows}
    prints: dict[str, str | None] = {}
    for key, members in groups.items():
        if any(balances.get(a, (0, 0, 0))[2] for a in members):
            prints[key] = None
            continue
        parts = [VERSION, key, [(a, service.get(a), balances.get(a)) for a in members]]
        prints[key] = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    return prints


def _months(start: dt.date, end: dt.date) -> list[str]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


class KeptFindings:
    """The findings files of one series folder."""

    def __init__(self, folder: SeriesFolder) -> None:
        self.root = folder.root / "findings"

    def _path(self, start: dt.date, end: dt.date, key: str) -> Path:
        # The key holds a code (any characters): the file is named by its hash.
        name = hashlib.sha256(key.encode()).hexdigest()[:24]
        return self.root / f"{start.isoformat()}_{end.isoformat()}" / f"{name}.json"

    def get(
        self, start: dt.date, end: dt.date, key: str, fingerprint: str | None
    ) -> list[Finding] | None:
        """The group's kept findings if they were found from what the fingerprint says."""
        if fingerprint is None:
            return None
        try:
            kept = json.loads(self._path(start, end, key).read_text(encoding="utf-8"))
            if kept["group"] != key or kept["fingerprint"] != fingerprint:
                return None
            return [_from_json(f) for f in kept["findings"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # none kept, or a file this version cannot read: analyse again

    def put(
        self,
        start: dt.date,
        end: dt.date,
        key: str,
        fingerprint: str | None,
        found: list[Finding],
    ) -> None:
        if fingerprint is None:
            return
        path = self._path(start, end, key)
        text = json.dumps(
            {"group": key, "fingerprint": fingerprint, "findings": [_to_json(f) for f in found]},
            ensure_ascii=False,
        )
        try:
            new_period = not path.parent.is_dir()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)  # a reader sees the old file or the new one
            if new_period:
                self._prune()
        except OSError:
            return  # a read-only home: nothing is kept

    def _prune(self) -> None:
        periods = sorted(
            (p for p in self.root.iterdir() if p.is_dir()),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for old in periods[KEEP_PERIODS:]:
            shutil.rmtree(old, ignore_errors=True)


def _to_json(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind.value,
        "transformer": f.transformer,
        "score": f.score,
        "meter": f.meter,
        "likely_transformer": f.likely_transformer,
        "likely_multiplier": f.likely_multiplier,
        "since": f.since.isoformat() if f.since else None,
        "loss_impact_kwh": f.loss_impact_kwh,
        "evidence": [list(pair) for pair in f.evidence],
    }


def _from_json(d: dict[str, Any]) -> Finding:
    return Finding(
        kind=FindingKind(d["kind"]),
        transformer=str(d["transformer"]),
        score=float(d["score"]),
        meter=d["meter"],
        likely_transformer=d["likely_transformer"],
        likely_multiplier=d["likely_multiplier"],
        since=dt.date.fromisoformat(d["since"]) if d["since"] else None,
        loss_impact_kwh=d["loss_impact_kwh"],
        evidence=tuple((str(n), str(v)) for n, v in d["evidence"]),
    )
