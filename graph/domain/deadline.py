"""The time a request may still take, carried with it into the threads that do its reads.

The API sets a deadline for each query (never for a write: a write that has started runs to
its end, so that its outcome is known); the stores read it to stop early: SQLite aborts the
statement it is running, Neo4j gets a transaction timeout. A context variable travels with the
request into `asyncio.to_thread` workers, and is absent everywhere else (loads, the CLI).
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token

_DEADLINE: ContextVar[float | None] = ContextVar("taiqu_deadline", default=None)


def start(seconds: float) -> Token[float | None]:
    """From now on, the current context (and the threads it starts) has `seconds` left."""
    return _DEADLINE.set(time.monotonic() + seconds)


def clear() -> None:
    """No deadline for the rest of the current context (a write)."""
    _DEADLINE.set(None)


def reset(token: Token[float | None]) -> None:
    _DEADLINE.reset(token)


def remaining_seconds() -> float | None:
    """Seconds left (≤ 0 once passed); None without a deadline."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


def passed() -> bool:
    left = remaining_seconds()
    return left is not None and left <= 0
