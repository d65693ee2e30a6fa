"""A team's public page and slots against the fakes: each member's own offer (their hours, busy mirror and
bookings) for the team type, combined by its assignment: round-robin offers a time one member is free,
collective only a time every member is. Google is never asked; a stale member is refreshed soon."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.booking import BookingRequest, Invitee
from shared.domain.errors import EventTypeNotFound, HostNotFound
from shared.domain.intervals import Interval
from shared.domain.team_event_type import TeamEventType
from shared.services import teams
from shared.services.availability import FindFreeSlots, OpenBookingPage, OpenHostPage
from shared.services.booking import Book, book
from shared.services.connection import access_revoked
from shared.services.team_availability import listed_team_page, team_booking_page, team_slots
from tests.unit.builders import span, utc
from tests.unit.fakes import FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)  # a Monday
MONDAY = date(2027, 3, 8)
ADA, BO = a_host("h1", "ada"), a_host("h2", "bo").model_copy(update={"display_name": "Bo"})


def team_ports(**page_changes: object) -> tuple[FakePorts, str]:
    """Ada (owner) and Bo in team "acme", both connected, weekdays 09:00-17:00 UTC, mirrors synced now."""
    ports = FakePorts(time=NOW)
    pages = {"ada": a_page("h1", synced_at=NOW), "bo": a_page("h2", synced_at=NOW).model_copy(update=page_changes)}
    given(ports.db, hosts=[ADA, BO], pages=pages)
    team = teams.create_team(teams.CreateTeam(ADA, "acme", "Acme Clinic"), ports)
    invited = teams.invite(teams.Invite(ADA, team.id, BO.email), ports)
    teams.accept_invitation(teams.AcceptInvitation(BO, invited.url.rsplit("/", 1)[1]), ports)
    for slug, assignment in (("anyone", "round_robin"), ("together", "collective")):
        body = {"slug": slug, "title": slug.title(), "duration_minutes": 60, "assignment": assignment}
        event_type = TeamEventType.model_validate({**body, "members": ["h1", "h2"]})
        teams.create_team_event_type(teams.CreateTeamEventType(ADA, team.id, event_type), ports)
    return ports, team.id


def busy(ports: FakePorts, host_id: str, *spans: Interval) -> None:
    with ports.uow() as uow:
        uow.months.replace_busy(host_id, span("2027-03-01T00:00", "2027-04-01T00:00"), list(spans), synced_at=NOW)
        uow.commit()


def clocks(ports: FakePorts, event_type: str) -> list[str]:
    asked = FindFreeSlots("acme", event_type, MONDAY, MONDAY, ZoneInfo("UTC"))
    return [f"{slot.start:%H:%M}" for slot in team_slots(asked, ports).slots]


def test_round_robin_offers_a_time_one_member_is_free_collective_only_one_all_are() -> None:
    ports, _ = team_ports()
    busy(ports, "h1", span("2027-03-08T10:00", "2027-03-08T12:00"))
    busy(ports, "h2", span("2027-03-08T11:00", "2027-03-08T13:00"))

    anyone, together = clocks(ports, "anyone"), clocks(ports, "together")

    assert anyone == ["09:00", "10:00", "12:00", "13:00", "14:00", "15:00", "16:00"]  # 11:00: both busy
    assert together == ["09:00", "13:00", "14:00", "15:00", "16:00"]
    assert ports.calendar.calls == []
    assert ports.tasks.enqueued == []  # fresh mirrors need no refresh


def test_a_members_own_booking_takes_the_collective_time_but_not_the_round_robin_one() -> None:
    ports, _ = team_ports()
    invitee = Invitee(name="Ines", email="ines@example.org", time_zone="UTC")
    request = BookingRequest(host="bo", event_type="intro", start=utc("2027-03-08T14:00"), invitee=invitee)
    book(Book(request, None), ports)  # on Bo's own page

    assert "14:00" in clocks(ports, "anyone")
    assert "14:00" not in clocks(ports, "together")


def test_a_member_without_a_connected_calendar_drops_out_of_every_pool() -> None:
    ports, _ = team_ports(calendar=a_page("h2").calendar.model_copy(update={"connected": False}))

    assert len(clocks(ports, "anyone")) == 8  # Ada's hours alone
    assert len(clocks(ports, "together")) == 8  # collective too: Bo is left out, not waited for


def test_a_collective_page_names_only_the_members_whose_calendar_is_connected() -> None:
    ports, _ = team_ports()
    access_revoked("h2", NOW, ports)

    assert team_booking_page(OpenBookingPage("acme", "together"), ports).attendees == ["Ada"]


def test_a_stale_member_still_answers_and_is_refreshed_soon() -> None:
    ports, _ = team_ports(calendar=a_page("h2", synced_at=NOW - timedelta(hours=2)).calendar)

    assert len(clocks(ports, "together")) == 8

    assert ports.tasks.payloads == [{"action": "refresh_busy", "host_id": "h2"}]


def test_the_team_page_shows_its_name_its_public_types_and_who_attends_a_collective_one() -> None:
    ports, team_id = team_ports()
    private = TeamEventType.model_validate(
        {"slug": "hidden", "title": "H", "duration_minutes": 30, "assignment": "round_robin", "members": ["h1"]}
        | {"visibility": "private"}
    )
    teams.create_team_event_type(teams.CreateTeamEventType(ADA, team_id, private), ports)

    page = listed_team_page(OpenHostPage("acme"), ports)
    together = team_booking_page(OpenBookingPage("acme", "together"), ports)
    anyone = team_booking_page(OpenBookingPage("acme", "anyone"), ports)

    assert page.team.name == "Acme Clinic"
    assert sorted(et.slug for et in page.listed().values()) == ["anyone", "together"]
    assert page.time_zone == "UTC"
    assert together.attendees == ["Ada", "Bo"]
    assert anyone.attendees == []
    with pytest.raises(EventTypeNotFound):
        team_booking_page(OpenBookingPage("acme", "hidden"), ports)
    with pytest.raises(HostNotFound):
        listed_team_page(OpenHostPage("nobody"), ports)
