"""Teams: create one under a slug from the hosts' registry, invite people by mail, accept, change roles,
remove or leave, delete. The rules (who may do what) are the domain's (shared/domain/team.py); each use case
reads, lets the team decide, and saves on condition nothing changed meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.domain import ids
from shared.domain.errors import (
    AlreadyMember,
    FieldProblem,
    HostNotConnected,
    InvalidFields,
    InvitationForAnotherAddress,
    InvitationInvalid,
    InvitationNotFound,
    SlugTaken,
    TeamLimitReached,
    TeamNotFound,
)
from shared.domain.host import Host
from shared.domain.links import BookingLink, LinkRequest
from shared.domain.team import (
    INVITATION_TTL,
    MAX_TEAMS_PER_HOST,
    Invitation,
    Role,
    Team,
    genuine_invite_token,
    invitation_hash,
    invitation_token,
)
from shared.domain.team_event_type import TeamEventType, TeamEventTypeUpdate
from shared.logging import log_event
from shared.services import links, messages
from shared.services.contention import retried
from shared.services.errors import AlreadyStored, MailDeferred, MailRefused
from shared.services.ports import Mailer, Ports, UnitOfWork

_Change = Callable[[Team], Team]


@dataclass(frozen=True)
class CreateTeam:
    """A host founds a team (they become its owner) under a slug no host or team uses."""

    host: Host
    slug: str
    name: str


def create_team(command: CreateTeam, deps: Ports) -> Team:
    """The team and its claim on the slug in one commit. Asked again (a retried request), the team this
    host founded under that slug and name is the answer."""
    host, uow = command.host, deps.uow()
    team = Team.founded(ids.team_id(), command.slug, command.name, host.id, deps.now())

    def found() -> Team:
        with uow:
            _check_room(host, team.created_at, uow)
            uow.teams.add(team)
            uow.commit()
        return team

    try:
        retried(found)
    except AlreadyStored as error:
        earlier = uow.teams.by_slug(command.slug)
        if earlier is not None and earlier.name == team.name and earlier.role_of(host.id) is Role.OWNER:
            return earlier
        raise SlugTaken(f"the slug '{command.slug}' is taken") from error
    log_event("team_created", team_id=team.id, host_id=host.id)
    return team


@dataclass(frozen=True)
class Membership:
    """A team as one of its members sees it in their list."""

    team: Team
    role: Role


def teams_of(host: Host, deps: Ports) -> list[Membership]:
    return [Membership(team, team.members[host.id].role) for team in deps.uow().teams.of_member(host.id)]


@dataclass(frozen=True)
class MemberView:
    host_id: str
    display_name: str
    role: Role
    weight: int = 1
    priority: int = 0


def members(host: Host, team_id: str, deps: Ports) -> list[MemberView]:
    """The team's members (owners first), for any member of it."""
    uow = deps.uow()
    team = _team_of(host, team_id, uow)
    shown = []
    for member_id, member in sorted(team.members.items(), key=lambda item: (-item[1].role.rank, item[1].joined_at)):
        found = uow.hosts.get(member_id)
        name = found.display_name if found else ""
        shown.append(MemberView(member_id, name, member.role, member.weight, member.priority))
    return shown


@dataclass(frozen=True)
class Invite:
    """An owner or admin asks `email` to join the team with `role`."""

    host: Host
    team_id: str
    email: str
    role: Role = Role.MEMBER


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    url: str  # the token is its last segment: answered and mailed, never stored


def invite(command: Invite, deps: Ports) -> Invited:
    """Store the invitation under its token's keyed hash and mail the link (a relay that is down does not
    undo it: the inviter has the link too). Idempotent by address: while one is pending for it, asking again
    answers that one (same id and link, its role the one asked now), mailed again only REMAIL_AFTER after the
    last mail, so a retried request or a double click neither leaves two links nor mails twice."""
    host, key = command.host, deps.keys.manage()

    def store() -> tuple[Team, Invitation, bool]:
        uow, now = deps.uow(), deps.now()
        with uow:
            team = _team_of(host, command.team_id, uow)
            team.check_invite(host.id, command.role)
            earlier = _pending_for(_Asked(command.email, team.id, now), key, uow)
            invitation = earlier or _new_invitation(command, team.id, now)
            due = invitation.due_mail(now)
            invitation = invitation.model_copy(update={"role": command.role})
            invitation = invitation.mailed(now) if due else invitation
            token_hash = invitation_hash(key, invitation_token(key, invitation.id))
            if earlier:
                uow.teams.invitations.save(token_hash, invitation)
            else:
                uow.teams.invitations.add(token_hash, invitation)
            uow.commit()
        return team, invitation, due

    team, invitation, due = retried(store)
    url = deps.links.team_invitation(invitation_token(key, invitation.id))
    letter = messages.TeamInvite(invitation.email, team.name, host.display_name, invitation.id, host.locale)
    outcome = _mail(letter, url, deps.mailer) if due else "mailed_recently"
    log_event("team_invitation_created", team_id=team.id, invitation_id=invitation.id, outcome=outcome)
    return Invited(invitation, url)


def _new_invitation(command: Invite, team_id: str, now: datetime) -> Invitation:
    return Invitation(
        id=ids.invitation_id(),
        team_id=team_id,
        email=command.email,
        role=command.role,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )


@dataclass(frozen=True)
class _Asked:
    address: str
    team_id: str
    now: datetime


def _pending_for(asked: _Asked, key: str, uow: UnitOfWork) -> Invitation | None:
    """The team's pending invitation of this address (read, so saving it is conditional), if it has one."""
    for token_hash, listed in uow.teams.invitations.of_team(asked.team_id).items():
        ours = token_hash == invitation_hash(key, invitation_token(key, listed.id))  # not a link made before ids
        if ours and listed.for_address(asked.address) and listed.pending(asked.now):
            return uow.teams.invitations.get(token_hash)
    return None


def _mail(letter: messages.TeamInvite, url: str, mailer: Mailer | None) -> str:
    if mailer is None:
        return "mail_not_configured"
    try:
        mailer.send(messages.team_invitation(letter, url))
    except (MailDeferred, MailRefused) as error:
        return type(error).__name__.lower()
    return "mailed"


@dataclass(frozen=True)
class InvitationView:
    id: str
    email: str
    role: Role
    expires_at: datetime


def pending_invitations(host: Host, team_id: str, deps: Ports) -> list[InvitationView]:
    """The team's invitations still to be accepted (not withdrawn, unexpired), oldest first: owners and admins."""
    uow, now = deps.uow(), deps.now()
    team = _team_of(host, team_id, uow)
    team.check_manage_invitations(host.id)
    found = sorted(uow.teams.invitations.of_team(team.id).values(), key=lambda i: (i.created_at, i.id))
    return [InvitationView(i.id, i.email, i.role, i.expires_at) for i in found if i.pending(now)]


@dataclass(frozen=True)
class RevokeInvitation:
    """An owner or admin withdraws a pending invitation: its link then answers 410 `invitation-revoked`."""

    host: Host
    team_id: str
    invitation_id: str


def revoke_invitation(command: RevokeInvitation, deps: Ports) -> None:
    """Withdrawn (again: nothing changes). One already accepted cannot be (`InvitationUsed`): remove the member."""

    def revoke() -> None:
        uow = deps.uow()
        with uow:
            team = _team_of(command.host, command.team_id, uow)
            team.check_manage_invitations(command.host.id)
            listed = uow.teams.invitations.of_team(team.id)
            token_hash = next((h for h, i in listed.items() if i.id == command.invitation_id), None)
            invitation = uow.teams.invitations.get(token_hash) if token_hash else None
            if token_hash is None or invitation is None:
                raise InvitationNotFound("no such invitation of this team")
            uow.teams.invitations.save(token_hash, invitation.revoked())
            uow.commit()

    retried(revoke)
    log_event("team_invitation_revoked", team_id=command.team_id, invitation_id=command.invitation_id)


@dataclass(frozen=True)
class AcceptInvitation:
    """The invited host opened the link, signed in."""

    host: Host
    token: str


def accept_invitation(command: AcceptInvitation, deps: Ports) -> Team:
    """Once, before it expires, by a host signed in with the invited address and with a connected calendar
    (a member's free times come from it). The invitation is spent and the member added in one commit."""
    host, key = command.host, deps.keys.manage()
    if not genuine_invite_token(key, command.token):
        raise InvitationInvalid("this is not an invitation Kaleno sent")
    if not host.connection.is_connected:
        raise HostNotConnected("connect your calendar first, then open the invitation again")
    token_hash = invitation_hash(key, command.token)

    def accept() -> Team:
        uow, now = deps.uow(), deps.now()
        with uow:
            invitation = uow.teams.invitations.get(token_hash)
            team = uow.teams.get(invitation.team_id) if invitation else None
            if invitation is None or team is None:
                raise InvitationInvalid("this invitation is unknown, or its team was deleted")
            if not invitation.for_address(host.email):
                raise InvitationForAnotherAddress("this invitation was sent to another address")
            accepted = invitation.accepted(host.id, now)
            if team.role_of(host.id) is not None:
                raise AlreadyMember("you are in this team already")
            _check_room(host, now, uow)
            after = team.joined(host.id, invitation.role, now)
            uow.teams.invitations.save(token_hash, accepted)
            uow.teams.save(after)
            uow.commit()
        log_event("team_invitation_accepted", team_id=team.id, invitation_id=invitation.id, host_id=host.id)
        return after

    return retried(accept)


@dataclass(frozen=True)
class ChangeMember:
    """An owner or admin changes a member's role and/or round-robin weight and priority (None: unchanged)."""

    host: Host
    team_id: str
    member_id: str
    role: Role | None = None
    weight: int | None = None
    priority: int | None = None


def change_member(command: ChangeMember, deps: Ports) -> Team:
    def change(team: Team) -> Team:
        if command.role is not None:
            team = team.with_role(command.host.id, command.member_id, command.role)
        if command.weight is not None or command.priority is not None:
            team = team.with_standing(command.host.id, command.member_id, command.weight, command.priority)
        return team

    return _changed(command.host, command.team_id, change, deps)


@dataclass(frozen=True)
class RemoveMember:
    """An owner or admin removes a member, or a member (`member_id` their own) leaves."""

    host: Host
    team_id: str
    member_id: str


def remove_member(command: RemoveMember, deps: Ports) -> Team:
    def remove(team: Team) -> Team:
        return team.without(command.host.id, command.member_id)

    return _changed(command.host, command.team_id, remove, deps)


@dataclass(frozen=True)
class RenameTeam:
    """An owner or admin changes the team's name and/or slug (None: unchanged)."""

    host: Host
    team_id: str
    name: str | None = None
    slug: str | None = None


def rename_team(command: RenameTeam, deps: Ports) -> Team:
    """A new slug is claimed in the hosts' registry and the old one freed in the team's own commit, as a host's
    slug change moves their page (shared/services/hosts.py): whoever holds the new slug, the commit fails whole."""

    def rename() -> Team:
        uow = deps.uow()
        with uow:
            before = _team_of(command.host, command.team_id, uow)
            after = before.renamed(command.host.id, command.name, command.slug)
            uow.teams.save(after, before)
            try:
                uow.commit()
            except AlreadyStored as error:
                raise SlugTaken(f"the slug '{after.slug}' is taken") from error
        return after

    after = retried(rename)
    log_event("team_renamed", team_id=after.id, host_id=command.host.id)
    return after


@dataclass(frozen=True)
class TeamRecord:
    """Everything Kaleno keeps of a team as such: the team (members, roles, event types), its members' names,
    its invitations in every state, and its event types' single-use links (never their tokens)."""

    team: Team
    names: dict[str, str]  # member host id -> display name
    invitations: list[Invitation]
    links: list[BookingLink]


def export_team(host: Host, team_id: str, deps: Ports) -> TeamRecord:
    """The team's own record, for an owner (a member's own export holds their teams: shared/services/privacy.py)."""
    uow = deps.uow()
    team = _team_of(host, team_id, uow)
    team.check_export(host.id)
    names = {member_id: found.display_name for member_id in team.members if (found := uow.hosts.get(member_id))}
    invitations = sorted(uow.teams.invitations.of_team(team.id).values(), key=lambda found: found.created_at)
    found_links = [link for et_id in team.event_types for link in uow.links.of_event_type(team.id, et_id)]
    log_event("team_exported", team_id=team.id, host_id=host.id)
    return TeamRecord(team, names, invitations, found_links)


@dataclass(frozen=True)
class DeleteTeam:
    host: Host
    team_id: str


def delete_team(command: DeleteTeam, deps: Ports) -> None:
    """The team, its slug (free again) and its invitations go, in one commit; an owner's to do."""

    def delete() -> Team:
        uow = deps.uow()
        with uow:
            team = _team_of(command.host, command.team_id, uow)
            team.check_delete(command.host.id)
            uow.teams.remove(team)
            uow.commit()
        return team

    deleted = retried(delete)
    for event_type_id in deleted.event_types:  # its open single-use links end (and are purged in time)
        links.withdraw_owned(deleted.id, event_type_id, deps.now(), deps.uow())
    log_event("team_deleted", team_id=command.team_id, host_id=command.host.id)


def _changed(host: Host, team_id: str, change: _Change, deps: Ports) -> Team:
    def save() -> Team:
        uow = deps.uow()
        with uow:
            after = change(_team_of(host, team_id, uow))
            uow.teams.save(after)
            uow.commit()
        return after

    after = retried(save)
    log_event("team_members_changed", team_id=team_id, host_id=host.id)
    return after


def _check_room(host: Host, now: datetime, uow: UnitOfWork) -> None:
    """Inside the join's unit: a hard bound (of two joins counted at once, the second commit fails on the
    host's join counter and counts again), so a host's export and erasure stay short."""
    if uow.teams.count_join(host.id, now) >= MAX_TEAMS_PER_HOST:
        raise TeamLimitReached(f"a host is in at most {MAX_TEAMS_PER_HOST} teams")


def _team_of(host: Host, team_id: str, uow: UnitOfWork) -> Team:
    """The team, if the host is in it (a team they are not in is not told apart from none)."""
    team = uow.teams.get(team_id)
    if team is None or team.role_of(host.id) is None:
        raise TeamNotFound("no such team among yours")
    return team


# --- team event types ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateTeamEventType:
    """An owner or admin adds an event type to the team."""

    host: Host
    team_id: str
    event_type: TeamEventType


def create_team_event_type(command: CreateTeamEventType, deps: Ports) -> str:
    """Its id (`et` + 10 hex, as a host's). Its members must be in the team, with a connected calendar."""
    event_type_id, event_type = ids.event_type_id(), command.event_type

    def add(team: Team) -> Team:
        after = team.with_event_type(command.host.id, event_type_id, event_type)
        _check_connected(event_type.members, deps.uow())  # once they are known to be members
        return after

    _changed(command.host, command.team_id, add, deps)
    log_event("team_event_type_created", team_id=command.team_id, event_type_id=event_type_id)
    return event_type_id


def team_event_types(host: Host, team_id: str, deps: Ports) -> dict[str, TeamEventType]:
    """The team's event types, for any member."""
    return _team_of(host, team_id, deps.uow()).event_types


def team_event_type_address(host: Host, team_id: str, event_type_id: str, deps: Ports) -> tuple[str, str]:
    """(team slug, event type slug): where one of the team's types is booked, for any member (to share it)."""
    team = _team_of(host, team_id, deps.uow())
    return team.slug, team.event_type(event_type_id).slug


@dataclass(frozen=True)
class UpdateTeamEventType:
    host: Host
    team_id: str
    event_type_id: str
    patch: TeamEventTypeUpdate


def update_team_event_type(command: UpdateTeamEventType, deps: Ports) -> TeamEventType:
    """The fields the patch sets; members it names are checked as on creation."""
    event_type_id = command.event_type_id

    def change(team: Team) -> Team:
        updated = team.event_type(event_type_id).updated_with(command.patch)
        after = team.with_event_type(command.host.id, event_type_id, updated)
        if command.patch.members:
            _check_connected(command.patch.members, deps.uow())
        return after

    after = _changed(command.host, command.team_id, change, deps)
    return after.event_types[event_type_id]


@dataclass(frozen=True)
class DeleteTeamEventType:
    host: Host
    team_id: str
    event_type_id: str


def delete_team_event_type(command: DeleteTeamEventType, deps: Ports) -> None:
    """Its open single-use links are revoked (as a host's type's are)."""

    def remove(team: Team) -> Team:
        return team.without_event_type(command.host.id, command.event_type_id)

    _changed(command.host, command.team_id, remove, deps)
    links.withdraw_owned(command.team_id, command.event_type_id, deps.now(), deps.uow())


# --- single-use links of a team's (private) event types --------------------------------------------------------
@dataclass(frozen=True)
class CreateTeamLink:
    """An owner or admin asks for a single-use link to one of the team's event types."""

    host: Host
    team_id: str
    event_type_id: str
    request: LinkRequest


def create_team_link(command: CreateTeamLink, deps: Ports) -> links.CreatedLink:
    """A host's single-use link, owned by the team (its `host_id` the team's id): one booking with it, by the
    team type's assignment. Its token is shown this once."""
    team, event_type = _managed_type(command.host, command.team_id, command.event_type_id, deps.uow())
    link, token = links.new_link(team.id, command.event_type_id, command.request, deps)
    log_event("team_link_created", team_id=team.id, event_type_id=command.event_type_id, link_id=link.id)
    return links.CreatedLink(link, token, deps.links.single_use(team.slug, event_type.slug, token))


def team_links(host: Host, team_id: str, event_type_id: str, deps: Ports) -> list[BookingLink]:
    uow = deps.uow()
    team, _ = _managed_type(host, team_id, event_type_id, uow)
    return uow.links.of_event_type(team.id, event_type_id)


@dataclass(frozen=True)
class RevokeTeamLink:
    host: Host
    team_id: str
    event_type_id: str
    link_id: str


def revoke_team_link(command: RevokeTeamLink, deps: Ports) -> BookingLink:
    """From now on it answers 410 `link-expired` (a used one stays used: 410 `link-used`)."""
    uow = deps.uow()
    team, _ = _managed_type(command.host, command.team_id, command.event_type_id, uow)
    revoked = links.revoke_owned((team.id, command.event_type_id), command.link_id, deps.now(), uow)
    log_event("team_link_revoked", team_id=team.id, event_type_id=command.event_type_id, link_id=revoked.id)
    return revoked


def _managed_type(host: Host, team_id: str, event_type_id: str, uow: UnitOfWork) -> tuple[Team, TeamEventType]:
    """The team and its type, for an owner or admin (links are the managers' to hand out)."""
    team = _team_of(host, team_id, uow)
    team.check_manage_types(host.id)
    return team, team.event_type(event_type_id)


def _check_connected(members: list[str], uow: UnitOfWork) -> None:
    """Every chosen member (each a member of the team, checked first) has a connected calendar: their free
    times come from it. A member who disconnects later simply offers nothing meanwhile."""
    for member_id in members:
        found = uow.hosts.get(member_id)
        if found is None or not found.connection.is_connected:
            raise InvalidFields([FieldProblem("members", "member-not-connected")])


# --- a member's calendar disconnects ---------------------------------------------------------------------------
QUEUE_FUNCTION = "notifications"  # the mail queue's target (functions/notifications.py)


def tell_teams_later(host: Host, deps: Ports) -> bool:
    """The host's calendar just went from connected to disconnected (they disconnected, or Google refused their
    grant): if they are in a team, one named task per disconnect tells the owners and admins of each. Meanwhile
    they are out of every team's pool already: a member without a connected calendar offers nothing."""
    incident = host.access_incident
    if incident is None or not deps.uow().teams.of_member(host.id):
        return False
    payload = {"action": "tell_team_admins", "host_id": host.id, "incident": incident}
    return deps.tasks.enqueue(QUEUE_FUNCTION, payload, name=f"team-disconnect-{host.id}-{incident}")


@dataclass(frozen=True)
class TellTeamAdmins:
    """The task: `host_id`'s calendar disconnected (`incident`, their `access_incident` then)."""

    host_id: str
    incident: str


def tell_team_admins(command: TellTeamAdmins, deps: Ports) -> str:
    """Each team's owners and admins are mailed once per disconnect (the team records which it was told), and
    only while the member is still disconnected. A relay that is down raises (the task is retried; the teams
    already told are skipped)."""
    uow, mailer = deps.uow(), deps.mailer
    member = uow.hosts.get(command.host_id)
    if member is None or member.access_incident != command.incident:
        return "not_needed"  # gone, or connected again meanwhile (a later disconnect has its own task)
    if mailer is None:
        return "mail_not_configured"
    told, dashboard = 0, deps.links.dashboard()
    for team in uow.teams.of_member(member.id):
        if team.disconnects_told.get(member.id) == command.incident:
            continue
        for manager_id in team.managers(besides=member.id):
            if (manager := uow.hosts.get(manager_id)) is not None:
                mailer.send(messages.member_disconnected(_notice(team, member, manager, command), dashboard))
        _record_told(team.id, command, deps)
        told += 1
    log_event("team_admins_told", host_id=member.id, team_count=told)
    return "sent" if told else "already_sent"


def _notice(team: Team, member: Host, manager: Host, command: TellTeamAdmins) -> messages.MemberDisconnected:
    incident = f"{member.id}-{command.incident}"
    return messages.MemberDisconnected(
        manager.email, manager.id, team.id, team.name, member.display_name, incident, manager.locale
    )


def _record_told(team_id: str, command: TellTeamAdmins, deps: Ports) -> None:
    def record() -> None:
        uow = deps.uow()
        with uow:
            team = uow.teams.get(team_id)
            if team is not None and command.host_id in team.members:
                uow.teams.save(team.told_disconnect(command.host_id, command.incident))
                uow.commit()

    retried(record)
