"""Technical loss for the balances: every area-day a write recomputes, from the series copy.

The days are cut into runs over which nothing technical loss reads of the topology changes
(memberships, multipliers, nodes, lines, capacities). Per run the networks are built once,
batched into forests and each meter given its batch, node and area row. For every area, a day
at a time: its day file is read and the batches are swept on every core, each from the day
before's solution. For a few areas (what a write recomputes): their meters' rows are read once
for the run and its days are swept side by side in one call.

Reads tables of the working connection: memberships, meter_nodes, lv_lines, area_params.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt

from graph.series import sql
from graph.series.technical.columns import AreaColumns, MeterColumns, technical_days
from graph.series.technical.day import Assumptions
from graph.series.technical.equivalent import equivalent_resistance_ohm
from graph.series.technical.network import (
    LvLine,
    NotConnected,
    NotRadial,
    RadialNetwork,
    radial_network,
)
from graph.series.technical.shapes import STEPS
from graph.series.technical.sweep import Forest, Voltages

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: The sweep's precision: complex64 halves its memory traffic; its sums are taken in float64
#: and it agrees with pandapower within 1e-4 (tests/graph/series/technical/test_sweep.py).
PRECISION = np.complex64
WORKERS = max(1, min(4, os.cpu_count() or 1))

#: Node-steps up to which a run's days are swept together (32 MB a complex64 array): what a
#: write to a few areas recomputes.
STACKED_CELLS = 4_000_000

#: Areas per forest: large enough that numpy's per-call cost vanishes, small enough that a
#: batch's (nodes x 96) complex arrays stay in cache-friendly tens of MB.
BATCH_AREAS = 500


@dataclass(frozen=True)
class TechnicalRow:
    area: str
    day: dt.date
    loss_kwh: float
    method: int  # columns.POWER_FLOW, EQUIVALENT_RESISTANCE or NONE


Curves = tuple[Ints, Floats]  # (row of each meter id or -1, (rows, 96) kW as registered)


def _batch_curves(batch: _Batch, count: int, curves: Curves | None) -> tuple[Floats, Floats | None]:
    """(areas, 96) gate curves in kW, multiplied (NaN: an area not every gate of which has a
    curve), and the (meters, 96) curves of other meters that have their own (None: none)."""
    gate_curves = np.full((count, STEPS), np.nan)
    if curves is None or not len(batch.meter_ids):
        return gate_curves, None
    where, values = curves
    rows = where[batch.meter_ids]
    has = rows >= 0
    gates = batch.gate
    per_area = np.bincount(batch.area_rows[gates], minlength=count)
    with_curve = np.bincount(batch.area_rows[gates & has], minlength=count)
    complete = (per_area > 0) & (with_curve == per_area)
    summed = np.zeros((count, STEPS))
    picked = gates & has
    np.add.at(
        summed,
        batch.area_rows[picked],
        values[rows[picked]] * batch.multiplier[picked, None],
    )
    gate_curves[complete] = summed[complete]
    own = None
    others = ~gates & has
    if others.any():
        own = np.full((len(batch.meter_ids), STEPS), np.nan)
        own[others] = values[rows[others]] * batch.multiplier[others, None]
    return gate_curves, own


def with_tied_areas(con: duckdb.DuckDBPyConnection, areas: Iterable[str]) -> list[str]:
    """`areas` and those tied to them by a meter on the other's lines: the load of a meter
    archived under one runs over the other's network, so the two are recomputed together."""
    found = set(areas)
    for archive, carrier in con.execute(sql.TIED_AREAS, {"areas": sorted(found)}).fetchall():
        found.update((archive, carrier))
    return sorted(found)


def runs(con: duckdb.DuckDBPyConnection, days: Sequence[dt.date]) -> list[list[dt.date]]:
    """`days` (sorted) cut where anything a run holds changes."""
    if not days:
        return []
    cuts = {
        d for (d,) in con.execute(sql.RUN_CUTS, {"first": days[0], "last": days[-1]}).fetchall()
    }
    found: list[list[dt.date]] = [[days[0]]]
    for before, day in itertools.pairwise(days):
        if any(before < c <= day for c in cuts):
            found.append([day])
        else:
            found[-1].append(day)
    return found


@dataclass
class _Batch:
    """Areas that run through one sweep, and the meters whose energy they need."""

    areas: list[str]  # networked first; row len(areas): meters archived outside the batch
    networked: int
    forest: Forest | None
    resistance_ohm: Floats
    meter_ids: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    area_rows: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    node_rows: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    multiplier: Floats = field(default_factory=lambda: np.zeros(0))
    gate: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    pv: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    node_index: dict[str, int] = field(default_factory=dict)  # node code -> forest row
    voltage: Voltages | None = None  # the last day's solution: the next day starts from it


NetworkCache = dict[tuple[str, str, tuple[tuple[object, ...], ...]], RadialNetwork | str]


class Run:
    """The topology of a run of days, ready for the sweep."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        day: dt.date,
        areas: set[str] | None,
        networks: NetworkCache,
        unusable: dict[str, str],
    ) -> None:
        some: dict[str, object] = {"day": day}
        if areas is None:
            queries = (sql.RUN_METERS, sql.RUN_LINES, sql.RUN_PARAMS)
        else:
            some["areas"] = sorted(areas)
            queries = (sql.RUN_METERS_OF, sql.RUN_LINES_OF, sql.RUN_PARAMS_OF)
        meters = con.execute(queries[0], some).fetchall()
        # For some areas only, the day files are read for their meters alone, and the day's
        # arrays are as long as those meters (not as the largest meter id).
        self.compact: Ints | None = None  # the run's meter ids, sorted (some areas only)
        if areas is not None:
            self.compact = np.array(sorted(int(m[0]) for m in meters), dtype=np.int64)
        lines_of: dict[str, list[tuple[object, ...]]] = {}
        for area, *line in con.execute(queries[1], some).fetchall():
            lines_of.setdefault(area, []).append(tuple(line))
        params = {a: (c, r) for a, c, r in con.execute(queries[2], some).fetchall()}
        source: dict[str, str] = {}
        wanted: set[str] = set()
        for _, area, role, _, node in meters:
            if areas is None or area in areas:
                wanted.add(area)
                if role == "gate" and node is not None:
                    source.setdefault(area, node)
        built: dict[str, RadialNetwork] = {}
        for area in sorted(lines_of):
            network = self._network(area, source.get(area), lines_of[area], networks)
            if isinstance(network, str):
                unusable[area] = network
            else:
                built[area] = network
        self.batches = self._batches(built, sorted(wanted - set(built)), params)
        self._place(meters)
        self.nodes = sum(b.forest.node_count for b in self.batches if b.forest is not None)
        if self.compact is not None:
            for batch in self.batches:
                batch.meter_ids = self.position(batch.meter_ids)
            self.size = len(self.compact)
        else:
            self.size = max((int(m[0]) for m in meters), default=0) + 1

    def position(self, meter_ids: Ints) -> Ints:
        """Where meters' values go in the day's arrays: at their id, or (some areas only) at
        their place among the run's meters."""
        if self.compact is None:
            return meter_ids
        return np.searchsorted(self.compact, meter_ids).astype(np.int64)

    @staticmethod
    def _network(
        area: str, source: str | None, lines: list[tuple[object, ...]], cache: NetworkCache
    ) -> RadialNetwork | str:
        """The area's radial network, or why it has none (kept across runs: lines change
        rarely)."""
        if source is None:
            return "no gate meter with a node"
        key = (area, source, tuple(lines))
        found = cache.get(key)
        if found is None:
            # The copy holds each line's ohms: a line of 1 km at that many ohm/km.
            parsed = [
                LvLine(str(code), str(a), str(b), 1.0, float(r), float(x))  # type: ignore[arg-type]
                for code, a, b, r, x in lines
            ]
            try:
                found = radial_network(parsed, source)
            except (NotRadial, NotConnected) as problem:
                found = str(problem)
            cache[key] = found
        return found

    @staticmethod
    def _batches(
        built: dict[str, RadialNetwork],
        others: list[str],
        params: dict[str, tuple[float | None, float | None]],
    ) -> list[_Batch]:
        def resistance(names: list[str]) -> Floats:
            return np.array(
                [equivalent_resistance_ohm(*params.get(a, (None, None))) for a in names] + [0.0]
            )

        found = []
        names = sorted(built)
        for i in range(0, len(names), BATCH_AREAS):
            part = names[i : i + BATCH_AREAS]
            forest = Forest.of([built[a] for a in part])
            index = {
                node: int(start) + k
                for a, start in zip(part, forest.starts, strict=True)
                for k, node in enumerate(built[a].nodes)
            }
            found.append(_Batch(part, len(part), forest, resistance(part), node_index=index))
        if others:
            found.append(_Batch(others, 0, None, resistance(others)))
        return found

    def _place(self, meters: list[tuple[Any, ...]]) -> None:
        """Give each meter its batch, area row and node row: a meter's load goes to the batch
        whose network holds its node, else to its archive area's batch."""
        batch_of_area: dict[str, tuple[int, int]] = {}
        batch_of_node: dict[str, tuple[int, int]] = {}
        for b, batch in enumerate(self.batches):
            batch_of_area.update((a, (b, i)) for i, a in enumerate(batch.areas))
            batch_of_node.update((node, (b, row)) for node, row in batch.node_index.items())
        rows: list[list[tuple[int, int, int, float, bool, bool]]] = [[] for _ in self.batches]
        for meter_id, area, role, multiplier, node in meters:
            is_gate = role == "gate"
            placed = None if is_gate or node is None else batch_of_node.get(str(node))
            own = batch_of_area.get(str(area))
            if placed is not None:
                b, node_row = placed
            elif own is not None:
                b, node_row = own[0], -1
            else:
                continue  # neither archived under nor on the lines of an area recomputed
            batch = self.batches[b]
            area_row = own[1] if own is not None and own[0] == b else len(batch.areas)
            rows[b].append(
                (int(meter_id), area_row, node_row, float(multiplier), is_gate, role == "pv")
            )
        for batch, placed_rows in zip(self.batches, rows, strict=True):
            if not placed_rows:
                continue
            ids, area_rows, node_rows, mult, gates, pvs = zip(*placed_rows, strict=True)
            batch.meter_ids = np.array(ids, dtype=np.int64)
            batch.area_rows = np.array(area_rows, dtype=np.int64)
            batch.node_rows = np.array(node_rows, dtype=np.int64)
            batch.multiplier = np.array(mult)
            batch.gate = np.array(gates, dtype=bool)
            batch.pv = np.array(pvs, dtype=bool)

    def days(self, inputs: list[DayInputs], assumed: Assumptions) -> Iterator[TechnicalRow]:
        """The technical loss of every area of the run on each day of `inputs` (registered
        energies by meter position, and curves), the days of a batch in one sweep."""

        def one(batch: _Batch) -> list[TechnicalRow]:
            count = len(batch.areas) + 1
            ids = batch.meter_ids
            columns = []
            for _, import_kwh, export_kwh, curves in inputs:
                gate_curves, own = _batch_curves(batch, count, curves)
                meters = MeterColumns(
                    area=batch.area_rows,
                    node=batch.node_rows,
                    import_kwh=import_kwh[ids] * batch.multiplier,
                    export_kwh=export_kwh[ids] * batch.multiplier,
                    gate=batch.gate,
                    pv=batch.pv,
                    curves_kw=own,
                )
                areas = AreaColumns(batch.networked, gate_curves, batch.resistance_ohm)
                columns.append((areas, meters))
            found = technical_days(
                batch.forest,
                columns,
                assumed.typical_shape,
                assumed.clear_sky,
                assumed.power_factor,
                assumed.nominal_kv,
                start=batch.voltage,
                precision=PRECISION,
            )
            batch.voltage = found[-1].voltage
            return [
                TechnicalRow(area, day, float(f.loss_kwh[i]), int(f.method[i]))
                for (day, *_), f in zip(inputs, found, strict=True)
                for i, area in enumerate(batch.areas)
            ]

        if len(self.batches) == 1:
            yield from one(self.batches[0])
            return
        # numpy lets go of the GIL in its array operations: batches run on every core.
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for rows in pool.map(one, self.batches):
                yield from rows


DayInputs = tuple[dt.date, Floats, Floats, "Curves | None"]
Columns = dict[str, npt.NDArray[Any]]


def _indexed(run: Run, found: Columns | None, size: int) -> Curves | None:
    """A day's curves as (row of each meter's position or -1, (curves, 96) kW as
    registered)."""
    if found is None or not len(found["meter_id"]):
        return None
    ids = run.position(found["meter_id"].astype(np.int64))
    where = np.full(max(size, int(ids.max()) + 1), -1, dtype=np.int64)
    where[ids] = np.arange(len(ids))
    values = np.column_stack([found[p].astype(np.float64) for p in sql.CURVE_POINTS])
    return where, values


def _rows(found: Columns, keep: npt.NDArray[np.bool_]) -> Columns:
    return {name: column[keep] for name, column in found.items()}


def _run_inputs(
    con: duckdb.DuckDBPyConnection,
    run: Run,
    days: list[dt.date],
    day_files: dict[dt.date, str],
    curve_files: dict[dt.date, str],
) -> Iterator[tuple[dt.date, Columns, Columns | None]]:
    """Each day's energies and curves: every meter's, a day file at a time; or, for some
    areas, their meters' over the whole run in one read of each kind."""
    if run.compact is None:
        for day in days:
            energy = con.execute(sql.DAY_ENERGY, {"file": day_files[day]}).fetchnumpy()
            curve_file = curve_files.get(day)
            curves = (
                con.execute(sql.CURVES_OF_DAY, {"file": curve_file}).fetchnumpy()
                if curve_file
                else None
            )
            yield day, energy, curves
        return
    ids = run.compact.tolist()
    files = [day_files[d] for d in days]
    some = {"ids": ids, "lo": min(ids, default=0), "hi": max(ids, default=-1)}
    energy = con.execute(sql.RUN_ENERGY_OF, {"files": files, **some}).fetchnumpy()
    energy_days = energy.pop("day").astype("datetime64[D]")
    shaped = [curve_files[d] for d in days if d in curve_files]
    curves = None
    if shaped:
        curves = con.execute(sql.RUN_CURVES_OF, {"files": shaped, **some}).fetchnumpy()
    file_of_day = {d: curve_files.get(d) for d in days}
    for day in days:
        curve_file = file_of_day[day]
        day_curves = None
        if curves is not None and curve_file is not None:
            day_curves = _rows(curves, curves["filename"] == curve_file)
        yield day, _rows(energy, energy_days == np.datetime64(day)), day_curves


def technical_rows(
    con: duckdb.DuckDBPyConnection,
    day_files: dict[dt.date, str],
    curve_files: dict[dt.date, str],
    areas: Sequence[str] | None,
    assumed: Assumptions,
    say: Callable[[str], None] = lambda _: None,
) -> Iterator[TechnicalRow]:
    """The technical loss of `areas` (None: all) on each day of `day_files` (day -> readings
    file), with the curves of `curve_files` (day -> curves file) where there are, run by
    run."""
    wanted = None if areas is None else set(areas)
    networks: NetworkCache = {}
    unusable: dict[str, str] = {}
    for days in runs(con, sorted(day_files)):
        run = Run(con, days[0], wanted, networks, unusable)
        gathered: list[DayInputs] = []
        for day, energy, curves in _run_inputs(con, run, days, day_files, curve_files):
            at = run.position(energy["meter_id"].astype(np.int64))
            top = max(run.size, int(at.max()) + 1 if len(at) else 0)
            import_kwh, export_kwh = np.zeros(top), np.zeros(top)
            import_kwh[at] = energy["import_kwh"]
            export_kwh[at] = energy["export_kwh"]
            inputs = (day, import_kwh, export_kwh, _indexed(run, curves, top))
            if run.nodes * STEPS * len(days) <= STACKED_CELLS:  # a few areas: side by side
                gathered.append(inputs)
            else:  # many: a day at a time (every area's day is ~1 GB at 1M meters)
                yield from run.days([inputs], assumed)
        if gathered:
            yield from run.days(gathered, assumed)
    if unusable:
        shown = "; ".join(f"{a}: {why}" for a, why in sorted(unusable.items())[:5])
        say(
            f"{len(unusable):,} areas with lines took the equivalent-resistance estimate "
            f"instead of the power flow ({shown})"
        )
