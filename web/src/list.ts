// A work list: a table of the rows loaded so far, "more" while pages follow, and a CSV of the
// rows shown (what a user sees is what they download).
import { type Column, download, h, table, toCsv } from "./dom";
import { t } from "./i18n";

/** A list page: its rows so far, a "more" button while pages follow, and a CSV of the rows. */
export function workList<T>(
  main: HTMLElement,
  title: string,
  columns: Column<T>[],
  testId: string,
  fileName: string,
  rows: T[],
  total: number,
  next: (() => Promise<{ rows: T[]; more: boolean }>) | null,
): void {
  const holder = h("div", {}, table(`${title} (${rows.length} / ${total})`, columns, rows, testId));
  const more = h("button", { type: "button", hidden: next === null }, t("more"));
  more.addEventListener("click", async () => {
    if (!next) return;
    const page = await next();
    rows.push(...page.rows);
    holder.replaceChildren(table(`${title} (${rows.length} / ${total})`, columns, rows, testId));
    more.hidden = !page.more;
  });
  const csv = h(
    "button",
    { type: "button", "data-testid": `${testId}-csv`, onclick: () => download(fileName, toCsv(columns, rows)) },
    t("downloadCsv"),
  );
  main.append(h("div", { class: "actions" }, csv), holder, more);
}
