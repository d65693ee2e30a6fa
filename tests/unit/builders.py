"""Small builders shared by the unit tests: readable instants, event types, schedules, engine calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain.event_type import EventType
from shared.domain.intervals import Interval
from shared.domain.schedule import WEEKDAYS, Schedule
from shared.domain.slots import available_slots


def utc(text: str) -> datetime:
    """An aware UTC instant from "YYYY-MM-DDTHH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def span(start: str, end: str) -> Interval:
    return Interval(utc(start), utc(end))


def event_type(duration: int = 30, **fields: Any) -> EventType:
    return EventType(slug="meeting", title="Meeting", duration_minutes=duration, **fields)


def every_day(time_zone: str, *ranges: tuple[str, str]) -> Schedule:
    """The same hours on all seven weekdays."""
    return Schedule(time_zone=time_zone, weekly={day: list(ranges) for day in WEEKDAYS})


def only_on(time_zone: str, day: date, *ranges: tuple[str, str]) -> Schedule:
    """Hours on one date (an override) and none otherwise."""
    return Schedule(time_zone=time_zone, overrides={day: list(ranges)})


def slots(
    schedule: Schedule,
    meeting: EventType,
    first_day: date,
    last_day: date | None = None,
    *,
    invitee_tz: str | None = None,
    busy: Sequence[Interval] = (),
    booked: Sequence[Interval] = (),
    now: datetime | None = None,
    horizon_end: datetime | None = None,
    bookings_per_day: Mapping[date, int] | None = None,
    bookings_per_week: Mapping[date, int] | None = None,
    bookings_per_month: Mapping[date, int] | None = None,
) -> list[Interval]:
    """Run the engine with quiet defaults: now a week before, horizon far away, invitee in the host zone."""
    now = now or datetime.combine(first_day - timedelta(days=7), time(), UTC)
    return available_slots(
        meeting,
        schedule,
        busy,
        booked,
        now=now,
        first_day=first_day,
        last_day=last_day or first_day,
        invitee_tz=ZoneInfo(invitee_tz or schedule.time_zone),
        horizon_end=horizon_end or now + timedelta(days=400),
        bookings_per_day=bookings_per_day,
        bookings_per_week=bookings_per_week,
        bookings_per_month=bookings_per_month,
    )


def starts(intervals: Sequence[Interval]) -> list[datetime]:
    return [interval.start for interval in intervals]
