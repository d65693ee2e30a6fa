"""A host closing (erasing their account, or disconnecting their calendar) keeps faith with their invitees.

Each booking still to come is cancelled, its invitee gets exactly one cancellation by our own mail with an
.ics `METHOD:CANCEL` carrying the UID of every file they had (so their calendar removes the entry, whether
or not Google still lets us delete the event), and its Google event is deleted while Kaleno still holds a
token. Every booking is a small resumable sequence — cancel, tell, delete — each recorded on the booking, so
a run that failed halfway (or a task delivered twice) picks up where it stopped and sends no second mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.domain.booking import Booking, HostClosure, SyncState
from shared.domain.host import Connection, ConnectionState
from shared.domain.language import N_
from shared.logging import log_event
from shared.services import messages
from shared.services.booking_sync import SyncOutcome, record_sync
from shared.services.changes import change_booking
from shared.services.connection import change_connection
from shared.services.errors import CalendarAccessRevoked, GoogleRejected
from shared.services.ics import cancellation_ics
from shared.services.notifications import Notice, send_once
from shared.services.ports import Ports, UnitOfWork
from shared.services.records import ClosedBooking, HostListing

MAX_BOOKINGS = 10_000  # a host's bookings still to come, read at once (the erasure's own bound too)
YOUR_HOST = N_("Your host")  # a host gone before their invitees were told
# How long after the meeting's time a closed account's booking links still say why (410) rather than nothing
# (404): `Settings.closed_booking_retention_days` in production; this default for callers without settings.
CLOSED_BOOKING_KEPT = timedelta(days=90)


def future_bookings(host_id: str, deps: Ports) -> list[Booking]:
    """The host's bookings that start later and still hold their time: what a closure cancels."""
    now = deps.now()
    upcoming = deps.uow().bookings.of_host(host_id, HostListing(now=now, limit=MAX_BOOKINGS))
    return [booking for booking in upcoming if booking.holds_time and booking.start > now]


def stop_taking_bookings(host_id: str, closure: HostClosure, now: datetime, uow: UnitOfWork) -> None:
    """Marked first, so no booking slips in while the others are being cancelled (the page offers nothing)."""
    change_connection(host_id, Connection(state=ConnectionState.DISCONNECTED, reason=closure, since=now), uow)


def close_future_bookings(host_id: str, closure: HostClosure, now: datetime, ports: Ports) -> int:
    """Cancel, tell and delete every booking still to come; also finishes what an earlier run left (a booking
    already cancelled by a closure but not yet mailed, or whose event is still in Google). Returns how many
    bookings this run cancelled. Google or the relay being unavailable raises (asked again later)."""
    uow = ports.uow()
    host_name = _host_name(host_id, uow)
    upcoming = uow.bookings.of_host(host_id, HostListing(now=now, limit=MAX_BOOKINGS))
    cancelled = 0
    for booking in upcoming:
        if booking.start <= now or not (booking.holds_time or booking.closure is not None):
            continue
        closed = change_booking(booking.id, lambda current: current.closed_by_host(closure), uow)
        if closed is None or closed.closure is None:
            continue  # gone, or cancelled by the invitee meanwhile (their own notice tells them)
        cancelled += closed.version != booking.version
        _tell_invitee(closed, host_name, now, ports)
        _delete_event(closed, now, ports)
    log_event("host_bookings_closed", host_id=host_id, booking_count=cancelled, reason=closure)
    return cancelled


def leave_tombstones(host_id: str, now: datetime, kept: timedelta, uow: UnitOfWork) -> int:
    """Before an erased host's bookings go: each one still to come keeps a record, without personal data,
    that its manage link answers with (410, the host closed their account) until `kept` after its time."""
    upcoming = uow.bookings.of_host(host_id, HostListing(now=now, limit=MAX_BOOKINGS))
    with uow:
        for booking in upcoming:
            expires_at = max(booking.end, now) + kept
            uow.audit.save_closed_booking(ClosedBooking(booking_id=booking.id, closed_at=now, expires_at=expires_at))
        uow.commit()
    return len(upcoming)


def _host_name(host_id: str, uow: UnitOfWork) -> str:
    host = uow.hosts.get(host_id)
    page = uow.pages.get(host.slug) if host else None
    return page.display_name if page else host.display_name if host else ""  # "": said in the invitee's words


def _tell_invitee(booking: Booking, host_name: str, now: datetime, ports: Ports) -> None:
    """One message per booking, recorded on the booking once sent with its delivery state (a relay that refuses
    for good is recorded too, and logged; an outage raises MailDeferred, and the run is asked again)."""
    mailer = ports.mailer
    if mailer is None or booking.anonymised or booking.mailed.get("invitee", 0) >= booking.version:
        return  # no relay: Google tells the invitee as it deletes the event (sendUpdates=all)
    host_name = host_name or messages.words(booking.locale)(YOUR_HOST)
    ics = cancellation_ics(booking, host_name, now)
    notice = Notice("invitee", booking.version, messages.closure_notice(booking, host_name, ics), kind="closure")
    send_once(booking, notice, mailer, ports.uow())


def _delete_event(booking: Booking, now: datetime, ports: Ports) -> None:
    """Remove the event from the host's calendar while a token still stands. A grant already gone leaves the
    booking's sync failed (a reconnect deletes it then); the invitee has been told either way."""
    if booking.synced_version >= booking.version:
        return
    uow = ports.uow()
    outcome = SyncOutcome(SyncState.SYNCED, booking.version)
    # A collective team booking's event is in every member's calendar: each is deleted with that member's own
    # grant, so one member's grant already gone (the one closing, often) leaves no other member's event behind.
    for holder in booking.holder_ids:
        try:
            ports.calendar_events.delete_booking_event(holder, booking.as_holder(holder))
        except CalendarAccessRevoked:
            outcome = SyncOutcome.failed("host_not_connected")
        except GoogleRejected as error:
            outcome = SyncOutcome.rejected(error)
    record_sync(booking.id, outcome, now, uow)
