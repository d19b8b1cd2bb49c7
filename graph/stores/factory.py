"""Open the configured store: Neo4j when TAIQU_NEO4J_URI is set, else the embedded one."""

from __future__ import annotations

from pathlib import Path

from graph.stores.contract import Store
from graph.stores.embedded.store import EmbeddedStore
from graph.stores.neo4j.store import Neo4jStore


def open_store(
    home: Path,
    neo4j_uri: str | None = None,
    neo4j_user: str | None = None,
    neo4j_password: str | None = None,
    neo4j_database: str = "neo4j",
    read_only: bool = False,
) -> Store:
    """`read_only` applies to the embedded store's file; Neo4j's access is its server's."""
    if neo4j_uri:
        return Neo4jStore(neo4j_uri, neo4j_user, neo4j_password, neo4j_database)
    return EmbeddedStore(home, read_only=read_only)
