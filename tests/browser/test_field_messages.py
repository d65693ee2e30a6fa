"""The booking form shows the server's plain sentences beside each field, every invalid field at once: a
missing name, a mistyped email and the unanswered questions are marked by one try, not one after another."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.browser.pages import PageWatch, assert_accessible, assert_no_sideways_scroll, snap
from tests.browser.test_booking_questions import EVERY_DAY, _pick_first_time
from tests.support import Browser, Google, host_with_hours

QUESTIONS = [
    {"id": "company", "label": "Company", "kind": "short_text", "required": True},
    {"id": "recording", "label": "The call may be recorded", "kind": "checkbox", "required": True},
]


def test_one_try_marks_the_name_the_email_and_every_unanswered_question_in_words(
    open_context: Callable[..., tuple[BrowserContext, PageWatch]],
    browser: Browser,
    google: Google,
    screenshots: Path,
) -> None:
    slug, _ = host_with_hours(browser, google, "Europe/Berlin", EVERY_DAY, questions=QUESTIONS)
    _, visitor = open_context("Europe/Berlin")
    page = visitor.page
    page.goto(f"/{slug}/call")
    _pick_first_time(page)

    name, email = page.get_by_label("Name"), page.get_by_label("Email")
    email.fill("vera@")
    page.get_by_role("button", name="Confirm booking").click()

    company = page.get_by_role("textbox", name="Company")
    recording = page.get_by_role("checkbox", name="The call may be recorded")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile("Enter your name"))
    expect(email).to_have_accessible_description(re.compile("Enter an email address such as name@example.com"))
    expect(company).to_have_accessible_description("Answer this question")
    expect(recording).to_have_accessible_description("Tick this box to continue")
    expect(name).to_be_focused()  # the first marked field in the form's order
    expect(page.get_by_role("alert").filter(has_text="Please correct the marked fields.")).to_be_visible()
    assert_accessible(page)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_sideways_scroll(page)
        snap(page, screenshots, f"booking-form-every-error-{width}")

    # Corrected and answered: booked, and nothing is marked any more.
    name.fill("Vera Visitor")
    email.fill("vera@example.com")
    company.fill("Acme")
    recording.check()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("region", name="You are booked")).to_be_visible()
