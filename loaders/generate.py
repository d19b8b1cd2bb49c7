"""A deterministic synthetic network in exchange format v1, for the demo and the benchmarks.

Shape, as in a county network: ~10 feeders per substation, ~30 areas per feeder, 50-400 meters
per area (one gate meter each), ~8 % private transformers with one large customer, ~4 % of
households with rooftop PV (an extra pv meter), Chinese names, four org levels.
The same `meters` and `seed` always give the same folder.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from graph.domain.model import MeterRole

PLACES = [
    "城关",
    "东城",
    "西湖",
    "南山",
    "北塘",
    "青石",
    "白沙",
    "金湖",
    "柳林",
    "桃源",
    "河口",
    "新田",
    "龙泉",
    "石门",
    "清水",
    "凤凰",
]
VILLAGES = [
    "幸福",
    "和平",
    "团结",
    "光明",
    "胜利",
    "红星",
    "向阳",
    "新华",
    "前进",
    "丰收",
    "长青",
    "永安",
    "太平",
    "东风",
    "兴隆",
    "富民",
]
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "林",
    "罗",
    "高",
]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
    "建国",
    "桂兰",
    "志强",
    "海燕",
]
CT_MULTIPLIERS = (40, 60, 80, 120, 160)  # 200/5 .. 800/5
CAPACITIES_KVA = (100, 200, 315, 400, 500, 630)
HEADERS = {
    "orgs.csv": ("org_code", "name", "parent_code", "level"),
    "substations.csv": ("substation_code", "name", "voltage_kv", "org_code"),
    "feeders.csv": ("feeder_code", "name", "substation_code", "voltage_kv", "org_code"),
    "transformers.csv": (
        "transformer_code",
        "name",
        "feeder_code",
        "capacity_kva",
        "ownership",
        "org_code",
    ),
    "customers.csv": ("customer_code", "name", "category"),
    "meters.csv": (
        "meter_code",
        "transformer_code",
        "role",
        "customer_code",
        "multiplier",
        "phase",
    ),
}


#: Files and columns a network may have besides those: the LV lines of its areas and each
#: meter's node (loaders/generate_lv.py).
LV_LINES = "lv_lines.csv"
OPTIONAL_HEADERS = {
    LV_LINES: (
        "line_code",
        "transformer_code",
        "from_node",
        "to_node",
        "length_km",
        "r_ohm_per_km",
        "x_ohm_per_km",
        "max_i_ka",
    ),
}
METER_NODE = "node"


@dataclass
class SyntheticNetwork:
    rows: dict[str, list[tuple[object, ...]]] = field(
        default_factory=lambda: {name: [] for name in HEADERS}
    )

    @property
    def meter_count(self) -> int:
        return len(self.rows["meters.csv"])

    def entity_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


def _orgs(net: SyntheticNetwork, cities: int) -> list[tuple[str, list[str]]]:
    """Province -> cities -> 3 counties each -> 4 supply stations each; (county, stations)."""
    orgs = net.rows["orgs.csv"]
    orgs.append(("P00", "省电力公司", "", "province"))
    counties: list[tuple[str, list[str]]] = []
    for c in range(1, cities + 1):
        city = f"P00-C{c:02d}"
        orgs.append((city, f"{PLACES[c % len(PLACES)]}供电局", "P00", "city"))
        for k in range(1, 4):
            county = f"{city}-X{k}"
            orgs.append((county, f"{PLACES[(c * 3 + k) % len(PLACES)]}县供电公司", city, "county"))
            stations = []
            for s in range(1, 5):
                station = f"{county}-S{s}"
                village = VILLAGES[(c + k + s) % len(VILLAGES)]
                orgs.append((station, f"{village}供电所", county, "station"))
                stations.append(station)
            counties.append((county, stations))
    return counties


def generate(meters: int, seed: int = 20261128) -> SyntheticNetwork:
    """A network with exactly `meters` meters (gate, customer and pv together)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    net = SyntheticNetwork()
    counties = _orgs(net, cities=max(1, min(4, meters // 250_000 + 1)))
    r = net.rows
    remaining = meters
    customer_seq = meter_seq = 0
    sub_no = 0
    while remaining > 0:
        sub_no += 1
        county, stations = counties[(sub_no - 1) % len(counties)]
        sub = f"S{sub_no:03d}"
        r["substations.csv"].append(
            (sub, f"110kV{PLACES[sub_no % len(PLACES)]}变电站", 110, county)
        )
        for f_no in range(1, rng.randint(8, 12) + 1):
            if remaining <= 0:
                break
            feeder = f"{sub}-F{f_no:02d}"
            place = PLACES[(sub_no + f_no) % len(PLACES)]
            r["feeders.csv"].append((feeder, f"10kV{place}{f_no}号线", sub, 10, county))
            for t_no in range(1, rng.randint(25, 35) + 1):
                if remaining <= 0:
                    break
                tr = f"{feeder}-T{t_no:03d}"
                private = rng.random() < 0.08
                village = VILLAGES[rng.randrange(len(VILLAGES))]
                name = f"{village}村{t_no}号{'专变' if private else '台区'}"
                r["transformers.csv"].append(
                    (
                        tr,
                        name,
                        feeder,
                        rng.choice(CAPACITIES_KVA),
                        "private" if private else "public",
                        stations[t_no % len(stations)],
                    )
                )
                meter_seq += 1
                multiplier = rng.choice(CT_MULTIPLIERS)
                gate = (f"G{meter_seq:09d}", tr, MeterRole.GATE.value, "", multiplier, "ABC")
                r["meters.csv"].append(gate)
                remaining -= 1
                size = 1 if private else rng.randint(49, 399)
                while size > 0 and remaining > 0:
                    customer_seq += 1
                    cust = f"C{customer_seq:09d}"
                    who = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    category = (
                        "industrial"
                        if private
                        else rng.choice(("resident", "resident", "resident", "commercial"))
                    )
                    r["customers.csv"].append(
                        (
                            cust,
                            f"{village}{who}" if not private else f"{village}{who}实业有限公司",
                            category,
                        )
                    )
                    meter_seq += 1
                    r["meters.csv"].append(
                        (
                            f"M{meter_seq:09d}",
                            tr,
                            "customer",
                            cust,
                            rng.choice(CT_MULTIPLIERS) if private else 1,
                            rng.choice("ABC"),
                        )
                    )
                    remaining -= 1
                    size -= 1
                    if not private and remaining > 0 and size > 0 and rng.random() < 0.04:
                        meter_seq += 1
                        r["meters.csv"].append((f"V{meter_seq:09d}", tr, "pv", cust, 1, "A"))
                        remaining -= 1
                        size -= 1
    return net


def write_folder(net: SyntheticNetwork, folder: Path) -> None:
    """Write the network as exchange format v1 CSV files (UTF-8, header row); the optional
    files and columns when it has them (loaders/generate_lv.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, header in [*HEADERS.items(), *OPTIONAL_HEADERS.items()]:
        rows = net.rows.get(name, [])
        if name in OPTIONAL_HEADERS and not rows:
            continue
        if name == "meters.csv" and rows and len(rows[0]) > len(header):
            header = (*header, METER_NODE)
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
