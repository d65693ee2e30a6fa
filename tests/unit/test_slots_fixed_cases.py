"""Slot engine cases whose expected slots were worked out by hand (UTC), not by running the engine."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from shared.domain.errors import InvalidRange
from shared.domain.schedule import Schedule
from shared.domain.slots import count_by_local_day, in_zone, invitee_range
from tests.unit.builders import event_type, every_day, only_on, slots, span, starts, utc

# --- DST: America/New_York ------------------------------------------------------------------------


def test_new_york_spring_forward_offers_no_0200_or_0230() -> None:
    day = date(2027, 3, 14)  # 02:00 EST jumps to 03:00 EDT (07:00Z)
    schedule = only_on("America/New_York", day, ("01:00", "04:00"))

    offered = slots(schedule, event_type(30), day)

    # 01:00 EST, 01:30 EST, 03:00 EDT, 03:30 EDT
    assert starts(offered) == [
        utc("2027-03-14T06:00"),
        utc("2027-03-14T06:30"),
        utc("2027-03-14T07:00"),
        utc("2027-03-14T07:30"),
    ]
    assert offered[1] == span("2027-03-14T06:30", "2027-03-14T07:00")  # ends at 03:00 EDT: 30 elapsed minutes


def test_new_york_window_starting_in_the_gap_opens_at_the_transition() -> None:
    day = date(2027, 3, 14)
    schedule = only_on("America/New_York", day, ("02:30", "05:00"))

    offered = slots(schedule, event_type(30), day)

    # 02:30 never happens; 03:00 EDT (07:00Z) is the first start; 04:30 EDT ends at 05:00 EDT.
    assert starts(offered) == [
        utc("2027-03-14T07:00"),
        utc("2027-03-14T07:30"),
        utc("2027-03-14T08:00"),
        utc("2027-03-14T08:30"),
    ]


def test_new_york_window_ending_in_the_gap_closes_at_the_transition() -> None:
    day = date(2027, 3, 14)
    schedule = only_on("America/New_York", day, ("00:00", "02:30"))

    offered = slots(schedule, event_type(60, slot_step_minutes=30), day)

    # "Until 02:30" ends when the clock jumps (07:00Z): 01:30 EST + 60 min would end at 03:30 EDT.
    assert starts(offered) == [utc("2027-03-14T05:00"), utc("2027-03-14T05:30"), utc("2027-03-14T06:00")]


def test_new_york_fall_back_offers_0100_and_0130_once() -> None:
    day = date(2027, 11, 7)  # 02:00 EDT falls back to 01:00 EST (06:00Z)
    schedule = only_on("America/New_York", day, ("00:00", "03:00"))

    offered = slots(schedule, event_type(30), day)

    # 00:00, 00:30, 01:00 EDT, 01:30 EDT, then 02:00 EST, 02:30 EST; 01:00 / 01:30 EST are not repeated.
    assert starts(offered) == [
        utc("2027-11-07T04:00"),
        utc("2027-11-07T04:30"),
        utc("2027-11-07T05:00"),
        utc("2027-11-07T05:30"),
        utc("2027-11-07T07:00"),
        utc("2027-11-07T07:30"),
    ]


# --- DST: Europe/Berlin ---------------------------------------------------------------------------


def test_berlin_spring_forward_measures_duration_in_elapsed_time() -> None:
    day = date(2027, 3, 28)  # 02:00 CET jumps to 03:00 CEST (01:00Z)
    schedule = only_on("Europe/Berlin", day, ("01:00", "04:00"))

    offered = slots(schedule, event_type(60, slot_step_minutes=30), day)

    # 01:00 CET, 01:30 CET, 03:00 CEST; 03:30 CEST would end at 04:30 CEST, after the window.
    assert offered == [
        span("2027-03-28T00:00", "2027-03-28T01:00"),
        span("2027-03-28T00:30", "2027-03-28T01:30"),
        span("2027-03-28T01:00", "2027-03-28T02:00"),
    ]


def test_berlin_fall_back_takes_the_repeated_hour_once() -> None:
    day = date(2027, 10, 31)  # 03:00 CEST falls back to 02:00 CET (01:00Z)
    schedule = only_on("Europe/Berlin", day, ("01:00", "04:00"))

    offered = slots(schedule, event_type(60), day)

    # 01:00 CEST, 02:00 CEST (first 02:00), 03:00 CET; the second 02:00 (CET, 01:00Z) is not offered.
    assert starts(offered) == [utc("2027-10-30T23:00"), utc("2027-10-31T00:00"), utc("2027-10-31T02:00")]


def test_a_range_crossing_a_transition_keeps_the_host_s_local_hours() -> None:
    schedule = every_day("Europe/Berlin", ("09:00", "10:00"))

    offered = slots(schedule, event_type(60), date(2027, 10, 30), date(2027, 11, 1))

    assert starts(offered) == [utc("2027-10-30T07:00"), utc("2027-10-31T08:00"), utc("2027-11-01T08:00")]


# --- DST: Australia/Lord_Howe (30-minute shift) --------------------------------------------------


def test_lord_howe_fall_back_by_thirty_minutes_offers_0130_once() -> None:
    day = date(2027, 4, 4)  # 02:00 +11 falls back to 01:30 +10:30 (15:00Z on the 3rd)
    schedule = only_on("Australia/Lord_Howe", day, ("01:00", "03:00"))

    offered = slots(schedule, event_type(30), day)

    # 01:00 +11, 01:30 +11, 02:00 +10:30, 02:30 +10:30; the second 01:30 (+10:30, 15:00Z) is not offered.
    assert starts(offered) == [
        utc("2027-04-03T14:00"),
        utc("2027-04-03T14:30"),
        utc("2027-04-03T15:30"),
        utc("2027-04-03T16:00"),
    ]


def test_lord_howe_spring_forward_skips_the_missing_half_hour() -> None:
    day = date(2027, 10, 3)  # 02:00 +10:30 jumps to 02:30 +11 (15:30Z on the 2nd)
    schedule = only_on("Australia/Lord_Howe", day, ("01:00", "05:00"))

    offered = slots(schedule, event_type(60), day)

    # 01:00 +10:30 (ends 02:30 +11), 02:00 missing, 03:00 +11, 04:00 +11.
    assert offered == [
        span("2027-10-02T14:30", "2027-10-02T15:30"),
        span("2027-10-02T16:00", "2027-10-02T17:00"),
        span("2027-10-02T17:00", "2027-10-02T18:00"),
    ]


# --- No DST: Asia/Jakarta -------------------------------------------------------------------------


def test_jakarta_is_always_seven_hours_ahead() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})

    offered = slots(schedule, event_type(60), date(2027, 3, 15), date(2027, 3, 22))

    assert starts(offered) == [
        utc("2027-03-15T02:00"),
        utc("2027-03-15T03:00"),
        utc("2027-03-15T04:00"),
        utc("2027-03-22T02:00"),
        utc("2027-03-22T03:00"),
        utc("2027-03-22T04:00"),
    ]


# --- Invitee zones ---------------------------------------------------------------------------------


def test_the_invitee_s_dates_decide_the_range() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})

    offered = slots(schedule, event_type(60), date(2027, 3, 14), invitee_tz="America/New_York")

    # New York's Sunday 2027-03-14 ends at 04:00Z on the 15th: Jakarta's 11:00 Monday slot is not in it.
    assert starts(offered) == [utc("2027-03-15T02:00"), utc("2027-03-15T03:00")]


def test_a_tokyo_date_spans_two_berlin_days() -> None:
    schedule = every_day("Europe/Berlin", ("06:00", "22:00"))

    offered = slots(schedule, event_type(60), date(2027, 6, 10), invitee_tz="Asia/Tokyo")

    # Tokyo's June 10 is 15:00Z June 9 .. 15:00Z June 10: Berlin's evening of the 9th, morning of the 10th.
    evening_9th = [utc(f"2027-06-09T{hour:02}:00") for hour in range(15, 20)]
    day_10th = [utc(f"2027-06-10T{hour:02}:00") for hour in range(4, 15)]
    assert starts(offered) == evening_9th + day_10th


def test_slots_are_presented_in_the_invitee_s_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")

    presented = in_zone([span("2027-06-09T15:00", "2027-06-09T16:00")], tokyo)

    assert [(start.isoformat(), end.isoformat()) for start, end in presented] == [
        ("2027-06-10T00:00:00+09:00", "2027-06-10T01:00:00+09:00")
    ]


def test_the_invitee_range_is_their_midnight_to_midnight() -> None:
    assert invitee_range(date(2027, 3, 14), date(2027, 3, 14), ZoneInfo("America/New_York")) == span(
        "2027-03-14T05:00", "2027-03-15T04:00"
    )


def test_a_range_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidRange, match="last day 2027-03-13 is before first day 2027-03-14"):
        invitee_range(date(2027, 3, 14), date(2027, 3, 13), ZoneInfo("UTC"))


# --- Busy times, bookings and buffers -------------------------------------------------------------


def test_an_all_day_busy_interval_blocks_the_host_s_whole_local_day() -> None:
    schedule = every_day("Europe/Berlin", ("09:00", "17:00"))
    all_of_june_10_in_berlin = span("2027-06-09T22:00", "2027-06-10T22:00")

    offered = slots(schedule, event_type(60), date(2027, 6, 9), date(2027, 6, 11), busy=[all_of_june_10_in_berlin])

    hours = range(7, 15)  # 09:00..16:00 CEST
    assert starts(offered) == [utc(f"2027-06-09T{h:02}:00") for h in hours] + [
        utc(f"2027-06-11T{h:02}:00") for h in hours
    ]


def test_buffers_widen_each_slot_against_busy_times() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})
    meeting = event_type(30, buffer_before_minutes=15, buffer_after_minutes=10)
    busy_10_to_1030 = span("2027-03-15T03:00", "2027-03-15T03:30")

    offered = slots(schedule, meeting, date(2027, 3, 15), busy=[busy_10_to_1030])

    # 09:30 (its after-buffer reaches 10:10), 10:00 and 10:30 (its before-buffer starts 10:15) are refused;
    # 11:30's after-buffer may run past the window's end.
    assert starts(offered) == [utc("2027-03-15T02:00"), utc("2027-03-15T04:00"), utc("2027-03-15T04:30")]


def test_a_slot_may_end_exactly_when_a_busy_time_begins() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "11:00")]})

    offered = slots(schedule, event_type(60), date(2027, 3, 15), busy=[span("2027-03-15T03:00", "2027-03-15T03:01")])

    assert starts(offered) == [utc("2027-03-15T02:00")]


def test_a_slot_may_start_exactly_when_a_busy_time_ends() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "11:00")]})

    offered = slots(schedule, event_type(60), date(2027, 3, 15), busy=[span("2027-03-15T02:59", "2027-03-15T03:00")])

    assert starts(offered) == [utc("2027-03-15T03:00")]


def test_existing_bookings_block_their_whole_occupied_span() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})
    booked_1100_with_buffers = span("2027-03-15T03:45", "2027-03-15T04:40")  # 11:00-11:30, 15 before, 10 after

    offered = slots(schedule, event_type(30), date(2027, 3, 15), booked=[booked_1100_with_buffers])

    # 10:00-10:30 ends before the span's 10:45; 11:30-12:00 still meets its after-buffer (until 11:40).
    assert starts(offered) == [utc("2027-03-15T02:00"), utc("2027-03-15T02:30"), utc("2027-03-15T03:00")]


# --- Limits ---------------------------------------------------------------------------------------


def test_the_daily_limit_closes_the_host_s_local_day() -> None:
    schedule = every_day("Asia/Tokyo", ("08:00", "10:00"))
    meeting = event_type(60, daily_limit=2)

    offered = slots(
        schedule,
        meeting,
        date(2027, 6, 9),
        date(2027, 6, 10),
        invitee_tz="UTC",
        bookings_per_day={date(2027, 6, 10): 2},
    )

    # UTC June 9-10 holds Tokyo's 09:00 on the 9th, nothing of the full 10th, and 08:00 on the 11th (23:00Z).
    assert starts(offered) == [utc("2027-06-09T00:00"), utc("2027-06-10T23:00")]


def test_a_day_below_its_limit_stays_open() -> None:
    schedule = every_day("UTC", ("08:00", "10:00"))

    offered = slots(schedule, event_type(60, daily_limit=2), date(2027, 6, 10), bookings_per_day={date(2027, 6, 10): 1})

    assert starts(offered) == [utc("2027-06-10T08:00"), utc("2027-06-10T09:00")]


def test_a_full_host_local_iso_week_offers_nothing_from_monday_to_sunday() -> None:
    schedule = every_day("Asia/Tokyo", ("08:00", "09:00"))
    meeting = event_type(60, weekly_limit=3)

    # Tokyo's week of Monday 2027-06-07 is full; the invitee's UTC dates June 5-14 reach past both its ends.
    offered = slots(
        schedule,
        meeting,
        date(2027, 6, 5),
        date(2027, 6, 14),
        invitee_tz="UTC",
        bookings_per_week={date(2027, 6, 7): 3, date(2027, 5, 31): 2},
    )

    # 08:00 Tokyo is 23:00Z the day before: Sunday the 6th (Tokyo) is open, Monday 7th..Sunday 13th are not.
    assert starts(offered) == [utc("2027-06-05T23:00"), utc("2027-06-13T23:00"), utc("2027-06-14T23:00")]


def test_a_full_host_local_month_offers_nothing_and_the_next_month_is_open() -> None:
    schedule = every_day("America/New_York", ("20:00", "21:00"))
    meeting = event_type(60, monthly_limit=4)

    offered = slots(
        schedule,
        meeting,
        date(2027, 6, 29),
        date(2027, 7, 3),
        invitee_tz="UTC",
        bookings_per_month={date(2027, 6, 1): 4, date(2027, 7, 1): 3},
    )

    # 20:00 in New York is 00:00Z the next day: June 30 (NY) is closed though its slot falls on July 1 UTC.
    assert starts(offered) == [utc("2027-07-02T00:00"), utc("2027-07-03T00:00")]


def test_a_week_or_month_below_its_limit_stays_open() -> None:
    schedule = every_day("UTC", ("08:00", "09:00"))
    meeting = event_type(60, weekly_limit=3, monthly_limit=4)

    offered = slots(
        schedule,
        meeting,
        date(2027, 6, 10),
        bookings_per_week={date(2027, 6, 7): 2},
        bookings_per_month={date(2027, 6, 1): 3},
    )

    assert starts(offered) == [utc("2027-06-10T08:00")]


def test_minimum_notice_hides_slots_starting_too_soon() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})
    now = utc("2027-03-15T02:10")  # 09:10 in Jakarta

    offered = slots(schedule, event_type(30, min_notice_minutes=60), date(2027, 3, 15), now=now)

    assert starts(offered) == [utc("2027-03-15T03:30"), utc("2027-03-15T04:00"), utc("2027-03-15T04:30")]


def test_no_slot_starts_in_the_past() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})

    offered = slots(schedule, event_type(60), date(2027, 3, 15), now=utc("2027-03-15T03:00"))

    assert starts(offered) == [utc("2027-03-15T03:00"), utc("2027-03-15T04:00")]


def test_the_booking_window_counts_elapsed_days_across_a_transition() -> None:
    schedule = every_day("America/New_York", ("09:00", "10:00"))
    now = utc("2027-03-12T14:00")  # Friday 09:00 EST

    offered = slots(schedule, event_type(60, booking_window_days=3), date(2027, 3, 12), date(2027, 3, 16), now=now)

    # The window ends at 14:00Z on the 15th; after the switch to EDT, 09:00 is 13:00Z, so the 15th still fits.
    assert starts(offered) == [
        utc("2027-03-12T14:00"),
        utc("2027-03-13T14:00"),
        utc("2027-03-14T13:00"),
        utc("2027-03-15T13:00"),
    ]


def test_slots_must_end_by_the_busy_mirror_s_horizon() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})

    offered = slots(schedule, event_type(60), date(2027, 3, 15), horizon_end=utc("2027-03-15T04:30"))

    assert starts(offered) == [utc("2027-03-15T02:00"), utc("2027-03-15T03:00")]


def test_a_slot_ending_exactly_at_the_horizon_is_offered() -> None:
    schedule = Schedule(time_zone="Asia/Jakarta", weekly={"mon": [("09:00", "12:00")]})

    offered = slots(schedule, event_type(60), date(2027, 3, 15), horizon_end=utc("2027-03-15T05:00"))

    assert len(offered) == 3


def test_a_range_entirely_in_the_past_offers_nothing() -> None:
    schedule = every_day("UTC", ("09:00", "17:00"))

    offered = slots(schedule, event_type(30), date(2027, 3, 15), now=utc("2027-03-16T00:00"))

    assert offered == []


# --- Helpers for the services ---------------------------------------------------------------------


def test_bookings_are_counted_by_the_host_s_local_date() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")

    counts = count_by_local_day([utc("2027-06-09T14:59"), utc("2027-06-09T15:00"), utc("2027-06-10T01:00")], tokyo)

    assert counts == {date(2027, 6, 9): 1, date(2027, 6, 10): 2}
