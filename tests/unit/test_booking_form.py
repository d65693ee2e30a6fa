"""The booking form: an event type's questions and location, and the answers a booking keeps."""

from typing import Any

import pytest
from pydantic import ValidationError

from shared.domain.booking_form import Location, Question, checked_form
from shared.domain.errors import InvalidAnswers
from shared.domain.event_type import EventType

QUESTIONS = [
    Question(id="company", label="Company", kind="short_text", required=True),
    Question(id="agenda", label="Agenda", kind="long_text"),
    Question(id="size", label="Team size", kind="single_choice", options=["1-10", "11-50", "51+"]),
    Question(id="topics", label="Topics", kind="multiple_choice", options=["Pricing", "Security", "API"]),
    Question(id="mobile", label="Mobile", kind="phone"),
    Question(id="terms", label="I accept the terms", kind="checkbox", required=True),
]


def problems(answers: dict[str, Any], location: Location | None = None, phone: str | None = None) -> dict[str, str]:
    with pytest.raises(InvalidAnswers) as raised:
        checked_form(QUESTIONS, location, answers, phone)
    return {problem.field: problem.code for problem in raised.value.problems}


def test_valid_answers_are_kept_in_question_order_with_their_labels() -> None:
    answers, phone = checked_form(
        QUESTIONS,
        None,
        {"terms": True, "topics": ["API", "Pricing"], "company": " Acme ", "size": "11-50", "mobile": "+49 30 1234567"},
        None,
    )

    assert [(a.question_id, a.label, a.value) for a in answers] == [
        ("company", "Company", "Acme"),
        ("size", "Team size", "11-50"),
        ("topics", "Topics", ["Pricing", "API"]),  # in the host's order
        ("mobile", "Mobile", "+49 30 1234567"),
        ("terms", "I accept the terms", True),
    ]
    assert phone is None


def test_every_problem_is_named_by_its_field_at_once() -> None:
    found = problems(
        {"company": "", "size": "huge", "topics": ["API", "API"], "mobile": "call me", "terms": False, "extra": "x"}
    )

    assert set(found) == {
        "answers.company",
        "answers.size",
        "answers.topics",
        "answers.mobile",
        "answers.terms",
        "answers.extra",
    }
    assert found["answers.terms"] == "box-must-be-ticked"
    assert found["answers.company"] == "answer-required"
    assert found["answers.extra"] == "question-unknown"


def test_wrong_types_are_refused_not_coerced() -> None:
    found = problems({"company": "Acme", "terms": "yes", "topics": "API", "agenda": ["a"]})

    assert set(found) == {"answers.terms", "answers.topics", "answers.agenda"}


def test_a_short_answer_has_a_length_limit() -> None:
    assert "answers.company" in problems({"company": "x" * 201, "terms": True})


def test_a_call_to_the_invitee_needs_their_number_and_only_then() -> None:
    calls_invitee = Location(kind="phone")

    assert set(problems({"company": "A", "terms": True}, calls_invitee)) == {"invitee_phone"}
    assert set(problems({"company": "A", "terms": True}, None, "+1 555 0100 22")) == {"invitee_phone"}
    _, phone = checked_form(QUESTIONS, calls_invitee, {"company": "A", "terms": True}, "+1 555 0100 22")
    assert phone == "+1 555 0100 22"


@pytest.mark.parametrize(
    "location",
    [
        {"kind": "google_meet", "value": "https://meet.google.com/x"},
        {"kind": "in_person"},
        {"kind": "link"},
        {"kind": "link", "value": "http://zoom.example/j/1"},
        {"kind": "link", "value": "javascript:alert(1)"},
        {"kind": "phone", "value": "not a number"},
        {"kind": "carrier_pigeon"},
    ],
)
def test_a_location_must_fit_its_kind(location: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EventType(slug="a", title="A", duration_minutes=30, location=location)


@pytest.mark.parametrize(
    "question",
    [
        {"id": "size", "label": "Size", "kind": "single_choice"},
        {"id": "size", "label": "Size", "kind": "short_text", "options": ["a"]},
        {"id": "size", "label": "Size", "kind": "multiple_choice", "options": ["a", "a"]},
        {"id": "Size!", "label": "Size", "kind": "short_text"},
        {"id": "size", "label": " ", "kind": "short_text"},
        {"id": "size", "label": "Size", "kind": "short_text", "required": "yes"},
    ],
)
def test_a_question_must_be_well_formed(question: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EventType(slug="a", title="A", duration_minutes=30, questions=[question])


def test_question_ids_are_unique_on_an_event_type() -> None:
    same = {"id": "q", "label": "Q", "kind": "short_text"}
    with pytest.raises(ValidationError, match="different from each other"):
        EventType(slug="a", title="A", duration_minutes=30, questions=[same, same])
