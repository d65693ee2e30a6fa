"""Group sessions (seats > 1): the domain pieces, and booking, cancelling and syncing them against fakes."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from shared.domain.booking import BookingStatus
from shared.domain.claims import seat_claim, session_id
from shared.domain.errors import DailyLimitReached, InvalidFields, SeatsFull, SlotTaken
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.intervals import Interval
from shared.domain.offsets import epoch_seconds
from shared.domain.seats import Session, free_seat, session_event_id
from shared.services.availability import FindFreeSlots, free_slots
from shared.services.booking import Book, Booked, book
from shared.services.booking_sync import ReconcileBooking, reconcile_booking
from shared.web.views import SlotList
from tests.unit.fakes import FakePorts, a_booking, a_host, a_page, given
from tests.unit.test_booking_service import NOW, START, a_request, host_cancels, host_moves

GROUP = EventType(slug="intro", title="Workshop", duration_minutes=60, buffer_after_minutes=10, seats=3)
PLAIN = EventType(slug="chat", title="Chat", duration_minutes=30)
SESSION = session_id("h1", "et1", START)


@pytest.fixture
def ports() -> FakePorts:
    ports = FakePorts(time=NOW)
    page = a_page(event_types={"et1": GROUP, "et2": PLAIN}, synced_at=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": page})
    return ports


def book_seat(ports: FakePorts, n: int, start: datetime = START, event_type: str = "intro") -> Booked:
    request = a_request(start, email=f"guest{n}@example.org").model_copy(update={"event_type": event_type})
    return book(Book(request, None), ports)


def seats_left(ports: FakePorts, start: datetime = START) -> int | None:
    day = start.date()
    found = free_slots(FindFreeSlots("ada", "intro", day, day, ZoneInfo("UTC")), ports)
    if found.seats_left is None:
        return None
    return found.seats_left.get(epoch_seconds(start), 0)  # not offered: no seat left


def session(ports: FakePorts) -> Session | None:
    return ports.uow().sessions.session(SESSION)


def sync(ports: FakePorts, booked: Booked) -> None:
    latest = ports.uow().bookings.get(booked.booking.id)
    assert latest is not None
    reconcile_booking(ReconcileBooking(latest.id, latest.version), ports.at(NOW))


# --- domain ----------------------------------------------------------------------------------------------
def test_a_session_is_named_by_host_event_type_and_start_and_its_seats_by_number() -> None:
    assert SESSION == "h1:et1:s20270308T100000Z"
    assert seat_claim(SESSION, 3) == "h1:et1:s20270308T100000Z:seat3"


def test_a_sessions_event_id_is_deterministic_base32hex_and_never_a_bookings() -> None:
    event_id = session_event_id(SESSION)

    assert event_id == session_event_id(session_id("h1", "et1", START.astimezone(ZoneInfo("Asia/Tokyo"))))
    assert re.fullmatch(r"[a-v0-9]{5,1024}", event_id)
    assert event_id.startswith("kals")  # a booking's is "kal" + a uuid in hex, which never starts with "s"
    assert event_id != session_event_id(session_id("h1", "et1", START + timedelta(minutes=5)))


def test_the_last_booking_leaving_closes_the_session() -> None:
    opened = Session.opened(SESSION, "h1", Interval(START, START + timedelta(hours=1)), 1, "b1")
    two = opened.model_copy(update={"seats": {1: "b1", 2: "b2"}})

    assert two.without("b1") == opened.model_copy(update={"seats": {2: "b2"}})
    assert opened.without("b1") is None
    assert opened.granule_claims()[0] == "h1:20270308T1000Z"
    assert len(opened.granule_claims()) == 12


def test_a_free_seat_is_one_nobody_holds_and_none_when_all_are_held() -> None:
    choose = random.Random(7)  # noqa: S311  # a seeded test, not a secret

    picks = {free_seat({1, 3}, 5, choose) for _ in range(50)}

    assert picks == {2, 4, 5}  # spread over every free seat, never a held one
    assert free_seat({1, 2, 3}, 3) is None


def test_a_seat_booking_claims_its_seat_and_places_but_not_the_sessions_time() -> None:
    booking = a_booking(session_id=SESSION, seat=2, invitee_claim="h1:invabc:1")

    assert booking.claims() == [seat_claim(SESSION, 2), "h1:invabc:1"]
    assert booking.held_seat == (SESSION, 2)
    assert booking.google_event_id == session_event_id(SESSION)
    assert booking.cancelled(None).claims() == []
    assert booking.cancelled(None).held_seat is None


def test_moving_a_seat_to_another_session_remembers_the_one_it_left() -> None:
    booking = a_booking(session_id=SESSION, seat=2)
    later = Interval(START + timedelta(hours=2), START + timedelta(hours=3))
    other = session_id("h1", "et1", later.start)

    moved = booking.moved(later, later, None, seat=(other, 1))

    assert (moved.session_id, moved.seat, moved.left_session) == (other, 1, SESSION)


@pytest.mark.parametrize("seats", [0, 201, -1, "3", 2.0, True, None])
def test_seats_are_a_strict_integer_from_1_to_200(seats: object) -> None:
    with pytest.raises(ValidationError, match="seats"):
        EventType.model_validate({"slug": "g", "title": "G", "duration_minutes": 30, "seats": seats})


def test_seats_default_to_one_and_attendees_stay_hidden_from_each_other() -> None:
    plain = EventType(slug="g", title="G", duration_minutes=30)

    assert (plain.seats, plain.seats_show_attendees, plain.group) == (1, False, False)
    with pytest.raises(ValidationError, match="seats_show_attendees"):
        EventTypeUpdate.model_validate({"seats_show_attendees": "yes"})


def test_a_type_keeps_its_kind_one_to_one_or_group_but_a_group_may_change_its_seats() -> None:
    """Its bookings were made as their own events or as seats of shared ones: switching kinds would count
    them wrongly (a phantom session on a one-to-one booking's time) and leave their events behind."""
    plain = EventType(slug="g", title="G", duration_minutes=30)
    group = EventType(slug="g", title="G", duration_minutes=30, seats=5)

    with pytest.raises(InvalidFields) as to_group:
        plain.updated(EventTypeUpdate(seats=200))
    with pytest.raises(InvalidFields) as to_plain:
        group.updated(EventTypeUpdate(seats=1))
    resized = group.updated(EventTypeUpdate(seats=20, seats_show_attendees=True))

    assert [problem.field for problem in to_group.value.problems] == ["seats"]
    assert [problem.field for problem in to_plain.value.problems] == ["seats"]
    assert (resized.seats, resized.seats_show_attendees) == (20, True)


# --- booking and cancelling ------------------------------------------------------------------------------
def test_invitees_share_a_start_until_its_seats_are_taken(ports: FakePorts) -> None:
    booked = [book_seat(ports, n) for n in range(3)]

    with pytest.raises(SeatsFull, match="every seat"):
        book_seat(ports, 3)
    live = session(ports)
    assert live is not None
    assert sorted(live.seats) == [1, 2, 3]
    assert set(live.seats.values()) == {b.booking.id for b in booked}
    assert {b.booking.session_id for b in booked} == {SESSION}
    assert set(live.granule_claims()) <= ports.db.ids("claims")  # created once, by the opener
    assert seats_left(ports) == 0


def test_a_live_session_takes_the_time_from_every_other_event_type(ports: FakePorts) -> None:
    book_seat(ports, 0)

    with pytest.raises(SlotTaken):
        book_seat(ports, 1, START + timedelta(minutes=30), event_type="chat")
    with pytest.raises(SlotTaken):
        book_seat(ports, 1, START + timedelta(minutes=60), event_type="chat")  # the session's buffer
    assert seats_left(ports) == 2


def test_a_cancelled_seat_is_free_again_and_the_last_one_releases_the_time(ports: FakePorts) -> None:
    first, second = book_seat(ports, 0), book_seat(ports, 1)

    host_cancels(ports, first.booking, None)
    after_one = session(ports)
    host_cancels(ports, second.booking, None)

    assert after_one is not None
    assert list(after_one.seats.values()) == [second.booking.id]
    assert session(ports) is None
    assert ports.db.ids("claims") == set()  # seats, time and invitee places all released
    assert book_seat(ports, 2, START + timedelta(minutes=30), event_type="chat").booking.status is (
        BookingStatus.CONFIRMED
    )


def test_a_seat_moves_from_one_session_to_another_in_one_commit(ports: FakePorts) -> None:
    staying, moving = book_seat(ports, 0), book_seat(ports, 1)
    later = START + timedelta(hours=3)

    moved = host_moves(ports, moving.booking, later)

    old, new = session(ports), ports.uow().sessions.session(session_id("h1", "et1", later))
    assert old is not None
    assert new is not None
    assert list(old.seats.values()) == [staying.booking.id]
    assert list(new.seats.values()) == [moved.id]
    assert moved.left_session == SESSION


def test_a_daily_limit_counts_each_seat() -> None:
    ports = FakePorts(time=NOW)
    limited = GROUP.model_copy(update={"daily_limit": 2})
    given(ports.db, hosts=[a_host()], pages={"ada": a_page(event_types={"et1": limited}, synced_at=NOW)})
    book_seat(ports, 0)
    book_seat(ports, 1)

    with pytest.raises(DailyLimitReached):
        book_seat(ports, 2)


def test_a_session_closed_since_the_snapshot_is_opened_again() -> None:
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": a_page(event_types={"et1": GROUP}, synced_at=NOW)})
    first = book_seat(ports, 0)
    # Its last seat is given up (session, time and seat released) while the availability read still shows
    # the booking: the next booking finds the session closed and opens it itself.
    with ports.uow() as uow:
        live = uow.sessions.session(SESSION)
        assert live is not None
        uow.sessions.close_session(live)
        uow.commit()
    for claim in first.booking.claims():
        ports.db.delete_now(("claims", claim))

    again = book_seat(ports, 1)

    assert again.booking.seat == 1
    reopened = session(ports)
    assert reopened is not None
    assert list(reopened.seats.values()) == [again.booking.id]
    assert first.booking.id != again.booking.id


# --- Google --------------------------------------------------------------------------------------------
def test_the_sessions_one_event_lists_the_seat_holders_and_goes_with_the_last(ports: FakePorts) -> None:
    first, second = book_seat(ports, 0), book_seat(ports, 1)
    sync(ports, first)
    sync(ports, second)
    event_id = session_event_id(SESSION)
    both = ports.calendar.sessions[event_id]

    host_cancels(ports, first.booking, None)
    sync(ports, first)
    one = ports.calendar.sessions[event_id]
    host_cancels(ports, second.booking, None)
    sync(ports, second)

    assert [email for email, _ in both.guests] == ["guest0@example.org", "guest1@example.org"]
    assert both.guests_see_each_other is False
    assert [email for email, _ in one.guests] == ["guest1@example.org"]
    assert event_id not in ports.calendar.sessions
    assert ports.calendar.events == {}  # no per-booking event for seats
    assert ports.uow().bookings.get(second.booking.id).sync_state.value == "synced"  # type: ignore[union-attr]


def test_a_session_opened_again_restores_its_event(ports: FakePorts) -> None:
    first = book_seat(ports, 0)
    sync(ports, first)
    host_cancels(ports, first.booking, None)
    sync(ports, first)

    again = book_seat(ports, 1)
    sync(ports, again)

    assert [email for email, _ in ports.calendar.sessions[session_event_id(SESSION)].guests] == ["guest1@example.org"]


def test_an_erased_invitee_is_no_longer_a_guest(ports: FakePorts) -> None:
    first, second = book_seat(ports, 0), book_seat(ports, 1)
    with ports.uow() as uow:
        current = uow.bookings.get(first.booking.id)
        assert current is not None
        uow.bookings.save(current.anonymised_for_erasure())
        uow.commit()

    sync(ports, first)

    assert [email for email, _ in ports.calendar.sessions[session_event_id(SESSION)].guests] == ["guest1@example.org"]
    assert second.booking.held_seat is not None


def test_seats_left_are_absent_for_a_plain_event_type() -> None:
    ports = FakePorts(time=NOW)
    plain = PLAIN.model_copy(update={"slug": "intro"})
    given(ports.db, hosts=[a_host()], pages={"ada": a_page(event_types={"et1": plain}, synced_at=NOW)})

    assert seats_left(ports) is None


def test_a_replayed_seat_booking_answers_the_same_booking_without_taking_another_seat(ports: FakePorts) -> None:
    book_seat(ports, 0)  # the session is live, so the replay below joins rather than opens
    request = a_request(START, email="again@example.org")
    first = book(Book(request, "key-00000001"), ports)
    commits = ports.db.next_version()

    again = book(Book(request, "key-00000001"), ports)

    assert again.replayed
    assert again.booking.id == first.booking.id
    live = session(ports)
    assert live is not None
    assert len(live.seats) == 2
    assert ports.db.next_version() - commits < 10  # looked up once, not retried seat after seat


def test_group_slots_say_how_many_seats_are_left_in_their_json() -> None:
    starts = [epoch_seconds(START), epoch_seconds(START + timedelta(hours=1))]

    body = json.loads(SlotList.body(starts, 3600, ZoneInfo("Europe/Berlin"), True, {starts[0]: 2, starts[1]: 3}))
    plain = json.loads(SlotList.body(starts, 3600, ZoneInfo("Europe/Berlin"), True))

    assert [slot["seats_left"] for slot in SlotList.model_validate(body).model_dump()["slots"]] == [2, 3]
    assert body["slots"][0]["start"] == "2027-03-08T11:00:00+01:00"
    assert "seats_left" not in plain["slots"][0]
