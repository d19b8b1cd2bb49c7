"""A load killed mid-write leaves the embedded store exactly as it was before (or after).

The kill is deterministic (tests/crash.py): the process dies just before its 8th write
statement, after the entities and closes of the one write transaction and before its links."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from graph.stores.embedded.store import EmbeddedStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from tests.builder import small_network
from tests.crash import run_killed
from tests.fingerprint import fingerprint


def test_kill_during_write_leaves_previous_state(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = EmbeddedStore(home)
    load_folder(store, small_network().write(tmp_path / "small"))
    before = fingerprint(store)
    store.close()
    write_folder(generate(60_000), tmp_path / "big")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    done = run_killed(8, ["load", str(tmp_path / "big")], env)
    assert done.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    assert "[taiqu] writing" in done.stderr  # it died inside the write, not before it
    reopened = EmbeddedStore(home)
    integrity = reopened._connection().execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"
    assert fingerprint(reopened) == before
