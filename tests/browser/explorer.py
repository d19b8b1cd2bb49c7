"""Drive the explorer in Debian's Chromium (Playwright, no downloaded browser): the flows the
browser tests check and bench/explorer.py times at 1M meters.

Every request that leaves the loopback interface is refused and recorded (`blocked`): the
explorer must work on an intranet with no way out."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route

CHROMIUM = Path(os.environ.get("TAIQU_CHROMIUM", "/usr/bin/chromium"))
# As root in a sandboxed machine; no GPU; nothing of Chromium's own calling out (its background
# networking would try Google's hosts at every start).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT_MS = 30_000


def launch(pw: Playwright) -> Browser:
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def graphql(base: str, key: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The API's own answer, to compare the page with (plain HTTP, as any client)."""
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {key}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]


@dataclass
class Explorer:
    """One browser tab (its own session storage) on the explorer at `base`."""

    page: Page
    base: str
    blocked: list[str] = field(default_factory=list)  # requests refused: off loopback
    errors: list[str] = field(default_factory=list)  # uncaught errors of the page's scripts

    def wait_ready(self, name: str) -> None:
        self.page.wait_for_selector(f"body[data-ready={name}]", timeout=TIMEOUT_MS)

    def login(self, key: str) -> float:
        """Sign in; the seconds from the click to the tree's first level shown."""
        self.page.goto(f"{self.base}/")
        self.wait_ready("login")
        self.page.fill("#token", key)
        start = time.perf_counter()
        self.page.click("form.login button[type=submit]")
        self.wait_ready("tree")
        return time.perf_counter() - start

    def open(self, hash_path: str, ready: str) -> float:
        """Go to a page by its URL; the seconds until it is drawn."""
        start = time.perf_counter()
        self.page.goto(f"{self.base}/#/{hash_path}")
        self.wait_ready(ready)
        return time.perf_counter() - start

    def navigate(self, hash_path: str, ready: str) -> float:
        """Follow a link inside the page (no reload); the seconds until the page is drawn."""
        start = time.perf_counter()
        self.page.evaluate(
            "path => { document.body.removeAttribute('data-ready'); location.hash = path; }",
            f"#/{hash_path}",
        )
        self.wait_ready(ready)
        return time.perf_counter() - start

    def first_page_interactive(self) -> float:
        """A fresh load of / with the key already in the tab: seconds until the tree's first
        level is drawn and takes keys."""
        start = time.perf_counter()
        self.page.goto(f"{self.base}/")
        self.wait_ready("tree")
        self.page.locator('[role="tree"] [role="treeitem"]').first.focus()
        return time.perf_counter() - start

    def walk_tree_to_an_area(self, max_steps: int = 60) -> str:
        """With the keyboard only: open each item and go down until an area has the focus.
        The area's code (Enter opens its page)."""
        page = self.page
        page.locator('[role="tree"] > [role="treeitem"]').first.focus()
        for _ in range(max_steps):
            item = page.locator('[role="treeitem"]:focus')
            kind = item.get_attribute("data-kind")
            if kind == "TRANSFORMER":
                return item.get_attribute("data-code") or ""
            if item.get_attribute("aria-expanded") == "false":
                page.keyboard.press("ArrowRight")
                page.wait_for_function(
                    "() => { const el = document.activeElement;"
                    " return el.getAttribute('aria-expanded') === 'true'"
                    " && !el.hasAttribute('aria-busy'); }",
                    timeout=TIMEOUT_MS,
                )
            page.keyboard.press("ArrowDown")
        raise AssertionError("no area reached by keyboard")

    def table_rows(self, test_id: str) -> list[list[str]]:
        return self.page.eval_on_selector_all(
            f'[data-testid="{test_id}"] tbody tr',
            "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))",
        )

    def chart_values(self) -> list[dict[str, Any]]:
        self.page.wait_for_selector('[data-testid="daily-chart"][data-values]', timeout=TIMEOUT_MS)
        text = self.page.get_attribute('[data-testid="daily-chart"]', "data-values")
        return json.loads(text or "[]")

    def download_csv(self, button_test_id: str) -> list[dict[str, str]]:
        with self.page.expect_download(timeout=TIMEOUT_MS) as info:
            self.page.click(f'[data-testid="{button_test_id}"]')
        path = info.value.path()
        text = Path(path).read_text(encoding="utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    def screenshot(self, folder: Path, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def alerts(self) -> list[str]:
        return [
            t.strip() for t in self.page.locator('[role="alert"]').all_inner_texts() if t.strip()
        ]


@contextmanager
def explorer(browser: Browser, base: str) -> Iterator[Explorer]:
    """A fresh tab on `base`; requests off the loopback interface refused and recorded."""
    context: BrowserContext = browser.new_context(
        accept_downloads=True, viewport={"width": 1400, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    found = Explorer(page, base)

    def only_loopback(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            found.blocked.append(url)
            route.abort("blockedbyclient")

    context.route(re.compile(r".*"), only_loopback)
    page.on("pageerror", lambda error: found.errors.append(str(error)))
    try:
        yield found
    finally:
        context.close()
