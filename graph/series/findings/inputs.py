"""What an analysis reads: every meter of the areas analysed as (meters x days) arrays, and
each area's daily balance, from the series copy (day files and the topology copy).

A meter-day counts toward the area its meter belonged to on that day, with that day's
multiplier, as the balances count it; for the per-meter analyses a meter has one area, the
one of its last day in service in the period.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import duckdb
import numpy as np
import numpy.typing as npt

from graph.series import sql
from graph.series.files import Manifest, SeriesFolder

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

CUSTOMER, GATE, PV = 0, 1, 2  # roles as FINDING_INTERVALS codes them


@contextmanager
def quiet() -> Iterator[None]:
    """Without numpy's warnings of empty slices: a meter or day without any value is
    expected, and gives NaN."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@dataclass
class PeriodInputs:
    days: list[dt.date]
    areas: list[str]  # (A,)
    feeders: list[str]  # (A,) each area's feeder on the last day ("" when none)
    meters: list[str]  # (M,) codes
    area_of: Ints  # (M,) area row of the meter's last day in service
    role: Ints  # (M,) CUSTOMER, GATE or PV on that day
    multiplier: Floats  # (M,) on that day
    multiplier_changed: Bools  # (M,) another multiplier on some day of the period
    in_service: Bools  # (M, D)
    import_kwh: Floats  # (M, D) registered x multiplier; NaN when unread or not in service
    export_kwh: Floats  # (M, D)
    supply_kwh: Floats  # (A, D) gates' net + customers' and pv export, as the balances
    sales_kwh: Floats  # (A, D)
    gates_read: Bools  # (A, D) every gate meter in service read (and at least one)
    unread_kwh: Floats  # (A, D) the usual use of meters in service but unread that day

    @property
    def loss_kwh(self) -> Floats:
        """(A, D) loss with the unread meters' usual use taken out (the gate saw it, the
        sales did not); NaN on days without every gate read."""
        loss = self.supply_kwh - self.sales_kwh - self.unread_kwh
        return np.where(self.gates_read, loss, np.nan)

    @cached_property
    def filled_kwh(self) -> Floats:
        """(M, D) use with unread days at the meter's usual day (as loss_kwh counts them)."""
        return np.where(np.isnan(self.import_kwh), self.usual_kwh[:, None], self.import_kwh)

    @cached_property
    def usual_kwh(self) -> Floats:
        """(M,) each meter's median day (read days), 0 when never read."""
        with quiet():  # a meter never read: NaN, then 0
            return np.nan_to_num(np.nanmedian(self.import_kwh, axis=1))


def period_inputs(
    con: duckdb.DuckDBPyConnection,
    folder: SeriesFolder,
    manifest: Manifest,
    areas: list[str],
    feeder_of: dict[str, str],
    start: dt.date,
    end: dt.date,
) -> PeriodInputs:
    """The arrays of `areas` (`feeder_of`: each area's feeder) over [start, end] (days
    without a day file: nothing read)."""
    days = [start + dt.timedelta(days=d) for d in range((end - start).days + 1)]
    topo = manifest.topology
    after = end + dt.timedelta(days=1)
    con.execute(sql.FINDING_AREAS, {"areas": areas})
    params: dict[str, object] = {"first": start, "after": after}
    con.execute(sql.FINDING_SERVICE, {**params, "memberships": folder.path(topo["memberships"])})
    con.execute(sql.FINDING_METERS, {"meters": folder.path(topo["meters"])})
    codes = [c for (c,) in con.execute(sql.FINDING_METER_CODES).fetchall()]
    rows = con.execute(sql.FINDING_INTERVALS, {"first": start}).fetchnumpy()
    count, span, area_count = len(codes), len(days), len(areas)
    row_i = rows["i"].astype(np.int64)
    row_a = rows["a"].astype(np.int64)
    row_role = rows["role"].astype(np.int64)
    row_mult = rows["multiplier"].astype(np.float64)
    lo, hi = rows["lo"].astype(np.int64), rows["hi"].astype(np.int64)
    # The meter's last interval: its area, role and multiplier for the per-meter analyses.
    last = np.lexsort((hi, row_i))
    area_of = np.full(count, -1, dtype=np.int64)
    role = np.zeros(count, dtype=np.int64)
    multiplier = np.ones(count)
    area_of[row_i[last]], role[row_i[last]], multiplier[row_i[last]] = (
        row_a[last],
        row_role[last],
        row_mult[last],
    )
    multiplier_changed = np.zeros(count, dtype=bool)
    multiplier_changed[row_i[row_mult != multiplier[row_i]]] = True

    in_service = np.zeros((count, span), dtype=bool)
    import_kwh = np.full((count, span), np.nan)
    export_kwh = np.full((count, span), np.nan)
    supply = np.zeros((area_count, span))
    sales = np.zeros((area_count, span))
    gates_read = np.zeros((area_count, span), dtype=bool)
    day_area = np.full((count, span), -1, dtype=np.int32)
    for d, day in enumerate(days):
        active = (lo <= d) & (d < hi)
        area_d = np.full(count, -1, dtype=np.int64)
        mult_d = np.zeros(count)
        role_d = np.zeros(count, dtype=np.int64)
        area_d[row_i[active]] = row_a[active]
        mult_d[row_i[active]] = row_mult[active]
        role_d[row_i[active]] = row_role[active]
        in_service[:, d] = area_d >= 0
        day_area[:, d] = area_d
        gates_in = np.bincount(area_d[(area_d >= 0) & (role_d == GATE)], minlength=area_count)
        file = manifest.readings.get(day.isoformat())
        gates_seen = np.zeros(area_count, dtype=np.int64)
        if file:
            found = con.execute(sql.FINDING_DAY, {"file": folder.path(file)}).fetchnumpy()
            every = found["i"].astype(np.int64)
            keep = area_d[every] >= 0  # not a reading of a day outside the meter's intervals
            i = every[keep]
            imp = found["import_kwh"][keep] * mult_d[i]
            exp = found["export_kwh"][keep] * mult_d[i]
            import_kwh[i, d], export_kwh[i, d] = imp, exp
            a, is_gate = area_d[i], role_d[i] == GATE
            gates_seen = np.bincount(a[is_gate], minlength=area_count)
            supply[:, d] = np.bincount(a[is_gate], (imp - exp)[is_gate], area_count)
            supply[:, d] += np.bincount(a[~is_gate], exp[~is_gate], area_count)
            sales[:, d] = np.bincount(a[~is_gate], imp[~is_gate], area_count)
        gates_read[:, d] = (gates_in > 0) & (gates_seen >= gates_in)
    inputs = PeriodInputs(
        days=days,
        areas=list(areas),
        feeders=[feeder_of.get(a, "") for a in areas],
        meters=codes,
        area_of=area_of,
        role=role,
        multiplier=multiplier,
        multiplier_changed=multiplier_changed,
        in_service=in_service,
        import_kwh=import_kwh,
        export_kwh=export_kwh,
        supply_kwh=supply,
        sales_kwh=sales,
        gates_read=gates_read,
        unread_kwh=np.zeros((area_count, span)),
    )
    unread = in_service & np.isnan(import_kwh) & (role != GATE)[:, None]
    usual = inputs.usual_kwh
    for d in range(span):
        missed = unread[:, d]
        inputs.unread_kwh[:, d] = np.bincount(day_area[missed, d], usual[missed], area_count)
    return inputs
