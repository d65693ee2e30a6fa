"""Field errors over HTTP: plain sentences with stable codes beside each field, and one 422 that names every
invalid field of a booking at once, its answers included (checked against the event type's questions)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.test_booking_experience import ANSWERS, QUESTIONS
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours


@pytest.fixture
def asking_host(browser: Browser, google: Google) -> str:
    slug, _ = host_with_hours(browser, google, "UTC", EVERY_DAY, questions=QUESTIONS)
    return slug


def refused(response: requests.Response) -> dict[str, tuple[str, str]]:
    """The 422's errors by field: (code, message)."""
    problem = assert_problem(response, 422, "validation-error")
    return {error["field"]: (error["code"], error["message"]) for error in problem["errors"]}


def test_one_answer_names_a_bad_name_a_bad_email_and_every_missing_answer(api: str, asking_host: str) -> None:
    body = booking_body(asking_host, day_ahead(3, 10), answers={"topics": ["API"]})
    body["invitee"] = {"name": " ", "email": "ines@", "time_zone": "Europe/Lisbon"}

    found = refused(post_booking(api, body))

    assert found == {
        "invitee.name": ("your-name-required", "Enter your name"),
        "invitee.email": ("email-invalid", "Enter an email address such as name@example.com"),
        "answers.company": ("answer-required", "Answer this question"),
        "answers.agree": ("box-must-be-ticked", "Tick this box to continue"),
    }


def test_an_answer_refused_by_the_model_is_named_once(api: str, asking_host: str) -> None:
    body = booking_body(asking_host, day_ahead(3, 10), answers={**ANSWERS, "topics": [""], "unasked": "x"})
    body["invitee"]["email"] = "not an address"

    found = refused(post_booking(api, body))

    assert found == {  # the model's refusal of an answer stands; the questions add only what it did not name
        "invitee.email": ("email-invalid", "Enter an email address such as name@example.com"),
        "answers.topics": ("answer-invalid", "Answer with text, the options offered, or a ticked box"),
        "answers.unasked": ("question-unknown", "This question is not on this form"),
    }


def test_the_form_is_refused_before_the_time_is_looked_at(api: str, asking_host: str) -> None:
    start = day_ahead(3, 11)
    booked = post_booking(api, booking_body(asking_host, start, answers=ANSWERS))
    unanswered = post_booking(api, booking_body(asking_host, start, answers={"topics": ["API"], "agree": True}))
    answered = post_booking(api, booking_body(asking_host, start, answers=ANSWERS))

    assert booked.status_code == 201, booked.text
    assert refused(unanswered) == {"answers.company": ("answer-required", "Answer this question")}
    assert_problem(answered, 409, "slot-taken")  # the form right: then the time is refused


def test_a_private_event_types_questions_stay_unnamed_without_its_link(
    api: str, asking_host: str, browser: Browser
) -> None:
    private = {"slug": "secret", "title": "Secret", "duration_minutes": 30, "visibility": "private"}
    created = browser.post("/hosts/me/event-types", json={**private, "questions": QUESTIONS})
    body = {**booking_body(asking_host, day_ahead(3, 12)), "event_type": "secret"}
    body["invitee"]["name"] = ""

    found = refused(post_booking(api, body))
    fixed = post_booking(api, {**body, "invitee": {**body["invitee"], "name": "Ines"}})

    assert created.status_code == 201, created.text
    assert found == {"invitee.name": ("your-name-required", "Enter your name")}  # nothing about its questions
    assert_problem(fixed, 404, "not-found")  # as an unknown event type, once the fields are right


def test_the_slots_query_says_what_to_choose(api: str, asking_host: str) -> None:
    answer = requests.get(
        f"{api}/bookings/pages/{asking_host}/call/slots",
        params={"from": "2026-02-30", "to": "2026-03-01", "tz": "Mars/Olympus"},
        timeout=10,
    )

    assert refused(answer) == {
        "from": ("date-invalid", "Enter a date such as 2026-05-04"),
        "tz": ("time-zone-unknown", "Choose a time zone from the list"),
    }


def event_type_refusal(browser: Browser, method: str, path: str, body: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return refused(browser.session.request(method, f"{browser.api}{path}", json=body))


def test_event_type_fields_are_refused_in_words(browser: Browser, asking_host: str) -> None:
    (call,) = browser.get("/hosts/me/event-types").json()["event_types"]
    bad = {"slug": "Team Call!", "title": "", "duration_minutes": 32, "seats": 0, "colour": "blue"}

    created = event_type_refusal(browser, "POST", "/hosts/me/event-types", bad)
    below = event_type_refusal(browser, "PATCH", f"/hosts/me/event-types/{call['id']}", {"daily_minutes_limit": 20})
    many = event_type_refusal(
        browser,
        "PATCH",
        f"/hosts/me/event-types/{call['id']}",
        {"questions": [{"id": f"q{n}", "label": "Q", "kind": "short_text"} for n in range(21)]},
    )

    assert created == {
        "slug": ("slug-invalid", "Use 1–60 lowercase letters, digits and hyphens (not first or last)"),
        "title": ("title-required", "Enter a title"),
        "duration_minutes": ("multiple-of", "Use a multiple of 5"),
        "seats": ("at-least", "Use 1 or more"),
        "colour": ("field-unknown", "This field is not accepted here"),
    }
    assert below == {
        "daily_minutes_limit": ("limit-below-duration", "Must be at least the meeting's length (30 minutes)")
    }
    assert many == {"questions": ("choose-at-most", "Choose at most 20")}
