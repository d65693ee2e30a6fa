"""Making the host's Google Calendar match each booking (level-triggered: the booking is the truth).

Every booking version enqueues one named task; the task inserts, patches or deletes our event, whose
id is derived from the booking id, so a retried insert answers 409 and counts as done.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.deadlines import carried
from shared.domain.booking import Booking, BookingStatus, SyncState
from shared.domain.booking_page import BookingPage
from shared.domain.seats import session_event_id
from shared.logging import log_event, log_exception
from shared.services.audit import Entry, audit
from shared.services.changes import change_booking
from shared.services.connection import access_revoked
from shared.services.errors import CalendarAccessRevoked, GoogleRejected, GoogleUnavailable
from shared.services.notifications import NOT_YET_STORED_RETRIES, alert_sync_failing, announce
from shared.services.ports import CalendarEvents, Ports, TaskQueue, UnitOfWork
from shared.services.records import HostListing, OurEvent, SessionEvent

PENDING_SYNC_GRACE = timedelta(minutes=5)  # a booking's own task normally syncs it well within this
_ENQUEUER = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sync-enqueue")


def sync_booking_later(booking_id: str, version: int, tasks: TaskQueue, retry_at: datetime | None = None) -> bool:
    """One named task per booking version: duplicate enqueues collapse (False).

    A later retry of the same version (`retry_at`, by the sweep or a reconnect) gets a name of its own per
    hour: Cloud Tasks keeps a finished task's name reserved for a while.
    """
    name = f"booking-{booking_id}-v{version}"
    if retry_at is not None:
        name += f"-retry{int(retry_at.timestamp()) // 3600}"
    return tasks.enqueue(
        "calendar_sync", {"action": "reconcile_booking", "booking_id": booking_id, "version": version}, name=name
    )


def request_sync(booking: Booking, tasks: TaskQueue) -> None:
    """After a booking change is committed: one task, its sync, which tells the people once Google is
    written (so a confirmation carries the Meet's link, and a booking costs one enqueue); a version Google
    shows already is announced here. If the enqueue fails the booking still stands: the scheduler's sweep
    re-enqueues bookings whose sync stayed pending."""
    try:
        if booking.synced_version < booking.version:
            sync_booking_later(booking.id, booking.version, tasks)
        else:
            announce(booking, tasks)
    except Exception as error:
        log_exception("booking_sync_enqueue_failed", error, booking_id=booking.id)


def request_sync_alongside(booking: Booking, tasks: TaskQueue) -> Callable[[], None]:
    """Enqueue the new booking's sync while its commit is on its way, instead of one round trip after it;
    returns a wait for the enqueue. Harmless when the commit loses: the task finds no booking and retries a
    couple of times (it may also simply have arrived before the commit), then ends as "gone"."""
    return _ENQUEUER.submit(carried(request_sync), booking, tasks).result  # under this request's deadline


def resync_failed(host_id: str, now: datetime, uow: UnitOfWork, tasks: TaskQueue) -> int:
    """After a reconnect: try again the host's bookings whose sync failed while access was missing."""
    upcoming = uow.bookings.of_host(host_id, HostListing(now=now, limit=10_000))
    failed = [b for b in upcoming if b.sync_state is SyncState.FAILED]
    return sum(sync_booking_later(b.id, b.version, tasks, retry_at=now) for b in failed)


@dataclass(frozen=True)
class ReconcileBooking:
    """What a booking version's sync task asks: make Google match the booking. `retries`: how often the queue
    has tried this task before; `last_attempt`: the queue drops it after this one."""

    booking_id: str
    version: int
    retries: int = 0
    last_attempt: bool = False


@dataclass(frozen=True)
class SyncOutcome:
    """A sync's result as the booking records it."""

    state: SyncState
    synced_version: int | None = None
    error: str | None = None
    meeting_url: str | None = None

    @classmethod
    def failed(cls, reason: str) -> SyncOutcome:
        return cls(SyncState.FAILED, error=reason)

    @classmethod
    def rejected(cls, error: GoogleRejected) -> SyncOutcome:
        """Google refused the write for good: its status and reason, for the host to see."""
        return cls.failed(f"google_rejected_{error.status}_{error.reason}")


def reconcile_task(command: ReconcileBooking, deps: Ports) -> str:
    """The Cloud Task: raises GoogleUnavailable to be retried with backoff, except on the queue's last
    attempt, where the booking shows a failed sync (the host sees it) rather than being dropped silently.
    A booking not found on an early attempt is asked for again (enqueued alongside its commit, the task
    can arrive first)."""
    booking_id, uow, now = command.booking_id, deps.uow(), deps.now()
    try:
        outcome = reconcile_booking(command, deps)
    except GoogleUnavailable:
        if not command.last_attempt:
            _announce_current(booking_id, deps.tasks, uow)  # nobody waits on Google's recovery for their mail
            raise
        record_sync(booking_id, SyncOutcome.failed("gave_up_after_retries"), now, uow)
        outcome = "gave_up"
        if (booking := uow.bookings.get(booking_id)) is not None:
            alert_sync_failing(booking.host_id, now, deps.tasks)
    if outcome == "gone" and command.retries < NOT_YET_STORED_RETRIES and not command.last_attempt:
        log_event("booking_not_yet_stored", booking_id=booking_id, version=command.version)
        raise GoogleUnavailable(503, None)
    if outcome != "gone":
        _announce_current(booking_id, deps.tasks, uow)
    log_event("booking_reconciled", booking_id=booking_id, version=command.version, outcome=outcome)
    return outcome


def _announce_current(booking_id: str, tasks: TaskQueue, uow: UnitOfWork) -> None:
    """The booking's notices, for the version stored now (with the Meet's link if Google made one); an
    earlier version's task announcing the latest collapses with that version's own (named) task."""
    if (booking := uow.bookings.get(booking_id)) is not None:
        announce(booking, tasks)


def reconcile_booking(command: ReconcileBooking, deps: Ports) -> str:
    """Make the host's Google Calendar match the booking. Returns an outcome; raises GoogleUnavailable
    when Google should be asked again later."""
    uow, now = deps.uow(), deps.now()
    booking = uow.bookings.get(command.booking_id)
    if booking is None:
        return "gone"
    if command.version < booking.version:
        return "superseded"  # the newer version's own task does the work
    if booking.synced_version >= booking.version:
        return "already_synced"  # a duplicate delivery
    host = uow.hosts.get(booking.host_id)
    if host is None or not host.connection.is_connected:
        record_sync(booking.id, SyncOutcome.failed("host_not_connected"), now, uow)
        return "host_not_connected"
    if host.processing_paused or booking.held_back:
        # Restricted or objected to: kept as it is, not written to Google until the flag is lifted (a change
        # the invitee asked for is written all the same: a restriction limits us, not their rights).
        record_sync(booking.id, SyncOutcome.failed("processing_paused"), now, uow)
        return "processing_paused"
    if booking.left_events:
        _delete_left_events(booking, deps.calendar_events)
    page = uow.pages.get(host.slug)
    event_type = page.event_types.get(booking.event_type_id) if page else None
    zone = page.schedule_of(event_type).time_zone if page and event_type else host.time_zone
    if booking.session_id is not None or booking.left_session is not None:
        failed, meeting_url = _write_sessions(_SessionWrite(booking, zone, page, now), uow, deps)
        if failed is not None or booking.session_id is not None:
            return failed or _synced(booking, now, uow, meeting_url)
    try:
        # Apply, then look again: a change made while Google was being written (a reschedule or cancel
        # whose own task raced this one) is applied here too, so the last writer always writes the latest.
        for _ in range(3):
            written = _apply(booking, zone, deps.calendar_events)
            if written is None:
                deleted = change_booking(booking.id, Booking.deleted_in_google, uow)
                if deleted is not None:
                    request_sync(deleted, deps.tasks)  # the invitee is told the host cancelled
                return "event_deleted_in_google"
            meeting_url = written.meeting_url
            latest = uow.bookings.get(booking.id)
            if latest is None or latest.version == booking.version:
                break
            booking = latest
        _write_co_hosts(booking.with_meeting_url(meeting_url), zone, uow, deps)
    except CalendarAccessRevoked:
        access_revoked(host.id, now, deps)
        record_sync(booking.id, SyncOutcome.failed("host_not_connected"), now, uow)
        return "host_not_connected"
    except GoogleRejected as error:
        record_sync(booking.id, SyncOutcome.rejected(error), now, uow)
        return "google_rejected"
    return _synced(booking, now, uow, meeting_url)


def _delete_left_events(booking: Booking, calendar: CalendarEvents) -> None:
    """A reassigned booking's earlier holders lose its event (one already deleted counts as done, so a task
    delivered twice is harmless). A holder whose calendar no longer lets us in keeps it (logged): nothing
    more can be done from here, and it must not hold back the new holder's event."""
    for left in booking.left_events:
        try:
            calendar.delete_session_event(left.host_id, left.event_id, left.calendar_id)
        except CalendarAccessRevoked:
            log_event("left_event_unreachable", booking_id=booking.id, host_id=left.host_id)


def _write_co_hosts(booking: Booking, zone: str, uow: UnitOfWork, deps: Ports) -> None:
    """A collective team booking's event in each co-host's own calendar too: the same deterministic id, written
    with their own access, inserted, matched or deleted as the organiser's is. Google unavailable for one of
    them raises, so the task is retried and writes every holder again (idempotently); a co-host whose access
    is gone is marked so (they drop out of the team's pools) and skipped. The booking counts as synced once
    every co-host who can be written has been. A Google Meet is the organiser's: co-hosts' events link to it
    (`Booking.as_holder`)."""
    for co_host_id in booking.co_host_ids:
        co_host = uow.hosts.get(co_host_id)
        if co_host is None or not co_host.connection.is_connected or co_host.processing_paused:
            log_event("co_host_event_skipped", booking_id=booking.id, host_id=co_host_id)
            continue
        try:
            if _apply(booking.as_holder(co_host_id), zone, deps.calendar_events) is None:
                log_event("co_host_event_gone", booking_id=booking.id, host_id=co_host_id)  # deleted by them
        except CalendarAccessRevoked:
            access_revoked(co_host_id, deps.now(), deps)


def _synced(booking: Booking, now: datetime, uow: UnitOfWork, meeting_url: str | None) -> str:
    record_sync(booking.id, SyncOutcome(SyncState.SYNCED, booking.version, meeting_url=meeting_url), now, uow)
    audit(uow, Entry("calendar_event_write", booking.host_id, booking.status.value, now))
    return "synced"


@dataclass(frozen=True)
class _SessionWrite:
    """A seat booking's change, to be shown in its sessions' events."""

    booking: Booking
    zone: str
    page: BookingPage | None
    now: datetime


def _write_sessions(change: _SessionWrite, uow: UnitOfWork, deps: Ports) -> tuple[str | None, str | None]:
    """A seat booking's change makes its session's one event (and the event of the session it just left, if
    it moved) show that session as it is now: its guests are the bookings holding a seat (inserted with the
    first, deleted with the last). Write, then look again: a seat taken or given up while Google was being
    written is written too, so the last writer always writes the latest guest list. Returns (the outcome if
    it failed, the current session's Meet link)."""
    booking, page, now = change.booking, change.page, change.now
    event_type = page.event_types.get(booking.event_type_id) if page else None
    show_guests = event_type.seats_show_attendees if event_type else False
    meeting_url = None
    try:
        for session in (booking.left_session, booking.session_id):  # the one it left first, then its own
            if session is None:
                continue
            wanted = _session_event(session, show_guests, uow)
            for _ in range(5):
                written = _write_session(booking, session, wanted, change.zone, deps.calendar_events)
                latest = _session_event(session, show_guests, uow)
                if latest == wanted:
                    break
                wanted = latest
            if session == booking.session_id and written is not None:
                meeting_url = written.meeting_url
    except CalendarAccessRevoked:
        access_revoked(booking.host_id, now, deps)
        record_sync(booking.id, SyncOutcome.failed("host_not_connected"), now, uow)
        return "host_not_connected", None
    except GoogleRejected as error:
        record_sync(booking.id, SyncOutcome.rejected(error), now, uow)
        return "google_rejected", None
    return None, meeting_url


def _session_event(session_id: str, show_guests: bool, uow: UnitOfWork) -> SessionEvent | None:
    """The session's event as it should be now; None when no booking holds a seat any more."""
    holders = sorted((b for b in uow.sessions.of_session(session_id) if b.held_seat), key=lambda b: (b.seat, b.id))
    if not holders:
        return None
    first = holders[0]
    # Invitees who erased their data, or restrict or object to processing, are not named in Google.
    guests = tuple((b.invitee.email, b.invitee.name) for b in holders if not b.anonymised and not b.processing_paused)
    return SessionEvent(
        event_id=first.google_event_id,
        session_id=session_id,
        title=first.event_title,
        start=first.start,
        end=first.end,
        guests=guests,
        guests_see_each_other=show_guests,
        location=first.location,
        calendar_id=first.event_calendar,
    )


def _write_session(
    booking: Booking, session: str, event: SessionEvent | None, zone: str, calendar: CalendarEvents
) -> OurEvent | None:
    if event is None:
        # Nobody is left: its calendar is the leaving booking's (a session's bookings share the write calendar
        # unless the host changed it between them).
        calendar.delete_session_event(booking.host_id, session_event_id(session), booking.event_calendar)
        return None
    opener = booking.synced_version == 0 and event.guests == ((booking.invitee.email, booking.invitee.name),)
    # Most likely the session's opener: insert first (one call), as for a plain booking.
    if opener and (inserted := calendar.insert_session_event(booking.host_id, event, zone)) is not None:
        return inserted
    written = calendar.patch_session_event(booking.host_id, event, zone)
    if written is None:  # never inserted yet (its opener's task has not run): insert, or patch a racing insert
        written = calendar.insert_session_event(booking.host_id, event, zone) or calendar.patch_session_event(
            booking.host_id, event, zone
        )
    return written


def _apply(booking: Booking, zone: str, calendar: CalendarEvents) -> OurEvent | None:
    """The event as Google has it now; None when it was deleted in Google meanwhile (its id cannot be
    reused)."""
    if booking.status is BookingStatus.CANCELLED:
        calendar.delete_booking_event(booking.host_id, booking)
    if not booking.holds_time:  # deleted now, or by the host in Google already
        return OurEvent(booking_id=booking.id, cancelled=True, start=None, end=None)
    # Never written yet, or handed to another member whose event is not written yet: insert first (one call).
    fresh = booking.synced_version == 0 or bool(booking.left_events)
    if fresh and (inserted := calendar.insert_booking_event(booking.host_id, booking, zone)):
        return inserted
    # Inserted before (by us, or by an earlier delivery of this task whose answer was lost): match it.
    return calendar.patch_booking_event(booking.host_id, booking, zone)


def record_sync(booking_id: str, outcome: SyncOutcome, now: datetime, uow: UnitOfWork) -> None:
    # Duplicate deliveries of one task race here: decided again with fresh data until one commit wins.
    def decide(booking: Booking) -> Booking:
        after = booking.with_sync_outcome(outcome.state, outcome.synced_version, outcome.error, now)
        return after.with_meeting_url(outcome.meeting_url)

    change_booking(booking_id, decide, uow, attempts=10)
