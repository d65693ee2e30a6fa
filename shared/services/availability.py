"""Public availability: the free slots of one event type, served from our own busy mirror.

Never calls Google. A mirror older than `STALE_AFTER` still answers, and a refresh is requested.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.booking_page import BookingPage
from shared.domain.errors import HostNotFound, InvalidRange
from shared.domain.event_type import EventType
from shared.domain.host import HostNotConnected
from shared.domain.intervals import Interval
from shared.domain.slots import available_slots, count_by_local_day, invitee_range
from shared.services.calendar_sync import request_busy_refresh
from shared.services.ports import Store, TaskQueue

MAX_RANGE_DAYS = 62
LOOKAROUND = timedelta(hours=17)  # ≥ the longest meeting (12 h) plus the longest buffer (4 h)
STALE_AFTER = timedelta(minutes=30)


def booking_page(host_slug: str, event_type_slug: str, store: Store) -> tuple[BookingPage, str, EventType]:
    page = store.booking_page(host_slug)
    if page is None:
        raise HostNotFound(f"no host '{host_slug}'")
    event_type_id, event_type = page.by_slug(event_type_slug)
    return page, event_type_id, event_type


def free_slots(
    host_slug: str,
    event_type_slug: str,
    first_day: date,
    last_day: date,
    invitee_tz: ZoneInfo,
    now: datetime,
    store: Store,
    tasks: TaskQueue,
) -> list[Interval]:
    if (last_day - first_day).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRange(f"ask for at most {MAX_RANGE_DAYS} days at a time")
    # Read a little wider than the dates asked (the longest meeting plus buffers), before the event type
    # is known, so page, host and months arrive in one round trip.
    starts = invitee_range(first_day, last_day, invitee_tz)
    inputs = store.availability_snapshot(host_slug, starts.start - LOOKAROUND, starts.end + LOOKAROUND)
    if inputs is None:
        raise HostNotFound(f"no host '{host_slug}'")
    page = inputs.page
    event_type_id, event_type = page.by_slug(event_type_slug)
    if not inputs.host.connection.is_connected:
        raise HostNotConnected("this host's calendar is not connected, so no times can be offered")
    if inputs.synced_at is None or now - inputs.synced_at > STALE_AFTER:
        request_busy_refresh(page.host_id, now, tasks)
    same_type = [span.start for span in inputs.booked if span.event_type_id == event_type_id]
    return available_slots(
        event_type,
        page.schedule,
        inputs.busy,
        [Interval(span.occupied_start, span.occupied_end) for span in inputs.booked],
        now=now,
        first_day=first_day,
        last_day=last_day,
        invitee_tz=invitee_tz,
        horizon_end=inputs.horizon_end or now,  # never synced: nothing is known, nothing is offered
        bookings_per_day=count_by_local_day(same_type, page.schedule.zone),
    )
