// An entity's relationship intervals (moves, replacements) with the changesets behind them.
import { type Column, table } from "../dom";
import { t } from "../i18n";

export interface Interval {
  relationship: string;
  parent: { code: string } | null;
  from: string | null;
  to: string | null;
  openedBy: { id: string; source: string; actor: string } | null;
}

const columns = (): Column<Interval>[] => [
  { label: t("relationship"), value: (i) => i.relationship },
  { label: t("parent"), value: (i) => i.parent?.code ?? "" },
  { label: t("validFrom"), value: (i) => i.from ?? "…" },
  { label: t("validTo"), value: (i) => i.to ?? "…" },
  {
    label: t("changeset"),
    value: (i) => (i.openedBy ? `${i.openedBy.source} · ${i.openedBy.actor}` : ""),
  },
];

export function historyTable(intervals: Interval[]): HTMLElement {
  return table(`${t("history")} (${intervals.length})`, columns(), intervals, "history");
}
