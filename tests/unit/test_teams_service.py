"""The team use cases against the fakes: a slug shared with hosts, invitations mailed and accepted once by
the invited (connected) host, members listed, roles changed, removal, leaving, deletion; a host who is a
team's only owner cannot erase their account; their export holds their teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.errors import (
    AlreadyMember,
    HostNotConnected,
    InvitationExpired,
    InvitationForAnotherAddress,
    InvitationInvalid,
    InvitationUsed,
    SlugTaken,
    SoleOwner,
    TeamLimitReached,
    TeamNotFound,
    TeamRoleForbids,
)
from shared.domain.host import ConnectionState, Host
from shared.domain.team import INVITATION_TTL, MAX_TEAMS_PER_HOST, Invitation, Role, invite_token
from shared.services import teams
from shared.services.hosts import slug_available
from shared.services.privacy import Erase, Export, erase, export
from tests.unit.fakes import FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def host(host_id: str, email: str, slug: str, state: ConnectionState = ConnectionState.CONNECTED) -> Host:
    return a_host(host_id, slug, state).model_copy(update={"email": email, "display_name": host_id.upper()})


ADA = host("h1", "ada@example.com", "ada")
BO = host("h2", "Bo@Example.org", "bo")
CY = host("h3", "cy@example.org", "cy")


def ports_with_hosts() -> FakePorts:
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[ADA, BO, CY], pages={"ada": a_page("h1"), "bo": a_page("h2"), "cy": a_page("h3")})
    return ports


def token_of(invited: teams.Invited) -> str:
    return invited.url.rsplit("/", 1)[1]


def team_with_bo(ports: FakePorts) -> str:
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)
    invited = teams.invite(teams.Invite(ADA, team.id, "bo@example.org"), ports)
    teams.accept_invitation(teams.AcceptInvitation(BO, token_of(invited)), ports)
    return team.id


def test_a_team_takes_its_slug_from_the_hosts_registry_both_ways() -> None:
    ports = ports_with_hosts()

    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)

    with pytest.raises(SlugTaken):
        teams.create_team(teams.CreateTeam(BO, "ada", "Not Ada's"), ports)  # a host's slug
    with pytest.raises(SlugTaken):
        teams.create_team(teams.CreateTeam(BO, "acme", "Another Acme"), ports)  # a team's slug
    assert not slug_available(BO, "acme", ports)
    assert ports.uow().pages.get("acme") is None  # a team's claim is no host page
    assert teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports) == team  # a retried request
    assert [(m.team.slug, m.role) for m in teams.teams_of(ADA, ports)] == [("acme", Role.OWNER)]


def test_an_invitation_is_mailed_stored_as_a_hash_and_accepted_once_by_the_invited_host() -> None:
    ports = ports_with_hosts()
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)

    invited = teams.invite(teams.Invite(ADA, team.id, "bo@example.org", Role.ADMIN), ports)
    token = token_of(invited)

    (mail,) = ports.mailer.sent
    assert mail.to == "bo@example.org"
    assert invited.url in mail.text
    assert token not in str(ports.db.records)
    with pytest.raises(InvitationForAnotherAddress):
        teams.accept_invitation(teams.AcceptInvitation(CY, token), ports)
    assert teams.accept_invitation(teams.AcceptInvitation(BO, token), ports).role_of("h2") is Role.ADMIN
    with pytest.raises(InvitationUsed):
        teams.accept_invitation(teams.AcceptInvitation(BO, token), ports)
    shown = [(m.host_id, m.display_name, m.role) for m in teams.members(BO, team.id, ports)]
    assert shown == [("h1", "H1", Role.OWNER), ("h2", "H2", Role.ADMIN)]


def test_an_invitation_needs_a_connected_calendar_a_genuine_token_and_time_left() -> None:
    ports = ports_with_hosts()
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)
    token = token_of(teams.invite(teams.Invite(ADA, team.id, "bo@example.org"), ports))
    disconnected = BO.model_copy(update={"connection": a_host(state=ConnectionState.DISCONNECTED).connection})

    with pytest.raises(HostNotConnected):
        teams.accept_invitation(teams.AcceptInvitation(disconnected, token), ports)
    with pytest.raises(InvitationInvalid):
        teams.accept_invitation(teams.AcceptInvitation(BO, invite_token("another key", "s" * 43)), ports)
    with pytest.raises(InvitationExpired):
        teams.accept_invitation(teams.AcceptInvitation(BO, token), ports.at(NOW + INVITATION_TTL))
    own = token_of(teams.invite(teams.Invite(ADA, team.id, ADA.email), ports))
    with pytest.raises(AlreadyMember):
        teams.accept_invitation(teams.AcceptInvitation(ADA, own), ports)


def test_roles_change_members_are_removed_or_leave_and_the_only_owner_stays() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)

    with pytest.raises(TeamRoleForbids):
        teams.invite(teams.Invite(BO, team_id, "cy@example.org"), ports)  # a member does not invite
    with pytest.raises(TeamNotFound):
        teams.members(CY, team_id, ports)  # nor does a stranger see the team
    assert teams.change_member(teams.ChangeMember(ADA, team_id, "h2", Role.ADMIN), ports).role_of("h2") is Role.ADMIN
    with pytest.raises(SoleOwner):
        teams.remove_member(teams.RemoveMember(ADA, team_id, "h1"), ports)
    assert "h2" not in teams.remove_member(teams.RemoveMember(BO, team_id, "h2"), ports).members  # leaving
    assert teams.teams_of(BO, ports) == []


def test_deleting_a_team_frees_its_slug_and_ends_its_invitations() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    token = token_of(teams.invite(teams.Invite(ADA, team_id, "cy@example.org"), ports))

    with pytest.raises(TeamRoleForbids):
        teams.delete_team(teams.DeleteTeam(BO, team_id), ports)
    teams.delete_team(teams.DeleteTeam(ADA, team_id), ports)

    assert ports.db.ids("teams") == set()
    assert ports.db.ids("team_invitations") == set()
    assert slug_available(CY, "acme", ports)
    with pytest.raises(InvitationInvalid):
        teams.accept_invitation(teams.AcceptInvitation(CY, token), ports)


def test_the_only_owner_cannot_erase_their_account_and_a_members_erasure_takes_them_out() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    teams.invite(teams.Invite(ADA, team_id, "cy@example.org"), ports)

    exported = export(Export(ADA, {}), ports)["teams"]
    assert [t["slug"] for t in exported] == ["acme"]
    assert sorted(i["email"] for i in exported[0]["invitations"]) == ["bo@example.org", "cy@example.org"]
    assert "invitations" not in export(Export(BO, {}), ports)["teams"][0]  # a member's export: not the owner's
    with pytest.raises(SoleOwner):
        erase(Erase(ADA), ports)
    with ports.uow() as uow:
        assert uow.teams.erase_subject("h2") == 2  # one team left, one invitation accepted
        uow.commit()
    team = ports.uow().teams.get(team_id)
    assert team is not None
    assert list(team.members) == ["h1"]
    invited = {i.email: i for i in ports.db.where("team_invitations", Invitation).values()}
    assert list(invited) == ["cy@example.org"]  # the one Bo accepted (their address, their id) went with them
    erase(Erase(ADA), ports)  # alone in it now: the erasure may go ahead (its task is the privacy suite's)
    assert [(function, payload["host_id"]) for function, payload, _ in ports.tasks.enqueued] == [("privacy", "h1")]


def test_an_invitation_keeps_the_address_as_typed_and_never_grants_above_the_inviters_role() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    teams.change_member(teams.ChangeMember(ADA, team_id, "h2", Role.ADMIN), ports)

    invited = teams.invite(teams.Invite(BO, team_id, "Cy@Example.ORG"), ports)

    assert invited.invitation.email == "Cy@Example.ORG"
    assert invited.invitation.expires_at == NOW + timedelta(days=7)
    with pytest.raises(TeamRoleForbids):
        teams.invite(teams.Invite(BO, team_id, "cy@example.org", Role.OWNER), ports)
    assert teams.accept_invitation(teams.AcceptInvitation(CY, token_of(invited)), ports).role_of("h3") is Role.MEMBER


def test_a_host_is_in_at_most_a_bounded_number_of_teams() -> None:
    ports = ports_with_hosts()
    for number in range(MAX_TEAMS_PER_HOST):
        teams.create_team(teams.CreateTeam(BO, f"bo-team-{number}", "Bo's"), ports)
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)
    token = token_of(teams.invite(teams.Invite(ADA, team.id, "bo@example.org"), ports))

    with pytest.raises(TeamLimitReached):
        teams.create_team(teams.CreateTeam(BO, "one-more", "One more"), ports)
    with pytest.raises(TeamLimitReached):
        teams.accept_invitation(teams.AcceptInvitation(BO, token), ports)
    assert len(teams.teams_of(BO, ports)) == MAX_TEAMS_PER_HOST
