"""Text people type is stored as text (shared/domain/text.py): every edge that takes a name, title, label,
option, reason or note refuses line breaks (single-line fields) or other control characters (all), naming
the field; multi-line fields keep their line breaks as "\\n"."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.domain.booking import BookingRequest, CancelRequest, InviteeUpdate
from shared.domain.booking_form import Question, QuestionKind
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.host import HostProfileUpdate
from shared.domain.schedule import ScheduleCreate, TimeOff
from shared.domain.text import STORED, as_one_line
from shared.domain.webhooks import WebhookRegistration

INVITEE = {"name": "Ines", "email": "ines@example.org", "time_zone": "UTC"}
BOOKING = {"host": "ada", "event_type": "intro", "start": "2027-03-08T10:00:00Z", "invitee": INVITEE}
TYPE = {"slug": "intro", "title": "Intro", "duration_minutes": 30}
HOOK = {"url": "https://hooks.example.com/k", "events": ["booking.created"]}
# (model, a valid body with the text field set to {}, the field a refusal names)
EDGES: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (BookingRequest, {**BOOKING, "invitee": {**INVITEE, "name": "{}"}}, "invitee.name"),
    (InviteeUpdate, {"name": "{}"}, "name"),
    (CancelRequest, {"reason": "{}"}, "reason"),
    (HostProfileUpdate, {"display_name": "{}"}, "display_name"),
    (EventType, {**TYPE, "title": "{}"}, "title"),
    (EventTypeUpdate, {"title": "{}"}, "title"),
    (EventType, {**TYPE, "location": {"kind": "in_person", "value": "{}"}}, "location.value"),
    (EventType, {**TYPE, "questions": [{"id": "q", "label": "{}", "kind": "short_text"}]}, "questions.0.label"),
    (
        EventType,
        {**TYPE, "questions": [{"id": "q", "label": "Q", "kind": "single_choice", "options": ["{}"]}]},
        "questions.0.options.0",
    ),
    (ScheduleCreate, {"name": "{}"}, "name"),
    (TimeOff, {"first_day": "2027-03-08", "last_day": "2027-03-08", "reason": "{}"}, "reason"),
    (WebhookRegistration, {**HOOK, "description": "{}"}, "description"),
]
MULTI_LINE_EDGES: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (BookingRequest, {**BOOKING, "notes": "{}"}, "notes"),
    (EventType, {**TYPE, "description": "{}"}, "description"),
]


def filled(body: Any, text: str) -> Any:
    if isinstance(body, dict):
        return {key: filled(value, text) for key, value in body.items()}
    if isinstance(body, list):
        return [filled(value, text) for value in body]
    return text if body == "{}" else body


def refused_fields(model: type[BaseModel], body: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    return [".".join(map(str, error["loc"])) for error in refused.value.errors()]


@pytest.mark.parametrize(("model", "body", "field"), EDGES + MULTI_LINE_EDGES)
@pytest.mark.parametrize("bad", ["Ada\x00Lovelace", "Ada\x1b[2J", "Ada\x7f", "Ada\x85more"])
def test_a_control_character_is_refused_naming_the_field(
    model: type[BaseModel], body: dict[str, Any], field: str, bad: str
) -> None:
    assert refused_fields(model, filled(body, bad)) == [field]


@pytest.mark.parametrize(("model", "body", "field"), EDGES)
@pytest.mark.parametrize("bad", ["Ada\r\nBcc: x@attacker.example", "Ada\nLovelace", "Ada\rLovelace", "Ada\u2028L"])
def test_a_line_break_in_a_one_line_field_is_refused_naming_the_field(
    model: type[BaseModel], body: dict[str, Any], field: str, bad: str
) -> None:
    assert refused_fields(model, filled(body, bad)) == [field]


@pytest.mark.parametrize(("model", "body", "field"), MULTI_LINE_EDGES)
def test_a_multi_line_field_keeps_its_line_breaks_as_newlines(
    model: type[BaseModel], body: dict[str, Any], field: str
) -> None:
    parsed = model.model_validate(filled(body, "First line\r\nsecond\rthird\n\tindented"))

    assert getattr(parsed, field) == "First line\nsecond\nthird\n\tindented"


def test_answers_to_text_questions_follow_the_same_rules() -> None:
    short = Question(id="q", label="Company", kind=QuestionKind.SHORT_TEXT)
    long = Question(id="q", label="Agenda", kind=QuestionKind.LONG_TEXT)

    assert long.checked("One\r\ntwo") == "One\ntwo"
    with pytest.raises(ValueError, match="one line"):
        short.checked("Acme\r\nBcc: x@attacker.example")
    with pytest.raises(ValueError, match="control characters"):
        long.checked("One\x1btwo")


def test_text_already_stored_is_read_as_it_is() -> None:
    stored = {"reason": "Sick\r\nat home"}

    assert CancelRequest.model_validate(stored, context={STORED: True}).reason == "Sick\r\nat home"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Ada\r\nLovelace", "Ada Lovelace"), ("  Ada\t\x00 Lovelace ", "Ada Lovelace"), ("Ada\u2028L", "Ada L")],
)
def test_a_name_from_elsewhere_is_made_one_line(given: str, expected: str) -> None:
    assert as_one_line(given) == expected
