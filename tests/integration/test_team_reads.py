"""A team's slots read on the official emulator: every member's page and months come in ONE batch get (the
snapshot read a host's slots make, for N hosts), the members' slugs are learnt once per instance, and the
answer is each member's own time combined by the type's assignment."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.adapters.google_clients import tasks_client
from shared.config import get_settings
from shared.domain.booking import BookingRequest, Invitee
from shared.domain.errors import PageFull, WritesLimited
from shared.domain.event_type import EventType
from shared.domain.team import MAX_MEMBERS, Role, Team
from shared.domain.team_event_type import MAX_TEAM_EVENT_TYPES, TeamEventType
from shared.services.availability import FindFreeSlots, free_slots
from shared.services.booking import Book, Sender, book
from shared.services.team_availability import host_or_team_slots
from tests.integration.test_schedule_reads import CountingPorts, CountingUnitOfWork
from tests.unit.builders import span
from tests.unit.fakes import a_host, a_page
from tests.unit.test_page_size import largest_event_type
from tests.unit.test_write_limits import allow

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
MONDAY = date(2027, 3, 8)


def a_type(slug: str, assignment: str, members: list[str]) -> TeamEventType:
    body = {"slug": slug, "title": slug, "duration_minutes": 30, "assignment": assignment, "members": members}
    return TeamEventType.model_validate(body)


@dataclass(frozen=True)
class StoredTeam:
    run: str  # this test's unique stem: team ids, slugs and hosts carry it
    team: Team
    members: list[str]
    uow: CountingUnitOfWork


def stored_team(db: Any, size: int, types: Callable[[list[str]], dict[str, TeamEventType]]) -> StoredTeam:
    """A team of `size` connected members (the first its owner) with the event types `types(members)` gives by
    id, each member with a page of their own, stored through a unit of work that counts its reads."""
    run = uuid.uuid4().hex[:8]
    members = [f"h{run}{number:02d}" for number in range(size)]
    uow = CountingUnitOfWork(db)
    team = Team.founded(f"tm{run}", f"team-{run}", "Team", members[0], NOW)
    for member in members[1:]:
        team = team.joined(member, Role.MEMBER, NOW)
    for event_type_id, event_type in types(members).items():
        team = team.with_event_type(members[0], event_type_id, event_type)
    with uow:
        for member in members:
            uow.hosts.add(a_host(member, f"p-{member}"))
            uow.pages.add(f"p-{member}", a_page(member, synced_at=NOW))
        uow.teams.add(team)
        uow.commit()
    return StoredTeam(run, team, members, uow)


def round_robin_of_three(db: Any) -> tuple[str, Team, list[str], CountingPorts]:
    """A team of three with a round-robin type "anyone", and ports counting their reads. The sync queue is
    paused: calendar sync is another function (and no member has a Google calendar here)."""
    stored = stored_team(db, 3, lambda members: {"et0000000001": a_type("anyone", "round_robin", members)})
    settings = get_settings()
    tasks = tasks_client(settings)
    tasks.pause_queue(name=tasks.queue_path(settings.project, settings.region, settings.tasks_queue))
    return stored.run, stored.team, stored.members, CountingPorts(stored.uow)


def test_a_ten_member_team_slots_read_is_one_batch_get_of_every_members_time(db: Any) -> None:
    stored = stored_team(
        db,
        10,
        lambda members: {
            "et0000000001": a_type("anyone", "round_robin", members),
            "et0000000002": a_type("together", "collective", members[::8]),
        },
    )
    team, members, uow = stored.team, stored.members, stored.uow
    with uow:  # member n is free only 09:00-10:00 + n % 8 hours (Mondays 09:00-17:00 UTC otherwise busy)
        for number, member in enumerate(members):
            free = 9 + number % 8
            busy = [
                span("2027-03-08T00:00", f"2027-03-08T{free:02d}:00"),
                span(f"2027-03-08T{free + 1:02d}:00", "2027-03-09T00:00"),
            ]
            uow.months.replace_busy(member, span("2027-03-01T00:00", "2027-04-01T00:00"), busy, synced_at=NOW)
        uow.commit()
    ports = CountingPorts(uow)

    def read(event_type: str) -> tuple[list[str], int, int]:
        CountingUnitOfWork.batch_gets = CountingUnitOfWork.gets = 0
        found = host_or_team_slots(FindFreeSlots(team.slug, event_type, MONDAY, MONDAY, ZoneInfo("UTC")), ports)
        return [f"{slot.start:%H:%M}" for slot in found.slots], CountingUnitOfWork.batch_gets, CountingUnitOfWork.gets

    # An instance's first read looks for a host's page at the slug (finding the team's claim; a slots read
    # holds no unit open, so the team's look-up reads it again), gets the team, learns the members' slugs
    # (one more batch get) and reads their time. A type's first read on an instance that knows the team gets
    # the team by its id. Later ones read the claim, the team and every member's time in ONE batch get (the
    # hints checked against it), as a host's slots read its page and months.
    first, first_together = read("anyone"), read("together")
    anyone, together = read("anyone"), read("together")

    every_half_hour = [f"{hour:02d}:{minute:02d}" for hour in range(9, 17) for minute in (0, 30)]
    assert first == (every_half_hour, 2, 3)
    assert first_together == (["09:00", "09:30"], 1, 1)
    assert anyone == (every_half_hour, 1, 0)  # someone is free in each hour
    assert together == (["09:00", "09:30"], 1, 0)  # members 0 and 8 are both free only 09:00-10:00


def test_what_an_instance_remembers_of_a_team_is_checked_against_the_read_it_rides_in(db: Any) -> None:
    """A type's members changed since an instance remembered them: the answer is the new members' (one more
    batch get). The team moved to another slug and a host took the old one: the old slug answers the host's
    slots, the new one the team's."""
    three = stored_team(
        db,
        3,
        lambda members: {
            "et0000000001": a_type("anyone", "round_robin", members[:2]),
            "et0000000002": a_type("all", "round_robin", members),
        },
    )
    run, team, members, uow = three.run, three.team, three.members, three.uow
    with uow:  # member n is free only 09:00-10:00 + n hours on Monday
        for number, member in enumerate(members):
            busy = [
                span("2027-03-08T00:00", f"2027-03-08T{9 + number:02d}:00"),
                span(f"2027-03-08T{10 + number:02d}:00", "2027-03-09T00:00"),
            ]
            uow.months.replace_busy(member, span("2027-03-01T00:00", "2027-04-01T00:00"), busy, synced_at=NOW)
        uow.commit()
    ports = CountingPorts(uow)

    def read(slug: str, event_type: str) -> tuple[list[str], int, int]:
        CountingUnitOfWork.batch_gets = CountingUnitOfWork.gets = 0
        found = host_or_team_slots(FindFreeSlots(slug, event_type, MONDAY, MONDAY, ZoneInfo("UTC")), ports)
        return [f"{slot.start:%H:%M}" for slot in found.slots], CountingUnitOfWork.batch_gets, CountingUnitOfWork.gets

    for _ in range(2):  # the instance learns the team, both types and every member's slug
        read(team.slug, "all")
        read(team.slug, "anyone")
    with uow:
        stored = uow.teams.get(team.id)
        assert stored is not None
        changed = stored.with_event_type(members[0], "et0000000001", a_type("anyone", "round_robin", members[2:]))
        uow.teams.save(changed)
        uow.commit()
    moved_members, again = read(team.slug, "anyone"), read(team.slug, "anyone")

    with uow:
        stored = uow.teams.get(team.id)
        assert stored is not None
        uow.teams.save(stored.renamed(members[0], None, f"moved-{run}"), before=stored)
        uow.commit()
    host_id = f"h{run}x"
    with uow:
        uow.hosts.add(a_host(host_id, team.slug))
        anyone = EventType(slug="anyone", title="Anyone", duration_minutes=30)
        uow.pages.add(team.slug, a_page(host_id, event_types={"et1": anyone}, synced_at=NOW))
        uow.commit()
    hosts_now, _, _ = read(team.slug, "anyone")
    teams_now, _, _ = read(f"moved-{run}", "anyone")

    assert moved_members == (["11:00", "11:30"], 2, 0)  # the team's read, then the new members' time
    assert again == (["11:00", "11:30"], 1, 0)
    hosts_own = free_slots(FindFreeSlots(team.slug, "anyone", MONDAY, MONDAY, ZoneInfo("UTC")), ports).slots
    assert hosts_now == [f"{slot.start:%H:%M}" for slot in hosts_own]
    assert len(hosts_now) == 16  # the host's whole day, 09:00-17:00 (no busy times)
    assert teams_now == ["11:00", "11:30"]


def test_a_round_robin_booking_reads_its_members_and_their_tallies_in_one_batch_get(db: Any) -> None:
    """After an instance's first: ONE batch get of the team's claim, the team and every member's page, months,
    tally, bot-gate counters and the write places, then the commit, as a host's booking (the chosen member's
    offer is not read again). The tally costs no read of its own, and each booking goes to the member with
    the fewest."""
    _, team, members, ports = round_robin_of_three(db)

    def booked(clock: str) -> tuple[str, int, int]:
        CountingUnitOfWork.batch_gets = CountingUnitOfWork.gets = 0
        invitee = Invitee(name="Ines", email=f"ines-{clock[:2]}@example.org", time_zone="UTC")
        start = datetime.fromisoformat(f"2027-03-08T{clock}+00:00")
        request = BookingRequest(host=team.slug, event_type="anyone", start=start, invitee=invitee)
        made = book(Book(request), ports).booking
        return made.host_id, CountingUnitOfWork.gets, CountingUnitOfWork.batch_gets

    # An instance's first bookings learn the members' slugs, and each chosen member's page by its slug.
    first = [booked(clock) for clock in ("09:00", "10:00", "11:00")]
    later = [booked(clock) for clock in ("12:00", "13:00", "14:00")]

    assert [host_id for host_id, _, _ in first + later] == members + members
    assert [(gets, batch_gets) for _, gets, batch_gets in later] == [(0, 1)] * 3


def test_a_round_robin_booking_counts_its_clients_writes_from_the_members_read(db: Any) -> None:
    """The write places ride in the members' batch get and the chosen member's booking commits on that read:
    a client's round-robin bookings still count against its allowance, and the one past it is refused."""
    allow(per_invitee=(6, 600))
    run, team, members, ports = round_robin_of_three(db)
    client = f"198.51.100.{uuid.uuid4().int % 250 + 1}"

    def booked(clock: str) -> str:
        invitee = Invitee(name="Ines", email=f"ines-{run}-{clock[:2]}@example.org", time_zone="UTC")
        start = datetime.fromisoformat(f"2027-03-09T{clock}+00:00")
        request = BookingRequest(host=team.slug, event_type="anyone", start=start, invitee=invitee)
        return book(Book(request, None, Sender(client)), ports).booking.host_id

    hosts = [booked(clock) for clock in ("09:00", "10:00", "11:00")]
    with pytest.raises(WritesLimited):
        booked("12:00")

    assert sorted(hosts) == members  # one each: the fewest first


def test_the_largest_team_record_the_rules_allow_is_stored_and_read_back(db: Any) -> None:
    run = uuid.uuid4().hex[:8]
    members = [f"h{run}{number:03d}" for number in range(MAX_MEMBERS)]
    team = Team.founded(f"tm{run}", f"team-{run}", "x" * 100, members[0], NOW)
    for member in members[1:]:
        team = team.joined(member, Role.ADMIN, NOW)
    for number in range(MAX_TEAM_EVENT_TYPES):
        body = {**largest_event_type(number).model_dump(), "assignment": "collective", "members": members[:25]}
        try:
            team = team.with_event_type(members[0], f"et{number:010x}", TeamEventType.model_validate(body))
        except PageFull:
            break
    uow = CountingUnitOfWork(db)

    with uow:
        uow.teams.add(team)
        uow.commit()

    assert len(team.event_types) >= 3
    assert uow.teams.get(team.id) == team
