"""Findings for a subtree over a period (the CLI's `taiqu analyze` and the API's `findings`):
which areas a node covers, the analysis over them, and the period's limits."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace

from graph.domain.errors import InputError
from graph.domain.model import Kind
from graph.domain.scope import Scope
from graph.series.findings.analyze import Analysis, analyze_areas
from graph.series.findings.model import Finding, FindingKind
from graph.series.reader import LossReader
from graph.stores.contract import Store

#: An analysis holds every meter's days in memory (16 bytes a meter-day): a quarter at most.
MAX_ANALYSIS_DAYS = 92
#: Analysis needs days on both sides of a change: fewer than this says little.
MIN_ANALYSIS_DAYS = 14

_SCOPE_KINDS = (
    (Kind.TRANSFORMER, Scope.TRANSFORMER),
    (Kind.FEEDER, Scope.FEEDER),
    (Kind.SUBSTATION, Scope.SUBSTATION),
    (Kind.ORG_UNIT, Scope.ORG),
)


def scope_of(store: Store, code: str) -> Scope:
    """The scope of the node `code` names (an org unit, substation, feeder or transformer)."""
    for kind, scope in _SCOPE_KINDS:
        if store.existing_codes(kind, [code]):
            return scope
    raise InputError(f"--under {code}: no org unit, substation, feeder or transformer has it")


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InputError(f"period ends ({end}) before it starts ({start})")
    days = (end - start).days + 1
    if days > MAX_ANALYSIS_DAYS:
        raise InputError(f"an analysis covers at most {MAX_ANALYSIS_DAYS} days, not {days}")
    if days < MIN_ANALYSIS_DAYS:
        raise InputError(f"an analysis needs at least {MIN_ANALYSIS_DAYS} days, not {days}")


def findings_under(
    reader: LossReader,
    scope: Scope,
    code: str,
    start: dt.date,
    end: dt.date,
    kinds: Iterable[FindingKind] | None = None,
    within: str | None = None,
) -> Analysis:
    """The findings of the areas under `code` on `end` (`within`: of that org unit's
    subtree only), highest score first."""
    check_period(start, end)
    reader.rules.check_period(start, end)
    areas = reader.areas_under(scope, code, end, within)
    if not areas:
        return Analysis([], 0, 0)
    analysis = analyze_areas(reader.folder, areas, start, end, kinds)
    if within is None:
        return analysis
    # `areas` are the principal's under the node, and the other areas read (their feeders'
    # siblings) are under the node too: a finding in one of them that is not in `areas` is
    # not the principal's to see. One in `areas` may name a likely area outside: it is
    # shown, that area is not (the API leaves it out).
    mine = set(areas)
    return replace(analysis, findings=[f for f in analysis.findings if f.transformer in mine])


class FindingsCache:
    """The last few analyses by (series generation, subtree, period, scope), in memory: an
    explorer pages and filters the same one. A write that publishes a new generation makes
    them stale here; the series folder keeps each feeder's findings until its data changes."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._found: OrderedDict[tuple[object, ...], list[Finding]] = OrderedDict()

    def get(
        self,
        reader: LossReader,
        scope: Scope,
        code: str,
        start: dt.date,
        end: dt.date,
        within: str | None = None,
    ) -> list[Finding]:
        """Every finding of the subtree (all kinds), highest score first."""
        key = (reader.manifest().generation, scope, code, start, end, within)
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
        found = findings_under(reader, scope, code, start, end, None, within).findings
        with self._lock:
            self._found[key] = found
            while len(self._found) > self._size:
                self._found.popitem(last=False)
        return found
