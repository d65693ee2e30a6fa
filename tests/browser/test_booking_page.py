"""The public booking page on its own: keyboard only, inline errors from problem+json, a slot taken
meanwhile (409), escaping of what people type, and a phone-sized screen."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, assert_accessible, assert_no_sideways_scroll, snap
from tests.support import Browser, Google, host_with_hours

EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def test_a_visitor_books_with_the_keyboard_sees_inline_errors_and_a_taken_slot(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    api: str,
    screenshots: Path,
) -> None:
    slug, _ = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY, title="Quick chat")
    _, visitor = open_context("America/New_York", width=375, height=812)
    page = visitor.page
    page.goto(f"/{slug}/call")
    expect(page.get_by_role("heading", name="Quick chat", level=1)).to_be_visible()

    # Keyboard only: a free day, then its first time, then the form (focus follows each step).
    day = page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first
    day.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Times on"))).to_be_focused()
    page.keyboard.press("Tab")
    first_time = page.get_by_role("list", name=re.compile("^Free times on")).get_by_role("button").first
    expect(first_time).to_be_focused()
    start = first_time.get_attribute("data-start") or ""
    assert re.search(r"-0[45]:00$", start), start  # New York time
    page.keyboard.press("Enter")
    name = page.get_by_label("Name")
    expect(name).to_be_focused()
    page.keyboard.type("<img src=x onerror=alert(1)>Eve")
    page.keyboard.press("Tab")
    email = page.get_by_label("Email")
    expect(email).to_be_focused()
    page.keyboard.type("not-an-email")
    snap(page, screenshots, "booking-form-375")
    assert_no_sideways_scroll(page)

    # The server refuses the email: the message sits under the field and is its accessible description.
    page.get_by_role("button", name="Confirm booking").press("Enter")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("email", re.IGNORECASE))
    expect(email).to_be_focused()
    assert_accessible(page)

    # Someone else takes the slot meanwhile: the page says so and offers the day's remaining times.
    taken = someone_else_books(api, slug, start)
    assert taken.status_code == 201, taken.text
    email.fill("eve@example.com")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("alert").filter(has_text="was just taken")).to_be_visible()
    times = page.get_by_role("list", name=re.compile("^Free times on"))
    expect(times.get_by_role("button").first).to_be_visible()
    expect(times.locator(f'[data-start="{start}"]')).to_have_count(0)

    # Another time: booked, and on the manage page the name shows as the text that was typed.
    times.get_by_role("button").first.click()
    page.get_by_label("Name").fill("<img src=x onerror=alert(1)>Eve")
    page.get_by_label("Email").fill("eve@example.com")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("link", name="Manage this booking").click()
    expect(page.get_by_text("<img src=x onerror=alert(1)>Eve", exact=True)).to_be_visible()
    assert page.locator("img").count() == 0
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    # The invitee's rights from the manage page: correct, download, erase.
    page.get_by_role("button", name="Correct my details").click()
    page.get_by_label("Name").fill("Eve Adams")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_role("main").get_by_text("Your details were saved.")).to_be_visible()
    expect(page.get_by_text("Eve Adams", exact=True)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert "Eve Adams" in json.dumps(exported)
    assert "other@example.com" not in json.dumps(exported)  # nothing of the other invitee
    page.get_by_role("button", name="Erase my details").click()
    page.get_by_role("button", name="Erase them for good").click()
    expect(page.get_by_role("main").get_by_text("were erased")).to_be_visible()
    expect(page.get_by_text("Eve Adams", exact=True)).to_have_count(0)


def test_an_unknown_booking_page_says_so(open_context: Callable[..., tuple[BrowserContext, PageWatch]]) -> None:
    _, visitor = open_context("Europe/Paris")
    visitor.page.goto("/nobody-here/nothing")
    expect(visitor.page.get_by_role("heading", name="Page not found", level=1)).to_be_visible()
    expect(visitor.page.get_by_role("main").get_by_role("status")).to_contain_text(
        "There is no booking page at this address"
    )


def test_a_manage_link_with_a_wrong_token_is_refused(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
) -> None:
    _, visitor = open_context("Europe/Paris")
    visitor.page.goto("/manage?booking=abc#token=abc.forged")
    expect(visitor.page.get_by_role("main").get_by_role("status")).to_contain_text("This manage link is not valid")


def test_a_group_sessions_times_say_how_many_seats_are_left(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google, api: str
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Workshop", seats=3)
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"/{slug}/call")
    page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    first_time = page.get_by_role("list", name=re.compile("^Free times on")).get_by_role("button").first
    start = first_time.get_attribute("data-start") or ""
    expect(first_time).to_contain_text("3 seats left")

    booked = someone_else_books(api, slug, start)
    page.reload()
    page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()

    assert booked.status_code == 201, booked.text
    expect(page.locator(f'button[data-start="{start}"]')).to_have_accessible_name(re.compile(r"2 seats left$"))
    assert_accessible(page)
    visitor.assert_healthy()


def someone_else_books(api: str, slug: str, start: str) -> requests.Response:
    """Another invitee books `start` over the API while the page is open."""
    return requests.post(
        f"{api}/bookings",
        json={
            "host": slug,
            "event_type": "call",
            "start": start,
            "invitee": {"name": "Other", "email": "other@example.com", "time_zone": "UTC"},
        },
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )


def test_the_month_grid_is_one_tab_stop_moved_through_with_arrows_home_end_and_page_keys(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Quick chat")
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"/{slug}/call")
    grid = page.get_by_role("grid")
    chosen = grid.locator('button[aria-pressed="true"]')
    expect(chosen).to_have_count(1)
    start = date.fromisoformat(chosen.get_attribute("data-day") or "")
    assert grid.locator('button[tabindex="0"]').count() == 1  # one Tab stop: the chosen day
    days_in_month = (_next_month(start) - start.replace(day=1)).days
    assert grid.locator('button[tabindex="-1"]').count() == days_in_month - 1

    def focused_day() -> date:
        return date.fromisoformat(page.evaluate("() => document.activeElement.dataset.day"))

    chosen.focus()
    page.keyboard.press("ArrowRight")
    assert focused_day() == start + timedelta(days=1)
    page.keyboard.press("ArrowDown")
    assert focused_day() == start + timedelta(days=8)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    assert focused_day() == start
    page.keyboard.press("Home")
    assert focused_day().weekday() == 0
    page.keyboard.press("End")
    assert focused_day().weekday() == 6
    assert grid.locator('button[tabindex="0"]').count() == 1  # the Tab stop moved with the focus

    # Page Down: the same day next month, the grid showing that month, the focus still on a day.
    before = focused_day()
    page.keyboard.press("PageDown")
    expect(page.get_by_role("heading", name=_month_name(_next_month(before)))).to_be_visible()
    expect(grid.locator(f'button[data-day="{_same_day_next_month(before).isoformat()}"]')).to_be_focused()
    page.keyboard.press("PageUp")
    expect(grid.locator(f'button[data-day="{before.isoformat()}"]')).to_be_focused()

    # Enter chooses the focused day (when it has free times); Tab leaves the grid in one step.
    free = grid.get_by_role("button", name=re.compile(r"\d+ free times?$")).last
    free.focus()
    page.keyboard.press("Enter")
    expect(free).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name=re.compile("^Times on"))).to_be_focused()
    visitor.assert_healthy()


def test_the_manage_page_opens_the_step_an_email_button_asks_for(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google, api: str
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    booked = someone_else_books(api, slug, start.isoformat())
    assert booked.status_code == 201, booked.text
    manage = f"/manage?booking={booked.json()['id']}&action=%s#token={booked.json()['manage_token']}"
    _, visitor = open_context("UTC")
    page = visitor.page

    page.goto(manage % "reschedule")
    expect(page.get_by_role("heading", name="Pick a new time")).to_be_focused()
    expect(page.get_by_role("grid")).to_be_visible()

    page.goto("about:blank")
    page.goto(manage % "cancel")
    expect(page.get_by_label("Reason (optional)")).to_be_focused()
    expect(page.get_by_role("button", name="Confirm cancellation")).to_be_visible()
    visitor.assert_healthy()


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _same_day_next_month(day: date) -> date:
    first = _next_month(day)
    last = (_next_month(first) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


def _month_name(first: date) -> str:
    return f"{first.strftime('%B')} {first.year}"
