// The page of an org unit, substation, feeder, meter or customer: its loss over the period and
// what lies below it (areas have their own page: area.ts).
import { gql } from "../api";
import { type Column, h, kwh, percent, table } from "../dom";
import { t } from "../i18n";
import { period } from "../state";
import { notFound, statusBadge } from "../status";
import { historyTable, type Interval } from "./history";

interface Summary {
  transformerCount: number;
  normalCount: number;
  highCount: number;
  negativeCount: number;
  uncomputableCount: number;
  supplyKwh: number;
  salesKwh: number;
  lossKwh: number;
  lossRate: number | null;
  qualifiedRate: number | null;
  managementLossRate: number | null;
}

const SUMMARY = `lossSummary(from: $from, to: $to) { transformerCount normalCount highCount
  negativeCount uncomputableCount supplyKwh salesKwh lossKwh lossRate qualifiedRate managementLossRate }`;

const BELOW: Record<string, string> = {
  ORG_UNIT: `orgUnit(code: $code, asOf: $asOf) { code name ${SUMMARY}
    children { kind: __typename code name } substations { kind: __typename code name } }`,
  SUBSTATION: `substation(code: $code, asOf: $asOf) { code name ${SUMMARY}
    feeders { kind: __typename code name } }`,
  FEEDER: `feeder(code: $code, asOf: $asOf) { code name ${SUMMARY}
    transformers(first: 100) { edges { node { kind: __typename code name
      loss(from: $from, to: $to) { status lossRate } } } } }`,
};

const KIND_OF_TYPE: Record<string, string> = {
  OrgUnit: "ORG_UNIT",
  Substation: "SUBSTATION",
  Feeder: "FEEDER",
  Transformer: "TRANSFORMER",
};

interface Child {
  kind: string;
  code: string;
  name: string;
  loss?: { status: string; lossRate: number | null };
}

function link(child: Child): HTMLElement {
  const kind = KIND_OF_TYPE[child.kind] ?? child.kind;
  const href = kind === "TRANSFORMER" ? `#/area/${encodeURIComponent(child.code)}` : `#/node/${kind}/${encodeURIComponent(child.code)}`;
  return h("a", { href }, `${child.code} ${child.name}`);
}

function summaryFacts(s: Summary): HTMLElement {
  const item = (name: string, value: string | number) => [h("dt", {}, name), h("dd", {}, value)];
  return h(
    "dl",
    { class: "facts", "data-testid": "summary" },
    item(t("areas"), s.transformerCount),
    item(t("NORMAL"), s.normalCount),
    item(t("HIGH"), s.highCount),
    item(t("NEGATIVE"), s.negativeCount),
    item(t("UNCOMPUTABLE"), s.uncomputableCount),
    item(t("supply"), kwh(s.supplyKwh)),
    item(t("sales"), kwh(s.salesKwh)),
    item(t("loss"), kwh(s.lossKwh)),
    item(t("lossRate"), percent(s.lossRate)),
    item(t("managementRate"), percent(s.managementLossRate)),
  );
}

async function renderSubtree(main: HTMLElement, kind: string, code: string): Promise<void> {
  const p = period();
  const found = await gql<Record<string, Record<string, unknown> | null>>(
    `query($code: String!, $asOf: Date, $from: Date!, $to: Date!) { node: ${BELOW[kind]} }`,
    { code, asOf: p.asOf, from: p.from, to: p.to },
  );
  const node = found.node;
  if (!node) {
    main.append(...notFound(`${t(kind)} ${code}`));
    return;
  }
  const children: Child[] = [
    ...((node.children as Child[]) ?? []),
    ...((node.substations as Child[]) ?? []),
    ...((node.feeders as Child[]) ?? []),
    ...(((node.transformers as { edges: { node: Child }[] } | undefined)?.edges ?? []).map((e) => e.node)),
  ];
  const columns: Column<Child>[] = [
    { label: t("kind"), value: (c) => t(KIND_OF_TYPE[c.kind] ?? c.kind) },
    { label: t("code"), value: (c) => link(c) },
    { label: t("status"), value: (c) => (c.loss ? [statusBadge(c.loss.status), " ", percent(c.loss.lossRate)] : "") },
  ];
  const encoded = encodeURIComponent(code);
  main.append(
    h("h1", {}, `${t(kind)} ${node.code} ${node.name}`),
    h("p", { class: "hint" }, `${p.from} – ${p.to}`),
    summaryFacts(node.lossSummary as Summary),
    h(
      "p",
      { class: "actions" },
      h("a", { href: `#/ranking/${kind}/${encoded}` }, t("ranking")),
      " · ",
      h("a", { href: `#/findings/${kind}/${encoded}` }, t("findings")),
    ),
    table(`${t("children")} (${children.length})`, columns, children, "children"),
  );
}

interface MeterPage {
  code: string;
  role: string;
  multiplier: number;
  transformer: { code: string; name: string } | null;
  customer: { code: string; name: string } | null;
  history: Interval[];
  readings: { date: string; importKwh: number; exportKwh: number; multiplier: number }[];
}

async function renderMeter(main: HTMLElement, code: string): Promise<void> {
  const p = period();
  const found = await gql<{ meter: MeterPage | null }>(
    `query($code: String!, $asOf: Date, $from: Date!, $to: Date!) { meter(code: $code, asOf: $asOf) {
      code role multiplier transformer { code name } customer { code name }
      history { relationship parent { code } from to openedBy { id source actor } }
      readings(from: $from, to: $to) { date importKwh exportKwh multiplier } } }`,
    { code, asOf: p.asOf, from: p.from, to: p.to },
  );
  const meter = found.meter;
  if (!meter) {
    main.append(...notFound(`${t("meter")} ${code}`));
    return;
  }
  const area = meter.transformer;
  main.append(
    h("h1", {}, `${t("meter")} ${meter.code} · ${t(meter.role)}`),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("area")),
      h("dd", {}, area ? h("a", { href: `#/area/${encodeURIComponent(area.code)}` }, `${area.code} ${area.name}`) : "–"),
      h("dt", {}, t("customer")),
      h("dd", {}, meter.customer ? `${meter.customer.code} ${meter.customer.name}` : "–"),
      h("dt", {}, t("multiplier")),
      h("dd", {}, meter.multiplier),
    ),
    h("h2", {}, t("history")),
    historyTable(meter.history),
    h("h2", {}, t("readings")),
    table(
      `${t("readings")} ${p.from} – ${p.to}`,
      [
        { label: t("date"), value: (r) => r.date },
        { label: t("importKwh"), value: (r) => kwh(r.importKwh), numeric: true },
        { label: t("exportKwh"), value: (r) => kwh(r.exportKwh), numeric: true },
        { label: t("multiplier"), value: (r) => r.multiplier, numeric: true },
      ],
      meter.readings,
      "readings",
    ),
  );
}

async function renderCustomer(main: HTMLElement, code: string): Promise<void> {
  const found = await gql<{ customer: { code: string; name: string; meters: { code: string; transformer: { code: string } | null }[] } | null }>(
    `query($code: String!, $asOf: Date) { customer(code: $code, asOf: $asOf) { code name
      meters { code transformer { code } } } }`,
    { code, asOf: period().asOf },
  );
  const customer = found.customer;
  if (!customer) {
    main.append(...notFound());
    return;
  }
  main.append(
    h("h1", {}, `${t("customer")} ${customer.code} ${customer.name}`),
    h(
      "ul",
      {},
      customer.meters.map((m) =>
        h("li", {}, h("a", { href: `#/node/METER/${encodeURIComponent(m.code)}` }, m.code), m.transformer ? ` · ${t("area")} ${m.transformer.code}` : ""),
      ),
    ),
  );
}

export async function renderNode(main: HTMLElement, args: string[]): Promise<void> {
  const [kind = "", code = ""] = args;
  if (kind === "METER") return renderMeter(main, code);
  if (kind === "CUSTOMER") return renderCustomer(main, code);
  if (kind === "TRANSFORMER") {
    location.hash = `#/area/${encodeURIComponent(code)}`;
    return;
  }
  if (!BELOW[kind]) {
    main.append(...notFound());
    return;
  }
  return renderSubtree(main, kind, code);
}
