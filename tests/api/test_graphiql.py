"""GraphiQL is served by Taiqu itself: the page and every file it loads come from this server
(an intranet has no way to a CDN), under a Content-Security-Policy that allows nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.stores.embedded.store import EmbeddedStore
from tests.api.conftest import Api, make_api

HTML = {"accept": "text/html"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(EmbeddedStore(tmp_path / "home"), tmp_path)


def test_the_page_loads_only_files_of_this_server(api: Api) -> None:
    page = api.client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(sources) == 8  # 3 stylesheets, 5 scripts
    assert not re.search(r"https?://", page.text)
    for source in sources:
        assert source.startswith("/graphiql-assets/"), source
        asset = api.client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100, source
        kind = "javascript" if source.endswith(".js") else "css"
        assert kind in asset.headers["content-type"], (source, asset.headers["content-type"])


def test_the_page_runs_graphiql_with_the_explorer(api: Api) -> None:
    script = api.client.get("/graphiql-assets/taiqu-graphiql.js").text
    assert "GraphiQL.createFetcher" in script and "explorerPlugin" in script
    assert "shouldPersistHeaders: false" in script  # an API key stays out of storage


def test_without_graphiql_neither_page_nor_files(tmp_path: Path) -> None:
    for api in make_api(EmbeddedStore(tmp_path / "home"), tmp_path, graphiql=False):
        assert api.client.get("/graphiql-assets/graphiql.min.js").status_code == 404
        assert api.client.get("/graphql", headers=HTML).status_code != 200
