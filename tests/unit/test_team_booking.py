"""Booking a round-robin team type against the fakes: the booking goes to a free member in round-robin order,
with that member's own claims (so their own page's booking of that time conflicts), falls to the next member
when one is taken, and answers 409 only when none is left (collective types: tests/unit/test_collective_booking.py)."""

from __future__ import annotations

import pytest

from shared.domain.booking import BookingRequest, Invitee
from shared.domain.errors import EventTypeNotFound, SlotNotOffered, SlotTaken
from shared.services.booking import Book, ByHost, CancelBooking, book, cancel
from tests.unit.builders import span, utc
from tests.unit.test_team_availability import busy, team_ports


def request_at(clock: str, event_type: str = "anyone", host: str = "acme", who: str = "ines") -> BookingRequest:
    invitee = Invitee(name=who.title(), email=f"{who}@example.org", time_zone="UTC")
    return BookingRequest(host=host, event_type=event_type, start=utc(f"2027-03-08T{clock}"), invitee=invitee)


def test_a_round_robin_booking_goes_to_a_free_member_and_falls_to_the_next_when_taken() -> None:
    ports, _ = team_ports()

    first = book(Book(request_at("10:00", who="ines")), ports).booking
    second = book(Book(request_at("10:00", who="jo")), ports).booking
    with pytest.raises(SlotTaken):
        book(Book(request_at("10:00", who="kim")), ports)

    assert {first.host_id, second.host_id} == {"h1", "h2"}
    assert first.event_type_id == second.event_type_id
    assert first.event_type_id.startswith("et")
    assert (first.event_title, first.end - first.start) == ("Anyone", utc("2027-03-08T11:00") - utc("2027-03-08T10:00"))
    with pytest.raises(SlotTaken):  # Ada's own page: her time is held by the team booking
        book(Book(request_at("10:00", "intro", host="ada", who="lee")), ports)


def test_a_busy_member_is_passed_over_and_a_time_nobody_has_is_refused() -> None:
    ports, _ = team_ports()
    busy(ports, "h1", span("2027-03-08T09:00", "2027-03-08T12:00"))
    busy(ports, "h2", span("2027-03-08T11:00", "2027-03-08T12:00"))

    booked = book(Book(request_at("10:00")), ports).booking

    assert booked.host_id == "h2"
    with pytest.raises(SlotTaken):
        book(Book(request_at("11:00", who="jo")), ports)
    with pytest.raises(SlotNotOffered):  # outside everyone's hours
        book(Book(request_at("20:00", who="kim")), ports)


def test_an_unknown_team_type_is_not_found() -> None:
    ports, _ = team_ports()

    with pytest.raises(EventTypeNotFound):
        book(Book(request_at("10:00", "nothing")), ports)


def test_a_retried_team_booking_is_replayed_not_given_to_the_next_member() -> None:
    ports, _ = team_ports()

    first = book(Book(request_at("10:00"), "retry-key-0001"), ports)
    again = book(Book(request_at("10:00"), "retry-key-0001"), ports)

    assert (again.booking.id, again.replayed) == (first.booking.id, True)
    assert book(Book(request_at("10:00", who="jo")), ports).booking.host_id != first.booking.host_id


def test_round_robin_goes_to_the_member_with_fewest_bookings_and_a_cancelled_one_gives_its_count_back() -> None:
    ports, _ = team_ports()

    made = [book(Book(request_at(clock, who=f"p{n}")), ports).booking for n, clock in enumerate(("09:00", "10:00"))]

    assert sorted(booking.host_id for booking in made) == ["h1", "h2"]  # one each, not the first member twice
    assert all(booking.assigned_at == ports.now() for booking in made)
    last = made[-1]
    cancel(CancelBooking(last.id, None, ByHost(last.host_id)), ports)
    # At one each, the next would go to whoever was booked least recently; given back, the cancelled one leads.
    assert book(Book(request_at("13:00", who="p3")), ports).booking.host_id == last.host_id
