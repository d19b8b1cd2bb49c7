"""The Neo4j store: the driver and its Cypher beside it."""
