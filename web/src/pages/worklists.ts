// Work lists: the mismatches to fix (户变不一致) and the findings (causes of loss), each with a
// CSV download of the rows shown.
import { gql } from "../api";
import { type Column, h, kwh, percent } from "../dom";
import { workList } from "../list";
import { t } from "../i18n";
import { period, session } from "../state";
import { statusBadge } from "../status";

const PAGE = 100;

interface MismatchArea {
  code: string;
  source: string;
  loss: { status: string; lossRate: number | null } | null;
}

interface Mismatch {
  meter: { code: string };
  customer: { code: string; name: string } | null;
  marketingArea: { code: string } | null;
  equipmentArea: { code: string } | null;
  collectionArea: { code: string } | null;
  terminalCode: string | null;
  since: string | null;
  areas: MismatchArea[];
}

const MISMATCHES = `query($under: ID, $first: Int, $after: String, $asOf: Date) {
  mismatches(under: $under, first: $first, after: $after, asOf: $asOf) {
    totalCount statusFrom statusTo
    edges { node {
      meter { code } customer { code name } marketingArea { code } equipmentArea { code }
      collectionArea { code } terminalCode since
      areas { code source loss { status lossRate } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const areaLink = (a: { code: string } | null) =>
  a ? h("a", { href: `#/area/${encodeURIComponent(a.code)}` }, a.code) : "";

export const mismatchColumns = (): Column<Mismatch>[] => [
  { label: t("meter"), value: (m) => m.meter.code },
  { label: t("customer"), value: (m) => (m.customer ? `${m.customer.code} ${m.customer.name}` : "") },
  { label: t("marketingArea"), value: (m) => areaLink(m.marketingArea), csv: (m) => m.marketingArea?.code },
  { label: t("equipmentArea"), value: (m) => areaLink(m.equipmentArea), csv: (m) => m.equipmentArea?.code },
  { label: t("collectionArea"), value: (m) => areaLink(m.collectionArea), csv: (m) => m.collectionArea?.code },
  { label: t("terminal"), value: (m) => m.terminalCode ?? "" },
  { label: t("since"), value: (m) => m.since ?? "" },
  {
    label: t("status"),
    value: (m) => m.areas.map((a) => h("span", {}, `${a.code}: `, statusBadge(a.loss?.status), ` ${percent(a.loss?.lossRate)} `)),
    csv: (m) => m.areas.map((a) => `${a.code}:${a.loss?.status ?? ""}`).join(" "),
  },
];

type MismatchAnswer = {
  mismatches: {
    totalCount: number;
    statusFrom: string;
    statusTo: string;
    edges: { node: Mismatch }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

/** A page of the mismatches under a node's id (null: all the principal may see). */
export async function mismatchPage(under: string | null, after: string | null, asOf: string) {
  return (await gql<MismatchAnswer>(MISMATCHES, { under, first: PAGE, after, asOf })).mismatches;
}

export async function renderMismatches(main: HTMLElement): Promise<void> {
  const p = period();
  const m = await mismatchPage(null, null, p.asOf);
  let after = m.pageInfo.endCursor;
  const next = async () => {
    const page = await mismatchPage(null, after, p.asOf);
    after = page.pageInfo.endCursor;
    return { rows: page.edges.map((e) => e.node), more: page.pageInfo.hasNextPage };
  };
  main.append(
    h("h1", {}, t("mismatches")),
    h("p", { class: "hint" }, `${t("asOf")} ${p.asOf} · ${t("status")} ${m.statusFrom} – ${m.statusTo}`),
  );
  workList(
    main,
    t("mismatches"),
    mismatchColumns(),
    "mismatches",
    `mismatches-${p.asOf}.csv`,
    m.edges.map((e) => e.node),
    m.totalCount,
    m.pageInfo.hasNextPage ? next : null,
  );
}

// --- findings --------------------------------------------------------------------------------

export interface Finding {
  kind: string;
  score: number;
  transformer: { code: string };
  meter: { code: string } | null;
  likelyTransformer: { code: string } | null;
  likelyMultiplier: number | null;
  since: string | null;
  lossImpactKwh: number | null;
  evidence: { name: string; value: string }[];
}

const FINDING = `kind score transformer { code } meter { code } likelyTransformer { code }
  likelyMultiplier since lossImpactKwh evidence { name value }`;

export const findingColumns = (): Column<Finding>[] => [
  { label: t("kind"), value: (f) => t(f.kind), csv: (f) => f.kind },
  { label: t("score"), value: (f) => f.score.toFixed(2), csv: (f) => f.score, numeric: true },
  { label: t("area"), value: (f) => areaLink(f.transformer), csv: (f) => f.transformer.code },
  { label: t("meter"), value: (f) => f.meter?.code ?? "" },
  {
    label: t("likely"),
    value: (f) => f.likelyTransformer?.code ?? (f.likelyMultiplier === null ? "" : `×${f.likelyMultiplier}`),
  },
  { label: t("since"), value: (f) => f.since ?? "" },
  { label: t("lossImpact"), value: (f) => kwh(f.lossImpactKwh), csv: (f) => f.lossImpactKwh, numeric: true },
  { label: t("evidence"), value: (f) => f.evidence.map((e) => `${e.name}=${e.value}`).join("; ") },
];

const FIELD_OF: Record<string, string> = {
  ORG_UNIT: "orgUnit",
  SUBSTATION: "substation",
  FEEDER: "feeder",
  TRANSFORMER: "transformer",
};

/** The period's findings under one node (every page: a work list is read whole). */
export async function findingsFor(kind: string, code: string, from: string, to: string): Promise<Finding[]> {
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days < 14 || days > 92) throw new Error(t("findingsPeriod"));
  const field = FIELD_OF[kind];
  const rows: Finding[] = [];
  let after: string | null = null;
  for (;;) {
    type Answer = Record<string, { findings: { edges: { node: Finding }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null>;
    const found: Answer = await gql<Answer>(
      `query($code: String!, $from: Date!, $to: Date!, $after: String) {
        node: ${field}(code: $code) { findings(from: $from, to: $to, first: ${PAGE}, after: $after) {
          edges { node { ${FINDING} } } pageInfo { hasNextPage endCursor } } } }`,
      { code, from, to, after },
    );
    const page = found.node?.findings;
    if (!page) break;
    rows.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return rows;
}

export async function renderFindings(main: HTMLElement, args: string[]): Promise<void> {
  const p = period();
  const viewer = session.viewer!;
  const kind = args[0] ?? "ORG_UNIT";
  const code = args[1] ?? viewer.orgCode;
  const form = h(
    "form",
    { class: "inline" },
    h("label", {}, t("kind"), " ", h("select", { name: "kind" }, Object.keys(FIELD_OF).map((k) => h("option", { value: k, selected: k === kind }, t(k))))),
    h("label", {}, t("under"), " ", h("input", { name: "code", value: code, required: true })),
    h("button", { type: "submit" }, t("show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = `#/findings/${data.get("kind")}/${encodeURIComponent(String(data.get("code")))}`;
  });
  main.append(h("h1", {}, t("findings")), form, h("p", { class: "hint" }, `${p.from} – ${p.to}`));
  let rows: Finding[];
  try {
    rows = await findingsFor(kind, code, p.from, p.to);
  } catch (error) {
    main.append(h("p", { role: "alert", class: "error" }, error instanceof Error ? error.message : String(error)));
    return;
  }
  workList(main, t("findings"), findingColumns(), "findings", `findings-${code}-${p.from}-${p.to}.csv`, rows, rows.length, null);
}
