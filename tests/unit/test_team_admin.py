"""Running a team, against the fakes: its pending invitations listed and withdrawn, an address invited twice
answered with the same invitation (mailed again only after a while), the team's name and slug changed with
the slug moving in the hosts' registry, its admins and owners told once when a member's calendar
disconnects, and the bound of teams a host may be in counted at each join."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.errors import (
    InvitationNotFound,
    InvitationRevoked,
    InvitationUsed,
    SlugTaken,
    TeamLimitReached,
    TeamNotFound,
    TeamRoleForbids,
)
from shared.domain.host import Connection, ConnectionState
from shared.domain.team import INVITATION_TTL, REMAIL_AFTER, Role
from shared.domain.team import MAX_TEAMS_PER_HOST as MAX_TEAMS
from shared.services import teams
from shared.services.connection import access_revoked, change_connection
from shared.services.hosts import slug_available
from tests.unit.fakes import FakePorts, TeamCount
from tests.unit.test_teams_service import ADA, BO, CY, NOW, ports_with_hosts, team_with_bo, token_of


def test_an_address_invited_again_while_pending_gets_the_same_link_mailed_at_most_once_a_while() -> None:
    ports = ports_with_hosts()
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)

    first = teams.invite(teams.Invite(ADA, team.id, "cy@example.org"), ports)
    again = teams.invite(teams.Invite(ADA, team.id, "CY@example.org", Role.ADMIN), ports.at(NOW + timedelta(minutes=1)))
    later = teams.invite(teams.Invite(ADA, team.id, "cy@example.org", Role.ADMIN), ports.at(NOW + REMAIL_AFTER))

    assert again.url == later.url == first.url
    assert again.invitation.id == first.invitation.id
    assert again.invitation.role is Role.ADMIN  # the role asked last
    assert [mail.to for mail in ports.mailer.sent] == ["cy@example.org", "cy@example.org"]  # not for `again`
    assert teams.accept_invitation(teams.AcceptInvitation(CY, token_of(first)), ports).role_of("h3") is Role.ADMIN
    after_acceptance = teams.invite(teams.Invite(ADA, team.id, "cy@example.org"), ports)
    assert after_acceptance.url != first.url  # a new invitation once the last was used


def test_pending_invitations_are_listed_for_owners_and_admins_only() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    teams.invite(teams.Invite(ADA, team_id, "cy@example.org", Role.ADMIN), ports)
    teams.invite(teams.Invite(ADA, team_id, "dee@example.org"), ports.at(NOW + timedelta(minutes=1)))

    listed = teams.pending_invitations(ADA, team_id, ports)

    assert [(i.email, i.role, i.expires_at) for i in listed] == [
        ("cy@example.org", Role.ADMIN, NOW + INVITATION_TTL),
        ("dee@example.org", Role.MEMBER, NOW + timedelta(minutes=1) + INVITATION_TTL),
    ]  # Bo's, accepted, is not listed
    assert [i.email for i in teams.pending_invitations(ADA, team_id, ports.at(NOW + INVITATION_TTL))] == [
        "dee@example.org"
    ]
    with pytest.raises(TeamRoleForbids):
        teams.pending_invitations(BO, team_id, ports)  # a member
    with pytest.raises(TeamNotFound):
        teams.pending_invitations(CY, team_id, ports)  # a stranger


def test_a_withdrawn_invitation_is_unlisted_and_its_link_answers_that_it_was_withdrawn() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    invited = teams.invite(teams.Invite(ADA, team_id, "cy@example.org"), ports)
    withdraw = teams.RevokeInvitation(ADA, team_id, invited.invitation.id)

    teams.revoke_invitation(withdraw, ports)
    teams.revoke_invitation(withdraw, ports)  # again: nothing changes

    assert teams.pending_invitations(ADA, team_id, ports) == []
    with pytest.raises(InvitationRevoked):
        teams.accept_invitation(teams.AcceptInvitation(CY, token_of(invited)), ports)
    with pytest.raises(InvitationNotFound):
        teams.revoke_invitation(teams.RevokeInvitation(ADA, team_id, "iv" + "0" * 20), ports)
    with pytest.raises(TeamRoleForbids):
        teams.revoke_invitation(teams.RevokeInvitation(BO, team_id, invited.invitation.id), ports)
    fresh = teams.invite(teams.Invite(ADA, team_id, "cy@example.org"), ports)
    assert fresh.url != invited.url  # a withdrawn invitation is not answered again


def test_an_accepted_invitation_cannot_be_withdrawn() -> None:
    ports = ports_with_hosts()
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)
    invited = teams.invite(teams.Invite(ADA, team.id, "bo@example.org"), ports)
    teams.accept_invitation(teams.AcceptInvitation(BO, token_of(invited)), ports)

    with pytest.raises(InvitationUsed):
        teams.revoke_invitation(teams.RevokeInvitation(ADA, team.id, invited.invitation.id), ports)


def test_a_team_is_renamed_and_its_slug_moves_in_the_hosts_registry() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    teams.change_member(teams.ChangeMember(ADA, team_id, "h2", Role.ADMIN), ports)

    with pytest.raises(SlugTaken):
        teams.rename_team(teams.RenameTeam(ADA, team_id, slug="cy"), ports)  # a host's
    renamed = teams.rename_team(teams.RenameTeam(BO, team_id, "Acme Health", "acme-health"), ports)
    named = teams.rename_team(teams.RenameTeam(ADA, team_id, name="Acme Care"), ports)

    assert (renamed.slug, renamed.name) == ("acme-health", "Acme Health")
    assert (named.slug, named.name) == ("acme-health", "Acme Care")
    uow = ports.uow()
    assert uow.teams.by_slug("acme-health") == named
    assert uow.teams.by_slug("acme") is None
    assert slug_available(CY, "acme", ports)
    assert not slug_available(CY, "acme-health", ports)


def test_only_owners_and_admins_rename_a_team() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)

    with pytest.raises(TeamRoleForbids):
        teams.rename_team(teams.RenameTeam(BO, team_id, name="Bo's now"), ports)
    with pytest.raises(TeamNotFound):
        teams.rename_team(teams.RenameTeam(CY, team_id, name="Cy's now"), ports)


def team_of_three(ports: FakePorts) -> str:
    """Ada owns "acme", Bo is a member and Cy an admin."""
    team_id = team_with_bo(ports)
    invited = teams.invite(teams.Invite(ADA, team_id, "cy@example.org", Role.ADMIN), ports)
    teams.accept_invitation(teams.AcceptInvitation(CY, token_of(invited)), ports)
    return team_id


def tell_tasks(ports: FakePorts) -> list[dict[str, object]]:
    return [p for p in ports.tasks.payloads if p.get("action") == "tell_team_admins"]


def run_tell_tasks(ports: FakePorts) -> list[str]:
    return [
        teams.tell_team_admins(teams.TellTeamAdmins(str(p["host_id"]), str(p["incident"])), ports)
        for p in tell_tasks(ports)
    ]


def test_a_member_whose_google_access_ends_is_told_to_the_teams_admins_and_owners_once() -> None:
    ports = ports_with_hosts()
    team_of_three(ports)
    ports.mailer.sent.clear()

    access_revoked("h2", NOW, ports)
    access_revoked("h2", NOW + timedelta(minutes=5), ports)  # the same disconnect, found again
    outcomes = run_tell_tasks(ports) + run_tell_tasks(ports)  # and its task delivered twice

    assert outcomes == ["sent", "already_sent"]
    told = [m for m in ports.mailer.sent if "calendar is no longer connected" in m.subject]
    assert sorted(m.to for m in told) == ["ada@example.com", "cy@example.org"]  # not Bo, a member himself
    assert "H2's calendar is no longer connected to Kaleno." in told[0].text


def test_reconnecting_and_disconnecting_again_tells_them_again_and_a_reconnected_member_is_not_reported() -> None:
    ports = ports_with_hosts()
    team_of_three(ports)
    access_revoked("h2", NOW, ports)
    run_tell_tasks(ports)
    ports.mailer.sent.clear()
    ports.tasks.enqueued.clear()

    later = ports.at(NOW + timedelta(hours=1))
    change_connection("h2", Connection(state=ConnectionState.CONNECTED, since=later.now()), later.uow())
    access_revoked("h2", later.now() + timedelta(minutes=1), later)
    (task,) = tell_tasks(ports)
    change_connection("h2", Connection(state=ConnectionState.CONNECTED, since=later.now()), later.uow())
    assert teams.tell_team_admins(teams.TellTeamAdmins("h2", str(task["incident"])), later) == "not_needed"
    assert ports.mailer.sent == []
    access_revoked("h2", later.now() + timedelta(minutes=2), later)

    assert run_tell_tasks(later)[-1] == "sent"
    assert sorted(m.to for m in ports.mailer.sent) == ["ada@example.com", "cy@example.org"]


def test_a_host_in_no_team_queues_nothing_for_teams() -> None:
    ports = ports_with_hosts()

    access_revoked("h2", NOW, ports)

    assert tell_tasks(ports) == []


def test_the_bound_of_teams_counts_the_teams_a_host_is_in_now_and_a_join_rewrites_their_counter() -> None:
    ports = ports_with_hosts()
    founded = [teams.create_team(teams.CreateTeam(BO, f"bo-team-{n}", "Bo's"), ports) for n in range(MAX_TEAMS)]
    team_id = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports).id
    token = token_of(teams.invite(teams.Invite(ADA, team_id, "bo@example.org"), ports))
    with pytest.raises(TeamLimitReached):
        teams.accept_invitation(teams.AcceptInvitation(BO, token), ports)

    teams.delete_team(teams.DeleteTeam(BO, founded[0].id), ports)  # one fewer: room for one more
    teams.accept_invitation(teams.AcceptInvitation(BO, token), ports)

    assert ports.db.get("team_counts", "h2") == TeamCount(MAX_TEAMS, NOW)
    assert len(teams.teams_of(BO, ports)) == MAX_TEAMS
