"""The backward/forward sweep: a balanced three-phase power flow over radial LV networks, many
areas and many time steps at once.

Per step, with constant-power loads at the nodes and the source held at nominal voltage:
backward, each line carries the current of every load below it (I = conj(S / V) per phase);
forward, each node's voltage is its parent's minus the line's drop (Z x I). Repeated until the
voltages move by less than `tol` (per unit). The line losses are 3 |I|^2 R. Vectorized over
the steps (columns) and over every node of one depth in all areas at once (rows), so a batch
of areas costs a few numpy operations per tree level and iteration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.series.technical.network import RadialNetwork

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

NOMINAL_KV = 0.4  # line-to-line
#: Voltages settle to 1e-5 pu: the loss then agrees with a 1e-12 pu solution to ~1e-7 (a
#: month at 100k meters: 2e-8), and a day needs 6 iterations instead of 7 or 8.
TOL_PU = 1e-5
CHECKED_FROM = 3
STEP_H = 0.25  # a quarter hour


@dataclass(frozen=True)
class _Level:
    """The nodes of one depth: rows [lo, hi) of the sweep's order, sorted by parent; each
    distinct parent once and where its children start (relative to lo). `ranks`: for k = 0,
    1, ..., the parents with a (k+1)-th child and that child's row (a parent appears once per
    rank, so `current[parents] += current[rows]` adds every child: 2.5x faster than a
    reduceat over the level)."""

    lo: int
    hi: int
    parents: Ints
    starts: Ints
    ranks: tuple[tuple[Ints, Ints], ...]

    @classmethod
    def of(cls, lo: int, hi: int, parents: Ints, starts: Ints) -> _Level:
        counts = np.diff(np.r_[starts, hi - lo])
        ranks = []
        for k in range(int(counts.max(initial=0))):
            more = counts > k
            ranks.append((parents[more], lo + starts[more] + k))
        return cls(lo, hi, parents, starts, tuple(ranks))


@dataclass(frozen=True)
class Forest:
    """Several areas' radial networks in one index space: area k's nodes are
    [starts[k], starts[k + 1]), its source first (the order loads come in and answers go
    out). Inside, the sweep keeps them level by level (`order`: every source, then every
    node of depth 1 sorted by parent, ...), so that a level is a contiguous block of rows."""

    starts: Ints
    order: Ints  # sweep row -> node
    row_of: Ints  # node -> sweep row
    parent_row: Ints  # per sweep row: its parent's row; -1 for a source
    z_ohm: npt.NDArray[np.complex128]  # per sweep row
    r_ohm: Floats  # per sweep row
    sources: int  # the first rows
    levels: tuple[_Level, ...]  # depth 1, 2, ...

    @classmethod
    def of(cls, networks: Sequence[RadialNetwork]) -> Forest:
        sizes = [len(n.nodes) for n in networks]
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        parent = np.concatenate(
            [
                np.where(n.parent < 0, -1, n.parent + s)
                for n, s in zip(networks, starts, strict=True)
            ]
        ).astype(np.int64)
        r = np.concatenate([n.r_ohm for n in networks])
        x = np.concatenate([n.x_ohm for n in networks])
        depth = np.concatenate([n.depth for n in networks])
        row_of = np.empty(len(parent), dtype=np.int64)
        blocks = [np.flatnonzero(depth == 0)]
        row_of[blocks[0]] = np.arange(len(blocks[0]))
        levels = []
        row = len(blocks[0])
        for d in range(1, int(depth.max(initial=0)) + 1):
            at = np.flatnonzero(depth == d)
            at = at[np.argsort(row_of[parent[at]], kind="stable")]  # parents' rows are set
            row_of[at] = np.arange(row, row + len(at))
            parents, first = np.unique(row_of[parent[at]], return_index=True)
            levels.append(_Level.of(row, row + len(at), parents, first.astype(np.int64)))
            blocks.append(at)
            row += len(at)
        order = np.concatenate(blocks).astype(np.int64)
        parent_row = np.where(parent[order] < 0, -1, row_of[np.maximum(parent[order], 0)])
        z = (r + 1j * x)[order]
        return cls(starts, order, row_of, parent_row, z, r[order], len(blocks[0]), tuple(levels))

    @property
    def node_count(self) -> int:
        return len(self.order)


Voltages = npt.NDArray[np.complexfloating]


@dataclass(frozen=True)
class SweepResult:
    loss_kw: Floats  # (areas, steps): the lines' losses, all three phases
    min_voltage_pu: Floats  # (areas, steps)
    iterations: int
    converged: bool
    voltage: Voltages  # (sweep rows, steps): the solution, a next call's start


def sweep(
    forest: Forest,
    p_kw: Floats,
    q_kvar: Floats,
    nominal_kv: float = NOMINAL_KV,
    tol_pu: float = TOL_PU,
    max_iterations: int = 50,
    start: Voltages | None = None,
    precision: type[np.complexfloating] = np.complex128,
) -> SweepResult:
    """The power flow of `forest` for each column of `p_kw` and `q_kvar` (nodes x steps: the
    three-phase load at each node; negative for a node that exports).

    `start`: voltages to begin from (a previous solution of the same forest and steps: the
    day before's converges in fewer iterations than the flat start). `precision`: complex64
    halves the memory traffic; its 7 digits hold the 1e-5 pu tolerance with room to spare."""
    v_source = nominal_kv * 1000 / math.sqrt(3)  # phase voltage (V)
    order = forest.order
    s_conj = ((p_kw[order] - 1j * q_kvar[order]) * (1000 / 3)).astype(precision)
    if start is not None and start.shape == s_conj.shape:
        voltage = start.astype(precision, copy=True)
    else:
        voltage = np.full(s_conj.shape, v_source, dtype=precision)
    updated = np.empty_like(voltage)
    current = np.empty_like(voltage)
    change = np.empty_like(voltage)
    z = forest.z_ohm.astype(precision)[:, None]
    parent_row = forest.parent_row
    converged, iterations = False, 0
    while not converged and iterations < max_iterations:
        iterations += 1
        np.conjugate(voltage, out=current)
        np.divide(s_conj, current, out=current)  # conj(S / V): what each node's load draws
        for level in reversed(forest.levels):  # deepest first: a subtree's sum is complete
            for parents, children in level.ranks:
                current[parents] += current[children]
        updated[: forest.sources] = v_source
        np.multiply(z, current, out=change)  # each line's drop
        for level in forest.levels:
            rows = slice(level.lo, level.hi)
            np.subtract(updated[parent_row[rows]], change[rows], out=updated[rows])
        # Checked from the third iteration (none converges sooner from a flat start, few from
        # the day before's): per real and imaginary part, |dV| <= sqrt(2) x the larger part.
        if iterations >= CHECKED_FROM:
            np.subtract(updated, voltage, out=change)
            moved = float(np.max(np.abs(change.view(change.real.dtype)), initial=0.0))
            converged = moved * math.sqrt(2) / v_source < tol_pu
        voltage, updated = updated, voltage
    # Sums in double precision whatever the sweep's: a day adds thousands of small terms.
    magnitude = np.abs(current).astype(np.float64)
    line_loss_w = 3 * magnitude**2 * forest.r_ohm[:, None]  # a source's r is 0
    by_node = forest.row_of
    loss_kw = np.add.reduceat(line_loss_w[by_node], forest.starts, axis=0) / 1000
    lowest = np.minimum.reduceat(np.abs(voltage)[by_node], forest.starts, axis=0) / v_source
    return SweepResult(loss_kw, lowest.astype(np.float64), iterations, converged, voltage)
