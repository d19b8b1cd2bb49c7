"""Change events (异动) entered one at a time: the checks they share and how they are written.

An event is checked whole against the graph as it is (every problem names the input field
it is about), turned into one change set dated on its effective date, and written only if
the graph has not changed since it was checked (the graph version, as for plans). Nothing is
overwritten: moves close one interval and open the next. The series copy loss reads follows
(graph.services.write.write_topology), as for every topology write.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from graph.domain import clock
from graph.domain.changes import ChangeSet, ChangesetRecord, LinkClose, new_record
from graph.domain.codes import new_code_problem
from graph.domain.dates import DEFAULT_BOUNDS, DateBounds
from graph.domain.errors import EventRejected, FieldProblem, StalePlan
from graph.domain.intervals import can_end_on
from graph.domain.model import FOREVER, Entity, Kind, Link, Rel
from graph.series.files import SeriesFolder
from graph.services.write import write_topology
from graph.stores.contract import Store


def _retired(what: str, code: str, rel: Rel) -> str:
    return f"{what} {code} is retired (no {rel.value})"


@dataclass
class EventCheck:
    """Reads what an event needs and collects its problems; `version` is the graph version
    the checks saw (the write refuses to land on another one)."""

    store: Store
    effective: dt.date
    bounds: DateBounds = DEFAULT_BOUNDS
    version: int = 0
    problems: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.version = self.store.version()  # first: a write after it makes the event stale
        problem = self.bounds.problem(self.effective, clock.today())
        if problem:
            self.problem("effective", f"effective date {problem}")

    def problem(self, name: str | None, message: str) -> None:
        self.problems.append(FieldProblem(name, message))

    def entity(self, name: str, kind: Kind, code: str) -> Entity | None:
        """The stored entity `code` of `kind`, or a problem on field `name`."""
        if not code.strip():
            self.problem(name, f"{name} is empty")
            return None
        found = self.store.entities(kind, [code]).get(code)
        if found is None:
            self.problem(name, f'unknown {kind.value} "{code}"')
        return found

    def open_link(self, name: str, rel: Rel, child: str, missing: str | None) -> Link | None:
        """The child's open interval in `rel`; without one, `missing` is the problem (None:
        having none is fine). An interval that began on or after the effective date cannot
        end on it."""
        link = self.store.open_links(rel, [child]).get(child)
        if link is None:
            if missing is not None:
                self.problem(name, missing)
            return None
        if not can_end_on(link.valid_from, self.effective):
            self.problem(
                "effective",
                f"{child} is under {link.parent} ({rel.value}) since {link.valid_from}: "
                "the change must take effect after that",
            )
        return link

    def in_service(self, name: str, rel: Rel, code: str, what: str) -> Link | None:
        """The open interval that keeps `code` (a target: an area a meter moves to, a feeder
        an area moves to) in service on the effective date; it stays open."""
        link = self.store.open_links(rel, [code]).get(code)
        if link is None:
            self.problem(name, _retired(what, code, rel))
        elif link.valid_from > self.effective:
            self.problem("effective", f"{what} {code} is in service only from {link.valid_from}")
        return link

    def leaving_service(self, name: str, rel: Rel, code: str, what: str) -> Link | None:
        """The open interval that keeps `code` in service, which the event ends (an area
        moved to another feeder, or retired)."""
        return self.open_link(name, rel, code, _retired(what, code, rel))

    def new_code(self, name: str, kind: Kind, code: str) -> None:
        """A code for a new entity: a code's rules (graph.domain.codes), not taken."""
        problem = new_code_problem(code)
        if problem:
            self.problem(name, f"{name} {problem}")
        elif self.store.existing_codes(kind, [code]):
            self.problem(name, f'{kind.value} "{code}" already exists')

    def amount(self, name: str, value: float, low: float, high: float, unit: str) -> None:
        if not (math.isfinite(value) and low <= value <= high):
            self.problem(name, f"{name} must be between {low:g} and {high:g} {unit}, got {value}")

    def done(self) -> None:
        """Raise with every problem found, if any."""
        if self.problems:
            raise EventRejected(self.problems)


def event_record(
    kind: str, actor: str, effective: dt.date, counts: dict[str, int], details: dict[str, str]
) -> ChangesetRecord:
    return new_record(kind, actor, effective, counts, note=f"event {kind}", details=details)


@dataclass(frozen=True)
class CheckedEvent:
    """An event that passed its checks: what it writes, and the graph version it saw."""

    version: int
    changes: ChangeSet


def checked(check: EventCheck, changes: ChangeSet) -> CheckedEvent:
    check.done()
    return CheckedEvent(check.version, changes)


def move_event(
    check: EventCheck,
    event: str,
    rel: Rel,
    child: str,
    to_parent: str,
    actor: str,
    details: dict[str, str],
) -> CheckedEvent:
    """A checked move: the child's open interval in `rel` ends on the effective date and
    one under `to_parent` begins."""
    day = check.effective
    changes = ChangeSet(
        closed=[LinkClose(rel, child, day)],
        opened=[Link(rel, to_parent, child, day, FOREVER)],
        record=event_record(event, actor, day, {"moved": 1}, details),
    )
    return checked(check, changes)


def write_event(store: Store, event: CheckedEvent, series: SeriesFolder | None) -> ChangesetRecord:
    """Write a checked event on the version its checks saw; returns the stored record.
    A write in between rejects it (nothing written)."""
    changes = event.changes
    assert changes.record is not None
    try:
        write_topology(store, changes, series, expect_version=event.version)
    except StalePlan as exc:
        raise EventRejected(
            [FieldProblem(None, "the network changed while this change was checked: send it again")]
        ) from exc
    written = store.changeset(changes.record.id)
    assert written is not None
    return written
