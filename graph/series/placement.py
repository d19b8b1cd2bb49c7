"""The small part of the topology that loss reads on every request, held in memory: which areas
are under a node on a day, and how many gate and customer/pv meters each area had over time.

Its size follows the network (areas, feeders, units and their changes), not the stored days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.domain.model import Rel
from graph.domain.scope import Scope

# valid_from, valid_to (as date ordinals: integer arithmetic in the hot loop), gate meters,
# other meters
Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class SubtreeCounts:
    """What is under a node on a day: its areas, their gate meters and their other meters."""

    transformers: int
    gate_meters: int
    meters: int  # customer and pv meters


@dataclass
class Placement:
    transformers: list[str] = field(default_factory=list)
    # (relationship, parent) -> [(child, valid_from, valid_to)]
    down: dict[tuple[str, str], list[tuple[str, dt.date, dt.date]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    spans: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(
        cls,
        transformers: Iterable[str],
        links: Iterable[tuple[str, str, str, dt.date, dt.date]],
        spans: Iterable[tuple[str, dt.date, dt.date, int, int]],
    ) -> Placement:
        placed = cls(sorted(transformers))
        for rel, parent, child, start, end in links:
            placed.down[(rel, parent)].append((child, start, end))
        for area, start, end, gates, meters in spans:
            placed.spans[area].append((start.toordinal(), end.toordinal(), gates, meters))
        return placed

    def children(self, rel: Rel, parent: str, day: dt.date) -> list[str]:
        return [c for c, start, end in self.down.get((rel.value, parent), ()) if start <= day < end]

    def areas_under(
        self, scope: Scope, code: str, day: dt.date, within: str | None = None
    ) -> list[str]:
        """The areas (transformer codes) under a node on `day`, sorted; `within`: only those
        of that org unit's subtree that day (a principal's scope, graph/services/scope.py).

        An org unit counts the transformers owned by it or by any unit below it that day.
        """
        found = self._areas_under(scope, code, day)
        if within is None:
            return found
        mine = set(self._areas_under(Scope.ORG, within, day))
        return [a for a in found if a in mine]

    def _areas_under(self, scope: Scope, code: str, day: dt.date) -> list[str]:
        if scope == Scope.NETWORK:
            return self.transformers
        if scope == Scope.TRANSFORMER:
            return [code] if code in self._known() else []
        if scope == Scope.FEEDER:
            return sorted(self.children(Rel.SUPPLIES, code, day))
        if scope == Scope.SUBSTATION:
            return sorted(
                area
                for feeder in self.children(Rel.FEEDS, code, day)
                for area in self.children(Rel.SUPPLIES, feeder, day)
            )
        if scope == Scope.ORG:
            units, todo = {code}, [code]
            while todo:
                for child in self.children(Rel.ORG_PARENT, todo.pop(), day):
                    if child not in units:
                        units.add(child)
                        todo.append(child)
            return sorted(
                {a for unit in units for a in self.children(Rel.TRANSFORMER_OWNER, unit, day)}
            )
        raise ValueError(f"unknown scope {scope!r}")

    def _known(self) -> set[str]:
        known: set[str] | None = getattr(self, "_known_set", None)
        if known is None:
            known = set(self.transformers)
            self._known_set = known
        return known

    def meters_on(self, area: str, day: dt.date) -> tuple[int, int]:
        """Gate meters and other (customer, pv) meters in `area` on `day`."""
        on = day.toordinal()
        for valid_from, valid_to, gates, meters in self.spans.get(area, ()):
            if valid_from <= on < valid_to:
                return gates, meters
        return 0, 0

    def meter_days(self, area: str, start: dt.date, end: dt.date) -> tuple[int, int, int]:
        """Over [start, end]: days with a gate meter, gate meter-days, other meter-days."""
        gate_days = gate_meter_days = meter_days = 0
        first, stop = start.toordinal(), end.toordinal() + 1
        for valid_from, valid_to, gates, meters in self.spans.get(area, ()):
            overlap = (valid_to if valid_to < stop else stop) - (
                valid_from if valid_from > first else first
            )
            if overlap > 0:
                gate_days += overlap if gates > 0 else 0
                gate_meter_days += gates * overlap
                meter_days += meters * overlap
        return gate_days, gate_meter_days, meter_days
