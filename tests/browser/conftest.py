"""The explorer in a real browser: Debian's Chromium driven by Playwright against `taiqu serve`
on a generated network (the demo's generator, 2,000 meters with faults).

CI installs Chromium (.ci/run); when it cannot be found the tests fail, never skip.
TAIQU_TESTS_BROWSER=off is the one explicit way to leave them out, for a quick local run."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from taiqu import neo4j_launcher
from tests.browser.explorer import CHROMIUM, Explorer, explorer, launch

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TAIQU_ARTIFACTS") or ROOT / "artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
METERS = 2000


@dataclass(frozen=True)
class Served:
    base: str
    home: Path
    network: Path  # the generated CSV files
    marketing_key: str  # the demo's principal: marketing at the top unit
    station_key: str  # a supply station (a writer) in `station`
    station: str
    station_areas: tuple[str, ...]  # areas the station owns
    other_area: str  # an area of another station: outside the station's scope


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "taiqu", *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def chromium() -> Path:
    if os.environ.get("TAIQU_TESTS_BROWSER", "").lower() == "off":
        pytest.skip("TAIQU_TESTS_BROWSER=off: the browser tests left out on purpose (never in CI)")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM} (Debian's `chromium`; .ci/run installs it)",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def served(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("explorer-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIQU_")}
    env["TAIQU_HOME"] = str(home)
    out = _run(["demo", "--meters", str(METERS), "--faults", "--no-serve"], env)
    marketing_key = re.findall(r"Bearer (tq_[A-Za-z0-9_-]+)", out)[-1]
    network = home / f"demo-{METERS}"
    with (network / "transformers.csv").open(encoding="utf-8") as f:
        owners = [(row["transformer_code"], row["org_code"]) for row in csv.DictReader(f)]
    by_station: dict[str, list[str]] = {}
    for area, org in owners:
        by_station.setdefault(org, []).append(area)
    station = max(by_station, key=lambda org: (len(by_station[org]), org))
    other = next(area for area, org in owners if org != station)
    added = _run(
        ["principals", "add", "li.gong", "--role", "supply_station", "--org", station], env
    )
    station_key = re.findall(r"^(tq_[A-Za-z0-9_-]+)$", added, re.MULTILINE)[-1]
    port = neo4j_launcher.free_port()
    base = f"http://127.0.0.1:{port}"
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "taiqu", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while not _ready(base):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail((home / "serve.log").read_text(errors="replace")[-3000:], pytrace=False)
        time.sleep(0.2)
    try:
        yield Served(
            base,
            home,
            network,
            marketing_key,
            station_key,
            station,
            tuple(by_station[station]),
            other,
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = launch(pw)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: object, served: Served) -> Iterator[Explorer]:
    """A fresh tab; after the test, nothing was requested off loopback and no script failed."""
    with explorer(browser, served.base) as found:  # type: ignore[arg-type]
        yield found
        assert found.blocked == [], f"requests off loopback: {found.blocked}"
        assert found.errors == [], f"errors in the page: {found.errors}"
