"""Booked-minute limits per event type against dict-backed fakes: runs of numbered 5-minute places."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from shared.domain.claims import parse_minute_run, places_of_run
from shared.domain.errors import InvalidFields, MinutesLimitReached
from shared.domain.event_type import EventType, EventTypeUpdate
from shared.domain.periods import first_free_run
from shared.services.availability import FindFreeSlots, free_slots
from tests.unit.fakes import FakePorts
from tests.unit.test_booking_service import HOUR, INTRO, START, ada, book_at, host_cancels, host_moves

MONDAY = START.date()  # 8 March 2027, ISO week 10; the host's hours: weekdays 09:00-17:00 UTC


def day_starts(ports: FakePorts, day: date) -> list[datetime]:
    found = free_slots(FindFreeSlots("ada", "intro", day, day, ZoneInfo("UTC")), ports)
    return [slot.start for slot in found.slots]


def test_the_first_free_run_is_the_lowest_gap_that_fits_within_the_capacity() -> None:
    assert first_free_run([], 6, 18) == 1
    assert first_free_run([(1, 6), (13, 6)], 6, 18) == 7  # the gap a cancellation left
    assert first_free_run([(1, 6), (7, 6), (13, 6)], 6, 18) is None
    assert first_free_run([(1, 6), (13, 6)], 12, 24) is None  # 12 free places, but not in a row...
    assert first_free_run([(1, 6)], 12, 24) == 7  # ...here they are
    assert first_free_run([(3, 2)], 2, 4) == 1


def test_a_run_names_its_period_first_place_and_length_and_expands_to_its_places() -> None:
    run = "h1:et1:d20270308:min7+3"

    assert parse_minute_run(run) == ("d20270308", 7, 3)
    assert places_of_run(run) == ["h1:et1:d20270308:min7", "h1:et1:d20270308:min8", "h1:et1:d20270308:min9"]


def test_a_minutes_limit_must_hold_one_meeting_and_sit_on_the_five_minute_grid() -> None:
    with pytest.raises(ValidationError, match=r"daily_minutes_limit\n.*cannot hold one 30-minute meeting"):
        EventType(slug="a", title="A", duration_minutes=30, daily_minutes_limit=25)
    with pytest.raises(ValidationError, match=r"weekly_minutes_limit\n.*multiple of 5"):
        EventType(slug="a", title="A", duration_minutes=30, weekly_minutes_limit=92)
    with pytest.raises(ValidationError, match=r"weekly_minutes_limit\n.*less than or equal to 10080"):
        EventType(slug="a", title="A", duration_minutes=30, weekly_minutes_limit=10085)


def test_a_patch_lengthening_the_meeting_beyond_its_minutes_limit_is_refused_on_the_limit_s_field() -> None:
    limited = EventType(slug="a", title="A", duration_minutes=30, daily_minutes_limit=30)

    with pytest.raises(InvalidFields) as refused:
        limited.updated(EventTypeUpdate(duration_minutes=60))

    assert [problem.field for problem in refused.value.problems] == ["daily_minutes_limit"]


def test_a_day_of_90_minutes_takes_three_30_minute_meetings_as_runs_and_then_offers_nothing() -> None:
    ports = ada(INTRO.model_copy(update={"daily_minutes_limit": 90}))
    made = [book_at(ports, START + n * HOUR, email=f"i{n}@example.org").booking for n in range(3)]

    with pytest.raises(MinutesLimitReached, match="no booked minutes left"):
        book_at(ports, START + 4 * HOUR, email="late@example.org")

    assert [b.minute_places for b in made] == [(f"h1:et1:d20270308:min{first}+6",) for first in (1, 7, 13)]
    assert {f"h1:et1:d20270308:min{n}" for n in range(1, 19)} <= ports.db.ids("claims")
    assert day_starts(ports, MONDAY) == []
    assert day_starts(ports, MONDAY + timedelta(days=1))  # the limit is per day


def test_cancelling_frees_the_minutes_and_the_next_booking_takes_the_gap() -> None:
    ports = ada(INTRO.model_copy(update={"daily_minutes_limit": 90}))
    made = [book_at(ports, START + n * HOUR, email=f"i{n}@example.org").booking for n in range(3)]

    host_cancels(ports, made[1], None)
    offered = day_starts(ports, MONDAY)
    again = book_at(ports, START + 5 * HOUR, email="again@example.org").booking

    assert offered
    assert again.minute_places == ("h1:et1:d20270308:min7+6",)
    assert not {f"h1:et1:d20270308:min{n}" for n in range(19, 25)} & ports.db.ids("claims")


def test_a_weekly_minutes_limit_counts_the_iso_week_and_a_longer_meeting_needs_more_places() -> None:
    hour_long = INTRO.model_copy(update={"duration_minutes": 60, "slot_step_minutes": 60})
    ports = ada(hour_long.model_copy(update={"weekly_minutes_limit": 150}))
    first = book_at(ports, START, email="a@example.org").booking
    second = book_at(ports, START + timedelta(days=2), email="b@example.org").booking

    with pytest.raises(MinutesLimitReached):  # 30 minutes left: not enough for an hour
        book_at(ports, START + timedelta(days=4), email="c@example.org")
    next_week = book_at(ports, START + timedelta(days=7), email="d@example.org").booking

    assert first.minute_places == ("h1:et1:w2027-W10:min1+12",)
    assert second.minute_places == ("h1:et1:w2027-W10:min13+12",)
    assert next_week.minute_places == ("h1:et1:w2027-W11:min1+12",)
    assert day_starts(ports, MONDAY + timedelta(days=4)) == []


def test_a_reschedule_keeps_its_runs_in_the_same_day_and_week_and_moves_the_others() -> None:
    ports = ada(INTRO.model_copy(update={"daily_minutes_limit": 60, "weekly_minutes_limit": 60}))
    booking = book_at(ports, START).booking
    other = book_at(ports, START + HOUR, email="b@example.org").booking

    same_day = host_moves(ports, booking, START + 3 * HOUR)
    next_day = host_moves(ports, other, START + timedelta(days=1))
    with pytest.raises(MinutesLimitReached):  # the week holds its 60 minutes
        book_at(ports, START + timedelta(days=2), email="c@example.org")
    host_cancels(ports, next_day, None)
    freed = book_at(ports, START + timedelta(days=2), email="c@example.org").booking

    assert same_day.minute_places == booking.minute_places == ("h1:et1:d20270308:min1+6", "h1:et1:w2027-W10:min1+6")
    assert next_day.minute_places == ("h1:et1:d20270309:min1+6", "h1:et1:w2027-W10:min7+6")
    assert freed.minute_places == ("h1:et1:d20270310:min1+6", "h1:et1:w2027-W10:min7+6")
    assert ports.db.ids("claims") >= {*same_day.claims(), *freed.claims()}
    assert not {c for c in ports.db.ids("claims") if c.startswith("h1:et1:d20270309")}


def test_a_host_s_own_move_in_google_gives_up_the_runs() -> None:
    ports = ada(INTRO.model_copy(update={"daily_minutes_limit": 60}))
    booking = book_at(ports, START).booking

    followed = booking._following(START + timedelta(days=1), START + timedelta(days=1, minutes=30))

    assert booking.minute_places
    assert followed.minute_places == ()


def test_minutes_are_counted_per_event_type() -> None:
    ports = ada(INTRO.model_copy(update={"daily_minutes_limit": 30}))
    book_at(ports, START)

    assert day_starts(ports, MONDAY) == []
    assert datetime(2027, 3, 9, 9, tzinfo=UTC) in day_starts(ports, MONDAY + timedelta(days=1))
