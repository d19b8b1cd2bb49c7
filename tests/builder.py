"""A fluent builder for small test networks, written as an exchange-format folder.

NetworkBuilder().org("P", "省公司").substation("S1", org="P").feeder("F1", "S1")
    .transformer("T1", "F1").meter("G1", "T1", role="gate", multiplier=60).write(path)
"""

from __future__ import annotations

import csv
from pathlib import Path

from loaders.generate import HEADERS, LV_LINES, OPTIONAL_HEADERS


class NetworkBuilder:
    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[object, ...]]] = {name: [] for name in HEADERS}
        self.readings: list[tuple[object, ...]] = []
        self.collection: list[tuple[str, str, str]] = []
        self.lines: list[tuple[object, ...]] = []
        self.nodes: dict[str, str] = {}  # meter -> the LV node its service connects to

    def org(self, code: str, name: str = "", parent: str = "", level: str = "") -> NetworkBuilder:
        self.rows["orgs.csv"].append((code, name or f"单位{code}", parent, level))
        return self

    def substation(
        self, code: str, org: str = "", name: str = "", kv: float = 110
    ) -> NetworkBuilder:
        self.rows["substations.csv"].append((code, name or f"{code}变电站", kv, org))
        return self

    def feeder(self, code: str, substation: str, org: str = "", name: str = "") -> NetworkBuilder:
        self.rows["feeders.csv"].append((code, name or f"10kV{code}线", substation, 10, org))
        return self

    def transformer(
        self,
        code: str,
        feeder: str,
        org: str = "",
        name: str = "",
        kva: float = 400,
        ownership: str = "public",
    ) -> NetworkBuilder:
        self.rows["transformers.csv"].append(
            (code, name or f"{code}台区", feeder, kva, ownership, org)
        )
        return self

    def customer(self, code: str, name: str = "", category: str = "resident") -> NetworkBuilder:
        self.rows["customers.csv"].append((code, name or f"用户{code}", category))
        return self

    def meter(
        self,
        code: str,
        transformer: str,
        role: str = "customer",
        customer: str = "",
        multiplier: float | str = "",
        phase: str = "",
    ) -> NetworkBuilder:
        self.rows["meters.csv"].append((code, transformer, role, customer, multiplier, phase))
        return self

    def reading(
        self, meter: str, day: str, import_kwh: object, export_kwh: object = ""
    ) -> NetworkBuilder:
        """One day's energy as the meter registers it (before its multiplier)."""
        self.readings.append((meter, day, import_kwh, export_kwh))
        return self

    def collected(self, meter: str, area: str, terminal: str = "") -> NetworkBuilder:
        """A collection.csv row: `area`'s concentrator (default "J" + area) reads `meter`."""
        self.collection.append((meter, terminal or f"J{area}", area))
        return self

    def collected_as_archived(self) -> NetworkBuilder:
        """Evidence that agrees with meters.csv: every meter read in its own area."""
        for meter, area, *_ in self.rows["meters.csv"]:
            self.collected(str(meter), str(area))
        return self

    def line(
        self,
        code: str,
        transformer: str,
        from_node: str,
        to_node: str,
        length_km: float | str = 0.1,
        r_ohm_per_km: float | str = 0.32,
        x_ohm_per_km: float | str = "",
    ) -> NetworkBuilder:
        """An lv_lines.csv row: a low-voltage line of the area's network."""
        self.lines.append(
            (code, transformer, from_node, to_node, length_km, r_ohm_per_km, x_ohm_per_km)
        )
        return self

    def node(self, meter: str, node: str) -> NetworkBuilder:
        """The LV node `meter` connects to (meters.csv's optional node column)."""
        self.nodes[meter] = node
        return self

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if self.lines:
            header = OPTIONAL_HEADERS[LV_LINES]
            with (folder / LV_LINES).open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows((*row, *[""] * (len(header) - len(row))) for row in self.lines)
        if self.collection:
            with (folder / "collection.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(("meter_code", "terminal_code", "transformer_code"))
                writer.writerows(self.collection)
        if self.readings:
            with (folder / "readings.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(("meter_code", "date", "import_kwh", "export_kwh"))
                writer.writerows(self.readings)
        for name, header in HEADERS.items():
            rows = self.rows[name]
            if name == "meters.csv" and self.nodes:
                header = (*header, "node")
                rows = [(*row, self.nodes.get(str(row[0]), "")) for row in rows]
            if rows:
                with (folder / name).open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh)
                    writer.writerow(header)
                    writer.writerows(rows)
        return folder


def small_network() -> NetworkBuilder:
    """Province P -> city C1 -> county X1 -> station Z1; S1 -> F1 (T1, T2), F2 (T3).

    T1: gate G1 (x60), customers U1 (M1, PV V1), U2 (M2). T2: gate G2, U3 (M3). T3: G3 only.
    """
    return (
        NetworkBuilder()
        .org("P", "省电力公司", level="province")
        .org("C1", "城关供电局", "P", "city")
        .org("X1", "东城县供电公司", "C1", "county")
        .org("Z1", "幸福供电所", "X1", "station")
        .org("Z2", "和平供电所", "X1", "station")
        .substation("S1", "X1", "110kV城关变电站")
        .feeder("F1", "S1", "X1", "10kV城东线")
        .feeder("F2", "S1", "X1", "10kV城西线")
        .transformer("T1", "F1", "Z1", "幸福村1号台区", 400)
        .transformer("T2", "F1", "Z1", "幸福村2号台区", 315)
        .transformer("T3", "F2", "Z2", "和平村1号台区", 200, "private")
        .customer("U1", "张伟")
        .customer("U2", "李娜")
        .customer("U3", "王芳")
        .meter("G1", "T1", "gate", multiplier=60, phase="ABC")
        .meter("M1", "T1", "customer", "U1", phase="A")
        .meter("V1", "T1", "pv", "U1")
        .meter("M2", "T1", "customer", "U2")
        .meter("G2", "T2", "gate", multiplier=40)
        .meter("M3", "T2", "customer", "U3")
        .meter("G3", "T3", "gate", multiplier=80)
    )


def small_network_with_a_week() -> NetworkBuilder:
    """small_network with readings for 2026-11-01..07: T1 loses 50 kWh of 600 a day
    (NORMAL), T2 sells 250 kWh of a 200 kWh supply (NEGATIVE), T3 has no customers."""
    net = small_network()
    for day in range(1, 8):
        date = f"2026-11-{day:02d}"
        for meter, kwh in (("G1", 10), ("M1", 400), ("V1", 0), ("M2", 150)):
            net.reading(meter, date, kwh)
        net.reading("G2", date, 5).reading("M3", date, 250).reading("G3", date, 1)
    return net


def evidence_only(net: NetworkBuilder, moved: dict[str, str]) -> NetworkBuilder:
    """collection.csv alone: every meter of `net` read in its own area, except those in
    `moved` (meter -> area), read by that area's concentrator."""
    evidence = NetworkBuilder()
    for meter, area, *_ in net.rows["meters.csv"]:
        evidence.collected(str(meter), moved.get(str(meter), str(area)))
    return evidence
