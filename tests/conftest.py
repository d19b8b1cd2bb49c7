"""Fixtures: every contract test runs against both stores, Neo4j included.

Neo4j: TAIQU_NEO4J_URI when set, else the in-process launcher (neo4j-launcher/) is started once
per session. When Neo4j cannot start, the tests fail; they never skip (TAIQU_TESTS_NEO4J=off
is the one explicit way to leave Neo4j out, for a quick local run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.stores.contract import Store
from graph.stores.embedded.store import EmbeddedStore
from graph.stores.neo4j.store import Neo4jStore

STORE_KINDS = ["embedded", "neo4j"]
if os.environ.get("TAIQU_TESTS_NEO4J", "").lower() == "off":
    STORE_KINDS = ["embedded"]


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    if "neo4j" not in STORE_KINDS:
        pytest.skip("TAIQU_TESTS_NEO4J=off: Neo4j left out on purpose (never in CI)")
    uri = os.environ.get("TAIQU_NEO4J_URI")
    if uri:
        yield uri
        return
    from taiqu import neo4j_launcher

    try:
        server = neo4j_launcher.start(heap="768m", pagecache_mb=128)
    except Exception as exc:
        pytest.fail(f"Neo4j could not start for the tests: {exc}", pytrace=False)
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_uri: str) -> Iterator[Neo4jStore]:
    store = Neo4jStore(
        neo4j_uri,
        os.environ.get("TAIQU_NEO4J_USER"),
        os.environ.get("TAIQU_NEO4J_PASSWORD"),
        os.environ.get("TAIQU_NEO4J_DATABASE", "neo4j"),
    )
    yield store
    store.close()


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind."""
    if request.param == "embedded":
        embedded = EmbeddedStore(tmp_path / "home")
        yield embedded
        embedded.close()
        return
    neo4j: Neo4jStore = request.getfixturevalue("neo4j_session_store")
    neo4j.clear()
    yield neo4j
