"""The domain: the network model, its rules and errors (standard library only)."""
