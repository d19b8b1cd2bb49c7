"""Cursor paging: opaque cursors over codes, and the hard page-size cap."""

from __future__ import annotations

import base64
import binascii

from graph.domain.errors import InputError

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


_OFFSET_PREFIX = "o:"


def encode_offset(offset: int) -> str:
    """A cursor for a position in a computed ranking (no natural key orders it)."""
    return base64.urlsafe_b64encode(f"{_OFFSET_PREFIX}{offset}".encode()).decode()


def decode_offset(cursor: str | None) -> int:
    """The position after `cursor` (0 without one)."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    digits = text[len(_OFFSET_PREFIX) :]
    if not text.startswith(_OFFSET_PREFIX) or not digits.isdigit() or len(digits) > 9:
        raise InputError(f"after: not a cursor returned by this ranking: {cursor!r}")
    return int(digits) + 1
