// The daily supply/sales/loss-rate chart (ECharts, only the parts used: a smaller bundle).
import { init, use } from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, AriaComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { t } from "./i18n";

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

export interface Day {
  from: string;
  supplyKwh: number;
  salesKwh: number;
  lossKwh: number;
  lossRate: number | null;
  status: string;
  reasons: string[];
}

const STATUS_COLOURS: Record<string, string> = {
  NORMAL: "#2e7d32",
  HIGH: "#c62828",
  NEGATIVE: "#6a1b9a",
  UNCOMPUTABLE: "#757575",
};

export function dailyChart(el: HTMLElement, days: Day[]): void {
  const chart = init(el, undefined, { renderer: "canvas" });
  chart.setOption({
    aria: { enabled: true },
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [t("supply"), t("sales"), t("lossRate")] },
    grid: { left: 70, right: 60, top: 50, bottom: 30 },
    xAxis: { type: "category", data: days.map((d) => d.from.slice(5)) },
    yAxis: [
      { type: "value", name: "kWh" },
      { type: "value", name: "%", axisLabel: { formatter: "{value}%" } },
    ],
    series: [
      { name: t("supply"), type: "bar", data: days.map((d) => round(d.supplyKwh)) },
      { name: t("sales"), type: "bar", data: days.map((d) => round(d.salesKwh)) },
      {
        name: t("lossRate"),
        type: "line",
        yAxisIndex: 1,
        data: days.map((d) => ({
          value: d.lossRate === null ? null : round(d.lossRate * 100),
          itemStyle: { color: STATUS_COLOURS[d.status] ?? "#757575" },
        })),
        symbolSize: 8,
      },
    ],
  });
  // What ECharts holds, read back from it: the browser test compares it with the API's answer.
  const drawn = chart.getOption() as { series: { name: string; data: unknown[] }[] };
  el.dataset.values = JSON.stringify(
    drawn.series.map((s) => ({
      name: s.name,
      data: s.data.map((v) => (v !== null && typeof v === "object" ? (v as { value: unknown }).value : v)),
    })),
  );
  new ResizeObserver(() => chart.resize()).observe(el);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
