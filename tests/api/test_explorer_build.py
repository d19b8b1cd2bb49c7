"""The explorer (web/) is shipped built in the package (api/static/explorer): served at / with
every file from this server, within its size budget, and the build of the committed sources."""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import EXPLORER_FILES
from graph.stores.embedded.store import EmbeddedStore
from tests.api.conftest import Api, make_api

ROOT = Path(__file__).resolve().parents[2]
BUDGET_GZIP_BYTES = 1_000_000  # issue 18: the bundle at most 1 MB gzipped


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(EmbeddedStore(tmp_path / "home"), tmp_path)


def _sources_hash() -> str:
    spec = importlib.util.spec_from_file_location(
        "web_sources_hash", ROOT / "scripts/web_sources_hash.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.sources_hash(ROOT / "web"))


def test_the_shipped_build_is_of_the_committed_sources() -> None:
    """A change to web/ without `scripts/build-web` fails here (CI also rebuilds and compares:
    `scripts/build-web --check`)."""
    shipped = (EXPLORER_FILES / "SOURCES.sha256").read_text().strip()
    assert shipped == _sources_hash(), "web/ changed: run scripts/build-web and commit the build"


def test_the_page_and_its_files_come_from_this_server(api: Api) -> None:
    page = api.client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert not re.search(r"(?:src|href)=\"https?://", page.text)
    sources = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert len(sources) == 2, sources  # one script, one stylesheet
    for source in sources:
        assert source.startswith("/explorer/assets/"), source
        asset = api.client.get(source)
        assert asset.status_code == 200, source
        kind = "javascript" if source.endswith(".js") else "css"
        assert kind in asset.headers["content-type"]


def test_the_page_needs_no_key_but_holds_no_data(api: Api) -> None:
    page = api.client.get("/", headers={"Authorization": ""})
    assert page.status_code == 200
    assert "tq_" not in page.text and "<table" not in page.text


def test_the_bundle_is_within_its_budget() -> None:
    assets = [p for p in (EXPLORER_FILES / "assets").iterdir() if p.is_file()]
    assert assets
    gzipped = sum(len(gzip.compress(p.read_bytes(), 9)) for p in assets)
    assert gzipped <= BUDGET_GZIP_BYTES, gzipped


def test_without_the_explorer_no_page(tmp_path: Path) -> None:
    for api in make_api(EmbeddedStore(tmp_path / "home"), tmp_path, explorer=False):
        assert api.client.get("/").status_code == 404
