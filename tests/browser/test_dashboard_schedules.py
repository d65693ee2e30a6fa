"""Schedules in the dashboard: a named schedule created, its hours and time off (with a host-only reason)
set, an event type pointed at it with weekly, monthly and booked-minute limits, a delete refused while the
schedule is in use, renamed, then deleted; inline field errors; axe-clean at desktop and 375 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, assert_accessible, assert_no_sideways_scroll
from tests.browser.test_dashboard_bookings import open_section, sign_in
from tests.support import Google, unique_email

HOST_ZONE = "Europe/Berlin"


def test_a_host_manages_schedules_time_off_and_the_limits_of_an_event_type(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google
) -> None:
    google.create_account(unique_email(), name="Di Host", time_zone=HOST_ZONE)
    _, watch = open_context(HOST_ZONE)
    page = watch.page
    sign_in(page)
    open_section(page, "Availability")
    hours = page.get_by_role("region", name="Availability")
    expect(hours.get_by_role("heading", name="Hours of Working hours")).to_be_visible()

    # A schedule needs a name; then it is created and its hours open.
    hours.get_by_role("button", name="Create schedule").click()
    expect(hours.get_by_label("New schedule's name")).to_have_attribute("aria-invalid", "true")
    hours.get_by_label("New schedule's name").fill("Mornings")
    hours.get_by_role("button", name="Create schedule").click()
    expect(hours.get_by_role("heading", name="Hours of Mornings")).to_be_visible()
    schedules = hours.get_by_role("list", name="Your schedules")
    expect(schedules.get_by_role("heading", name="Mornings")).to_be_visible()

    # Its hours, and a week off with a reason only the host sees.
    hours.get_by_label("Monday from").fill("07:00")
    hours.get_by_label("Monday until").fill("09:00")
    first = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    last = (datetime.now(UTC).date() + timedelta(days=36)).isoformat()
    hours.get_by_label("First day off").fill(last)
    hours.get_by_label("Last day off").fill(first)
    hours.get_by_role("button", name="Add time off").click()
    expect(hours.get_by_role("alert").filter(has_text="cannot be before the first")).to_be_visible()
    hours.get_by_label("First day off").fill(first)
    hours.get_by_label("Last day off").fill(last)
    hours.get_by_label("Reason (only you see it)").fill("Sailing")
    hours.get_by_role("button", name="Add time off").click()
    expect(hours.get_by_role("list", name="Time off")).to_contain_text("Sailing")
    hours.get_by_role("button", name="Save hours").click()
    expect(hours.get_by_text("Hours saved.")).to_be_visible()
    [_, stored] = page.request.get("/hosts/me/schedules").json()["schedules"]
    assert stored["name"] == "Mornings"
    assert stored["weekly"]["mon"] == [["07:00", "09:00"]]
    assert stored["time_off"] == [{"first_day": first, "last_day": last, "reason": "Sailing"}]
    assert_accessible(page)

    # An event type on that schedule, with limits; a minutes limit below the duration is marked on its field.
    open_section(page, "Event types")
    types = page.get_by_role("region", name="Event types")
    types.get_by_label("Title").fill("Early call")
    types.get_by_label("Duration (minutes)").fill("30")
    types.get_by_label("Hours from schedule").select_option(label="Mornings")
    types.get_by_text("More options").click()
    types.get_by_label("Weekly limit (bookings)").fill("3")
    types.get_by_label("Monthly limit (bookings)").fill("10")
    types.get_by_label("Daily limit (booked minutes)").fill("20")
    types.get_by_label("Weekly limit (booked minutes)").fill("120")
    types.get_by_role("button", name="Create event type").click()
    minutes = types.get_by_label("Daily limit (booked minutes)")
    expect(minutes).to_have_attribute("aria-invalid", "true")
    expect(minutes).to_have_accessible_description(re.compile(r"Must be at least the meeting.s length \(30 minutes\)"))
    minutes.fill("60")
    types.get_by_role("button", name="Create event type").click()
    expect(types.get_by_role("heading", name="Early call")).to_be_visible()
    for text in (
        "hours of Mornings",
        "at most 3 a week",
        "at most 10 a month",
        "at most 60 minutes a day",
        "at most 120 minutes a week",
    ):
        expect(types).to_contain_text(text)
    open_section(page, "Availability")
    expect(schedules).to_contain_text("used by 1 event type")

    # In use: the delete is refused and says why; renamed; freed; then deleted.
    schedules.get_by_role("button", name="Delete Mornings").click()
    schedules.get_by_role("button", name="Yes, delete Mornings").click()
    expect(schedules.get_by_role("alert")).to_contain_text("early-call")
    schedules.get_by_role("button", name="Rename Mornings").click()
    schedules.get_by_label("New name for Mornings").fill("Early birds")
    schedules.get_by_role("button", name="Save name").click()
    expect(schedules.get_by_role("heading", name="Early birds")).to_be_visible()
    open_section(page, "Event types")
    expect(types).to_contain_text("hours of Early birds")
    types.get_by_role("button", name="Edit Early call").click()
    types.get_by_label("Hours from schedule").select_option(label="Working hours (default)")
    types.get_by_role("button", name="Save event type").click()
    expect(types.get_by_role("status").first).to_contain_text("Early call was saved.")
    open_section(page, "Availability")
    expect(schedules).to_contain_text("used by 0 event types")
    schedules.get_by_role("button", name="Delete Early birds").click()
    schedules.get_by_role("button", name="Yes, delete Early birds").click()
    expect(schedules.get_by_role("heading", name="Early birds")).to_have_count(0)
    expect(hours.get_by_role("heading", name="Hours of Working hours")).to_be_visible()
    saved_type = page.request.get("/hosts/me/event-types").json()["event_types"][0]
    assert saved_type["schedule_id"] is None
    assert (saved_type["weekly_limit"], saved_type["monthly_limit"]) == (3, 10)
    assert (saved_type["daily_minutes_limit"], saved_type["weekly_minutes_limit"]) == (60, 120)

    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_sideways_scroll(page)
    assert_accessible(page)
