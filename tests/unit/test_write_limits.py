"""Booking writes counted per client and per invitee in fixed windows of numbered places (pure naming and
choice), and the booking service taking them in each write's own commit (against the fakes)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from shared.config import Settings, get_settings
from shared.domain.booking import InviteeUpdate
from shared.domain.errors import WritesLimited
from shared.domain.write_limits import CLIENT, INVITEE, Allowance, WritePlaces, places_of, places_to_take
from shared.services.booking import (
    Book,
    Booked,
    ByInvitee,
    CancelBooking,
    RescheduleBooking,
    Sender,
    book,
    cancel,
    reschedule,
)
from shared.services.privacy import RectifyInvitee, rectify
from shared.services.write_limits import keyed
from tests.unit.fakes import FakePorts
from tests.unit.test_booking_service import NOW, START, a_request, ada, host_cancels

PER_MINUTE = Allowance(writes=3, seconds=60)
WINDOW_START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a whole minute: window index 1_803_902_400 / 60


# --- naming and choosing places (pure) ------------------------------------------------------------------
def test_places_are_named_by_scope_key_window_and_number() -> None:
    places = places_of(CLIENT, "k1", PER_MINUTE, WINDOW_START + timedelta(seconds=59))

    assert places.window == int(WINDOW_START.timestamp()) // 60
    assert places.names() == [f"client:k1:{places.window}:{n}" for n in (1, 2, 3)]
    assert places.expires_at == WINDOW_START + timedelta(minutes=1)


def test_the_next_window_has_places_of_its_own() -> None:
    this = places_of(CLIENT, "k1", PER_MINUTE, WINDOW_START + timedelta(seconds=59))
    following = places_of(CLIENT, "k1", PER_MINUTE, WINDOW_START + timedelta(seconds=60))

    assert following.window == this.window + 1
    assert not set(this.names()) & set(following.names())


def test_a_write_takes_the_first_free_place_of_each_key_and_says_how_many_the_client_made_before() -> None:
    client = WritePlaces(CLIENT, "c", 7, PER_MINUTE)
    invitee = WritePlaces(INVITEE, "i", 7, Allowance(2, 600))

    counted = places_to_take((client, invitee), {client.place(1), client.place(2)}, WINDOW_START)

    assert [place for place, _ in counted.places] == [client.place(3), invitee.place(1)]
    assert counted.client_writes_before == 2


def test_a_full_window_refuses_with_the_seconds_until_it_ends() -> None:
    client = places_of(CLIENT, "c", PER_MINUTE, WINDOW_START + timedelta(seconds=20))

    with pytest.raises(WritesLimited, match="this client") as refused:
        places_to_take((client,), set(client.names()), WINDOW_START + timedelta(seconds=20))

    assert refused.value.retry_after_seconds == 40


def test_keys_are_keyed_hashes_that_name_no_address() -> None:
    first, again = keyed("k", CLIENT, "203.0.113.7"), keyed("k", CLIENT, "203.0.113.7")
    other_key = keyed("x", CLIENT, "203.0.113.7")

    assert first == again != other_key
    assert "203" not in first
    assert keyed("k", INVITEE, "203.0.113.7") != first  # scopes never share a name


# --- the booking service -----------------------------------------------------------------------------------
CLIENT_ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def allowances() -> None:
    """Three booking writes a minute per client, six in ten minutes per invitee (the settings the use cases
    read; tests/conftest.py puts the environment back)."""
    allow(per_invitee=(6, 600))


def allow(per_invitee: tuple[int, int]) -> None:
    kinds = {
        **Settings.model_fields["client_limits"].default,
        "booking-writes": (PER_MINUTE.writes, PER_MINUTE.seconds),
    }
    os.environ["KALENO_CLIENT_LIMITS_ENABLED"] = "true"
    os.environ["KALENO_CLIENT_LIMITS"] = json.dumps(kinds)
    os.environ["KALENO_INVITEE_WRITE_LIMIT"] = json.dumps(per_invitee)
    get_settings.cache_clear()


def book_as(ports: FakePorts, hour: int, email: str, client: str = CLIENT_ADDRESS, now: datetime = NOW) -> Booked:
    ports.time = now
    return book(Book(a_request(START + timedelta(hours=hour), email=email), None, Sender(client)), ports)


def test_a_client_books_its_allowance_and_then_is_refused_until_the_window_ends() -> None:
    ports = ada()
    for hour in range(3):
        book_as(ports, hour, email=f"p{hour}@example.org")

    with pytest.raises(WritesLimited) as refused:
        book_as(ports, 4, email="p4@example.org")
    book_as(ports, 5, email="p5@example.org", client="198.51.100.23")  # another client books as usual
    book_as(ports, 6, email="p6@example.org", now=NOW + timedelta(minutes=1))  # the next window

    assert refused.value.retry_after_seconds == 60
    assert len(ports.db.ids("bookings")) == 5
    assert len(ports.db.ids("write_places")) == 2 * 5  # a client place and an invitee place per booking
    assert all(CLIENT_ADDRESS not in place and "example.org" not in place for place in ports.db.ids("write_places"))


def test_tagged_variants_of_one_address_share_the_invitees_allowance() -> None:
    ports = ada()
    allow(per_invitee=(2, 600))
    book_as(ports, 0, email="ines+a@example.org", client="10.0.0.1")
    book_as(ports, 1, email="Ines+b@Example.org", client="10.0.0.2")

    with pytest.raises(WritesLimited, match="this invitee"):
        book_as(ports, 2, email="ines+c@example.org", client="10.0.0.3")


def test_a_refused_write_stores_nothing() -> None:
    ports = ada()
    for hour in range(3):
        book_as(ports, hour, email=f"p{hour}@example.org")
    before = dict(ports.db.records)

    with pytest.raises(WritesLimited):
        book_as(ports, 4, email="ines@example.org")

    assert ports.db.records == before


def test_an_invitees_cancel_reschedule_and_correction_count_as_writes_of_their_client() -> None:
    ports = ada()
    booked = book_as(ports, 0, email="ines@example.org")
    by_invitee = ByInvitee(booked.manage_token, Sender(CLIENT_ADDRESS))
    booking_id = booked.booking.id

    moved = reschedule(RescheduleBooking(booking_id, START + timedelta(hours=2), by_invitee), ports)
    rectified = rectify(
        RectifyInvitee(moved.id, booked.manage_token, InviteeUpdate(name="Inès"), CLIENT_ADDRESS), ports
    )
    with pytest.raises(WritesLimited):
        cancel(CancelBooking(rectified.id, None, by_invitee), ports)

    assert len(ports.db.ids("write_places")) == 2 * 3
    assert ports.uow().bookings.get(booking_id).start == START + timedelta(hours=2)  # type: ignore[union-attr]


def test_a_host_cancelling_is_not_counted() -> None:
    ports = ada()
    booked = book_as(ports, 0, email="ines@example.org")

    host_cancels(ports, booked.booking)

    assert len(ports.db.ids("write_places")) == 2
