"""The team's rules: who may invite, change roles, remove whom; a team always keeps an owner; invitations
work once, in time, for their address; tokens are refused unless Kaleno signed them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.domain.errors import (
    InvitationExpired,
    InvitationUsed,
    MemberNotFound,
    SoleOwner,
    TeamNotFound,
    TeamRoleForbids,
)
from shared.domain.team import (
    INVITATION_TTL,
    Invitation,
    InvitationState,
    Member,
    Role,
    Team,
    genuine_invite_token,
    invitation_hash,
    invite_token,
)

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def a_team(**roles: Role) -> Team:
    """Owner "o" plus the given members by id, each joined a minute after the one before."""
    team = Team.founded("tm1", "acme", "Acme", "o", NOW)
    for minutes, (host_id, role) in enumerate(roles.items(), start=1):
        team = team.joined(host_id, role, NOW + timedelta(minutes=minutes))
    return team


def test_a_founded_team_has_its_founder_as_only_owner_and_a_team_without_owner_is_refused() -> None:
    team = Team.founded("tm1", "acme", "Acme", "o", NOW)

    assert team.owners() == ["o"]
    assert team.role_of("o") is Role.OWNER
    assert team.role_of("x") is None
    with pytest.raises(ValidationError, match="at least one owner"):
        Team(id="tm1", slug="acme", name="Acme", created_at=NOW, members={"a": Member(role=Role.ADMIN, joined_at=NOW)})


def test_owners_and_admins_invite_up_to_their_own_role_members_do_not() -> None:
    team = a_team(a=Role.ADMIN, m=Role.MEMBER)

    team.check_invite("o", Role.OWNER)
    team.check_invite("a", Role.ADMIN)
    with pytest.raises(TeamRoleForbids):
        team.check_invite("a", Role.OWNER)
    with pytest.raises(TeamRoleForbids):
        team.check_invite("m", Role.MEMBER)
    with pytest.raises(TeamNotFound):
        team.check_invite("stranger", Role.MEMBER)


def test_admins_move_members_and_admins_owners_anything_but_the_last_owner() -> None:
    team = a_team(a=Role.ADMIN, m=Role.MEMBER)

    assert team.with_role("a", "m", Role.ADMIN).role_of("m") is Role.ADMIN
    with pytest.raises(TeamRoleForbids):
        team.with_role("a", "m", Role.OWNER)
    with pytest.raises(TeamRoleForbids):
        team.with_role("a", "o", Role.MEMBER)
    with pytest.raises(TeamRoleForbids):
        team.with_role("m", "a", Role.MEMBER)
    with pytest.raises(SoleOwner):
        team.with_role("o", "o", Role.ADMIN)
    two_owners = team.with_role("o", "a", Role.OWNER)
    assert two_owners.with_role("a", "o", Role.MEMBER).owners() == ["a"]
    with pytest.raises(MemberNotFound):
        team.with_role("o", "nobody", Role.MEMBER)


def test_members_leave_admins_remove_below_owners_and_the_only_owner_stays() -> None:
    team = a_team(a=Role.ADMIN, m=Role.MEMBER, n=Role.MEMBER)

    assert "m" not in team.without("m", "m").members  # leaving
    assert "n" not in team.without("a", "n").members  # an admin removes a member
    assert "a" not in team.without("o", "a").members  # an owner removes an admin
    with pytest.raises(TeamRoleForbids):
        team.without("m", "n")
    with pytest.raises(TeamRoleForbids):
        team.without("a", "o")
    with pytest.raises(SoleOwner):
        team.without("o", "o")
    assert team.only_owner("o")
    assert not Team.founded("tm2", "solo", "Solo", "o", NOW).only_owner("o")


def test_only_owners_delete_the_team() -> None:
    team = a_team(a=Role.ADMIN)

    team.check_delete("o")
    with pytest.raises(TeamRoleForbids):
        team.check_delete("a")


def test_an_erased_member_leaves_and_an_erased_only_owner_hands_the_team_to_the_senior_admin() -> None:
    team = a_team(m=Role.MEMBER, a=Role.ADMIN, b=Role.ADMIN)

    heir = team.without_erased("o")
    assert heir is not None
    assert heir.owners() == ["a"]
    assert "o" not in heir.members
    after_member = team.without_erased("m")
    assert after_member is not None
    assert after_member.owners() == ["o"]
    assert "m" not in after_member.members
    assert Team.founded("tm2", "solo", "Solo", "o", NOW).without_erased("o") is None


def test_an_invitation_is_accepted_once_in_time_and_matches_its_address_without_regard_to_case() -> None:
    invitation = Invitation(
        id="iv1",
        team_id="tm1",
        email="Bo@Example.org",
        role=Role.MEMBER,
        created_at=NOW,
        expires_at=NOW + INVITATION_TTL,
    )

    accepted = invitation.accepted("h2", NOW + timedelta(days=1))
    assert accepted.state is InvitationState.ACCEPTED
    assert accepted.accepted_by == "h2"
    assert invitation.email == "Bo@Example.org"
    assert invitation.for_address("bo@example.ORG")
    assert not invitation.for_address("eve@example.org")
    with pytest.raises(InvitationUsed):
        accepted.accepted("h2", NOW + timedelta(days=1))
    with pytest.raises(InvitationExpired):
        invitation.accepted("h2", NOW + INVITATION_TTL)


def test_only_tokens_signed_with_the_key_are_genuine_and_each_has_its_own_hash() -> None:
    token = invite_token("key", "s" * 43)

    assert genuine_invite_token("key", token)
    assert not genuine_invite_token("other-key", token)
    assert not genuine_invite_token("key", token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not genuine_invite_token("key", "ti.nonsense")
    assert invitation_hash("key", token) != invitation_hash("key", invite_token("key", "t" * 43))
    assert len(invitation_hash("key", token)) == 64


def test_owners_and_admins_set_a_members_round_robin_weight_and_priority_within_their_bounds() -> None:
    team = a_team(a=Role.ADMIN, m=Role.MEMBER)

    weighed = team.with_standing("a", "m", 3, None).with_standing("o", "m", None, 2)

    assert (weighed.members["m"].weight, weighed.members["m"].priority) == (3, 2)
    with pytest.raises(TeamRoleForbids):
        team.with_standing("m", "m", 5, None)  # a member does not weigh themself
    with pytest.raises(ValidationError):
        team.with_standing("o", "m", 11, None)  # 1-10
