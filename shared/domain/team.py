"""Teams: several hosts under one public slug, each a member with a role, and the invitations that add them.

Roles, from most to least: `owner` (may delete the team, make or unmake owners), `admin` (manages members
and, later, the team's event types), `member` (takes part, may leave). A team always has an owner: the only
owner cannot leave nor be demoted or removed; they hand ownership over, or delete the team.

A member's optional `weight` (1-10) and `priority` are kept for round-robin (shared/domain/team_offer.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from shared.domain.booking import Email, normalised_email
from shared.domain.errors import (
    EventTypeLimitReached,
    EventTypeNotFound,
    FieldProblem,
    InvalidFields,
    InvitationExpired,
    InvitationRevoked,
    InvitationUsed,
    MemberNotFound,
    PageFull,
    SlugTaken,
    SoleOwner,
    TeamFull,
    TeamNotFound,
    TeamRoleForbids,
    refused,
)
from shared.domain.sizes import largest_field, stored_size
from shared.domain.team_event_type import MAX_TEAM_EVENT_TYPES, TeamEventType
from shared.domain.text import ONE_LINE

MAX_MEMBERS = 100  # the team is one stored record, read whole
MAX_TEAMS_PER_HOST = 20
INVITATION_TTL = timedelta(days=7)
# Inviting an address again while its invitation is pending answers that same invitation (one link, so a
# retried request or a double click cannot leave two); its mail goes out again only this long after the last.
REMAIL_AFTER = timedelta(minutes=10)
# The team is one stored record (its event types in it), read whole by every team slots read: like a host's
# page (booking_pages.PAGE_BYTES), a change that grows it past this many bytes is refused.
TEAM_BYTES = 800 * 1024
TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), ONE_LINE]
_EMAIL = TypeAdapter(Email)


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def rank(self) -> int:
        return {Role.OWNER: 3, Role.ADMIN: 2, Role.MEMBER: 1}[self]


class Member(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    joined_at: datetime
    weight: int = Field(default=1, ge=1, le=10)
    priority: int = Field(default=0, ge=0, le=10)


class Team(BaseModel):
    """A team as stored: `members` by host id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    slug: str
    name: TeamName
    created_at: datetime
    members: dict[str, Member]
    event_types: dict[str, TeamEventType] = Field(default_factory=dict)  # by event type id
    # The disconnect (the host's `access_incident`) each member's loss of calendar was last told for: admins
    # and owners hear of each disconnect once, and again after a reconnect and a new disconnect.
    disconnects_told: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_an_owner(self) -> Team:
        if not self.owners():
            raise ValueError("a team has at least one owner")
        if len(self.members) > MAX_MEMBERS:
            raise ValueError(f"a team has at most {MAX_MEMBERS} members")
        return self

    @classmethod
    def founded(cls, team_id: str, slug: str, name: str, owner_id: str, now: datetime) -> Team:
        owner = Member(role=Role.OWNER, joined_at=now)
        return cls(id=team_id, slug=slug, name=name, created_at=now, members={owner_id: owner})

    def owners(self) -> list[str]:
        return [host_id for host_id, member in self.members.items() if member.role is Role.OWNER]

    def role_of(self, host_id: str) -> Role | None:
        member = self.members.get(host_id)
        return member.role if member else None

    def managers(self, besides: str) -> list[str]:
        """The owners and admins (but `besides`): who hears about the team's members."""
        return [h for h, m in self.members.items() if m.role.rank >= Role.ADMIN.rank and h != besides]

    def told_disconnect(self, host_id: str, incident: str) -> Team:
        return self.model_copy(update={"disconnects_told": {**self.disconnects_told, host_id: incident}})

    def only_owner(self, host_id: str) -> bool:
        """The team's one owner, with others in it: they cannot go (nor be erased) until they hand it over."""
        return self.owners() == [host_id] and len(self.members) > 1

    # --- who may do what -------------------------------------------------------------------------------
    def check_invite(self, actor_id: str, role: Role) -> None:
        """Owners and admins invite; nobody grants a role above their own."""
        actor = self._acting(actor_id)
        if actor.rank < Role.ADMIN.rank or role.rank > actor.rank:
            raise TeamRoleForbids(f"a {actor} cannot invite a {role}")
        if len(self.members) >= MAX_MEMBERS:
            raise TeamFull(f"a team has at most {MAX_MEMBERS} members")

    def check_manage_invitations(self, actor_id: str) -> None:
        """Owners and admins see and withdraw the team's pending invitations."""
        if self._acting(actor_id).rank < Role.ADMIN.rank:
            raise TeamRoleForbids("only owners and admins manage the team's invitations")

    def renamed(self, actor_id: str, name: str | None, slug: str | None) -> Team:
        """A new name and/or page address, by an owner or admin (the slug's claim moves with the save)."""
        if self._acting(actor_id).rank < Role.ADMIN.rank:
            raise TeamRoleForbids("only owners and admins rename the team")
        return self.model_copy(update={"name": name or self.name, "slug": slug or self.slug})

    def check_delete(self, actor_id: str) -> None:
        if self._acting(actor_id) is not Role.OWNER:
            raise TeamRoleForbids("only an owner deletes the team")

    def check_export(self, actor_id: str) -> None:
        """The team's record (its members, types, invitations, links) is its owners' to take out."""
        if self._acting(actor_id) is not Role.OWNER:
            raise TeamRoleForbids("only an owner exports the team's record")

    # --- changes -----------------------------------------------------------------------------------------
    def joined(self, host_id: str, role: Role, now: datetime) -> Team:
        if len(self.members) >= MAX_MEMBERS:
            raise TeamFull(f"a team has at most {MAX_MEMBERS} members")
        return self._with({**self.members, host_id: Member(role=role, joined_at=now)})

    def with_role(self, actor_id: str, target_id: str, role: Role) -> Team:
        """Admins move members and admins between those two roles; owners do anything but leave it ownerless."""
        actor, target = self._acting(actor_id), self._target(target_id)
        if actor.rank < Role.ADMIN.rank or max(role.rank, target.role.rank) > actor.rank:
            raise TeamRoleForbids(f"a {actor} cannot make a {target.role} a {role}")
        if target.role is Role.OWNER and role is not Role.OWNER and self.owners() == [target_id]:
            raise SoleOwner("the team's only owner stays owner until another member is made owner")
        return self._with({**self.members, target_id: target.model_copy(update={"role": role})})

    def with_standing(self, actor_id: str, target_id: str, weight: int | None, priority: int | None) -> Team:
        """Admins and owners set a member's round-robin weight (1-10: a weight-2 member takes twice the
        bookings of a weight-1 one) and priority (0-10: higher is asked first); None leaves one as it is."""
        actor, target = self._acting(actor_id), self._target(target_id)
        if actor.rank < Role.ADMIN.rank:
            raise TeamRoleForbids(f"a {actor} cannot change a member's round-robin weight or priority")
        changed = {"weight": weight, "priority": priority}
        update = {name: value for name, value in changed.items() if value is not None}
        member = Member.model_validate({**target.model_dump(), **update})
        return self._with({**self.members, target_id: member})

    def without(self, actor_id: str, target_id: str) -> Team:
        """Anyone may leave (not the only owner); admins remove members and admins, owners anyone."""
        actor, target = self._acting(actor_id), self._target(target_id)
        if actor_id != target_id and (actor.rank < Role.ADMIN.rank or target.role.rank > actor.rank):
            raise TeamRoleForbids(f"a {actor} cannot remove a {target.role}")
        if self.owners() == [target_id]:
            raise SoleOwner("the team's only owner cannot leave: make another member owner, or delete the team")
        return self._with({host_id: m for host_id, m in self.members.items() if host_id != target_id})

    def without_erased(self, host_id: str) -> Team | None:
        """A member's account was erased: they leave; if they were the only owner (erasure is refused then, so
        only a race gets here) the longest-standing admin, else member, becomes owner. None: nobody is left."""
        rest = {other: m for other, m in self.members.items() if other != host_id}
        if not rest:
            return None
        if not any(m.role is Role.OWNER for m in rest.values()):
            heir = min(rest, key=lambda other: (-rest[other].role.rank, rest[other].joined_at, other))
            rest[heir] = rest[heir].model_copy(update={"role": Role.OWNER})
        return self._with(rest)

    # --- event types (admins and owners) ------------------------------------------------------------------
    def event_type(self, event_type_id: str) -> TeamEventType:
        try:
            return self.event_types[event_type_id]
        except KeyError:
            raise EventTypeNotFound(f"no event type {event_type_id}") from None

    def by_slug(self, slug: str) -> tuple[str, TeamEventType]:
        for event_type_id, event_type in self.event_types.items():
            if event_type.slug == slug:
                return event_type_id, event_type
        raise EventTypeNotFound(f"no event type '{slug}'")

    def check_manage_types(self, actor_id: str) -> None:
        if self._acting(actor_id).rank < Role.ADMIN.rank:
            raise TeamRoleForbids("only owners and admins manage the team's event types")

    def with_event_type(self, actor_id: str, event_type_id: str, event_type: TeamEventType) -> Team:
        """Added or replaced by an admin or owner: its slug free among the team's types, its members (at least
        one) all in the team, and the team still fitting its record."""
        self.check_manage_types(actor_id)
        if any(et.slug == event_type.slug and et_id != event_type_id for et_id, et in self.event_types.items()):
            raise SlugTaken(f"the team already has an event type with the slug '{event_type.slug}'")
        if not event_type.members:
            raise InvalidFields([FieldProblem("members", "members-required")])
        strangers = [member for member in event_type.members if member not in self.members]
        if strangers:
            raise InvalidFields([FieldProblem("members", "member-not-in-team")])
        if event_type_id not in self.event_types and len(self.event_types) >= MAX_TEAM_EVENT_TYPES:
            raise EventTypeLimitReached(f"a team has at most {MAX_TEAM_EVENT_TYPES} event types; delete one first")
        after = self.model_copy(update={"event_types": {**self.event_types, event_type_id: event_type}})
        grown = stored_size(after)
        if grown > TEAM_BYTES and grown > stored_size(self):
            raise PageFull([FieldProblem(largest_field(event_type), "page-full", {"limit_kib": TEAM_BYTES // 1024})])
        return after

    def without_event_type(self, actor_id: str, event_type_id: str) -> Team:
        self.check_manage_types(actor_id)
        self.event_type(event_type_id)  # raises EventTypeNotFound
        return self.model_copy(
            update={"event_types": {k: v for k, v in self.event_types.items() if k != event_type_id}}
        )

    def _with(self, members: dict[str, Member]) -> Team:
        """With these members; whoever is no longer one leaves the event types too."""
        types = {
            et_id: et.model_copy(update={"members": [host for host in et.members if host in members]})
            for et_id, et in self.event_types.items()
        }
        told = {host: incident for host, incident in self.disconnects_told.items() if host in members}
        return Team.model_validate(
            {**self.model_dump(), "members": members, "event_types": types, "disconnects_told": told}
        )

    def _acting(self, host_id: str) -> Role:
        role = self.role_of(host_id)
        if role is None:
            raise TeamNotFound("no such team among yours")
        return role

    def _target(self, host_id: str) -> Member:
        member = self.members.get(host_id)
        if member is None:
            raise MemberNotFound("no such member in this team")
        return member


def _as_typed(value: str) -> str:
    """Checked as any address Kaleno mails, but kept as typed (matching uses its normalised form)."""
    try:
        _EMAIL.validate_python(value)
    except ValidationError:
        raise refused("email-invalid", "not a valid email address") from None
    return value


TypedEmail = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(_as_typed)]


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


class Invitation(BaseModel):
    """An invitation as stored, under its token's keyed hash (never the token)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    team_id: str
    email: str  # as typed
    role: Role
    created_at: datetime
    expires_at: datetime
    state: InvitationState = InvitationState.PENDING
    accepted_by: str | None = None
    mailed_at: datetime | None = None  # the last time its link was mailed

    def pending(self, now: datetime) -> bool:
        """Still to be accepted: neither accepted nor withdrawn, and within its time."""
        return self.state is InvitationState.PENDING and now < self.expires_at

    def due_mail(self, now: datetime) -> bool:
        """Its link should be mailed (again): never mailed, or not in the last REMAIL_AFTER."""
        return self.mailed_at is None or now - self.mailed_at >= REMAIL_AFTER

    def mailed(self, now: datetime) -> Invitation:
        return self.model_copy(update={"mailed_at": now})

    def revoked(self) -> Invitation:
        """Withdrawn (again: no change); an accepted one cannot be."""
        if self.state is InvitationState.ACCEPTED:
            raise InvitationUsed("this invitation was already accepted")
        return self.model_copy(update={"state": InvitationState.REVOKED})

    @property
    def email_key(self) -> str:
        return normalised_email(self.email)

    def for_address(self, address: str) -> bool:
        return normalised_email(address) == self.email_key

    def accepted(self, host_id: str, now: datetime) -> Invitation:
        """Accepted now, once, within its time."""
        if self.state is InvitationState.REVOKED:
            raise InvitationRevoked("this invitation was withdrawn; ask the team for a new one")
        if self.state is not InvitationState.PENDING:
            raise InvitationUsed("this invitation was already accepted")
        if now >= self.expires_at:
            raise InvitationExpired("this invitation has expired; ask for a new one")
        return self.model_copy(update={"state": InvitationState.ACCEPTED, "accepted_by": host_id})


# Invitation tokens: `ti.<secret>.<MAC of the secret>`. The MAC refuses a forged token without a read; the
# secret's keyed hash names the stored invitation, so a reader of the database cannot accept one.
INVITE_PREFIX = "ti."
INVITE_TOKEN_PATTERN = r"^ti\.[A-Za-z0-9_-]{43}\.[0-9a-f]{32}$"  # noqa: S105  # nosec B105  # a shape


def invite_token(key: str, secret: str) -> str:
    return f"{INVITE_PREFIX}{secret}.{_mac(key, secret)}"


def invitation_token(key: str, invitation_id: str) -> str:
    """The invitation's token, derived from its id with the key: the same invitation answered again (an address
    invited twice) hands out the same link without the token ever being stored."""
    digest = hmac.new(key.encode(), f"team-invite-secret:{invitation_id}".encode(), hashlib.sha256).digest()
    return invite_token(key, base64.urlsafe_b64encode(digest).decode().rstrip("="))


def genuine_invite_token(key: str, token: str) -> bool:
    if re.fullmatch(INVITE_TOKEN_PATTERN, token) is None:
        return False
    _, secret, mac = token.split(".")
    return hmac.compare_digest(_mac(key, secret), mac)


def invitation_hash(key: str, token: str) -> str:
    """How an invitation is stored and looked up (domain-separated from every other keyed hash)."""
    return hmac.new(key.encode(), f"team-invitation:{token}".encode(), hashlib.sha256).hexdigest()


def _mac(key: str, secret: str) -> str:
    return hmac.new(key.encode(), f"team-invite:{secret}".encode(), hashlib.sha256).hexdigest()[:32]
