"""Change events entered one at a time (see graph.events.base)."""
