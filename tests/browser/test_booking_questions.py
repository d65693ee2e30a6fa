"""The booking form asks the host's questions: one labelled control per question, a required one left empty
is marked beside itself, and the answers, the place and the Google Meet link follow the booking to the
confirmation and the manage page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import PageWatch, assert_accessible, assert_no_sideways_scroll, fact, snap
from tests.support import Browser, Google, host_with_hours

EVERY_DAY = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
QUESTIONS = [
    {"id": "company", "label": "Company", "kind": "short_text", "required": True},
    {"id": "agenda", "label": "What should we discuss?", "kind": "long_text"},
    {
        "id": "team",
        "label": "Team size",
        "kind": "single_choice",
        "required": True,
        "options": ["1-10", "11-50", "51+"],
    },
    {"id": "topics", "label": "Topics", "kind": "multiple_choice", "options": ["Pricing", "Onboarding"]},
    {"id": "mobile", "label": "Backup number", "kind": "phone"},
    {"id": "recording", "label": "The call may be recorded", "kind": "checkbox", "required": True},
]


def _pick_first_time(page: Page) -> None:
    # On a phone the day's times are a step of their own: the first free day is chosen, then its first time.
    page.get_by_role("button", name=re.compile(r"\d+ free times?$")).first.click()
    times = page.get_by_role("list", name=re.compile(r"^Free times on"))
    times.get_by_role("button").first.click()


def test_a_visitor_answers_the_questions_a_missing_one_is_marked_beside_it_and_answers_reach_the_manage_page(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    screenshots: Path,
) -> None:
    calls_the_invitee = {"kind": "phone"}  # no number of the host's: the form asks for the invitee's
    slug, _ = host_with_hours(
        browser,
        google,
        "Europe/Berlin",
        EVERY_DAY,
        title="Discovery call",
        location=calls_the_invitee,
        questions=QUESTIONS,
    )
    _, visitor = open_context("Europe/Berlin")
    page = visitor.page
    page.goto(f"/{slug}/call")
    expect(page.get_by_text("Phone call (the host calls you)")).to_be_visible()
    _pick_first_time(page)

    # Each question is its own labelled control; the required ones say so to assistive technology too.
    company = page.get_by_role("textbox", name="Company")
    expect(company).to_have_attribute("aria-required", "true")
    expect(page.get_by_role("textbox", name="What should we discuss?")).to_have_attribute("maxlength", "2000")
    team = page.get_by_role("radiogroup", name="Team size")
    expect(team).to_have_attribute("aria-required", "true")
    expect(team.get_by_role("radio")).to_have_count(3)
    topics = page.get_by_role("group", name="Topics")
    expect(topics.get_by_role("checkbox")).to_have_count(2)
    expect(page.get_by_role("textbox", name="Backup number")).to_have_attribute("type", "tel")
    recording = page.get_by_role("checkbox", name="The call may be recorded")
    expect(recording).to_have_attribute("aria-required", "true")
    phone = page.get_by_role("textbox", name="Phone number")
    expect(phone).to_have_attribute("required", "")

    # Name, email and phone given, the required questions left empty: each is marked beside itself, the
    # first one in the form gets the focus.
    page.get_by_label("Name").fill("Vera Visitor")
    page.get_by_label("Email").fill("vera@example.com")
    phone.fill("+49 30 1234567")
    page.get_by_role("button", name="Confirm booking").click()
    expect(company).to_have_attribute("aria-invalid", "true")
    expect(company).to_have_accessible_description("Answer this question")
    expect(company).to_be_focused()
    expect(team).to_have_accessible_description("Answer this question")
    expect(recording).to_have_accessible_description("Tick this box to continue")
    expect(phone).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").filter(has_text="Please correct the marked fields.")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    snap(page, screenshots, "booking-questions-errors-375")

    # Answered: booked, and the errors are gone from the controls that were marked.
    company.fill("Acme <b>Ltd</b>")
    team.get_by_role("radio", name="11-50").check()
    topics.get_by_role("checkbox", name="Pricing").check()
    topics.get_by_role("checkbox", name="Onboarding").check()
    recording.check()
    page.get_by_role("button", name="Confirm booking").click()
    confirmation = page.get_by_role("region", name="You are booked")
    expect(confirmation).to_contain_text("Phone call: +49 30 1234567")

    # The manage page shows the place and every answer as it was given.
    page.get_by_role("link", name="Manage this booking").click()
    expect(page.get_by_role("heading", name="Your answers")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Phone call: +49 30 1234567")
    answers = {
        "Company": "Acme <b>Ltd</b>",
        "Team size": "11-50",
        "Topics": "Pricing, Onboarding",
        "The call may be recorded": "Yes",
    }
    for label, value in answers.items():
        expect(fact(main, label)).to_have_text(value)
    expect(main.locator("dt", has_text="What should we discuss?")).to_have_count(0)  # left empty: not listed
    assert page.locator("b").count() == 0  # text, never markup
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)


def test_a_google_meet_booking_shows_its_link_once_google_made_it(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]], browser: Browser, google: Google
) -> None:
    slug, _ = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY, location={"kind": "google_meet"})
    _, visitor = open_context("Europe/Berlin", width=375, height=812)
    page = visitor.page
    page.goto(f"/{slug}/call")
    expect(page.get_by_text("Google Meet")).to_be_visible()
    _pick_first_time(page)
    page.get_by_label("Name").fill("Mia Meet")
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_role("button", name="Confirm booking").click()

    # Google creates the Meet after the event is written: the confirmation looks again until it has the link.
    confirmation = page.get_by_role("region", name="You are booked")
    meet = confirmation.get_by_role("link", name=re.compile(r"^https:\/\/meet\.google\.com\/"))
    expect(meet).to_be_visible(timeout=20_000)
    meet_url = meet.get_attribute("href") or ""
    assert_accessible(page)

    page.get_by_role("link", name="Manage this booking").click()
    expect(page.get_by_role("main").get_by_text("Google Meet", exact=True)).to_be_visible()
    link = page.get_by_role("main").get_by_role("link", name=re.compile(r"^https:\/\/meet\.google\.com\/"))
    expect(link).to_have_attribute("href", meet_url)
    assert visitor.foreign_requests() == []  # a link to Meet, nothing loaded from there
    assert_no_sideways_scroll(page)
    assert_accessible(page)
