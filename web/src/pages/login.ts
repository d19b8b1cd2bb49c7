// Sign in with a principal's API key: kept in this tab's session storage only.
import { ApiError, gql, setToken } from "../api";
import { h } from "../dom";
import { lang, setLang, t } from "../i18n";

export function renderLogin(app: HTMLElement, done: () => void): void {
  const message = h("p", { role: "alert", class: "error", "data-testid": "login-error" });
  const field = h("input", {
    id: "token",
    name: "token",
    type: "password",
    autocomplete: "off",
    required: true,
    spellcheck: "false",
  });
  const form = h(
    "form",
    { class: "login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, `${t("title")} · ${t("login")}`),
    h("p", {}, t("loginHint")),
    h("label", { for: "token" }, t("token")),
    field,
    h("button", { type: "submit" }, t("login")),
    message,
    h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => (setLang(lang() === "zh" ? "en" : "zh"), done()),
      },
      t("language"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setToken(field.value.trim());
    try {
      await gql("{ viewer { name } }");
      done();
    } catch (error) {
      setToken(null);
      message.textContent =
        error instanceof ApiError && error.status === 401 ? t("badToken") : String(error);
    }
  });
  app.append(h("main", { id: "main" }, form));
  document.body.dataset.ready = "login";
  field.focus();
}
