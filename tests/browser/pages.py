"""What the browser tests check on every page: same-origin loading, no script errors, axe, no sideways scroll."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Locator, Page, Request

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / ".run" / "screenshots"
ANALYTICS_SCRIPT = "/web/js/analytics.js"
NON_ESSENTIAL_COOKIES = {"kaleno_analytics"}


class PageWatch:
    """A page plus everything it requested and every script error it raised."""

    def __init__(self, page: Page, api: str) -> None:
        self.page = page
        self.origin = api
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._record)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", self._console)

    def _record(self, request: Request) -> None:
        self.requests.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        # A failed fetch (4xx on purpose, e.g. 401 before sign-in or 409 for a taken slot) logs a console
        # error in Chromium; the page handles those. Script errors arrive as page errors instead.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text}")

    def foreign_requests(self, allowed: tuple[str, ...] = ()) -> list[str]:
        """Requests to another origin (data: and blob: URLs are local)."""
        mine = urlsplit(self.origin).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(url).netloc != mine
            and not url.startswith(allowed)
        ]

    def analytics_requests(self) -> list[str]:
        return [url for url in self.requests if urlsplit(url).path == ANALYTICS_SCRIPT]

    def cookie_names(self) -> set[str]:
        return {cookie["name"] for cookie in self.page.context.cookies()}

    def assert_healthy(self) -> None:
        assert not self.errors, self.errors


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious or critical axe-core violations on the page as it is now.

    axe is evaluated through the DevTools protocol: the pages' Content-Security-Policy (script-src 'self')
    refuses injected <script> tags, as it should.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [violation for violation in results if violation["impact"] in ("serious", "critical")]


def assert_accessible(page: Page) -> None:
    bad = axe_violations(page)
    assert not bad, json.dumps(bad, indent=1)


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page is {width[0]} px wide in a {width[1]} px viewport"


def snap(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_both_widths(page: Page, screenshots: Path, name: str) -> None:
    """Accessible at desktop width and at 375 px (a phone), with no sideways scroll there; a screenshot."""
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    snap(page, screenshots, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def fact(container: Locator | Page, term: str) -> Locator:
    """The value (<dd>) beside a term (<dt>) of a description list: a booking's place, notes, answers."""
    return container.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")
