"""A principal's scope: the subtree of its org unit on a day, and what lies in it.

In scope on day D: the units under the principal's unit (itself included), the substations,
feeders and areas (transformers) those units own, the meters in those areas and the customers
using those meters. A code that does not exist is simply not in scope: every check below
answers the same for "elsewhere" and "nowhere".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from graph.domain.model import Kind, Rel
from graph.stores.contract import Store
from graph.stores.within import within_units


@dataclass(frozen=True)
class OrgScope:
    """The units of one principal's subtree on `day`; `everything` when its unit is a top
    unit (no parent that day): nothing then needs checking."""

    org: str
    day: dt.date
    units: frozenset[str]
    everything: bool


def scope_of(store: Store, org: str, day: dt.date) -> OrgScope:
    """The subtree of `org` on `day`, walked level by level (org trees are a few thousand
    units deep and wide at most)."""
    parents = store.neighbors(Rel.ORG_PARENT, [org], day, "up").get(org, [])
    exists = bool(store.existing_codes(Kind.ORG_UNIT, [org]))
    if exists and not parents:  # a top unit: everything, no need to list it
        return OrgScope(org, day, frozenset({org}), True)
    units = {org} if exists else set()
    level = [org] if exists else []
    while level:
        below = store.neighbors(Rel.ORG_PARENT, level, day, "down")
        level = [c.code for kids in below.values() for c in kids if c.code not in units]
        units.update(level)
    return OrgScope(org, day, frozenset(units), False)


def in_scope(store: Store, scope: OrgScope, kind: Kind, codes: Iterable[str]) -> set[str]:
    """Which of `codes` (all of one kind) lie in `scope` on its day."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return set()
    if scope.everything:
        return store.existing_codes(kind, wanted)
    return within_units(store, kind, wanted, scope.day, scope.units)
