// A loss status shown as colour and text together (never colour alone).
import { h } from "./dom";
import { t } from "./i18n";

export function statusBadge(status: string | null | undefined): HTMLElement {
  const value = status ?? "UNCOMPUTABLE";
  return h("span", { class: `status status-${value.toLowerCase()}`, "data-status": value }, t(value));
}

/** What a page says of a code that does not exist, or not in the principal's scope (the API
 * answers null for both, so the page cannot, and must not, tell them apart). */
export function notFound(title?: string): HTMLElement[] {
  const notice = h("p", { role: "alert", "data-testid": "not-found" }, t("notFound"));
  return title ? [h("h1", {}, title), notice] : [notice];
}
