"""Which source system owns what (reconciliation).

- equipment (GPMS, operations): org units, substations, feeders, transformers, gate meters;
- marketing (the customer archive): customers, customer and pv meters (with their area);
- collection (the meter data collection system): `collection.csv` only, evidence that changes
  nothing in the topology.

A snapshot is complete for what its source owns: what it owns and omits is planned as removed.
Rows about what another source owns are left out, with one warning per file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph.domain.model import Entity, Kind, MeterRole
from loaders.exchange import ParsedFile, Row
from loaders.problems import Problem

SOURCES = ("equipment", "marketing", "collection")
GATE_ROLES = (MeterRole.GATE.value,)
CUSTOMER_ROLES = ("customer", "pv")
EXAMPLES_SHOWN = 3


@dataclass(frozen=True)
class Ownership:
    kinds: frozenset[Kind]  # kinds owned whole
    meter_roles: tuple[str, ...]  # meters of these roles

    def owns_row(self, kind: Kind, row: Row) -> bool:
        if kind is Kind.METER:
            return row.values.get("role", "").lower() in self.meter_roles
        return kind in self.kinds

    def owns(self, entity: Entity) -> bool:
        if entity.kind is Kind.METER:
            return str(entity.get("role")) in self.meter_roles
        return entity.kind in self.kinds


OWNERSHIP = {
    "equipment": Ownership(
        frozenset({Kind.ORG_UNIT, Kind.SUBSTATION, Kind.FEEDER, Kind.TRANSFORMER}), GATE_ROLES
    ),
    "marketing": Ownership(frozenset({Kind.CUSTOMER}), CUSTOMER_ROLES),
    "collection": Ownership(frozenset(), ()),
}


def owned_kinds(source: str) -> Iterable[Kind]:
    """The kinds of which `source` owns at least some entities (meters: by role)."""
    ownership = OWNERSHIP[source]
    yield from sorted(ownership.kinds, key=list(Kind).index)
    if ownership.meter_roles:
        yield Kind.METER


def keep_owned(source: str, parsed: list[ParsedFile], problems: list[Problem]) -> list[ParsedFile]:
    """The parsed files with only the rows `source` owns; a warning per file for the rest."""
    ownership = OWNERSHIP[source]
    kept: list[ParsedFile] = []
    for pf in parsed:
        kind = pf.spec.kind
        if kind is not Kind.METER:  # owned or not as a whole: no need to ask each row
            owned = kind in ownership.kinds
            own, other = (pf.rows, []) if owned else ([], pf.rows)
        else:
            own, other = [], []
            for row in pf.rows:
                (own if ownership.owns_row(kind, row) else other).append(row)
        if other:
            lines = ", ".join(str(r.line) for r in other[:EXAMPLES_SHOWN])
            more = f" and {len(other) - EXAMPLES_SHOWN} more" if len(other) > EXAMPLES_SHOWN else ""
            problems.append(
                Problem(
                    pf.spec.file,
                    other[0].line,
                    None,
                    None,
                    f"{len(other)} row(s) about what another source owns ignored "
                    f"(the {source} system does not own them): lines {lines}{more}",
                    "warning",
                )
            )
        if own:
            kept.append(ParsedFile(pf.spec, own))
    return kept
