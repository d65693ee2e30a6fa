"""Private event types and single-use links in the browser: the host makes a type private (it leaves the
public page), creates a link (shown once, copied; a past expiry marked on its field), a visitor books through
it, the link then says it was used, and a second link is revoked; axe-clean at desktop and 375 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import requests
from playwright.sync_api import BrowserContext, Locator, expect

from tests.browser.pages import PageWatch, assert_accessible, assert_no_sideways_scroll, check_both_widths
from tests.browser.test_dashboard_bookings import sign_in
from tests.e2e.test_bookings import EVERY_DAY
from tests.support import Browser, Google, host_with_hours

HOST_ZONE = "Europe/Berlin"


def create_link(section: Locator, expires: str = "") -> str:
    """Create a link from the open panel; returns the address shown once."""
    section.get_by_label("Expires (optional)").fill(expires)
    section.get_by_role("button", name="Create single-use link").click()
    box = section.get_by_role("textbox", name="New single-use link")
    expect(box).to_be_focused()
    return box.input_value()


def test_the_host_makes_a_type_private_and_books_it_out_through_a_single_use_link(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    api: str,
    sensitive: set[str],
    screenshots: Path,
) -> None:
    slug, _ = host_with_hours(browser, google, HOST_ZONE, EVERY_DAY, title="Call")
    context, host = open_context(HOST_ZONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    page = host.page
    sign_in(page)
    types = page.get_by_role("region", name="Event types")

    # Made private in the edit form: it leaves the public page and its address answers "not found".
    types.get_by_role("button", name="Edit Call").click()
    types.get_by_label("Visibility").select_option("private")
    types.get_by_role("button", name="Save event type").click()
    item = types.get_by_role("list", name="Your event types").get_by_role("listitem").filter(has_text="Call")
    expect(item.get_by_text("Private", exact=True)).to_be_visible()
    expect(item.get_by_role("button", name="Copy link for Call")).to_have_count(0)
    assert requests.get(f"{api}/bookings/pages/{slug}", timeout=10).json()["event_types"] == []
    assert requests.get(f"{api}/bookings/pages/{slug}/call", timeout=10).status_code == 404

    # Its single-use links: a past expiry is marked on its field; then a link is shown once and copied.
    toggle = item.get_by_role("button", name="Single-use links for Call")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    panel = item.get_by_role("region", name="Single-use links for Call")
    expect(panel.get_by_role("status").first).to_have_text("No single-use links yet.")
    expires = panel.get_by_label("Expires (optional)")
    expires.fill("2020-01-01T10:00")
    panel.get_by_role("button", name="Create single-use link").click()
    expect(expires).to_have_attribute("aria-invalid", "true")
    expect(expires).to_have_accessible_description(re.compile("Choose a time in the future"))
    url = create_link(panel)
    assert re.search(rf"/{slug}/call#link=lk[0-9a-f]{{20}}\.[A-Za-z0-9_-]{{43}}$", url), url
    token = url.split("#link=")[1]
    sensitive.add(token)
    box = panel.get_by_role("textbox", name="New single-use link")
    expect(box).to_have_attribute("readonly", "")
    expect(box).to_have_accessible_description(re.compile("will not be shown again"))
    panel.get_by_role("button", name="Copy link to send").click()
    expect(panel.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    links = panel.get_by_role("list", name="Single-use links for Call").get_by_role("listitem")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text("Open")
    check_both_widths(page, screenshots, "dashboard-single-use-link-375")

    # A visitor opens the link (its token only in the fragment), books, and the link is spent.
    _, visitor = open_context("Asia/Tokyo")
    guest = visitor.page
    guest.goto(url)
    expect(guest.get_by_role("heading", name="Call", level=1)).to_be_visible()
    assert token not in guest.url  # read once, then out of the address bar (the tab keeps it for a reload)
    guest.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    guest.get_by_role("list", name=re.compile("^Free times on")).get_by_role("button").first.click()
    guest.get_by_label("Name").fill("Lin Guest")
    guest.get_by_label("Email").fill("lin@example.org")
    guest.get_by_role("button", name="Confirm booking").click()
    expect(guest.get_by_role("heading", name="You are booked")).to_be_visible()
    assert not [request for request in visitor.requests if token in request]  # sent in a header, never a URL
    guest.reload()
    expect(guest.get_by_role("heading", name="This link can no longer be used", level=1)).to_be_visible()
    expect(guest.get_by_role("main").get_by_role("status")).to_contain_text("already used")
    assert_accessible(guest)

    # The host sees it used; a second link is revoked and says so.
    toggle.click()
    toggle.click()
    expect(links.first).to_contain_text("Used")
    create_link(panel)
    expect(links).to_have_count(2)
    panel.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(panel.get_by_role("status").filter(has_text="was revoked")).to_be_visible()
    expect(links.filter(has_text="Revoked")).to_have_count(1)
    expect(panel.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(0)
    check_both_widths(page, screenshots, "dashboard-single-use-links-list-375")


def test_the_hosts_public_page_lists_only_public_types(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, HOST_ZONE, EVERY_DAY, title="Call", visibility="private")
    intro = {"slug": "intro", "title": "Intro", "duration_minutes": 15}
    assert browser.post("/hosts/me/event-types", json=intro).status_code == 201
    _, visitor = open_context("Europe/Paris", width=375, height=812)
    page = visitor.page

    page.goto(f"/{slug}")

    meetings = page.get_by_role("list", name="Meetings you can book")
    expect(meetings.get_by_role("link", name="Intro")).to_have_attribute("href", f"/{slug}/intro")
    expect(meetings.get_by_role("link")).to_have_count(1)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
