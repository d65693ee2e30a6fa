"""Free slots from the busy mirror, against dict-backed fakes: Google is never asked on a read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.booking import BookingRequest, Invitee
from shared.domain.booking_page import BookingPage
from shared.domain.errors import EventTypeNotFound, HostNotConnected, HostNotFound, InvalidRange
from shared.domain.intervals import Interval
from shared.services.availability import FindFreeSlots, free_slots
from shared.services.booking import Book, book
from tests.unit.builders import span, starts, utc
from tests.unit.fakes import FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)  # a Monday
MONDAY = date(2027, 3, 8)
IN_UTC = ZoneInfo("UTC")


def ports_with(page: BookingPage) -> FakePorts:
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": page})
    return ports


def slots_on(
    ports: FakePorts, first_day: date = MONDAY, last_day: date = MONDAY, host: str = "ada", event_type: str = "intro"
) -> list[Interval]:
    return free_slots(FindFreeSlots(host, event_type, first_day, last_day, IN_UTC), ports).slots


def test_free_slots_are_served_from_the_mirror_without_calling_google() -> None:
    ports = ports_with(a_page(synced_at=NOW))

    slots = slots_on(ports)

    assert len(slots) == 16  # 09:00-17:00 in 30-minute meetings
    assert slots[0] == span("2027-03-08T09:00", "2027-03-08T09:30")
    assert ports.calendar.calls == []
    assert ports.tasks.enqueued == []  # a fresh mirror needs no refresh


def test_busy_times_and_bookings_remove_their_slots() -> None:
    ports = ports_with(a_page(synced_at=NOW))
    with ports.uow() as uow:
        busy = [span("2027-03-08T10:00", "2027-03-08T11:00")]
        uow.months.replace_busy("h1", span("2027-03-01T00:00", "2027-04-01T00:00"), busy, synced_at=NOW)
        uow.commit()
    invitee = Invitee(name="Ines", email="ines@example.org", time_zone="UTC")
    request = BookingRequest(host="ada", event_type="intro", start=utc("2027-03-08T13:00"), invitee=invitee)
    book(Book(request, None), ports)

    slots = slots_on(ports)

    free = "09:00 09:30 11:00 11:30 12:00 12:30 13:30 14:00 14:30 15:00 15:30 16:00 16:30"  # not 10:00-11:00, 13:00
    assert starts(slots) == [utc(f"2027-03-08T{clock}") for clock in free.split()]


def test_a_stale_mirror_still_answers_and_asks_for_one_refresh() -> None:
    ports = ports_with(a_page(synced_at=NOW - timedelta(hours=2)))

    first, second = slots_on(ports), slots_on(ports)

    assert first == second
    assert len(first) == 16
    assert ports.tasks.payloads == [{"action": "refresh_busy", "host_id": "h1"}]
    assert ports.calendar.calls == []


def test_a_range_of_62_days_is_answered() -> None:
    ports = ports_with(a_page(synced_at=NOW, horizon_days=90))

    slots = slots_on(ports, MONDAY, MONDAY + timedelta(days=61))

    assert slots[-1].start.date() == MONDAY + timedelta(days=53)  # the 60-day booking window ends first


def test_a_range_over_62_days_is_refused() -> None:
    ports = ports_with(a_page(synced_at=NOW))

    with pytest.raises(InvalidRange, match="at most 62 days"):
        slots_on(ports, MONDAY, MONDAY + timedelta(days=62))


def test_an_unknown_host_is_not_found() -> None:
    ports = ports_with(a_page(synced_at=NOW))

    with pytest.raises(HostNotFound, match="no host 'nobody'"):
        slots_on(ports, host="nobody")


def test_an_unknown_event_type_is_not_found() -> None:
    ports = ports_with(a_page(synced_at=NOW))

    with pytest.raises(EventTypeNotFound, match="no event type 'lunch'"):
        slots_on(ports, event_type="lunch")


def test_a_host_whose_calendar_is_not_connected_offers_no_times() -> None:
    ports = ports_with(a_page(connected=False, synced_at=None))

    with pytest.raises(HostNotConnected, match="calendar is not connected"):
        slots_on(ports)

    assert ports.tasks.enqueued == []


def test_a_range_beyond_the_mirror_is_answered_but_marked_incomplete() -> None:
    ports = ports_with(a_page(synced_at=NOW, horizon_days=10))  # covered until 2027-03-11
    asked = MONDAY + timedelta(days=10)

    covered = free_slots(FindFreeSlots("ada", "intro", MONDAY, MONDAY, IN_UTC), ports)
    beyond = free_slots(FindFreeSlots("ada", "intro", MONDAY, asked, IN_UTC), ports)

    assert covered.complete is True
    assert beyond.complete is False
    assert covered.slots
