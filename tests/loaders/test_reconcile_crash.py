"""A `taiqu reconcile apply` killed mid-write leaves the graph fully before; on both stores.

The kill is deterministic (tests/crash.py): the process dies just before its second write
statement, inside the one write transaction (embedded: after the closes, before the opens;
Neo4j: after the first batch of closes)."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pytest

from graph.domain.model import Rel
from graph.stores.contract import Store
from graph.stores.neo4j.store import Neo4jStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from loaders.plans import PlanStore
from loaders.reconcile import make_plan
from tests.crash import run_killed, wait_for_rollback


def _digest(store: Store) -> tuple[int, str]:
    """The version and every interval of the relationships the plan touches."""
    rows = sorted(
        (k.rel.value, k.parent, k.child, str(k.valid_from), str(k.valid_to))
        for rel in (Rel.HAS_METER, Rel.USES_METER)
        for k in store.scan_links(rel)
    )
    return store.version(), hashlib.sha256(repr(rows).encode()).hexdigest()


def test_kill_during_apply_leaves_the_graph_before(
    store: Store, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    if isinstance(store, Neo4jStore):
        env["TAIQU_NEO4J_URI"] = request.getfixturevalue("neo4j_uri")
    network = generate(20_000)  # its first load is one transaction: within the test heap
    write_folder(network, tmp_path / "net")
    load_folder(store, tmp_path / "net")
    # The marketing archive puts every customer meter one area further: ~19k moves.
    areas = [r[0] for r in network.rows["transformers.csv"]]
    shift = {a: areas[(i + 1) % len(areas)] for i, a in enumerate(areas)}
    network.rows["meters.csv"] = [
        (r[0], shift[str(r[1])], *r[2:]) if r[2] != "gate" else r
        for r in network.rows["meters.csv"]
    ]
    write_folder(network, tmp_path / "moved")
    plan, _ = make_plan(store, "marketing", tmp_path / "moved", "20261128T100000-c0ffee", "t")
    assert plan.counts()["moved"] > 15_000
    PlanStore(home / "plans").save(plan)
    before = _digest(store)
    args = ["reconcile", "apply", plan.plan_id, "--effective", "2026-07-01"]
    done = run_killed(2, args, env)
    assert done.returncode == -signal.SIGKILL, "the apply finished before it could be killed"
    assert "[taiqu] applying" in done.stderr  # it died inside the write, not before it
    if isinstance(store, Neo4jStore):
        wait_for_rollback(store)
    assert _digest(store) == before
    assert PlanStore(home / "plans").load(plan.plan_id).applied_as is None
