// An area (台区): its gate meters and meters, the daily balance as chart and table with each
// day's status and reasons, its history, and the mismatches and findings that name it.
import { gql } from "../api";
import { type Column, download, h, kwh, percent, table, toCsv } from "../dom";
import { dailyChart, type Day } from "../chart";
import { t } from "../i18n";
import { period } from "../state";
import { notFound, statusBadge } from "../status";
import { historyTable, type Interval, type ValueInterval, valuesTable } from "./history";
import { findingColumns, findingsFor, type Finding, mismatchColumns, mismatchPage } from "./worklists";

const METERS_PAGE = 50;

const AREA = `query($code: String!, $asOf: Date, $from: Date!, $to: Date!, $first: Int, $after: String) {
  transformer(code: $code, asOf: $asOf) {
    id code name capacityKva ownership
    feeder { code name } orgUnit { code name }
    gateMeters { code multiplier }
    loss(from: $from, to: $to) { supplyKwh salesKwh lossKwh lossRate status reasons
      technicalLossRate managementLossRate readingCoverage }
    dailyLoss(from: $from, to: $to) { from supplyKwh salesKwh lossKwh lossRate status reasons }
    history { relationship parent { code } from to openedBy { id source actor } }
    valueHistory { from to changed values { name value } openedBy { source actor } }
    meters(first: $first, after: $after) {
      totalCount edges { node { code role multiplier customer { code name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

// The next page of meters only (not the whole area again).
const METERS = `query($code: String!, $asOf: Date, $first: Int, $after: String) {
  transformer(code: $code, asOf: $asOf) {
    meters(first: $first, after: $after) {
      totalCount edges { node { code role multiplier customer { code name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface MeterRow {
  code: string;
  role: string;
  multiplier: number;
  customer: { code: string; name: string } | null;
}

interface Area {
  id: string;
  code: string;
  name: string;
  capacityKva: number | null;
  ownership: string;
  feeder: { code: string; name: string } | null;
  orgUnit: { code: string; name: string } | null;
  gateMeters: { code: string; multiplier: number }[];
  loss: Day & {
    technicalLossRate: number | null;
    managementLossRate: number | null;
    readingCoverage: number;
  };
  dailyLoss: Day[];
  history: Interval[];
  valueHistory: ValueInterval[];
  meters: {
    totalCount: number;
    edges: { node: MeterRow }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const meterColumns = (): Column<MeterRow>[] => [
  { label: t("code"), value: (m) => h("a", { href: `#/node/METER/${encodeURIComponent(m.code)}` }, m.code), csv: (m) => m.code },
  { label: t("role"), value: (m) => t(m.role) },
  { label: t("multiplier"), value: (m) => m.multiplier, numeric: true },
  { label: t("customer"), value: (m) => (m.customer ? `${m.customer.code} ${m.customer.name}` : "") },
];

export const dayColumns = (): Column<Day>[] => [
  { label: t("date"), value: (d) => d.from },
  { label: t("supply"), value: (d) => kwh(d.supplyKwh), csv: (d) => d.supplyKwh, numeric: true },
  { label: t("sales"), value: (d) => kwh(d.salesKwh), csv: (d) => d.salesKwh, numeric: true },
  { label: t("loss"), value: (d) => kwh(d.lossKwh), csv: (d) => d.lossKwh, numeric: true },
  { label: t("lossRate"), value: (d) => percent(d.lossRate), csv: (d) => d.lossRate, numeric: true },
  { label: t("status"), value: (d) => statusBadge(d.status), csv: (d) => d.status },
  { label: t("reasons"), value: (d) => d.reasons.join("; ") },
];

export async function renderArea(main: HTMLElement, args: string[]): Promise<() => void> {
  const code = args[0] ?? "";
  const p = period();
  const vars = { code, asOf: p.asOf, from: p.from, to: p.to, first: METERS_PAGE, after: null };
  const found = await gql<{ transformer: Area | null }>(AREA, vars);
  const area = found.transformer;
  if (!area) {
    main.append(...notFound(`${t("area")} ${code}`));
    return () => undefined;
  }
  const meterTable = h("div", {}, table(`${t("meters")} (${area.meters.totalCount})`, meterColumns(), area.meters.edges.map((e) => e.node), "meters"));
  const moreMeters = h(
    "button",
    { type: "button", hidden: !area.meters.pageInfo.hasNextPage, "data-testid": "meters-more" },
    t("more"),
  );
  let after = area.meters.pageInfo.endCursor;
  moreMeters.addEventListener("click", async () => {
    const next = await gql<{ transformer: Pick<Area, "meters"> | null }>(METERS, {
      code,
      asOf: p.asOf,
      first: METERS_PAGE,
      after,
    });
    const page = next.transformer?.meters;
    if (!page) return;
    meterTable.querySelector("tbody")?.append(...table("", meterColumns(), page.edges.map((e) => e.node), "x").querySelectorAll("tbody tr"));
    after = page.pageInfo.endCursor;
    moreMeters.hidden = !page.pageInfo.hasNextPage;
  });
  const chart = h("div", {
    class: "chart",
    role: "img",
    "aria-label": `${t("daily")}: ${t("supply")}, ${t("sales")}, ${t("lossRate")}`,
    "data-testid": "daily-chart",
  });
  const dayCsv = h("button", { type: "button", onclick: () => download(`${area.code}-${p.from}-${p.to}.csv`, toCsv(dayColumns(), area.dailyLoss)) }, t("downloadCsv"));
  const loss = area.loss;
  main.append(
    h("h1", {}, `${t("area")} ${area.code} ${area.name} `, statusBadge(loss.status)),
    h(
      "dl",
      { class: "facts", "data-testid": "area-facts" },
      fact(t("feeder"), area.feeder ? h("a", { href: `#/node/FEEDER/${encodeURIComponent(area.feeder.code)}` }, `${area.feeder.code} ${area.feeder.name}`) : "–"),
      fact(t("orgUnit"), area.orgUnit ? `${area.orgUnit.code} ${area.orgUnit.name}` : "–"),
      fact(t("capacity"), area.capacityKva ?? "–"),
      fact(t("gateMeters"), area.gateMeters.map((g) => `${g.code} ×${g.multiplier}`).join(", ") || "–"),
      fact(t("supply"), kwh(loss.supplyKwh)),
      fact(t("sales"), kwh(loss.salesKwh)),
      fact(t("loss"), kwh(loss.lossKwh)),
      fact(t("lossRate"), percent(loss.lossRate)),
      fact(t("technicalRate"), percent(loss.technicalLossRate)),
      fact(t("managementRate"), percent(loss.managementLossRate)),
      fact(t("coverage"), percent(loss.readingCoverage)),
      fact(t("reasons"), loss.reasons.join("; ") || "–"),
    ),
    h("h2", {}, `${t("daily")} ${p.from} – ${p.to}`),
    chart,
    table(t("daily"), dayColumns(), area.dailyLoss, "daily-table"),
    dayCsv,
    h("h2", {}, t("meters")),
    meterTable,
    moreMeters,
    h("h2", {}, t("history")),
    historyTable(area.history),
    valuesTable(area.valueHistory),
  );
  const extras = h("section", { "aria-label": `${t("mismatches")} / ${t("findings")}` });
  main.append(extras);
  // Mismatches and findings follow without holding the page back (findings take ~1 s a feeder).
  void loadExtras(extras, area.id, area.code);
  return () => dailyChart(chart, area.dailyLoss);
}

async function loadExtras(section: HTMLElement, id: string, code: string): Promise<void> {
  const p = period();
  section.append(h("h2", {}, t("mismatches")));
  try {
    const found = await mismatchPage(id, null, p.asOf);
    const rows = found.edges.map((e) => e.node);
    section.append(table(`${t("mismatches")} (${found.totalCount})`, mismatchColumns(), rows, "area-mismatches"));
  } catch (error) {
    section.append(h("p", { class: "error" }, String(error)));
  }
  section.append(h("h2", {}, t("findings")));
  try {
    const findings: Finding[] = await findingsFor("TRANSFORMER", code, p.from, p.to);
    section.append(table(`${t("findings")} (${findings.length})`, findingColumns(), findings, "area-findings"));
  } catch (error) {
    section.append(h("p", { class: "hint" }, error instanceof Error ? error.message : String(error)));
  }
}

function fact(name: string, value: Node | string | number): HTMLElement[] {
  return [h("dt", {}, name), h("dd", {}, value)];
}
