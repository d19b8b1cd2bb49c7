// The worst areas for the period under a node, with a status filter and a CSV of the rows shown.
import { gql } from "../api";
import { type Column, h, kwh, percent } from "../dom";
import { workList } from "../list";
import { t } from "../i18n";
import { period, session } from "../state";
import { notFound, statusBadge } from "../status";

const PAGE = 100;
const STATUSES = ["NORMAL", "HIGH", "NEGATIVE", "UNCOMPUTABLE"];
const ORDERS = ["LOSS_RATE_DESC", "LOSS_RATE_ASC", "LOSS_KWH_DESC", "MANAGEMENT_LOSS_RATE_DESC"];
const FIELD_OF: Record<string, string> = {
  ORG_UNIT: "orgUnit",
  SUBSTATION: "substation",
  FEEDER: "feeder",
};

export interface RankedArea {
  rank: number;
  transformer: { code: string; name: string };
  supplyKwh: number;
  salesKwh: number;
  lossKwh: number;
  lossRate: number | null;
  managementLossRate: number | null;
  status: string;
  reasons: string[];
}

export const rankingColumns = (): Column<RankedArea>[] => [
  { label: t("rank"), value: (r) => r.rank, numeric: true },
  {
    label: t("code"),
    value: (r) => h("a", { href: `#/area/${encodeURIComponent(r.transformer.code)}` }, r.transformer.code),
    csv: (r) => r.transformer.code,
  },
  { label: t("name"), value: (r) => r.transformer.name },
  { label: t("supply"), value: (r) => kwh(r.supplyKwh), csv: (r) => r.supplyKwh, numeric: true },
  { label: t("sales"), value: (r) => kwh(r.salesKwh), csv: (r) => r.salesKwh, numeric: true },
  { label: t("loss"), value: (r) => kwh(r.lossKwh), csv: (r) => r.lossKwh, numeric: true },
  { label: t("lossRate"), value: (r) => percent(r.lossRate), csv: (r) => r.lossRate, numeric: true },
  {
    label: t("managementRate"),
    value: (r) => percent(r.managementLossRate),
    csv: (r) => r.managementLossRate,
    numeric: true,
  },
  { label: t("status"), value: (r) => statusBadge(r.status), csv: (r) => r.status },
  { label: t("reasons"), value: (r) => r.reasons.join("; ") },
];

type Answer = Record<
  string,
  {
    lossRanking: {
      totalCount: number;
      edges: { node: Omit<RankedArea, "rank"> }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null
>;

function query(field: string): string {
  return `query($code: String!, $from: Date!, $to: Date!, $status: [LossStatus!], $order: LossOrder!,
    $first: Int, $after: String) {
    node: ${field}(code: $code) { lossRanking(from: $from, to: $to, status: $status, orderBy: $order,
      first: $first, after: $after) {
      totalCount edges { node { transformer { code name } supplyKwh salesKwh lossKwh lossRate
        managementLossRate status reasons } }
      pageInfo { hasNextPage endCursor } } } }`;
}

/** The hash's arguments: kind, code, order and the statuses (comma-separated). */
function choices(args: string[]) {
  const viewer = session.viewer!;
  const kind = FIELD_OF[args[0] ?? ""] ? args[0] : "ORG_UNIT";
  const code = args[1] ?? viewer.orgCode;
  const order = ORDERS.includes(args[2] ?? "") ? args[2] : ORDERS[0];
  const statuses = (args[3] ?? "HIGH,NEGATIVE").split(",").filter((s) => STATUSES.includes(s));
  return { kind, code, order, statuses };
}

export async function renderRanking(main: HTMLElement, args: string[]): Promise<void> {
  const p = period();
  const c = choices(args);
  const form = h(
    "form",
    { class: "inline", "aria-label": t("ranking") },
    h("label", {}, t("kind"), " ", h("select", { name: "kind" }, Object.keys(FIELD_OF).map((k) => h("option", { value: k, selected: k === c.kind }, t(k))))),
    h("label", {}, t("under"), " ", h("input", { name: "code", value: c.code, required: true })),
    h("label", {}, "↓ ", h("select", { name: "order", "aria-label": "order" }, ORDERS.map((o) => h("option", { value: o, selected: o === c.order }, o)))),
    h(
      "fieldset",
      {},
      h("legend", {}, t("statusFilter")),
      STATUSES.map((s) =>
        h("label", {}, h("input", { type: "checkbox", name: "status", value: s, checked: c.statuses.includes(s) }), " ", t(s)),
      ),
    ),
    h("button", { type: "submit" }, t("show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const statuses = data.getAll("status").join(",") || STATUSES.join(",");
    location.hash = `#/ranking/${data.get("kind")}/${encodeURIComponent(String(data.get("code")))}/${data.get("order")}/${statuses}`;
  });
  main.append(h("h1", {}, t("ranking")), form, h("p", { class: "hint" }, `${p.from} – ${p.to}`));
  const vars = { code: c.code, from: p.from, to: p.to, status: c.statuses, order: c.order, first: PAGE, after: null as string | null };
  const found = await gql<Answer>(query(FIELD_OF[c.kind!]), vars);
  const ranking = found.node?.lossRanking;
  if (!ranking) {
    main.append(...notFound());
    return;
  }
  let ranked = 0;
  const numbered = (edges: { node: Omit<RankedArea, "rank"> }[]): RankedArea[] =>
    edges.map((e) => ({ rank: ++ranked, ...e.node }));
  let after = ranking.pageInfo.endCursor;
  const next = async () => {
    const page = (await gql<Answer>(query(FIELD_OF[c.kind!]), { ...vars, after })).node?.lossRanking;
    after = page?.pageInfo.endCursor ?? null;
    return { rows: numbered(page?.edges ?? []), more: page?.pageInfo.hasNextPage ?? false };
  };
  workList(
    main,
    t("ranking"),
    rankingColumns(),
    "ranking",
    `ranking-${c.code}-${p.from}-${p.to}.csv`,
    numbered(ranking.edges),
    ranking.totalCount,
    ranking.pageInfo.hasNextPage ? next : null,
  );
}
