"""Validate a parsed folder as a whole, against itself and the store, before anything is written.

Produces a `Snapshot` (entities and the parent each row names) and appends every problem found.
References may point at the folder or at what the store already holds; the org tree, folder
and store together, must stay a tree (networkx finds the cycles).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx

from graph.domain.codes import code_problem
from graph.domain.model import ATTRIBUTES, REL_SPECS, Entity, Kind, MeterRole, Rel
from graph.stores.contract import Store
from loaders.aliases import canonical_value
from loaders.exchange import SPEC_BY_KIND, Column, ParsedFile, Row
from loaders.lv_networks import check_lv_networks
from loaders.problems import Problem, row_problem


class WantedLink(NamedTuple):
    """A row names `parent` as the child's parent in `rel` (at `row`, `column`).

    A NamedTuple: a snapshot makes two per meter, and it builds in a third of a dataclass's
    time."""

    parent: str
    file: str
    row: Row
    column: Column


@dataclass
class Snapshot:
    entities: dict[Kind, dict[str, Entity]] = field(default_factory=dict)
    rows: dict[Kind, dict[str, Row]] = field(default_factory=dict)  # code -> its row
    links: dict[Rel, dict[str, WantedLink]] = field(default_factory=lambda: defaultdict(dict))
    #: rels whose column is present but empty for a child (the row gives no parent)
    unlinked: dict[Rel, dict[str, WantedLink]] = field(default_factory=lambda: defaultdict(dict))


def _parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


_EMPTY_ATTRIBUTES = {kind: dict.fromkeys(names) for kind, names in ATTRIBUTES.items()}


def _attributes(pf: ParsedFile, row: Row, problems: list[Problem]) -> dict[str, object] | None:
    attrs: dict[str, object] = _EMPTY_ATTRIBUTES[pf.spec.kind].copy()
    values = row.values
    ok = True
    for col in pf.spec.columns:
        raw = values[col.name] or col.default or ""
        if not raw:
            if col.value_required:
                problems.append(row_problem(pf.spec.file, row, col.name, f'"{col.name}" is empty'))
                ok = False
            continue
        if col.number:
            value = _parse_number(raw)
            if value is None:
                problems.append(
                    row_problem(
                        pf.spec.file,
                        row,
                        col.name,
                        f'bad number "{raw}": expected a positive number',
                    )
                )
                ok = False
            elif col.attr:
                attrs[col.attr] = value
        elif col.choices:
            choice = canonical_value(col.name, raw)
            if choice not in col.choices:
                problems.append(
                    row_problem(
                        pf.spec.file,
                        row,
                        col.name,
                        f'unknown {col.name} "{raw}": expected one of {", ".join(col.choices)}',
                    )
                )
                ok = False
            elif col.attr:
                attrs[col.attr] = choice
        elif col.attr:
            attrs[col.attr] = raw
    return attrs if ok else None


def _meter_rules(file: str, row: Row, problems: list[Problem]) -> None:
    role = canonical_value("role", row.values["role"])
    customer = row.values["customer_code"]
    if role in (MeterRole.CUSTOMER, MeterRole.PV) and not customer:
        problems.append(row_problem(file, row, "customer_code", f"a {role} meter needs a customer"))
    if role == MeterRole.GATE and customer:
        problems.append(row_problem(file, row, "customer_code", "a gate meter has no customer"))


def _check_references(snap: Snapshot, store: Store, problems: list[Problem]) -> None:
    for rel, wanted in snap.links.items():
        parent_kind = REL_SPECS[rel].parent
        in_folder = snap.entities.get(parent_kind, {})
        outside = {w.parent for w in wanted.values() if w.parent not in in_folder}
        known = store.existing_codes(parent_kind, sorted(outside)) if outside else set()
        with_errors = snap.rows.get(parent_kind, {})  # rows read, their entity refused
        parent_file = SPEC_BY_KIND[parent_kind].file
        for w in wanted.values():
            if w.parent in in_folder or w.parent in known:
                continue
            if w.parent in with_errors:  # say where it is, not that it is unknown
                line = with_errors[w.parent].line
                message = (
                    f'{parent_kind.value} "{w.parent}" is on {parent_file} line {line}, which '
                    "has errors: fix that row"
                )
            else:
                message = (
                    f'unknown {parent_kind.value} "{w.parent}" (not in this folder nor stored)'
                )
            problems.append(row_problem(w.file, w.row, w.column.name, message))


def _check_org_cycles(snap: Snapshot, store: Store, problems: list[Problem]) -> None:
    wanted = snap.links.get(Rel.ORG_PARENT, {})
    tree = nx.DiGraph()
    tree.add_edges_from((w.parent, child) for child, w in wanted.items())
    stored_orgs = store.all_codes(Kind.ORG_UNIT) - set(snap.entities.get(Kind.ORG_UNIT, {}))
    if stored_orgs:
        for child, link in store.open_links(Rel.ORG_PARENT, sorted(stored_orgs)).items():
            tree.add_edge(link.parent, child)
    for cycle in nx.simple_cycles(tree):
        path = " -> ".join([*cycle, cycle[0]])
        for code in cycle:
            if code in wanted:
                w = wanted[code]
                problems.append(
                    row_problem(w.file, w.row, w.column.name, f"cycle in the org tree: {path}")
                )


def validate(parsed: list[ParsedFile], store: Store, problems: list[Problem]) -> Snapshot:
    snap = Snapshot()
    for pf in parsed:
        spec = pf.spec
        entities = snap.entities.setdefault(spec.kind, {})
        rows = snap.rows.setdefault(spec.kind, {})
        # Each link column with the two dicts its rows land in (looked up once, not per row).
        link_columns = [
            (col, snap.links[col.link], snap.unlinked[col.link])
            for col in spec.columns
            if col.link is not None
        ]
        is_meter = spec.kind is Kind.METER
        for row in pf.rows:
            code = row.values[spec.code]
            if not code:
                problems.append(row_problem(spec.file, row, spec.code, f'"{spec.code}" is empty'))
                continue
            bad = None if code.isalnum() else code_problem(code)  # the common case inline
            if bad:
                problems.append(row_problem(spec.file, row, spec.code, f'"{spec.code}" {bad}'))
                continue
            if code in rows:
                first = rows[code].line
                problems.append(
                    row_problem(
                        spec.file,
                        row,
                        spec.code,
                        f'duplicate code "{code}" (first on line {first})',
                    )
                )
                continue
            if is_meter:
                _meter_rules(spec.file, row, problems)
            attrs = _attributes(pf, row, problems)
            rows[code] = row
            if attrs is not None:
                entities[code] = Entity(spec.kind, code, attrs)
            for col, linked, unlinked in link_columns:
                parent = row.values[col.name]
                (linked if parent else unlinked)[code] = WantedLink(parent, spec.file, row, col)
    _check_references(snap, store, problems)
    _check_org_cycles(snap, store, problems)
    check_lv_networks(snap, problems)
    return snap
