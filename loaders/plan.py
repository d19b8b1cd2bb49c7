"""Plan a load: diff a validated snapshot against the store into a ChangeSet.

What a load adds holds from `effective` when given, else from the unbounded past; a move of
something already stored closes its open interval and opens a new one on `effective` or today,
and so does a change of a stored entity's attributes (docs/history.md). Nothing stored is
deleted: what the folder lacks is reported as a warning.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from graph.domain.changes import ChangeSet, LinkClose
from graph.domain.intervals import can_begin_on, can_change_values_on, can_end_on
from graph.domain.model import ATTRIBUTES, BEGINNING, FOREVER, REL_SPECS, Entity, Kind, Link, Rel
from graph.stores.contract import Store
from loaders.exchange import SPEC_BY_KIND
from loaders.problems import Problem, Severity, row_problem
from loaders.validate import Snapshot, WantedLink

MISSING_SHOWN = 5  # codes named in a 'missing from this load' warning


@dataclass
class PlanSummary:
    created: Counter[Kind] = field(default_factory=Counter)
    updated: Counter[Kind] = field(default_factory=Counter)
    linked: int = 0  # new relationships for entities that had none
    moved: Counter[Rel] = field(default_factory=Counter)
    changed_on: dt.date | None = None  # the day updated values hold from


def _problem(w: WantedLink, message: str, severity: Severity = "error") -> Problem:
    return Problem(
        w.file, w.row.line, w.row.positions.get(w.column.name), w.column.name, message, severity
    )


def _too_early(
    snap: Snapshot, kind: Kind, old: Entity, new: Entity, day: dt.date
) -> Problem | None:
    """A change of `old`'s values on `day`, before they began: refused on the row."""
    if can_change_values_on(old.attrs_from, day):
        return None
    row = snap.rows[kind][new.code]
    changed = [n for n in ATTRIBUTES[kind] if old.attrs.get(n) != new.attrs.get(n)]
    column = next((n for n in changed if n in row.positions), "code")
    return row_problem(
        SPEC_BY_KIND[kind].file,
        row,
        column,
        f"{kind.value} {new.code}: it was retired; its values cannot change"
        if old.attrs_from == FOREVER
        else f"{kind.value} {new.code}: its values hold from {old.attrs_from}; they cannot change "
        f"on {day}; give a later --effective date",
    )


def _plan_entities(
    snap: Snapshot,
    store: Store,
    day: dt.date,
    changes: ChangeSet,
    summary: PlanSummary,
    problems: list[Problem],
) -> dict[Kind, set[str]]:
    stored_codes: dict[Kind, set[str]] = {}
    for kind, entities in snap.entities.items():
        stored_all = store.all_codes(kind)  # also names what this folder lacks, below
        known = [code for code in entities if code in stored_all]
        stored = store.entities(kind, known) if known else {}
        stored_codes[kind] = set(stored)
        created = [e for code, e in entities.items() if code not in stored]
        updated = [e for code, e in entities.items() if code in stored and stored[code] != e]
        problems.extend(
            p for e in updated if (p := _too_early(snap, kind, stored[e.code], e, day)) is not None
        )
        if created:
            changes.created[kind] = created
            summary.created[kind] = len(created)
        if updated:
            changes.updated[kind] = updated
            summary.updated[kind] = len(updated)
        missing = stored_all - set(snap.rows.get(kind, {}))
        if missing:
            file = SPEC_BY_KIND[kind].file
            shown = ", ".join(sorted(missing)[:MISSING_SHOWN])
            more = (
                f" and {len(missing) - MISSING_SHOWN} more" if len(missing) > MISSING_SHOWN else ""
            )
            problems.append(
                Problem(
                    file,
                    1,
                    None,
                    None,
                    f"{len(missing)} stored {kind.value} not in this file, kept "
                    f"(removal belongs to reconciliation): {shown}{more}",
                    "warning",
                )
            )
    return stored_codes


def _plan_links(
    snap: Snapshot,
    store: Store,
    stored: dict[Kind, set[str]],
    effective: dt.date | None,
    today: dt.date,
    changes: ChangeSet,
    summary: PlanSummary,
    problems: list[Problem],
) -> None:
    move_day = effective or today
    for rel in Rel:
        wanted = snap.links.get(rel, {})
        child_kind = REL_SPECS[rel].child
        stored_children = stored.get(child_kind, set())
        existing = [c for c in wanted if c in stored_children]
        current = store.open_links(rel, existing) if existing else {}
        unlinked_before = [c for c in existing if c not in current]
        # One batched call: children linked once but closed since (retired, then back).
        ended = store.last_ends(rel, unlinked_before) if unlinked_before else {}
        for child, w in wanted.items():
            now = current.get(child)
            if now is not None and now.parent == w.parent:
                continue
            if now is None:
                start = effective or BEGINNING
                if child in ended:  # never back into the unbounded past: it would overlap
                    start = move_day
                    if not can_begin_on(ended[child], start):
                        problems.append(
                            _problem(
                                w,
                                f"cannot link from {start}: its previous interval ends "
                                f"{ended[child]}",
                            )
                        )
                        continue
                changes.opened.append(Link(rel, w.parent, child, start, FOREVER))
                summary.linked += 1
                continue
            if not can_end_on(now.valid_from, move_day):
                problems.append(
                    _problem(
                        w,
                        f'move from "{now.parent}" to "{w.parent}" on {move_day} is not after the '
                        f"current interval's start {now.valid_from}; give a later --effective date",
                    )
                )
                continue
            changes.closed.append(LinkClose(rel, child, move_day))
            changes.opened.append(Link(rel, w.parent, child, move_day, FOREVER))
            summary.moved[rel] += 1
        unlinked = snap.unlinked.get(rel, {})
        gone = [c for c in unlinked if c in stored.get(child_kind, set())]
        for child in store.open_links(rel, gone) if gone else {}:
            problems.append(
                _problem(
                    unlinked[child],
                    f"no {REL_SPECS[rel].parent.value} given but one is stored; kept "
                    "(removal belongs to reconciliation)",
                    "warning",
                )
            )


def plan(
    snap: Snapshot, store: Store, effective: dt.date | None, today: dt.date, problems: list[Problem]
) -> tuple[ChangeSet, PlanSummary]:
    # New entities hold from `effective` (else the unbounded past), changed values from the
    # day moves are made on.
    changes = ChangeSet(created_on=effective, updated_on=effective or today)
    summary = PlanSummary(changed_on=effective or today)
    stored = _plan_entities(snap, store, effective or today, changes, summary, problems)
    _plan_links(snap, store, stored, effective, today, changes, summary, problems)
    return changes, summary
