"""User rights: access (export) and erasure, for hosts and for invitees.

Every repository exports and erases what it holds about a subject, so a new collection cannot be
forgotten here. A host's erasure runs as a named Cloud Task of idempotent steps recorded on a receipt,
so a crash (or Google answering 503) halfway finishes on the task's retry with nothing left behind.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from shared.domain.booking import Booking
from shared.domain.errors import NotFound
from shared.domain.host import Host
from shared.logging import log_event
from shared.services.audit import audit
from shared.services.booking_sync import request_sync, resync_failed
from shared.services.busy_refresh import refresh_soon
from shared.services.changes import change_booking
from shared.services.channels import start_watching, stop_watching
from shared.services.contention import retried
from shared.services.errors import CalendarAccessRevoked
from shared.services.ports import Ports, SubjectRecords, TaskQueue, UnitOfWork
from shared.services.records import Erasure, HostListing

FORMAT_VERSION = 1
ERASE_HOST_STEPS = (
    "future_bookings_cancelled",  # first, while Kaleno may still write the host's calendar
    "channels_stopped",
    "grant_revoked",
    "secret_destroyed",
    "records_deleted",
)


def export_host(host: Host, now: datetime, uow: UnitOfWork, complaint: dict[str, str]) -> dict[str, Any]:
    """Everything held about the host, one section per repository."""
    sections: dict[str, SubjectRecords] = {
        "profile": uow.hosts,
        "booking_pages": uow.pages,
        "bookings": uow.bookings,
        "single_use_links": uow.links,
        "calendar_months": uow.months,
        "sessions": uow.sign_in,
        "watch_channels": uow.channels,
        "webhooks": uow.webhooks,
        "webhook_deliveries": uow.webhook_deliveries,
        "audit": uow.audit,
    }
    exported = {name: repository.export_subject(host.id) for name, repository in sections.items()}
    audit(uow, "rights_export", host.id, "done", now)
    return {
        "format_version": FORMAT_VERSION,
        "subject": "host",
        "exported_at": now.isoformat(),
        **exported,
        "complaint": complaint,
    }


def export_invitee(booking: Booking, now: datetime, uow: UnitOfWork, complaint: dict[str, str]) -> dict[str, Any]:
    """The invitee's own bookings with this host, and nothing about the host's other invitees or account."""
    bookings = uow.bookings.of_invitee(booking.host_id, booking.invitee.email)
    audit(uow, "rights_export", invitee_subject(booking), "done", now)
    return {
        "format_version": FORMAT_VERSION,
        "subject": "invitee",
        "exported_at": now.isoformat(),
        "bookings": [_invitee_view(b) for b in bookings],
        "audit": uow.audit.export_subject(invitee_subject(booking)),
        "complaint": complaint,
    }


def invitee_subject(booking: Booking) -> str:
    """An invitee is known per host by their email; the ledger only ever sees this id's keyed hash."""
    return f"invitee:{booking.host_id}:{booking.invitee.email}"


def _invitee_view(booking: Booking) -> dict[str, Any]:
    return booking.model_dump(
        mode="json",
        include={"id", "event_title", "start", "end", "invitee", "notes", "status", "cancel_reason"},
    )


def erase_invitee(booking: Booking, now: datetime, uow: UnitOfWork, tasks: TaskQueue) -> dict[str, Any]:
    """Anonymise every booking of this invitee with this host: the host keeps the time, nothing else.
    Bookings still to come follow in Google through their sync task. Done inline; asking again is harmless."""
    subject = invitee_subject(booking)
    anonymised = 0
    for found in uow.bookings.of_invitee(booking.host_id, booking.invitee.email):
        after = change_booking(found.id, Booking.anonymised_for_erasure, uow)
        if after is not None and after.version != found.version:
            request_sync(after, tasks)
        anonymised += 1
    audit(uow, "rights_erasure", subject, "done", now)
    log_event("invitee_erased", host_id=booking.host_id, booking_count=anonymised)
    return {"erased_at": now.isoformat(), "steps": {"bookings_anonymised": anonymised}}


def start_host_erasure(host: Host, now: datetime, uow: UnitOfWork, tasks: TaskQueue) -> Erasure:
    """Record a receipt and hand the work to a named task (a double click enqueues it once)."""
    erasure = Erasure(id=f"er{secrets.token_hex(16)}", requested_at=now)
    with uow:
        uow.audit.save_receipt(erasure)
        uow.commit()
    tasks.enqueue(
        "privacy", {"erasure_id": erasure.id, "host_id": host.id}, name=f"erase-{erasure.id}", path="/tasks/erase"
    )
    audit(uow, "rights_erasure_requested", host.id, "queued", now)
    log_event("erasure_requested", erasure_id=erasure.id, host_id=host.id)
    return erasure


def run_host_erasure(erasure_id: str, host_id: str, now: datetime, ports: Ports) -> Erasure:
    """Each step is idempotent and recorded when done; a retry skips what is recorded. Google being
    unavailable raises (the task is retried); nothing is half-written."""
    uow = ports.uow()
    erasure = uow.audit.receipt(erasure_id)
    if erasure is None:
        raise NotFound("no such erasure")
    steps = {
        "future_bookings_cancelled": lambda: _cancel_future_bookings(host_id, now, ports),
        "channels_stopped": lambda: stop_watching(host_id, uow, ports.calendar),
        "grant_revoked": lambda: _revoke(host_id, ports),
        "secret_destroyed": lambda: ports.secrets.destroy_refresh_token(host_id),
        "records_deleted": lambda: _delete_records(host_id, uow),
    }
    for name in ERASE_HOST_STEPS:
        if name not in erasure.steps:
            steps[name]()
            erasure = _step_done(erasure, name, now, uow)
    log_event("erasure_done", erasure_id=erasure_id)
    return erasure


def _cancel_future_bookings(host_id: str, now: datetime, ports: Ports) -> None:
    """Their Google events are deleted (Google tells the invitees, as for any cancellation)."""
    uow = ports.uow()
    for booking in uow.bookings.of_host(host_id, HostListing(now=now, limit=10_000)):
        if booking.holds_time:
            try:
                ports.calendar.delete_booking_event(host_id, booking)
            except CalendarAccessRevoked:
                return  # the grant is already gone: Kaleno can no longer touch the calendar


def _revoke(host_id: str, ports: Ports) -> None:
    token = ports.secrets.refresh_token(host_id)
    if token:
        ports.google.revoke(token)
    ports.calendar.forget(host_id)


def _delete_records(host_id: str, uow: UnitOfWork) -> None:
    """Every repository, a page at a time; the host record goes last, so a retry still finds the rest."""
    repositories = (
        uow.bookings,
        uow.links,
        uow.months,
        uow.channels,
        uow.sign_in,
        uow.webhooks,
        uow.webhook_deliveries,
        uow.audit,
        uow.pages,
        uow.hosts,
    )
    for repository in repositories:
        while True:
            with uow:
                erased = repository.erase_subject(host_id)
                uow.commit()
            if erased == 0:
                break


def _step_done(erasure: Erasure, step: str, now: datetime, uow: UnitOfWork) -> Erasure:
    done = {**erasure.steps, step: now}
    finished = len(done) == len(ERASE_HOST_STEPS)
    updated = erasure.model_copy(
        update={"steps": done, "state": "done" if finished else "running", "finished_at": now if finished else None}
    )

    def save() -> None:
        with uow:
            uow.audit.receipt(erasure.id)
            uow.audit.save_receipt(updated)
            uow.commit()

    retried(save)
    return updated


def erasure_receipt(erasure_id: str, uow: UnitOfWork) -> Erasure:
    erasure = uow.audit.receipt(erasure_id)
    if erasure is None:
        raise NotFound("no such erasure")
    return erasure


# --- restriction and objection ------------------------------------------------------------------------
def set_host_processing(
    host: Host, flags: dict[str, bool], now: datetime, ports: Ports, channel_key: str, webhook_url: str
) -> Host:
    """`flags`: `restricted` and/or `objected`. While either is set, no calendar read or write happens
    (channels stopped, page offers nothing, syncs wait); lifting both resumes: channels, a fresh busy
    mirror, and every booking whose sync waited."""
    uow = ports.uow()

    def change() -> tuple[Host, Host]:
        with uow:
            before = uow.hosts.get(host.id)
            if before is None:
                raise NotFound("no such host")
            after = before.model_copy(update=flags)
            page = uow.pages.get(after.slug)
            uow.hosts.save(after)
            if page is not None:
                uow.pages.save(after.slug, page.with_processing_paused(after.processing_paused))
            uow.commit()
            return before, after

    before, after = retried(change)
    for name, value in flags.items():
        audit(uow, _right(name), host.id, _on_off(value), now)
    if after.processing_paused and not before.processing_paused:
        stop_watching(host.id, uow, ports.calendar)
    elif before.processing_paused and after.calendar_usable:
        start_watching(host.id, now, uow, ports.calendar, channel_key, webhook_url)
        refresh_soon(host.id, f"resumed{int(now.timestamp())}", ports.tasks)
        resync_failed(host.id, now, uow, ports.tasks)
    return after


def set_invitee_processing(
    booking: Booking, flags: dict[str, bool], now: datetime, uow: UnitOfWork, tasks: TaskQueue
) -> list[Booking]:
    """The invitee's bookings with this host are kept but not written to Google while either flag is set;
    lifting both lets each booking's new version sync."""
    changed = []
    for found in uow.bookings.of_invitee(booking.host_id, booking.invitee.email):
        after = change_booking(found.id, lambda b: b.with_processing(**flags), uow)
        if after is not None and after.version != found.version:
            request_sync(after, tasks)
        changed.append(after or found)
    for name, value in flags.items():
        audit(uow, _right(name), invitee_subject(booking), _on_off(value), now)
    return changed


def _right(flag: str) -> str:
    """The ledger's name for setting or lifting a processing flag."""
    return "rights_restriction" if flag == "restricted" else "rights_objection"


def _on_off(value: bool) -> str:
    return "set" if value else "lifted"


# --- rectification (cookie consent: shared/services/consent.py) -----------------------------------------
def rectify_invitee(
    booking: Booking, changes: dict[str, str], now: datetime, uow: UnitOfWork, tasks: TaskQueue
) -> Booking:
    """The invitee corrects their name, email or zone on this booking; Google's invite follows."""
    invitee = booking.invitee.model_copy(update=changes)
    after = change_booking(booking.id, lambda current: current.rectified(invitee), uow)
    if after is None:
        raise NotFound("no such booking")
    if after.version != booking.version:
        request_sync(after, tasks)
    audit(uow, "rights_rectification", invitee_subject(after), "done", now)
    return after
