"""Deterministic synthetic collection evidence for a generated network folder (the demo).

Every meter is read by its own area's concentrator (terminal "J" + area code), except about
0.5 % of customer meters, read by the concentrator of another area of the same feeder: the
mismatches (户变不一致) a supply station would chase. Same folder and seed, same file.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from pathlib import Path

SHARE = 0.005


def write_collection(network: Path, target: Path, seed: int, share: float = SHARE) -> int:
    """Write `target`/collection.csv for the meters of `network`; returns how many meters it
    puts under another area than meters.csv."""
    with (network / "transformers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    feeder_of = {r["transformer_code"]: r["feeder_code"] for r in rows}
    areas_of: dict[str, list[str]] = defaultdict(list)
    for area, feeder in sorted(feeder_of.items()):
        areas_of[feeder].append(area)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    elsewhere = 0
    target.mkdir(parents=True, exist_ok=True)
    with (
        (network / "meters.csv").open(encoding="utf-8") as src,
        (target / "collection.csv").open("w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(("meter_code", "terminal_code", "transformer_code"))
        for meter in csv.DictReader(src):
            area = meter["transformer_code"]
            neighbours = [a for a in areas_of[feeder_of.get(area, "")] if a != area]
            if meter["role"] == "customer" and neighbours and rng.random() < share:
                area = rng.choice(neighbours)
                elsewhere += 1
            writer.writerow((meter["meter_code"], f"J{area}", area))
    return elsewhere
