"""Change events entered one at a time (see graph.services.events.base)."""
