"""Before a host confirms a disconnect or the deletion of their account, the dashboard says how many bookings
still to come it will cancel (and that each invitee is told); confirming the disconnect then does so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, expect

from tests.browser.pages import PageWatch, check_both_widths
from tests.browser.test_dashboard_bookings import open_section, sign_in
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.support import Browser, Google, host_with_hours


def looked_at(section: Locator, screenshots: Path, name: str) -> None:
    """Accessible and without sideways scroll at a phone's width; the section itself shot at 375 and 1280 px
    (the whole dashboard's layout walk is the dashboard rebuild's: issue 24)."""
    page = section.page
    check_both_widths(page, screenshots, name)
    section.screenshot(path=str(screenshots / f"{name}-section-1280.png"))
    page.set_viewport_size({"width": 375, "height": 812})
    section.screenshot(path=str(screenshots / f"{name}-section-375.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_confirmations_say_how_many_bookings_a_disconnect_or_deletion_cancels(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    api: str,
    screenshots: Path,
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    invitees = []
    for days in (2, 3):
        body = booking_body(slug, day_ahead(days, 10))
        assert post_booking(api, body).status_code == 201
        invitees.append(body["invitee"]["email"])
    google.drain_tasks()
    _, host = open_context("UTC")
    page = host.page
    sign_in(page)

    open_section(page, "Privacy")
    data = page.get_by_role("region", name="Privacy and your data")
    data.get_by_role("button", name="Delete my account").click()
    expect(data).to_contain_text("2 bookings still to come will be cancelled. Each invitee gets a cancellation email")
    looked_at(data, screenshots, "dashboard-delete-confirm")
    data.get_by_role("button", name="Keep my account").click()

    open_section(page, "Calendars")
    calendar = page.get_by_role("region", name="Google Calendar")
    calendar.get_by_role("button", name="Disconnect calendar").click()
    expect(calendar).to_contain_text("2 bookings still to come will be cancelled.")
    looked_at(calendar, screenshots, "dashboard-disconnect-confirm")
    calendar.get_by_role("button", name="Yes, disconnect").click()
    expect(calendar.get_by_text("Not connected", exact=True)).to_be_visible()

    google.drain_tasks()
    for invitee in invitees:
        subjects = [str(mail["subject"]) for mail in google.mail(to=invitee)]
        assert [subject.split(":")[0] for subject in subjects] == ["Confirmed", "Cancelled"]
