"""The host dashboard beyond the journey: event types edited, copied and deleted; inline errors; export;
disconnect and the reconnect prompt; deleting the account."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, assert_accessible
from tests.browser.test_dashboard_bookings import open_section
from tests.support import Google, unique_email


def test_a_host_manages_event_types_data_and_account(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google, api: str
) -> None:
    email = unique_email()
    google.create_account(email, name="Bo Host", time_zone="America/New_York")
    context, host = open_context("America/New_York")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    page = host.page
    page.goto("/")
    assert_accessible(page)  # the signed-out page, banner included
    page.get_by_role("link", name="Sign in with Google").click()
    page.get_by_role("button", name="Skip setup").click()  # the first-run setup: test_layout_dashboard.py
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # Event types: a bad slug is refused inline; then created, edited, copied, deleted.
    types = page.get_by_role("region", name="Event types")
    types.get_by_label("Title").fill("Office hours")
    types.get_by_label("Address (slug)").fill("Office Hours!")
    types.get_by_role("button", name="Create event type").click()
    slug_input = types.get_by_label("Address (slug)")
    expect(slug_input).to_have_attribute("aria-invalid", "true")
    expect(slug_input).to_have_accessible_description(re.compile("lowercase letters, digits and hyphens"))
    slug_input.fill("office-hours")
    types.get_by_text("More options").click()
    types.get_by_label("Daily limit (bookings)").fill("3")
    types.get_by_role("button", name="Create event type").click()
    expect(types.get_by_role("heading", name="Office hours")).to_be_visible()
    expect(types).to_contain_text("at most 3 a day")

    types.get_by_role("button", name="Edit Office hours").click()
    types.get_by_label("Title").fill("Open office")
    types.get_by_role("button", name="Save event type").click()
    expect(types.get_by_role("heading", name="Open office")).to_be_visible()
    types.get_by_role("button", name="Copy link for Open office").click()
    expect(types.get_by_text("Link copied.")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert re.fullmatch(rf"{re.escape(api)}/[a-z0-9-]+/office-hours", copied), copied

    types.get_by_role("button", name="Delete Open office").click()
    types.get_by_role("button", name="Yes, delete Open office").click()
    expect(types.get_by_role("heading", name="Open office")).to_have_count(0)
    expect(types.get_by_role("status").first).to_contain_text("Open office was deleted.")

    # Export: one JSON document about this host.
    open_section(page, "Privacy")
    data = page.get_by_role("region", name="Your data")
    with page.expect_download() as download:
        data.get_by_role("button", name="Export my data").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["format_version"] >= 1

    # Disconnect: the dashboard says so and offers to reconnect.
    open_section(page, "Calendars")
    calendar = page.get_by_role("region", name="Google Calendar")
    calendar.get_by_role("button", name="Disconnect calendar").click()
    calendar.get_by_role("button", name="Yes, disconnect").click()
    expect(calendar.get_by_text("Not connected", exact=True)).to_be_visible()
    reconnect = calendar.get_by_role("link", name="Reconnect Google Calendar")
    expect(reconnect).to_have_attribute("href", re.compile(r"^/oauth/start\?return_to="))
    assert_accessible(page)
    reconnect.click()
    expect(calendar.get_by_text("Connected", exact=True)).to_be_visible()

    # Delete the account: only after ticking the confirmation.
    open_section(page, "Privacy")
    data.get_by_role("button", name="Delete my account").click()
    really = data.get_by_role("button", name="Delete my account for good")
    expect(really).to_be_disabled()
    data.get_by_role("checkbox", name=re.compile("^I understand")).check()
    really.click()
    expect(page.get_by_text("Your account was deleted.")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="Sign in with Google")).to_be_visible()
    assert page.request.get("/hosts/me").status == 401


def test_a_refused_calendar_permission_gets_a_clear_reconnect_prompt(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], google: Google
) -> None:
    email = unique_email()
    google.create_account(email, name="Cy Host", deny_scopes=["https://www.googleapis.com/auth/calendar.freebusy"])
    _, host = open_context("Europe/London")
    page = host.page
    page.goto("/")
    page.get_by_role("link", name="Sign in with Google").click()
    page.get_by_role("button", name="Skip setup").click()
    open_section(page, "Calendars")
    calendar = page.get_by_role("region", name="Google Calendar")
    expect(calendar.get_by_text("Not connected", exact=True)).to_be_visible()
    expect(calendar.get_by_role("alert")).to_contain_text("see when you are busy")
    assert_accessible(page)

    google.update_account(email, deny_scopes=[])  # this time every box is ticked on Google's consent screen
    calendar.get_by_role("link", name="Reconnect Google Calendar").click()
    expect(calendar.get_by_text("Connected", exact=True)).to_be_visible()
