"""Small hand-computed networks for the loss tests, and the figures worked out by hand.

`status_network()`: substation S1 in county X1 (stations Z1, Z2), two days 2026-10-01..02.

Feeder F1, station Z1 (every area computable):
  TN  gate GN x60 reads 1.6 import / 0.1 export a day: 96 - 6 = 90 kWh; PV VN1 exports 10
      (and imports 1), MN1 55, MN2 40 a day.  supply 2x(90+10)=200, sales 2x(55+40+1)=192,
      loss 8, rate 0.04 NORMAL; coverage 6/6.
  TH  gate 100, MH1 85 a day:  200 / 170 / 30, rate 0.15 HIGH.
  TG  gate 100, MG1 104 a day: 200 / 208 / -8, rate -0.04 NEGATIVE.
  TX  gate 100, MX1 90 a day:  200 / 180 / 20, rate exactly 0.10: NORMAL (HIGH is > 0.10).
Feeder F2, station Z2:
  T0  no gate meter; M01 10 a day:            UNCOMPUTABLE (no gate, supply 0).
  TM  gate 100 on day 1 only; MM1 90 a day:   UNCOMPUTABLE (gate missing 1 of 2 meter-days).
  TS  gate exports 5 a day; MS1 0 a day:      UNCOMPUTABLE (supply -10).
  TC  gate 100; MC1 40 a day, MC2 40 on day 1: UNCOMPUTABLE (coverage 3/4).
  TB  gate 100; MB01..MB25 4.0 a day, MB25 unread on day 2: coverage 49/50 = 0.98 exactly
      (not below 0.98): 200 / 196 / 4, rate 0.02 NORMAL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graph.series.files import SeriesFolder
from graph.stores.contract import Store
from loaders.load import load_folder
from tests.builder import NetworkBuilder

DAY1, DAY2 = "2026-10-01", "2026-10-02"


class LossNetwork(NetworkBuilder):
    def user_meter(self, code: str, area: str, role: str = "customer") -> LossNetwork:
        """A customer (or pv) meter with a customer of its own, "U" + the meter's code."""
        self.customer("U" + code)
        self.meter(code, area, role, "U" + code)
        return self


def status_network() -> LossNetwork:
    net = (
        LossNetwork()
        .org("P", "省公司", level="province")
        .org("X1", "县公司", "P", "county")
        .org("Z1", "一所", "X1", "station")
        .org("Z2", "二所", "X1", "station")
        .substation("S1", "X1")
        .feeder("F1", "S1", "X1")
        .feeder("F2", "S1", "X1")
    )
    for code in ("TN", "TH", "TG", "TX"):
        net.transformer(code, "F1", "Z1")
    for code in ("T0", "TM", "TS", "TC", "TB"):
        net.transformer(code, "F2", "Z2")
    net.meter("GN", "TN", "gate", multiplier=60).user_meter("MN1", "TN").user_meter("MN2", "TN")
    net.user_meter("VN1", "TN", "pv")
    for day in (DAY1, DAY2):
        net.reading("GN", day, "1.6", "0.1").reading("MN1", day, 55).reading("MN2", day, 40)
        net.reading("VN1", day, 1, 10)
    for area, gate_kwh, customer_kwh in (("TH", 100, 85), ("TG", 100, 104), ("TX", 100, 90)):
        gate, customer = "G" + area[1], "M" + area[1] + "1"
        net.meter(gate, area, "gate").user_meter(customer, area)
        for day in (DAY1, DAY2):
            net.reading(gate, day, gate_kwh).reading(customer, day, customer_kwh)
    net.user_meter("M01", "T0")
    net.meter("GM", "TM", "gate").user_meter("MM1", "TM")
    net.meter("GS", "TS", "gate").user_meter("MS1", "TS")
    net.meter("GC", "TC", "gate").user_meter("MC1", "TC").user_meter("MC2", "TC")
    net.meter("GB", "TB", "gate")
    for day in (DAY1, DAY2):
        net.reading("M01", day, 10).reading("MM1", day, 90)
        net.reading("GS", day, 0, 5).reading("MS1", day, 0)
        net.reading("GC", day, 100).reading("MC1", day, 40)
        net.reading("GB", day, 100)
    net.reading("GM", DAY1, 100).reading("MC2", DAY1, 40)
    for n in range(1, 26):
        code = f"MB{n:02d}"
        net.user_meter(code, "TB")
        net.reading(code, DAY1, "4.0")
        if n != 25:
            net.reading(code, DAY2, "4.00")
    return net


def moved_network(meter_area: str) -> LossNetwork:
    """Feeder F1 with areas TA and TB (gates 100 a day), MA1 70 and MB1 60 a day, and MV
    (20 on day 1, 30 on day 2) under `meter_area`."""
    net = (
        LossNetwork()
        .org("P", "省公司")
        .substation("S1", "P")
        .feeder("F1", "S1", "P")
        .transformer("TA", "F1", "P")
        .transformer("TB", "F1", "P")
        .meter("GA", "TA", "gate")
        .meter("GB", "TB", "gate")
        .user_meter("MA1", "TA")
        .user_meter("MB1", "TB")
        .user_meter("MV", meter_area)
    )
    return net


def moved_readings(net: NetworkBuilder) -> NetworkBuilder:
    for day in (DAY1, DAY2):
        net.reading("GA", day, 100).reading("GB", day, 100)
        net.reading("MA1", day, 70).reading("MB1", day, 60)
    return net.reading("MV", DAY1, 20).reading("MV", DAY2, 30)


def loaded_moved_network(store: Store, tmp_path: Path, today: dt.date) -> SeriesFolder:
    """moved_network("TA") with its readings, loaded into `store` and a series folder under
    tmp_path / home (where make_api(..., home="home") reads loss)."""
    folder = SeriesFolder(tmp_path / "home" / "series")
    net = moved_readings(moved_network("TA"))
    load_folder(store, net.write(tmp_path / "base"), today=today, series=folder)
    return folder
