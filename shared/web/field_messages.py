"""Field errors in words people understand: the one place a refused field becomes a sentence.

A refusal arrives as a `FieldProblem` (field path, code, values): pydantic's error type with its context, or
one of the domain's own codes (`refused(...)` in shared/domain/errors.py). It leaves as
`{"field", "code", "message"}`: `code` is stable for programs (and for the page to pick its own words), the
message is a sentence in the request's language (`Accept-Language`, shared/web/problems.py). The words live in the
message catalogue (domain `messages`, shared/i18n.py): the English sentences below are marked with `N_` so Babel
extracts them, and each language's catalogue says them in its words (tests/unit/test_catalogues.py holds every
language to every sentence and its placeholders).
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from shared.domain.booking_form import QUESTION_ID_PATTERN
from shared.domain.brand import COLOR_PATTERN
from shared.domain.errors import FieldProblem
from shared.domain.event_type import SCHEDULE_ID_PATTERN
from shared.domain.ids import ID_PATTERNS
from shared.domain.language import DEFAULT_LANGUAGE, Language
from shared.domain.links import LINK_TOKEN_PATTERN
from shared.i18n import N_, translations

ENGLISH: Mapping[str, str] = {
    # --- anything -----------------------------------------------------------------------------------------
    "invalid": N_("Check this value"),
    "required": N_("Fill in this field"),
    "null-not-allowed": N_("This field cannot be empty"),
    "field-unknown": N_("This field is not accepted here"),
    "json-invalid": N_("Send the form again: it did not arrive whole"),
    "choose-option": N_("Choose one of the options"),
    "id-invalid": N_("This is not an id Kaleno gave out"),
    # --- text ---------------------------------------------------------------------------------------------
    "text-expected": N_("Enter text"),
    "too-short": N_("Use at least {min_length} characters"),
    "too-long": N_("Use at most {max_length} characters"),
    "text-control-chars": N_("Remove the invisible control characters from this text"),
    "text-one-line": N_("Keep this to one line, without line breaks or invisible control characters"),
    # --- numbers, yes/no, lists ---------------------------------------------------------------------------
    "whole-number-expected": N_("Enter a whole number"),
    "number-expected": N_("Enter a number"),
    "yes-or-no-expected": N_("Choose yes or no"),
    "at-least": N_("Use {ge} or more"),
    "more-than": N_("Use more than {gt}"),
    "at-most": N_("Use {le} or less"),
    "less-than": N_("Use less than {lt}"),
    "multiple-of": N_("Use a multiple of {multiple_of}"),
    "list-expected": N_("Give a list of values"),
    "details-expected": N_("Fill in the details of this field"),
    "choose-at-least": N_("Choose at least {min_length}"),
    "choose-at-most": N_("Choose at most {max_length}"),
    # --- dates and times ----------------------------------------------------------------------------------
    "date-invalid": N_("Enter a date such as 2026-05-04"),
    "date-time-invalid": N_("Enter a date and time such as 2026-05-04T09:30:00+02:00"),
    "time-zone-missing": N_("Add the time's offset from UTC, such as +02:00 or Z"),
    "date-out-of-range": N_("Choose a date from {earliest} to {latest}"),
    "time-zone-unknown": N_("Choose a time zone from the list"),
    "clock-invalid": N_("Enter a time from 00:00 to 24:00, such as 09:30"),
    "clock-off-grid": N_("Use a time on a 5-minute mark, such as 09:05"),
    "end-not-after-start": N_("The end must be after the start"),
    "hours-overlap": N_("These hours overlap ({first} and {second})"),
    "last-day-before-first": N_("The last day cannot be before the first day"),
    "time-off-too-long": N_("Time off can last at most {days} days"),
    "too-many-dates": N_("Give hours for at most {max_length} dates"),
    "expiry-not-future": N_("Choose a time in the future"),
    # --- people -------------------------------------------------------------------------------------------
    "your-name-required": N_("Enter your name"),
    "name-required": N_("Enter a name"),
    "title-required": N_("Enter a title"),
    "email-invalid": N_("Enter an email address such as name@example.com"),
    "phone-invalid": N_("Enter a phone number such as +49 30 1234567"),
    "phone-required": N_("Enter your phone number: the host will call you"),
    "phone-not-asked": N_("Leave the phone number out: this meeting is not a call to you"),
    # --- booking form -------------------------------------------------------------------------------------
    "answer-required": N_("Answer this question"),
    "box-must-be-ticked": N_("Tick this box to continue"),
    "answer-not-boolean": N_("Tick the box or leave it empty"),
    "answer-not-options": N_("Choose from the options offered"),
    "answer-not-offered": N_("Choose from the options offered"),
    "answer-not-text": N_("Enter text"),
    "answer-invalid": N_("Answer with text, the options offered, or a ticked box"),
    "question-unknown": N_("This question is not on this form"),
    "link-invalid": N_("This link is not complete: open the link you were sent again"),
    # --- event types --------------------------------------------------------------------------------------
    "slug-invalid": N_("Use 1–60 lowercase letters, digits and hyphens (not first or last)"),
    "slug-reserved": N_("This address is reserved: choose another"),
    "limit-below-duration": N_("Must be at least the meeting's length ({duration} minutes)"),
    "seats-kind-fixed": N_(
        "A group event stays a group, and a one-to-one event stays one-to-one: create a new event type"
    ),
    "schedule-unknown": N_("Choose one of your schedules"),
    "location-takes-no-value": N_("Leave this empty: Google creates the Meet link"),
    "location-needs-link": N_("Enter the meeting link"),
    "location-needs-address": N_("Enter the meeting address"),
    "question-text-required": N_("Enter the question"),
    "link-not-https": N_("Use a link that starts with https://"),
    "options-required": N_("Add at least one option"),
    "options-not-allowed": N_("Only choice questions have options"),
    "options-repeated": N_("Give each option a different text"),
    "question-ids-repeated": N_("Give each question a different id"),
    "question-id-invalid": N_("Start with a lowercase letter; then up to 39 lowercase letters, digits or underscores"),
    "members-repeated": N_("Choose each member once"),
    "members-required": N_("Choose at least one member"),
    "member-not-in-team": N_("Choose members of this team"),
    "member-not-connected": N_("Choose members whose calendar is connected"),
    "member-not-in-pool": N_("Choose a member who takes this event type"),
    "team-type-no-seats": N_("A team event is one-to-one: leave seats at 1"),
    "team-type-own-hours": N_("A team event offers each member's own hours: leave the schedule empty"),
    "page-full": N_(
        "Your booking page has no room for this: shorten it, or delete an event type or schedule you no longer need"
    ),
    # --- calendars and webhooks ---------------------------------------------------------------------------
    "calendar-unknown": N_("Choose one of your calendars"),
    "calendar-not-owned": N_("Choose a calendar you own"),
    "url-invalid": N_("Enter a web address such as https://example.com/hooks"),
    "url-port-invalid": N_("Use a port from 1 to 65535"),
    "url-not-https": N_("Use an address that starts with https://"),
    "url-host-unresolved": N_("No server answers to this address's name: check its spelling"),
    "url-address-not-public": N_("Use an address on the public internet"),
    # --- the host's look ----------------------------------------------------------------------------------
    "brand-color-invalid": N_("Enter a colour as # and six hex digits, such as #0b57d0"),
    "brand-color-contrast": N_(
        "This colour's contrast is {ratio}:1, below the {minimum}:1 that text needs to be readable on it and "
        "with it; try {suggestion}, the nearest darker shade that is"
    ),
}

# pydantic's error types as our codes (types a model of ours cannot produce fall back to "invalid").
PYDANTIC_CODES: Mapping[str, str] = {
    "missing": "required",
    "string_too_long": "too-long",
    "string_type": "text-expected",
    "string_sub_type": "text-expected",
    "string_unicode": "text-expected",
    "int_type": "whole-number-expected",
    "int_parsing": "whole-number-expected",
    "int_from_float": "whole-number-expected",
    "int_parsing_size": "whole-number-expected",
    "float_type": "number-expected",
    "float_parsing": "number-expected",
    "bool_type": "yes-or-no-expected",
    "bool_parsing": "yes-or-no-expected",
    "greater_than_equal": "at-least",
    "greater_than": "more-than",
    "less_than_equal": "at-most",
    "less_than": "less-than",
    "multiple_of": "multiple-of",
    "list_type": "list-expected",
    "tuple_type": "list-expected",
    "set_type": "list-expected",
    "dict_type": "details-expected",
    "model_type": "details-expected",
    "model_attributes_type": "details-expected",
    "too_short": "choose-at-least",
    "too_long": "choose-at-most",
    "extra_forbidden": "field-unknown",
    "enum": "choose-option",
    "literal_error": "choose-option",
    "date_type": "date-invalid",
    "date_parsing": "date-invalid",
    "date_from_datetime_parsing": "date-invalid",
    "date_from_datetime_inexact": "date-invalid",
    "datetime_type": "date-time-invalid",
    "datetime_parsing": "date-time-invalid",
    "datetime_from_date_parsing": "date-time-invalid",
    "datetime_object_invalid": "date-time-invalid",
    "timezone_aware": "time-zone-missing",
    "json_invalid": "json-invalid",
    "union_tag_invalid": "choose-option",
    "union_tag_not_found": "required",
    "json_type": "json-invalid",
    "value_error": "invalid",  # a plain ValueError: every validator of ours raises a coded refusal instead
    "assertion_error": "invalid",
}

# A code said more precisely for some fields (glob on the field path), first match wins.
BY_FIELD: tuple[tuple[str, str, str], ...] = (
    ("invitee.name", "required", "your-name-required"),
    ("display_name", "required", "your-name-required"),
    ("name", "required", "name-required"),
    ("title", "required", "title-required"),
    ("invitee.email", "required", "email-invalid"),
    ("email", "required", "email-invalid"),
    ("invitee.time_zone", "required", "time-zone-unknown"),
    ("time_zone", "required", "time-zone-unknown"),
    ("answers.*.[[]key]", "question-id-invalid", "question-unknown"),
    ("answers.*", "required", "answer-required"),
    ("questions.*.label", "required", "question-text-required"),
    ("questions.*.options", "choose-at-least", "options-required"),
)


@cache
def _pattern_codes() -> dict[str, str]:
    """Each pattern a request field is checked against, as the code of what it asks for."""
    codes = dict.fromkeys(ID_PATTERNS, "id-invalid")
    codes.update(
        {
            r"\S": "required",  # text of only spaces
            r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$": "text-control-chars",
            r"^[^\s/\\]+$": "calendar-unknown",
            QUESTION_ID_PATTERN: "question-id-invalid",
            SCHEDULE_ID_PATTERN: "schedule-unknown",
            LINK_TOKEN_PATTERN: "link-invalid",
            COLOR_PATTERN: "brand-color-invalid",
        }
    )
    return codes


def code_of(problem: FieldProblem) -> str:
    """Our code for a problem: the domain's own as it is, pydantic's types translated, then said precisely
    for the field when a field has its own words."""
    code, params = problem.code, problem.params
    if code == "string_too_short":
        code = "required" if params.get("min_length") == 1 else "too-short"
    elif code == "string_pattern_mismatch":
        code = _pattern_codes().get(str(params.get("pattern")), "invalid")
    elif code not in ENGLISH:
        code = PYDANTIC_CODES.get(code, "invalid")
    for field, general, precise in BY_FIELD:
        if code == general and fnmatchcase(problem.field, field):
            return precise
    return code


def field_error(problem: FieldProblem, language: Language = DEFAULT_LANGUAGE) -> dict[str, Any]:  # Any: JSON
    """The error as the 422's `errors` carry it: the field, its stable code and the sentence in `language`."""
    code = code_of(problem)
    words = translations(language, "messages")
    try:
        message = words.gettext(ENGLISH[code]).format_map(problem.params)
    except KeyError:  # a value the sentence needs is missing: say the general thing rather than fail
        message = words.gettext(ENGLISH["invalid"])
    return {"field": problem.field, "code": code, "message": message}
