// A loss status shown as colour and text together (never colour alone).
import { h } from "./dom";
import { t } from "./i18n";

export function statusBadge(status: string | null | undefined): HTMLElement {
  const value = status ?? "UNCOMPUTABLE";
  return h("span", { class: `status status-${value.toLowerCase()}`, "data-status": value }, t(value));
}
