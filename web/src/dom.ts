// Small DOM helpers: the explorer builds its pages from plain elements (no framework to ship).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** An element with attributes (`on*` are listeners; false/null leave an attribute out). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A number as the tables show it: kWh with two decimals and thousands grouped. */
export function kwh(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A rate (0.0523) as a percentage with two decimals ("5.23%"). */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${(value * 100).toFixed(2)}%`;
}

export interface Column<T> {
  label: string;
  value: (row: T) => Child | Child[];
  /** What the CSV holds for the column (default: the cell's text). */
  csv?: (row: T) => string | number | null | undefined;
  numeric?: boolean;
}

/** A table of rows with a caption (read by screen readers and the browser test). */
export function table<T>(caption: string, columns: Column<T>[], rows: T[], testId: string) {
  return h(
    "table",
    { "data-testid": testId },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          columns.map((c) => h("td", { class: c.numeric ? "num" : null }, c.value(row))),
        ),
      ),
    ),
  );
}

function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV text (RFC 4180, a header line of the columns' labels). */
export function toCsv<T>(columns: Column<T>[], rows: T[]): string {
  const lines = [columns.map((c) => csvField(c.label)).join(",")];
  for (const row of rows) {
    lines.push(
      columns
        .map((c) => {
          if (c.csv) return csvField(c.csv(row));
          const cell = h("span", {}, c.value(row));
          return csvField(cell.textContent);
        })
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}

/** Save text as a file (UTF-8 with a byte order mark, so that Excel reads Chinese names). */
export function download(name: string, text: string): void {
  const blob = new Blob(["\ufeff", text], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}
