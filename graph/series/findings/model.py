"""What an analysis finds: kinds, findings and their evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class FindingKind(StrEnum):
    METER_IN_OTHER_AREA = "METER_IN_OTHER_AREA"  # archived under one area, fed by another
    THEFT_SUSPECT = "THEFT_SUSPECT"  # registers less from a day on; its area loses that much
    WRONG_MULTIPLIER = "WRONG_MULTIPLIER"  # the balance fits only with another CT ratio
    READING_ANOMALY = "READING_ANOMALY"  # zero, flat, export without pv, jump, missing days


@dataclass(frozen=True)
class Finding:
    """One cause found in an area over a period.

    `loss_impact_kwh`: how much of the area's loss over the period it accounts for, as an
    amount (evidence `loss_effect` says whether it raised or lowered the loss).
    """

    kind: FindingKind
    transformer: str  # where it shows: the meter's archived area, or the gate's
    score: float  # 0..1: how sure, comparable across kinds
    meter: str | None = None
    likely_transformer: str | None = None
    likely_multiplier: float | None = None
    since: dt.date | None = None
    loss_impact_kwh: float | None = None
    evidence: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def sort_key(self) -> tuple[float, str, str, str]:
        """Highest score first; ties in a stable order."""
        return (-self.score, self.kind.value, self.transformer, self.meter or "")


def clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


def number(value: float, digits: int = 3) -> str:
    """A figure for the evidence: rounded, no exponent."""
    return f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".") or "0"
