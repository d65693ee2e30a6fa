"""Booking writes: book, view, cancel, reschedule. Never a double booking; idempotent under retries.

The HTTP answer comes right after the Firestore commit, with the task enqueued alongside it: Google
follows through a named Cloud Task per booking version (see booking_sync.reconcile_booking).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shared.deadlines import check as check_deadline
from shared.domain import ids
from shared.domain.booking import Booking, BookingRequest, BookingStatus, CoHost, Holding, normalised_email
from shared.domain.booking_form import checked_form
from shared.domain.claims import idempotency_record_id, invitee_place, meeting, occupied_span, session_id
from shared.domain.errors import (
    BookingNotFound,
    ClaimConflict,
    DomainError,
    FieldProblem,
    HostAccountClosed,
    HostNotConnected,
    HostNotFound,
    IdempotencyKeyReused,
    IdempotencyKeySpent,
    InvalidAnswers,
    InviteeLimitReached,
    LinkUsed,
    NothingToResolve,
    ProofRequired,
    SeatConflict,
    SeatsFull,
    SlotNotOffered,
    SlotTaken,
)
from shared.domain.event_type import SLUG_PATTERN, EventType
from shared.domain.host import Host
from shared.domain.intervals import Interval
from shared.domain.language import Language
from shared.domain.links import BookingLink
from shared.domain.offer import Offer, check_start, day_claim, minute_runs, period_claims
from shared.domain.offsets import epoch_seconds
from shared.domain.seats import free_seat
from shared.domain.tallies import AssignmentTally, TallyChange
from shared.domain.team import Team
from shared.domain.team_offer import Assignment, PoolMember, check_team_start, round_robin_order, standing
from shared.domain.write_limits import Taken, WritePlaces, places_to_take
from shared.i18n import N_
from shared.logging import log_event
from shared.services.availability import OfferQuery, Visitor, check_offered, offer_around, opened_page
from shared.services.booking_sync import request_sync, request_sync_alongside
from shared.services.bot_gate import GateCheck, Proof, challenged, gate_check, refusal_after_conflict, spend
from shared.services.changes import Decision, change_booking, take_seat
from shared.services.errors import AlreadyStored, Contention
from shared.services.ics import booking_ics
from shared.services.ports import MembersAsked, Ports, TaskQueue, UnitOfWork
from shared.services.records import HostListing, IdempotencyRecord
from shared.services.team_availability import (
    TeamTypeAsked,
    TeamTypeOf,
    member_offers,
    opened_team_offers,
)
from shared.services.team_bookings import move_targets
from shared.services.tokens import genuine_manage_token, manage_token
from shared.services.write_limits import (
    SeenPlaces,
    Writer,
    client_writes_before,
    counted_write,
    counted_write_seen,
    place_names,
    take,
    writer_of,
)

SLUG = re.compile(SLUG_PATTERN)
IDEMPOTENCY_TTL = timedelta(hours=24)
COMMIT_ATTEMPTS = 4
MAX_SEATS = 200  # the most seats an event type has (shared/domain/event_type.py)
CHANGE_ATTEMPTS = 20
HOST_ACCOUNT_CLOSED = "The host closed their Kaleno account, so this booking was cancelled."


@dataclass(frozen=True)
class Booked:
    booking: Booking
    manage_token: str
    replayed: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Sender:
    """Where a booking write came from, as its request said: the client's address, whose writes are counted
    (None: a write nobody counts), and its `Kaleno-Proof` header (None: it sent none)."""

    client: str | None = None
    proof: str | None = None


@dataclass(frozen=True)
class Book:
    """What a visitor asked: this booking, under this Idempotency-Key (None: none sent), from this sender."""

    request: BookingRequest
    idempotency_key: str | None = None
    sender: Sender = Sender()
    language: Language = "en"  # the invitee's, for their mail (their request's Accept-Language)


@dataclass(frozen=True)
class ByInvitee:
    """A change asked by the invitee: their manage token opens the booking; their client's writes are counted
    and a move passes the bot gate."""

    manage_token: str
    sender: Sender = Sender()


@dataclass(frozen=True)
class ByHost:
    """A change asked by the signed-in host, of one of their own bookings: not counted, not gated."""

    host_id: str


Asker = ByInvitee | ByHost


@dataclass(frozen=True)
class CancelBooking:
    booking_id: str
    reason: str | None
    by: Asker


@dataclass(frozen=True)
class RescheduleBooking:
    booking_id: str
    start: datetime
    by: Asker


@dataclass(frozen=True)
class OpenBooking:
    """The invitee opening their booking with its manage token."""

    booking_id: str
    manage_token: str


@dataclass(frozen=True)
class _Checks:
    """What one write is checked against, derived from its sender at its time (`now`, read once): whose writes
    it counts (None: not counted) and the bot gate's view of it (None: not gated)."""

    now: datetime
    writer: Writer | None = None
    gate: GateCheck | None = None


def _checks(sender: Sender, deps: Ports, gated: bool = True) -> _Checks:
    key, now = deps.keys.manage(), deps.now()
    return _Checks(now, writer_of(sender.client, key, now), gate_check(sender.proof, key, now) if gated else None)


@contextmanager
def _challenged(deps: Ports) -> Iterator[None]:
    """A write refused by the bot gate is refused with a fresh challenge to solve."""
    try:
        yield
    except ProofRequired as refused:
        raise challenged(refused, deps.keys.manage(), deps.now()) from None


def book(command: Book, deps: Ports) -> Booked:
    """Check the slot, then commit booking + claims + idempotency key (+ the sender's write places and the bot
    gate's proof) at once.

    A repeated Idempotency-Key is noticed only when something fails (its own booking now holds the slot or
    used the link, or its key document exists): the first, usual request pays no extra read for it.
    """
    with _challenged(deps):
        return _book(command, _checks(command.sender, deps), deps)


def _book(command: Book, checks: _Checks, deps: Ports) -> Booked:
    request, idempotency_key, uow, manage_key = command.request, command.idempotency_key, deps.uow(), deps.keys.manage()
    key_hash = idempotency_record_id(idempotency_key) if idempotency_key else None
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    keys = checks.writer.places(request.invitee.email) if checks.writer else ()
    names = place_names(keys)
    attempt = _Attempt(request, key_hash, request_hash, checks.now, manage_key, keys, names, checks.gate)
    attempt.language = command.language
    try:
        booking, token = _committed(attempt, uow, deps.tasks)
    except (SlotTaken, SlotNotOffered, LinkUsed, ProofRequired):  # a retry of a made booking: replayed
        if key_hash and (replay := _replay(key_hash, request_hash, uow, manage_key)):
            return replay
        raise
    log_event("booking_created", booking_id=booking.id, host_id=booking.host_id)
    return Booked(booking, token)


def form_problems(body: object, deps: Ports) -> list[FieldProblem]:
    """For a booking body the model refused (a bad name or email...): what is wrong with its answers and phone
    too, against the questions of the event type it names, so one answer names every field. Nothing when the
    body names no event type this visitor may book (unknown, private without a valid link): those refusals
    come once the fields are right, in their usual order."""
    if not isinstance(body, dict):
        return []
    host, event_type, link = body.get("host"), body.get("event_type"), body.get("link")
    answers, phone = body.get("answers", {}), body.get("invitee_phone")
    if not (isinstance(host, str) and isinstance(event_type, str) and isinstance(answers, dict)):
        return []
    if not (SLUG.fullmatch(host) and SLUG.fullmatch(event_type)):  # a shape no page has: nothing to read
        return []
    try:
        now, uow = deps.now(), deps.uow()
        visitor = Visitor(link if isinstance(link, str) else None)
        _, _, shown = opened_page(OfferQuery(host, event_type, now, visitor), uow)
        checked_form(shown.questions, shown.location, answers, phone if isinstance(phone, str) else None)
    except InvalidAnswers as refused:
        return refused.problems
    except DomainError:
        return []
    return []


@dataclass(frozen=True)
class _AsMember:
    """A team type's booking made as one member's: their page's slug, the team type (id, type) on it and the
    team; for a collective type, the type with the other members (`co_hosts`), who hold the booking too."""

    slug: str
    team_type: tuple[str, EventType]
    team_id: str
    tally: TallyChange | None = None  # a round-robin member's count, one up in the booking's commit
    co_hosts: TeamTypeOf | None = None
    # Their offer as the members' read found it, with the write places and bot-gate counts: the first try
    # of the first member tried commits on it (the commit's must-not-exist claims guard the race, as after
    # any read); a look again reads afresh.
    preread: Offer | None = None


@dataclass
class _Attempt:
    """One booking request through its commit attempts; `counted` holds the write places of the last one."""

    request: BookingRequest
    key_hash: str | None
    request_hash: str
    now: datetime
    manage_key: str
    keys: tuple[WritePlaces, ...]  # the client's and the invitee's places in this window (none: not counted)
    write_places: list[str]  # their names, looked up with each attempt's offer read
    gate: GateCheck | None = None  # the bot gate's check of this write (None: no gate)
    counted: Taken | None = None
    places_lost: int = 0  # conflicts that were a write place taken by a racing write
    member: _AsMember | None = None  # a team type booked as this member's (None: the request's host)
    team_link: BookingLink | None = None  # the team type's single-use link it is booked with (claimed with it)
    language: Language = "en"  # the invitee's

    def query(self, query: OfferQuery) -> OfferQuery:
        """The offer query of this attempt: a team type's is the member's page with the team's type."""
        if self.member is None:
            return query
        member = self.member
        return replace(query, host_slug=member.slug, visitor=None, team_type=member.team_type, team_link=self.team_link)

    def count(self, taken: Collection[str]) -> None:
        """The places this attempt takes, from those the read found taken; a place the last attempt tried
        that exists now was lost to a racing write of the same client or invitee (that commit failed as a
        whole, so it is not its own): progress, not a conflict to give up over."""
        pick: Callable[[list[int]], int] = min
        if self.counted is not None and any(place in taken for place, _ in self.counted.places):
            self.places_lost += 1
            pick = random.choice  # nosec B311  # spreads racing writes over the places left; no secret
        self.counted = places_to_take(self.keys, taken, self.now, pick) if self.keys else None


def _committed(attempt: _Attempt, uow: UnitOfWork, tasks: TaskQueue) -> tuple[Booking, str]:
    """The booking on the request's host's page; a team's slug books the team type instead: asked first when
    this instance knows the slug as a team's (no look for a host's page), else only when no host has the
    slug, so a host's booking pays nothing for teams. A team gone from a known slug is asked as a host's."""
    if uow.teams.known_slug(attempt.request.host):
        try:
            return _commit_for_team(attempt, uow, tasks)
        except HostNotFound:
            pass
    try:
        return _commit_with_retries(attempt, uow, tasks)
    except HostNotFound:
        return _commit_for_team(attempt, uow, tasks)


def _commit_for_team(attempt: _Attempt, uow: UnitOfWork, tasks: TaskQueue) -> tuple[Booking, str]:
    """A round-robin team type: the members free at the start (each asked by their own offer, all read in one
    batch get, their round-robin tallies of the type with them), in `round_robin_order` (fewest assignments in
    the last 30 days first); each is tried as a booking on their own page, with their own claims,
    until one commits, so a racer who took one member's time sends this booking to the next (409 only when
    none is left). The booking is that member's: their calendar, their claims, the team type's id, and one
    more on their tally in the same commit."""
    request, gate = attempt.request, attempt.gate
    around = Interval(request.start, request.start + timedelta(minutes=1))
    windows = gate.windows(attempt.now) if gate else ()
    members = MembersAsked(tallied=True, places=tuple(attempt.write_places), velocity_windows=windows)
    asked = TeamTypeAsked(request.host, request.event_type, Visitor(request.link), attempt.now, members)
    opened = opened_team_offers(asked, around, uow)  # HostNotFound: no team has the slug
    team, event_type_id, event_type, offers = opened.team, opened.event_type_id, opened.event_type, opened.offers
    attempt.team_link = opened.link
    if event_type.assignment is Assignment.COLLECTIVE:
        return _commit_collective(TeamTypeOf(event_type_id, event_type), team, offers, attempt, (uow, tasks))
    free = check_team_start(event_type.assignment, offers, request.start, attempt.now)
    now = epoch_seconds(attempt.now)
    tallies = {host_id: offer.snapshot.assignments or AssignmentTally() for host_id, offer in offers.items()}
    pool = {
        host_id: standing(PoolMember(host_id, member.weight, member.priority), tallies[host_id], now)
        for host_id, member in team.members.items()
        if host_id in event_type.members and host_id in offers
    }
    # A link is looked at again for each member's attempt (a racer may have used it), so its offer is read then.
    preread = opened.carries_asked and opened.link is None
    for tried, host_id in enumerate(round_robin_order(free, pool)):
        counted = TallyChange.assigned(host_id, event_type_id, tallies[host_id], now)
        offer = offers[host_id]
        first = offer if preread and tried == 0 else None
        attempt.member = _AsMember(
            offer.snapshot.slug, (event_type_id, event_type.event_type), team.id, counted, preread=first
        )
        try:
            return _commit_with_retries(attempt, uow, tasks)
        except (SlotTaken, SlotNotOffered, ClaimConflict, HostNotConnected, HostNotFound):
            continue  # taken meanwhile (or their limit filled, or they went): the next member
    raise SlotTaken(N_("this time was just booked by someone else; please pick another slot"))


def _commit_collective(
    team_type: TeamTypeOf, team: Team, offers: dict[str, Offer], attempt: _Attempt, ports: tuple[UnitOfWork, TaskQueue]
) -> tuple[Booking, str]:
    """A collective team type: every member who can offer now must be free at the start (one whose calendar is
    disconnected drops out of the pool, as the team's slots leave them out). The booking is the organiser's
    (the first of them in the type's order), made as on their page, and holds every other member's claims and
    booked span in the same one commit (`_with_co_hosts`), so a member's own page booked meanwhile fails it
    whole; it is looked at again like any booking (`_commit_with_retries`), and ends in 409 slot-taken when a
    member's time is gone."""
    uow, tasks = ports
    event_type, start = team_type.event_type, attempt.request.start
    present = [member for member in event_type.members if member in offers]
    if not present:
        raise SlotNotOffered(N_("this start time is not one of the offered slots"))
    check_team_start(Assignment.COLLECTIVE, offers, start, attempt.now)
    organiser, *others = present
    host = uow.hosts.get(organiser)
    if host is None:
        raise SlotNotOffered(N_("this start time is not one of the offered slots"))
    co_hosts = None  # one member: their own booking of the team's type
    if others:
        co_hosts = TeamTypeOf(team_type.event_type_id, event_type.model_copy(update={"members": others}))
    attempt.member = _AsMember(host.slug, (team_type.event_type_id, event_type.event_type), team.id, co_hosts=co_hosts)
    try:
        return _commit_with_retries(attempt, uow, tasks)
    except HostNotFound as gone:  # the organiser's page went meanwhile
        raise SlotNotOffered(N_("this start time is not one of the offered slots")) from gone


def _with_co_hosts(booking: Booking, attempt: _Attempt, uow: UnitOfWork) -> Booking:
    """A collective team type's booking with every other member as a co-host: each asked again by their own
    offer (one batch get) whether they are free at the start now, with the places their limits take (named
    by their host id) and their write calendar. Any other booking is as it is (its team is set when made)."""
    member = attempt.member
    if member is None or member.co_hosts is None:
        return booking
    start, now = booking.start, attempt.now
    offers = member_offers(member.co_hosts, Interval(start, start + timedelta(minutes=1)), uow)
    if any(other not in offers for other in member.co_hosts.event_type.members):
        raise SlotNotOffered(N_("this start time is not one of the offered slots"))
    check_team_start(Assignment.COLLECTIVE, offers, start, now)
    co_hosts = tuple(
        CoHost(
            host_id=other,
            calendar_id=offer.page.calendar.write_calendar,
            places=tuple(place for place in (day_claim(offer, start), *period_claims(offer, start)) if place)
            + tuple(minute_runs(offer, start)),
        )
        for other, offer in ((other, offers[other]) for other in member.co_hosts.event_type.members)
    )
    return booking.model_copy(update={"co_hosts": co_hosts})


def _commit_with_retries(attempt: _Attempt, uow: UnitOfWork, tasks: TaskQueue) -> tuple[Booking, str]:
    """A lost race for a numbered place (or a time) is looked at again with fresh data: if the time is really
    taken the check says so; if only a place was, the next free one is claimed. An invitee's first booking
    takes their first place without a look; only after a conflict are their held places read. A seat lost to
    another invitee of a group session, or a write place lost to a racing write of the same client or invitee,
    is not counted against the attempts: someone got it, so the session or the window fills up and the
    look-again ends (at the latest with `seats-full` or `rate-limited`)."""
    conflicts = seat_conflicts = 0
    while (
        conflicts - attempt.places_lost < COMMIT_ATTEMPTS - 1
        and seat_conflicts <= MAX_SEATS
        and attempt.places_lost <= len(attempt.write_places)
    ):
        first_try = conflicts == seat_conflicts == 0
        if not first_try:
            check_deadline()  # each look again is a read and a commit: not started once the request's time is up
        try:
            return _commit_new_booking(attempt, uow, tasks, first_try)
        except SeatConflict as conflict:
            if attempt.key_hash and uow.bookings.idempotency(attempt.key_hash) is not None:
                raise ClaimConflict("this request was made before") from conflict  # a replay: answered by `book`
            seat_conflicts += 1  # another invitee took that seat: progress, so look again (seats are finite)
        except ClaimConflict:
            conflicts += 1
    try:
        return _commit_new_booking(attempt, uow, tasks, first_try=False)
    except ClaimConflict:
        # Lost every time: if a limit has filled (or the link was used) meanwhile, say that rather than "taken".
        request, now = attempt.request, attempt.now
        asked = attempt.query(OfferQuery(request.host, request.event_type, now, Visitor(request.link)))
        check_offered(asked, request.start, uow)
        raise


def _commit_new_booking(attempt: _Attempt, uow: UnitOfWork, tasks: TaskQueue, first_try: bool) -> tuple[Booking, str]:
    request, now, key_hash, gate = attempt.request, attempt.now, attempt.key_hash, attempt.gate
    windows = gate.windows(now) if gate else ()
    visitor, places = Visitor(request.link), attempt.write_places
    query = OfferQuery(request.host, request.event_type, now, visitor, places=places, velocity_windows=windows)
    preread = attempt.member.preread if attempt.member and first_try else None
    offer = preread or offer_around(attempt.query(query), request.start, uow)
    event_type = offer.event_type
    # The form before the time: a refused form is the client's to correct whatever the time, and a slot
    # taken meanwhile is better told once the form is right. The bot gate last: a proof is asked for (and
    # solved) only for a write that would otherwise be made.
    answers, phone = checked_form(event_type.questions, event_type.location, request.answers, request.invitee_phone)
    check_start(offer, request.start, now)
    # The writes this client and invitee made in this window, counted across instances (429 past the
    # allowance); how many the client made before this one is its velocity, for the bot gate.
    attempt.count(offer.snapshot.places_taken)
    client_writes = attempt.counted.client_writes_before if attempt.counted else 0
    recent = offer.snapshot.host_recent_bookings
    spent = gate.admit(event_type.bot_gate, recent, client_writes) if gate else None
    invitee_place = 1 if first_try else _free_invitee_place(offer, request.invitee.email, uow)
    span, slot = occupied_span(request.start, event_type), meeting(request.start, event_type)
    booking_id = ids.booking_id()
    seat, live = _seat_to_take(offer, slot.start, uow)
    token = manage_token(attempt.manage_key, booking_id)
    booking = Booking(
        id=booking_id,
        host_id=offer.page.host_id,
        event_type_id=offer.event_type_id,
        event_title=event_type.title,
        start=slot.start,
        end=slot.end,
        occupied_start=span.start,
        occupied_end=span.end,
        invitee=request.invitee,
        notes=request.notes,
        answers=answers,
        location=event_type.location,
        invitee_phone=phone,
        reminder_minutes=event_type.reminder_minutes_before or None,
        day_claim=day_claim(offer, slot.start),
        period_claims=period_claims(offer, slot.start),
        minute_places=minute_runs(offer, slot.start),
        invitee_claim=invitee_claim(offer.page.host_id, request.invitee.email, invitee_place),
        session_id=seat[0] if seat else None,
        seat=seat[1] if seat else None,
        link_id=offer.link.id if offer.link else None,
        assigned_at=now if attempt.member and attempt.member.tally else None,
        manage_token_hash=token_hash(token),
        calendar_id=offer.page.calendar.write_calendar,  # kept even if the host picks another write calendar
        team_id=attempt.member.team_id if attempt.member else None,
        locale=attempt.language,
    )
    booking = _with_co_hosts(booking, attempt, uow)
    record = None
    if key_hash:
        expires_at = now + IDEMPOTENCY_TTL
        record = IdempotencyRecord(
            key_hash=key_hash, request_hash=attempt.request_hash, booking_id=booking.id, expires_at=expires_at
        )
    with uow:
        uow.bookings.add(booking, record)
        uow.months.move_span(None, booking)
        take(attempt.counted, uow)
        if seat is not None:
            take_seat(booking, seat, uow, live=live)
        if offer.link is not None:  # its claim fails this commit if another booking (or a revocation) was first
            uow.links.claim(offer.link.used_for(booking.id, now))
        if gate is not None:
            gate.stage(booking.host_id, now, spent, uow)
        if attempt.member is not None and attempt.member.tally is not None:
            uow.months.tally(attempt.member.tally)
        enqueued = request_sync_alongside(booking, tasks)  # one round trip fewer than enqueueing after it
        try:
            uow.commit()
        except AlreadyStored as error:
            if refused := refusal_after_conflict(spent, uow):
                raise refused from error  # its proof was spent meanwhile (a replay, or a race of one proof)
            if live:  # a seat taken meanwhile: look again
                raise SeatConflict("this seat was just taken; looking for another") from error
            raise ClaimConflict(N_("this time was just booked by someone else; please pick another slot")) from error
        except Contention as error:
            if not live:
                raise
            raise SeatConflict("this session closed meanwhile; looking again") from error
        enqueued()
    return booking, token


def _seat_to_take(offer: Offer, start: datetime, uow: UnitOfWork) -> tuple[tuple[str, int] | None, bool]:
    """For a group event type: the session at `start` and a seat in it, and whether the session is live.
    A session nobody holds yet is opened with seat 1 without a read; a live one is read for its free seats."""
    event_type = offer.event_type
    if not event_type.group:
        return None, False
    session = session_id(offer.page.host_id, offer.event_type_id, start)
    if not offer.session_holders()[epoch_seconds(start)]:
        return (session, 1), False
    live = uow.sessions.session(session)
    if live is None:  # closed since the snapshot: open it again
        return (session, 1), False
    seat = free_seat(set(live.seats), event_type.seats)
    if seat is None:
        raise SeatsFull(N_("every seat at this time is booked; please pick another slot"))
    return (session, seat), True


def _free_invitee_place(offer: Offer, email: str, uow: UnitOfWork) -> int:
    """The first of the invitee's places with this host that no booking holds: read from the places themselves,
    so bookings made under another form of the address (`Ada@`, `ada+x@`) count too."""
    limit = offer.event_type.invitee_open_limit
    places = [invitee_claim(offer.page.host_id, email, place) for place in range(1, limit + 1)]
    held = uow.bookings.places_taken(places)
    for number, place in enumerate(places, start=1):
        if place not in held:
            return number
    raise InviteeLimitReached("you already hold as many upcoming bookings with this host as allowed")


def invitee_claim(host_id: str, email: str, place: int) -> str:
    """One of an invitee's numbered places with a host, held while the booking holds time; created with the
    booking under "must not exist", so racing bookings cannot exceed the limit. Named by a hash of the
    address as limits see it (no case, no `+tag`): document ids are no place for addresses."""
    return invitee_place(host_id, normalised_email(email, for_limits=True), place)


def _replay(key_hash: str, request_hash: str, uow: UnitOfWork, manage_key: str) -> Booked | None:
    record = uow.bookings.idempotency(key_hash)
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request")
    booking = uow.bookings.get(record.booking_id)
    if booking is None:
        return None
    if not booking.holds_time:
        raise IdempotencyKeySpent("the booking made with this Idempotency-Key was cancelled; book again with a new key")
    return Booked(booking, manage_token(manage_key, booking.id), replayed=True)


def issued_manage_token(token: str, deps: Ports) -> bool:
    """Whether Kaleno issued this manage token (for whichever booking it names), checked without a read."""
    return genuine_manage_token(deps.keys.manage(), token)


def authorized_booking(booking_id: str | None, token: str | None, uow: UnitOfWork) -> Booking:
    """The booking, if `token` is its manage token (`booking_id` None: the one the token names); a wrong
    token looks exactly like a missing booking."""
    booking_id = booking_id or (token or "").partition(".")[0]
    booking = uow.bookings.get(booking_id)
    if booking is None and token and token.partition(".")[0] == booking_id and uow.audit.closed_booking(booking_id):
        raise HostAccountClosed(HOST_ACCOUNT_CLOSED)  # a token that names the booking (its MAC checked at the edge)
    if not token or booking is None or not hmac.compare_digest(booking.manage_token_hash, token_hash(token)):
        raise BookingNotFound("no booking with this id and manage token")
    return booking


def _as_asked(by_invitee: bool) -> Callable[[Booking], Booking]:
    """The invitee's own changes are marked so: a restriction or objection does not hold them back."""
    return Booking.asked_by_invitee if by_invitee else lambda booking: booking


def cancel(command: CancelBooking, deps: Ports) -> Booking:
    """Cancel the booking the asker may change; the invitee's client's writes are counted."""
    uow = deps.uow()
    booking = _changeable(command.booking_id, command.by, uow)
    writer = _checks(command.by.sender, deps, gated=False).writer if isinstance(command.by, ByInvitee) else None
    mark = _as_asked(isinstance(command.by, ByInvitee))

    def cancelled(counted: Taken | None) -> Booking:
        return _changed(booking.id, lambda current: mark(current.cancelled(command.reason)), uow, counted=counted)

    updated = counted_write(writer, booking.invitee.email, uow, cancelled)
    request_sync(updated, deps.tasks)
    log_event("booking_cancelled", booking_id=booking.id, host_id=booking.host_id)
    return updated


def reschedule(command: RescheduleBooking, deps: Ports) -> Booking:
    """Move the booking. The invitee's client's writes are counted (looked up in the offer's own read), and
    their move passes the bot gate as a new booking does (counted against the host's recent bookings, not
    added to them: it makes none)."""
    uow = deps.uow()
    booking = _changeable(command.booking_id, command.by, uow)
    if isinstance(command.by, ByHost):
        return _moved(_Move(booking, command.start, by_invitee=False), _Checks(deps.now()), uow, deps)
    with _challenged(deps):
        checks = _checks(command.by.sender, deps)
        return _moved(_Move(booking, command.start, by_invitee=True), checks, uow, deps)


def _changeable(booking_id: str, by: Asker, uow: UnitOfWork) -> Booking:
    """The booking, if the asker may change it (else BookingNotFound: a wrong token or another host's booking
    looks exactly like a missing booking)."""
    if isinstance(by, ByInvitee):
        return authorized_booking(booking_id, by.manage_token, uow)
    booking = uow.bookings.get(booking_id)
    if booking is None or by.host_id not in booking.holder_ids:  # any member holding a collective booking
        raise BookingNotFound("no such booking")
    return booking


@dataclass(frozen=True)
class _Move:
    booking: Booking
    new_start: datetime
    by_invitee: bool
    co_hosts: tuple[CoHost, ...] | None = None  # a collective booking's other members at the new time


def _moved(move: _Move, checks: _Checks, uow: UnitOfWork, deps: Ports) -> Booking:
    """A host's booking moves on its host's page; a team's goes to its member if they are free at the new time,
    else to the next free member (team_bookings.move_targets), each tried with their own claims."""
    booking = move.booking
    booking.ensure_changeable()
    if booking.team_id is None:
        return _moved_to(_own_page(booking, uow), move, checks, uow, deps)
    if booking.co_hosts or booking.assigned_at is None:  # a collective type's (round-robin ones are assigned)
        return _moved_together(move, checks, uow, deps)
    return _moved_in_pool(move, checks, uow, deps)


def _moved_in_pool(move: _Move, checks: _Checks, uow: UnitOfWork, deps: Ports) -> Booking:
    """A round-robin booking: its member if free at the new time, else the next free one."""
    booking = move.booking
    *others, last = [
        _MoveTarget(t.host_id, t.slug, "", t.team_type) for t in move_targets(booking, move.new_start, checks.now, uow)
    ]
    for target in others:
        try:
            return _moved_to(target, move, checks, uow, deps)
        except (SlotTaken, SlotNotOffered, ClaimConflict, HostNotConnected, HostNotFound):
            continue  # taken meanwhile (or their limit filled, or they went): the next member
    return _moved_to(last, move, checks, uow, deps)


def _moved_together(move: _Move, checks: _Checks, uow: UnitOfWork, deps: Ports) -> Booking:
    """A collective booking moves every holder's time at once: the organiser asked on their page as any
    booking (their places, the invitee's writes and the bot gate), every co-host by their own offer at the new
    time (one batch get, `_co_hosts_at`), and the one commit releases every holder's old claims and creates
    their new ones under "must not exist", so a member's own page booked meanwhile at the new time fails it
    whole (409, the booking unchanged); `move_span` moves each holder's month span in it."""
    booking = move.booking
    team = uow.teams.get(booking.team_id or "")
    event_type = team.event_types.get(booking.event_type_id) if team else None
    if event_type is not None and event_type.assignment is Assignment.ROUND_ROBIN and not booking.co_hosts:
        return _moved_in_pool(move, checks, uow, deps)  # one stored before round-robin bookings were dated
    organiser = uow.hosts.get(booking.host_id)
    if event_type is None or organiser is None:
        raise SlotNotOffered("this kind of meeting is no longer offered; please book anew")
    team_type = TeamTypeOf(booking.event_type_id, event_type)
    co_hosts = _co_hosts_at(team_type, move, checks.now, uow)
    target = _MoveTarget(organiser.id, organiser.slug, "", (booking.event_type_id, event_type.event_type))
    return _moved_to(target, replace(move, co_hosts=co_hosts), checks, uow, deps)


def _co_hosts_at(team_type: TeamTypeOf, move: _Move, now: datetime, uow: UnitOfWork) -> tuple[CoHost, ...]:
    """Every co-host at the new start, each asked by their own offer (read for all in one batch get) with
    their own time counted free to the booking, and the places their limits take there; their event stays in
    the calendar it was written to. A co-host who can offer nothing now (disconnected, paused) refuses the
    move rather than dropping out of it: they still hold the booking until it is cancelled or closed for them."""
    booking, start = move.booking, move.new_start
    if not booking.co_hosts:
        return ()
    holders = team_type.event_type.model_copy(update={"members": list(booking.co_host_ids)})
    offers = member_offers(replace(team_type, event_type=holders), Interval(start, start + timedelta(minutes=1)), uow)
    if any(co_host not in offers for co_host in booking.co_host_ids):
        raise SlotNotOffered("a member of this booking cannot take bookings now, so it cannot move; keep or cancel it")
    moved = []
    for co_host in booking.co_hosts:
        # Their event is where it was booked: only the organiser's is followed in Google (`moved_start`).
        as_theirs = booking.as_holder(co_host.host_id).model_copy(update={"moved_start": None, "moved_end": None})
        offer = offers[co_host.host_id]
        check_start(offer, start, now, as_theirs)
        day, periods = day_claim(offer, start, moving=as_theirs), period_claims(offer, start, moving=as_theirs)
        places = tuple(place for place in (day, *periods) if place) + minute_runs(offer, start, moving=as_theirs)
        moved.append(co_host.model_copy(update={"places": places}))
    return tuple(moved)


@dataclass(frozen=True)
class _MoveTarget:
    """Whose page a booking moves on: its host's own (with the type's slug), or a team member's (the team type)."""

    host_id: str
    slug: str
    event_type_slug: str
    team_type: tuple[str, EventType] | None = None


def _own_page(booking: Booking, uow: UnitOfWork) -> _MoveTarget:
    host = uow.hosts.get(booking.host_id)
    page = uow.pages.get(host.slug) if host else None
    if host is None or page is None or booking.event_type_id not in page.event_types:
        raise SlotNotOffered("this kind of meeting is no longer offered; please book anew")
    return _MoveTarget(host.id, host.slug, page.event_types[booking.event_type_id].slug)


def _moved_to(target: _MoveTarget, move: _Move, checks: _Checks, uow: UnitOfWork, deps: Ports) -> Booking:
    booking, new_start, now, writer, gate = move.booking, move.new_start, checks.now, checks.writer, checks.gate
    handover = target.host_id != booking.host_id
    moving = None if handover else booking  # another member's time and places hold nothing of this booking
    places = place_names(writer.places(booking.invitee.email)) if writer else []
    windows = gate.windows(now) if gate else ()
    query = OfferQuery(target.slug, target.event_type_slug, now, moving=moving, places=places, velocity_windows=windows)
    offer = check_offered(replace(query, team_type=target.team_type), new_start, uow)
    taken = offer.snapshot.places_taken
    if gate:
        client_writes = client_writes_before(writer, booking.invitee.email, taken)
        spent = gate.admit(offer.event_type.bot_gate, offer.snapshot.host_recent_bookings, client_writes)
    else:
        spent = None
    span, slot = occupied_span(new_start, offer.event_type), meeting(new_start, offer.event_type)
    place, periods = day_claim(offer, slot.start, moving=moving), period_claims(offer, slot.start, moving=moving)
    runs = minute_runs(offer, slot.start, moving=moving)
    seat = _seat_to_move_to(booking, offer, slot.start, uow)
    holding = _holding(offer, booking, (place, periods, runs), uow) if handover else None
    # New claims and released old ones (a seat booking leaves one session and joins another): one commit.
    mark = _as_asked(move.by_invitee)

    def decide(current: Booking) -> Booking:
        after = mark(current.moved(slot, span, place, periods, runs, seat=seat))
        if move.co_hosts is not None:  # a co-host erased meanwhile stays out of it
            after = after.with_co_hosts(tuple(c for c in move.co_hosts if c.host_id in current.co_host_ids))
        return after.with_holder(holding) if holding else after

    def moved(counted: Taken | None) -> Booking:
        return _changed(booking.id, decide, uow, counted=counted, spent=spent)

    if writer is None:
        updated = moved(None)
    else:
        updated = counted_write_seen(SeenPlaces(writer, booking.invitee.email, taken), uow, moved)
    request_sync(updated, deps.tasks)
    log_event("booking_rescheduled", booking_id=booking.id, host_id=updated.host_id)
    return updated


def _holding(
    offer: Offer, booking: Booking, places: tuple[str | None, tuple[str, ...], tuple[str, ...]], uow: UnitOfWork
) -> Holding:
    """The member a moved team booking falls to: their calendar, and its places (day, periods, minute runs;
    the invitee's place with them read, as a lost race of a booking does) named by their host id."""
    day, periods, runs = places
    person = invitee_claim(
        offer.page.host_id, booking.invitee.email, _free_invitee_place(offer, booking.invitee.email, uow)
    )
    return Holding(
        host_id=offer.page.host_id,
        calendar_id=offer.page.calendar.write_calendar,
        day_claim=day,
        period_claims=periods,
        minute_places=runs,
        invitee_claim=person if booking.invitee_claim else None,
    )


def _seat_to_move_to(booking: Booking, offer: Offer, start: datetime, uow: UnitOfWork) -> tuple[str, int] | None:
    """A seat at the new start for a group booking (its own seat when the session stays the same). A seat
    taken meanwhile fails the commit like a taken time (409: pick again)."""
    if not offer.event_type.group:
        return None
    session = session_id(offer.page.host_id, offer.event_type_id, start)
    if booking.held_seat is not None and booking.held_seat[0] == session:
        return booking.held_seat
    live = uow.sessions.session(session)
    seat = free_seat(set(live.seats), offer.event_type.seats) if live is not None else 1
    if seat is None:
        raise SeatsFull(N_("every seat at this time is booked; please pick another slot"))
    return session, seat


@dataclass(frozen=True)
class ResolveBooking:
    """The host settles a booking they moved in Google onto another booking's time: keep the moved time (once
    it no longer clashes) or put the event back at the booked time."""

    booking_id: str
    keep_moved: bool
    by: ByHost


def resolve(command: ResolveBooking, deps: Ports) -> Booking:
    """A collective booking kept at the organiser's moved time moves every holder there, as a reschedule
    does (each member free then, or 409 with the reason; the booking stays as it is)."""
    uow = deps.uow()
    booking = _changeable(command.booking_id, command.by, uow)
    if command.keep_moved and booking.co_hosts:
        return _kept_together(booking, uow, deps)
    updated = _changed(
        booking.id,
        lambda current: current.resolved(command.keep_moved),
        uow,
        conflict="the new time still overlaps another booking: move or cancel that one first, or keep the original",
    )
    request_sync(updated, deps.tasks)
    kept = "moved" if command.keep_moved else "original"
    log_event("booking_resolved", booking_id=booking.id, host_id=booking.host_id, outcome=kept)
    return updated


def _kept_together(booking: Booking, uow: UnitOfWork, deps: Ports) -> Booking:
    """Every holder's time moved to the start the organiser gave its event in Google (the type's length from
    there, which the sync writes back to the organiser's event)."""
    booking.ensure_changeable()
    if booking.status is not BookingStatus.NEEDS_ATTENTION or booking.moved_start is None:
        raise NothingToResolve("this booking is not waiting for a decision")
    updated = _moved(_Move(booking, booking.moved_start, by_invitee=False), _Checks(deps.now()), uow, deps)
    log_event("booking_resolved", booking_id=booking.id, host_id=booking.host_id, outcome="moved")
    return updated


def _changed(
    booking_id: str,
    decide: Callable[[Booking], Booking],
    uow: UnitOfWork,
    conflict: str = "this time was just booked by someone else; please pick another slot",
    counted: Taken | None = None,
    spent: Proof | None = None,
) -> Booking:
    """`counted`: a booking write's places, and `spent`: its proof of work, both created in the change's own
    commit."""

    def alongside() -> None:
        take(counted, uow)
        spend(spent, uow)

    try:
        # Seats of one session leaving at once contend for its record: each round one of them commits, so
        # give them as many rounds as a large session's invitees might need.
        updated = change_booking(booking_id, Decision(decide, alongside), uow, attempts=CHANGE_ATTEMPTS)
    except AlreadyStored as error:
        if refused := refusal_after_conflict(spent, uow):
            raise refused from error  # its proof was spent meanwhile
        raise ClaimConflict(conflict) from error
    if updated is None:
        raise BookingNotFound("no such booking")
    return updated


@dataclass(frozen=True)
class BookingContext:
    """Where a booking was made: the host's public page (a team's booking: the team's) and the event type, as
    they are now."""

    host_name: str
    host_slug: str | None
    event_type_slug: str | None
    # Who the booking is with, by display name: the host; a team booking's assigned member (round-robin) or
    # every member (collective), the organiser first. No addresses.
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenedBooking:
    booking: Booking
    context: BookingContext


def open_booking(command: OpenBooking, deps: Ports) -> OpenedBooking:
    """The booking the invitee's manage token opens, with where it was made (to reschedule on)."""
    uow = deps.uow()
    booking = authorized_booking(command.booking_id, command.manage_token, uow)
    return OpenedBooking(booking, booking_context(booking, uow))


def booking_file(command: OpenBooking, deps: Ports) -> bytes:
    """The booking the manage token opens as an RFC 5545 file, linking back to its manage page."""
    opened = open_booking(command, deps)
    booking = opened.booking
    return booking_ics(booking, opened.context.host_name, deps.links.manage(booking.id), deps.now())


def booking_context(booking: Booking, uow: UnitOfWork) -> BookingContext:
    host = uow.hosts.get(booking.host_id)
    page = uow.pages.get(host.slug) if host else None
    event_type = page.event_types.get(booking.event_type_id) if page else None
    host_name = page.display_name if page else "your host"
    if booking.team_id:  # a team's booking is rescheduled on the team's page, as it was booked
        team = uow.teams.get(booking.team_id)
        team_type = team.event_types.get(booking.event_type_id) if team else None
        return BookingContext(
            host_name=host_name,
            host_slug=team.slug if team and team_type else None,
            event_type_slug=team_type.slug if team_type else None,
            hosts=_holder_names(booking, uow),
        )
    return BookingContext(
        host_name=host_name,
        host_slug=host.slug if host and page else None,
        event_type_slug=event_type.slug if event_type else None,
        hosts=(host_name,),
    )


def _holder_names(booking: Booking, uow: UnitOfWork) -> tuple[str, ...]:
    """A team booking's holders by display name (a member who has since left Kaleno is not named)."""
    holders = (uow.hosts.get(holder) for holder in booking.holder_ids)
    return tuple(holder.display_name for holder in holders if holder is not None)


def host_bookings(host: Host, listing: HostListing, deps: Ports) -> tuple[list[Booking], str | None]:
    """A page of the host's bookings and the cursor of the next page (None: this was the last)."""
    found = deps.uow().bookings.of_host(host.id, listing)
    return found, found[-1].id if len(found) == listing.limit else None
