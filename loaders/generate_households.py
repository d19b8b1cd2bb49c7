"""Household-like daily readings with injected faults, and the truth of what was injected
(the findings' proof, issue 15). Deterministic: the same folder, start, days and seed give the
same files.

Every meter's day comes from its own household, not one shared shape:
- a level (lognormal, median ~5.5 kWh a day; commercial 2.5x; large customers behind CTs
  200-2,000 kWh), a weekend factor of its own, a sensitivity to the weather (one weather
  series for the whole network, smooth from day to day), day-to-day noise of its own (AR(1) in
  the log, 20-45 %: a household's daily use varies by a third or more), and for one
  household in seven an absence of 3-9 days at 10-30 %;
- PV meters export by one sunniness series x their own size; they import a little at night.

Each area's gate measures what its households really use (the meters physically behind it)
plus the lines' loss (1-3.5 % of the load plus a part growing with its square, with noise),
minus the PV export. About 3 % of areas lose another 6-12 % from the first day on (many small
thefts): the findings should find nothing there.

The faults, each written to `truth/faults.csv`:
- METER_IN_OTHER_AREA: a household archived under one public area of a feeder and fed by
  another of the same feeder (its consumption is in the other gate);
- THEFT_SUSPECT: from a day inside the period a household registers 20-60 % of its use;
- WRONG_MULTIPLIER: a gate, or a large customer's meter (detail `customer`), whose real CT
  ratio is not the archive's (it registers by the real one);
- READING_ANOMALY (detail): ZERO (a register that stops for 4-8 days), FLAT (the same value
  for 4-8 days), EXPORT_WITHOUT_PV (import registered as export from a day on), JUMP (one day
  with hundreds of kWh too many), MISSING (4-8 days unread).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt

from graph.domain.model import MeterRole
from graph.series.sql import literal
from loaders.generate import CT_MULTIPLIERS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

TRUTH = Path("truth") / "faults.csv"
TRUTH_HEADER = (
    "kind",
    "detail",
    "meter_code",
    "transformer_code",
    "likely_transformer_code",
    "likely_multiplier",
    "since",
)
ANOMALIES = ("ZERO", "FLAT", "EXPORT_WITHOUT_PV", "JUMP", "MISSING")


@dataclass(frozen=True)
class FaultCounts:
    """How many of each fault to inject (the issue's scenario by default)."""

    misplaced: int = 12
    thieves: int = 9
    gate_multipliers: int = 1
    customer_multipliers: int = 0  # customer meters behind a CT (large customers)
    anomalies_each: int = 2  # of every detail in ANOMALIES
    min_use_kwh: float = 3.0  # misplaced meters and thieves: households using this much a day

    @classmethod
    def none(cls) -> FaultCounts:
        return cls(0, 0, 0, 0, 0)


@dataclass(frozen=True)
class Fault:
    """One injected fault, as the truth file holds it."""

    kind: str
    meter_code: str
    transformer_code: str  # the archived area
    detail: str = ""
    likely_transformer_code: str = ""  # where the meter really is
    likely_multiplier: float | None = None  # the gate's real CT ratio
    since: dt.date | None = None  # theft's first day; an anomaly's first day


@dataclass
class _Meters:
    code: list[str]
    area: npt.NDArray[np.object_]
    feeder: npt.NDArray[np.object_]
    role: npt.NDArray[np.object_]
    multiplier: Floats
    public: npt.NDArray[np.bool_]
    commercial: npt.NDArray[np.bool_]

    @classmethod
    def read(cls, folder: Path) -> _Meters:
        con = duckdb.connect()
        found = con.execute(
            """
            SELECT m.meter_code, m.transformer_code, t.feeder_code, m.role,
                   coalesce(try_cast(m.multiplier AS DOUBLE), 1) AS multiplier,
                   t.ownership = 'public' AS public,
                   coalesce(c.category, '') = 'commercial' AS commercial
            FROM read_csv($meters, header = true, all_varchar = true) m
            JOIN read_csv($transformers, header = true, all_varchar = true) t
              USING (transformer_code)
            LEFT JOIN read_csv($customers, header = true, all_varchar = true) c
              USING (customer_code)
            ORDER BY m.meter_code
            """,
            {
                "meters": str(folder / "meters.csv"),
                "transformers": str(folder / "transformers.csv"),
                "customers": str(folder / "customers.csv"),
            },
        ).fetchnumpy()
        con.close()
        return cls(
            [str(c) for c in found["meter_code"]],
            np.asarray(found["transformer_code"], dtype=object),
            np.asarray(found["feeder_code"], dtype=object),
            np.asarray(found["role"], dtype=object),
            np.asarray(found["multiplier"], dtype=np.float64),
            np.asarray(found["public"], dtype=bool),
            np.asarray(found["commercial"], dtype=bool),
        )


def _ar1(rng: np.random.Generator, shape: tuple[int, int], phi: float) -> Floats:
    """Unit-variance AR(1) noise along the last axis."""
    noise = rng.standard_normal(shape)
    out = np.empty(shape)
    out[:, 0] = noise[:, 0]
    scale = np.sqrt(1 - phi * phi)
    for d in range(1, shape[1]):
        out[:, d] = phi * out[:, d - 1] + scale * noise[:, d]
    return out


def _use(rng: np.random.Generator, m: _Meters, weekday: Floats) -> tuple[Floats, Floats]:
    """(meters, days) physical import and export in kWh."""
    count, days = len(m.code), len(weekday)
    weekend = weekday >= 5
    weather = _ar1(rng, (1, days), 0.8)[0] * 0.35
    sun = np.clip(0.65 + _ar1(rng, (1, days), 0.5)[0] * 0.25, 0.15, 1.0)
    role = m.role
    large = (role == "customer") & (m.multiplier > 1)
    level = np.exp(rng.normal(np.log(5.5), 0.55, count))
    level[m.commercial] *= 2.5
    level[large] = rng.uniform(200, 2000, large.sum())
    weekend_factor = rng.uniform(0.95, 1.25, count)
    weekend_factor[m.commercial] = rng.uniform(0.5, 0.9, m.commercial.sum())
    weekend_factor[large] = rng.uniform(0.3, 0.6, large.sum())
    beta = rng.uniform(0.0, 0.5, count)
    sigma = rng.uniform(0.20, 0.45, count)
    use = (
        level[:, None]
        * np.where(weekend[None, :], weekend_factor[:, None], 1.0)
        * np.clip(1 + beta[:, None] * weather[None, :], 0.3, None)
        * np.exp(sigma[:, None] * _ar1(rng, (count, days), 0.5) - sigma[:, None] ** 2 / 2)
    )
    away = rng.random(count) < 1 / 7
    first = rng.integers(0, days, count)
    length = rng.integers(3, 10, count)
    day = np.arange(days)[None, :]
    gone = away[:, None] & (day >= first[:, None]) & (day < (first + length)[:, None])
    use = np.where(gone, use * rng.uniform(0.1, 0.3, count)[:, None], use)
    pv = role == "pv"
    use[pv] = rng.uniform(0.1, 0.6, (pv.sum(), days))
    export = np.zeros((count, days))
    export[pv] = rng.uniform(8, 25, pv.sum())[:, None] * sun[None, :]
    export[pv] *= rng.uniform(0.9, 1.1, (pv.sum(), days))
    use[role == MeterRole.GATE.value] = 0.0
    return use, export


def _pick(rng: np.random.Generator, candidates: Ints, n: int, taken: set[int]) -> list[int]:
    free = np.array([c for c in candidates if int(c) not in taken], dtype=np.int64)
    chosen = [int(c) for c in rng.choice(free, size=min(n, len(free)), replace=False)]
    taken.update(chosen)
    return chosen


def write_household_readings(
    folder: Path,
    start: dt.date,
    days: int,
    seed: int = 1,
    counts: FaultCounts | None = None,
) -> tuple[int, list[Fault]]:
    """Write `folder`/readings.csv (and `folder`/truth/faults.csv) for `days` days from
    `start`; returns the number of readings and the faults injected."""
    counts = counts or FaultCounts()
    rng = np.random.default_rng(seed)
    m = _Meters.read(folder)
    dates = [start + dt.timedelta(days=d) for d in range(days)]
    weekday = np.array([d.weekday() for d in dates], dtype=np.float64)
    use, export = _use(rng, m, weekday)
    registered_import, registered_export = use.copy(), export.copy()
    read = np.ones_like(use, dtype=bool)
    physical_area = m.area.copy()
    faults: list[Fault] = []
    taken: set[int] = set()
    households = np.flatnonzero(
        (m.role == "customer")
        & (m.multiplier == 1)
        & m.public
        & (use.mean(axis=1) >= counts.min_use_kwh)
    )
    areas_of_feeder: dict[str, list[str]] = {}
    for area, feeder, public in zip(m.area, m.feeder, m.public, strict=True):
        if public and area not in areas_of_feeder.setdefault(feeder, []):
            areas_of_feeder[feeder].append(area)

    for i in _pick(rng, households, counts.misplaced, taken):
        others = [a for a in areas_of_feeder[m.feeder[i]] if a != m.area[i]]
        if not others:
            continue
        physical_area[i] = others[int(rng.integers(len(others)))]
        faults.append(Fault("METER_IN_OTHER_AREA", m.code[i], m.area[i], "", physical_area[i]))
    margin = max(1, days // 5)
    for i in _pick(rng, households, counts.thieves, taken):
        since = int(rng.integers(margin, days - margin))
        registered_import[i, since:] *= rng.uniform(0.2, 0.6)
        faults.append(Fault("THEFT_SUSPECT", m.code[i], m.area[i], since=dates[since]))
    for detail in ANOMALIES:
        for i in _pick(rng, households, counts.anomalies_each, taken):
            first = int(rng.integers(margin, days - margin))
            length = int(rng.integers(4, 9))
            span = slice(first, min(days, first + length))
            if detail == "ZERO":
                registered_import[i, span] = 0.0
            elif detail == "FLAT":
                registered_import[i, span] = registered_import[i, first]
            elif detail == "EXPORT_WITHOUT_PV":
                registered_export[i, first:] = registered_import[i, first:]
                registered_import[i, first:] = 0.0
            elif detail == "JUMP":
                registered_import[i, first] += rng.uniform(300, 1500)
            else:
                read[i, span] = False
            faults.append(
                Fault("READING_ANOMALY", m.code[i], m.area[i], detail, since=dates[first])
            )

    gate_rows = np.flatnonzero(m.role == MeterRole.GATE.value)
    real_multiplier = m.multiplier.copy()
    public_gates = gate_rows[m.public[gate_rows]]
    for g in _pick(rng, public_gates, counts.gate_multipliers, taken):
        real_multiplier[g] = float(rng.choice([c for c in CT_MULTIPLIERS if c != m.multiplier[g]]))
        faults.append(
            Fault("WRONG_MULTIPLIER", m.code[g], m.area[g], likely_multiplier=real_multiplier[g])
        )

    # Customer CTs drawn from a stream of their own: the other faults and the readings of a
    # seed stay what they were without them.
    ct_rng = np.random.default_rng([seed, 15])
    ct_customers = np.flatnonzero((m.role == "customer") & (m.multiplier > 1))
    for i in _pick(ct_rng, ct_customers, counts.customer_multipliers, taken):
        real_multiplier[i] = float(
            ct_rng.choice([c for c in CT_MULTIPLIERS if c != m.multiplier[i]])
        )
        faults.append(
            Fault(
                "WRONG_MULTIPLIER",
                m.code[i],
                m.area[i],
                "customer",
                likely_multiplier=real_multiplier[i],
            )
        )

    # What each gate measures: its households' real use and export (by where they are), and
    # the loss of the lines between.
    area_names, area_of = np.unique(physical_area.astype(str), return_inverse=True)
    load = np.stack(
        [np.bincount(area_of, use[:, d], len(area_names)) for d in range(days)],
        axis=1,
    )
    pv_out = np.stack(
        [np.bincount(area_of, export[:, d], len(area_names)) for d in range(days)],
        axis=1,
    )
    mean_load = np.maximum(load.mean(axis=1, keepdims=True), 1e-9)
    linear = rng.uniform(0.01, 0.035, (len(area_names), 1))
    square = rng.uniform(0.005, 0.025, (len(area_names), 1))
    thefts = rng.random((len(area_names), 1)) < 0.03
    linear += np.where(thefts, rng.uniform(0.06, 0.12, (len(area_names), 1)), 0.0)
    noise = rng.normal(0, 0.002, (len(area_names), days)) * mean_load
    net = load * (1 + linear) + square * load * load / mean_load + noise - pv_out
    row_of = {name: r for r, name in enumerate(area_names)}
    for gate in gate_rows.tolist():
        row = row_of[m.area[gate]]
        registered_import[gate] = np.maximum(net[row], 0) / real_multiplier[gate]
        registered_export[gate] = np.maximum(-net[row], 0) / real_multiplier[gate]
    others = m.role != MeterRole.GATE.value
    registered_import[others] /= real_multiplier[others, None]
    registered_export[others] /= real_multiplier[others, None]
    rows = _write_readings(
        folder / "readings.csv", m.code, dates, registered_import, registered_export, read
    )
    _write_truth(folder / TRUTH, faults)
    return rows, faults


_COPY = """
COPY (
    SELECT meter_code, date, import_kwh::DECIMAL(18, 2)::VARCHAR AS import_kwh,
           CASE WHEN export_kwh > 0 THEN export_kwh::DECIMAL(18, 2)::VARCHAR ELSE '' END
               AS export_kwh
    FROM code_col POSITIONAL JOIN day_col POSITIONAL JOIN import_col POSITIONAL JOIN export_col
    ORDER BY date, meter_code
) TO {target} (HEADER, DELIMITER ',', QUOTE '')
"""


def _write_readings(
    target: Path,
    codes: list[str],
    dates: list[dt.date],
    import_kwh: Floats,
    export_kwh: Floats,
    read: npt.NDArray[np.bool_],
) -> int:
    """readings.csv from the (meters, days) registers, 2 decimals, unread meter-days left
    out; written by DuckDB from the arrays (35M rows in seconds)."""
    meter_row, day_row = np.nonzero(read)
    code = np.asarray(codes, dtype=object)[meter_row]
    day = np.asarray([d.isoformat() for d in dates], dtype=object)[day_row]
    imp = np.round(import_kwh[meter_row, day_row], 2)
    exp = np.round(export_kwh[meter_row, day_row], 2)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.register("code_col", {"meter_code": code})
    con.register("day_col", {"date": day})
    con.register("import_col", {"import_kwh": imp})
    con.register("export_col", {"export_kwh": exp})
    con.execute(_COPY.format(target=literal(str(target))))
    con.close()
    return len(meter_row)


def _write_truth(target: Path, faults: list[Fault]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TRUTH_HEADER)
        for f in faults:
            writer.writerow(
                (
                    f.kind,
                    f.detail,
                    f.meter_code,
                    f.transformer_code,
                    f.likely_transformer_code,
                    "" if f.likely_multiplier is None else f"{f.likely_multiplier:g}",
                    "" if f.since is None else f.since.isoformat(),
                )
            )


def read_truth(folder: Path) -> list[Fault]:
    """The faults a generated folder was given."""
    with (folder / TRUTH).open(encoding="utf-8") as fh:
        return [
            Fault(
                r["kind"],
                r["meter_code"],
                r["transformer_code"],
                r["detail"],
                r["likely_transformer_code"],
                float(r["likely_multiplier"]) if r["likely_multiplier"] else None,
                dt.date.fromisoformat(r["since"]) if r["since"] else None,
            )
            for r in csv.DictReader(fh)
        ]
