// The explorer: a header (navigation, search, as-of date and period, language) above the page
// the URL's hash names. Every figure comes from Taiqu's public GraphQL API.
import "./style.css";
import { ApiError, gql, setToken, token } from "./api";
import { clear, h } from "./dom";
import { lang, setLang, t } from "./i18n";
import { period, session, setPeriod, type Viewer } from "./state";
import { renderLogin } from "./pages/login";
import { renderTree } from "./pages/tree";
import { renderArea } from "./pages/area";
import { renderRanking } from "./pages/ranking";
import { renderMismatches, renderFindings } from "./pages/worklists";
import { renderChanges } from "./pages/changes";
import { renderNode } from "./pages/node";
import { searchBox } from "./search";

const VIEWER = `{ viewer { name role orgCode seesPersonalData changeEvents orgUnit { code name } } }`;

/** A page draws into `main`; what it returns runs once it is in the document (a chart). */
type Page = (main: HTMLElement, args: string[]) => Promise<void | (() => void)>;

const PAGES: Record<string, Page> = {
  tree: renderTree,
  area: renderArea,
  node: renderNode,
  ranking: renderRanking,
  mismatches: renderMismatches,
  findings: renderFindings,
  changes: renderChanges,
};

const NAV = ["tree", "ranking", "mismatches", "findings", "changes"];

const app = document.getElementById("app") as HTMLElement;

async function signedIn(): Promise<Viewer | null> {
  if (session.viewer) return session.viewer;
  if (!token()) return null;
  try {
    session.viewer = (await gql<{ viewer: Viewer | null }>(VIEWER)).viewer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setToken(null);
      return null;
    }
    throw error;
  }
  return session.viewer;
}

function route(): { name: string; args: string[] } {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const name = parts[0] ?? "tree";
  return { name, args: parts.slice(1).map(decodeURIComponent) };
}

function periodControls(): HTMLElement {
  const current = period();
  const input = (key: "from" | "to" | "asOf") =>
    h("label", {}, t(key), " ", h("input", { type: "date", name: key, value: current[key], required: true }));
  const form = h(
    "form",
    { class: "period", "aria-label": `${t("from")}/${t("to")}/${t("asOf")}` },
    input("from"),
    input("to"),
    input("asOf"),
    h("button", { type: "submit" }, t("show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    setPeriod({
      from: String(data.get("from")),
      to: String(data.get("to")),
      asOf: String(data.get("asOf")),
    });
    void render();
  });
  return form;
}

function header(viewer: Viewer, active: string): HTMLElement {
  const nav = h(
    "nav",
    { "aria-label": t("title") },
    NAV.map((name) =>
      h("a", { href: `#/${name}`, "aria-current": name === active ? "page" : null }, t(name)),
    ),
    h("a", { href: "/graphql", target: "_blank", rel: "noopener" }, t("graphiql")),
  );
  const other = lang() === "zh" ? "en" : "zh";
  return h(
    "header",
    {},
    h("div", { class: "brand" }, h("strong", {}, t("title")), " · Taiqu"),
    nav,
    searchBox(),
    periodControls(),
    h(
      "div",
      { class: "who" },
      h("span", { "data-testid": "viewer" }, `${viewer.name} (${viewer.role}, ${viewer.orgCode})`),
      h("button", { type: "button", onclick: () => (setLang(other), void render()) }, t("language")),
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            setToken(null);
            session.viewer = null;
            location.hash = "#/tree";
            void render();
          },
        },
        t("logout"),
      ),
    ),
  );
}

let rendering = 0;

/** Draw the page the hash names; a newer navigation wins over one still loading. */
export async function render(): Promise<void> {
  const mine = ++rendering;
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  document.body.removeAttribute("data-ready");
  const viewer = await signedIn().catch((error: unknown) => {
    clear(app);
    app.append(h("p", { role: "alert" }, String(error)));
    return undefined;
  });
  if (viewer === undefined || mine !== rendering) return;
  clear(app);
  if (viewer === null) {
    renderLogin(app, () => void render());
    return;
  }
  const { name, args } = route();
  const page = PAGES[name] ?? renderTree;
  const main = h("main", { id: "main" });
  app.append(header(viewer, name), main);
  main.append(h("p", { class: "loading" }, t("loading")));
  try {
    const staging = h("div");
    const mounted = await page(staging, args);
    if (mine !== rendering) return;
    clear(main);
    main.append(...Array.from(staging.childNodes));
    if (mounted) mounted();
  } catch (error) {
    if (mine !== rendering) return;
    clear(main);
    const text = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
    main.append(h("p", { role: "alert", class: "error" }, text));
  }
  document.body.dataset.ready = name;
}

window.addEventListener("hashchange", () => void render());
void render();
