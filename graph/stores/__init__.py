"""The stores: the Store contract and its two implementations (embedded SQLite, Neo4j)."""
