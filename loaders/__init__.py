"""Loaders: parse -> validate -> plan (diff against the store) -> apply."""
