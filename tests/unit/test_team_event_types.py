"""Team event types against the fakes: owners and admins add, change and remove them, members only read them;
their members must be in the team with a connected calendar; a member who leaves the team leaves its types;
the ids have the shape the month codec expects; the record stays within its byte budget."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.domain import ids
from shared.domain.errors import EventTypeNotFound, InvalidFields, PageFull, SlugTaken, TeamRoleForbids
from shared.domain.host import ConnectionState, Host
from shared.domain.sizes import stored_size
from shared.domain.team import TEAM_BYTES
from shared.domain.team_event_type import MAX_TEAM_EVENT_TYPES, TeamEventType, TeamEventTypeUpdate
from shared.domain.team_offer import Assignment
from shared.services import teams
from tests.unit.fakes import FakePorts
from tests.unit.test_page_size import largest_event_type
from tests.unit.test_teams_service import ADA, BO, host, ports_with_hosts, team_with_bo


def a_type(members: list[str], assignment: str = "round_robin", **fields: Any) -> TeamEventType:
    body = {"slug": "intro", "title": "Intro", "duration_minutes": 30, **fields}
    return TeamEventType.model_validate({**body, "assignment": assignment, "members": members})


def disconnect(ports: FakePorts, changed: Host) -> None:
    uow = ports.uow()
    with uow:
        uow.hosts.get(changed.id)
        uow.hosts.save(changed)
        uow.commit()


def codes(error: pytest.ExceptionInfo[InvalidFields]) -> list[tuple[str, str]]:
    return [(problem.field, problem.code) for problem in error.value.problems]


def test_an_owner_adds_a_team_event_type_its_members_read_it_and_only_admins_write() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)

    event_type_id = teams.create_team_event_type(
        teams.CreateTeamEventType(ADA, team_id, a_type(["h1", "h2"], "collective")), ports
    )

    assert re.fullmatch(ids.EVENT_TYPE_ID_PATTERN, event_type_id)
    seen = teams.team_event_types(BO, team_id, ports)
    assert list(seen) == [event_type_id]
    assert seen[event_type_id].assignment is Assignment.COLLECTIVE
    assert seen[event_type_id].members == ["h1", "h2"]
    with pytest.raises(TeamRoleForbids):  # bo is a member, not an admin
        teams.create_team_event_type(teams.CreateTeamEventType(BO, team_id, a_type(["h2"], slug="mine")), ports)
    with pytest.raises(TeamRoleForbids):
        teams.delete_team_event_type(teams.DeleteTeamEventType(BO, team_id, event_type_id), ports)
    with pytest.raises(SlugTaken):
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, a_type(["h1"])), ports)


def test_members_of_a_team_type_are_team_members_with_a_connected_calendar() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)

    with pytest.raises(InvalidFields) as stranger:  # cy is not in the team
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, a_type(["h1", "h3"])), ports)
    assert codes(stranger) == [("members", "member-not-in-team")]
    with pytest.raises(InvalidFields) as unknown:  # no such host: told as a stranger, never as "not connected"
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, a_type(["h1", "nobody"])), ports)
    assert codes(unknown) == [("members", "member-not-in-team")]
    disconnect(ports, host("h2", "Bo@Example.org", "bo", ConnectionState.DISCONNECTED))
    with pytest.raises(InvalidFields) as unplugged:
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, a_type(["h1", "h2"])), ports)
    assert codes(unplugged) == [("members", "member-not-connected")]
    with pytest.raises(InvalidFields) as nobody:
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, a_type([])), ports)
    assert codes(nobody) == [("members", "members-required")]


def test_a_team_type_is_one_to_one_in_each_members_own_hours() -> None:
    with pytest.raises(ValueError, match="team-type-no-seats"):
        a_type(["h1"], seats=3)
    with pytest.raises(ValueError, match="team-type-own-hours"):
        a_type(["h1"], schedule_id="sc0123456789")
    with pytest.raises(ValueError, match="members-repeated"):
        a_type(["h1", "h1"])


def test_a_team_type_is_changed_and_removed() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    event_type_id = teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, a_type(["h1"])), ports)

    patch = TeamEventTypeUpdate.model_validate({"duration_minutes": 45, "members": ["h1", "h2"]})
    updated = teams.update_team_event_type(teams.UpdateTeamEventType(ADA, team_id, event_type_id, patch), ports)

    assert (updated.duration_minutes, updated.members) == (45, ["h1", "h2"])
    assert updated.assignment is Assignment.ROUND_ROBIN  # not in the patch: kept
    own_hours = TeamEventTypeUpdate.model_validate({"schedule_id": "sc0123456789"})
    with pytest.raises(InvalidFields) as scheduled:
        teams.update_team_event_type(teams.UpdateTeamEventType(ADA, team_id, event_type_id, own_hours), ports)
    assert codes(scheduled) == [("schedule_id", "team-type-own-hours")]
    teams.delete_team_event_type(teams.DeleteTeamEventType(ADA, team_id, event_type_id), ports)
    assert teams.team_event_types(ADA, team_id, ports) == {}
    with pytest.raises(EventTypeNotFound):
        teams.delete_team_event_type(teams.DeleteTeamEventType(ADA, team_id, event_type_id), ports)


def test_a_member_who_leaves_the_team_leaves_its_event_types() -> None:
    ports = ports_with_hosts()
    team_id = team_with_bo(ports)
    event_type_id = teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, a_type(["h1", "h2"])), ports)

    teams.remove_member(teams.RemoveMember(BO, team_id, "h2"), ports)

    assert teams.team_event_types(ADA, team_id, ports)[event_type_id].members == ["h1"]


def test_a_team_record_that_would_outgrow_its_budget_is_refused_naming_the_largest_field() -> None:
    ports = ports_with_hosts()
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme"), ports)
    collective_of_ada = {"assignment": "collective", "members": ["h1"]}
    largest = [
        TeamEventType.model_validate({**largest_event_type(n).model_dump(), **collective_of_ada})
        for n in range(MAX_TEAM_EVENT_TYPES)
    ]
    added = 0
    while stored_size(largest[0]) * (added + 1) < TEAM_BYTES:  # each fits, until the one that would not
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team.id, largest[added]), ports)
        added += 1
    with pytest.raises(PageFull) as full:
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team.id, largest[added]), ports)

    assert 0 < added < MAX_TEAM_EVENT_TYPES
    assert codes(full) == [("questions", "page-full")]
    stored = ports.uow().teams.get(team.id)
    assert stored is not None
    assert len(stored.event_types) == added
    assert stored_size(stored) <= TEAM_BYTES
