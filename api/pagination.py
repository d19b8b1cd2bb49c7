"""Cursor paging: opaque cursors over codes, and the hard page-size cap."""

from __future__ import annotations

import base64
import binascii

from graph.errors import InputError

_PREFIX = "c:"


def encode_cursor(code: str) -> str:
    return base64.urlsafe_b64encode((_PREFIX + code).encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX):
        raise InputError(f"after: not a cursor returned by this API: {cursor!r}")
    return text[len(_PREFIX) :]


def page_size(first: int | None, default: int, maximum: int) -> int:
    if first is None:
        return default
    if not 0 <= first <= maximum:
        raise InputError(f"first must be between 0 and {maximum}, got {first}")
    return first
