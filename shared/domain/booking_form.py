"""What an event type asks and where its meetings happen: questions, answers and the meeting location.

The host defines them on the event type; the invitee's answers are checked against them when booking,
and the booking keeps a snapshot (question label and answer, resolved location), so a later edit of the
event type never changes what an existing booking says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Self, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import CoreSchema, PydanticCustomError

from shared.domain.errors import FieldProblem, InvalidAnswers, refused
from shared.domain.text import ONE_LINE, checked_line, checked_text

# Digits with the usual separators, optionally international; at least 6 digits (no real number has fewer).
PHONE_PATTERN = r"^\+?[0-9][0-9 ().-]{4,28}[0-9]$"
_PHONE = re.compile(PHONE_PATTERN)


def _check_phone(value: str) -> str:
    if not _PHONE.fullmatch(value) or sum(char.isdigit() for char in value) < 6:
        raise refused("phone-invalid", "not a phone number: digits, spaces, ( ) . - and an optional leading +")
    return value


Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=30),
    AfterValidator(_check_phone),
    WithJsonSchema({"type": "string", "pattern": PHONE_PATTERN, "maxLength": 30}),
]
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), ONE_LINE]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), ONE_LINE]
QUESTION_ID_PATTERN = "^[a-z][a-z0-9_]{0,39}$"
QuestionId = Annotated[str, StringConstraints(pattern=QUESTION_ID_PATTERN)]
SHORT_TEXT_MAX, LONG_TEXT_MAX = 200, 2000


_HTTPS_URL = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#]\S*)?")


def _https_url(value: str) -> str:
    if not _HTTPS_URL.fullmatch(value):
        raise refused("link-not-https", "a meeting link must be an https:// address")
    return value


# --- location --------------------------------------------------------------------------------------------
class LocationKind(StrEnum):
    GOOGLE_MEET = "google_meet"  # created by Google with the event; the link comes back from Google
    PHONE = "phone"  # the host's number, or (no value) the invitee's, asked on the form
    IN_PERSON = "in_person"  # an address
    LINK = "link"  # the host's own video link (Zoom, Teams, ...)


class Location(BaseModel):
    """Where the meeting happens. `value` is the address, the phone number or the link, by kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: LocationKind
    value: _Text | None = Field(
        None,
        description="in_person: the address (required); link: an https URL (required); phone: the host's "
        "number, or omitted to ask the invitee for theirs; google_meet: not allowed (Google creates the link).",
    )

    @model_validator(mode="after")
    def _value_fits_kind(self) -> Self:
        kind, value = self.kind, self.value
        if kind is LocationKind.GOOGLE_MEET and value is not None:
            raise refused("location-takes-no-value", "a Google Meet location takes no value: Google creates the link")
        if kind is LocationKind.LINK and value is None:
            raise refused("location-needs-link", "a link location needs a value")
        if kind is LocationKind.IN_PERSON and value is None:
            raise refused("location-needs-address", "an in_person location needs a value")
        if kind is LocationKind.LINK and value is not None:
            _https_url(value)
        if kind is LocationKind.PHONE and value is not None:
            _check_phone(value)
        return self

    @property
    def asks_invitee_phone(self) -> bool:
        return self.kind is LocationKind.PHONE and self.value is None

    def describe(self, invitee_phone: str | None = None) -> str:
        """One line for the invite (a Meet is described by Google's own conference block)."""
        if self.kind is LocationKind.GOOGLE_MEET:
            return "Google Meet"
        if self.kind is LocationKind.PHONE:
            return f"Phone: {self.value or invitee_phone}" if self.value else f"The host calls you on {invitee_phone}"
        return self.value or ""


# --- questions -------------------------------------------------------------------------------------------
class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    PHONE = "phone"
    CHECKBOX = "checkbox"  # a required checkbox must be ticked (e.g. "I have read the agenda")


_CHOICES = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: QuestionId = Field(description="Stable key of the answer in a booking's `answers`.")
    label: Label
    kind: QuestionKind
    required: StrictBool = False
    options: list[Option] | None = Field(
        None, min_length=1, max_length=20, description="The choices (required for, and only for, choice kinds)."
    )

    @model_validator(mode="after")
    def _options_fit_kind(self) -> Self:
        if self.kind in _CHOICES and not self.options:
            raise refused("options-required", "a {kind} question needs options", kind=self.kind.value)
        if self.kind not in _CHOICES and self.options is not None:
            raise refused("options-not-allowed", "a {kind} question takes no options", kind=self.kind.value)
        if self.options and len(set(self.options)) != len(self.options):
            raise refused("options-repeated", "options must be different from each other")
        return self

    def checked(self, value: object) -> str | list[str] | bool | None:
        """The answer as stored, or None for an optional question left empty; PydanticCustomError says what is
        wrong (its type is the problem's code)."""
        empty = value is None or value == "" or value == [] or (value is False and self.kind is QuestionKind.CHECKBOX)
        if empty:
            if self.required:
                if self.kind is QuestionKind.CHECKBOX:
                    raise refused("box-must-be-ticked", "this box must be ticked")
                raise refused("answer-required", "this question needs an answer")
            return None
        if self.kind is QuestionKind.CHECKBOX:
            if value is not True:
                raise refused("answer-not-boolean", "expected true or false")
            return True
        if self.kind is QuestionKind.MULTIPLE_CHOICE:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise refused("answer-not-options", "expected a list of the offered options")
            if len(set(value)) != len(value) or not set(value) <= set(self.options or ()):
                raise refused("answer-not-offered", "each choice must be one of the offered options, once")
            return [option for option in self.options or () if option in value]  # the host's order
        if not isinstance(value, str):
            raise refused("answer-not-text", "expected text")
        text = value.strip()
        if self.kind is QuestionKind.SINGLE_CHOICE and text not in (self.options or ()):
            raise refused("answer-not-offered", "must be one of the offered options")
        if self.kind is QuestionKind.PHONE:
            return _check_phone(text)
        long_text = self.kind is QuestionKind.LONG_TEXT
        limit = LONG_TEXT_MAX if long_text else SHORT_TEXT_MAX
        if len(text) > limit:
            raise refused("string_too_long", "at most {max_length} characters", max_length=limit)
        text = checked_text(text) if long_text else checked_line(text)
        return text


def _unique_ids(questions: list[Question]) -> list[Question]:
    ids = [question.id for question in questions]
    if len(set(ids)) != len(ids):
        raise refused("question-ids-repeated", "question ids must be different from each other")
    return questions


Questions = Annotated[list[Question], Field(max_length=20), AfterValidator(_unique_ids)]


class Answer(BaseModel):
    """One answered question as the booking keeps it (with the label asked, for later readers)."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    label: str
    value: str | list[str] | bool

    def text(self) -> str:
        if isinstance(self.value, bool):
            return "yes"
        return ", ".join(self.value) if isinstance(self.value, list) else self.value


@dataclass(frozen=True)
class OneRefusal:
    """A union refused as one value with one code: pydantic would otherwise name the field once per member
    ("answers.topics.str", "answers.topics.bool"...), each with a refusal that means nothing to the person."""

    code: str
    explanation: str

    def __get_pydantic_core_schema__(self, source: object, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = {**handler(source), "custom_error_type": self.code, "custom_error_message": self.explanation}
        return cast(CoreSchema, schema)


# A request's answers, by question id: text, a list of chosen options, or a checkbox. Strict: no coercion.
AnswerValue = Annotated[
    Annotated[str, StringConstraints(max_length=LONG_TEXT_MAX)] | list[Option] | StrictBool,
    OneRefusal("answer-invalid", "expected text, a list of options or true"),
]
Answers = Annotated[dict[QuestionId, AnswerValue], Field(max_length=20)]


def checked_form(
    questions: list[Question], location: Location | None, answers: Mapping[str, object], invitee_phone: str | None
) -> tuple[tuple[Answer, ...], str | None]:
    """The answers to keep (in the order the questions are asked) and the invitee's phone when the host
    calls them; every problem at once, by field (InvalidAnswers)."""
    asked = {question.id for question in questions}
    problems = [FieldProblem(f"answers.{key}", "question-unknown") for key in answers if key not in asked]
    kept: list[Answer] = []
    for question in questions:
        try:
            value = question.checked(answers.get(question.id))
        except PydanticCustomError as error:
            problems.append(FieldProblem(f"answers.{question.id}", error.type, error.context or {}))
            continue
        if value is not None:
            kept.append(Answer(question_id=question.id, label=question.label, value=value))
    calls_invitee = location is not None and location.asks_invitee_phone
    if calls_invitee and not invitee_phone:
        problems.append(FieldProblem("invitee_phone", "phone-required"))
    if invitee_phone and not calls_invitee:
        problems.append(FieldProblem("invitee_phone", "phone-not-asked"))
    if problems:
        raise InvalidAnswers(problems)
    return tuple(kept), invitee_phone
