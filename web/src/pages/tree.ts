// The tree of org units and of the network (substation -> feeder -> area -> meters), loaded
// level by level and page by page; each area shows its loss status over the period.
// Keyboard: arrows move and open/close (WAI-ARIA tree pattern), Enter opens an item's page.
import { gql } from "../api";
import { h, percent } from "../dom";
import { t } from "../i18n";
import { period, session } from "../state";
import { statusBadge } from "../status";

const PAGE = 50;

interface Item {
  label: string;
  kind: string;
  code: string;
  href?: string;
  status?: HTMLElement;
  /** The next page of children after `after` (null: the first page). */
  children?: (after: string | null) => Promise<{ items: Item[]; next: string | null }>;
}

interface AreaNode {
  code: string;
  name: string;
  loss: { status: string; lossRate: number | null };
}

interface Page<T> {
  totalCount: number;
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const AREAS = `transformers(first: $first, after: $after) {
  totalCount edges { node { code name loss(from: $from, to: $to) { status lossRate } } }
  pageInfo { hasNextPage endCursor }
}`;

function vars(after: string | null) {
  const p = period();
  return { first: PAGE, after, from: p.from, to: p.to, asOf: p.asOf };
}

function areaItem(area: AreaNode): Item {
  const rate = percent(area.loss.lossRate);
  return {
    label: `${area.code} ${area.name} · ${rate}`,
    kind: "TRANSFORMER",
    code: area.code,
    href: `#/area/${encodeURIComponent(area.code)}`,
    status: statusBadge(area.loss.status),
    children: (after) => meters(area.code, after),
  };
}

function areaPage(page: Page<AreaNode>) {
  return {
    items: page.edges.map((e) => areaItem(e.node)),
    next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };
}

async function meters(code: string, after: string | null) {
  const found = await gql<{
    transformer: {
      meters: Page<{ code: string; role: string; customer: { name: string } | null }>;
    } | null;
  }>(
    `query($code: String!, $asOf: Date, $first: Int, $after: String) {
      transformer(code: $code, asOf: $asOf) { meters(first: $first, after: $after) {
        totalCount edges { node { code role customer { name } } }
        pageInfo { hasNextPage endCursor } } } }`,
    { code, ...vars(after) },
  );
  const page = found.transformer?.meters;
  if (!page) return { items: [], next: null };
  return {
    items: page.edges.map(({ node }) => ({
      label: `${node.code} · ${t(node.role)}${node.customer ? ` · ${node.customer.name}` : ""}`,
      kind: "METER",
      code: node.code,
      href: `#/node/METER/${encodeURIComponent(node.code)}`,
    })),
    next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };
}

/** A page of the areas of a feeder or an org unit, each with its status over the period. */
async function areasUnder(field: "feeder" | "orgUnit", code: string, after: string | null) {
  const found = await gql<Record<string, { transformers: Page<AreaNode> } | null>>(
    `query($code: String!, $asOf: Date, $first: Int, $after: String, $from: Date!, $to: Date!) {
      node: ${field}(code: $code, asOf: $asOf) { ${AREAS} } }`,
    { code, ...vars(after) },
  );
  return found.node ? areaPage(found.node.transformers) : { items: [], next: null };
}

async function substationFeeders(code: string) {
  const found = await gql<{ substation: { feeders: { code: string; name: string }[] } | null }>(
    `query($code: String!, $asOf: Date) { substation(code: $code, asOf: $asOf) {
      feeders { code name } } }`,
    { code, asOf: period().asOf },
  );
  return {
    items: (found.substation?.feeders ?? []).map((f) => ({
      label: `${f.code} ${f.name}`,
      kind: "FEEDER",
      code: f.code,
      href: `#/node/FEEDER/${encodeURIComponent(f.code)}`,
      children: (after: string | null) => areasUnder("feeder", f.code, after),
    })),
    next: null,
  };
}

async function unitChildren(code: string) {
  const found = await gql<{
    orgUnit: {
      children: { code: string; name: string; level: string | null }[];
      substations: { code: string; name: string }[];
      transformerCount: number;
    } | null;
  }>(
    `query($code: String!, $asOf: Date) { orgUnit(code: $code, asOf: $asOf) {
      children { code name level } substations { code name } transformerCount } }`,
    { code, asOf: period().asOf },
  );
  const unit = found.orgUnit;
  if (!unit) return { items: [], next: null };
  const items: Item[] = unit.children.map((c) => unitItem(c.code, c.name));
  if (unit.substations.length > 0) {
    items.push({
      label: `${t("substations")} (${unit.substations.length})`,
      kind: "GROUP",
      code: `${code}/substations`,
      children: async () => ({
        items: unit.substations.map((s) => ({
          label: `${s.code} ${s.name}`,
          kind: "SUBSTATION",
          code: s.code,
          href: `#/node/SUBSTATION/${encodeURIComponent(s.code)}`,
          children: () => substationFeeders(s.code),
        })),
        next: null,
      }),
    });
  }
  if (unit.children.length === 0 && unit.transformerCount > 0) {
    // A station: its areas directly (a unit above it reaches them through its children).
    items.push({
      label: `${t("areas")} (${unit.transformerCount})`,
      kind: "GROUP",
      code: `${code}/areas`,
      children: (after) => areasUnder("orgUnit", code, after),
    });
  }
  return { items, next: null };
}

function unitItem(code: string, name: string): Item {
  return {
    label: `${code} ${name}`,
    kind: "ORG_UNIT",
    code,
    href: `#/node/ORG_UNIT/${encodeURIComponent(code)}`,
    children: () => unitChildren(code),
  };
}

// --- the tree widget -------------------------------------------------------------------------

function visibleItems(tree: HTMLElement): HTMLElement[] {
  return Array.from(tree.querySelectorAll<HTMLElement>('[role="treeitem"]')).filter(
    (el) => el.offsetParent !== null,
  );
}

function focusItem(tree: HTMLElement, item: HTMLElement | null | undefined): void {
  if (!item) return;
  for (const el of tree.querySelectorAll<HTMLElement>('[role="treeitem"]')) el.tabIndex = -1;
  item.tabIndex = 0;
  item.focus();
}

function treeItem(item: Item, level: number): HTMLElement {
  const li: Expandable = h("li", {
    role: "treeitem",
    "aria-level": level,
    "aria-expanded": item.children ? "false" : null,
    "data-kind": item.kind,
    "data-code": item.code,
    tabindex: -1,
  });
  const toggle = item.children
    ? h("span", { class: "twisty", "aria-hidden": "true" }, "▸")
    : h("span", { class: "twisty", "aria-hidden": "true" }, " ");
  const label = item.href
    ? h("a", { href: item.href, tabindex: -1 }, item.label)
    : h("span", {}, item.label);
  li.append(h("div", { class: "row" }, toggle, label, item.status ?? null));
  if (item.children) {
    const group = h("ul", { role: "group", hidden: true });
    li.append(group);
    let loaded = false;
    const load = async (after: string | null, more?: HTMLElement) => {
      const page = await item.children!(after);
      more?.remove();
      for (const child of page.items) group.append(treeItem(child, level + 1));
      if (page.next) {
        const next = page.next;
        const moreItem = h(
          "li",
          { role: "treeitem", "aria-level": level + 1, tabindex: -1, class: "more", "data-kind": "MORE" },
          h("div", { class: "row" }, h("span", { class: "twisty" }, "…"), t("more")),
        );
        (moreItem as Expandable).activate = () => load(next, moreItem);
        group.append(moreItem);
      }
      if (page.items.length === 0 && !page.next) group.append(h("li", { class: "empty" }, t("noRows")));
    };
    li.toggle = async (open) => {
      const opening = open ?? li.getAttribute("aria-expanded") !== "true";
      li.setAttribute("aria-expanded", String(opening));
      group.hidden = !opening;
      toggle.textContent = opening ? "▾" : "▸";
      if (opening && !loaded) {
        loaded = true;
        li.setAttribute("aria-busy", "true");
        await load(null);
        li.removeAttribute("aria-busy");
      }
    };
    toggle.addEventListener("click", () => void li.toggle?.());
  }
  return li;
}

type Expandable = HTMLElement & {
  toggle?: (open?: boolean) => Promise<void>;
  activate?: () => Promise<void>;
};

function keyboard(tree: HTMLElement): void {
  tree.addEventListener("keydown", (event) => {
    const item = (event.target as HTMLElement).closest<Expandable>('[role="treeitem"]');
    if (!item) return;
    const items = visibleItems(tree);
    const at = items.indexOf(item);
    const expanded = item.getAttribute("aria-expanded");
    switch (event.key) {
      case "ArrowDown":
        focusItem(tree, items[at + 1]);
        break;
      case "ArrowUp":
        focusItem(tree, items[at - 1]);
        break;
      case "Home":
        focusItem(tree, items[0]);
        break;
      case "End":
        focusItem(tree, items[items.length - 1]);
        break;
      case "ArrowRight":
        if (expanded === "false") void item.toggle?.(true);
        else if (expanded === "true") focusItem(tree, items[at + 1]);
        break;
      case "ArrowLeft":
        if (expanded === "true") void item.toggle?.(false);
        else focusItem(tree, item.parentElement?.closest<HTMLElement>('[role="treeitem"]'));
        break;
      case "Enter": {
        if (item.activate) {
          const before = items[at - 1];
          void item.activate().then(() => focusItem(tree, visibleItems(tree)[items.indexOf(before) + 1]));
        } else {
          const link = item.querySelector<HTMLAnchorElement>(":scope > .row > a");
          if (link) location.hash = link.getAttribute("href") ?? "";
          else void item.toggle?.();
        }
        break;
      }
      case " ":
        if (item.toggle) void item.toggle();
        else void item.activate?.();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
  tree.addEventListener("click", (event) => {
    const more = (event.target as HTMLElement).closest<Expandable>(".more");
    if (more?.activate) void more.activate();
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (item) focusItem(tree, item);
  });
}

export async function renderTree(main: HTMLElement): Promise<() => void> {
  const viewer = session.viewer!;
  const root = viewer.orgUnit
    ? unitItem(viewer.orgUnit.code, viewer.orgUnit.name)
    : unitItem(viewer.orgCode, "");
  const tree = h("ul", { role: "tree", "aria-label": t("tree"), class: "tree", "data-testid": "tree" });
  const top = treeItem(root, 1) as Expandable;
  top.tabIndex = 0;
  tree.append(top);
  keyboard(tree);
  const p = period();
  main.append(
    h("h1", {}, t("tree")),
    h("p", { class: "hint" }, `${t("from")} ${p.from} ${t("to")} ${p.to} · ${t("asOf")} ${p.asOf}`),
    tree,
  );
  await top.toggle?.(true); // the first level is there when the page shows
  return () => undefined;
}
