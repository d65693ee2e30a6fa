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
        self.failed_loads: list[str] = []  # "Failed to load resource" console lines (the layout walk checks them)
        page.on("request", self._record)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", self._console)

    def _record(self, request: Request) -> None:
        self.requests.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        # A failed fetch (4xx on purpose, e.g. 401 before sign-in or 409 for a taken slot) logs a console
        # error in Chromium; the page handles those. Script errors arrive as page errors instead.
        if message.type == "error" and "Failed to load resource" in message.text:
            self.failed_loads.append(message.text)
        elif message.type == "error":
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


# --- The layout walk (issue 24): every page state at every width, checked the same way. ---

# The widths every page state is laid out at: a small phone, a common phone, a tablet, two desktops.
LAYOUT_WIDTHS = (320, 390, 768, 1280, 1440)
# The widths whose screenshots `make screenshots` commits to docs/screenshots/.
SCREENSHOT_WIDTHS = (390, 1280)
COMMITTED_SCREENSHOTS = ROOT / "docs" / "screenshots"

# Measured in the page: text laid out narrower than its longest word (the "D/e/c/e/m/b/e/r" defect), and
# visible controls whose boxes overlap.
_LAYOUT_PROBE = r"""() => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  // An element laid out narrower than the longest word of its text (measured with the element's own font):
  // the "D/e/c/e/m/b/e/r" defect, whether the word then breaks or spills out.
  const squeezed = [];
  const ruler = document.createElement('canvas').getContext('2d');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim() || !visible(parent)) continue;
    if (parent.closest('script, style, [aria-hidden="true"], .vh, .skip, option')) continue;
    let box = parent;
    while (box.parentElement && ['inline', 'contents'].includes(getComputedStyle(box).display)) box = box.parentElement;
    const style = getComputedStyle(box);
    if (style.textOverflow === 'ellipsis') continue;
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    ruler.font = getComputedStyle(parent).font;
    const widest = (best, word) => {
      const width = ruler.measureText(word).width;
      return width > best.width ? { word, width } : best;
    };
    const longest = node.textContent.split(/\s+/).reduce(widest, { word: '', width: 0 });
    if (longest.width > room + 1) {
      const where = `<${box.tagName.toLowerCase()}> ${Math.round(room)} px wide`;
      squeezed.push(`"${longest.word}" (${Math.round(longest.width)} px) in ${where}`);
    }
  }
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [role=link], [role=gridcell], summary'
  )].filter((el) => visible(el) && !el.closest('.vh, .skip'));
  const overlaps = [];
  const name = (el) => `<${el.tagName.toLowerCase()}> "${
    (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
  // An inline link that wraps has one box per line (its bounding box would cover its neighbours' lines).
  const boxes = (el) => (getComputedStyle(el).display === 'inline'
    ? [...el.getClientRects()] : [el.getBoundingClientRect()]);
  for (let i = 0; i < controls.length; i++) {
    const a = boxes(controls[i]);
    for (let j = i + 1; j < controls.length; j++) {
      if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
      const b = boxes(controls[j]);
      const overlap = (r, q) => Math.min(r.right, q.right) - Math.max(r.left, q.left) > 1
        && Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top) > 1;
      if (a.some((r) => b.some((q) => overlap(r, q)))) {
        overlaps.push(`${name(controls[i])} overlaps ${name(controls[j])}`);
      }
    }
  }
  return {
    width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    squeezed: squeezed.slice(0, 10),
    overlaps: overlaps.slice(0, 10),
  };
}"""


def layout_defects(page: Page) -> list[str]:
    """What is wrong with the page's layout at its current width (empty when nothing is)."""
    found = page.evaluate(_LAYOUT_PROBE)
    defects = []
    if found["width"] > found["viewport"]:
        defects.append(f"sideways scroll: {found['width']} px wide in a {found['viewport']} px viewport")
    defects += [f"text laid out narrower than its longest word: {word}" for word in found["squeezed"]]
    defects += [f"overlapping controls: {pair}" for pair in found["overlaps"]]
    return defects


def all_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core violations of any impact (the layout walk tolerates none)."""
    axe_violations(page)  # loads axe if needed
    return list(
        page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
    )


def check_layout(
    watch: PageWatch, name: str, widths: tuple[int, ...] = LAYOUT_WIDTHS, expected_statuses: tuple[int, ...] = ()
) -> None:
    """The page state as it is now, at every width: no sideways scroll, no squeezed word, no overlapping
    controls, no axe violation of any impact, no script or console error, and no failed load except answers
    the state is about (`expected_statuses`, e.g. 422 for form errors). Screenshots at 390 and 1280 px go to
    .run/screenshots (and to docs/screenshots when KALENO_SCREENSHOTS=docs, as `make screenshots` does)."""
    import os

    page = watch.page
    original = page.viewport_size or {"width": 1280, "height": 900}
    problems: list[str] = []
    folders = [SCREENSHOTS] + ([COMMITTED_SCREENSHOTS] if os.environ.get("KALENO_SCREENSHOTS") == "docs" else [])
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(50)  # one layout pass after the resize
            problems += [f"{width} px: {defect}" for defect in layout_defects(page)]
            problems += [f"{width} px: axe {v['impact']} {v['id']}: {v['nodes'][:3]}" for v in all_axe_violations(page)]
            if width in SCREENSHOT_WIDTHS:
                for folder in folders:
                    folder.mkdir(parents=True, exist_ok=True)
                    snap(page, folder, f"{name}-{width}")
    finally:
        page.set_viewport_size(original)
    problems += watch.errors
    problems += [
        f"console: {line}"
        for line in watch.failed_loads
        if not any(f"status of {status} " in line for status in expected_statuses)
    ]
    assert not problems, f"{name}:\n" + "\n".join(problems)
