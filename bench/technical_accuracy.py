"""How close the technical loss comes to a power flow that knows every load's quarter hours
(issue 14), on SimBench's public LV grids.

    .venv/bin/pip install -e '.[bench]'      # simbench, numba (pandapower's speed)
    .venv/bin/python -m bench.technical_accuracy [--weeks 4]

SimBench's six LV grids (rural1-3, semiurb4-5, urban6: one transformer area each, 13 to 118
loads, PV), each with a year of 15-minute profiles per load and PV unit. For `--weeks` weeks
spread over the year:
- truth: pandapower's Newton-Raphson at every quarter hour of the week with each load's and PV
  unit's own profile (the lines' full model, capacitance included; the LV busbar held at
  1.0 pu), the LV lines' losses summed over the week;
- ours: only what a utility has: each meter's daily energy (a load's import, a PV unit's
  export), and the gate's 96-point curve per day (the busbar's power from the truth run, as
  the collection system records it), through graph.series.technical (shapes, then the sweep).
Per grid and week the relative error of the weekly loss; its distribution; the total. Results
on stdout and in bench/out/technical-accuracy.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from typing import Any

import numpy as np
import pandapower as pp
import simbench as sb

from bench.topology import OUT
from graph.series.technical.day import AreaDay, Assumptions, MeterDay, technical_day
from graph.series.technical.network import LvLine, radial_network
from graph.series.technical.shapes import STEP_H, STEPS

GRIDS = ("rural1", "rural2", "rural3", "semiurb4", "semiurb5", "urban6")
DAYS = 7


def _lv_grid(code: str) -> tuple[Any, int]:
    """The grid with its external grid moved to the LV busbar (the gate: losses upstream of it
    are not the area's); its busbar."""
    net = sb.get_simbench_net(f"1-LV-{code}--0-no_sw")
    busbar = int(net.trafo.lv_bus.iloc[0])
    net.trafo.in_service = False
    net.ext_grid.drop(net.ext_grid.index, inplace=True)
    pp.create_ext_grid(net, busbar, vm_pu=1.0)
    return net, busbar


def _truth(net: Any, loads: np.ndarray, pv: np.ndarray, q: np.ndarray) -> tuple[float, np.ndarray]:
    """The week's line losses (kWh) and the gate's curve (kW per step)."""
    loss_kwh = 0.0
    gate_kw = np.zeros(loads.shape[0])
    for step in range(loads.shape[0]):
        net.load["p_mw"] = loads[step]
        net.load["q_mvar"] = q[step]
        net.sgen["p_mw"] = pv[step]
        pp.runpp(net, init="results" if step else "auto", max_iteration=30)
        loss_kwh += float(net.res_line.pl_mw.sum()) * 1000 * STEP_H
        gate_kw[step] = float(net.res_ext_grid.p_mw.iloc[0]) * 1000
    return loss_kwh, gate_kw


def _ours(
    net: Any,
    busbar: int,
    loads: np.ndarray,
    pv: np.ndarray,
    gate_kw: np.ndarray,
    own_curves: bool = False,
) -> float:
    """The week's technical loss from daily energies and the gate's daily curves (with
    `own_curves`: each load's own curve too, as full AMI data would give: what the shapes
    cost)."""
    lines = [
        LvLine(str(i), str(r.from_bus), str(r.to_bus), r.length_km, r.r_ohm_per_km, r.x_ohm_per_km)
        for i, r in net.line[net.line.in_service].iterrows()
    ]
    network = radial_network(lines, str(busbar))
    total = 0.0
    for day in range(DAYS):
        steps = slice(day * STEPS, (day + 1) * STEPS)
        gate = gate_kw[steps]
        meters = [MeterDay("G", "A", "gate", str(busbar), float(gate.sum() * STEP_H))]
        meters += [
            MeterDay(
                f"L{i}",
                "A",
                "customer",
                str(bus),
                float(loads[steps, i].sum() * 1000 * STEP_H),
                curve_kw=loads[steps, i] * 1000 if own_curves else None,
            )
            for i, bus in enumerate(net.load.bus)
        ]
        meters += [
            MeterDay(f"V{i}", "A", "pv", str(bus), 0.0, float(pv[steps, i].sum() * 1000 * STEP_H))
            for i, bus in enumerate(net.sgen.bus)
        ]
        area = AreaDay("A", network, gate_curve_kw=gate)
        total += technical_day([area], meters, Assumptions())["A"].loss_kwh
    return total


def measure(weeks: int) -> dict[str, Any]:
    rows = []
    for code in GRIDS:
        net, busbar = _lv_grid(code)
        profiles = sb.get_absolute_values(net, profiles_instead_of_study_cases=True)
        p, q, pv = (
            profiles[k].to_numpy() for k in (("load", "p_mw"), ("load", "q_mvar"), ("sgen", "p_mw"))
        )
        year_steps = p.shape[0]
        for w in range(weeks):
            start = (year_steps // weeks) * w // STEPS * STEPS  # spread over the year, from 00:00
            steps = slice(start, start + DAYS * STEPS)
            started = time.perf_counter()
            truth, gate = _truth(net, p[steps], pv[steps], q[steps])
            ours = _ours(net, busbar, p[steps], pv[steps], gate)
            own = _ours(net, busbar, p[steps], pv[steps], gate, own_curves=True)
            rows.append(
                {
                    "grid": code,
                    "week_from_step": start,
                    "truth_kwh": round(truth, 3),
                    "ours_kwh": round(ours, 3),
                    "error": round(ours / truth - 1, 4),
                    "error_with_own_curves": round(own / truth - 1, 4),
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    errors = [abs(r["error"]) for r in rows]
    total = sum(r["ours_kwh"] for r in rows) / sum(r["truth_kwh"] for r in rows) - 1
    return {
        "samples": len(rows),
        "max_abs_error": max(errors),
        "median_abs_error": statistics.median(errors),
        "share_within_8pct": sum(e <= 0.08 for e in errors) / len(errors),
        "share_within_15pct": sum(e <= 0.15 for e in errors) / len(errors),
        "total_error": round(total, 4),
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # pandas' and pandapower's future warnings
    result = measure(args.weeks)
    summary = {k: v for k, v in result.items() if k != "rows"}
    print(json.dumps(summary, indent=2))
    (OUT / "technical-accuracy.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
