"""Services: the one topology write path, change events and the mismatch report."""
