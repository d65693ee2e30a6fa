"""User rights — access (`export`), erasure (`erase`, then `run_host_erasure` for a host), restriction and
objection (`set_processing`), rectification (`rectify`) — for a host, the invitee of one booking, or a proven
address (`Subject`).

Every repository exports and erases what it holds about a subject, so a new collection cannot be
forgotten here. A host's erasure runs as a named Cloud Task of idempotent steps recorded on a receipt,
so a crash (or Google answering 503) halfway finishes on the task's retry with nothing left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from shared.domain import ids
from shared.domain.address_proof import AddressGrant
from shared.domain.booking import Booking, InviteeUpdate, normalised_email
from shared.domain.errors import ClaimConflict, NotFound, SoleOwner
from shared.domain.host import Host
from shared.domain.write_limits import Taken
from shared.logging import log_event
from shared.services.audit import Entry, audit
from shared.services.booking import authorized_booking
from shared.services.booking_sync import request_sync, resync_failed
from shared.services.busy_refresh import refresh_soon
from shared.services.changes import Decision, change_booking
from shared.services.channels import start_watching, stop_watching
from shared.services.closure import CLOSED_BOOKING_KEPT, close_future_bookings, leave_tombstones, stop_taking_bookings
from shared.services.consent import consent_export, issued_consent_id
from shared.services.contention import retried
from shared.services.errors import AlreadyStored
from shared.services.ports import JsonObject, Ports, SubjectRecords, TaskQueue, UnitOfWork
from shared.services.records import Erasure
from shared.services.write_limits import counted_write, take, writer_of

# Whose rights a request exercises: the signed-in host, the invitee of the one booking a manage token opens,
# or whoever proved an address (every booking made with it, with every host).
Subject = Host | Booking | AddressGrant

FORMAT_VERSION = 1
ERASE_HOST_STEPS = (
    "future_bookings_cancelled",  # first, while Kaleno may still write the host's calendar
    "channels_stopped",
    "grant_revoked",
    "secret_destroyed",
    "records_deleted",
)


@dataclass(frozen=True)
class Export:
    """A person asked for everything held about them; `consent_cookie`: the consent id their browser presents
    (its cookie choices join the export, if Kaleno issued it)."""

    subject: Subject
    complaint: dict[str, str]  # where to take a question or complaint, as this deployment says
    consent_cookie: str | None = None


def export(command: Export, deps: Ports) -> JsonObject:
    """One versioned JSON document (a manage token: that booking; a proven address: every booking made with it),
    with the policy versions this person answered: this browser's cookie choices (a host's profile also holds
    the policy version they were last told about)."""
    uow, now, subject = deps.uow(), deps.now(), command.subject
    if isinstance(subject, Host):
        exported = _export_host(subject, now, uow, command.complaint)
    elif isinstance(subject, AddressGrant):
        exported = _export_address(subject.email, now, uow, command.complaint)
    else:
        exported = _export_invitee(subject, now, uow, command.complaint)
    exported["cookie_consent"] = consent_export(issued_consent_id(deps.keys.audit(), command.consent_cookie), uow)
    return exported


def _export_host(host: Host, now: datetime, uow: UnitOfWork, complaint: dict[str, str]) -> JsonObject:
    """Everything held about the host, one section per repository."""
    sections: dict[str, SubjectRecords] = {
        "profile": uow.hosts,
        "avatars": uow.avatars,
        "booking_pages": uow.pages,
        "bookings": uow.bookings,
        "single_use_links": uow.links,
        "calendar_months": uow.months,
        "sessions": uow.sign_in,
        "watch_channels": uow.channels,
        "webhooks": uow.webhooks,
        "webhook_deliveries": uow.webhook_deliveries,
        "teams": uow.teams,
        "audit": uow.audit,
    }
    exported = {name: repository.export_subject(host.id) for name, repository in sections.items()}
    audit(uow, Entry("rights_export", host.id, "done", now))
    return {
        "format_version": FORMAT_VERSION,
        "subject": "host",
        "exported_at": now.isoformat(),
        **exported,
        "complaint": complaint,
    }


def _export_invitee(booking: Booking, now: datetime, uow: UnitOfWork, complaint: dict[str, str]) -> JsonObject:
    """The one booking a manage token opens, and nothing else: another booking made with the same address
    (perhaps by someone else) needs proof of that address (`_export_address`)."""
    audit(uow, Entry("rights_export", invitee_subject(booking), "done", now))
    return {
        "format_version": FORMAT_VERSION,
        "subject": "invitee",
        "exported_at": now.isoformat(),
        "bookings": [invitee_view(booking)],
        "webhook_deliveries": _deliveries([booking], uow),
        "audit": uow.audit.export_subject(invitee_subject(booking)),
        "complaint": complaint,
    }


def _export_address(email: str, now: datetime, uow: UnitOfWork, complaint: dict[str, str]) -> JsonObject:
    """Everything held about a proven address: its bookings with every host, the ledger's entries about them
    and about the address, and the address's own proofs."""
    bookings = uow.bookings.of_address(normalised_email(email))
    audit(uow, Entry("rights_export", address_subject(email), "done", now))
    subjects = [address_subject(email), *(invitee_subject(booking) for booking in bookings)]
    return {
        "format_version": FORMAT_VERSION,
        "subject": "address",
        "exported_at": now.isoformat(),
        "bookings": [invitee_view(booking) for booking in bookings],
        "webhook_deliveries": _deliveries(bookings, uow),
        "address_proofs": uow.address_proofs.of_address(normalised_email(email)),
        "audit": [entry for subject in subjects for entry in uow.audit.export_subject(subject)],
        "complaint": complaint,
    }


def invitee_subject(booking: Booking) -> str:
    """A manage token's rights are over its booking; the ledger only ever sees this id's keyed hash."""
    return f"invitee-booking:{booking.id}"


def address_subject(email: str) -> str:
    """Rights over an address (proven by a mailed link): the ledger only ever sees this id's keyed hash."""
    return f"invitee:{normalised_email(email)}"


# What an invitee's export leaves out of their booking, each for a reason; everything else is theirs.
INVITEE_EXPORT_OMITS = {
    "host_id": "the host's internal account id (the host's data; the title and times name the meeting)",
    "event_type_id": "the host's internal id of the event type (the title names it)",
    "calendar_id": "which of the host's calendars holds the event (the host's data)",
    "link_id": "the host's internal id of the single-use link it was booked with",
    "session_id": "the internal id of a group session, derived from host, event type and time",
    "left_session": "the same, for the session a reschedule left",
    "day_claim": "the internal name of a lock document on the host's day, derived from the time",
    "period_claims": "the same, for the host's week and month",
    "minute_places": "the same, for the host's minutes limits",
    "invitee_claim": "the same, for the invitee's open-booking limit (a hash of the address)",
}
INVITEE_EXPORT_OMITS["manage_token_hash"] = "a keyed hash standing in for their manage token"  # noqa: S105  # nosec B105


def invitee_view(booking: Booking) -> JsonObject:
    """A booking as its invitee's export shows it: all of it (answers, phone, place, Meet link, seat,
    messages sent, restriction) but the fields named in `INVITEE_EXPORT_OMITS`."""
    return booking.model_dump(mode="json", exclude=set(INVITEE_EXPORT_OMITS))


# What an invitee's export leaves out of the host's webhook deliveries of their bookings (which carry ids,
# times and status codes only: the payload is built at each attempt and never kept).
DELIVERY_EXPORT_OMITS = {
    "id": "the delivery's internal id, made of the host's endpoint id, the booking id and the event",
    "host_id": "the host's internal account id",
    "endpoint_id": "the host's internal id of their receiving endpoint",
}


def _deliveries(bookings: list[Booking], uow: UnitOfWork) -> list[JsonObject]:
    """When each booking was sent to the host's own systems (webhooks), and how that went."""
    return [
        delivery.model_dump(mode="json", exclude=set(DELIVERY_EXPORT_OMITS))
        for booking in bookings
        for delivery in uow.webhook_deliveries.of_booking(booking.id)
    ]


@dataclass(frozen=True)
class Erase:
    """A person asked to erase what is held about them."""

    subject: Subject


def erase(command: Erase, deps: Ports) -> Erasure | JsonObject:
    """A host's account goes entirely, by a task (its receipt, to follow); an invitee's booking, or every
    booking made with a proven address, keeps only its time, done at once (what was done)."""
    uow, now, subject = deps.uow(), deps.now(), command.subject
    if isinstance(subject, Host):
        return _start_host_erasure(subject, now, uow, deps.tasks)
    if isinstance(subject, AddressGrant):
        return _erase_address(subject.email, now, uow, deps.tasks)
    return _erase_invitee(subject, now, uow, deps.tasks)


def _erase_invitee(booking: Booking, now: datetime, uow: UnitOfWork, tasks: TaskQueue) -> JsonObject:
    """Anonymise the booking a manage token opens: the host keeps the time, nothing else. A booking still to
    come follows in Google through its sync task. Done inline; asking again is harmless."""
    anonymised = _anonymise([booking], uow, tasks)
    audit(uow, Entry("rights_erasure", invitee_subject(booking), "done", now))
    log_event("invitee_erased", host_id=booking.host_id, booking_count=anonymised)
    return {"erased_at": now.isoformat(), "steps": {"bookings_anonymised": anonymised}}


def _erase_address(email: str, now: datetime, uow: UnitOfWork, tasks: TaskQueue) -> JsonObject:
    """Anonymise every booking made with a proven address, with every host."""
    anonymised = _anonymise(uow.bookings.of_address(normalised_email(email)), uow, tasks)
    audit(uow, Entry("rights_erasure", address_subject(email), "done", now))
    log_event("address_erased", booking_count=anonymised)
    return {"erased_at": now.isoformat(), "steps": {"bookings_anonymised": anonymised}}


def _anonymise(bookings: list[Booking], uow: UnitOfWork, tasks: TaskQueue) -> int:
    """The invitee's own request: Google follows even while their booking is restricted."""
    for found in bookings:
        after = change_booking(found.id, lambda b: b.anonymised_for_erasure().asked_by_invitee(), uow)
        if after is not None and after.version != found.version:
            request_sync(after, tasks)
    return len(bookings)


def _start_host_erasure(host: Host, now: datetime, uow: UnitOfWork, tasks: TaskQueue) -> Erasure:
    """Record a receipt and hand the work to a named task (a double click enqueues it once). Refused while the
    host is the only owner of a team others are in: they hand it over or delete it first."""
    if any(team.only_owner(host.id) for team in uow.teams.of_member(host.id)):
        raise SoleOwner("you are the only owner of a team with other members: make one of them owner, or delete it")
    erasure = Erasure(id=ids.erasure_id(), requested_at=now)
    with uow:
        uow.audit.save_receipt(erasure)
        uow.commit()
    tasks.enqueue(
        "privacy", {"erasure_id": erasure.id, "host_id": host.id}, name=f"erase-{erasure.id}", path="/tasks/erase"
    )
    audit(uow, Entry("rights_erasure_requested", host.id, "queued", now))
    log_event("erasure_requested", erasure_id=erasure.id, host_id=host.id)
    return erasure


@dataclass(frozen=True)
class RunHostErasure:
    """The erasure task: carry this receipt's erasure of this host to its end; `kept`: how long what is left
    of a cancelled booking (no personal data) still answers its manage link."""

    erasure_id: str
    host_id: str
    kept: timedelta = CLOSED_BOOKING_KEPT


def run_host_erasure(command: RunHostErasure, deps: Ports) -> Erasure:
    """Each step is idempotent and recorded when done; a retry skips what is recorded. Google being
    unavailable raises (the task is retried); nothing is half-written."""
    uow, now, host_id = deps.uow(), deps.now(), command.host_id
    erasure = uow.audit.receipt(command.erasure_id)
    if erasure is None:
        raise NotFound("no such erasure")
    steps = {
        "future_bookings_cancelled": lambda: _cancel_future_bookings(host_id, now, deps, command.kept),
        "channels_stopped": lambda: stop_watching(host_id, deps),
        "grant_revoked": lambda: _revoke(host_id, deps),
        "secret_destroyed": lambda: deps.secrets.destroy_refresh_token(host_id),
        "records_deleted": lambda: _delete_records(host_id, uow),
    }
    for name in ERASE_HOST_STEPS:
        if name not in erasure.steps:
            steps[name]()
            erasure = _step_done(erasure, name, now, uow)
    log_event("erasure_done", erasure_id=command.erasure_id)
    return erasure


def _cancel_future_bookings(host_id: str, now: datetime, ports: Ports, kept: timedelta) -> None:
    """While Kaleno still holds a token: the page stops offering times, each booking still to come is
    cancelled, its invitee told once by our mail (an .ics that removes it) and its event deleted; each then
    leaves a tombstone, so its manage link says the host closed their account (shared/services/closure.py)."""
    stop_taking_bookings(host_id, "account_closed", now, ports.uow())
    close_future_bookings(host_id, "account_closed", now, ports)
    leave_tombstones(host_id, now, kept, ports.uow())


def _revoke(host_id: str, ports: Ports) -> None:
    token = ports.secrets.refresh_token(host_id)
    if token:
        ports.google.revoke(token)
    ports.calendar_access.forget(host_id)


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
        uow.teams,
        uow.avatars,
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


def erasure_receipt(erasure_id: str, deps: Ports) -> Erasure:
    erasure = deps.uow().audit.receipt(erasure_id)
    if erasure is None:
        raise NotFound("no such erasure")
    return erasure


# --- restriction and objection ------------------------------------------------------------------------
@dataclass(frozen=True)
class SetProcessing:
    """A person set (`active`) or lifted a restriction of, or an objection to, the processing of their data."""

    subject: Subject
    flag: Literal["restricted", "objected"]
    active: bool


@dataclass(frozen=True)
class Processing:
    """Where the subject's processing stands: for a proven address, whether any of its bookings has it."""

    restricted: bool
    objected: bool


def set_processing(command: SetProcessing, deps: Ports) -> Processing:
    """While either flag is set Kaleno keeps the data but stops reading and writing Google Calendar for it
    (a host's page offers nothing meanwhile); lifting both resumes."""
    flags: dict[str, bool] = {command.flag: command.active}
    now, subject = deps.now(), command.subject
    if isinstance(subject, Host):
        host = _set_host_processing(subject, flags, now, deps)
        return Processing(restricted=host.restricted, objected=host.objected)
    uow = deps.uow()
    if isinstance(subject, AddressGrant):
        bookings = _set_processing(uow.bookings.of_address(normalised_email(subject.email)), flags, uow, deps.tasks)
        about = address_subject(subject.email)
    else:
        bookings = _set_processing([subject], flags, uow, deps.tasks)
        about = invitee_subject(subject)
    for name, value in flags.items():
        audit(uow, Entry(_right(name), about, _on_off(value), now))
    return Processing(restricted=any(b.restricted for b in bookings), objected=any(b.objected for b in bookings))


def _set_host_processing(host: Host, flags: dict[str, bool], now: datetime, ports: Ports) -> Host:
    """No calendar read or write happens while a flag is set (channels stopped, page offers nothing, syncs
    wait); lifting both resumes: channels, a fresh busy mirror, and every booking whose sync waited."""
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
        audit(uow, Entry(_right(name), host.id, _on_off(value), now))
    if after.processing_paused and not before.processing_paused:
        stop_watching(host.id, ports)
    elif before.processing_paused and after.calendar_usable:
        start_watching(host.id, ports)
        refresh_soon(host.id, f"resumed{int(now.timestamp())}", ports.tasks)
        resync_failed(host.id, now, uow, ports.tasks)
    return after


def _set_processing(
    bookings: list[Booking], flags: dict[str, bool], uow: UnitOfWork, tasks: TaskQueue
) -> list[Booking]:
    """The bookings are kept but not written to Google, nor announced, while either flag is set (changes the
    invitee asks for still are); lifting both lets each one's new version sync."""
    changed = []
    for found in bookings:
        after = change_booking(found.id, lambda b: b.with_processing(**flags), uow)
        if after is not None and after.version != found.version:
            request_sync(after, tasks)
        changed.append(after or found)
    return changed


def _right(flag: str) -> str:
    """The ledger's name for setting or lifting a processing flag."""
    return "rights_restriction" if flag == "restricted" else "rights_objection"


def _on_off(value: bool) -> str:
    return "set" if value else "lifted"


# --- rectification (cookie consent: shared/services/consent.py) -----------------------------------------
@dataclass(frozen=True)
class RectifyInvitee:
    """The invitee holding a booking's manage token corrects their details on it; `client`: where the request
    came from, whose booking writes are counted (under the address before the change; None: not counted)."""

    booking_id: str
    manage_token: str
    update: InviteeUpdate
    client: str | None = None


def rectify(command: RectifyInvitee, deps: Ports) -> Booking:
    """The invitee corrects their name, email or zone on this booking, and on this booking only (a new address
    gives no rights over other bookings made with it); Google's invite follows, even while restricted."""
    uow = deps.uow()
    booking = authorized_booking(command.booking_id, command.manage_token, uow)
    invitee = booking.invitee.model_copy(update=command.update.model_dump(exclude_unset=True, exclude_none=True))

    def rectified(counted: Taken | None) -> Booking | None:
        def decide(current: Booking) -> Booking:
            return current.rectified(invitee).asked_by_invitee()

        alongside = (lambda: take(counted, uow)) if counted else None
        try:
            return change_booking(booking.id, Decision(decide, alongside), uow)
        except AlreadyStored as error:
            raise ClaimConflict("a racing write took this write place") from error

    writer = writer_of(command.client, deps.keys.manage(), deps.now())
    after = counted_write(writer, booking.invitee.email, uow, rectified)
    if after is None:
        raise NotFound("no such booking")
    if after.version != booking.version:
        request_sync(after, deps.tasks)
    audit(uow, Entry("rights_rectification", invitee_subject(after), "done", deps.now()))
    return after
