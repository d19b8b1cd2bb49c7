"""Deterministic 96-point gate curves for a generated folder (demo and benchmarks): what a
collection system keeps for the gate meters, written as `curves.csv` from the folder's own
`readings.csv`, so that each curve holds its gate's registered energy of the day.

A curve is the gate's net energy of the day spread by the residential day
(graph.series.technical.shapes) with +-10 % noise per quarter hour from md5(seed, meter, day,
step): the same folder and seed give the same file. (The PV behind a gate is not taken out of
its curve: the demo's curves are plain household days.)
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from graph.series.sql import GATE, literal
from graph.series.technical.shapes import STEP_H, STEPS, residential_shape

_SQL = """
COPY (
WITH gates AS (
    SELECT meter_code FROM read_csv($meters, header = true, all_varchar = true)
    WHERE role = {gate}
)
SELECT r.meter_code, r.date, {points}
FROM read_csv($readings, header = true, all_varchar = true) r
JOIN gates USING (meter_code)
ORDER BY r.date, r.meter_code
) TO {target} (HEADER, DELIMITER ',', QUOTE '')
"""


def _point(step: int, share: float) -> str:
    """p<step>: the day's net energy by the load shape, noisy, as kW (our own numbers only)."""
    noise = f"(0.9 + (md5_number($seed || r.meter_code || r.date || '{step}') % 201) / 1000.0)"
    energy = "(r.import_kwh::DOUBLE - coalesce(try_cast(r.export_kwh AS DOUBLE), 0))"
    return f"round({energy} * {share!r} * {noise} / {STEP_H!r}, 4) AS p{step}"


def write_gate_curves(folder: Path, seed: int = 1) -> int:
    """Write `folder`/curves.csv for the gate meters of its readings.csv; returns the rows."""
    folder = Path(folder)
    shape = residential_shape()
    points = ", ".join(_point(i + 1, float(shape[i])) for i in range(STEPS))
    target = folder / "curves.csv"
    con = duckdb.connect()
    try:
        con.execute(
            _SQL.format(gate=GATE, points=points, target=literal(str(target))),
            {
                "meters": str(folder / "meters.csv"),
                "readings": str(folder / "readings.csv"),
                "seed": str(seed),
            },
        )
        row = con.execute(
            "SELECT count(*) FROM read_csv($p, header = true, all_varchar = true)",
            {"p": str(target)},
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0
