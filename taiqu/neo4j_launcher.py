"""Start Neo4j Community 5.26 in-process (neo4j-launcher/) with Bolt on a loopback port.

For tests and benchmarks on machines without Docker. Maven resolves Neo4j once (cached in
~/.m2); the launcher class is compiled with javac. The JVM gets the module options Neo4j's own
start script passes on Java 17, a fixed heap and page cache, a fresh data folder, auth off on
loopback only. The server dies with the Python process that started it (its stdin closes).

    python -m taiqu.neo4j_launcher [--heap 1g] [--pagecache-mb 256]   # prints the bolt URI
    python -m taiqu.neo4j_launcher --data DIR --import FILES   # a first load, then start

`--import` runs Neo4j's offline importer (`neo4j-admin database import full`, from the same
Maven artifacts) on the files `taiqu load --offline` wrote, into DIR's empty database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from graph.domain.errors import StoreError
from graph.stores.neo4j.import_files import ARGS_FILE, read_import_files

LAUNCHER_DIR = Path(__file__).resolve().parent.parent / "neo4j-launcher"
MAIN_CLASS = "TaiquNeo4jLauncher"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"  # neo4j-admin's entry point
DATABASE = "neo4j"
READY = "TAIQU-NEO4J-READY"

# What Neo4j's start script adds on Java 17 (without them: "Cannot link java.nio.DirectByteBuffer").
JVM_MODULE_OPTIONS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
)


def _run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise StoreError(f"{' '.join(cmd[:2])} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def build() -> str:
    """Resolve Neo4j with Maven and compile the launcher (both cached); return the classpath."""
    target = LAUNCHER_DIR / "target"
    cp_file = target / "classpath.txt"
    pom = LAUNCHER_DIR / "pom.xml"
    if not cp_file.exists() or cp_file.stat().st_mtime < pom.stat().st_mtime:
        mvn = shutil.which("mvn")
        if mvn is None:
            raise StoreError("Maven (mvn) is needed to fetch Neo4j for the tests")
        _run(
            [mvn, "-q", "-B", "dependency:build-classpath", f"-Dmdep.outputFile={cp_file}"],
            LAUNCHER_DIR,
        )
    classpath = cp_file.read_text().strip()
    classes = target / "classes"
    source = LAUNCHER_DIR / "src" / f"{MAIN_CLASS}.java"
    compiled = classes / f"{MAIN_CLASS}.class"
    if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime:
        javac = shutil.which("javac")
        if javac is None:
            raise StoreError("a JDK (javac) is needed to compile the Neo4j launcher")
        classes.mkdir(parents=True, exist_ok=True)
        _run([javac, "-d", str(classes), "-cp", classpath, str(source)], LAUNCHER_DIR)
    return f"{classes}{os.pathsep}{classpath}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Neo4jServer:
    uri: str
    process: subprocess.Popen[str]
    data_dir: Path
    owns_data: bool

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.owns_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _wait_for_bolt(port: int, process: subprocess.Popen[str], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreError(f"Neo4j exited with code {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise StoreError("Neo4j did not accept Bolt connections in time")


def start(
    data_dir: Path | None = None,
    heap: str = "1g",
    pagecache_mb: int = 256,
    timeout_s: float = 180.0,
) -> Neo4jServer:
    """Start a Neo4j server and wait until Bolt accepts connections."""
    java = shutil.which("java")
    if java is None:
        raise StoreError("Java 17 is needed to run Neo4j for the tests")
    classpath = build()
    owns = data_dir is None
    data = data_dir or Path(tempfile.mkdtemp(prefix="taiqu-neo4j-"))
    port = free_port()
    log = open(data / "launcher.log", "w")  # noqa: SIM115 - lives as long as the server
    cmd = [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *JVM_MODULE_OPTIONS,
        "-cp",
        classpath,
        MAIN_CLASS,
        str(data),
        str(port),
        str(pagecache_mb),
    ]
    process = subprocess.Popen(  # noqa: S603 - fixed command
        cmd, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_for_bolt(port, process, time.monotonic() + timeout_s)
    except StoreError as exc:
        process.kill()
        tail = (data / "launcher.log").read_text(errors="replace")[-4000:]
        raise StoreError(f"{exc}\n--- launcher log ---\n{tail}") from exc
    return Neo4jServer(f"bolt://127.0.0.1:{port}", process, data, owns)


def store_files(data_dir: Path, database: str = DATABASE) -> Path:
    """Where the launcher's server (DatabaseManagementServiceBuilder on `data_dir`) and the
    importer (NEO4J_HOME=`data_dir`) keep a database's store files."""
    return data_dir / "data" / "databases" / database


def admin_import(
    data_dir: Path, files_folder: Path, heap: str = "1g", database: str = DATABASE
) -> str:
    """Import `files_folder` (written by `taiqu load --offline`) into the empty database of
    `data_dir` with Neo4j's offline importer; the server must not be running on it.

    Refuses a database that holds anything (the importer is for a first load); returns the
    importer's report of what it imported. On failure the database is removed again, so a
    corrected retry starts from empty."""
    files = read_import_files(files_folder)  # FileNotFoundError: not an import folder
    target = store_files(data_dir, database)
    if (target / "neostore").exists():
        raise StoreError(
            f"{target} holds a database already: an offline import is for a first load into "
            "an empty one (load into a running server with `taiqu load`)"
        )
    java = shutil.which("java")
    if java is None:
        raise StoreError("Java 17 is needed to run Neo4j's importer")
    classpath = build()
    cmd = [
        java,
        f"-Xmx{heap}",
        *JVM_MODULE_OPTIONS,
        "-cp",
        classpath,
        ADMIN_CLASS,
        "database",
        "import",
        "full",
        database,
        f"@{ARGS_FILE}",
        f"--report-file={data_dir / 'import.report'}",
    ]
    env = {**os.environ, "NEO4J_HOME": str(data_dir)}
    done = subprocess.run(  # noqa: S603 - fixed command; files are the loader's own
        cmd, cwd=files.folder, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(data_dir / "data" / "transactions" / database, ignore_errors=True)
        raise StoreError(f"the offline import failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout[done.stdout.rfind("IMPORT DONE") :].strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache-mb", type=int, default=256)
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: temp)")
    parser.add_argument(
        "--import",
        dest="import_folder",
        type=Path,
        default=None,
        help="files of `taiqu load --offline` to import into the empty database first",
    )
    args = parser.parse_args()
    if args.import_folder and not args.data:
        parser.error("--import needs --data (the folder the imported database stays in)")
    if args.data:
        args.data.mkdir(parents=True, exist_ok=True)
    if args.import_folder:
        print(admin_import(args.data, args.import_folder, args.heap), file=sys.stderr, flush=True)
    server = start(args.data, args.heap, args.pagecache_mb)
    print(server.uri, flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
