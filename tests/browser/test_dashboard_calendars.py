"""The host's calendars in the dashboard: the section explains why and asks for the calendar list only when its
button is pressed; back from Google's consent it offers every calendar as a conflict checkbox and the owned
ones as write calendars; the choice is saved; a refusal is said and keeps the primary calendar. axe-clean at
desktop and 375 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, check_both_widths
from tests.browser.test_dashboard_bookings import open_section, sign_in
from tests.e2e.test_bookings import EVERY_DAY
from tests.support import Browser, Google, host_with_hours

CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"


def test_the_host_opens_the_setting_grants_the_list_and_chooses_calendars(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    screenshots: Path,
) -> None:
    _, email = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY)
    work = google.add_calendar(email, "Work")
    google.add_calendar(email, "Team (shared)", access_role="reader")
    _, host = open_context("Europe/Berlin")
    page = host.page
    sign_in(page)
    open_section(page, "Calendars")
    section = page.get_by_role("region", name="Calendars")

    # Before the button: the reason is explained, nothing is listed, and Google was never asked for the list.
    expect(section).to_contain_text("never what your events are about")
    choose = section.get_by_role("button", name="Choose calendars")
    expect(choose).to_be_visible()
    assert CALENDAR_LIST not in browser.get("/hosts/me").json()["granted_scopes"]
    check_both_widths(page, screenshots, "dashboard-calendars-ask-375")

    choose.click()
    conflict = section.get_by_role("group", name="Calendars that block your booking times")
    expect(conflict.get_by_role("checkbox")).to_have_count(3)
    expect(conflict.get_by_role("checkbox", name=f"{email} (primary)")).to_be_checked()
    expect(conflict.get_by_role("checkbox", name="Work")).not_to_be_checked()
    write = section.get_by_label("Calendar that receives new bookings")
    expect(write).to_have_accessible_description(re.compile("Only calendars you own"))
    expect(write.locator("option")).to_have_text([f"{email} (primary)", "Work"])  # not the shared one
    check_both_widths(page, screenshots, "dashboard-calendars-choose-375")

    conflict.get_by_role("checkbox", name="Work").check()
    conflict.get_by_role("checkbox", name="Team (shared)").check()
    write.select_option(label="Work")
    section.get_by_role("button", name="Save calendars").click()
    expect(section.get_by_role("status").first).to_have_text(re.compile("3 calendars block your booking times"))

    saved = browser.get("/hosts/me/calendars").json()
    assert saved["write"] == work
    assert saved["conflict"][:2] == [email, work]
    assert len(saved["conflict"]) == 3
    page.reload()
    expect(section.get_by_label("Calendar that receives new bookings")).to_have_value(work)
    assert google.state()["foreign_events_read"] == 0


def test_a_host_who_refuses_the_list_is_told_and_keeps_the_primary_calendar(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
) -> None:
    _, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    google.update_account(email, deny_scopes=[CALENDAR_LIST])
    _, host = open_context("UTC")
    page = host.page
    sign_in(page)
    open_section(page, "Calendars")
    section = page.get_by_role("region", name="Calendars")

    section.get_by_role("button", name="Choose calendars").click()

    expect(section.get_by_role("status").first).to_have_text(re.compile("primary calendar stays in use"))
    expect(section.get_by_role("button", name="Choose calendars")).to_be_visible()
    expect(page.get_by_role("region", name="Google Calendar")).to_contain_text("Connected")
    assert "calendars=refused" not in page.url  # said once, not again after a reload
