"""A load killed mid-write leaves the embedded store exactly as it was before (or after)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from graph.stores.embedded.store import EmbeddedStore
from loaders.generate import generate, write_folder
from loaders.load import load_folder
from tests.builder import small_network
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
    process = subprocess.Popen(
        [sys.executable, "-m", "taiqu", "load", str(tmp_path / "big")],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("[taiqu] writing"):
            time.sleep(0.1)  # well inside the write of ~240k rows (about 2 s)
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    reopened = EmbeddedStore(home)
    integrity = reopened._connection().execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"
    assert fingerprint(reopened) == before
