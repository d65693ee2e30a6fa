"""The busy mirror: Google's free/busy over the host's horizon, refreshed on a push, a stale read or a
sweep, plus a look at our own events for the host deleting or moving one of them in Google.

Only busy intervals ever leave Google; our own events are the only ones whose details we request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.domain.booking import Booking
from shared.domain.booking_page import DEFAULT_HORIZON_DAYS
from shared.domain.host import Host
from shared.domain.intervals import Interval
from shared.logging import log_event
from shared.services.booking_sync import request_sync
from shared.services.connection import access_revoked, mark_revoked
from shared.services.contention import retried
from shared.services.errors import AlreadyStored, CalendarAccessRevoked, GoogleUnavailable
from shared.services.ports import Ports, TaskQueue, UnitOfWork
from shared.services.records import OurEvent
from shared.services.teams import tell_teams_later

EVENTS_CHECK_OVERLAP = timedelta(minutes=2)  # clocks differ a little: look back a bit further than needed


def busy_window(now: datetime, horizon_days: int) -> Interval:
    """From the start of yesterday (UTC) to the horizon: covers every zone's "today" and the booking window."""
    start = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=1)
    return Interval(start, start + timedelta(days=horizon_days + 2))


def request_busy_refresh(host_id: str, now: datetime, tasks: TaskQueue, window_seconds: int = 20) -> bool:
    """One named refresh task per host per short window: a burst of pushes costs one free/busy query.

    The task runs at the end of its window, so every change made during the burst is seen.
    """
    bucket = int(now.timestamp()) // window_seconds
    delay = (bucket + 1) * window_seconds - now.timestamp()
    return _enqueue_refresh(host_id, f"refresh-{host_id}-{bucket}", tasks, delay)


def refresh_soon(host_id: str, reason: str, tasks: TaskQueue) -> bool:
    """A refresh that should not wait for a burst to end, asked once per reason: `reason` names the state
    that needs it (e.g. the stale mirror's sync time), so repeated asks for the same state collapse."""
    return _enqueue_refresh(host_id, f"refresh-{reason}-{host_id}", tasks)


def _enqueue_refresh(host_id: str, name: str, tasks: TaskQueue, delay_seconds: float = 0) -> bool:
    payload = {"action": "refresh_busy", "host_id": host_id}
    return tasks.enqueue("calendar_sync", payload, name=name, delay_seconds=delay_seconds)


def stale_reason(synced_at: datetime | None) -> str:
    return f"stale{int(synced_at.timestamp()) if synced_at else 0}"


@dataclass(frozen=True)
class RefreshBusy:
    """What a refresh task asks: bring one host's busy mirror up to date with Google."""

    host_id: str


def refresh_task(command: RefreshBusy, deps: Ports) -> str:
    """The Cloud Task: refresh one host's mirror. Raises GoogleUnavailable when it should run again later."""
    host, now = deps.uow().hosts.get(command.host_id), deps.now()
    if host is None or not host.calendar_usable:
        return "skipped"
    try:
        refresh_busy(host, now, deps)
    except CalendarAccessRevoked:
        access_revoked(host.id, now, deps)
        return "host_disconnected"
    return "refreshed"


def refresh_busy(host: Host, now: datetime, deps: Ports) -> None:
    """Replace the host's busy mirror over the horizon with Google's free/busy answer.

    The horizon is the host's longest booking window, so any day an event type offers is covered; the
    busy times of all the host's conflict calendars merge into the one mirror. An older answer never
    overwrites a newer one, an answer over calendars the host no longer chooses is dropped, and nothing is
    written after a disconnect.
    """
    uow = deps.uow()
    page = uow.pages.get(host.slug)
    window = busy_window(now, page.horizon_days if page else DEFAULT_HORIZON_DAYS)
    busy = deps.busy_times.busy(host.id, window, host.calendars.conflict)  # every conflict calendar, one query

    def store() -> Host | None:
        with uow:
            current = uow.hosts.get(host.id)
            if current is None or not current.accepts_busy_refresh(now):
                return None
            if current.calendars.conflict != host.calendars.conflict:
                return None  # the host chose other calendars meanwhile: that choice's own refresh stores
            current_page = uow.pages.get(current.slug)
            uow.months.replace_busy(current.id, window, busy, synced_at=now)
            uow.hosts.save(current.busy_refreshed(now, window.end))
            if current_page is not None:
                uow.pages.save(current.slug, current_page.busy_refreshed(now, window.end))
            uow.audit.record("calendar_busy_read", current.id, "refreshed", now)  # in the mirror's own commit
            uow.commit()
            return current

    stored = retried(store)
    if stored is None:
        log_event("busy_refresh_superseded", host_id=host.id)  # a newer refresh wrote, or the host left
        return
    log_event("busy_refreshed", host_id=host.id, interval_count=len(busy))
    check_our_events(stored, now, deps)


def refresh_after_connect(host: Host, now: datetime, deps: Ports) -> None:
    """Warm the mirror right away so the host's first availability read needs no Google call."""
    try:
        refresh_busy(host, now, deps)
    except CalendarAccessRevoked:
        if mark_revoked(host.id, now, deps.uow()) and (revoked := deps.uow().hosts.get(host.id)) is not None:
            tell_teams_later(revoked, deps)  # their teams' admins hear of it once
    except GoogleUnavailable:
        log_event("busy_refresh_deferred", host_id=host.id)


def check_our_events(host: Host, now: datetime, deps: Ports) -> int:
    """Notice the host deleting or moving one of our booking events in Google; returns bookings changed.

    A deleted event cancels the booking (cancelled_by_host) and frees its time; a moved one flags it
    or needs_attention). A decline is the one edit Google must follow (the event is removed): its own
    sync task is asked for; nothing else is written back, so no loop of our own writes follows.
    """
    uow = deps.uow()
    since = host.sync.events_checked_at - EVENTS_CHECK_OVERLAP if host.sync.events_checked_at else None
    changed, deferred = 0, False
    # In every calendar booking events were written to: a booking keeps the calendar it was first written to.
    for event in deps.busy_times.our_events_changed_since(host.id, since, host.calendars.event_calendars):
        outcome = _apply_host_edit(host.id, event, uow, deps.tasks)
        deferred |= outcome == "deferred"
        changed += outcome == "changed"
    if not deferred:
        _mark_events_checked(host.id, now, uow)
    return changed


def _apply_host_edit(host_id: str, event: OurEvent, uow: UnitOfWork, tasks: TaskQueue) -> str:
    """Decided from the booking as it is at commit time (a concurrent change makes it decide again).

    A move follows the new time when no other booking holds it: the claims on it are created in the
    same commit, so a conflicting move fails that commit and is noted for the host to resolve instead.
    """

    def apply() -> str:
        with uow:
            booking = uow.bookings.get(event.booking_id)
            if booking is None or booking.host_id != host_id:
                return "unknown"
            if event.event_id and event.event_id != booking.google_event_id:
                return "unknown"  # an earlier holding's event of a reassigned booking (deleted by our sync)
            if booking.synced_version < booking.version:
                return "deferred"  # our own change is on its way to Google: look at this event again next time
            after = booking.after_host_edit(event.cancelled, event.declined, event.start, event.end)
            after = after.with_meeting_url(event.meeting_url)
            if after == booking:
                return "unchanged"
            if not _stored(booking, after, uow) and event.start and event.end:
                after = booking.move_noted(event.start, event.end)  # keeps its claims: cannot conflict
                _stored(booking, after, uow)
        request_sync(after, tasks)
        log_event("booking_changed_in_google", booking_id=booking.id, host_id=host_id, state=after.status.value)
        return "changed"

    return retried(apply)


def _stored(before: Booking, after: Booking, uow: UnitOfWork) -> bool:
    """Save a change with its claims and span in the open unit; False when another booking holds the time."""
    uow.bookings.save(after)
    uow.months.move_span(before, after)
    try:
        uow.commit()
    except AlreadyStored:
        return False
    return True


def _mark_events_checked(host_id: str, now: datetime, uow: UnitOfWork) -> None:
    def mark() -> None:
        with uow:
            host = uow.hosts.get(host_id)
            if host is not None:
                uow.hosts.save(host.events_checked(now))
                uow.commit()

    retried(mark)
