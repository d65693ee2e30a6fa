"""The host's side of the booking form and of the bookings: editing an event type's location and questions
(with errors beside the fields), the answers in the bookings list, a meeting moved in Google onto another
booking's time (keep it once it no longer clashes, or put it back), rescheduling, and past bookings."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import PageWatch, assert_accessible, assert_no_sideways_scroll, fact, snap
from tests.support import Browser, Google, host_with_hours

T = TypeVar("T")
HOST_ZONE = "Europe/Berlin"
EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def eventually(check: Callable[[], T], timeout: float = 20) -> T:
    """Poll until `check` returns something truthy (a push from Google is refreshed after its debounce)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.25)


def sign_in(page: Page) -> None:
    """The dashboard's own sign-in (the sandbox consents as the account created last: the test's host). A new
    host is led through the first-run setup, skipped here (test_layout_dashboard.py walks it)."""
    page.goto("/")
    page.get_by_role("button", name="Reject non-essential").click()
    page.get_by_role("link", name="Sign in with Google").click()
    page.get_by_role("button", name="Skip setup").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def open_section(page: Page, name: str) -> None:
    """A dashboard section, from its navigation (each section is its own page)."""
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")


def starts_at(api: str, slug: str, day: str, clock: str) -> dict[str, str]:
    """The offered slot starting at `clock` (host's time) on `day`."""
    params = {"from": day, "to": day, "tz": HOST_ZONE}
    slots = requests.get(f"{api}/bookings/pages/{slug}/call/slots", params=params, timeout=10).json()["slots"]
    return next(slot for slot in slots if slot["start"][11:16] == clock)


def book(api: str, slug: str, slot: dict[str, str], name: str, answers: dict[str, Any]) -> dict[str, Any]:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@example.org"
    body = {
        "host": slug,
        "event_type": "call",
        "start": slot["start"],
        "invitee": {"name": name, "email": email, "time_zone": HOST_ZONE},
        "answers": answers,
    }
    response = requests.post(f"{api}/bookings", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert response.status_code == 201, response.text
    return dict(response.json())


def host_view(browser: Browser, booking_id: str) -> dict[str, Any]:
    found = [b for b in browser.get("/hosts/me/bookings").json()["bookings"] if b["id"] == booking_id]
    assert found, booking_id
    return dict(found[0])


def move_in_google(google: Google, email: str, booking_id: str, slot: dict[str, str]) -> None:
    """The host drags the booking's event in Google Calendar onto `slot`'s time."""
    google.patch_event(
        email, f"kal{booking_id}", {"start": {"dateTime": slot["start"]}, "end": {"dateTime": slot["end"]}}
    )


def test_the_host_edits_location_and_questions_and_sees_the_answers(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    api: str,
    screenshots: Path,
) -> None:
    slug, _ = host_with_hours(browser, google, HOST_ZONE, EVERY_DAY, title="Consultation")
    _, host = open_context(HOST_ZONE)
    page = host.page
    sign_in(page)
    types = page.get_by_role("region", name="Event types")
    types.get_by_role("button", name="Edit Consultation").click()

    # A video link needs its address: said beside the field, in the form's words.
    types.get_by_label("Location").select_option(label="Video link")
    types.get_by_role("button", name="Save event type").click()
    link = types.get_by_label("Meeting link")
    expect(link).to_have_attribute("aria-invalid", "true")
    expect(link).to_have_accessible_description(re.compile("Enter the meeting link"))
    expect(link).to_be_focused()
    types.get_by_label("Location").select_option(label="In person")
    types.get_by_label("Meeting address").fill("Main Street 1, Berlin")

    # Three questions added, the last removed; a choice without options is refused beside its options.
    types.get_by_role("button", name="Add a question").click()
    first = types.get_by_role("group", name="Question 1")
    expect(first.get_by_label("Question text")).to_be_focused()
    first.get_by_label("Question text").fill("Company")
    first.get_by_role("checkbox", name="Answer required").check()
    types.get_by_role("button", name="Add a question").click()
    second = types.get_by_role("group", name="Question 2")
    second.get_by_label("Question text").fill("Topic")
    second.get_by_label("Answer type").select_option(label="One choice (radio buttons)")
    types.get_by_role("button", name="Add a question").click()
    types.get_by_role("group", name="Question 3").get_by_label("Question text").fill("Temporary")
    types.get_by_role("button", name="Remove question 3").click()
    expect(types.get_by_role("group", name="Question 3")).to_have_count(0)
    types.get_by_role("button", name="Save event type").click()
    options = second.get_by_label("Options, one per line")
    expect(options).to_have_attribute("aria-invalid", "true")
    expect(options).to_have_accessible_description(re.compile("Add at least one option"))
    expect(options).to_be_focused()
    assert_accessible(page)

    # Options given; "Topic" moved first (focus stays on a move button that can still act).
    options.fill("Pricing\nOnboarding\n")
    types.get_by_role("button", name="Move up question 2").click()
    expect(types.get_by_role("button", name="Move down question 1")).to_be_focused()
    expect(types.get_by_role("group", name="Question 1").get_by_label("Question text")).to_have_value("Topic")
    types.get_by_role("button", name="Save event type").click()
    expect(types.get_by_role("status").first).to_contain_text("Consultation was saved.")
    expect(types).to_contain_text("In person · 2 questions")
    saved = browser.get("/hosts/me/event-types").json()["event_types"][0]
    assert saved["location"] == {"kind": "in_person", "value": "Main Street 1, Berlin"}
    assert [(q["id"], q["label"], q["kind"], q["required"], q["options"]) for q in saved["questions"]] == [
        ("topic", "Topic", "single_choice", False, ["Pricing", "Onboarding"]),
        ("company", "Company", "short_text", True, None),
    ]

    # A visitor answers; the host's list shows the answers and the place.
    day = (datetime.now(ZoneInfo(HOST_ZONE)).date() + timedelta(days=2)).isoformat()
    book(api, slug, starts_at(api, slug, day, "10:00"), "Ann Early", {"company": "Acme", "topic": "Pricing"})
    open_section(page, "Bookings")
    bookings = page.get_by_role("region", name="Bookings")
    bookings.get_by_role("button", name="Refresh bookings").click()
    item = bookings.get_by_role("list", name="Upcoming bookings").get_by_role("listitem").filter(has_text="Ann Early")
    expect(fact(item, "Company")).to_have_text("Acme")
    expect(fact(item, "Topic")).to_have_text("Pricing")
    expect(item).to_contain_text("In person: Main Street 1, Berlin")
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    snap(page, screenshots, "dashboard-questions-375")


def test_the_host_resolves_a_meeting_moved_onto_another_bookings_time_and_reschedules(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    api: str,
    screenshots: Path,
) -> None:
    question = {"id": "company", "label": "Company", "kind": "short_text", "required": True}
    slug, email = host_with_hours(browser, google, HOST_ZONE, EVERY_DAY, questions=[question])
    day = (datetime.now(ZoneInfo(HOST_ZONE)).date() + timedelta(days=2)).isoformat()
    early_slot, late_slot = starts_at(api, slug, day, "10:00"), starts_at(api, slug, day, "12:00")
    ann = book(api, slug, early_slot, "Ann Early", {"company": "Ann Co"})
    bea = book(api, slug, late_slot, "Bea Late", {"company": "Bea Co"})
    google.drain_tasks()

    # The host drags Ann's meeting in Google onto Bea's time: Ann's booking waits for the host's decision.
    move_in_google(google, email, ann["id"], late_slot)
    assert eventually(lambda: host_view(browser, ann["id"])["status"] == "needs_attention")

    # Ann's manage page says what happened, and that her booked time stands meanwhile.
    _, invitee = open_context(HOST_ZONE, width=375, height=812)
    manage = invitee.page
    manage.goto(f"/manage?booking={ann['id']}#token={ann['manage_token']}")
    expect(manage.get_by_role("status").filter(has_text="clashes with another meeting")).to_be_visible()
    expect(manage.get_by_text("Time being confirmed by the host")).to_be_visible()
    expect(manage.get_by_role("main")).to_contain_text("10:00–10:30")
    assert_no_sideways_scroll(manage)
    assert_accessible(manage)

    _, host = open_context(HOST_ZONE)
    page = host.page
    sign_in(page)
    open_section(page, "Bookings")
    bookings = page.get_by_role("region", name="Bookings")
    upcoming = bookings.get_by_role("list", name="Upcoming bookings")
    ann_item = upcoming.get_by_role("listitem").filter(has_text="Ann Early")
    expect(ann_item).to_contain_text("Needs your decision")
    expect(ann_item).to_contain_text("Moved in Google Calendar to")
    expect(ann_item.locator(".moved-time")).to_contain_text("12:00–12:30")
    expect(fact(ann_item, "Company")).to_have_text("Ann Co")
    assert_accessible(page)

    # Keeping the new time is refused while Bea holds it: the reason is announced where the host acted.
    ann_item.get_by_role("button", name="Keep the new time").click()
    clash = ann_item.get_by_role("alert")
    expect(clash).to_contain_text("overlaps another booking")
    expect(clash).to_be_focused()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    snap(page, screenshots, "dashboard-needs-attention-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Put back: confirmed at the booked time, and Google's event follows.
    ann_item.get_by_role("button", name="Put back the original time").click()
    expect(bookings.get_by_role("status").first).to_contain_text("is back at")
    expect(ann_item).to_contain_text("Confirmed")
    expect(ann_item).not_to_contain_text("Moved in Google Calendar")
    expect(ann_item).to_be_focused()

    def ann_event_start() -> datetime | None:
        google.drain_tasks()
        event = next(e for e in google.events(email) if e["id"] == f"kal{ann['id']}")
        return datetime.fromisoformat(event["start"]["dateTime"])

    assert eventually(lambda: ann_event_start() == datetime.fromisoformat(early_slot["start"]))

    # Moved onto Bea's time again; the host cancels Bea (with a reason), then keeps Ann's new time.
    move_in_google(google, email, ann["id"], late_slot)
    assert eventually(lambda: host_view(browser, ann["id"])["status"] == "needs_attention")
    bookings.get_by_role("button", name="Refresh bookings").click()
    expect(ann_item).to_contain_text("Needs your decision")
    bookings.get_by_role("button", name="Cancel booking with Bea Late").click()
    bookings.get_by_label("Reason (optional)").fill("Double booked")
    bookings.get_by_role("button", name="Confirm cancellation").click()
    cancelled = (
        bookings.get_by_role("list", name="Cancelled bookings").get_by_role("listitem").filter(has_text="Bea Late")
    )
    expect(fact(cancelled, "Reason for cancelling")).to_have_text("Double booked")
    ann_item.get_by_role("button", name="Keep the new time").click()
    expect(bookings.get_by_role("status").first).to_contain_text("now takes the new time")
    expect(ann_item).to_contain_text("12:00–12:30")
    expect(ann_item).to_contain_text("Confirmed")
    assert datetime.fromisoformat(host_view(browser, ann["id"])["start"]) == datetime.fromisoformat(bea["start"])

    # The host reschedules Ann to another time the booking page offers.
    ann_item.get_by_role("button", name="Reschedule booking with Ann Early").click()
    times = ann_item.get_by_role("list", name=re.compile("^Free times on"))
    choice = times.get_by_role("button").first
    new_start = choice.get_attribute("data-start") or ""
    choice.click()
    assert_accessible(page)
    ann_item.get_by_role("button", name="Confirm new time").click()
    expect(bookings.get_by_role("status").first).to_contain_text("was moved to")
    moved = host_view(browser, ann["id"])
    assert datetime.fromisoformat(moved["start"]) == datetime.fromisoformat(new_start)

    # Past bookings: the other half of the list, asked for by `when`.
    bookings.get_by_role("button", name="Past").click()
    expect(bookings.get_by_role("button", name="Past")).to_have_attribute("aria-pressed", "true")
    expect(bookings.get_by_role("list", name="Past bookings")).to_contain_text("No past bookings.")
    bookings.get_by_role("button", name="Upcoming").click()
    expect(upcoming.get_by_role("listitem").filter(has_text="Ann Early")).to_be_visible()
    assert_accessible(page)
