"""The whole story in a real browser: a host signs in for the first time and is led through the setup on a
phone, a visitor in another zone books on a phone (the emails it causes render without sideways scrolling
there), reschedules and cancels, Google Calendar follows, and the host sees each change on the dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import (
    NON_ESSENTIAL_COOKIES,
    PageWatch,
    assert_accessible,
    assert_no_sideways_scroll,
    snap,
)
from tests.browser.test_dashboard_bookings import open_section
from tests.support import Google, unique_email

HOST_ZONE = "Europe/Berlin"
VISITOR_ZONE = "Asia/Tokyo"  # 7 or 8 hours ahead of the host: the host's afternoon is the visitor's night
PHONE = {"width": 390, "height": 844}


def _event_of(google: Google, email: str, booking_id: str) -> dict[str, Any] | None:
    google.drain_tasks()
    found = [e for e in google.events(email) if e["extendedProperties"]["private"].get("kalenoBookingId") == booking_id]
    return found[0] if found else None


def _start_in(event: dict[str, Any], zone: str) -> datetime:
    return datetime.fromisoformat(event["start"]["dateTime"]).astimezone(ZoneInfo(zone))


def _first_free_time(page: Page) -> tuple[str, str]:
    """Choose the first free day (on a phone the month and its times are steps), click its first free time;
    returns (its label, its RFC 3339 start)."""
    page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    times = page.get_by_role("list", name=re.compile(r"^Free times on"))
    first = times.get_by_role("button").first
    expect(first).to_be_visible()
    label, start = first.inner_text(), first.get_attribute("data-start") or ""
    first.click()
    return label, start


def test_host_sets_up_visitor_books_reschedules_and_cancels(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google, api: str, screenshots: Path
) -> None:
    host_email = unique_email()
    google.create_account(host_email, name="Ada Host", time_zone=HOST_ZONE)
    slug = f"ada-{host_email[5:11]}"

    # --- The host signs in for the first time on a phone (the sandbox consents as the latest account) and is
    # led through the setup: page address, time zone and hours, a first event type, the link to share. ---
    host_context, host = open_context("UTC", **PHONE)  # a browser in UTC: the zone comes from Google Calendar
    host_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    dash = host.page
    dash.goto("/")
    expect(dash.get_by_role("region", name="Cookies")).to_be_visible()
    dash.get_by_role("button", name="Reject non-essential").click()
    expect(dash.get_by_role("region", name="Cookies")).to_have_count(0)
    dash.get_by_role("link", name="Sign in with Google").click()
    expect(dash.get_by_role("heading", name="Welcome to Kaleno", level=1)).to_be_visible()
    address = dash.get_by_role("textbox", name="Page address")
    expect(address).to_have_value("ada-host")  # suggested from the name
    address.fill(slug)
    expect(dash.get_by_role("status").filter(has_text="Available.")).to_be_visible()
    dash.get_by_role("button", name="Continue").click()
    expect(dash.get_by_role("combobox", name="Time zone")).to_have_value(HOST_ZONE)  # Google Calendar's zone
    dash.get_by_role("button", name="Continue").click()
    dash.get_by_label("Title").fill("Intro call")
    dash.get_by_role("button", name="Create event type").click()
    link = f"{api}/{slug}/intro-call"
    expect(dash.get_by_role("link", name=link)).to_be_visible()
    dash.get_by_role("button", name="Copy link").click()
    assert dash.evaluate("() => navigator.clipboard.readText()") == link
    assert_no_sideways_scroll(dash)
    dash.get_by_role("button", name="Go to your dashboard").click()
    expect(dash.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    me = dash.request.get("/hosts/me").json()
    assert (me["slug"], me["time_zone"], me["onboarded"]) == (slug, HOST_ZONE, True)
    [intro] = dash.request.get("/hosts/me/event-types").json()["event_types"]
    assert (intro["title"], intro["duration_minutes"]) == ("Intro call", 30)

    open_section(dash, "Availability")
    hours = dash.get_by_role("region", name="Availability")
    expect(hours.get_by_label("Time zone of these hours")).to_have_value(HOST_ZONE)
    for day in ("Monday", "Friday"):  # the setup's hours: weekdays 09:00-17:00
        expect(hours.get_by_label(f"{day} from")).to_have_value("09:00")
    for day in ("Saturday", "Sunday"):  # every day open, so the test does not depend on today's weekday
        hours.get_by_role("checkbox", name=day).check()
    hours.get_by_label("Monday from").fill("08:00")
    day_off = (datetime.now(ZoneInfo(HOST_ZONE)).date() + timedelta(days=12)).isoformat()
    hours.get_by_label("Date", exact=True).fill(day_off)
    hours.get_by_role("button", name="Add date override").click()
    overrides = hours.get_by_role("list", name="Date overrides")
    expect(overrides).to_contain_text("day off")
    hours.get_by_role("button", name="Save hours").click()
    expect(hours.get_by_text("Hours saved.")).to_be_visible()
    schedule = dash.request.get("/hosts/me/schedule").json()
    assert schedule["weekly"]["sat"] == [["09:00", "17:00"]]
    assert schedule["weekly"]["mon"] == [["08:00", "17:00"]]
    assert schedule["overrides"] == {day_off: []}

    open_section(dash, "Event types")
    types = dash.get_by_role("region", name="Event types")
    expect(types.get_by_role("link", name=link)).to_be_visible()
    google.drain_tasks()  # the first busy refresh: nothing is offered before it
    assert_accessible(dash)
    assert_no_sideways_scroll(dash)
    snap(dash, screenshots, "dashboard-390")
    dash.set_viewport_size({"width": 1280, "height": 900})
    snap(dash, screenshots, "dashboard-desktop")

    # --- A visitor in Tokyo books from the public page, on a phone. ---
    visitor_context, visitor = open_context(VISITOR_ZONE, **PHONE)
    page = visitor.page
    page.goto(f"/{slug}/intro-call")
    expect(page.get_by_role("heading", name="Intro call", level=1)).to_be_visible()
    card = page.get_by_role("region", name="Intro call")  # the host card
    expect(card.get_by_text("Ada Host", exact=True)).to_be_visible()
    expect(card.get_by_text("30 minutes", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Cookies")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value(VISITOR_ZONE)  # detected
    free_day = page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first
    expect(free_day).to_have_attribute("aria-pressed", "true")  # the first free day is chosen for you
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    snap(page, screenshots, "booking-390")
    label, start = _first_free_time(page)
    # The visitor sees the host's hours in Tokyo time: 09:00 in Berlin is 17:00 (winter) or 16:00 (summer).
    host_start = datetime.fromisoformat(start).astimezone(ZoneInfo(HOST_ZONE))
    assert start.endswith("+09:00")
    assert label == datetime.fromisoformat(start).strftime("%H:%M")
    assert "08:00" <= host_start.strftime("%H:%M") < "17:00"

    page.get_by_label("Name").fill("Vera Visitor")
    page.get_by_label("Email").fill("vera@example.com")
    page.get_by_label("Notes (optional)").fill("Looking forward to it")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    assert_no_sideways_scroll(page)
    confirmation = page.get_by_role("region", name="You are booked")
    expect(confirmation).to_contain_text(f"Your time ({VISITOR_ZONE})")
    expect(confirmation).to_contain_text(f"Host's time ({HOST_ZONE})")
    expect(confirmation).to_contain_text(host_start.strftime("%H:%M"))
    manage_link = page.get_by_role("link", name="Manage this booking")
    manage_url = manage_link.get_attribute("href") or ""
    named = re.search(r"booking=([^&#]+)", manage_url)
    assert named is not None, manage_url
    booking_id = named.group(1)
    assert "#token=" in manage_url  # the manage token travels in the fragment: never sent to a server
    # Add to calendar: Google and Outlook by link, any other calendar by the API's own .ics (the UID the
    # emailed invitation carries, so adding both never makes two meetings).
    add = page.get_by_role("group", name="Add to calendar")
    utc_start = datetime.fromisoformat(start).astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    google_link = add.get_by_role("link", name="Google Calendar").get_attribute("href") or ""
    assert google_link.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE&")
    assert f"dates={utc_start}%2F" in google_link
    outlook = add.get_by_role("link", name="Outlook").get_attribute("href") or ""
    assert outlook.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert "token" not in google_link + outlook  # no manage link travels to another site
    with page.expect_download() as download_info:
        add.get_by_role("button", name="Other calendar (.ics)").click()
    ics = Path(download_info.value.path()).read_bytes().decode()
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert f"DTSTART:{utc_start}\r\n" in ics
    assert re.search(rf"\r\nUID:\w*{re.escape(booking_id)}@kaleno\.app\r\n", ics), ics

    event = _event_of(google, host_email, booking_id)
    assert event is not None
    assert _start_in(event, VISITOR_ZONE) == datetime.fromisoformat(start)
    assert event["attendees"][0]["email"] == "vera@example.com"

    # The emails the first booking caused, as a phone shows them: nothing scrolls sideways.
    mails = google.mail(to="vera@example.com") + google.mail(to=host_email)
    assert mails, "the booking sent no email"
    reader = visitor_context.new_page()
    for mail in mails:
        assert mail["html"], mail["subject"]
        reader.set_content(mail["html"])
        assert_no_sideways_scroll(reader)
    reader.close()

    dash.set_viewport_size({"width": 1280, "height": 900})
    open_section(dash, "Bookings")
    bookings = dash.get_by_role("region", name="Bookings")
    bookings.get_by_role("button", name="Refresh bookings").click()
    upcoming = bookings.get_by_role("list", name="Upcoming bookings")
    expect(upcoming.get_by_role("listitem")).to_have_count(1)
    expect(upcoming).to_contain_text("Intro call: Vera Visitor")
    expect(upcoming).to_contain_text(host_start.strftime("%H:%M"))
    expect(upcoming).to_contain_text("In your calendar")

    # --- The visitor reschedules from the manage page. ---
    manage_link.click()
    expect(page.get_by_role("status").filter(has_text="Your booking is confirmed.")).to_be_visible()
    expect(page.get_by_text("Vera Visitor")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Reschedule").click()
    _new_label, new_start = _first_free_time(page)
    assert new_start != start
    page.get_by_role("button", name="Confirm new time").click()
    expect(page.get_by_role("status").filter(has_text="Your booking was moved to")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_sideways_scroll(page)
    snap(page, screenshots, "manage-375")

    event = _event_of(google, host_email, booking_id)
    assert event is not None
    assert _start_in(event, VISITOR_ZONE) == datetime.fromisoformat(new_start)
    new_host_start = datetime.fromisoformat(new_start).astimezone(ZoneInfo(HOST_ZONE))
    bookings.get_by_role("button", name="Refresh bookings").click()
    expect(upcoming).to_contain_text(new_host_start.strftime("%H:%M"))
    expect(upcoming).to_contain_text("In your calendar")

    # --- The visitor cancels, with a reason. ---
    page.get_by_role("button", name="Cancel booking").click()
    page.get_by_label("Reason (optional)").fill("Something came up")
    page.get_by_role("button", name="Confirm cancellation").click()
    expect(page.get_by_role("status").filter(has_text="Your booking is cancelled.")).to_be_visible()
    expect(page.get_by_role("button", name="Reschedule")).to_have_count(0)
    assert _event_of(google, host_email, booking_id) is None
    bookings.get_by_role("button", name="Refresh bookings").click()
    expect(bookings.get_by_role("list", name="Cancelled bookings")).to_contain_text("Intro call: Vera Visitor")
    expect(upcoming).to_contain_text("No upcoming bookings.")

    # --- Consent: nothing non-essential happened so far; accepting loads analytics, first-party only. ---
    assert visitor.analytics_requests() == []
    assert not (visitor.cookie_names() & NON_ESSENTIAL_COOKIES)
    assert visitor.foreign_requests() == []
    with page.expect_request(re.compile(r"/web/js/analytics\.js$")):
        page.get_by_role("button", name="Accept analytics").click()
    expect(page.get_by_role("region", name="Cookies")).to_have_count(0)
    page.wait_for_function("() => document.cookie.includes('kaleno_analytics=')")  # set once the module ran
    assert {"kaleno_consent", "kaleno_analytics"} <= visitor.cookie_names()
    assert next(c for c in visitor_context.cookies() if c["name"] == "kaleno_consent")["httpOnly"]
    page.reload()
    expect(page.get_by_role("heading", name="Intro call", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Cookies")).to_have_count(0)  # the choice is remembered
    assert visitor.foreign_requests() == []

    # The host, who rejected: still no analytics after reloading, and nothing from another origin but sign-in.
    dash.reload()
    expect(dash.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(dash.get_by_role("region", name="Cookies")).to_have_count(0)
    assert host.analytics_requests() == []
    assert not (host.cookie_names() & NON_ESSENTIAL_COOKIES)
    assert all(url.startswith(google.url) for url in host.foreign_requests()), host.foreign_requests()
