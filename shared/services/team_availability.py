"""A team's public page and free slots, served like a host's from the busy mirrors: never calls Google.

The team's slug leads to its record (`TeamRepository.by_slug`), which holds its event types and their chosen
members. Each member's free times are an ordinary `Offer` for the team type: their own page (default hours,
zone, connection), busy mirror and booked spans, read for every member in ONE batch get
(`BusyMonthRepository.snapshots`, the snapshot read a host's slots make, for N hosts), so a team type's
limits are per member and a member's own bookings and busy times count against it. The pure rules of
shared/domain/team_offer.py combine them: round-robin offers a start one member has, collective one every
member has. A member whose calendar is not connected (or whose processing is paused) offers nothing: they
drop out of the pool, and a collective type goes on with the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain.errors import EventTypeNotFound, HostNotFound, InvalidRange
from shared.domain.event_type import EventType
from shared.domain.intervals import Interval
from shared.domain.links import BookingLink, Visibility
from shared.domain.offer import LOOKAROUND, AvailabilitySnapshot, FreeSlots, Offer, periods_around
from shared.domain.slots import invitee_range
from shared.domain.team import Team
from shared.domain.team_event_type import TeamEventType
from shared.domain.team_offer import Assignment, team_free_slots
from shared.services.availability import (
    MAX_RANGE_DAYS,
    STALE_AFTER,
    FindFreeSlots,
    OpenBookingPage,
    OpenHostPage,
    Visitor,
    best_effort_refresh,
    free_slots,
    genuine_link,
)
from shared.services.busy_refresh import stale_reason
from shared.services.ports import MembersAsked, Ports, UnitOfWork

_FALLBACK_ZONE = "UTC"


@dataclass(frozen=True)
class TeamPage:
    """A team's public page: the team (its name, its public event types) and the zone its times are shown in."""

    team: Team
    time_zone: str

    def listed(self) -> dict[str, TeamEventType]:
        return {et_id: et for et_id, et in self.team.event_types.items() if et.visibility is Visibility.PUBLIC}


@dataclass(frozen=True)
class OpenedTeamType:
    """One event type of a team as its booking page shows it."""

    team: Team
    event_type_id: str
    event_type: TeamEventType
    time_zone: str  # its first member's zone (the host card shows the team, the times one zone)
    attendees: list[str]  # a collective type's members by name, who will all attend; round-robin: none


def listed_team_page(command: OpenHostPage, deps: Ports) -> TeamPage:
    """The team's public page (as `availability.listed_page` for a host); HostNotFound when no team has the slug."""
    uow = deps.uow()
    team = _team(command.host_slug, uow)
    return TeamPage(team, _zone_of(team.owners()[0], uow))


def team_booking_page(command: OpenBookingPage, deps: Ports) -> OpenedTeamType:
    """A team event type's booking page, for a visitor who may open it."""
    uow = deps.uow()
    team = _team(command.host_slug, uow)
    event_type_id, event_type = _opened(team, command.event_type_slug, command.visitor, deps)
    zone = _zone_of(event_type.members[0], uow) if event_type.members else _FALLBACK_ZONE
    attendees: list[str] = []
    if event_type.assignment is Assignment.COLLECTIVE:
        hosts = (uow.hosts.get(member) for member in event_type.members)
        attendees = [host.display_name for host in hosts if host is not None and host.connection.is_connected]
    return OpenedTeamType(team, event_type_id, event_type, zone, attendees)


def team_slots(command: FindFreeSlots, deps: Ports) -> FreeSlots:
    """The team type's free slots: each member's from their own offer, combined by the type's assignment.
    Members whose mirror is stale still answer, and are refreshed soon (as a host's slots are)."""
    if (command.last_day - command.first_day).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRange(f"ask for at most {MAX_RANGE_DAYS} days at a time")
    uow, now = deps.uow(), deps.now()
    asked = invitee_range(command.first_day, command.last_day, command.zone)
    opened = opened_team_offers(
        TeamTypeAsked(command.host_slug, command.event_type_slug, command.visitor, now), asked, uow
    )
    event_type, offers = opened.event_type, opened.offers
    for member, offer in offers.items():
        calendar = offer.page.calendar
        if calendar.synced_at is None or now - calendar.synced_at > STALE_AFTER:
            best_effort_refresh(member, stale_reason(calendar.synced_at), deps.tasks)
    # Only members who can offer now: one whose calendar is disconnected drops out of the pool, round-robin and
    # collective alike (as the booking's `check_team_start` asks only their offers), rather than closing it.
    free = {
        member: offer.free_slots(command.first_day, command.last_day, command.zone, now)
        for member, offer in offers.items()
    }
    if not free:
        return FreeSlots([], event_type.duration_minutes * 60, True)
    return team_free_slots(event_type.assignment, free)


def host_or_team_slots(command: FindFreeSlots, deps: Ports) -> FreeSlots:
    """A slug's slots, a host's or a team's: a slug this instance knows as a team's is asked as a team's first
    (one batch get, no look for a host's page), else as a host's first, so a host's slots pay nothing for
    teams. A team gone from a known slug (its hint dropped) is asked as a host's after all."""
    if deps.uow().teams.known_slug(command.host_slug):
        try:
            return team_slots(command, deps)
        except HostNotFound:
            pass
    try:
        return free_slots(command, deps)
    except HostNotFound:
        return team_slots(command, deps)


@dataclass(frozen=True)
class TeamTypeAsked:
    """A visitor (with the link they hold, if any) asking at `now` for a team's type by the two slugs."""

    slug: str
    type_slug: str
    visitor: Visitor
    now: datetime
    members: MembersAsked = field(default_factory=MembersAsked)  # what the members' read carries besides their time


@dataclass(frozen=True)
class OpenedTeamOffers:
    """A team's type as a visitor admitted to it sees it: the members' offers, and the link they came with."""

    team: Team
    event_type_id: str
    event_type: TeamEventType
    offers: dict[str, Offer]
    link: BookingLink | None
    # Each offer's snapshot holds the places and bot-gate counts asked for (no wider read replaced it).
    carries_asked: bool


def opened_team_offers(asked: TeamTypeAsked, around: Interval, uow: UnitOfWork) -> OpenedTeamOffers:
    """The team, its type and every member's offer around `around`, read together (`TeamRepository.
    with_members`: one batch get once the instance knows the team), the visitor admitted before any offer is
    made (HostNotFound: no team has the slug)."""
    wide = Interval(around.start - LOOKAROUND, around.end + LOOKAROUND)
    read = uow.teams.with_members(asked.slug, asked.type_slug, wide, asked.members)
    if read is None:
        raise HostNotFound(f"no host '{asked.slug}'")
    team, event_type_id = read.team, read.event_type_id
    link = admitted_team_link(TeamVisit(team, event_type_id, asked.visitor, asked.now), uow)
    team_type = TeamTypeOf(event_type_id, team.event_type(event_type_id))
    offers, widened = _offers(team_type, around, read.snapshots, (uow, asked.members.tallied))
    return OpenedTeamOffers(team, event_type_id, team_type.event_type, offers, link, carries_asked=not widened)


@dataclass(frozen=True)
class TeamTypeOf:
    """A team event type by id, as the members' offers are asked about it."""

    event_type_id: str
    event_type: TeamEventType


def member_offers(team_type: TeamTypeOf, around: Interval, uow: UnitOfWork, tallied: bool = False) -> dict[str, Offer]:
    """Each member's offer for the team type around `around` (LOOKAROUND wider, and widened to the weeks and
    months its limits count in every member's zone), from one batch get (a second, wider one only for a type
    with weekly or monthly limits). `tallied`: with each member's round-robin tally of the type in the same
    get (`snapshot.assignments`). Members who can offer nothing now (no page, calendar not connected,
    processing paused) are left out."""
    members = team_type.event_type.members
    tallies_of = team_type.event_type_id if tallied else None
    snapshots = uow.months.snapshots(members, around.start - LOOKAROUND, around.end + LOOKAROUND, tallies_of)
    return _offers(team_type, around, snapshots, (uow, tallied))[0]


def _offers(
    team_type: TeamTypeOf,
    around: Interval,
    snapshots: dict[str, AvailabilitySnapshot],
    reading: tuple[UnitOfWork, bool],
) -> tuple[dict[str, Offer], bool]:
    """`member_offers` from the members' snapshots read around `around`: read again, wider, for a type whose
    weekly or monthly limits count beyond it (True: read again)."""
    uow, tallied = reading
    members, plain = team_type.event_type.members, team_type.event_type.event_type
    tallies_of = team_type.event_type_id if tallied else None
    periods = _widest_periods(around, plain, snapshots)
    if periods != around:
        snapshots = uow.months.snapshots(members, periods.start - LOOKAROUND, periods.end + LOOKAROUND, tallies_of)
    offers = {
        member: Offer(snapshot, team_type.event_type_id, plain)
        for member, snapshot in snapshots.items()
        if snapshot.page.calendar.connected and not snapshot.page.calendar.paused
    }
    return offers, periods != around


def _widest_periods(around: Interval, plain: EventType, snapshots: Mapping[str, AvailabilitySnapshot]) -> Interval:
    widened = [periods_around(around, plain, snapshot.page.schedule_of(plain).zone) for snapshot in snapshots.values()]
    if not widened:
        return around
    return Interval(min(period.start for period in widened), max(period.end for period in widened))


def _team(slug: str, uow: UnitOfWork) -> Team:
    team = uow.teams.by_slug(slug)
    if team is None:
        raise HostNotFound(f"no host '{slug}'")
    return team


def _opened(team: Team, event_type_slug: str, visitor: Visitor, deps: Ports) -> tuple[str, TeamEventType]:
    """The type the visitor may open (a private one only with a genuine single-use link of its own)."""
    event_type_id, event_type = team.by_slug(event_type_slug)
    admitted_team_link(TeamVisit(team, event_type_id, visitor, deps.now()), deps.uow())
    return event_type_id, event_type


@dataclass(frozen=True)
class TeamVisit:
    """A visitor (with the link they hold, if any) asking for one of a team's event types at `now`."""

    team: Team
    event_type_id: str
    visitor: Visitor
    now: datetime


def admitted_team_link(visit: TeamVisit, uow: UnitOfWork) -> BookingLink | None:
    """As a host's type admits its visitor: a private team type without a genuine link of its own (the team's,
    `host_id` the team's id) answers as an unknown one; a genuine link that ended answers 410."""
    event_type = visit.team.event_type(visit.event_type_id)
    unknown = EventTypeNotFound(f"no event type '{event_type.slug}'")
    if visit.visitor.link_token is None:
        if event_type.visibility is Visibility.PRIVATE:
            raise unknown
        return None
    link = genuine_link(visit.visitor.link_token, (visit.team.id, visit.event_type_id), uow)
    if link is None:
        raise unknown
    link.ensure_usable(visit.now)
    return link


def _zone_of(host_id: str, uow: UnitOfWork) -> str:
    host = uow.hosts.get(host_id)
    return host.time_zone if host is not None else _FALLBACK_ZONE
