"""A host's public booking page: everything an availability read needs besides busy times, in one record.

It is also the registry of public host slugs (its id is the slug), so a slots request finds the host,
the event type, the weekly hours and the state of the calendar connection with a single read by id.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.errors import EventTypeNotFound, SlugTaken
from shared.domain.event_type import EventType
from shared.domain.host import Host
from shared.domain.links import Visibility
from shared.domain.schedule import Schedule

DEFAULT_HORIZON_DAYS = 60


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


class BookingPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    host_id: str
    display_name: str
    schedule: Schedule
    event_types: dict[str, EventType] = Field(default_factory=dict)  # by event type id
    calendar: CalendarView = CalendarView()

    def with_connection(self, connected: bool) -> BookingPage:
        """Following the host's connection. After a disconnect whatever the mirror said is no longer known:
        after a reconnect nothing is offered until the first refresh has run."""
        calendar = self.calendar.model_copy(update={"connected": connected})
        if not connected:
            calendar = CalendarView(connected=False, paused=self.calendar.paused)
        return self.model_copy(update={"calendar": calendar})

    def with_processing_paused(self, paused: bool) -> BookingPage:
        return self.model_copy(update={"calendar": self.calendar.model_copy(update={"paused": paused})})

    def busy_refreshed(self, started_at: datetime, horizon_end: datetime) -> BookingPage:
        calendar = self.calendar.model_copy(update={"synced_at": started_at, "horizon_end": horizon_end})
        return self.model_copy(update={"calendar": calendar})

    def following_profile(self, before: Host, after: Host) -> BookingPage:
        """The page shows the host's name; hours still in the host's old zone move to the new one."""
        schedule = self.schedule
        if schedule.time_zone == before.time_zone and after.time_zone != before.time_zone:
            schedule = schedule.model_copy(update={"time_zone": after.time_zone})
        return self.model_copy(update={"display_name": after.display_name, "schedule": schedule})

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
        return self.model_copy(update={"event_types": {**self.event_types, event_type_id: event_type}})

    def without_event_type(self, event_type_id: str) -> BookingPage:
        self.event_type(event_type_id)  # raises EventTypeNotFound
        return self.model_copy(
            update={"event_types": {k: v for k, v in self.event_types.items() if k != event_type_id}}
        )

    @property
    def horizon_days(self) -> int:
        """How far ahead the busy mirror must reach: the longest booking window (at least the default)."""
        return max([DEFAULT_HORIZON_DAYS, *(et.booking_window_days for et in self.event_types.values())])
