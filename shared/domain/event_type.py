"""Event types: what a host offers (how long, which buffers, how far ahead) — `EventType` and its PATCH.

Integers are strict (no `"30"` or `true` for 30 or 1): the API is JSON, and silent coercion hides
client bugs. Unknown fields are refused, so a misspelt option is an error rather than ignored.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import WithJsonSchema

from shared.domain.booking_form import Location, Questions
from shared.domain.bot_gate import BotGate
from shared.domain.errors import FieldProblem, InvalidFields, field_problems, refused
from shared.domain.links import Visibility
from shared.domain.text import MULTI_LINE, ONE_LINE

SLUG_PATTERN = "^[a-z0-9]([a-z0-9-]{0,58}[a-z0-9])?$"
_SLUG = re.compile(SLUG_PATTERN)


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise refused(
            "slug-invalid",
            "slug must be 1-60 characters of lowercase letters, digits and hyphens,"
            " not starting or ending with a hyphen",
        )
    return value


Slug = Annotated[
    str, AfterValidator(_check_slug), WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN, "maxLength": 60})
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
# Plain text shown on the booking page under the title: line breaks kept, links made safe by the page (it is
# never HTML). Tabs and line breaks are the only control characters it may hold.
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), MULTI_LINE]
Minutes = Annotated[int, Field(strict=True, multiple_of=5)]  # 5-minute grid: claims use 5-minute granules
LONGEST_MEETING_MINUTES, LONGEST_BUFFER_MINUTES = 720, 240
Duration = Annotated[Minutes, Field(ge=5, le=LONGEST_MEETING_MINUTES)]
Buffer = Annotated[Minutes, Field(ge=0, le=LONGEST_BUFFER_MINUTES)]
Step = Annotated[Minutes, Field(ge=5, le=720)]
Notice = Annotated[int, Field(strict=True, ge=0, le=525_600)]  # up to a year
WindowDays = Annotated[int, Field(strict=True, ge=1, le=366)]  # the busy mirror covers at most 366 days
# A host-local day has 288 five-minute granules, so no day can hold more bookings than that.
DailyLimit = Annotated[int, Field(strict=True, ge=1, le=288)]
PeriodLimit = Annotated[int, Field(strict=True, ge=1, le=2000)]  # bookings per host-local ISO week or month
InviteeLimit = Annotated[int, Field(strict=True, ge=1, le=100)]
Seats = Annotated[int, Field(strict=True, ge=1, le=200)]  # invitees per start; > 1: a group session
ReminderLead = Annotated[Minutes, Field(ge=0, le=10_080)]  # up to a week before; 0: no reminder
# Booked minutes of one event type per host-local day / ISO week; on the 5-minute grid, as places are 5 minutes.
DailyMinutes = Annotated[Minutes, Field(ge=5, le=1440)]
WeeklyMinutes = Annotated[Minutes, Field(ge=5, le=10_080)]
SCHEDULE_ID_PATTERN = "^(default|sc[0-9a-f]{10})$"  # shared/services/hosts.py: "sc" + 5 random bytes in hex
ScheduleId = Annotated[str, Field(pattern=SCHEDULE_ID_PATTERN)]


def _no_schema_default(schema: JsonDict) -> None:
    schema.pop("default", None)  # the internal 0 sentinel is not the documented default


def _not_nullable(schema: JsonDict) -> None:
    """A PATCH field that may be omitted but not set to null: its schema without the null branch."""
    branches = schema.pop("anyOf")
    (present,) = [branch for branch in branches if branch != {"type": "null"}] if isinstance(branches, list) else []
    schema.pop("default", None)
    if isinstance(present, dict):
        schema.update(present)


class EventType(BaseModel):
    """A bookable kind of meeting. Only slug, title and duration are required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Slug
    title: Title
    duration_minutes: Duration
    description: Description = Field(
        "", description="Plain text under the title on the booking page (line breaks kept; links shown safely)."
    )
    buffer_before_minutes: Buffer = 0
    buffer_after_minutes: Buffer = 0
    min_notice_minutes: Notice = 0
    booking_window_days: WindowDays = 60
    slot_step_minutes: Step = Field(  # 0 = not given: replaced by the duration after validation
        default=0, description="Defaults to duration_minutes.", json_schema_extra=_no_schema_default
    )
    daily_limit: DailyLimit | None = None
    weekly_limit: PeriodLimit | None = Field(None, description="Bookings per host-local ISO week (Monday first).")
    monthly_limit: PeriodLimit | None = Field(None, description="Bookings per host-local calendar month.")
    # --- schedules and booked-minute limits (issue 18) ---
    schedule_id: ScheduleId | None = Field(
        None, description="Which of the host's schedules gives the hours (null: the default schedule)."
    )
    daily_minutes_limit: DailyMinutes | None = Field(
        None, description="Booked minutes of this event type per host-local day (at least the duration)."
    )
    weekly_minutes_limit: WeeklyMinutes | None = Field(
        None, description="Booked minutes of this event type per host-local ISO week (at least the duration)."
    )
    # --- end of schedules and booked-minute limits ---
    invitee_open_limit: InviteeLimit = Field(
        5, description="How many bookings still to come one invitee email may hold with this host at once."
    )
    seats: Seats = Field(
        1,
        description="Invitees who can book the same start: more than 1 makes each start a group session "
        "(one Google event whose guests grow as people book).",
    )
    seats_show_attendees: StrictBool = Field(
        False, description="Whether a group session's invitees see each other in the Google event."
    )
    location: Location | None = Field(None, description="Where the meetings happen; none: agreed separately.")
    reminder_minutes_before: ReminderLead = Field(
        1440, description="When the invitee's reminder mail goes out, before the start; 0: no reminder."
    )
    questions: Questions = Field(
        default_factory=list, description="Asked on the booking form, in this order (besides name and email)."
    )
    bot_gate: BotGate = Field(
        BotGate.AUTO,
        description="auto: a booking write must carry a solved proof of work (header `Kaleno-Proof`) only "
        "while the host's page or the client books unusually fast; always: on every booking write.",
    )
    visibility: Visibility = Field(
        Visibility.PUBLIC,
        description="public: listed on the host's page; private: not listed, and its page, slots and booking "
        "answer 404 (as an unknown event type does) except with a valid single-use link.",
    )

    @field_validator("daily_minutes_limit", "weekly_minutes_limit")
    @classmethod
    def _holds_one_meeting(cls, limit: int | None, info: ValidationInfo) -> int | None:
        duration = info.data.get("duration_minutes")
        if limit is not None and duration is not None and limit < duration:
            raise refused(
                "limit-below-duration",
                "a limit of {limit} minutes cannot hold one {duration}-minute meeting",
                limit=limit,
                duration=duration,
            )
        return limit

    def model_post_init(self, context: object, /) -> None:
        # Defaults are not validated, so 0 can only mean "absent"; an explicit 0 fails `ge=5`. Filled here,
        # after validation, so an invalid duration is reported once rather than also as an invalid step.
        if self.slot_step_minutes == 0:
            object.__setattr__(self, "slot_step_minutes", self.duration_minutes)  # frozen: no normal setattr

    @property
    def group(self) -> bool:
        """Several invitees per start: each start is a session with `seats` seats."""
        return self.seats > 1

    def updated(self, patch: EventTypeUpdate) -> EventType:
        """A new event type with the fields the patch sets; re-validated as a whole.

        A field set to null goes back to its default (so a required field set to null is an error).
        """
        merged = {**self.model_dump(), **patch.model_dump(exclude_unset=True)}
        try:
            updated = EventType.model_validate({name: value for name, value in merged.items() if value is not None})
        except ValidationError as error:  # fields valid alone but not together (a limit below the duration)
            raise InvalidFields(field_problems(error)) from None
        if updated.group != self.group:
            # Its bookings were made as one or the other (their own events, or seats of a shared one): a type
            # turned into the other kind would count them wrongly and leave their events behind.
            raise InvalidFields([FieldProblem("seats", "seats-kind-fixed")])
        return updated


class EventTypeUpdate(BaseModel):
    """PATCH body: every field optional; only the fields present change.

    An explicit null resets a field to its default (no daily limit, step = duration, no buffer...); a
    required field (slug, title, duration) has no default to go back to, so null is refused for it here,
    at the edge (422 naming the field), and the schema shows it as not nullable.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Slug | None = Field(None, json_schema_extra=_not_nullable)
    title: Title | None = Field(None, json_schema_extra=_not_nullable)
    duration_minutes: Duration | None = Field(None, json_schema_extra=_not_nullable)
    description: Description | None = None
    buffer_before_minutes: Buffer | None = None
    buffer_after_minutes: Buffer | None = None
    min_notice_minutes: Notice | None = None
    booking_window_days: WindowDays | None = None
    slot_step_minutes: Step | None = None
    daily_limit: DailyLimit | None = None
    weekly_limit: PeriodLimit | None = None
    monthly_limit: PeriodLimit | None = None
    # --- schedules and booked-minute limits (issue 18) ---
    schedule_id: ScheduleId | None = None
    daily_minutes_limit: DailyMinutes | None = None
    weekly_minutes_limit: WeeklyMinutes | None = None
    # --- end of schedules and booked-minute limits ---
    invitee_open_limit: InviteeLimit | None = None
    seats: Seats | None = None
    seats_show_attendees: StrictBool | None = None
    location: Location | None = None
    questions: Questions | None = None
    reminder_minutes_before: ReminderLead | None = None
    bot_gate: BotGate | None = None
    visibility: Visibility | None = None

    @field_validator("slug", "title", "duration_minutes", mode="before")
    @classmethod
    def _required_field_is_not_null(cls, value: object) -> object:
        # Runs only for fields present in the body (defaults are not validated): None here is an explicit null.
        if value is None:
            raise refused(
                "null-not-allowed", "this field is required on an event type and cannot be null; omit it to keep it"
            )
        return value
