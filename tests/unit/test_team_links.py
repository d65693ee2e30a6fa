"""A team's private event types and their single-use links, against the fakes: a private team type is not
listed and answers as an unknown one without a link of its own; owners and admins hand out links; a link
opens the type's page and slots and makes one booking (as a member's), then answers 410 `link-used`; a
revoked one 410 `link-expired`; another type's or a forged one 404; deleting the type withdraws its links.
An owner exports the team's record; deleting the team takes it and ends its links."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from shared.domain.booking import BookingRequest, Invitee
from shared.domain.errors import EventTypeNotFound, HostNotFound, LinkExpired, LinkUsed, TeamRoleForbids
from shared.domain.links import LinkRequest, LinkState
from shared.domain.team_event_type import TeamEventType
from shared.services import teams
from shared.services.availability import FindFreeSlots, OpenBookingPage, OpenHostPage, Visitor
from shared.services.booking import Book, book
from shared.services.team_availability import listed_team_page, team_booking_page, team_slots
from tests.unit.builders import utc
from tests.unit.fakes import FakePorts
from tests.unit.test_team_availability import ADA, BO, NOW, team_ports

MONDAY = date(2027, 3, 8)


def with_private_type(ports: FakePorts, team_id: str) -> str:
    body = {"slug": "vip", "title": "VIP", "duration_minutes": 60, "assignment": "round_robin"}
    private = TeamEventType.model_validate({**body, "members": ["h1", "h2"], "visibility": "private"})
    return teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, private), ports)


def link_for(ports: FakePorts, team_id: str, event_type_id: str) -> str:
    created = teams.create_team_link(teams.CreateTeamLink(ADA, team_id, event_type_id, LinkRequest()), ports)
    assert created.url.endswith(f"/acme/vip#link={created.token}")  # the team's page, the token in the fragment
    return created.token


def request_with(link: str | None, who: str = "ines", event_type: str = "vip") -> BookingRequest:
    invitee = Invitee(name=who.title(), email=f"{who}@example.org", time_zone="UTC")
    return BookingRequest(host="acme", event_type=event_type, start=utc("2027-03-08T10:00"), invitee=invitee, link=link)


def slots(ports: FakePorts, link: str | None, event_type: str = "vip") -> int:
    asked = FindFreeSlots("acme", event_type, MONDAY, MONDAY, ZoneInfo("UTC"), Visitor(link))
    return len(team_slots(asked, ports).slots)


def test_a_private_team_type_is_hidden_without_a_link_and_booked_once_with_one() -> None:
    ports, team_id = team_ports()
    event_type_id = with_private_type(ports, team_id)
    token = link_for(ports, team_id, event_type_id)

    assert "vip" not in [et.slug for et in listed_team_page(OpenHostPage("acme"), ports).listed().values()]
    with pytest.raises(EventTypeNotFound):
        team_booking_page(OpenBookingPage("acme", "vip"), ports)
    with pytest.raises(EventTypeNotFound):
        slots(ports, None)
    with pytest.raises(EventTypeNotFound):
        book(Book(request_with(None)), ports)
    assert team_booking_page(OpenBookingPage("acme", "vip", Visitor(token)), ports).event_type.slug == "vip"
    assert slots(ports, token) == 8

    booked = book(Book(request_with(token)), ports).booking

    assert booked.host_id in {"h1", "h2"}
    assert booked.event_type_id == event_type_id
    assert booked.link_id == token.split(".")[0]
    with pytest.raises(LinkUsed):
        book(Book(request_with(token, who="jo")), ports)
    with pytest.raises(LinkUsed):
        slots(ports, token)
    (listed,) = teams.team_links(ADA, team_id, event_type_id, ports)
    assert listed.state(NOW) is LinkState.USED


def test_a_revoked_forged_or_other_types_link_opens_nothing_and_only_managers_hand_them_out() -> None:
    ports, team_id = team_ports()
    event_type_id = with_private_type(ports, team_id)
    token = link_for(ports, team_id, event_type_id)
    other_id = next(i for i, et in teams.team_event_types(ADA, team_id, ports).items() if et.slug == "anyone")
    other = teams.create_team_link(teams.CreateTeamLink(ADA, team_id, other_id, LinkRequest()), ports).token

    with pytest.raises(EventTypeNotFound):
        slots(ports, other)  # the link of another type
    with pytest.raises(EventTypeNotFound):
        slots(ports, token[:-4] + "AAAA")  # forged
    assert slots(ports, other, "anyone") == 8  # a public type's link opens it too
    with pytest.raises(TeamRoleForbids):
        teams.create_team_link(teams.CreateTeamLink(BO, team_id, event_type_id, LinkRequest()), ports)

    teams.revoke_team_link(teams.RevokeTeamLink(ADA, team_id, event_type_id, token.split(".")[0]), ports)

    with pytest.raises(LinkExpired):
        book(Book(request_with(token)), ports)
    fresh = link_for(ports, team_id, event_type_id)
    teams.delete_team_event_type(teams.DeleteTeamEventType(ADA, team_id, event_type_id), ports)
    (withdrawn,) = [link for link in ports.uow().links.of_event_type(team_id, event_type_id) if link.id in fresh]
    assert withdrawn.state(NOW) is LinkState.REVOKED


def test_an_owner_exports_the_teams_record_and_deleting_the_team_takes_it_and_ends_its_links() -> None:
    ports, team_id = team_ports()
    event_type_id = with_private_type(ports, team_id)
    token = link_for(ports, team_id, event_type_id)
    teams.invite(teams.Invite(ADA, team_id, "cy@example.org"), ports)

    record = teams.export_team(ADA, team_id, ports)

    assert (record.team.id, sorted(record.team.members)) == (team_id, ["h1", "h2"])
    assert record.names == {"h1": ADA.display_name, "h2": "Bo"}
    assert sorted(et.slug for et in record.team.event_types.values()) == ["anyone", "together", "vip"]
    assert sorted((i.email, i.state) for i in record.invitations) == [
        (BO.email, "accepted"),
        ("cy@example.org", "pending"),
    ]
    assert [link.id for link in record.links] == [token.split(".")[0]]
    with pytest.raises(TeamRoleForbids):
        teams.export_team(BO, team_id, ports)  # a member: their own export holds their teams

    teams.delete_team(teams.DeleteTeam(ADA, team_id), ports)

    assert ports.db.ids("teams") == set()
    assert ports.db.ids("team_invitations") == set()
    (ended,) = ports.uow().links.of_event_type(team_id, event_type_id)
    assert ended.state(NOW) is LinkState.REVOKED
    with pytest.raises(HostNotFound):  # nothing is offered at the team's slug any more
        book(Book(request_with(token)), ports)
