"""What a code (an entity's natural key, a terminal's code) may hold.

Codes travel everywhere: CSV files, Cypher and SQL parameters, GraphQL ids, spreadsheets and
the screens of other systems. A control character (NUL, U+0001: our own search-key separator),
a bidirectional override (U+202E shows "M1<RLO>99" as "M199"), a byte-order mark or zero-width
character (two codes that look the same), a lone surrogate (not text) or a quote is never part
of a meter's or an area's code, and each one has hidden a wrong code in some other system.
"""

from __future__ import annotations

import re

MAX_CODE_LENGTH = 64

_FORBIDDEN = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0 and C1 controls
    "\"'\\\\"  # quotes and the backslash
    "\u00ad\u061c\u180e"  # soft hyphen, Arabic letter mark, Mongolian vowel separator
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f"  # zero-width, line/paragraph, bidi, invisible
    "\ufeff\ufff9-\ufffb"  # byte-order mark, interlinear annotation
    "\ud800-\udfff"  # lone surrogates
    "]"
)


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a code (None: it can); the caller names the field.

    >>> code_problem("M1-2026") is None
    True
    >>> code_problem("M1\u202e99")
    'has a control, invisible or quote character (U+202E) at position 3'
    """
    if code.isalnum():  # most codes (C000000001, 台区01); letters and digits are never refused
        return None
    found = _FORBIDDEN.search(code)
    if found is None:
        return None
    return (
        f"has a control, invisible or quote character (U+{ord(found.group()):04X}) "
        f"at position {found.start() + 1}"
    )


def new_code_problem(code: str) -> str | None:
    """Why `code` cannot name a new entity: the rules of every code, plus 1 to 64 characters
    without spaces."""
    if not code.strip():
        return "is empty"
    if len(code) > MAX_CODE_LENGTH or any(ch.isspace() for ch in code):
        return f"must be 1-{MAX_CODE_LENGTH} characters without spaces"
    return code_problem(code)
