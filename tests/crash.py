"""Kill a `taiqu` command in the middle of its write, deterministically.

`python -m tests.crash N taiqu-args...` runs the CLI in a process whose stores kill it with
SIGKILL just before their Nth write statement: an INSERT or UPDATE on the embedded store, a
batch of an UNWIND write on Neo4j. Both run inside the one write transaction, so the kill
lands after N-1 statements of it and before its commit, whatever the machine's speed.
`run_killed` starts that process and returns it once it has died.

For a server (`taiqu serve`, killed in a change event): `--from-apply` counts only the
statements of a store's `apply` (start-up writes do not count), and `--at-sync` kills it
right after a commit, when the loss copy's sync begins (N = 0: no statement kill).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.stores.embedded.store import EmbeddedStore
from graph.stores.neo4j import writes as neo4j_writes
from graph.stores.neo4j.store import Neo4jStore

ROOT = Path(__file__).resolve().parent.parent  # where `-m tests.crash` is found


class _Countdown:
    """Calls `die` just before the `limit`th write statement (once armed)."""

    def __init__(self, limit: int, die: Callable[[], None], armed: bool = True) -> None:
        self.left = limit
        self.die = die
        self.armed = armed

    def tick(self) -> None:
        if not self.armed:
            return
        self.left -= 1
        if self.left <= 0:
            self.die()


class _CountingConnection:
    """A sqlite3 connection whose INSERT and UPDATE statements tick the countdown."""

    def __init__(self, conn: Any, countdown: _Countdown) -> None:
        self._conn = conn
        self._countdown = countdown

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def _tick(self, sql: str) -> None:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            self._countdown.tick()

    def execute(self, sql: str, *args: Any) -> Any:
        self._tick(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, rows: Any) -> Any:
        self._tick(sql)
        return self._conn.executemany(sql, rows)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(limit: int, from_apply: bool = False, at_sync: bool = False) -> None:
    """Wrap both stores' statement execution so that the process dies before write `limit`
    (0: never); see the module's docstring for the options."""
    if at_sync:
        from graph.services import write

        def die_at_sync(*_: Any, **__: Any) -> None:
            _die()

        write.sync_topology = die_at_sync  # type: ignore[assignment]
    if limit <= 0:
        return
    countdown = _Countdown(limit, _die, armed=not from_apply)
    if from_apply:
        for store_class in (EmbeddedStore, Neo4jStore):
            _arm_on_apply(store_class, countdown)
    connection = EmbeddedStore._connection

    def counting_connection(self: EmbeddedStore) -> Any:
        return _CountingConnection(connection(self), countdown)

    EmbeddedStore._connection = counting_connection  # type: ignore[method-assign]
    run = neo4j_writes.Statement.run

    def counting_run(self: neo4j_writes.Statement, tx: Any) -> None:
        countdown.tick()
        run(self, tx)

    neo4j_writes.Statement.run = counting_run  # type: ignore[method-assign]


def _arm_on_apply(store_class: Any, countdown: _Countdown) -> None:
    apply = store_class.apply

    def armed_apply(self: Any, *args: Any, **kwargs: Any) -> Any:
        countdown.armed = True
        return apply(self, *args, **kwargs)

    store_class.apply = armed_apply


def run_killed(
    statements: int, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `taiqu args...` until it dies before its `statements`th write statement."""
    return subprocess.run(
        [sys.executable, "-m", "tests.crash", str(statements), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,  # a loaded CI machine has taken minutes before the kill (Neo4j lookups)
        check=False,
    )


if __name__ == "__main__":
    from taiqu.cli import main

    args = sys.argv[1:]
    options = {"--from-apply": False, "--at-sync": False}
    while args and args[0] in options:
        options[args.pop(0)] = True
    install(int(args[0]), from_apply=options["--from-apply"], at_sync=options["--at-sync"])
    sys.exit(main(args[1:]))


def wait_for_rollback(store: Any, timeout_s: float = 60) -> None:
    """Wait until Neo4j has rolled back the killed process's transaction (it does when it
    notices the dropped connection): no transaction but the one asking is left."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        records, _, _ = store.driver.execute_query(
            "SHOW TRANSACTIONS YIELD transactionId RETURN count(*) AS open",
            database_=store.database,
        )
        if records[0]["open"] <= 1:
            return
        time.sleep(0.05)
    raise AssertionError("the killed transaction was not rolled back in time")
