"""Booking, rescheduling and cancelling against dict-backed fakes: never a double booking, idempotent retries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from shared.domain.booking import Booking, BookingRequest, BookingStatus, Invitee
from shared.domain.errors import (
    BookingCancelled,
    BookingNotFound,
    ClaimConflict,
    DailyLimitReached,
    IdempotencyKeyReused,
    InviteeLimitReached,
    PeriodLimitReached,
    SlotTaken,
)
from shared.domain.event_type import EventType
from shared.domain.schedule import Schedule
from shared.services.availability import FindFreeSlots, free_slots
from shared.services.booking import (
    Book,
    Booked,
    ByHost,
    ByInvitee,
    CancelBooking,
    OpenBooking,
    RescheduleBooking,
    authorized_booking,
    book,
    booking_file,
    cancel,
    open_booking,
    reschedule,
    token_hash,
)
from shared.services.booking_sync import ReconcileBooking, reconcile_task
from shared.services.records import IdempotencyRecord
from tests.unit.fakes import FakePorts, a_host, a_page, given

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)  # a Monday
START = datetime(2027, 3, 8, 10, tzinfo=UTC)  # the next Monday, inside the host's hours (09:00-17:00 UTC)
HOUR = timedelta(hours=1)
MANAGE_KEY = "manage-key"
INTRO = EventType(slug="intro", title="Intro call", duration_minutes=30, slot_step_minutes=15)


def ada(intro: EventType = INTRO) -> FakePorts:
    """A connected host whose busy mirror is fresh and empty."""
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": a_page(event_types={"et1": intro}, synced_at=NOW)})
    return ports


@pytest.fixture
def ports() -> FakePorts:
    return ada()


def a_request(start: datetime = START, email: str = "ines@example.org", **fields: Any) -> BookingRequest:
    invitee = Invitee(name="Ines", email=email, time_zone="Europe/Berlin")
    return BookingRequest(host="ada", event_type="intro", start=start, invitee=invitee, **fields)


def book_at(ports: FakePorts, start: datetime = START, key: str | None = None, **fields: Any) -> Booked:
    return book(Book(a_request(start, **fields), key), ports)


def host_cancels(ports: FakePorts, booking: Booking, reason: str | None = None) -> Booking:
    return cancel(CancelBooking(booking.id, reason, ByHost(booking.host_id)), ports)


def host_moves(ports: FakePorts, booking: Booking, start: datetime) -> Booking:
    return reschedule(RescheduleBooking(booking.id, start, ByHost(booking.host_id)), ports)


def offered_starts(ports: FakePorts) -> list[datetime]:
    day = START.date()
    found = free_slots(FindFreeSlots("ada", "intro", day, day, ZoneInfo("UTC")), ports)
    return [slot.start for slot in found.slots]


def stored(ports: FakePorts, booking_id: str) -> Booking | None:
    return ports.uow().bookings.get(booking_id)


# --- book ------------------------------------------------------------------------------------------------
def test_a_free_slot_is_booked_with_its_claims_and_idempotency_key_in_one_commit(ports: FakePorts) -> None:
    booked = book(Book(a_request(), "key-0001"), ports)

    assert not booked.replayed
    assert stored(ports, booked.booking.id) == booked.booking
    assert ports.db.ids("claims") == set(booked.booking.claims())
    assert len(booked.booking.claims()) == 7  # 30 minutes of 5-minute granules, and the invitee's first place
    assert booked.booking.invitee_claim is not None
    assert booked.booking.invitee_claim.endswith(":1")
    assert [record.booking_id for record in ports.db.where("idempotency", IdempotencyRecord).values()] == [
        booked.booking.id
    ]
    assert token_hash(booked.manage_token) == booked.booking.manage_token_hash
    # One task per booking: its sync, which tells the people once Google is written.
    assert ports.tasks.names_for("calendar_sync") == [f"booking-{booked.booking.id}-v1"]
    assert ports.tasks.names_for("notifications") == []
    reconcile_task(ReconcileBooking(booked.booking.id, 1), ports.at(NOW))
    assert ports.tasks.names_for("notifications") == [f"notify-{booked.booking.id}-v1"]


def test_a_booked_time_is_no_longer_offered(ports: FakePorts) -> None:
    book_at(ports)

    starts = offered_starts(ports)

    assert START not in starts
    assert START + HOUR in starts


def test_a_second_overlapping_booking_is_refused(ports: FakePorts) -> None:
    first = book_at(ports)

    with pytest.raises(SlotTaken, match="no longer free"):
        book_at(ports, START + timedelta(minutes=15))

    assert ports.db.ids("bookings") == {first.booking.id}


def test_a_booking_that_loses_the_race_for_its_claims_is_refused_with_a_claim_conflict(ports: FakePorts) -> None:
    rival = book_at(ada()).booking  # the same time, booked elsewhere...
    with ports.uow() as uow:  # ...committing its claims after our read (the months do not show it yet)
        uow.bookings.add(rival, None)
        uow.commit()

    with pytest.raises(ClaimConflict, match="just booked by someone else"):
        book_at(ports)

    assert ports.db.ids("bookings") == {rival.id}
    # Each attempt's sync task was enqueued alongside its commit: they name bookings that never were stored,
    # so each ends as "gone" without a Google call.
    for _, payload, _ in ports.tasks.enqueued:
        outcome = reconcile_task(ReconcileBooking(payload["booking_id"], 1, retries=2), ports.at(NOW))
        assert outcome == "gone"
    assert ports.calendar.calls == []


def test_the_same_idempotency_key_and_body_replays_the_first_booking(ports: FakePorts) -> None:
    first = book_at(ports, key="key-0001")

    again = book_at(ports, key="key-0001")

    assert again.replayed
    assert (again.booking, again.manage_token) == (first.booking, first.manage_token)
    assert ports.db.ids("bookings") == {first.booking.id}
    assert len(ports.tasks.names_for("calendar_sync")) == 1


def test_the_same_idempotency_key_with_another_body_is_refused(ports: FakePorts) -> None:
    first = book_at(ports, key="key-0001")

    with pytest.raises(IdempotencyKeyReused, match="different request"):
        book_at(ports, START + 2 * HOUR, key="key-0001")

    assert ports.db.ids("bookings") == {first.booking.id}


def test_a_third_booking_on_a_day_limited_to_two_is_refused() -> None:
    ports = ada(INTRO.model_copy(update={"daily_limit": 2}))
    first, second = book_at(ports, START), book_at(ports, START + HOUR)

    with pytest.raises(DailyLimitReached, match="day is fully booked"):  # a SlotNotOffered that says why
        book_at(ports, START + 3 * HOUR)

    assert {first.booking.day_claim, second.booking.day_claim} == {"h1:et1:20270308:place1", "h1:et1:20270308:place2"}
    assert book_at(ports, START + timedelta(days=1)).booking.day_claim == "h1:et1:20270309:place1"


def test_a_daily_limit_counts_bookings_at_both_ends_of_a_long_day() -> None:
    """A booking at 23:00 sees the one at 00:30 the same host-local day (22.5 h apart): it takes the free
    place rather than losing every retry on a place it did not know was held."""
    all_day = Schedule(time_zone="UTC", weekly={"mon": [("00:00", "24:00")]})
    page = a_page(event_types={"et1": INTRO.model_copy(update={"daily_limit": 2})}, synced_at=NOW)
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": page.model_copy(update={"schedule": all_day})})
    midnight = START.replace(hour=0)

    early = book_at(ports, midnight + timedelta(minutes=30), email="early@example.org")
    late = book_at(ports, midnight + timedelta(hours=23), email="late@example.org")
    with pytest.raises(DailyLimitReached):
        book_at(ports, midnight + 12 * HOUR, email="noon@example.org")

    assert {early.booking.day_claim, late.booking.day_claim} == {"h1:et1:20270308:place1", "h1:et1:20270308:place2"}


def test_a_week_limited_to_three_takes_numbered_places_and_refuses_a_fourth_until_one_is_cancelled() -> None:
    ports = ada(INTRO.model_copy(update={"weekly_limit": 3}))
    # Monday 8 March to Sunday 14 March 2027 is ISO week 10 (the host's hours: weekdays 09:00-17:00 UTC).
    made = [book_at(ports, START + timedelta(days=day), email=f"i{day}@example.org") for day in (0, 1, 2)]

    with pytest.raises(PeriodLimitReached, match="week or month is fully booked"):
        book_at(ports, START + timedelta(days=3), email="late@example.org")
    friday = free_slots(FindFreeSlots("ada", "intro", date(2027, 3, 12), date(2027, 3, 12), ZoneInfo("UTC")), ports)
    next_week = book_at(ports, START + timedelta(days=7), email="next@example.org").booking
    host_cancels(ports, made[1].booking, None)
    again = book_at(ports, START + timedelta(days=4), email="again@example.org").booking

    assert [b.booking.period_claims for b in made] == [(f"h1:et1:w2027-W10:place{n}",) for n in (1, 2, 3)]
    assert friday.starts == []
    assert next_week.period_claims == ("h1:et1:w2027-W11:place1",)
    assert again.period_claims == ("h1:et1:w2027-W10:place2",)  # the cancelled booking's place
    assert set(again.claims()) <= ports.db.ids("claims")


def test_a_month_limit_counts_the_host_local_month_and_a_reschedule_keeps_or_moves_the_places() -> None:
    ports = ada(INTRO.model_copy(update={"weekly_limit": 5, "monthly_limit": 2}))
    first = book_at(ports, START, email="a@example.org").booking
    second = book_at(ports, START + timedelta(days=9), email="b@example.org").booking  # 17 March: week 11

    with pytest.raises(PeriodLimitReached):
        book_at(ports, START + timedelta(days=17), email="c@example.org")  # 25 March: the month is full
    same_week = host_moves(ports, first, START + timedelta(days=1))
    other_month = host_moves(ports, second, datetime(2027, 4, 5, 10, tzinfo=UTC))
    freed = book_at(ports, START + timedelta(days=17), email="c@example.org").booking

    assert first.period_claims == ("h1:et1:w2027-W10:place1", "h1:et1:m2027-03:place1")
    assert second.period_claims == ("h1:et1:w2027-W11:place1", "h1:et1:m2027-03:place2")
    assert same_week.period_claims == first.period_claims  # kept: the same week and month
    assert other_month.period_claims == ("h1:et1:w2027-W14:place1", "h1:et1:m2027-04:place1")
    assert freed.period_claims == ("h1:et1:w2027-W12:place1", "h1:et1:m2027-03:place2")
    assert ports.db.ids("claims") >= {*same_week.claims(), *other_month.claims(), *freed.claims()}
    assert not {c for c in ports.db.ids("claims") if c.startswith("h1:et1:w2027-W11")}


def test_a_host_local_month_is_counted_in_the_host_s_zone_across_the_utc_month_boundary() -> None:
    tokyo = a_page(event_types={"et1": INTRO.model_copy(update={"monthly_limit": 1})}, synced_at=NOW)
    mornings = {day: [("00:00", "12:00")] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    tokyo = tokyo.model_copy(update={"schedule": Schedule(time_zone="Asia/Tokyo", weekly=mornings)})
    ports = FakePorts(time=NOW)
    given(ports.db, hosts=[a_host()], pages={"ada": tokyo})
    # 31 March 16:00 UTC is 1 April 01:00 in Tokyo: April's place, so March (in Tokyo) is still open.
    april = book_at(ports, datetime(2027, 3, 31, 16, tzinfo=UTC), email="a@example.org").booking
    march = book_at(ports, datetime(2027, 3, 31, 2, tzinfo=UTC), email="b@example.org").booking

    with pytest.raises(PeriodLimitReached):
        book_at(ports, datetime(2027, 4, 20, 2, tzinfo=UTC), email="c@example.org")

    assert april.period_claims == ("h1:et1:m2027-04:place1",)
    assert march.period_claims == ("h1:et1:m2027-03:place1",)


def test_an_invitee_holding_as_many_upcoming_bookings_as_allowed_is_refused_until_one_is_cancelled() -> None:
    ports = ada(INTRO.model_copy(update={"invitee_open_limit": 2}))
    first, _ = book_at(ports, START), book_at(ports, START + HOUR)

    with pytest.raises(InviteeLimitReached, match="as many upcoming bookings"):
        book_at(ports, START + 3 * HOUR)
    host_cancels(ports, first.booking, None)
    again = book_at(ports, START + 3 * HOUR)

    assert again.booking.invitee_claim == first.booking.invitee_claim  # the freed place is taken again


# --- reschedule ------------------------------------------------------------------------------------------
def test_rescheduling_moves_the_claims_to_the_new_time(ports: FakePorts) -> None:
    booking = book_at(ports).booking

    moved = host_moves(ports, booking, START + 2 * HOUR)

    assert (moved.start, moved.version) == (START + 2 * HOUR, 2)
    assert stored(ports, booking.id) == moved
    assert ports.db.ids("claims") == set(moved.claims())
    starts = offered_starts(ports)
    assert START in starts
    assert START + 2 * HOUR not in starts
    assert ports.tasks.names_for("calendar_sync")[-1] == f"booking-{booking.id}-v2"


def test_rescheduling_to_a_taken_time_is_refused(ports: FakePorts) -> None:
    mine = book_at(ports).booking
    book_at(ports, START + 2 * HOUR)

    with pytest.raises(SlotTaken, match="no longer free"):
        host_moves(ports, mine, START + 2 * HOUR)

    assert stored(ports, mine.id) == mine


# --- cancel ----------------------------------------------------------------------------------------------
def test_cancelling_frees_the_time_and_asks_google_to_follow(ports: FakePorts) -> None:
    booking = book_at(ports).booking

    cancelled = host_cancels(ports, booking, "something came up")

    assert (cancelled.status, cancelled.version) == (BookingStatus.CANCELLED, 2)
    assert stored(ports, booking.id) == cancelled
    assert ports.db.ids("claims") == set()
    assert START in offered_starts(ports)
    assert ports.tasks.payloads_for("calendar_sync")[-1] == {
        "action": "reconcile_booking",
        "booking_id": booking.id,
        "version": 2,
    }


def test_a_booking_cannot_be_cancelled_twice(ports: FakePorts) -> None:
    booking = book_at(ports).booking
    cancelled = host_cancels(ports, booking, None)

    with pytest.raises(BookingCancelled, match="cancelled and can no longer be changed"):
        host_cancels(ports, booking, None)

    assert stored(ports, booking.id) == cancelled
    assert len(ports.tasks.names_for("calendar_sync")) == 2  # the booking and its one cancellation


def test_a_wrong_manage_token_looks_like_a_missing_booking(ports: FakePorts) -> None:
    booked = book_at(ports)

    with pytest.raises(BookingNotFound, match="no booking with this id and manage token"):
        authorized_booking(booked.booking.id, "not-the-token", ports.uow())

    assert authorized_booking(booked.booking.id, booked.manage_token, ports.uow()) == booked.booking


def test_the_invitee_changes_their_booking_only_with_its_manage_token(ports: FakePorts) -> None:
    booked = book_at(ports)
    forged = ByInvitee(f"{booked.booking.id}.not-the-mac")

    with pytest.raises(BookingNotFound, match="no booking with this id and manage token"):
        cancel(CancelBooking(booked.booking.id, None, forged), ports)
    with pytest.raises(BookingNotFound, match="no booking with this id and manage token"):
        reschedule(RescheduleBooking(booked.booking.id, START + HOUR, forged), ports)
    cancelled = cancel(CancelBooking(booked.booking.id, "can't make it", ByInvitee(booked.manage_token)), ports)

    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.asked_by_invitee() == cancelled  # marked as the invitee's own change


def test_a_host_changes_only_their_own_bookings(ports: FakePorts) -> None:
    booking = book_at(ports).booking

    with pytest.raises(BookingNotFound, match="no such booking"):
        cancel(CancelBooking(booking.id, None, ByHost("h2")), ports)
    with pytest.raises(BookingNotFound, match="no such booking"):
        reschedule(RescheduleBooking(booking.id, START + HOUR, ByHost("h2")), ports)

    assert stored(ports, booking.id) == booking


def test_the_invitees_calendar_file_links_back_to_their_manage_page(ports: FakePorts) -> None:
    booked = book_at(ports)

    opened = open_booking(OpenBooking(booked.booking.id, booked.manage_token), ports)
    event = Calendar.from_ical(booking_file(OpenBooking(booked.booking.id, booked.manage_token), ports)).walk("VEVENT")[
        0
    ]

    assert (opened.booking, opened.context.host_slug, opened.context.event_type_slug) == (
        booked.booking,
        "ada",
        "intro",
    )
    assert str(event["url"]) == ports.links.manage(booked.booking.id)
    assert booked.manage_token in str(event["url"])
    with pytest.raises(BookingNotFound):
        booking_file(OpenBooking(booked.booking.id, "not-the-token"), ports)
