"""Reconciliation plans: diff one source's snapshot against the authoritative graph.

A plan lists what the source's snapshot adds, removes, moves and changes (each with before and
after), and the graph version it was computed against. It is stored; `apply_plan` turns it into
one change set dated on the effective date and writes it only if the graph is still at that
version (see graph.stores.contract.Store.apply). Nothing is ever deleted: removing an entity
closes its open intervals, moving one closes an interval and opens the next.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from graph.domain import clock
from graph.domain.changes import ChangeSet, LinkClose, new_record
from graph.domain.errors import LoadRejected
from graph.domain.intervals import can_begin_on, can_change_values_on, can_end_on
from graph.domain.model import FOREVER, REL_SPECS, Entity, Kind, Link, Rel, is_gate
from graph.stores.contract import Store
from loaders.collection import (
    EvidenceChange,
    diff_collection,
    read_collection,
    validate_collection,
)
from loaders.exchange import SPEC_BY_KIND, parse_folder
from loaders.gc_pause import paused_gc
from loaders.problems import Problem, warnings_unless_errors
from loaders.sources import OWNERSHIP, keep_owned, owned_kinds
from loaders.validate import Snapshot, validate

COUNT_KEYS = ("added", "removed", "moved", "changed")
_KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}
TERMINAL = "terminal"  # a Change about the terminal that reads a meter (collection)
_COUNTED = {
    ("added", "entity"),
    ("added", "link"),
    ("added", Rel.READS.value),
    ("removed", "entity"),
    ("removed", Rel.READS.value),
}


@dataclass(frozen=True)
class Change:
    """One line of a plan: what happens to one entity or one of its relationships."""

    change: str  # added | removed | moved | changed
    kind: Kind
    code: str
    what: str  # "entity", an attribute name, or a relationship type
    before: str | None
    after: str | None


@dataclass
class Plan:
    plan_id: str
    source: str
    graph_version: int
    created_at: dt.datetime
    actor: str
    folder: str
    created: list[Entity] = field(default_factory=list)
    updated: list[Entity] = field(default_factory=list)
    # rel, parent, child, detail (READS: the terminal; None otherwise)
    opens: list[tuple[Rel, str, str, str | None]] = field(default_factory=list)
    closes: list[tuple[Rel, str]] = field(default_factory=list)  # rel, child (removed or moved)
    changes: list[Change] = field(default_factory=list)
    applied_as: str | None = None  # the changeset id, once applied

    def counts(self) -> dict[str, int]:
        """added: entities, relationships of unlinked ones, or evidence of unread meters;
        removed: entities, or evidence; moved: relationships (or evidence) to another parent
        (or to none); changed: entities with new attributes or meters with a new terminal."""
        found = Counter(
            c.change
            for c in self.changes
            if (c.change, c.what) in _COUNTED or (c.change == "moved" and c.what != TERMINAL)
        )
        return {
            "added": found["added"],
            "removed": found["removed"],
            "moved": found["moved"],
            "changed": len({(c.kind, c.code) for c in self.changes if c.change == "changed"}),
        }

    def is_empty(self) -> bool:
        return not self.changes

    def change_set(self, effective: dt.date, actor: str) -> ChangeSet:
        """The writes this plan makes when applied on `effective`."""
        record = new_record(
            self.source, actor, effective, self.counts(), note=f"plan {self.plan_id}"
        )
        created: dict[Kind, list[Entity]] = {}
        for e in self.created:
            created.setdefault(e.kind, []).append(e)
        updated: dict[Kind, list[Entity]] = {}
        for e in self.updated:
            updated.setdefault(e.kind, []).append(e)
        return ChangeSet(
            created=created,
            updated=updated,
            closed=[LinkClose(rel, child, effective) for rel, child in self.closes],
            opened=[Link(rel, p, c, effective, FOREVER, detail=d) for rel, p, c, d in self.opens],
            record=record,
            updated_on=effective,
            created_on=effective,
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _by_code(plan: Plan, start: int) -> None:
    """Sort the change lines added since `start` by code (stable: a code's lines keep their
    order). The loops walk dicts in file order; sorting a million rows first cost 6 s."""
    plan.changes[start:] = sorted(plan.changes[start:], key=lambda c: c.code)


def _diff_entities(source: str, snap: Snapshot, store: Store, plan: Plan) -> dict[Kind, set[str]]:
    """Added, changed and removed entities of the kinds `source` owns; returns the codes
    stored (the stored entities themselves are let go: at 1M meters they weigh a gigabyte)."""
    ownership = OWNERSHIP[source]
    stored_codes: dict[Kind, set[str]] = {}
    for kind in owned_kinds(source):
        wanted = snap.entities.get(kind, {})
        in_snapshot = snap.rows.get(kind, {})
        start = len(plan.changes)
        stored: set[str] = set()
        gone: list[str] = []
        # One pass over the stored entities, each compared as it streams by: nothing of the
        # stored side is kept but its codes.
        by_role = kind not in ownership.kinds  # meters: owned by role, one by one
        for before in store.scan_entities(kind):
            if by_role and not ownership.owns(before):
                continue
            code = before.code
            stored.add(code)
            entity = wanted.get(code)
            if entity is None:
                if code not in in_snapshot:  # a row with errors is not a removal
                    gone.append(code)
            elif before.attrs != entity.attrs:
                plan.updated.append(entity)
                for name in sorted(entity.attrs):
                    old, new = before.get(name), entity.get(name)
                    if old != new:
                        plan.changes.append(
                            Change("changed", kind, code, name, _text(old), _text(new))
                        )
        for code, entity in wanted.items():
            if code not in stored:
                plan.created.append(entity)
                plan.changes.append(Change("added", kind, code, "entity", None, code))
        # Owned, stored, absent from the snapshot, still linked somewhere: removed. Closing
        # its open intervals is the removal (history keeps it); retired ones stay as they are.
        gone.sort()
        child_rels = [rel for rel, spec in REL_SPECS.items() if spec.child is kind]
        open_by_rel = {rel: store.open_links(rel, gone) if gone else {} for rel in child_rels}
        for code in gone:
            links = [
                (rel, open_by_rel[rel][code]) for rel in child_rels if code in open_by_rel[rel]
            ]
            if not links:
                continue
            plan.changes.append(Change("removed", kind, code, "entity", code, None))
            for rel, link in links:
                plan.closes.append((rel, code))
                plan.changes.append(Change("removed", kind, code, rel.value, link.parent, None))
        _by_code(plan, start)
        stored_codes[kind] = stored
    return stored_codes


def _diff_links(snap: Snapshot, store: Store, stored: dict[Kind, set[str]], plan: Plan) -> None:
    # A row that names no parent where one is stored: the snapshot says it has none now.
    for rel, unlinked in snap.unlinked.items():
        child_kind = REL_SPECS[rel].child
        known = [c for c in unlinked if c in stored.get(child_kind, ())]
        for child, link in sorted((store.open_links(rel, known) if known else {}).items()):
            plan.closes.append((rel, child))
            plan.changes.append(Change("moved", child_kind, child, rel.value, link.parent, None))
    for rel, wanted in snap.links.items():
        child_kind = REL_SPECS[rel].child
        known_codes = stored.get(child_kind, set())
        known = [c for c in wanted if c in known_codes]
        current = store.open_parents(rel, known) if known else {}
        start = len(plan.changes)
        for child, w in wanted.items():
            now = current.get(child)
            if now == w.parent:
                continue
            plan.opens.append((rel, w.parent, child, None))
            if now is None:
                if child in known_codes:  # stored but unlinked: linked again
                    plan.changes.append(Change("added", child_kind, child, "link", None, w.parent))
                continue
            plan.closes.append((rel, child))
            plan.changes.append(Change("moved", child_kind, child, rel.value, now, w.parent))
        _by_code(plan, start)


def _check_snapshot(source: str, snap: Snapshot, store: Store, problems: list[Problem]) -> None:
    """What reconciliation needs beyond a load's checks: every area of the equipment snapshot
    has a gate meter, one org root, and every customer of the archive has a meter."""
    if source == "equipment":
        gated = {w.parent for w in snap.links.get(Rel.HAS_METER, {}).values()}
        for code, row in snap.rows.get(Kind.TRANSFORMER, {}).items():
            if code not in gated:
                problems.append(
                    Problem(
                        "transformers.csv",
                        row.line,
                        row.positions.get("transformer_code"),
                        "transformer_code",
                        f'area "{code}" has no gate meter',
                    )
                )
        roots = [c for c in snap.rows.get(Kind.ORG_UNIT, {}) if c in snap.unlinked[Rel.ORG_PARENT]]
        for code in roots[1:]:
            row = snap.rows[Kind.ORG_UNIT][code]
            problems.append(
                Problem(
                    "orgs.csv",
                    row.line,
                    row.positions.get("parent_code"),
                    "parent_code",
                    f'orphan org unit "{code}": no parent, and "{roots[0]}" is the root',
                )
            )
    if source == "marketing":
        users = {w.parent for w in snap.links.get(Rel.USES_METER, {}).values()}
        for code, row in snap.rows.get(Kind.CUSTOMER, {}).items():
            if code not in users:
                problems.append(
                    Problem(
                        "customers.csv",
                        row.line,
                        row.positions.get("customer_code"),
                        "customer_code",
                        f'orphan customer "{code}": no meter names it',
                    )
                )


def make_plan(
    store: Store, source: str, folder: Path, plan_id: str, actor: str
) -> tuple[Plan, list[Problem]]:
    """Parse, validate and diff one source's snapshot. Raises LoadRejected on any error;
    returns the plan and the warnings otherwise."""
    with paused_gc():
        return _make_plan(store, source, folder, plan_id, actor)


def _make_plan(
    store: Store, source: str, folder: Path, plan_id: str, actor: str
) -> tuple[Plan, list[Problem]]:
    problems: list[Problem] = []
    if not Path(folder).is_dir():
        raise LoadRejected([Problem(str(folder), 0, None, None, "not a folder")])
    version = store.version()  # before reading: a write in between makes the plan stale
    parsed = keep_owned(source, parse_folder(Path(folder), problems), problems)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    plan = Plan(plan_id, source, version, now, actor, str(folder))
    if source == "collection":
        evidence = validate_collection(read_collection(Path(folder), problems), store, problems)
        warnings_unless_errors(problems)
        _plan_evidence(diff_collection(evidence, store), plan)
        return plan, sorted(p for p in problems if p.severity == "warning")
    snap = validate(parsed, store, problems)
    _check_snapshot(source, snap, store, problems)
    warnings_unless_errors(problems)
    stored = _diff_entities(source, snap, store, plan)
    _refuse_foreign_codes(source, snap, store, plan, problems)
    _diff_links(snap, store, stored, plan)
    _warn_orphaned_meters(store, plan, problems)
    plan.created.sort(key=lambda e: (_KIND_ORDER[e.kind], e.code))
    plan.updated.sort(key=lambda e: (_KIND_ORDER[e.kind], e.code))
    plan.opens.sort(key=lambda o: (o[0], o[2]))
    plan.closes.sort()
    return plan, sorted(p for p in problems if p.severity == "warning")


def _plan_evidence(changes: list[EvidenceChange], plan: Plan) -> None:
    """The collection system's evidence as plan lines: READS intervals closed and opened."""
    reads, meter = Rel.READS, Kind.METER
    for ev in changes:
        if ev.before_area is not None:
            plan.closes.append((reads, ev.meter))
        if ev.after_area is not None:
            plan.opens.append((reads, ev.after_area, ev.meter, ev.after_terminal))
        if ev.change == "changed":
            plan.changes.append(
                Change("changed", meter, ev.meter, TERMINAL, ev.before_terminal, ev.after_terminal)
            )
            continue
        plan.changes.append(
            Change(ev.change, meter, ev.meter, reads.value, ev.before_area, ev.after_area)
        )
        if ev.change == "moved" and ev.before_terminal != ev.after_terminal:
            plan.changes.append(
                Change("moved", meter, ev.meter, TERMINAL, ev.before_terminal, ev.after_terminal)
            )


def _refuse_foreign_codes(
    source: str, snap: Snapshot, store: Store, plan: Plan, problems: list[Problem]
) -> None:
    """A code the snapshot adds that the graph holds as what another source owns (a meter the
    archive calls a customer meter while the equipment system has it as a gate meter)."""
    added: dict[Kind, list[str]] = {}
    for entity in plan.created:
        added.setdefault(entity.kind, []).append(entity.code)
    for kind, codes in added.items():
        for code in sorted(store.existing_codes(kind, codes)):
            row = snap.rows[kind][code]
            problems.append(
                Problem(
                    SPEC_BY_KIND[kind].file,
                    row.line,
                    row.positions.get(SPEC_BY_KIND[kind].code),
                    SPEC_BY_KIND[kind].code,
                    f'"{code}" is stored as a {kind.value} the {source} system does not own '
                    "(another role): the sources disagree on what it is",
                )
            )
    warnings_unless_errors(problems)


def _warn_orphaned_meters(store: Store, plan: Plan, problems: list[Problem]) -> None:
    """An area removed by the equipment system while meters are still under it: the marketing
    archive has to move them, or they will belong nowhere."""
    removed = [
        c.code
        for c in plan.changes
        if c.change == "removed" and c.kind is Kind.TRANSFORMER and c.what == "entity"
    ]
    if not removed:
        return
    today = clock.today()
    for area, meters in sorted(store.neighbors(Rel.HAS_METER, removed, today, "down").items()):
        others = [m.code for m in meters if not is_gate(m)]
        if others:
            problems.append(
                Problem(
                    "transformers.csv",
                    1,
                    None,
                    None,
                    f'area "{area}" is removed while {len(others)} customer/pv meter(s) are '
                    f"still under it (e.g. {others[0]}): the marketing archive must move them",
                    "warning",
                )
            )


def check_dates(store: Store, plan: Plan, effective: dt.date) -> list[str]:
    """Every interval the plan closes must have started before `effective`, and every one it
    opens must start no earlier than the end of the child's last interval (no overlaps)."""
    problems = []
    closing: dict[Rel, list[str]] = {}
    for rel, child in plan.closes:
        closing.setdefault(rel, []).append(child)
    for rel, children in closing.items():
        for child, link in sorted(store.open_links(rel, children).items()):
            if not can_end_on(link.valid_from, effective):
                problems.append(
                    f"{rel.value} of {child} began on {link.valid_from}: it cannot end on "
                    f"{effective}; give a later --effective date"
                )
    opening: dict[Rel, list[str]] = {}
    for rel, _, child, _ in plan.opens:
        if child not in closing.get(rel, ()):
            opening.setdefault(rel, []).append(child)
    for rel, children in opening.items():
        for child, end in sorted(store.last_ends(rel, children).items()):
            if not can_begin_on(end, effective):
                problems.append(
                    f"{rel.value} of {child} ended on {end}: a new one cannot begin on "
                    f"{effective}; give a later --effective date"
                )
    changing: dict[Kind, list[str]] = {}
    for e in plan.updated:
        changing.setdefault(e.kind, []).append(e.code)
    for kind, codes in changing.items():
        for code, now in sorted(store.entities(kind, codes).items()):
            if not can_change_values_on(now.attrs_from, effective):
                problems.append(
                    f"{kind.value} {code}: its values hold from {now.attrs_from}; they cannot "
                    f"change on {effective}; give a later --effective date"
                )
    return problems
