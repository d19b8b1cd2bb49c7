"""Stored plans: one JSON file per plan under TAIQU_HOME/plans/, written atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from graph.domain.changes import new_changeset_id
from graph.domain.errors import InputError
from graph.domain.model import Entity, Kind, Rel
from graph.stores.contract import Store
from loaders.problems import Problem
from loaders.reconcile import Change, Plan, make_plan

_ID = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$")  # new_changeset_id's shape


def _to_json(plan: Plan) -> dict[str, Any]:
    return {
        "plan_id": plan.plan_id,
        "source": plan.source,
        "graph_version": plan.graph_version,
        "created_at": plan.created_at.isoformat(),
        "actor": plan.actor,
        "folder": plan.folder,
        "applied_as": plan.applied_as,
        "counts": plan.counts(),
        "created": [[e.kind.value, e.code, e.attrs] for e in plan.created],
        "updated": [[e.kind.value, e.code, e.attrs] for e in plan.updated],
        "opens": [[r.value, p, c, d] for r, p, c, d in plan.opens],
        "closes": [[r.value, c] for r, c in plan.closes],
        "changes": [
            {
                "change": c.change,
                "kind": c.kind.value,
                "code": c.code,
                "what": c.what,
                "before": c.before,
                "after": c.after,
            }
            for c in plan.changes
        ],
    }


def _from_json(raw: dict[str, Any]) -> Plan:
    plan = Plan(
        plan_id=raw["plan_id"],
        source=raw["source"],
        graph_version=int(raw["graph_version"]),
        created_at=dt.datetime.fromisoformat(raw["created_at"]),
        actor=raw["actor"],
        folder=raw["folder"],
        applied_as=raw.get("applied_as"),
    )
    plan.created = [Entity(Kind(k), c, a) for k, c, a in raw["created"]]
    plan.updated = [Entity(Kind(k), c, a) for k, c, a in raw["updated"]]
    plan.opens = [(Rel(o[0]), o[1], o[2], o[3] if len(o) > 3 else None) for o in raw["opens"]]
    plan.closes = [(Rel(r), c) for r, c in raw["closes"]]
    plan.changes = [
        Change(c["change"], Kind(c["kind"]), c["code"], c["what"], c["before"], c["after"])
        for c in raw["changes"]
    ]
    return plan


class PlanStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, plan_id: str) -> Path:
        if not _ID.match(plan_id):  # never a path built from arbitrary input
            raise InputError(f"not a plan id: {plan_id!r}")
        return self.folder / f"{plan_id}.json"

    def save(self, plan: Plan) -> Path:
        path = self._path(plan.plan_id)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(_to_json(plan), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        return path

    def load(self, plan_id: str) -> Plan:
        path = self._path(plan_id)
        if not path.is_file():
            raise InputError(f"no plan {plan_id} (plans are kept in {self.folder})")
        return _from_json(json.loads(path.read_text(encoding="utf-8")))


def plan_summary(plan: Plan) -> dict[str, Any]:
    """What `taiqu reconcile plan --json` prints."""
    raw = _to_json(plan)
    return {
        k: raw[k] for k in ("plan_id", "source", "graph_version", "created_at", "counts", "changes")
    }


def plan_snapshot(
    store: Store, plans: PlanStore, source: str, folder: Path, actor: str, keep: bool = True
) -> tuple[Plan, list[Problem]]:
    """`taiqu reconcile plan`: diff one source's snapshot into a new plan and store it (not
    with `keep` False: a dry run). Raises LoadRejected (nothing stored) on any error; returns
    the plan and its warnings."""
    plan_id = new_changeset_id(dt.datetime.now(dt.UTC))
    plan, warnings = make_plan(store, source, folder, plan_id, actor)
    if keep:
        plans.save(plan)
    return plan, warnings
