"""Team API (session): create a team, list yours, invite by mail, accept, members and their roles, remove or
leave, delete; the team's event types (admins and owners write them, members read them) and their single-use
links (admins and owners). Booking a team type is `POST /bookings` with the team's slug; the team's bookings
are listed and handed on here."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import functions_framework
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.bootstrap import adapters
from shared.config import get_settings
from shared.domain.booking import BookingStatus
from shared.domain.calendar_span import Instant
from shared.domain.host import Host, HostSlug
from shared.domain.links import LinkRequest
from shared.domain.team import Invitation, Role, TeamName, TypedEmail
from shared.domain.team_event_type import TeamEventType, TeamEventTypeUpdate
from shared.services import team_bookings, teams
from shared.services.records import HostListing
from shared.web.endpoints import PATH_PARAMETERS, Endpoints, json_response
from shared.web.qr import booking_page_url, qr_response
from shared.web.views import LinkCreated, LinkList, LinkView

api = Endpoints("teams")


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: HostSlug = Field(description="The team's page address: one registry with hosts' slugs.")
    name: TeamName


class TeamCreated(BaseModel):
    id: str
    slug: str


class TeamView(BaseModel):
    id: str
    slug: str
    name: str
    role: Role = Field(description="Your role in it.")


class TeamList(BaseModel):
    teams: list[TeamView]


class InvitationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: TypedEmail = Field(description="Who to invite: they accept signed in with this address.")
    role: Role = Field(default=Role.MEMBER, description="The role they join with (at most your own).")


class InvitationCreated(BaseModel):
    id: str
    invite_url: str = Field(description="Also mailed; its last segment is the token, shown only now.")
    expires_at: datetime


class InvitationView(BaseModel):
    id: str
    email: str
    role: Role
    expires_at: datetime


class InvitationList(BaseModel):
    invitations: list[InvitationView]


class TeamChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TeamName | None = None
    slug: HostSlug | None = Field(default=None, description="A new page address, from the hosts' registry.")


class TeamRenamed(BaseModel):
    id: str
    slug: str
    name: str


class Accepted(BaseModel):
    team_id: str


class MemberView(BaseModel):
    host_id: str
    display_name: str
    role: Role
    weight: int = Field(description="Round robin: a weight-2 member takes twice the bookings of a weight-1 one.")
    priority: int = Field(description="Round robin: free members of a higher priority are asked first.")

    @classmethod
    def of(cls, member: teams.MemberView) -> MemberView:
        return cls(
            host_id=member.host_id,
            display_name=member.display_name,
            role=member.role,
            weight=member.weight,
            priority=member.priority,
        )


class MemberList(BaseModel):
    members: list[MemberView]


class MemberChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    # strict: JSON's true/false are not numbers here
    weight: int | None = Field(None, strict=True, ge=1, le=10, description="Round-robin weight, 1-10 (1 if never set).")
    priority: int | None = Field(None, strict=True, ge=0, le=10, description="Round-robin priority 0-10: higher first")


class TeamEventTypeView(TeamEventType):
    id: str

    @classmethod
    def of(cls, event_type_id: str, event_type: TeamEventType) -> TeamEventTypeView:
        return cls(id=event_type_id, **event_type.model_dump())


class TeamEventTypeList(BaseModel):
    event_types: list[TeamEventTypeView]


class ExportedMember(BaseModel):
    host_id: str
    display_name: str
    role: Role
    joined_at: datetime
    weight: int
    priority: int


class TeamExport(BaseModel):
    """Everything kept of the team as such (its members' own records are in their own exports)."""

    id: str
    slug: str
    name: str
    created_at: datetime
    members: list[ExportedMember]
    event_types: list[TeamEventTypeView]
    invitations: list[Invitation] = Field(description="Every state: pending, accepted, withdrawn.")
    links: list[LinkView] = Field(description="Its event types' single-use links (never their tokens).")
    disconnects_told: dict[str, str] = Field(
        description="By member host id: the calendar disconnect (an incident id) its owners and admins were told of."
    )

    @classmethod
    def of(cls, record: teams.TeamRecord, now: datetime) -> TeamExport:
        team = record.team
        members = [
            ExportedMember(host_id=host_id, display_name=record.names.get(host_id, ""), **member.model_dump())
            for host_id, member in team.members.items()
        ]
        return cls(
            id=team.id,
            slug=team.slug,
            name=team.name,
            created_at=team.created_at,
            members=members,
            event_types=[TeamEventTypeView.of(et_id, et) for et_id, et in team.event_types.items()],
            invitations=record.invitations,
            links=[LinkView.of(link, now) for link in record.links],
            disconnects_told=team.disconnects_told,
        )


@api.host("/", methods=("POST",), body=TeamCreate, response=TeamCreated, status=201)
def create_team(request: Request, principal: Host, body: TeamCreate) -> Response:
    """Found a team (you are its owner). Its slug is taken from the same registry as hosts' slugs: 409
    `slug-taken` if a host or a team has it."""
    team = teams.create_team(teams.CreateTeam(principal, body.slug, body.name), adapters())
    return json_response(TeamCreated(id=team.id, slug=team.slug), status=201)


@api.host("/", response=TeamList)
def list_teams(request: Request, principal: Host) -> Response:
    """The teams you are in, with your role in each."""
    found = teams.teams_of(principal, adapters())
    shown = [TeamView(id=m.team.id, slug=m.team.slug, name=m.team.name, role=m.role) for m in found]
    return json_response(TeamList(teams=shown))


@api.host(
    "/<team_id>/invitations",
    methods=("POST",),
    body=InvitationRequest,
    response=InvitationCreated,
    status=201,
    limit="invitation-writes",  # each is a mail to an address the caller chose
)
def invite(request: Request, principal: Host, team_id: str, body: InvitationRequest) -> Response:
    """Invite someone by email (owners and admins; 403 `team-role-forbids` otherwise). The link is mailed and
    answered here; it works once, for 7 days. Idempotent by address: while an invitation to it is pending,
    asking again (a retry, with or without an Idempotency-Key) answers that same invitation and link, with the
    role asked now; its mail goes out again only if the last went out 10 minutes ago or more."""
    invited = teams.invite(teams.Invite(principal, team_id, body.email, body.role), adapters())
    shown = InvitationCreated(
        id=invited.invitation.id, invite_url=invited.url, expires_at=invited.invitation.expires_at
    )
    return json_response(shown, status=201)


@api.host("/<team_id>/invitations", response=InvitationList)
def list_invitations(request: Request, principal: Host, team_id: str) -> Response:
    """The team's pending invitations (not accepted, not withdrawn, unexpired), oldest first: owners and
    admins (403 `team-role-forbids` otherwise)."""
    found = teams.pending_invitations(principal, team_id, adapters())
    shown = [InvitationView(id=i.id, email=i.email, role=i.role, expires_at=i.expires_at) for i in found]
    return json_response(InvitationList(invitations=shown))


@api.host("/<team_id>/invitations/<invitation_id>", methods=("DELETE",), status=204)
def revoke_invitation(request: Request, principal: Host, team_id: str, invitation_id: str) -> Response:
    """Withdraw an invitation (owners and admins; again: 204): its link then answers 410 `invitation-revoked`.
    404 `invitation-not-found`; one already accepted answers 410 `invitation-used` (remove the member)."""
    teams.revoke_invitation(teams.RevokeInvitation(principal, team_id, invitation_id), adapters())
    return Response(status=204)


@api.host("/<team_id>", methods=("PATCH",), body=TeamChange, response=TeamRenamed)
def rename_team(request: Request, principal: Host, team_id: str, body: TeamChange) -> Response:
    """Change the team's name and/or slug (owners and admins). The slug moves in the hosts' registry in one
    commit: 409 `slug-taken` if a host or a team has it; the old address is free again."""
    team = teams.rename_team(teams.RenameTeam(principal, team_id, body.name, body.slug), adapters())
    return json_response(TeamRenamed(id=team.id, slug=team.slug, name=team.name))


@api.host("/invitations/<invitation_token>/accept", methods=("POST",), response=Accepted)
def accept(request: Request, principal: Host, invitation_token: str) -> Response:
    """Join the team, signed in with the invited address (403 `invitation-for-another-address`) and with your
    calendar connected (409 `host-not-connected`). Once: 410 `invitation-used` / `invitation-expired`."""
    team = teams.accept_invitation(teams.AcceptInvitation(principal, invitation_token), adapters())
    return json_response(Accepted(team_id=team.id))


@api.host("/<team_id>/members", response=MemberList)
def list_members(request: Request, principal: Host, team_id: str) -> Response:
    """The team's members and their roles, for any member."""
    found = teams.members(principal, team_id, adapters())
    shown = [MemberView.of(member) for member in found]
    return json_response(MemberList(members=shown))


@api.host("/<team_id>/members/<host_id>", methods=("PATCH",), body=MemberChange, response=MemberList)
def change_member(request: Request, principal: Host, team_id: str, host_id: str, body: MemberChange) -> Response:
    """Change a member's role (admins between member and admin, owners any; the only owner stays owner: 409
    `team-sole-owner`) and round-robin weight and priority (owners and admins). Fields left out stay."""
    ports = adapters()
    change = teams.ChangeMember(principal, team_id, host_id, body.role, body.weight, body.priority)
    teams.change_member(change, ports)
    found = teams.members(principal, team_id, ports)
    shown = [MemberView.of(member) for member in found]
    return json_response(MemberList(members=shown))


@api.host("/<team_id>/members/<host_id>", methods=("DELETE",), status=204)
def remove_member(request: Request, principal: Host, team_id: str, host_id: str) -> Response:
    """Remove a member (owners and admins), or leave (your own id). The only owner cannot leave (409
    `team-sole-owner`): make another member owner, or delete the team."""
    teams.remove_member(teams.RemoveMember(principal, team_id, host_id), adapters())
    return Response(status=204)


@api.host("/<team_id>/export", response=TeamExport)
def export_team(request: Request, principal: Host, team_id: str) -> Response:
    """The team's record (owners): the team, its members and roles, event types, invitations and links."""
    ports = adapters()
    return json_response(TeamExport.of(teams.export_team(principal, team_id, ports), ports.now()))


@api.host("/<team_id>", methods=("DELETE",), status=204)
def delete_team(request: Request, principal: Host, team_id: str) -> Response:
    """Delete the team (owners): the team record, its slug (free again) and its invitations go; its event types'
    open single-use links are revoked (their records purged 30 days on). Bookings made with its types are the
    members' own and stay."""
    teams.delete_team(teams.DeleteTeam(principal, team_id), adapters())
    return Response(status=204)


@api.host("/<team_id>/event-types", methods=("POST",), body=TeamEventType, response=TeamEventTypeView, status=201)
def create_event_type(request: Request, principal: Host, team_id: str, body: TeamEventType) -> Response:
    """Add a team event type (owners and admins): an event type's fields, `assignment` and `members` (team
    members with a connected calendar; 422 `member-not-in-team` / `member-not-connected`). Its hours are each
    member's own default hours."""
    command = teams.CreateTeamEventType(principal, team_id, body)
    event_type_id = teams.create_team_event_type(command, adapters())
    return json_response(TeamEventTypeView.of(event_type_id, body), status=201)


@api.host("/<team_id>/event-types", response=TeamEventTypeList)
def list_event_types(request: Request, principal: Host, team_id: str) -> Response:
    """The team's event types, for any member."""
    found = teams.team_event_types(principal, team_id, adapters())
    return json_response(TeamEventTypeList(event_types=[TeamEventTypeView.of(i, et) for i, et in found.items()]))


@api.host("/<team_id>/event-types/<event_type_id>/qr.svg", produces="image/svg+xml")
def event_type_qr(request: Request, principal: Host, team_id: str, event_type_id: str) -> Response:
    """A team event type's booking link as a QR code (SVG), for any member, as a host's own type's."""
    team_slug, type_slug = teams.team_event_type_address(principal, team_id, event_type_id, adapters())
    return qr_response(booking_page_url(get_settings().base_url, team_slug, type_slug))


@api.host(
    "/<team_id>/event-types/<event_type_id>",
    methods=("PATCH",),
    body=TeamEventTypeUpdate,
    response=TeamEventTypeView,
)
def patch_event_type(
    request: Request, principal: Host, team_id: str, event_type_id: str, body: TeamEventTypeUpdate
) -> Response:
    """Change some fields of a team event type (owners and admins)."""
    command = teams.UpdateTeamEventType(principal, team_id, event_type_id, body)
    updated = teams.update_team_event_type(command, adapters())
    return json_response(TeamEventTypeView.of(event_type_id, updated))


@api.host("/<team_id>/event-types/<event_type_id>", methods=("DELETE",), status=204)
def delete_event_type(request: Request, principal: Host, team_id: str, event_type_id: str) -> Response:
    """Remove a team event type (owners and admins)."""
    teams.delete_team_event_type(teams.DeleteTeamEventType(principal, team_id, event_type_id), adapters())
    return Response(status=204)


# --- the team's bookings (issue 28): listed for admins (members: their own), handed from member to member ------
class TeamBookingsQuery(BaseModel):
    """As `GET /hosts/me/bookings` asks, less its status and event type filters."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    when: Literal["upcoming", "past"] = Field(
        "upcoming", description="upcoming: ending now or later, soonest first; past: ended, latest first."
    )
    cursor: str | None = Field(
        None, pattern=PATH_PARAMETERS["booking_id"], description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=200, description="Bookings per page.")
    ends_from: Instant | None = Field(None, alias="from", description="Only bookings ending at or after this instant.")
    ends_before: Instant | None = Field(None, alias="to", description="Only bookings ending before this instant.")


class TeamBookingEventType(BaseModel):
    id: str
    slug: str | None = Field(description="None: the team type was deleted since.")
    name: str


class TeamBookingHost(BaseModel):
    host_id: str
    display_name: str


class TeamBookingInvitee(BaseModel):
    name: str


class TeamBookingView(BaseModel):
    id: str
    event_type: TeamBookingEventType
    start: datetime
    end: datetime
    status: BookingStatus
    hosts: list[TeamBookingHost] = Field(description="Who holds it: the assigned member.")
    invitee: TeamBookingInvitee

    @classmethod
    def of(cls, row: team_bookings.TeamBooking) -> TeamBookingView:
        booking = row.booking
        typed = row.event_type[1] if row.event_type else None
        slug, name = (typed.slug, typed.title) if typed else (None, booking.event_title)
        return cls(
            id=booking.id,
            event_type=TeamBookingEventType(id=booking.event_type_id, slug=slug, name=name),
            start=booking.start,
            end=booking.end,
            status=booking.status,
            hosts=[TeamBookingHost(host_id=host_id, display_name=name) for host_id, name in row.holders],
            invitee=TeamBookingInvitee(name=booking.invitee.name),
        )


class TeamBookingList(BaseModel):
    bookings: list[TeamBookingView]
    next_cursor: str | None = None


class ReassignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host_id: str = Field(pattern=PATH_PARAMETERS["host_id"], description="The member to hand the booking to.")


@api.host("/<team_id>/bookings", query=TeamBookingsQuery, response=TeamBookingList)
def list_team_bookings(request: Request, principal: Host, team_id: str, query: TeamBookingsQuery) -> Response:
    """The team's bookings, a page at a time: owners and admins see every booking of the team's types,
    members the ones they hold."""
    ports = adapters()
    listing = HostListing(
        now=ports.now(),
        upcoming=query.when == "upcoming",
        after_booking_id=query.cursor,
        limit=query.limit,
        ends_from=query.ends_from,
        ends_before=query.ends_before,
    )
    rows, next_cursor = team_bookings.team_bookings(team_bookings.ListTeamBookings(principal, team_id, listing), ports)
    return json_response(TeamBookingList(bookings=[TeamBookingView.of(row) for row in rows], next_cursor=next_cursor))


@api.host(
    "/<team_id>/bookings/<booking_id>/reassign", methods=("POST",), body=ReassignRequest, response=TeamBookingView
)
def reassign_booking(
    request: Request, principal: Host, team_id: str, booking_id: str, body: ReassignRequest
) -> Response:
    """Hand a round-robin booking to another member of its type (owners and admins; a member the booking they
    hold): they must be free then (409 `slot-taken`, `slot-not-offered`, a limit). The invitee and both members
    are told once, and the calendars follow. Asked again, it answers the same."""
    command = team_bookings.Reassign(principal, team_id, booking_id, body.host_id)
    return json_response(TeamBookingView.of(team_bookings.reassign(command, adapters())))


@api.host(
    "/<team_id>/event-types/<event_type_id>/links",
    methods=("POST",),
    body=LinkRequest,
    response=LinkCreated,
    status=201,
)
def create_link(request: Request, principal: Host, team_id: str, event_type_id: str, body: LinkRequest) -> Response:
    """A single-use link to a team event type (owners and admins), as a host's: one booking with it (a private
    type is offered only with one), until `expires_at` if given; its token is shown only now."""
    created = teams.create_team_link(teams.CreateTeamLink(principal, team_id, event_type_id, body), adapters())
    shown = LinkView.of(created.link, created.link.created_at).model_dump()
    return json_response(LinkCreated(**shown, token=created.token, url=created.url), status=201)


@api.host("/<team_id>/event-types/<event_type_id>/links", response=LinkList)
def list_links(request: Request, principal: Host, team_id: str, event_type_id: str) -> Response:
    """The team type's single-use links, newest first, with their state (owners and admins; never tokens)."""
    ports = adapters()
    found, now = teams.team_links(principal, team_id, event_type_id, ports), ports.now()
    return json_response(LinkList(links=[LinkView.of(link, now) for link in found]))


@api.host("/<team_id>/event-types/<event_type_id>/links/<link_id>", methods=("DELETE",), status=204)
def revoke_link(request: Request, principal: Host, team_id: str, event_type_id: str, link_id: str) -> Response:
    """Revoke a link (owners and admins): from now on it answers 410 `link-expired`."""
    teams.revoke_team_link(teams.RevokeTeamLink(principal, team_id, event_type_id, link_id), adapters())
    return Response(status=204)


@functions_framework.http
def teams_api(request: Request) -> Response:
    return api(request)
