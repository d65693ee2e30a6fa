"""A team's bookings: listed for its admins (members see their own), and handed from one member to another.

A round-robin booking is its member's own booking carrying the team type's id and the team's id
(`Booking.team_id`, set when it is made: shared/services/booking.py), so the team's list is one query on
`team_id` (an index per order, infra/main.tf), never a scan of every member's bookings.

Reassignment moves the booking to another member of the type's pool at the same time, in ONE commit: the
booking (its host, write calendar and numbered places), the old member's claims deleted and the new member's
created under "must not exist" (a racer who took that member's time fails the commit: 409 `slot-taken`), and
its span moved from the old member's month to the new one's. The calendars follow through the booking's
sync task: the new holding's event has its own id (`Booking.google_event_id`) and the old one is listed in
`Booking.left_events` until a sync deletes it, so a redelivered task deletes nothing twice and inserts
nothing twice. The people are told once, by the version's notice task (`BookingChange.REASSIGNED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.domain.booking import Booking, Holding, normalised_email
from shared.domain.claims import invitee_place
from shared.domain.errors import (
    BookingNotFound,
    FieldProblem,
    InvalidFields,
    InviteeLimitReached,
    SlotNotOffered,
    SlotTaken,
    TeamNotFound,
)
from shared.domain.event_type import EventType
from shared.domain.host import Host
from shared.domain.intervals import Interval
from shared.domain.offer import Offer, check_start, day_claim, minute_runs, period_claims
from shared.domain.team import Role, Team
from shared.domain.team_event_type import TeamEventType
from shared.domain.team_offer import Assignment, PoolMember, Standing, check_team_start, round_robin_order
from shared.logging import log_event
from shared.services.availability import OfferQuery, check_offered
from shared.services.booking_sync import request_sync
from shared.services.changes import Decision, change_booking
from shared.services.errors import AlreadyStored
from shared.services.ports import Ports, UnitOfWork
from shared.services.records import HostListing
from shared.services.team_availability import TeamTypeOf, member_offers


@dataclass(frozen=True)
class TeamBooking:
    """One booking as the team's list shows it: with its team type (None: deleted since) and who holds it."""

    booking: Booking
    event_type: tuple[str, TeamEventType] | None
    holders: tuple[tuple[str, str], ...]  # (host id, display name)


@dataclass(frozen=True)
class ListTeamBookings:
    """What a member asked: the team's bookings in this listing (members: only their own)."""

    host: Host
    team_id: str
    listing: HostListing


def team_bookings(command: ListTeamBookings, deps: Ports) -> tuple[list[TeamBooking], str | None]:
    """A page of the team's bookings and the cursor of the next page (None: this was the last). Owners and
    admins see every booking of the team's types; members only the ones they hold."""
    uow = deps.uow()
    team = _team_of(command.host, command.team_id, uow)
    holder = None if _manages(team, command.host.id) else command.host.id
    listing = command.listing
    found = uow.bookings.of_team(team.id, listing, holder)
    names = _names({booking.host_id for booking in found}, uow)
    rows = [_row(booking, team, names) for booking in found]
    return rows, found[-1].id if len(found) == listing.limit else None


@dataclass(frozen=True)
class Reassign:
    """What a member asked: hand this team booking to `to_host_id` (admins and owners any booking of the
    team's; a member the booking they hold)."""

    host: Host
    team_id: str
    booking_id: str
    to_host_id: str


def reassign(command: Reassign, deps: Ports) -> TeamBooking:
    """The booking with the new member, at the same time, committed at once with their claims (the old
    member's released). Asked again once done, it answers the booking as it is: nothing changes, nobody is
    told twice."""
    uow, now = deps.uow(), deps.now()
    team = _team_of(command.host, command.team_id, uow)
    booking = _reassignable(command, team, uow)
    if booking.host_id == command.to_host_id:  # done already (a repeated request): nothing to do
        return _row(booking, team, _names({booking.host_id}, uow))
    booking.ensure_changeable()
    event_type_id, event_type = _pool_type(booking, team)
    if command.to_host_id not in event_type.members:
        raise InvalidFields([FieldProblem("host_id", "member-not-in-pool")])
    new_host = uow.hosts.get(command.to_host_id)
    if new_host is None:
        raise InvalidFields([FieldProblem("host_id", "member-not-in-pool")])
    query = OfferQuery(new_host.slug, event_type.slug, now, team_type=(event_type_id, event_type.event_type))
    offer = check_offered(query, booking.start, uow)  # their own offer: free, within their hours and limits
    holding = _holding(booking, offer, uow)

    def decide(current: Booking) -> Booking:
        if current.host_id == holding.host_id:
            return current  # a racing twin of this request got there first
        if (current.start, current.end) != (booking.start, booking.end):
            raise SlotNotOffered("the booking was moved meanwhile; look at it again")
        return current.handed_to(holding)

    try:
        updated = change_booking(booking.id, Decision(decide), uow)
    except AlreadyStored as error:
        raise SlotTaken("this member was just booked at this time; pick another member") from error
    if updated is None:
        raise BookingNotFound("no such booking")
    if updated.version != booking.version:
        request_sync(updated, deps.tasks)
        log_event("booking_reassigned", booking_id=booking.id, host_id=updated.host_id, team_id=team.id)
    return _row(updated, team, _names({updated.host_id}, uow))


def _reassignable(command: Reassign, team: Team, uow: UnitOfWork) -> Booking:
    """The team's booking, if the asker may hand it on: an admin or owner any; a member the one they hold
    (or handed on to exactly this member already, so their repeated request answers the same)."""
    booking = uow.bookings.get(command.booking_id)
    if booking is None or booking.team_id != team.id:
        raise BookingNotFound("no such booking in this team")
    asker = command.host.id
    handed_by_them = booking.previous_host_id == asker and booking.host_id == command.to_host_id
    if not _manages(team, asker) and booking.host_id != asker and not handed_by_them:
        raise BookingNotFound("no such booking in this team")
    return booking


def _pool_type(booking: Booking, team: Team) -> tuple[str, TeamEventType]:
    event_type = team.event_types.get(booking.event_type_id)
    if event_type is None:
        raise SlotNotOffered("this kind of meeting is no longer offered by the team")
    if event_type.assignment is not Assignment.ROUND_ROBIN:
        raise SlotNotOffered("a collective booking is every member's: it cannot be handed to one")
    return booking.event_type_id, event_type


def _holding(booking: Booking, offer: Offer, uow: UnitOfWork) -> Holding:
    """The new member's side of the booking: their write calendar and the places it takes in their limits
    (the invitee's place among their bookings with this member read, as a lost race of a booking does)."""
    start = booking.start
    return Holding(
        host_id=offer.page.host_id,
        calendar_id=offer.page.calendar.write_calendar,
        day_claim=day_claim(offer, start),
        period_claims=period_claims(offer, start),
        minute_places=minute_runs(offer, start),
        invitee_claim=_invitee_place(booking, offer, uow) if booking.invitee_claim else None,
    )


def _invitee_place(booking: Booking, offer: Offer, uow: UnitOfWork) -> str:
    person = normalised_email(booking.invitee.email, for_limits=True)
    places = [invitee_place(offer.page.host_id, person, n) for n in range(1, offer.event_type.invitee_open_limit + 1)]
    held = uow.bookings.places_taken(places)
    for place in places:
        if place not in held:
            return place
    raise InviteeLimitReached("this invitee already holds as many upcoming bookings with that member as allowed")


def _team_of(host: Host, team_id: str, uow: UnitOfWork) -> Team:
    """The team, if the host is in it (a team they are not in is not told apart from none)."""
    team = uow.teams.get(team_id)
    if team is None or team.role_of(host.id) is None:
        raise TeamNotFound("no such team among yours")
    return team


def _manages(team: Team, host_id: str) -> bool:
    role = team.role_of(host_id)
    return role is not None and role.rank >= Role.ADMIN.rank


def _names(host_ids: set[str], uow: UnitOfWork) -> dict[str, str]:
    """Display names of the holders (a handful: a team has at most a few dozen members)."""
    hosts = {host_id: uow.hosts.get(host_id) for host_id in sorted(host_ids)}
    return {host_id: host.display_name if host else "" for host_id, host in hosts.items()}


def _row(booking: Booking, team: Team, names: dict[str, str]) -> TeamBooking:
    event_type = team.event_types.get(booking.event_type_id)
    typed = (booking.event_type_id, event_type) if event_type is not None else None
    return TeamBooking(booking, typed, ((booking.host_id, names.get(booking.host_id, "")),))


@dataclass(frozen=True)
class MemberTarget:
    """A member a team booking may move to: their page's slug and the team type (id, type) offered on it."""

    host_id: str
    slug: str
    team_type: tuple[str, EventType]


def move_targets(booking: Booking, start: datetime, now: datetime, uow: UnitOfWork) -> list[MemberTarget]:
    """Where a round-robin booking rescheduled to `start` may go, in the order to try: its own member when
    they are free then (their own time counted free to it), then the other free members in round-robin order,
    as a booking would (each asked by their own offer, all read in one batch get). Raises what the team's page
    would when nobody is free."""
    team = _team_of_booking(booking, uow)
    event_type_id, event_type = _pool_type(booking, team)
    around = Interval(start, start + timedelta(minutes=1))
    offers = member_offers(TeamTypeOf(event_type_id, event_type), around, uow)
    holder = offers.get(booking.host_id)
    others = {member: offer for member, offer in offers.items() if member != booking.host_id}
    first: list[str] = []
    if holder is not None:
        try:
            check_start(holder, start, now, booking)
            first = [booking.host_id]
        except (SlotNotOffered, SlotTaken):
            if not others:
                raise
    free: list[str] = []
    if others:
        try:
            free = check_team_start(Assignment.ROUND_ROBIN, others, start, now)
        except (SlotNotOffered, SlotTaken):
            if not first:
                raise
    elif holder is None:
        raise SlotNotOffered("this start time is not one of the offered slots")
    pool = {
        host_id: Standing(PoolMember(host_id, member.weight, member.priority))
        for host_id, member in team.members.items()
        if host_id in event_type.members
    }
    targets = []
    for host_id in first + round_robin_order(free, pool):
        host = uow.hosts.get(host_id)
        if host is not None:
            targets.append(MemberTarget(host_id, host.slug, (event_type_id, event_type.event_type)))
    if not targets:
        raise SlotTaken("this time was just booked by someone else; please pick another slot")
    return targets


def _team_of_booking(booking: Booking, uow: UnitOfWork) -> Team:
    team = uow.teams.get(booking.team_id or "")
    if team is None:
        raise SlotNotOffered("this kind of meeting is no longer offered; please book anew")
    return team
