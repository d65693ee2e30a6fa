"""The offer's pure rules (shared/domain/offer.py), asked directly: no unit of work, no fakes, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.booking import Booking
from shared.domain.errors import DailyLimitReached, PeriodLimitReached, SeatsFull, SlotNotOffered, SlotTaken
from shared.domain.event_type import EventType
from shared.domain.intervals import Interval, SpanSet
from shared.domain.offer import (
    AvailabilitySnapshot,
    BookedSpan,
    Offer,
    check_start,
    day_claim,
    minute_runs,
    period_claims,
    periods_around,
)
from shared.domain.offsets import epoch_seconds
from tests.unit.fakes import a_booking, a_page

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
TEN = datetime(2027, 3, 8, 10, tzinfo=UTC)  # a Monday, within the host's hours (09:00-17:00 UTC)
INTRO = EventType(slug="intro", title="Intro call", duration_minutes=30)


def offer_of(event_type: EventType = INTRO, bookings: tuple[Booking, ...] = (), busy: SpanSet | None = None) -> Offer:
    """The offer of host h1's `et1` with these bookings holding time (as the months would hold them)."""
    booked = sorted(span for span in map(BookedSpan.of, bookings) if span is not None)
    snapshot = AvailabilitySnapshot(a_page(event_types={"et1": event_type}, synced_at=NOW), busy or SpanSet(), booked)
    return Offer(snapshot, "et1", event_type)


def held(start: datetime, number: int, **fields: object) -> Booking:
    return a_booking(start, id=f"b{number}", **fields)


def test_a_free_start_passes_and_a_booked_one_is_taken() -> None:
    offer = offer_of(bookings=(held(TEN, 1),))

    check_start(offer, TEN + timedelta(minutes=30), NOW)
    with pytest.raises(SlotTaken, match="no longer free"):
        check_start(offer, TEN, NOW)
    with pytest.raises(SlotNotOffered, match="not one of the offered slots"):
        check_start(offer, TEN + timedelta(minutes=7), NOW)


def test_a_booking_being_moved_frees_its_own_time_for_itself() -> None:
    mine = held(TEN, 1)
    offer = offer_of(bookings=(mine,))

    check_start(offer, TEN, NOW, mine)

    assert epoch_seconds(TEN) in offer.starts(TEN.date(), TEN.date(), ZoneInfo("UTC"), NOW, moving=mine)


def test_the_day_place_is_the_first_one_no_booking_of_that_day_holds() -> None:
    limited = INTRO.model_copy(update={"daily_limit": 2})
    first = held(TEN, 1, day_claim="h1:et1:20270308:place1")

    assert day_claim(offer_of(limited), TEN) == "h1:et1:20270308:place1"
    assert day_claim(offer_of(limited, (first,)), TEN + timedelta(hours=2)) == "h1:et1:20270308:place2"
    assert day_claim(offer_of(INTRO), TEN) is None  # no daily limit, no place


def test_a_full_day_says_which_limit_closed_it() -> None:
    limited = INTRO.model_copy(update={"daily_limit": 1})
    offer = offer_of(limited, (held(TEN, 1, day_claim="h1:et1:20270308:place1"),))

    with pytest.raises(DailyLimitReached, match="this day is fully booked"):
        day_claim(offer, TEN + timedelta(hours=2))
    with pytest.raises(DailyLimitReached):
        check_start(offer, TEN + timedelta(hours=2), NOW)


def test_a_booking_moved_within_its_week_keeps_its_place_and_a_full_week_refuses_another() -> None:
    weekly = INTRO.model_copy(update={"weekly_limit": 1})
    mine = held(TEN, 1, period_claims=("h1:et1:w2027-W10:place1",))
    offer = offer_of(weekly, (mine,))

    assert period_claims(offer, TEN + timedelta(days=2), mine) == ("h1:et1:w2027-W10:place1",)
    assert period_claims(offer, TEN + timedelta(days=7)) == ("h1:et1:w2027-W11:place1",)
    with pytest.raises(PeriodLimitReached, match="week or month is fully booked"):
        period_claims(offer, TEN + timedelta(days=2))


def test_minute_runs_take_the_lowest_run_that_fits() -> None:
    minutes = INTRO.model_copy(update={"daily_minutes_limit": 90})
    first = held(TEN, 1, minute_places=("h1:et1:d20270308:min1+6",))

    assert minute_runs(offer_of(minutes), TEN) == ("h1:et1:d20270308:min1+6",)
    assert minute_runs(offer_of(minutes, (first,)), TEN + timedelta(hours=1)) == ("h1:et1:d20270308:min7+6",)


def test_a_full_group_session_says_its_seats_are_taken() -> None:
    group = INTRO.model_copy(update={"seats": 2})
    seats = tuple(held(TEN, n, session_id="h1:et1:s20270308T100000Z", seat=n) for n in (1, 2))
    offer = offer_of(group, seats)

    assert offer.session_holders()[epoch_seconds(TEN)] == 2
    with pytest.raises(SeatsFull, match="every seat at this time is booked"):
        check_start(offer, TEN, NOW)


def test_free_slots_are_complete_only_as_far_as_the_mirror_reaches() -> None:
    offer = offer_of()
    day = TEN.date()

    covered = offer.free_slots(day, day, ZoneInfo("UTC"), NOW)
    beyond = offer.free_slots(day + timedelta(days=90), day + timedelta(days=90), ZoneInfo("UTC"), NOW)

    assert covered.complete
    assert covered.slots[0] == Interval(datetime(2027, 3, 8, 9, tzinfo=UTC), datetime(2027, 3, 8, 9, 30, tzinfo=UTC))
    assert not beyond.complete


def test_weekly_limits_widen_a_read_to_the_whole_host_local_week() -> None:
    around = Interval(TEN, TEN + timedelta(minutes=1))
    weekly = INTRO.model_copy(update={"weekly_limit": 3})

    assert periods_around(around, INTRO, ZoneInfo("UTC")) == around
    assert periods_around(around, weekly, ZoneInfo("UTC")) == Interval(
        datetime(2027, 3, 8, tzinfo=UTC), datetime(2027, 3, 15, tzinfo=UTC)
    )
