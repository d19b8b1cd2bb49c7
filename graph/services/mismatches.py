"""The customer-to-area mismatch report (户变不一致): meters the collection system reads in
another area than the one the marketing archive (customer/pv meters) or the equipment system
(gate meters) places them in.

Computed from the graph on a day; the answer changes only when the graph does, so callers
cache it by graph version (`MismatchCache`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from graph.domain.model import BEGINNING, Entity, Kind, Rel, is_gate
from graph.series.loss import AreaLoss
from graph.series.reader import LossReader
from graph.stores.contract import Store

#: "Current" loss status of the areas involved: the last days with readings (a week).
STATUS_DAYS = 7


@dataclass(frozen=True)
class Mismatch:
    meter: Entity
    customer: str | None
    marketing_area: str | None  # where the archive has a customer/pv meter (None: nowhere)
    equipment_area: str | None  # where the equipment system has a gate meter
    collection_area: str  # whose concentrator reads it
    terminal: str | None
    since: dt.date | None  # both sources have said so since then; None: since history began

    @property
    def placed_by(self) -> str:
        """The source that places this meter: the equipment system a gate meter, the
        marketing archive the others."""
        return "equipment" if is_gate(self.meter) else "marketing"

    @property
    def placed_area(self) -> str | None:
        return self.equipment_area if self.placed_by == "equipment" else self.marketing_area

    def areas(self) -> list[str]:
        """The areas involved: where it is read, then where it is placed."""
        placed = self.placed_area
        return [self.collection_area] + ([placed] if placed else [])


def find_mismatches(store: Store, as_of: dt.date) -> list[Mismatch]:
    """Every mismatch on `as_of`, by meter code."""
    found = store.disagreeing_reads(as_of)
    codes = [d.meter for d in found]
    meters = store.entities(Kind.METER, codes)
    customers = store.neighbors(Rel.USES_METER, codes, as_of, "up") if codes else {}
    out: list[Mismatch] = []
    for d in found:
        meter = meters[d.meter]
        gate = is_gate(meter)
        owners = customers.get(d.meter, [])
        since = max(d.read_since, d.placed_since or BEGINNING)
        out.append(
            Mismatch(
                meter=meter,
                customer=owners[0].code if owners else None,
                marketing_area=None if gate else d.placed_in,
                equipment_area=d.placed_in if gate else None,
                collection_area=d.read_in,
                terminal=d.terminal,
                since=None if since == BEGINNING else since,
            )
        )
    return out


def status_period(today: dt.date, latest_reading: dt.date | None) -> tuple[dt.date, dt.date]:
    """The week whose loss status the report shows: up to the latest day with readings
    (yesterday when none is newer), never into the future.

    >>> status_period(dt.date(2026, 11, 28), dt.date(2026, 11, 20))
    (datetime.date(2026, 11, 14), datetime.date(2026, 11, 20))
    """
    yesterday = today - dt.timedelta(days=1)
    end = min(latest_reading, yesterday) if latest_reading else yesterday
    return end - dt.timedelta(days=STATUS_DAYS - 1), end


def area_statuses(
    loss: LossReader, report: list[Mismatch], today: dt.date
) -> tuple[tuple[dt.date, dt.date], dict[str, AreaLoss]]:
    """The status period and each involved area's loss over it."""
    start, end = status_period(today, loss.latest_day())
    areas = sorted({a for m in report for a in m.areas()})
    return (start, end), loss.areas(areas, start, end) if areas else {}


class MismatchCache:
    """The last few reports by (graph version, day): a report at 1M meters scans every READS
    interval, and most requests page through the same one."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._reports: OrderedDict[tuple[int, dt.date], list[Mismatch]] = OrderedDict()

    def get(self, store: Store, as_of: dt.date) -> list[Mismatch]:
        key = (store.version(), as_of)
        with self._lock:
            if key in self._reports:
                self._reports.move_to_end(key)
                return self._reports[key]
        report = find_mismatches(store, as_of)
        with self._lock:
            self._reports[key] = report
            while len(self._reports) > self._size:
                self._reports.popitem(last=False)
        return report
