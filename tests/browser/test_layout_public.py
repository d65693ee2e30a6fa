"""The layout walk of the public pages (issue 24): every state an invitee meets — host page, month, times,
form, form errors, confirmation, manage, reschedule, cancel, erase, a group session's seats, a host who cannot
take bookings, a used private link, a month with no free time — checked at 320, 390, 768, 1280 and 1440 px
(no sideways scroll, no word squeezed, no overlapping controls, no axe violation, no console error)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import PageWatch, check_layout
from tests.support import Browser, Google, host_with_hours

EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DESCRIPTION = (
    "A first conversation about your project.\n"
    "Bring your questions; the agenda is at https://example.org/agenda.\n\n"
    "Please be on time."
)
OpenContext = Callable[..., tuple[BrowserContext, PageWatch]]


def _free_day(page: Page) -> None:
    """Choose the first day with free times (at every width the day's times then show)."""
    page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    expect(page.get_by_role("list", name=re.compile(r"^Free times on"))).to_be_visible()


def _first_time(page: Page) -> None:
    page.get_by_role("list", name=re.compile(r"^Free times on")).get_by_role("button").first.click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()


def test_layout_of_the_booking_journey_from_the_host_page_to_erasure(
    open_context: OpenContext, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(
        browser,
        google,
        "Europe/Berlin",
        EVERY_DAY,
        title="Intro call",
        description=DESCRIPTION,
        location={"kind": "google_meet"},
    )
    second = {"slug": "review", "title": "Project review", "duration_minutes": 60, "description": "An hour, in depth."}
    assert browser.post("/hosts/me/event-types", json=second).status_code == 201
    _, visitor = open_context("America/New_York")
    page = visitor.page

    page.goto(f"/{slug}")
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Intro call")).to_be_visible()
    check_layout(visitor, "host-page")

    page.get_by_role("link", name="Intro call").click()
    expect(page.get_by_role("heading", name="Intro call", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="https://example.org/agenda")).to_have_attribute(
        "rel", "noopener nofollow ugc"
    )
    expect(page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first).to_be_visible()
    check_layout(visitor, "booking-month")

    _free_day(page)
    check_layout(visitor, "booking-times")

    _first_time(page)
    check_layout(visitor, "booking-form")

    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    check_layout(visitor, "booking-form-errors", expected_statuses=(422,))

    page.get_by_label("Name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    check_layout(visitor, "confirmation", expected_statuses=(422,))

    page.get_by_role("link", name="Manage this booking").click()
    expect(page.get_by_role("heading", name="When")).to_be_visible()
    check_layout(visitor, "manage", expected_statuses=(422,))

    page.get_by_role("button", name="Reschedule").click()
    _free_day(page)
    check_layout(visitor, "manage-reschedule", expected_statuses=(422,))

    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_label("Reason (optional)")).to_be_visible()
    check_layout(visitor, "manage-cancel", expected_statuses=(422,))

    page.get_by_role("button", name="Erase my details").click()
    page.get_by_role("button", name="Erase them for good").click()
    expect(page.get_by_role("main").get_by_text("were erased")).to_be_visible()
    check_layout(visitor, "manage-erased", expected_statuses=(422,))


def test_layout_of_a_group_sessions_times_with_seats_left(
    open_context: OpenContext, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(
        browser,
        google,
        "UTC",
        EVERY_DAY,
        title="Group workshop",
        seats=12,
        location={"kind": "in_person", "value": "Main Street 1"},
    )
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"/{slug}/call")
    _free_day(page)
    first = page.get_by_role("list", name=re.compile(r"^Free times on")).get_by_role("button").first
    expect(first).to_have_accessible_name(re.compile(r"^\d\d:\d\d 12 seats left$"))
    check_layout(visitor, "booking-seats")


def test_layout_of_a_host_who_cannot_take_bookings(open_context: OpenContext, browser: Browser, google: Google) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Intro call")
    assert browser.post("/hosts/me/disconnect").status_code in (200, 202, 204)
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"/{slug}/call")
    expect(page.get_by_role("heading", name="No times to book right now")).to_be_visible()
    expect(page.get_by_text("Ada Lovelace cannot take bookings at the moment.")).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    check_layout(visitor, "booking-host-unavailable", expected_statuses=(409,))


def test_layout_of_a_used_private_link(open_context: OpenContext, browser: Browser, google: Google, api: str) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Private call", visibility="private")
    types = browser.get("/hosts/me/event-types").json()["event_types"]
    created = browser.post(f"/hosts/me/event-types/{types[0]['id']}/links", json={})
    assert created.status_code == 201, created.text
    link = created.json()
    start = datetime.now(ZoneInfo("UTC")).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=7)
    booked = browser.session.post(
        f"{api}/bookings",
        json={
            "host": slug,
            "event_type": "call",
            "start": start.isoformat(),
            "link": link["token"],
            "invitee": {"name": "First", "email": "first@example.org", "time_zone": "UTC"},
        },
        headers={"Idempotency-Key": "layout-used-link-1"},
        timeout=10,
    )
    assert booked.status_code == 201, booked.text
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"/{slug}/call#link={link['token']}")
    expect(page.get_by_role("heading", name="This link can no longer be used", level=1)).to_be_visible()
    expect(page.get_by_text("already used for a booking")).to_be_visible()
    check_layout(visitor, "booking-link-used", expected_statuses=(410,))


def test_layout_of_a_month_without_free_time_points_to_the_next_free_day(
    open_context: OpenContext, browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Intro call")
    today = datetime.now(ZoneInfo("UTC")).date()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (next_month + timedelta(days=32)).replace(day=1)
    days = range((after - next_month).days)
    closed: dict[str, list[list[str]]] = {(next_month + timedelta(days=n)).isoformat(): [] for n in days}
    saved = browser.put("/hosts/me/schedule", json={"time_zone": "UTC", "weekly": EVERY_DAY, "overrides": closed})
    assert saved.status_code == 200, saved.text
    _, visitor = open_context("UTC")
    page = visitor.page
    page.goto(f"/{slug}/call")
    expect(page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first).to_be_visible()
    page.get_by_role("button", name="Next month").click()
    jump = page.get_by_role("button", name=f"Go to {after.day} {after.strftime('%B')}")
    expect(jump).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="The next free day is")).to_be_visible()
    check_layout(visitor, "booking-month-empty")

    jump.click()
    expect(page.get_by_role("heading", name=_month_title(after))).to_be_visible()
    expect(page.locator(f'button[data-day="{after.isoformat()}"]')).to_be_focused()


def _month_title(day: date) -> str:
    return f"{day.strftime('%B')} {day.year}"


def test_layout_of_the_booking_page_and_confirmation_in_dark_mode(
    open_context: OpenContext, browser: Browser, google: Google
) -> None:
    """The same tokens in dark: every colour pair still passes axe's contrast check."""
    slug, _ = host_with_hours(
        browser, google, "UTC", EVERY_DAY, title="Group workshop", seats=5, description=DESCRIPTION
    )
    _, visitor = open_context("UTC", color_scheme="dark")
    page = visitor.page
    page.goto(f"/{slug}/call")
    _free_day(page)
    assert page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor") == "rgb(21, 22, 27)"
    check_layout(visitor, "dark-booking-times")

    _first_time(page)
    page.get_by_label("Name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    check_layout(visitor, "dark-confirmation")


def test_layout_nothing_shifts_while_the_booking_page_loads(
    open_context: OpenContext, browser: Browser, google: Google
) -> None:
    """Cumulative layout shift of a first visit (the cookie banner included) on a slow connection, measured as
    Lighthouse does (layout-shift entries without recent input), at a phone's and a desktop's width: ≤ 0.02."""
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, title="Intro call", description=DESCRIPTION)
    for width, height in ((390, 844), (1350, 940)):
        _, visitor = open_context("UTC", width=width, height=height)
        page = visitor.page
        network = page.context.new_cdp_session(page)
        network.send("Network.enable")
        network.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 100_000},
        )
        page.goto(f"/{slug}/call")
        expect(page.get_by_role("region", name="Cookies")).to_be_attached()
        expect(page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first).to_be_visible()
        page.wait_for_timeout(500)
        shift = page.evaluate(LAYOUT_SHIFT)
        assert shift <= 0.02, f"{width} px: cumulative layout shift {shift:.3f}"


LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => resolve(total), 200);
})"""
