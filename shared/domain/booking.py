"""Bookings: a confirmed meeting between a host and an invitee, and what may happen to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import WithJsonSchema

from shared.domain.booking_form import Answer, Answers, Location, LocationKind, Phone
from shared.domain.calendar_span import Instant
from shared.domain.claims import claim_ids, holder_of_place, places_of_run, seat_claim
from shared.domain.errors import BookingCancelled, NothingToResolve, SlotNotOffered, refused
from shared.domain.intervals import Interval
from shared.domain.language import Language
from shared.domain.links import LinkToken
from shared.domain.seats import session_event_id
from shared.domain.text import MULTI_LINE, ONE_LINE
from shared.domain.time_zones import ZoneName

# Lenient on purpose (international addresses), but never a control character: it goes into Google's invite.
_EMAIL_CHAR = r"[^@\s\x00-\x1f\x7f-\x9f]"
EMAIL_PATTERN = rf"^{_EMAIL_CHAR}{{1,64}}@{_EMAIL_CHAR}{{1,255}}\.[^@\s.\x00-\x1f\x7f-\x9f]{{2,63}}$"
_EMAIL = re.compile(EMAIL_PATTERN)


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value) or not _mailable(value):
        raise refused("email-invalid", "not a valid email address")
    return normalised_email(value)


def _mailable(value: str) -> bool:
    """An address our mail can be sent to: the email library's own parse (which refuses what no relay takes
    without SMTPUTF8, such as a non-ASCII local part) finds no defect. The domain may be international."""
    from email.errors import MessageError
    from email.headerregistry import Address

    try:
        Address(addr_spec=value.encode("utf-8").decode("utf-8"))  # a lone surrogate fails the round trip
    except (ValueError, MessageError):  # UnicodeError and the header defects are ValueErrors
        return False
    return True


def normalised_email(address: str, *, for_limits: bool = False) -> str:
    """How Kaleno compares addresses: without regard to letter case, everywhere (what is stored, what a rights
    request names). For limits (`invitee_open_limit`) a `+tag` is dropped too, since `ada+x@example.com` is Ada
    herself; mail still goes to the address as given."""
    local, _, domain = address.strip().lower().rpartition("@")
    if for_limits:
        local = local.partition("+")[0] or local
    return f"{local}@{domain}"


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320),
    AfterValidator(_check_email),
    WithJsonSchema({"type": "string", "pattern": EMAIL_PATTERN, "maxLength": 320}),
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), MULTI_LINE]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), ONE_LINE]


HANDOVER_MARK = "h"  # between the booking id and the holding in a handed-over event's id (base32hex; no hex digit)
ERASED_NAME = "Erased invitee"
ERASED_EMAIL = "erased@erased.invalid"  # reserved TLD: never delivered anywhere
DECLINED_IN_GOOGLE = "The invitee declined the invitation in their calendar."
# Why a host cancelled every booking still to come: they erased their account, or disconnected their calendar.
HostClosure = Literal["account_closed", "host_disconnected"]
CLOSURE_REASONS: dict[str, str] = {
    "account_closed": "The host closed their Kaleno account.",
    "host_disconnected": "The host can no longer take bookings through Kaleno.",
}


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"  # by the invitee or by the host through Kaleno
    CANCELLED_BY_HOST = "cancelled_by_host"  # the host deleted the event in Google Calendar
    # The host moved the event in Google Calendar onto another booking's time: the booking keeps its own
    # time until the host confirms the new one or puts the old one back.
    NEEDS_ATTENTION = "needs_attention"


class BookingChange(StrEnum):
    """What the booking's latest version did, for the people told about it."""

    CREATED = "created"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    UPDATED = "updated"  # details only (a correction, an erasure, processing resumed): nobody is notified
    REASSIGNED = "reassigned"  # a team booking handed to another member at the same time


NOTIFIED_CHANGES = (
    BookingChange.CREATED,
    BookingChange.RESCHEDULED,
    BookingChange.CANCELLED,
    BookingChange.REASSIGNED,
)


class MailState(StrEnum):
    """Where the invitee's notice of the latest change (confirmation, new time, cancellation) stands."""

    PENDING = "pending"  # not sent yet (or the relay asked us to try again later)
    SENT = "sent"
    FAILED = "failed"  # the relay refused it for good (5xx): the host is alerted
    NOT_SENT = "not_sent"  # deliberately not: no relay configured, or processing restricted or erased


class SyncState(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    FAILED = "failed"


class Invitee(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: PersonName
    email: Email
    time_zone: ZoneName


class BookingRequest(BaseModel):
    """POST /bookings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1, max_length=60)
    event_type: str = Field(min_length=1, max_length=60)
    start: Instant
    invitee: Invitee
    notes: Notes | None = None
    answers: Answers = Field(default_factory=dict, description="By question id: text, chosen options or true.")
    invitee_phone: Phone | None = Field(
        None, description="Required when the event type's location is a phone call to the invitee."
    )
    link: LinkToken | None = Field(
        None,
        description="A single-use link's token (the `#link=` part of the link the host sent): required for a "
        "private event type, and used up by this booking.",
    )


class InviteeUpdate(BaseModel):
    """PATCH /bookings/{id}: the invitee corrects their own details; only the fields present change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: PersonName | None = None
    email: Email | None = None
    time_zone: ZoneName | None = None


class CancelRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: Reason | None = None


class RescheduleRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: Instant


class ResolveRequest(BaseModel):
    """POST /hosts/me/bookings/{id}/resolve: settle a booking the host moved onto another booking's time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keep: Literal["moved", "original"] = Field(
        description="moved: the booking takes the time it now has in Google (refused while that time is "
        "another booking's); original: the event goes back to the booked time."
    )


class LeftEvent(BaseModel):
    """An event a team booking's earlier holder still has in their calendar: the sync deletes it."""

    model_config = ConfigDict(frozen=True)

    host_id: str
    calendar_id: str
    event_id: str


@dataclass(frozen=True)
class Holding:
    """Where a team booking goes when it is handed to another member: their host id and write calendar, and
    the numbered places it takes in their limits (names carry the host id, so they change with the holder)."""

    host_id: str
    calendar_id: str
    day_claim: str | None = None
    period_claims: tuple[str, ...] = ()
    minute_places: tuple[str, ...] = ()
    invitee_claim: str | None = None


class CoHost(BaseModel):
    """A member who holds a collective team booking beside its organiser (`Booking.host_id`): their own
    write calendar when booked (their event goes there, as the organiser's goes to `calendar_id`), and their
    own numbered places in the team type's limits (day, week and month places and runs of minute places,
    named by their host id: `claims.holder_of_place` tells whose)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host_id: str
    calendar_id: str | None = None
    places: tuple[str, ...] = ()


class Booking(BaseModel):
    model_config = ConfigDict(frozen=True)

    EVENT_ID_PREFIX: ClassVar[str] = "kal"

    id: str
    host_id: str
    event_type_id: str
    event_title: str
    start: datetime
    end: datetime
    occupied_start: datetime
    occupied_end: datetime
    invitee: Invitee
    manage_token_hash: str  # the manage token itself is never stored
    notes: str | None = None
    answers: tuple[Answer, ...] = ()
    location: Location | None = None
    invitee_phone: str | None = None  # asked when the host calls the invitee
    meeting_url: str | None = None  # a Google Meet's link, once Google has created it
    # needs_attention: the time the host moved the event to in Google, until resolved.
    moved_start: datetime | None = None
    moved_end: datetime | None = None
    change: BookingChange = BookingChange.CREATED
    # The invitee's language, for their mail and .ics: their browser's when they booked (kept when it moves);
    # a booking stored before languages reads as English.
    locale: Language = "en"
    # Which version each message was last sent for ("invitee", "host", "reminder"): a task delivered twice
    # sends once.
    mailed: dict[str, int] = Field(default_factory=dict)
    invitee_mail: MailState | None = None  # None: stored before the state was kept (see confirmation_mail)
    reminder_minutes: int | None = None  # from the event type when booked
    status: BookingStatus = BookingStatus.CONFIRMED
    version: int = 1
    sync_state: SyncState = SyncState.PENDING
    synced_version: int = 0
    sync_error: str | None = None
    cancel_reason: str | None = None
    synced_at: datetime | None = None
    anonymised: bool = False  # the invitee exercised erasure: only the time is kept, for the host
    # The invitee restricted or objected to processing: their booking is kept but not written to Google.
    restricted: bool = False
    objected: bool = False

    # The latest version the invitee asked for themselves (a reschedule, cancellation, correction or erasure).
    # A restriction or objection limits Kaleno's own processing, not the invitee's rights: that version still
    # reaches the host's calendar and the host.
    invitee_version: int = 0

    @property
    def processing_paused(self) -> bool:
        return self.restricted or self.objected

    @property
    def held_back(self) -> bool:
        """Kept as it is (not written to Google, nobody told): restricted or objected to, and this version is
        not a change the invitee asked for."""
        return self.processing_paused and self.invitee_version < self.version

    def asked_by_invitee(self) -> Booking:
        """This version is the invitee's own request (see `invitee_version`)."""
        if self.invitee_version == self.version:
            return self
        return self.model_copy(update={"invitee_version": self.version})

    # For event types with a daily limit: the booking's numbered place on its host-local day (a claim id).
    day_claim: str | None = None
    # For event types with a weekly or monthly limit: its numbered places in its host-local ISO week and
    # calendar month (claim ids `{host}:{type}:w{YYYY-Www}:place{k}` and `{host}:{type}:m{YYYY-MM}:place{k}`).
    period_claims: tuple[str, ...] = ()
    # For event types with a daily or weekly minutes limit: its runs of numbered 5-minute places in its
    # host-local day and ISO week (`shared.domain.periods.minute_run`), one claim per place.
    minute_places: tuple[str, ...] = ()
    # The booking's numbered place among its invitee's bookings still to come with this host (a claim id).
    invitee_claim: str | None = None
    # The host's write calendar when the booking was made ("primary" or a calendar id; None: made before
    # calendars could be chosen, so the primary). Every write and the delete go there, even after the host
    # picks another write calendar.
    calendar_id: str | None = None
    # For group event types (seats > 1): the session it holds a seat in, and which seat. The session, not
    # the booking, holds the claims on the time (shared/domain/seats.py).
    session_id: str | None = None
    seat: int | None = None
    left_session: str | None = None  # the session its latest reschedule left: its event is updated too
    link_id: str | None = None  # the single-use link it was made with (which stays used if it is cancelled)
    # A round-robin team booking: when it was assigned to this host (counted in their tally of the team type,
    # `claims.assignment_tally_id`, and given back from that day's count when it is cancelled). None: not one.
    assigned_at: datetime | None = None
    # Cancelled because the host closed their account or disconnected: the closure's own notice tells the
    # invitee (shared/services/closure.py), not the ordinary cancellation.
    closure: HostClosure | None = None
    # A team's booking (its event type is the team's): the team's id; None for a host's own booking.
    team_id: str | None = None
    # How often it was handed to another member: each holding's event has its own id (`google_event_id`), so
    # an event handed back to an earlier holder is a new one, never their deleted old one.
    handovers: int = 0
    previous_host_id: str | None = None  # who held it before this version, if it handed it on (they are told)
    # Events earlier holders' calendars still show: the sync deletes them (and forgets them once synced).
    left_events: tuple[LeftEvent, ...] = ()
    # A collective one is held by every chosen member: `host_id` is the organiser (the first member in the
    # type's order), `co_hosts` the others, each with their own claims.
    co_hosts: tuple[CoHost, ...] = ()

    @property
    def co_host_ids(self) -> tuple[str, ...]:
        return tuple(co_host.host_id for co_host in self.co_hosts)

    @property
    def holder_ids(self) -> tuple[str, ...]:
        """Everyone whose time this booking holds: the organiser, then the co-hosts (stored beside the
        booking as `holder_ids`, so each holder's own booking list finds it)."""
        return (self.host_id, *self.co_host_ids)

    def as_holder(self, host_id: str) -> Booking:
        """The booking as one holder's own: for a co-host, the booking their own page's booking of that time
        would be (their host id, write calendar and limit places; the invitee's place is the organiser's
        alone). Its claims, booked span and calendar event are that holder's."""
        if host_id == self.host_id:
            return self
        co_host = next((found for found in self.co_hosts if found.host_id == host_id), None)
        if co_host is None:
            raise ValueError("not one of this booking's holders")
        day = [place for place in co_host.places if holder_of_place(place) == ("day", host_id)]
        periods = tuple(place for place in co_host.places if holder_of_place(place) == ("period", host_id))
        runs = tuple(place for place in co_host.places if holder_of_place(place) == ("minutes", host_id))
        return self.model_copy(
            update={
                "host_id": host_id,
                "co_hosts": (),
                "calendar_id": co_host.calendar_id,
                "day_claim": day[0] if day else None,
                "period_claims": periods,
                "minute_places": runs,
                "invitee_claim": None,
                "location": self._shared_location(),
            }
        )

    def with_co_hosts(self, co_hosts: tuple[CoHost, ...]) -> Booking:
        """This version (a move of a collective booking) with its co-hosts' places at the new time."""
        return self.model_copy(update={"co_hosts": co_hosts})

    def without_co_host(self, host_id: str) -> Booking:
        """The booking once a co-host's account is erased: nothing of theirs stays on it (their id, write
        calendar and places, and the record of their notice); it stays the organiser's and the others'."""
        return self.model_copy(
            update={
                "co_hosts": tuple(co_host for co_host in self.co_hosts if co_host.host_id != host_id),
                "mailed": {role: sent for role, sent in self.mailed.items() if role != f"host-{host_id}"},
            }
        )

    def _shared_location(self) -> Location | None:
        """Where a co-host's event says the meeting is: the organiser's place, and for a Google Meet the
        organiser's Meet as a link (its own event asking for a Meet would make another meeting); none while
        Google has not made it yet."""
        if self.location is None or self.location.kind is not LocationKind.GOOGLE_MEET:
            return self.location
        return Location(kind=LocationKind.LINK, value=self.meeting_url) if self.meeting_url else None

    @property
    def holds_time(self) -> bool:
        return self.status in (BookingStatus.CONFIRMED, BookingStatus.NEEDS_ATTENTION)

    def claims(self) -> list[str]:
        """Every claim document this booking must hold: its time granules and its places (day, week, month,
        invitee), for each of its holders (a collective team booking holds every member's)."""
        if not self.holds_time:
            return []
        if self.co_hosts:
            own = self.model_copy(update={"co_hosts": ()}).claims()
            return own + [claim for co_host in self.co_host_ids for claim in self.as_holder(co_host).claims()]
        places = [place for place in (self.day_claim, *self.period_claims, self.invitee_claim) if place]
        places += [place for run in self.minute_places for place in places_of_run(run)]
        if self.held_seat is not None:
            return [seat_claim(*self.held_seat), *places]  # the time is the session's (see `held_seat`)
        granules = claim_ids(self.host_id, Interval(self.occupied_start, self.occupied_end))
        return granules + places

    @property
    def held_seat(self) -> tuple[str, int] | None:
        """(session id, seat) while this booking holds a seat in a group session."""
        if self.session_id is None or self.seat is None or not self.holds_time:
            return None
        return self.session_id, self.seat

    def session_records(self) -> list[str]:
        """A seat booking's session: its record and the claims on its time (held by none of its bookings,
        so a host's erasure deletes them beside the booking's own claims); none for other bookings."""
        if self.session_id is None:
            return []
        return [self.session_id, *claim_ids(self.host_id, Interval(self.occupied_start, self.occupied_end))]

    def sync_retryable(self, now: datetime) -> bool:
        """Worth asking Google again: still pending, or failed for a reason a retry may cure (not a missing
        connection, which a reconnect retries, nor a restriction, which lifting it retries), and not over."""
        if self.sync_state is SyncState.PENDING:
            return True
        waiting_for_the_host = self.sync_error in ("host_not_connected", "processing_paused")
        return self.sync_state is SyncState.FAILED and not waiting_for_the_host and self.end > now

    @property
    def meeting_place(self) -> str | None:
        """Where to meet, in one line (the Meet's link once Google has made it)."""
        if self.location is None:
            return None
        return self.meeting_url or self.location.describe(self.invitee_phone)

    @property
    def event_calendar(self) -> str:
        """Where the event is (or is to be written): the calendar recorded with the booking, else primary."""
        return self.calendar_id or "primary"

    @property
    def google_event_id(self) -> str:
        """Deterministic, so a retried insert answers 409 instead of creating a twin (base32hex: 0-9a-v); a
        seat's event is its session's."""
        if self.session_id is not None:
            return session_event_id(self.session_id)
        if self.handovers:
            return f"{self.EVENT_ID_PREFIX}{self.id}{HANDOVER_MARK}{self.handovers}"
        return f"{self.EVENT_ID_PREFIX}{self.id}"

    def ensure_changeable(self) -> None:
        if self.status is not BookingStatus.CONFIRMED and self.status is not BookingStatus.NEEDS_ATTENTION:
            raise BookingCancelled("this booking was cancelled and can no longer be changed")

    # --- state changes: each returns the booking as it should be stored next ---------------------------
    def cancelled(self, reason: str | None) -> Booking:
        self.ensure_changeable()
        return self._next_version(BookingChange.CANCELLED, status=BookingStatus.CANCELLED, cancel_reason=reason)

    def handed_to(self, holding: Holding) -> Booking:
        """Reassigned: the same time with another member of its team, in their calendar and with their claims
        (the previous holder's are released in the same commit); the previous holder's event is left for the
        sync to delete. Handing it to its own holder changes nothing."""
        self.ensure_changeable()
        if holding.host_id == self.host_id:
            return self
        return self._next_version(BookingChange.REASSIGNED, **self._handover(holding))

    def with_holder(self, holding: Holding) -> Booking:
        """This version (a reschedule) also goes to another member: a team booking moved to a time its holder
        is not free at falls to the next free member, as a booking does."""
        if holding.host_id == self.host_id:
            return self
        return self.model_copy(update=self._handover(holding))

    def _handover(self, holding: Holding) -> dict[str, object]:
        left = LeftEvent(host_id=self.host_id, calendar_id=self.event_calendar, event_id=self.google_event_id)
        return {
            "host_id": holding.host_id,
            "calendar_id": holding.calendar_id,
            "day_claim": holding.day_claim,
            "period_claims": holding.period_claims,
            "minute_places": holding.minute_places,
            "invitee_claim": holding.invitee_claim,
            "handovers": self.handovers + 1,
            "previous_host_id": self.host_id,
            "left_events": (*self.left_events, left),
            "meeting_url": None,  # the new holder's event gets its own Meet
        }

    def closed_by_host(self, closure: HostClosure) -> Booking:
        """Cancelled because the host closed their account or can no longer take bookings; a booking that
        no longer holds time stays as it is (one the invitee cancelled, or one a closure cancelled already)."""
        if not self.holds_time:
            return self
        reason = CLOSURE_REASONS[closure]
        return self._next_version(
            BookingChange.CANCELLED, status=BookingStatus.CANCELLED, closure=closure, cancel_reason=reason
        )

    def moved(
        self,
        meeting: Interval,
        occupied: Interval,
        day_claim: str | None,
        period_claims: tuple[str, ...] = (),
        minute_places: tuple[str, ...] = (),
        seat: tuple[str, int] | None = None,
    ) -> Booking:
        """Rescheduled to a new time (a booking the host had moved in Google is confirmed again); a seat
        booking leaves its session for a seat in the new start's (`seat`: session id and seat)."""
        self.ensure_changeable()
        session, number = seat if seat is not None else (None, None)
        return self._next_version(
            BookingChange.RESCHEDULED,
            status=BookingStatus.CONFIRMED,
            start=meeting.start,
            end=meeting.end,
            occupied_start=occupied.start,
            occupied_end=occupied.end,
            day_claim=day_claim,
            period_claims=period_claims,
            minute_places=minute_places,
            session_id=session,
            seat=number,
            left_session=self.session_id if self.session_id != session else None,
            moved_start=None,
            moved_end=None,
        )

    def _following(self, start: datetime, end: datetime) -> Booking:
        """At the time the host gave our event in Google, buffers moved along; Google already shows it, so
        the new version counts as synced (nothing is written back). A host's own move is not held to the
        daily (weekly, monthly) limit, so the booking gives up its numbered places in the day (week, month)."""
        occupied = Interval(start - (self.start - self.occupied_start), end + (self.occupied_end - self.end))
        return self.moved(Interval(start, end), occupied, day_claim=None)._already_in_google()

    def _next_version(self, change: BookingChange, **changes: object) -> Booking:
        """A change Google must follow: a new version, synced (and announced) by its own tasks."""
        update = {
            "previous_host_id": None,  # who held it before this version: only a handover names someone
            **changes,
            "change": change,
            "version": self.version + 1,
            "sync_state": SyncState.PENDING,
        }
        if change in NOTIFIED_CHANGES:
            update["invitee_mail"] = MailState.PENDING
        return self.model_copy(update=update)

    def _already_in_google(self) -> Booking:
        """This version is what Google shows already (the host did it there): synced, nothing to write."""
        return self.model_copy(update={"synced_version": self.version, "sync_state": SyncState.SYNCED})

    def mailed_for(self, role: str, mark: int) -> Booking:
        """Record a message as sent: for a version (notices) or a start time (reminders)."""
        return self.model_copy(update={"mailed": {**self.mailed, role: mark}})

    def with_invitee_mail(self, state: MailState) -> Booking:
        return self.model_copy(update={"invitee_mail": state})

    @property
    def confirmation_mail(self) -> MailState:
        """The invitee's notice of the latest change; a booking stored before this was kept counts as sent
        once any notice went out."""
        if self.invitee_mail is not None:
            return self.invitee_mail
        return MailState.SENT if self.mailed.get("invitee") else MailState.PENDING

    def with_sync_outcome(
        self, state: SyncState, synced_version: int | None, error: str | None, at: datetime
    ) -> Booking:
        """Record what a sync did: the synced version never goes back, and a booking changed meanwhile
        stays pending (the newer version's own task is on its way)."""
        changes: dict[str, object] = {"sync_state": state, "sync_error": error, "synced_at": at}
        if synced_version is not None:
            synced = max(self.synced_version, synced_version)
            changes["synced_version"] = synced
            if synced < self.version:
                changes["sync_state"] = SyncState.PENDING
            else:  # the session a reschedule left has its event updated: later versions leave it alone
                changes["left_session"] = None
                changes["left_events"] = ()  # and earlier holders' events are deleted
        return self.model_copy(update=changes)

    def rectified(self, invitee: Invitee) -> Booking:
        """The invitee corrected their details; a booking still holding time shows them in Google too."""
        if invitee == self.invitee and not self.anonymised:
            return self
        changes = {"invitee": invitee, "anonymised": False}
        if not self.holds_time:
            return self.model_copy(update=changes)
        return self._next_version(BookingChange.UPDATED, **changes)

    def with_processing(self, *, restricted: bool | None = None, objected: bool | None = None) -> Booking:
        """Set or lift the invitee's restriction or objection; lifting it lets Google follow again."""
        flags = {
            name: value
            for name, value in (("restricted", restricted), ("objected", objected))
            if value is not None and value != getattr(self, name)
        }
        if not flags:
            return self
        after = self.model_copy(update=flags)
        if self.processing_paused and not after.processing_paused and after.holds_time:
            return after._next_version(BookingChange.UPDATED)  # resume: this version's own task makes Google match it
        return after

    def anonymised_for_erasure(self) -> Booking:
        """The invitee's erasure: name, email, phone, notes and answers go; the time stays the host's. A
        booking still to come is also changed in Google (its attendee and description): a new version."""
        if self.anonymised:
            return self
        erased = {
            "invitee": Invitee(name=ERASED_NAME, email=ERASED_EMAIL, time_zone=self.invitee.time_zone),
            "notes": None,
            "answers": (),
            "invitee_phone": None,
            "cancel_reason": None,
            "anonymised": True,
        }
        if self.holds_time:
            return self._next_version(BookingChange.UPDATED, **erased)
        return self.model_copy(update=erased)

    def deleted_in_google(self) -> Booking:
        """Our event is gone from the host's calendar (deleted there): the booking is cancelled by the host,
        a new version (announced, nothing to write) unless it was cancelled already."""
        if self.status is BookingStatus.CANCELLED:
            return self._already_in_google()
        return self._next_version(BookingChange.CANCELLED, status=BookingStatus.CANCELLED_BY_HOST)._already_in_google()

    def after_host_edit(self, deleted: bool, declined: bool, start: datetime | None, end: datetime | None) -> Booking:
        """What the host (or the invitee, declining) did to our event in Google, applied to the booking.

        Deleted: cancelled by the host. Declined by the invitee: cancelled, and the event removed so the
        host's calendar is free again. Moved: the booking follows the new time — the caller commits it
        with claims on that time, and if another booking holds part of it, keeps the booked time with the
        move noted instead (`move_noted`). A booking whose own change is still on its way to Google is
        left as it is: the event will be looked at again once that change is written.
        """
        if not self.holds_time or self.synced_version < self.version:
            return self
        if deleted:
            return self.deleted_in_google()
        if declined:
            return self._next_version(
                BookingChange.CANCELLED, status=BookingStatus.CANCELLED, cancel_reason=DECLINED_IN_GOOGLE
            )
        if start is None or end is None or (start, end) == (self.moved_start, self.moved_end):
            return self
        if (start, end) == (self.start, self.end):
            if self.status is BookingStatus.NEEDS_ATTENTION:  # the host put it back themselves
                back = {"status": BookingStatus.CONFIRMED, "moved_start": None, "moved_end": None}
                return self.model_copy(update=back)
            return self
        if self.co_hosts:  # following would move every member's time unasked: kept, for the host to resolve
            return self.move_noted(start, end)
        return self._following(start, end)

    def move_noted(self, start: datetime, end: datetime) -> Booking:
        """The host moved the event onto time another booking holds: the booking keeps its own time (and
        claims) and waits for the host to resolve it; the calendar already shows the host's choice."""
        return self.model_copy(update={"status": BookingStatus.NEEDS_ATTENTION, "moved_start": start, "moved_end": end})

    def resolved(self, keep_moved: bool) -> Booking:
        """The host settles a moved booking: take the time it has in Google (claims move with it), or put the
        event back at the booked time (a new version, which the sync writes to Google)."""
        self.ensure_changeable()
        if self.status is not BookingStatus.NEEDS_ATTENTION or self.moved_start is None or self.moved_end is None:
            raise NothingToResolve("this booking is not waiting for a decision")
        if keep_moved and self.co_hosts:  # every member's time moves, each asked first: a reschedule's work
            raise SlotNotOffered("a booking with several hosts moves through a reschedule of every member's time")
        if keep_moved:
            return self._following(self.moved_start, self.moved_end)
        back = {"status": BookingStatus.CONFIRMED, "moved_start": None, "moved_end": None}
        return self._next_version(BookingChange.UPDATED, **back)

    def with_meeting_url(self, url: str | None) -> Booking:
        """Google created the Meet (asynchronously): its link, kept without a new version."""
        return self if url is None or url == self.meeting_url else self.model_copy(update={"meeting_url": url})
