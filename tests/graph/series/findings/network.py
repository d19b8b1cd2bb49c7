"""Small hand-built periods for the detectors: a feeder of a few areas, households whose days
vary on their own, gates that measure what is physically behind them plus a loss with a
little noise. Faults are set by hand on top."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from graph.series.findings.inputs import CUSTOMER, GATE, PV, PeriodInputs

START = dt.date(2026, 10, 1)
DAYS = 35


@dataclass
class Period:
    """Meters by hand; `inputs()` gives what the analysis would read."""

    areas: list[str]
    seed: int = 1
    households_per_area: int = 40
    loss_rate: float = 0.03
    noise_kwh: float = 1.0  # the gate's daily noise
    codes: list[str] = field(default_factory=list)
    archived: list[int] = field(default_factory=list)  # area row in the archive
    physical: list[int] = field(default_factory=list)  # area row it is really behind
    role: list[int] = field(default_factory=list)
    multiplier: list[float] = field(default_factory=list)
    real_multiplier: list[float] = field(default_factory=list)
    use: list[np.ndarray] = field(default_factory=list)  # physical kWh a day
    registered: list[np.ndarray] = field(default_factory=list)  # what the meter says
    export: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        for a, area in enumerate(self.areas):
            self.add(f"G-{area}", a, GATE, 80.0)
            for h in range(self.households_per_area):
                level = float(rng.uniform(4, 20))
                noise = np.exp(rng.normal(0, 0.35, DAYS))
                self.add(f"M-{area}-{h:02d}", a, CUSTOMER, 1.0, level * noise)

    def add(
        self,
        code: str,
        area: int,
        role: int,
        multiplier: float,
        use: np.ndarray | None = None,
    ) -> int:
        values = np.zeros(DAYS) if use is None else np.asarray(use, dtype=float)
        self.codes.append(code)
        self.archived.append(area)
        self.physical.append(area)
        self.role.append(role)
        self.multiplier.append(multiplier)
        self.real_multiplier.append(multiplier)
        self.use.append(values)
        self.registered.append(values.copy())
        self.export.append(np.zeros(DAYS))
        return len(self.codes) - 1

    def row(self, code: str) -> int:
        return self.codes.index(code)

    def inputs(self) -> PeriodInputs:
        rng = np.random.default_rng(self.seed + 1000)
        count, areas = len(self.codes), len(self.areas)
        load = np.zeros((areas, DAYS))
        pv = np.zeros((areas, DAYS))
        for i in range(count):
            if self.role[i] != GATE:
                load[self.physical[i]] += self.use[i]
                pv[self.physical[i]] += self.export[i]
        net = load * (1 + self.loss_rate) + rng.normal(0, self.noise_kwh, (areas, DAYS)) - pv
        imp = np.full((count, DAYS), np.nan)
        exp = np.full((count, DAYS), np.nan)
        for i in range(count):
            if self.role[i] == GATE:
                registers = net[self.archived[i]] / self.real_multiplier[i]
                imp[i] = np.round(registers, 2) * self.multiplier[i]
                exp[i] = 0.0
            else:
                imp[i] = self.registered[i]
                exp[i] = self.export[i]
        role = np.array(self.role)
        archived = np.array(self.archived)
        gates = role == GATE
        supply = np.zeros((areas, DAYS))
        sales = np.zeros((areas, DAYS))
        read = ~np.isnan(imp)
        for i in range(count):
            days = read[i]
            if gates[i]:
                supply[archived[i], days] += imp[i, days] - exp[i, days]
            else:
                supply[archived[i], days] += exp[i, days]
                sales[archived[i], days] += imp[i, days]
        gates_read = np.ones((areas, DAYS), dtype=bool)
        for i in np.flatnonzero(gates):
            gates_read[archived[i]] &= read[i]
        return PeriodInputs(
            days=[START + dt.timedelta(days=d) for d in range(DAYS)],
            areas=list(self.areas),
            feeders=["F1"] * areas,
            meters=list(self.codes),
            area_of=archived.astype(np.int64),
            role=role.astype(np.int64),
            multiplier=np.array(self.multiplier),
            multiplier_changed=np.zeros(count, dtype=bool),
            in_service=np.ones((count, DAYS), dtype=bool),
            import_kwh=imp,
            export_kwh=exp,
            supply_kwh=supply,
            sales_kwh=sales,
            gates_read=gates_read,
            unread_kwh=self._unread(imp, role, archived, areas),
        )

    @staticmethod
    def _unread(imp: np.ndarray, role: np.ndarray, archived: np.ndarray, areas: int) -> np.ndarray:
        unread = np.zeros((areas, DAYS))
        with np.errstate(all="ignore"):
            usual = np.nan_to_num(np.nanmedian(imp, axis=1))
        for i in np.flatnonzero(role != GATE):
            unread[archived[i], np.isnan(imp[i])] += usual[i]
        return unread


__all__ = ["CUSTOMER", "DAYS", "GATE", "PV", "START", "Period"]
