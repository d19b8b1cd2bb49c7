"""The embedded store: SQLite under TAIQU_HOME, its SQL beside it."""
