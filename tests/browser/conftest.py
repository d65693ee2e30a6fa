"""Browser tests: the web client in Debian's Chromium, driven by Playwright for Python.

Playwright's own browser download is not reachable here, so the tests launch `/usr/bin/chromium`
(`apt-get install -y chromium`); axe-core comes from npm (`npm ci`). If either is missing the tests
fail with the command that installs it: they are never skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, expect, sync_playwright

from tests.browser.pages import AXE_SCRIPT, CHROMIUM, SCREENSHOTS, PageWatch

expect.set_options(timeout=10_000)


def _require_tools() -> None:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests drive Debian's chromium. "
            "Install it with: apt-get install -y chromium  (or run `bash .ci/run`, which does)",
            pytrace=False,
        )
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci` in the repository root", pytrace=False)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    _require_tools()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM))
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Written by every run (gitignored); two of them are committed under docs/ and shown in the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def open_context(chromium: Browser, api: str) -> Iterator[Callable[..., tuple[BrowserContext, PageWatch]]]:
    """open_context(timezone_id=..., viewport=..., locale=...) → a fresh browser profile and a watched page in it
    (an English browser unless `locale` says otherwise: it sets Accept-Language and navigator.languages)."""
    opened: list[tuple[BrowserContext, PageWatch]] = []

    def open_one(
        timezone_id: str, width: int = 1280, height: int = 900, locale: str = "en-GB", **options: Any
    ) -> tuple[BrowserContext, PageWatch]:
        context = chromium.new_context(
            base_url=api,
            locale=locale,
            timezone_id=timezone_id,
            viewport={"width": width, "height": height},
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(15_000)
        watch = PageWatch(context.new_page(), api)
        opened.append((context, watch))
        return context, watch

    yield open_one
    for context, watch in opened:
        context.close()
        watch.assert_healthy()
