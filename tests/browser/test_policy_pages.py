"""The cookie policy against what Chromium actually holds: every cookie a response sets or a script writes,
and every storage key, after a visitor accepts analytics, a host signs in and a single-use link is opened,
is listed with the lifetime the browser was given; and both policy pages pass the layout walk."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

from playwright.sync_api import BrowserContext, Response, expect

from shared.config import get_settings
from shared.web.browser_storage import listed, spoken
from tests.browser.pages import NON_ESSENTIAL_COOKIES, PageWatch, check_layout
from tests.support import Google, unique_email

STORAGE_KEYS = """() => ({
  sessionStorage: Object.keys(sessionStorage),
  localStorage: Object.keys(localStorage),
})"""


def test_every_cookie_and_storage_key_a_browser_gets_is_in_the_cookie_policy_as_the_browser_got_it(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google, api: str
) -> None:
    google.create_account(unique_email(), name="Pia Policy", time_zone="Europe/Lisbon")
    context, watch = open_context("Europe/Lisbon")
    page = watch.page
    received: dict[str, int] = {}  # cookie name -> Max-Age, from every Set-Cookie the browser received
    page.on("response", lambda response: received.update(set_cookies(response)))

    page.goto("/")
    assert watch.cookie_names() == set()  # nothing before a choice
    page.get_by_role("button", name="Accept analytics").click()
    expect(page.get_by_text("Analytics allowed.")).to_be_visible()
    page.wait_for_function("() => document.cookie.includes('kaleno_analytics=')")
    page.get_by_role("link", name="Sign in with Google").click()
    page.get_by_role("button", name="Skip setup").click()  # a new host is led through the setup first
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    link_url = single_use_link(page.request, api)
    page.goto(link_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    keys = page.evaluate(STORAGE_KEYS)
    held = {cookie["name"]: cookie for cookie in context.cookies()}
    page.goto("/cookie-policy")
    shown = shown_entries(page)

    settings = get_settings()
    assert set(received) >= {"kaleno_consent", "kaleno_oauth_state", "kaleno_session"}
    assert set(held) >= {"kaleno_consent", "kaleno_session", "kaleno_analytics"}
    assert keys["sessionStorage"]  # the single-use link, kept for a reload
    for name in set(received) | set(held):
        entry = listed("cookie", name)
        assert entry is not None, f"cookie {name} is not in the list"
        assert shown[name]["Consent"].startswith("Needs") is (name in NON_ESSENTIAL_COOKIES)
        assert shown[name]["Lifetime"] == spoken(entry.lifetime(settings))
    for name, max_age in received.items():
        if max_age > 0:  # a deletion (Max-Age=0) is no lifetime
            assert shown[name]["Lifetime"] == spoken(timedelta(seconds=max_age)), name
    analytics_days = (held["kaleno_analytics"]["expires"] - time.time()) / 86400
    assert shown["kaleno_analytics"]["Lifetime"] == f"{round(analytics_days)} days"  # as the script set it
    for kind in ("sessionStorage", "localStorage"):
        for key in keys[kind]:
            entry = listed(kind, key)
            assert entry is not None, f"{kind} key {key} is not in the list"
            assert (entry.shown_name or entry.name) in shown


def test_the_policy_pages_pass_the_layout_walk(open_context: Callable[..., tuple[BrowserContext, PageWatch]]) -> None:
    _, watch = open_context("Europe/Berlin")
    page = watch.page

    page.goto("/privacy-policy")
    expect(page.get_by_role("heading", name="Privacy policy", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Cookies", level=2).first).to_be_visible()  # the banner's
    check_layout(watch, "privacy-policy")
    page.get_by_role("button", name="Reject non-essential").click()
    page.get_by_role("link", name="cookie policy", exact=True).click()
    expect(page.get_by_role("heading", name="Cookie policy", level=1)).to_be_visible()
    check_layout(watch, "cookie-policy")

    assert watch.cookie_names() == {"kaleno_consent"}
    assert watch.foreign_requests() == []


def test_the_policy_pages_in_indonesian_pass_the_layout_walk(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
) -> None:
    _, watch = open_context("Asia/Jakarta")
    page = watch.page

    page.goto("/privacy-policy?lang=id")
    expect(page.get_by_role("heading", name="Kebijakan privasi", level=1)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "id"
    check_layout(watch, "privacy-policy-id")
    page.goto("/cookie-policy?lang=id")
    expect(page.get_by_role("heading", name="Kebijakan cookie", level=1)).to_be_visible()
    check_layout(watch, "cookie-policy-id")

    assert watch.foreign_requests() == []


def set_cookies(response: Response) -> dict[str, int]:
    found: dict[str, int] = {}
    for header in response.headers_array():
        if header["name"].lower() == "set-cookie":
            for name, morsel in SimpleCookie(header["value"]).items():
                found[name] = int(morsel["max-age"] or 0)
    return found


def single_use_link(request: Any, api: str) -> str:
    """As the signed-in host (the page's cookies): an event type and a single-use link to it."""
    origin = {"Origin": api}
    created = request.post(
        "/hosts/me/event-types", data={"slug": "call", "title": "Call", "duration_minutes": 30}, headers=origin
    )
    assert created.status == 201, created.text()
    link = request.post(f"/hosts/me/event-types/{created.json()['id']}/links", data={}, headers=origin)
    assert link.status == 201, link.text()
    return str(link.json()["url"])


def shown_entries(page: Any) -> dict[str, dict[str, str]]:
    """The cookie policy as a reader sees it: each entry's name and its facts (Kind, Purpose, Lifetime, Consent)."""
    entries: dict[str, dict[str, str]] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#browser-storage > li')].map((item) => [
          item.querySelector('h2').textContent.trim(),
          Object.fromEntries([...item.querySelectorAll('dt')].map((term) =>
            [term.textContent.trim(), term.nextElementSibling.textContent.trim()])),
        ]))"""
    )
    return entries
