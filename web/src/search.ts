// Search in the header: codes and Chinese names, each hit a link to its page.
import { gql } from "./api";
import { clear, h } from "./dom";
import { t } from "./i18n";
import { period } from "./state";

interface Hit {
  kind: string;
  code: string;
  name: string | null;
}

const SEARCH = `query($text: String!, $asOf: Date) {
  search(text: $text, first: 10, asOf: $asOf) { kind code name }
}`;

/** Where a hit opens: an area's page, a meter's area, or the node page of the others. */
export function hitLink(kind: string, code: string): string {
  const key = encodeURIComponent(code);
  if (kind === "TRANSFORMER") return `#/area/${key}`;
  return `#/node/${kind}/${key}`;
}

export function searchBox(): HTMLElement {
  const list = h("ul", { class: "hits", id: "search-hits", role: "listbox" });
  const field = h("input", {
    type: "search",
    id: "search",
    placeholder: t("search"),
    "aria-label": t("searchLabel"),
    "aria-controls": "search-hits",
    autocomplete: "off",
  });
  let asked = 0;
  const ask = async () => {
    const text = field.value.trim();
    const mine = ++asked;
    if (text.length < 2) {
      clear(list);
      return;
    }
    const found = await gql<{ search: Hit[] }>(SEARCH, { text, asOf: period().asOf });
    if (mine !== asked) return;
    clear(list);
    for (const hit of found.search) {
      const kindLabel = t(hit.kind === "CUSTOMER" ? "CUSTOMER_KIND" : hit.kind);
      list.append(
        h(
          "li",
          { role: "option" },
          h("a", { href: hitLink(hit.kind, hit.code) }, `${kindLabel} ${hit.code} ${hit.name ?? ""}`),
        ),
      );
    }
    if (found.search.length === 0) list.append(h("li", {}, t("noRows")));
  };
  let timer = 0;
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void ask().catch(() => undefined), 250);
  });
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void ask();
    if (event.key === "Escape") clear(list);
  });
  list.addEventListener("click", () => clear(list));
  return h("div", { class: "search", role: "search" }, field, list);
}
