"""The GraphQL foundation's GraphQL-over-HTTP audit suite (graphql-http) against `taiqu serve`
on a small generated network: how many audits pass, and which do not and why.

    (cd bench/http_audit && npm ci) && .venv/bin/python -m bench.http_audit

tests/api/test_http_protocol.py checks the same rules (and more) in CI without Node; this runs
the suite itself, as an integrator would.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bench.topology import KEYS, serve
from loaders.generate import generate, write_folder

HERE = Path(__file__).resolve().parent / "http_audit"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meters", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="taiqu-http-audit-") as tmp:
        home = Path(tmp) / "home"
        folder = Path(tmp) / "net"
        write_folder(generate(args.meters, seed=1), folder)
        env = {"TAIQU_HOME": str(home)}
        subprocess.run(
            [str(Path(".venv/bin/taiqu")), "load", str(folder)],
            env={**env, "PATH": "/usr/bin:/bin"},
            check=True,
            capture_output=True,
        )
        process, port = serve(env)
        try:
            done = subprocess.run(
                ["node", str(HERE / "audit.mjs"), f"http://127.0.0.1:{port}/graphql", KEYS[port]],
                check=True,
                capture_output=True,
                text=True,
                cwd=HERE,
            )
        finally:
            process.terminate()
            process.wait()
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    counts = Counter(r["status"] for r in results)
    print(f"{len(results)} audits: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    for r in results:
        if r["status"] != "ok":
            print(f"  {r['status']:6} {r['id']} {r['name']}: HTTP {r['httpStatus']}, {r['reason']}")
    return 1 if counts.get("error") else 0


if __name__ == "__main__":
    raise SystemExit(main())
