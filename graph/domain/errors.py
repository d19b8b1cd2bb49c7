"""Errors raised by Taiqu's own code.

TaiquError
 +-- ConfigError          bad or missing settings
 +-- StoreError           a store cannot be reached or refused a write
 |    +-- StalePlan        the graph changed since a plan was computed; nothing was written
 +-- LoadRejected         an import found problems; nothing was written (carries the problems)
 +-- InputError           a request argument is out of range (page size, dates, ids)
 |    +-- NotFound         it names something that is not stored (an unknown unit code)
 +-- AccessDenied         the caller may not do this (outside its duties or scope)
 +-- EventRejected        a change event failed its checks; nothing was written (per field)
 +-- DeadlineExceeded     a request ran past its time limit; its reads were stopped
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class TaiquError(Exception):
    """Base of every error Taiqu raises on purpose."""


class ConfigError(TaiquError):
    pass


class StoreError(TaiquError):
    pass


class StalePlan(StoreError):
    """The graph's version is not the one a plan was computed against."""

    @classmethod
    def versions(cls, found: int, expected: int) -> StalePlan:
        return cls(
            f"the graph is at version {found}, the plan was computed against {expected}: plan again"
        )


class InputError(TaiquError):
    """A caller's argument is invalid; the message is safe to show to the caller."""


class NotFound(InputError):
    """An argument names a code that is not stored; the message is safe to show."""


class LoadRejected(TaiquError):
    def __init__(self, problems: Sequence[object]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was written")
        self.problems = list(problems)


class DeadlineExceeded(TaiquError):
    """A request's time limit passed (graph/domain/deadline.py); its reads were stopped."""


class AccessDenied(TaiquError):
    """The caller may not do this; the message is safe to show."""


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one input field of a change event (None: the event as a whole)."""

    field: str | None
    message: str


class EventRejected(TaiquError):
    """The event was not written; `problems` says why, field by field."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)
