"""docker-compose.yml and the Dockerfile keep what the API writes (this machine has no Docker
daemon: the files are read, not run)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    found = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(found, dict)
    return found


def _image_home() -> str:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r"^ENV TAIQU_HOME=(\S+)$", dockerfile, re.MULTILINE)
    assert match, "the Dockerfile sets TAIQU_HOME"
    return match.group(1)


def test_the_api_keeps_taiqu_home_in_a_named_volume() -> None:
    compose = _compose()
    api = compose["services"]["api"]
    home = api["environment"]["TAIQU_HOME"]
    assert home == _image_home()
    mounts = dict(v.split(":", 1) for v in api["volumes"])
    named = {name for name, path in mounts.items() if path.split(":")[0] == home}
    assert named and named <= set(compose["volumes"]), mounts  # named, not a bind or anonymous
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"chown taiqu:taiqu {home}" in dockerfile  # writable by the image's user


def test_the_api_has_its_own_health_check_on_readyz() -> None:
    check = _compose()["services"]["api"]["healthcheck"]
    assert "/readyz" in " ".join(check["test"])
    assert check["start_period"] and check["retries"] >= 1


def test_the_readmes_load_command_writes_into_that_volume() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"docker compose run --rm (?:-v \S+\s+)?(\w+) taiqu load", readme)
    assert commands and set(commands) == {"api"}  # run in the api service: its volume mounted
    header = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "docker compose run --rm -v" in header and "api taiqu load /import" in header
