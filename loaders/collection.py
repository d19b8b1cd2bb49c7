"""The collection system's snapshot: `collection.csv` says which area's concentrator (terminal)
reads each meter. It is evidence, not topology: planned and applied like the other sources, it
opens and closes READS intervals (Transformer -> Meter, the terminal as the interval's detail)
and changes nothing loss reads. The mismatch report compares it with the archive.

The snapshot is complete: a meter the graph has evidence for and the file omits is no longer
read by any concentrator (its READS interval is closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.domain.codes import code_problem
from graph.domain.model import Kind, Rel
from graph.stores.contract import Store
from loaders.exchange import COLLECTION, Row, decode, read_rows
from loaders.problems import Problem, Severity, row_problem

_FILE = COLLECTION.file
_REQUIRED = ("meter_code", "terminal_code", "transformer_code")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One meter as the collection system sees it."""

    meter: str
    terminal: str
    area: str
    row: Row


def _problem(row: Row, column: str, message: str, severity: Severity = "error") -> Problem:
    return row_problem(_FILE, row, column, message, severity)


def read_collection(folder: Path, problems: list[Problem]) -> list[Row]:
    """The rows of `folder/collection.csv` (an error when the file is missing)."""
    path = Path(folder) / _FILE
    if not path.is_file():
        problems.append(
            Problem(_FILE, 0, None, None, "the collection snapshot needs collection.csv")
        )
        return []
    text = decode(path, problems)
    return [] if text is None else list(read_rows(COLLECTION, text, problems))


def validate_collection(
    rows: list[Row], store: Store, problems: list[Problem]
) -> dict[str, Evidence]:
    """Every row checked against the file and the graph: empty values, a meter listed twice
    (in one area or in two), a terminal in two areas, unknown meters and areas. A retired area
    (no feeder supplies it) is a warning: the evidence is kept."""
    found: dict[str, Evidence] = {}
    terminal_area: dict[str, Evidence] = {}
    for row in rows:
        empty = [c for c in _REQUIRED if not row.values[c]]
        for column in empty:
            problems.append(_problem(row, column, f"{column} is empty"))
        if empty:
            continue
        values = row.values
        bad = code_problem(values["terminal_code"])
        if bad:
            problems.append(_problem(row, "terminal_code", f"terminal_code {bad}"))
            continue
        ev = Evidence(
            values["meter_code"], values["terminal_code"], values["transformer_code"], row
        )
        first = found.get(ev.meter)
        if first is not None:
            if first.area == ev.area:
                message = f'duplicate meter "{ev.meter}": first at line {first.row.line}'
            else:
                message = (
                    f'meter "{ev.meter}" in two areas: line {first.row.line} says "{first.area}", '
                    f'this line says "{ev.area}"'
                )
            problems.append(_problem(row, "meter_code", message))
            continue
        found[ev.meter] = ev
        placed = terminal_area.setdefault(ev.terminal, ev)
        if placed.area != ev.area:
            problems.append(
                _problem(
                    row,
                    "transformer_code",
                    f'terminal "{ev.terminal}" in two areas: line {placed.row.line} puts it in '
                    f'"{placed.area}", this line in "{ev.area}"',
                )
            )
    _check_known(found, store, problems)
    return found


def _check_known(found: dict[str, Evidence], store: Store, problems: list[Problem]) -> None:
    meters = store.existing_codes(Kind.METER, list(found))
    areas = {ev.area for ev in found.values()}
    known_areas = store.existing_codes(Kind.TRANSFORMER, sorted(areas))
    supplied = store.open_links(Rel.SUPPLIES, sorted(known_areas))
    warned: set[str] = set()
    for ev in found.values():
        if ev.meter not in meters:
            problems.append(_problem(ev.row, "meter_code", f'unknown meter "{ev.meter}"'))
        if ev.area not in known_areas:
            problems.append(_problem(ev.row, "transformer_code", f'unknown area "{ev.area}"'))
        elif ev.area not in supplied and ev.area not in warned:
            warned.add(ev.area)
            problems.append(
                _problem(
                    ev.row,
                    "transformer_code",
                    f'area "{ev.area}" is retired (no feeder supplies it); evidence kept',
                    "warning",
                )
            )


@dataclass(frozen=True, slots=True)
class EvidenceChange:
    """What one meter's evidence does: change is added | moved | changed (terminal) | removed."""

    change: str
    meter: str
    before_area: str | None
    after_area: str | None
    before_terminal: str | None
    after_terminal: str | None


def diff_collection(found: dict[str, Evidence], store: Store) -> list[EvidenceChange]:
    """The snapshot against the graph's open READS intervals, by meter code."""
    stored = store.open_links(Rel.READS, sorted(store.all_codes(Kind.METER)))
    changes: list[EvidenceChange] = []
    for meter in sorted(found.keys() | stored.keys()):
        ev, now = found.get(meter), stored.get(meter)
        if ev is None:
            assert now is not None
            changes.append(EvidenceChange("removed", meter, now.parent, None, now.detail, None))
        elif now is None:
            changes.append(EvidenceChange("added", meter, None, ev.area, None, ev.terminal))
        elif now.parent != ev.area:
            changes.append(
                EvidenceChange("moved", meter, now.parent, ev.area, now.detail, ev.terminal)
            )
        elif now.detail != ev.terminal:
            changes.append(
                EvidenceChange("changed", meter, now.parent, ev.area, now.detail, ev.terminal)
            )
    return changes
