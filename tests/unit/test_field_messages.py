"""Field errors in plain words: every error our request models can produce has its own sentence and code.

The error types are found by walking the pydantic core schema of every route's body and query model (what a
`str` with a `max_length` or an `int` with `ge` can refuse); the domain's own codes by reading every place
that raises one. No library text reaches the person: each message comes from the table in
shared/web/field_messages.py.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from functions.main import ROUTE_TABLES
from shared.domain.booking import BookingRequest, InviteeUpdate
from shared.domain.errors import FieldProblem, InvalidFields, field_problems
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.schedule import ScheduleCreate
from shared.i18n import translations
from shared.web.field_messages import ENGLISH, PYDANTIC_CODES, code_of, field_error
from shared.web.problems import validation_problem

ROOT = Path(__file__).resolve().parents[2]
# Where a refusal's code sits in each call that carries one: refused(code, ...), FieldProblem(field, code),
# InvalidLinkRequest(field, code, detail), WebhookUrlRefused(code, detail).
CODE_ARGUMENT = {"refused": 0, "FieldProblem": 1, "InvalidLinkRequest": 1, "WebhookUrlRefused": 0}


def request_models() -> set[type[BaseModel]]:
    return {
        model
        for table in ROUTE_TABLES.values()
        for route in table.routes
        for model in (route.body, route.query)
        if model is not None
    }


def possible_errors(schema: Any, definitions: dict[str, Any], seen: set[str]) -> Iterator[FieldProblem]:
    """Every (pydantic error type, context) a core schema can refuse a value with, as field problems."""
    if isinstance(schema, list):
        for item in schema:
            yield from possible_errors(item, definitions, seen)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind == "definitions":
        definitions.update({item["ref"]: item for item in schema["definitions"]})
    if kind == "definition-ref" and schema["schema_ref"] not in seen:
        seen.add(schema["schema_ref"])
        yield from possible_errors(definitions[schema["schema_ref"]], definitions, seen)
    yield from (FieldProblem("field", code, context) for code, context in _refusals(kind, schema))
    for value in schema.values():  # fields, items, keys, values, choices, wrapped schemas
        yield from possible_errors(value, definitions, seen)


def _refusals(kind: Any, schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    bounds = [(name, schema[name]) for name in ("ge", "gt", "le", "lt", "multiple_of") if name in schema]
    names = {"ge": "greater_than_equal", "gt": "greater_than", "le": "less_than_equal", "lt": "less_than"}
    found += [(names.get(name, name), {name: value}) for name, value in bounds]
    if kind == "str":
        found.append(("string_type", {}))
        if "min_length" in schema:
            found.append(("string_too_short", {"min_length": schema["min_length"]}))
        if "max_length" in schema:
            found.append(("string_too_long", {"max_length": schema["max_length"]}))
        if "pattern" in schema:
            found.append(("string_pattern_mismatch", {"pattern": schema["pattern"]}))
    elif kind in ("list", "tuple", "dict", "set"):
        found.append((f"{kind}_type", {}))
        if "min_length" in schema:
            found.append(("too_short", {"min_length": schema["min_length"]}))
        if "max_length" in schema:
            found.append(("too_long", {"max_length": schema["max_length"]}))
    elif kind == "int":
        found += [("int_type", {}), ("int_parsing", {}), ("int_from_float", {})]
    elif kind == "float":
        found += [("float_type", {}), ("float_parsing", {})]
    elif kind == "bool":
        found += [("bool_type", {}), ("bool_parsing", {})]
    elif kind == "date":
        found += [("date_type", {}), ("date_parsing", {}), ("date_from_datetime_inexact", {})]
    elif kind == "datetime":
        found += [("datetime_type", {}), ("datetime_parsing", {}), ("datetime_from_date_parsing", {})]
        if schema.get("tz_constraint") == "aware":
            found.append(("timezone_aware", {}))
    elif kind in ("model", "typed-dict", "dataclass"):
        found.append(("model_type", {}))
        if schema.get("config", {}).get("extra_fields_behavior") == "forbid":
            found.append(("extra_forbidden", {}))
    elif kind == "model-fields":
        found.append(("missing", {}))
    elif kind == "enum":
        found.append(("enum", {"expected": "'a' or 'b'"}))
    elif kind == "tagged-union":
        found += [("union_tag_invalid", {}), ("union_tag_not_found", {})]
    elif kind == "union" and "custom_error_type" in schema:
        found.append((schema["custom_error_type"], {}))
    elif kind == "literal":
        found.append(("literal_error", {"expected": "'a' or 'b'"}))
    return found


def every_possible_error() -> list[FieldProblem]:
    found: dict[tuple[str, str], FieldProblem] = {}
    for model in request_models():
        for problem in possible_errors(dict(model.__pydantic_core_schema__), {}, set()):
            found[(problem.code, repr(sorted(problem.params.items())))] = problem
    return list(found.values())


def raised_codes() -> list[tuple[str, str, set[str]]]:
    """(where, code, names of the values given) for every coded refusal in the code that ships."""
    found = []
    for source in [*ROOT.glob("shared/**/*.py"), *ROOT.glob("functions/*.py")]:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = CODE_ARGUMENT.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            code = node.args[position]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                given = {keyword.arg for keyword in node.keywords if keyword.arg}
                found.append((f"{source.relative_to(ROOT)}:{node.lineno}", code.value, given))
    return found


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_error_type_our_request_models_can_produce_has_its_own_sentence() -> None:
    possible = every_possible_error()
    unworded = [(problem.code, dict(problem.params)) for problem in possible if code_of(problem) == "invalid"]
    worded = {problem.code for problem in possible}

    assert unworded == []
    # The walk saw the kinds of refusal the API really has (a walk that found nothing would pass vacuously).
    assert {"missing", "extra_forbidden", "string_too_long", "string_pattern_mismatch", "int_type"} <= worded
    assert {"greater_than_equal", "multiple_of", "too_long", "enum", "literal_error", "timezone_aware"} <= worded
    for problem in possible:
        error = field_error(problem)
        assert error["message"] == ENGLISH[error["code"]].format_map(problem.params)  # no placeholder left empty


def test_every_code_the_code_raises_has_a_sentence_that_its_values_fill() -> None:
    raised = raised_codes()

    assert len(raised) > 30  # the scan found the refusals (refused(...), FieldProblem(...), ...)
    for where, code, given in raised:
        assert code in ENGLISH or code in PYDANTIC_CODES or code == "string_too_long", where
        template = ENGLISH[code_of(FieldProblem("field", code, dict.fromkeys(given, 1)))]
        assert placeholders(template) <= given | {"max_length"}, where


def test_every_code_has_a_sentence_and_speaks_indonesian_with_the_same_values() -> None:
    # Each language's words and placeholders are the catalogue test's (tests/unit/test_catalogues.py); here:
    # the codes are the same in every language, and the sentence is the catalogue's.
    assert set(PYDANTIC_CODES.values()) <= set(ENGLISH)
    problem = FieldProblem("name", "too-long", {"max_length": 80})
    english, indonesian = field_error(problem), field_error(problem, "id")
    assert english == {"field": "name", "code": "too-long", "message": "Use at most 80 characters"}
    assert indonesian["code"] == english["code"]
    assert indonesian["field"] == english["field"]
    assert indonesian["message"] == translations("id", "messages").gettext(ENGLISH["too-long"]).format(max_length=80)
    assert indonesian["message"] != english["message"]
    assert "80" in indonesian["message"]


def test_sentences_read_as_sentences_and_never_as_the_library() -> None:
    for code, template in ENGLISH.items():
        assert template[0].isupper(), code
        assert not template.endswith("."), code  # shown beside a field, as a label's hint is
        assert "should" not in template.lower(), code
        assert "value error" not in template.lower(), code


def refusal(model: type[BaseModel], body: dict[str, Any]) -> dict[str, tuple[str, str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(body)
    errors = validation_problem(raised.value).errors()
    library = {item["msg"] for item in raised.value.errors()}
    assert not library & {error["message"] for error in errors}
    return {error["field"]: (error["code"], error["message"]) for error in errors}


BOOKING = {
    "host": "ana",
    "event_type": "intro",
    "start": "2026-05-04T09:00:00+02:00",
    "invitee": {"name": "Vera", "email": "vera@example.com", "time_zone": "Europe/Berlin"},
}


def test_a_booking_body_is_refused_in_words_beside_each_field() -> None:
    found = refusal(
        BookingRequest,
        {
            **BOOKING,
            "start": "2026-05-04T09:00:00",
            "invitee": {"name": "  ", "email": "vera@", "time_zone": "Mars/Olympus"},
            "invitee_phone": "call me",
            "answers": {"Bad Key": "x"},
            "colour": "red",
        },
    )

    assert found == {
        "start": ("time-zone-missing", "Add the time's offset from UTC, such as +02:00 or Z"),
        "invitee.name": ("your-name-required", "Enter your name"),
        "invitee.email": ("email-invalid", "Enter an email address such as name@example.com"),
        "invitee.time_zone": ("time-zone-unknown", "Choose a time zone from the list"),
        "invitee_phone": ("phone-invalid", "Enter a phone number such as +49 30 1234567"),
        "answers.Bad Key.[key]": ("question-unknown", "This question is not on this form"),
        "colour": ("field-unknown", "This field is not accepted here"),
    }


def test_an_event_type_is_refused_in_words_with_the_limits_it_breaks() -> None:
    body = {"slug": "Intro Call", "title": "", "duration_minutes": 32, "buffer_before_minutes": 300}
    found = refusal(EventType, {**body, "seats": "2", "questions": [{"id": "q", "label": "Q", "kind": "essay"}]})
    limit = EventType(slug="intro", title="Intro", duration_minutes=30)

    assert found == {
        "slug": ("slug-invalid", "Use 1–60 lowercase letters, digits and hyphens (not first or last)"),
        "title": ("title-required", "Enter a title"),
        "duration_minutes": ("multiple-of", "Use a multiple of 5"),
        "buffer_before_minutes": ("at-most", "Use 240 or less"),
        "seats": ("whole-number-expected", "Enter a whole number"),
        "questions.0.kind": ("choose-option", "Choose one of the options"),
    }
    with pytest.raises(InvalidFields) as below:  # valid alone, not with the duration
        limit.updated(EventTypeUpdate(daily_minutes_limit=20))
    assert [field_error(problem) for problem in below.value.problems] == [
        {
            "field": "daily_minutes_limit",
            "code": "limit-below-duration",
            "message": "Must be at least the meeting's length (30 minutes)",
        }
    ]


def test_hours_and_people_are_refused_in_words() -> None:
    hours = refusal(
        ScheduleCreate,
        {"name": "", "weekly": {"mon": [["09:00", "08:00"], ["25:00", "26:00"]], "tue": [["09:03", "10:00"]]}},
    )
    person = refusal(InviteeUpdate, {"email": "", "time_zone": "localtime"})

    assert hours == {
        "name": ("name-required", "Enter a name"),
        "weekly.mon.0": ("end-not-after-start", "The end must be after the start"),
        "weekly.mon.1.0": ("clock-invalid", "Enter a time from 00:00 to 24:00, such as 09:30"),
        "weekly.mon.1.1": ("clock-invalid", "Enter a time from 00:00 to 24:00, such as 09:30"),
        "weekly.tue.0.0": ("clock-off-grid", "Use a time on a 5-minute mark, such as 09:05"),
    }
    assert person == {
        "email": ("email-invalid", "Enter an email address such as name@example.com"),
        "time_zone": ("time-zone-unknown", "Choose a time zone from the list"),
    }


def test_a_refusal_without_a_code_still_reads_as_a_sentence() -> None:
    class Odd(BaseModel):
        value: int

        @model_validator(mode="after")
        def _never(self) -> Odd:
            raise ValueError("internal wording")

    with pytest.raises(ValidationError) as raised:
        Odd(value=1)

    assert [field_error(problem) for problem in field_problems(raised.value)] == [
        {"field": "", "code": "invalid", "message": "Check this value"}
    ]
