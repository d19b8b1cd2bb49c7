"""Taiqu's network model and the stores that keep it (no web or driver imports here)."""
