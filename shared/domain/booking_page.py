"""A host's public booking page: everything an availability read needs besides busy times, in one record.

It is also the registry of public host slugs (its id is the slug), so a slots request finds the host,
the event type, the weekly hours and the state of the calendar connection with a single read by id.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.errors import (
    EventTypeLimitReached,
    EventTypeNotFound,
    FieldProblem,
    PageFull,
    ScheduleInUse,
    ScheduleLimitReached,
    ScheduleNotFound,
    SlugTaken,
    UnknownSchedule,
)
from shared.domain.event_type import EventType
from shared.domain.host import Host
from shared.domain.language import DEFAULT_LANGUAGE, Language
from shared.domain.links import Visibility
from shared.domain.schedule import (
    DEFAULT_SCHEDULE_ID,
    DEFAULT_SCHEDULE_NAME,
    MAX_SCHEDULES,
    NamedSchedule,
    Schedule,
    ScheduleName,
)
from shared.domain.sizes import largest_field, stored_size

DEFAULT_HORIZON_DAYS = 60
MAX_EVENT_TYPES = 50
# The page is one stored record, read whole by every availability request, and Firestore refuses a document
# over 1 MiB. Each field has its own limit (questions, options, texts, schedules...), but those limits
# multiplied out would allow several MiB; so a change that grows the page past this many bytes (Firestore's
# own count, shared/domain/sizes.py) is refused, naming the field to shorten. The rest of the 1 MiB is left
# for what the adapter adds around the page (its name, bookkeeping): tests/unit/test_page_size.py builds
# the largest page this allows and measures the document the adapter writes.
PAGE_BYTES = 800 * 1024
_S = TypeVar("_S", bound=Schedule)


def default_schedule(time_zone: str) -> Schedule:
    """Weekdays 09:00–17:00 until the host sets their own hours."""
    return Schedule.model_validate(
        {
            "time_zone": time_zone,
            "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        }
    )


class CalendarView(BaseModel):
    """What availability must know of the host's calendar connection (kept in step with the host)."""

    model_config = ConfigDict(frozen=True)

    connected: bool = False
    paused: bool = False  # the host restricted or objected to processing: nothing is offered meanwhile
    synced_at: datetime | None = None  # last busy refresh
    horizon_end: datetime | None = None  # the busy mirror covers up to here
    # The host's write calendar ("primary" or a calendar id): each new booking records it, in its own commit.
    write_calendar: str = "primary"


class BookingPage(BaseModel):
    """`schedule` is the default schedule, stored where it always was; the other named schedules sit beside
    it in `schedules` (a page stored before there were several simply has none: nothing to migrate), so an
    availability read still finds the hours of any event type in this one document."""

    model_config = ConfigDict(frozen=True)

    host_id: str
    display_name: str
    schedule: Schedule
    default_schedule_name: ScheduleName = DEFAULT_SCHEDULE_NAME
    schedules: dict[str, NamedSchedule] = Field(default_factory=dict)  # by schedule id, the default excluded
    event_types: dict[str, EventType] = Field(default_factory=dict)  # by event type id
    calendar: CalendarView = CalendarView()
    # The host's look, kept in step with the host (`following_profile`) so the public read stays one document.
    brand_color: str | None = None
    avatar: str | None = None  # the picture's id: its public address is /bookings/avatars/{id}.webp
    locale: Language = DEFAULT_LANGUAGE

    def with_connection(self, connected: bool) -> BookingPage:
        """Following the host's connection. After a disconnect whatever the mirror said is no longer known:
        after a reconnect nothing is offered until the first refresh has run."""
        calendar = self.calendar.model_copy(update={"connected": connected})
        if not connected:
            calendar = CalendarView(
                connected=False, paused=self.calendar.paused, write_calendar=self.calendar.write_calendar
            )
        return self.model_copy(update={"calendar": calendar})

    def with_processing_paused(self, paused: bool) -> BookingPage:
        return self.model_copy(update={"calendar": self.calendar.model_copy(update={"paused": paused})})

    def writing_to(self, calendar_id: str) -> BookingPage:
        return self.model_copy(update={"calendar": self.calendar.model_copy(update={"write_calendar": calendar_id})})

    def busy_refreshed(self, started_at: datetime, horizon_end: datetime) -> BookingPage:
        calendar = self.calendar.model_copy(update={"synced_at": started_at, "horizon_end": horizon_end})
        return self.model_copy(update={"calendar": calendar})

    def following_profile(self, before: Host, after: Host) -> BookingPage:
        """The page shows the host's name and look; hours still in the host's old zone move to the new one."""

        def moved(schedule: _S) -> _S:
            if schedule.time_zone == before.time_zone and after.time_zone != before.time_zone:
                return schedule.model_copy(update={"time_zone": after.time_zone})
            return schedule

        schedules = {schedule_id: moved(schedule) for schedule_id, schedule in self.schedules.items()}
        update = {
            "display_name": after.display_name,
            "schedule": moved(self.schedule),
            "schedules": schedules,
            "brand_color": after.brand_color,
            "avatar": after.avatar,
            "locale": after.locale,
        }
        return self.model_copy(update=update)

    # --- schedules ----------------------------------------------------------------------------------------
    def schedule_of(self, event_type: EventType) -> Schedule:
        """The hours `event_type` offers: its schedule, or the default one (also for an id no longer known,
        which the edits below never leave behind)."""
        schedule_id = event_type.schedule_id
        if schedule_id is None or schedule_id == DEFAULT_SCHEDULE_ID:
            return self.schedule
        return self.schedules.get(schedule_id, self.schedule)

    def named_schedules(self) -> dict[str, NamedSchedule]:
        """Every schedule by id, the default first."""
        default = NamedSchedule(name=self.default_schedule_name, **self.schedule.model_dump())
        return {DEFAULT_SCHEDULE_ID: default, **self.schedules}

    def named_schedule(self, schedule_id: str) -> NamedSchedule:
        try:
            return self.named_schedules()[schedule_id]
        except KeyError:
            raise ScheduleNotFound(f"no schedule {schedule_id}") from None

    def with_schedule(self, schedule_id: str, schedule: NamedSchedule) -> BookingPage:
        """The page with this schedule added or replaced (the default one keeps its place)."""
        if schedule_id == DEFAULT_SCHEDULE_ID:
            hours = Schedule.model_validate(schedule.model_dump(exclude={"name"}))
            return self._fitting(
                self.model_copy(update={"schedule": hours, "default_schedule_name": schedule.name}), schedule
            )
        if schedule_id not in self.schedules and len(self.schedules) + 1 >= MAX_SCHEDULES:
            raise ScheduleLimitReached(f"a host has at most {MAX_SCHEDULES} schedules")
        return self._fitting(self.model_copy(update={"schedules": {**self.schedules, schedule_id: schedule}}), schedule)

    def with_hours(self, schedule: Schedule) -> BookingPage:
        """The page with new hours for the default schedule (its name unchanged)."""
        return self._fitting(self.model_copy(update={"schedule": schedule}), schedule)

    def _fitting(self, after: BookingPage, written: BaseModel) -> BookingPage:
        """`after` (this page with `written` in it), unless it outgrows PAGE_BYTES. A change that does not
        grow the page is always taken, so a page stored before the limit can still be trimmed."""
        grown = stored_size(after)
        if grown > PAGE_BYTES and grown > stored_size(self):
            limit = {"limit_kib": PAGE_BYTES // 1024}
            raise PageFull([FieldProblem(largest_field(written), "page-full", limit)])
        return after

    def without_schedule(self, schedule_id: str) -> BookingPage:
        self.named_schedule(schedule_id)  # raises ScheduleNotFound
        if schedule_id == DEFAULT_SCHEDULE_ID:
            raise ScheduleInUse("the default schedule cannot be deleted")
        users = sorted(et.slug for et in self.event_types.values() if et.schedule_id == schedule_id)
        if users:
            raise ScheduleInUse(f"event types use this schedule: {', '.join(users)}; point them elsewhere first")
        return self.model_copy(update={"schedules": {k: v for k, v in self.schedules.items() if k != schedule_id}})

    def schedule_users(self, schedule_id: str) -> list[str]:
        """Ids of the event types whose hours come from this schedule."""
        return [
            et_id for et_id, et in self.event_types.items() if (et.schedule_id or DEFAULT_SCHEDULE_ID) == schedule_id
        ]

    def event_type(self, event_type_id: str) -> EventType:
        try:
            return self.event_types[event_type_id]
        except KeyError:
            raise EventTypeNotFound(f"no event type {event_type_id}") from None

    def by_slug(self, slug: str) -> tuple[str, EventType]:
        for event_type_id, event_type in self.event_types.items():
            if event_type.slug == slug:
                return event_type_id, event_type
        raise EventTypeNotFound(f"no event type '{slug}'")

    def listed(self) -> dict[str, EventType]:
        """The event types the host's public page lists: the public ones (private ones only open by link)."""
        return {et_id: et for et_id, et in self.event_types.items() if et.visibility is Visibility.PUBLIC}

    def with_event_type(self, event_type_id: str, event_type: EventType) -> BookingPage:
        """The page with this event type added or replaced; its slug must be free among the others."""
        if any(et.slug == event_type.slug and et_id != event_type_id for et_id, et in self.event_types.items()):
            raise SlugTaken(f"you already have an event type with the slug '{event_type.slug}'")
        schedule_id = event_type.schedule_id
        if schedule_id is not None and schedule_id != DEFAULT_SCHEDULE_ID and schedule_id not in self.schedules:
            raise UnknownSchedule(f"you have no schedule '{schedule_id}'")
        if event_type_id not in self.event_types and len(self.event_types) >= MAX_EVENT_TYPES:
            raise EventTypeLimitReached(f"a host has at most {MAX_EVENT_TYPES} event types; delete one first")
        after = self.model_copy(update={"event_types": {**self.event_types, event_type_id: event_type}})
        return self._fitting(after, event_type)

    def without_event_type(self, event_type_id: str) -> BookingPage:
        self.event_type(event_type_id)  # raises EventTypeNotFound
        return self.model_copy(
            update={"event_types": {k: v for k, v in self.event_types.items() if k != event_type_id}}
        )

    @property
    def horizon_days(self) -> int:
        """How far ahead the busy mirror must reach: the longest booking window (at least the default)."""
        return max([DEFAULT_HORIZON_DAYS, *(et.booking_window_days for et in self.event_types.values())])
