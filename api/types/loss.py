"""Line-loss types: an area's balance, a subtree's roll-up, readings as registered."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.dataloaders import EntitiesKey
from api.types.connection import PageInfo
from api.types.resolve import context
from graph.domain.model import Kind
from graph.series import loss as domain
from graph.series.loss import LossRules
from graph.series.technical import day as technical

if TYPE_CHECKING:
    from api.types.transformer import Transformer

# The period arguments of every loss field: `from` is a Python keyword, hence `from_`.
FromDate = Annotated[dt.date, strawberry.argument(name="from", description="First day.")]
ToDate = Annotated[dt.date, strawberry.argument(description="Last day (inclusive).")]

LossStatus = strawberry.enum(
    domain.LossStatus,
    description="NORMAL (合格), HIGH (高损), NEGATIVE (负损) or UNCOMPUTABLE (不可算).",
)
LossOrder = strawberry.enum(domain.LossOrder, description="Orders of a loss ranking.")
LossStep = strawberry.enum(
    domain.LossStep,
    description="Buckets of a loss series: DAY, or MONTH (each calendar month's part of the "
    "period, on the subtree as of its last day).",
)
TechnicalMethod = strawberry.enum(
    technical.TechnicalMethod,
    description="How technical loss (理论线损) was found: POWER_FLOW over the area's LV lines, "
    "EQUIVALENT_RESISTANCE (an estimate from capacity and supply radius, for areas without "
    "lines) or NONE (no energy, or no value). A roll-up or a period takes the weakest of its "
    "parts.",
)


@strawberry.type
class TechnicalSplit:
    """The split of loss into technical (operations) and management (marketing) loss."""

    def _split(self) -> domain.TechnicalSplit:
        raise NotImplementedError

    @strawberry.field(
        description="Technical loss (理论线损), kWh: the LV lines' losses by power flow, or the "
        "estimate; null when a day of the period has none yet."
    )
    def technical_loss_kwh(self) -> float | None:
        value = self._split().technical_kwh
        return None if value is None else float(value)

    @strawberry.field(description="technicalLossKwh / supplyKwh; null when either is null or 0.")
    def technical_loss_rate(self) -> float | None:
        return self._split().technical_loss_rate

    @strawberry.field(
        description="Management loss (管理线损), kWh: lossKwh - technicalLossKwh (theft, wrong "
        "archives, meter faults, reading errors)."
    )
    def management_loss_kwh(self) -> float | None:
        value = self._split().management_loss_kwh
        return None if value is None else float(value)

    @strawberry.field(description="managementLossKwh / supplyKwh; null when either is null or 0.")
    def management_loss_rate(self) -> float | None:
        return self._split().management_loss_rate

    @strawberry.field(description="How technicalLossKwh was found.")
    def technical_method(self) -> TechnicalMethod:  # type: ignore[valid-type]
        return self._split().technical_method


@strawberry.type(
    description="An area's (台区) balance over a period: supply = gate (import - export) x "
    "multiplier + customer/pv export x multiplier; sales = customer/pv import x multiplier; "
    "each meter counted, day by day, in the area it belonged to that day."
)
class TransformerLoss(TechnicalSplit):
    area: strawberry.Private[domain.AreaLoss]
    rules: strawberry.Private[LossRules]

    def _split(self) -> domain.TechnicalSplit:
        return self.area

    @strawberry.field
    async def transformer(
        self, info: Info
    ) -> Annotated[Transformer, strawberry.lazy("api.types.transformer")]:
        from api.types.transformer import Transformer

        key = EntitiesKey(Kind.TRANSFORMER, self.area.area)
        entity = await context(info).loaders.entities.load(key)
        if entity is None:
            raise LookupError(f"transformer {self.area.area} is not in the topology")
        return Transformer(entity=entity, as_of=self.area.end)

    @strawberry.field(name="from")
    def from_(self) -> dt.date:
        return self.area.start

    @strawberry.field
    def to(self) -> dt.date:
        return self.area.end

    @strawberry.field(description="Energy into the area, kWh.")
    def supply_kwh(self) -> float:
        return float(self.area.supply_kwh)

    @strawberry.field(description="Energy billed to the area's customer and pv meters, kWh.")
    def sales_kwh(self) -> float:
        return float(self.area.sales_kwh)

    @strawberry.field(description="supplyKwh - salesKwh.")
    def loss_kwh(self) -> float:
        return float(self.area.loss_kwh)

    @strawberry.field(description="lossKwh / supplyKwh; null when supply <= 0.")
    def loss_rate(self) -> float | None:
        return self.area.loss_rate

    @strawberry.field
    def status(self) -> LossStatus:  # type: ignore[valid-type]
        return self.area.status

    @strawberry.field(description="Why the area is UNCOMPUTABLE, HIGH or NEGATIVE.")
    def reasons(self) -> list[str]:
        return self.area.reasons(self.rules)

    @strawberry.field(
        description="Customer and pv meter-days read / expected; 1 when none are expected."
    )
    def reading_coverage(self) -> float:
        return self.area.reading_coverage

    @strawberry.field(description="Customer and pv meter-days with a reading.")
    def meter_days_read(self) -> int:
        return self.area.meter_read

    @strawberry.field(description="Customer and pv meter-days the area had.")
    def meter_days_expected(self) -> int:
        return self.area.meter_expected

    @strawberry.field(description="Gate meter-days with a reading.")
    def gate_meter_days_read(self) -> int:
        return self.area.gate_read

    @strawberry.field(description="Gate meter-days the area had.")
    def gate_meter_days_expected(self) -> int:
        return self.area.gate_expected


@strawberry.type(
    description="A subtree's roll-up. Energy sums over the areas that are not UNCOMPUTABLE; "
    "counts and reading coverage over all areas under the node."
)
class LossSummary(TechnicalSplit):
    summary: strawberry.Private[domain.LossSummary]

    def _split(self) -> domain.TechnicalSplit:
        return self.summary

    @strawberry.field(name="from")
    def from_(self) -> dt.date:
        return self.summary.start

    @strawberry.field
    def to(self) -> dt.date:
        return self.summary.end

    @strawberry.field(description="Areas (transformers) under the node.")
    def transformer_count(self) -> int:
        return self.summary.transformer_count

    @strawberry.field
    def normal_count(self) -> int:
        return self.summary.normal_count

    @strawberry.field
    def high_count(self) -> int:
        return self.summary.high_count

    @strawberry.field
    def negative_count(self) -> int:
        return self.summary.negative_count

    @strawberry.field
    def uncomputable_count(self) -> int:
        return self.summary.uncomputable_count

    @strawberry.field
    def supply_kwh(self) -> float:
        return float(self.summary.supply_kwh)

    @strawberry.field
    def sales_kwh(self) -> float:
        return float(self.summary.sales_kwh)

    @strawberry.field
    def loss_kwh(self) -> float:
        return float(self.summary.loss_kwh)

    @strawberry.field(description="lossKwh / supplyKwh; null when supply is 0.")
    def loss_rate(self) -> float | None:
        return self.summary.loss_rate

    @strawberry.field(description="normalCount / transformerCount; null without areas.")
    def qualified_rate(self) -> float | None:
        return self.summary.qualified_rate

    @strawberry.field(description="Meter-days read / expected over all areas; 1 when none.")
    def reading_coverage(self) -> float:
        return self.summary.reading_coverage


@strawberry.type
class TransformerLossEdge:
    cursor: str
    node: TransformerLoss


@strawberry.type(description="Areas ranked by loss; cursors are positions in the ranking.")
class TransformerLossConnection:
    total_count: int
    edges: list[TransformerLossEdge]
    page_info: PageInfo


@strawberry.type(description="One day of a meter, as registered: multiplier NOT applied.")
class Reading:
    reading: strawberry.Private[domain.Reading]

    @strawberry.field
    def date(self) -> dt.date:
        return self.reading.day

    @strawberry.field(description="Imported energy as registered, before the multiplier.")
    def import_kwh(self) -> float:
        return float(self.reading.import_kwh)

    @strawberry.field(description="Exported energy as registered, before the multiplier.")
    def export_kwh(self) -> float:
        return float(self.reading.export_kwh)

    @strawberry.field(description="The meter's multiplier (倍率).")
    def multiplier(self) -> float:
        return float(self.reading.multiplier)

    @strawberry.field(description="importKwh x multiplier: what the balance counts.")
    def import_kwh_multiplied(self) -> float:
        return float(self.reading.import_kwh * self.reading.multiplier)

    @strawberry.field(description="exportKwh x multiplier: what the balance counts.")
    def export_kwh_multiplied(self) -> float:
        return float(self.reading.export_kwh * self.reading.multiplier)


@strawberry.type(description="A stored reading replaced by a later import.")
class ReadingCorrection:
    correction: strawberry.Private[domain.ReadingCorrection]

    @strawberry.field
    def date(self) -> dt.date:
        return self.correction.day

    @strawberry.field(description="When the new value was stored (UTC).")
    def replaced_at(self) -> dt.datetime:
        return self.correction.replaced_at.replace(tzinfo=dt.UTC)

    @strawberry.field(description="The file the new value came from.")
    def source(self) -> str:
        return self.correction.source

    @strawberry.field
    def old_import_kwh(self) -> float:
        return float(self.correction.old_import_kwh)

    @strawberry.field
    def old_export_kwh(self) -> float:
        return float(self.correction.old_export_kwh)

    @strawberry.field
    def new_import_kwh(self) -> float:
        return float(self.correction.new_import_kwh)

    @strawberry.field
    def new_export_kwh(self) -> float:
        return float(self.correction.new_export_kwh)
