"""The layout walk of the dashboard (issue 24): signed out, each step of the first-run setup, and each section
with data in it, checked at 320, 390, 768, 1280 and 1440 px by `check_layout` (no sideways scroll, no word
squeezed, no overlapping controls, no axe violation of any impact, no console error)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import PageWatch, check_layout
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours, unique_email

HOST_ZONE = "Europe/Berlin"
SIGNED_OUT = (401,)  # GET /hosts/me before sign-in: the page shows the sign-in


def test_layout_signed_out_and_each_setup_step(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google, api: str
) -> None:
    email = unique_email()
    google.create_account(email, name="Lena Layout", time_zone=HOST_ZONE)
    context, watch = open_context(HOST_ZONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    page = watch.page
    page.goto("/dashboard/bookings")
    page.get_by_role("button", name="Reject non-essential").click()
    expect(page.get_by_role("link", name="Sign in with Google")).to_be_visible()
    check_layout(watch, "dashboard-signed-out", expected_statuses=SIGNED_OUT)

    page.get_by_role("link", name="Sign in with Google").click()
    expect(page.get_by_role("heading", name="Welcome to Kaleno", level=1)).to_be_visible()
    assert page.url.endswith("/dashboard/setup"), page.url
    expect(page.get_by_text("Step 1 of 4")).to_be_visible()
    address = page.get_by_role("textbox", name="Page address")
    expect(address).to_have_value("lena-layout")  # suggested from the name
    expect(page.get_by_role("status").filter(has_text="Available.")).to_be_visible()
    check_layout(watch, "dashboard-setup-1-address", expected_statuses=SIGNED_OUT)
    address.fill("Not valid!")
    expect(address).to_have_accessible_description(re.compile("lowercase letters, digits and hyphens", re.I))
    slug = f"lena-{email[5:11]}"
    address.fill(slug)
    expect(page.get_by_role("status").filter(has_text="Available.")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Step 2 of 4")).to_be_visible()
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value(HOST_ZONE)  # from the Google account
    check_layout(watch, "dashboard-setup-2-hours", expected_statuses=(*SIGNED_OUT, 422))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Step 3 of 4")).to_be_visible()
    check_layout(watch, "dashboard-setup-3-event-type", expected_statuses=(*SIGNED_OUT, 422))
    page.get_by_label("Title").fill("Intro call")
    page.get_by_role("button", name="Create event type").click()

    expect(page.get_by_text("Step 4 of 4")).to_be_visible()
    link = f"{api}/{slug}/intro-call"
    expect(page.get_by_role("link", name=link)).to_be_visible()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    check_layout(watch, "dashboard-setup-4-share", expected_statuses=(*SIGNED_OUT, 422))
    page.get_by_role("button", name="Go to your dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert page.url.endswith("/dashboard/event-types")
    schedule = page.request.get("/hosts/me/schedule").json()
    assert schedule["time_zone"] == HOST_ZONE
    assert schedule["weekly"] == {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

    page.reload()  # finished: never shown again
    expect(page.get_by_role("heading", name="Event types", level=2)).to_be_visible()
    expect(page.get_by_text("Step 1 of 4")).to_have_count(0)


def _host_with_data(browser: Browser, google: Google, api: str) -> str:
    """A host with two event types (one a group session of 3 seats), bookings (two in one session, one
    cancelled), a webhook endpoint and the setup done; returns the slug."""
    slug, _ = host_with_hours(browser, google, HOST_ZONE, EVERY_DAY, title="Consultation")
    workshop = {"slug": "workshop", "title": "Workshop", "duration_minutes": 60, "seats": 3, "booking_window_days": 366}
    assert browser.post("/hosts/me/event-types", json=workshop).status_code == 201
    google.drain_tasks()
    booked = [
        post_booking(api, booking_body(slug, day_ahead(4, 10), "Ines Invitee")),
        post_booking(api, booking_body(slug, day_ahead(5, 12), "Carl Cancelled")),
        post_booking(api, booking_body(slug, day_ahead(6, 9), "Gina Group", event_type="workshop")),
        post_booking(api, booking_body(slug, day_ahead(6, 9), "Hugo Group", event_type="workshop")),
    ]
    assert all(response.status_code == 201 for response in booked), [r.text for r in booked]
    cancelled = browser.post(f"/hosts/me/bookings/{booked[1].json()['id']}/cancel", json={"reason": "Double-booked"})
    assert cancelled.status_code == 200, cancelled.text
    google.drain_tasks()
    hook = {"url": "http://127.0.0.1:9/hooks/kaleno", "events": ["booking.created"], "description": "CRM"}
    assert browser.post("/hosts/me/webhooks", json=hook).status_code == 201  # after the bookings: nothing to send
    assert browser.patch("/hosts/me", json={"onboarded": True}).status_code == 200
    return slug


def _open(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name).click()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")


def test_layout_each_dashboard_section_with_data(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google, api: str
) -> None:
    _host_with_data(browser, google, api)
    _, watch = open_context(HOST_ZONE)
    page = watch.page
    page.goto("/")
    page.get_by_role("button", name="Reject non-essential").click()
    page.get_by_role("link", name="Sign in with Google").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert page.url.endswith("/dashboard/event-types")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    types = page.get_by_role("region", name="Event types")
    expect(types.get_by_role("heading", name="Workshop")).to_be_visible()
    check_layout(watch, "dashboard-event-types", expected_statuses=SIGNED_OUT)
    types.get_by_role("button", name="Edit Workshop").click()
    types.get_by_role("button", name="More options").click()
    expect(types.get_by_text("Fixed: this event type has bookings")).to_be_visible()
    expect(types.get_by_label("Reminder email (minutes before)")).to_have_value("1440")
    page.evaluate("scrollTo(0, 0)")  # the form's heading took focus; the screenshot starts at the top like the others
    check_layout(watch, "dashboard-event-type-edit", expected_statuses=SIGNED_OUT)

    sections: list[tuple[str, str, Callable[[], Any]]] = [
        (
            "Availability",
            "dashboard-availability",
            lambda: expect(page.get_by_label("Time zone of these hours")).to_have_value(HOST_ZONE),
        ),
        (
            "Bookings",
            "dashboard-bookings",
            lambda: expect(page.get_by_role("list", name=re.compile("^Attendees, Workshop"))).to_contain_text(
                "Hugo Group"
            ),
        ),
        (
            "Calendars",
            "dashboard-calendars",
            lambda: expect(page.get_by_role("button", name="Choose calendars")).to_be_visible(),
        ),
        (
            "Integrations",
            "dashboard-integrations",
            lambda: expect(page.get_by_text("http://127.0.0.1:9/hooks/kaleno").first).to_be_visible(),
        ),
        ("Profile", "dashboard-profile", lambda: expect(page.get_by_label("Display name")).to_be_visible()),
        (
            "Privacy",
            "dashboard-privacy",
            lambda: expect(page.get_by_role("button", name="Restrict processing")).to_be_visible(),
        ),
    ]
    for label, name, loaded in sections:
        _open(page, label)
        loaded()
        check_layout(watch, name, expected_statuses=SIGNED_OUT)

    # Bookings: one row for the group session with both attendees; the cancelled one in its own list.
    _open(page, "Bookings")
    bookings = page.get_by_role("region", name="Bookings")
    upcoming = bookings.get_by_role("list", name="Upcoming bookings")
    expect(upcoming.locator(":scope > li")).to_have_count(2)
    expect(bookings.get_by_role("list", name="Cancelled bookings")).to_contain_text("Carl Cancelled")
    bookings.get_by_label("Search by invitee name or email").fill("hugo")
    expect(upcoming.locator(":scope > li")).to_have_count(1)
    expect(upcoming).not_to_contain_text("Gina Group")
    expect(upcoming).to_contain_text("2 attendees, 1 shown")
    check_layout(watch, "dashboard-bookings-search", expected_statuses=SIGNED_OUT)

    # Each section has its own address: reload and Back land where they were.
    page.reload()
    expect(page.get_by_role("region", name="Bookings")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("region", name="Privacy and your data")).to_be_visible()

    # Only the shown section loads its data, and nothing is asked that the host has not granted.
    assert not [url for url in requested if "/hosts/me/calendars" in url]
    assert [line for line in watch.failed_loads if "status of 401" not in line] == []


# Every layout shift the page makes by itself (not after a click or a key), summed: stricter than Lighthouse's
# cumulative layout shift, which counts the worst window of shifts only. What moved is kept for the message.
_SHIFT_WATCH = """
window.__layoutShift = 0;
window.__shifted = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__layoutShift += entry.value;
    for (const source of entry.sources || []) {
      const node = source.node;
      const label = node ? String(node.id || node.className || node.textContent || '').slice(0, 30) : '';
      const name = node ? `${node.nodeName} ${label}` : '?';
      window.__shifted.push(`${entry.value.toFixed(3)} ${name} ${source.previousRect.y}->${source.currentRect.y}`);
    }
  }
}).observe({ type: "layout-shift", buffered: true });
"""
# What shows that each section's data has arrived: (role, accessible name).
SECTION_LOADED: dict[str, tuple[Literal["heading", "button"], str]] = {
    "event-types": ("heading", "Workshop"),
    "availability": ("heading", "Hours of Working hours"),
    "bookings": ("heading", "Workshop: group session"),
    "calendars": ("button", "Choose calendars"),
    "integrations": ("heading", "http://127.0.0.1:9/hooks/kaleno"),
    "profile": ("button", "Save profile"),
    "privacy": ("button", "Export my data"),
}


def test_layout_sections_load_without_shifting(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google, api: str
) -> None:
    _host_with_data(browser, google, api)
    for width in (390, 1280):
        context, watch = open_context(HOST_ZONE, width=width)
        context.add_init_script(_SHIFT_WATCH)
        page = watch.page
        page.goto("/")
        page.get_by_role("button", name="Reject non-essential").click()
        expect(page.get_by_role("region", name="Cookies")).to_have_count(0)  # the choice is stored
        page.reload()  # the cookie choice is made: the page as a returning visitor loads it
        expect(page.get_by_role("link", name="Sign in with Google")).to_be_visible()
        page.wait_for_timeout(300)
        shift = page.evaluate("window.__layoutShift")
        assert shift <= 0.02, f"signed out at {width} px shifted by {shift:.3f}: {page.evaluate('window.__shifted')}"
        page.get_by_role("link", name="Sign in with Google").click()
        for section, (role, name) in SECTION_LOADED.items():
            page.goto(f"/dashboard/{section}")
            expect(page.get_by_role(role, name=name).first).to_be_visible()
            page.wait_for_timeout(300)
            shift = page.evaluate("window.__layoutShift")
            moved = page.evaluate("window.__shifted")
            assert shift <= 0.02, f"{section} at {width} px shifted by {shift:.3f} while it loaded: {moved}"
