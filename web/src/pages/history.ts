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

export interface ValueInterval {
  from: string | null;
  to: string | null;
  changed: string[];
  values: { name: string; value: string }[];
  openedBy: { source: string; actor: string } | null;
}

const valueColumns = (): Column<ValueInterval>[] => [
  { label: t("validFrom"), value: (v) => v.from ?? "…" },
  { label: t("validTo"), value: (v) => v.to ?? "…" },
  {
    label: t("changedValues"),
    value: (v) =>
      v.values
        .filter((x) => v.changed.includes(x.name))
        .map((x) => `${x.name}=${x.value}`)
        .join("; "),
  },
  {
    label: t("changeset"),
    value: (v) => (v.openedBy ? `${v.openedBy.source} · ${v.openedBy.actor}` : ""),
  },
];

/** Attribute values over time: a transformer replaced (capacity), a multiplier changed. */
export function valuesTable(intervals: ValueInterval[]): HTMLElement {
  return table(`${t("valueHistory")} (${intervals.length})`, valueColumns(), intervals, "value-history");
}
