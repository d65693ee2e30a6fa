"""Booking writes: book, view, cancel, reschedule. Never a double booking; idempotent under retries.

The HTTP answer comes right after the Firestore commit and the task enqueue: Google follows through a
named Cloud Task per booking version (see calendar_sync.reconcile_booking).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.domain.booking import (
    Booking,
    BookingRequest,
    BookingStatus,
    ClaimConflict,
    IdempotencyKeyReused,
    SyncState,
)
from shared.domain.claims import meeting, occupied_span
from shared.domain.errors import BookingNotFound, SlotNotOffered, SlotTaken
from shared.domain.host import Host
from shared.logging import log_event, log_exception
from shared.services.availability import check_offered, day_claim
from shared.services.calendar_sync import sync_booking_later
from shared.services.ports import IdempotencyRecord, Store, TaskQueue

IDEMPOTENCY_TTL = timedelta(hours=24)
COMMIT_ATTEMPTS = 3


@dataclass(frozen=True)
class Booked:
    booking: Booking
    manage_token: str
    replayed: bool = False


def manage_token(key: str, booking_id: str) -> str:
    """Derived from the booking id with an app secret: the same answer can be replayed, and only its
    hash is stored with the booking."""
    digest = hmac.new(key.encode(), f"manage:{booking_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def book(
    request: BookingRequest, idempotency_key: str | None, now: datetime, store: Store, tasks: TaskQueue, manage_key: str
) -> Booked:
    """Check the slot, then commit booking + claims + idempotency key at once.

    A repeated Idempotency-Key is noticed only when something fails (its own booking now holds the slot,
    or its key document exists): the first, usual request pays no extra read for it.
    """
    key_hash = hashlib.sha256(f"idem:{idempotency_key}".encode()).hexdigest() if idempotency_key else None
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    try:
        booking, token = _commit_with_retries(request, key_hash, request_hash, now, store, manage_key)
    except (SlotTaken, SlotNotOffered):
        if key_hash and (replay := _replay(key_hash, request_hash, store, manage_key)):
            return replay
        raise
    request_sync(booking, tasks)
    log_event("booking_created", booking_id=booking.id, host_id=booking.host_id)
    return Booked(booking, token)


def _commit_with_retries(
    request: BookingRequest, key_hash: str | None, request_hash: str, now: datetime, store: Store, manage_key: str
) -> tuple[Booking, str]:
    """A lost race for a day's numbered place (or a time) is looked at again with fresh data: if the time is
    really taken the check says so; if only the place was, the next free place is claimed."""
    for _ in range(COMMIT_ATTEMPTS - 1):
        try:
            return _commit_new_booking(request, key_hash, request_hash, now, store, manage_key)
        except ClaimConflict:
            continue
    return _commit_new_booking(request, key_hash, request_hash, now, store, manage_key)


def _commit_new_booking(
    request: BookingRequest, key_hash: str | None, request_hash: str, now: datetime, store: Store, manage_key: str
) -> tuple[Booking, str]:
    offer = check_offered(request.host, request.event_type, request.start, now, store)
    span, slot = occupied_span(request.start, offer.event_type), meeting(request.start, offer.event_type)
    booking_id = uuid.uuid4().hex
    token = manage_token(manage_key, booking_id)
    booking = Booking(
        id=booking_id,
        host_id=offer.page.host_id,
        event_type_id=offer.event_type_id,
        event_title=offer.event_type.title,
        start=slot.start,
        end=slot.end,
        occupied_start=span.start,
        occupied_end=span.end,
        invitee=request.invitee,
        notes=request.notes,
        day_claim=day_claim(offer, slot.start),
        manage_token_hash=token_hash(token),
    )
    record = None
    if key_hash:
        record = IdempotencyRecord(
            key_hash=key_hash, request_hash=request_hash, booking_id=booking.id, expires_at=now + IDEMPOTENCY_TTL
        )
    store.create_booking(booking, record, now)
    return booking, token


def _replay(key_hash: str, request_hash: str, store: Store, manage_key: str) -> Booked | None:
    record = store.get_idempotency(key_hash)
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request")
    booking = store.get_booking(record.booking_id)
    if booking is None:
        return None
    return Booked(booking, manage_token(manage_key, booking.id), replayed=True)


def authorized_booking(booking_id: str, token: str | None, store: Store) -> Booking:
    """The booking, if `token` is its manage token; a wrong token looks exactly like a missing booking."""
    booking = store.get_booking(booking_id)
    if not token or booking is None or not hmac.compare_digest(booking.manage_token_hash, token_hash(token)):
        raise BookingNotFound("no booking with this id and manage token")
    return booking


def cancel(booking: Booking, reason: str | None, now: datetime, store: Store, tasks: TaskQueue) -> Booking:
    def cancelled(current: Booking) -> Booking:
        current.ensure_changeable()
        return current.model_copy(
            update={
                "status": BookingStatus.CANCELLED,
                "version": current.version + 1,
                "cancel_reason": reason,
                "sync_state": SyncState.PENDING,
            }
        )

    updated = store.change_booking(booking.id, cancelled, now)
    request_sync(updated, tasks)
    log_event("booking_cancelled", booking_id=booking.id, host_id=booking.host_id)
    return updated


def reschedule(booking: Booking, new_start: datetime, now: datetime, store: Store, tasks: TaskQueue) -> Booking:
    booking.ensure_changeable()
    host = store.get_host(booking.host_id)
    page = store.booking_page(host.slug) if host else None
    if host is None or page is None or booking.event_type_id not in page.event_types:
        raise SlotNotOffered("this kind of meeting is no longer offered; please book anew")
    event_type_slug = page.event_types[booking.event_type_id].slug
    offer = check_offered(host.slug, event_type_slug, new_start, now, store, moving=booking)
    span, slot = occupied_span(new_start, offer.event_type), meeting(new_start, offer.event_type)

    place = day_claim(offer, slot.start, moving=booking)

    def moved(current: Booking) -> Booking:
        current.ensure_changeable()
        return current.model_copy(
            update={
                "day_claim": place,
                "start": slot.start,
                "end": slot.end,
                "occupied_start": span.start,
                "occupied_end": span.end,
                "status": BookingStatus.CONFIRMED,
                "version": current.version + 1,
                "sync_state": SyncState.PENDING,
            }
        )

    updated = store.change_booking(booking.id, moved, now)  # new claims and released old ones: one commit
    request_sync(updated, tasks)
    log_event("booking_rescheduled", booking_id=booking.id, host_id=booking.host_id)
    return updated


def host_booking(host: Host, booking_id: str, store: Store) -> Booking:
    booking = store.get_booking(booking_id)
    if booking is None or booking.host_id != host.id:
        raise BookingNotFound("no such booking")
    return booking


def request_sync(booking: Booking, tasks: TaskQueue) -> None:
    """Named by booking and version, so duplicate enqueues collapse and every version is synced once.

    If the enqueue fails the booking still stands (it is committed): the scheduler's sweep re-enqueues
    bookings whose sync stayed pending.
    """
    try:
        sync_booking_later(booking.id, booking.version, tasks)
    except Exception as error:
        log_exception("booking_sync_enqueue_failed", error, booking_id=booking.id)
