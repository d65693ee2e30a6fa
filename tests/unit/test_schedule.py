from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shared.domain.schedule import LocalWindow, Schedule
from tests.unit.builders import event_type, every_day, slots, starts, utc

MONDAY = date(2027, 3, 15)


def test_an_end_before_its_start_is_refused_naming_the_day() -> None:
    with pytest.raises(ValidationError, match=r"weekly\.mon\.0\n.*end 09:00 must be after start 17:00"):
        Schedule(time_zone="Europe/Berlin", weekly={"mon": [("17:00", "09:00")]})


def test_an_empty_range_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"weekly\.wed\.0\n.*end 09:00 must be after start 09:00"):
        Schedule(time_zone="Europe/Berlin", weekly={"wed": [("09:00", "09:00")]})


def test_overlapping_ranges_are_refused_naming_the_day() -> None:
    with pytest.raises(ValidationError, match=r"weekly\.tue\n.*ranges 09:00-12:00 and 11:00-13:00 overlap"):
        Schedule(time_zone="Europe/Berlin", weekly={"tue": [("11:00", "13:00"), ("09:00", "12:00")]})


def test_overlapping_override_ranges_are_refused_naming_the_date() -> None:
    with pytest.raises(ValidationError, match=r"overrides\.2027-03-14\n.*overlap"):
        Schedule.model_validate(
            {"time_zone": "UTC", "overrides": {"2027-03-14": [["09:00", "12:00"], ["10:00", "11:00"]]}}
        )


def test_an_unknown_time_zone_is_refused_on_the_time_zone_field() -> None:
    with pytest.raises(ValidationError, match=r"time_zone\n.*unknown time zone 'Mars/Olympus'"):
        Schedule(time_zone="Mars/Olympus")


@pytest.mark.parametrize("name", ["", "../etc/passwd", "America", "localtime", "europe/berlin"])
def test_names_that_are_not_iana_zones_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match=r"time_zone\n.*unknown time zone"):
        Schedule(time_zone=name)


def test_a_day_key_other_than_mon_to_sun_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"weekly\.funday\.\[key\]\n.*Input should be 'mon'"):
        Schedule.model_validate({"time_zone": "UTC", "weekly": {"funday": [["09:00", "10:00"]]}})


@pytest.mark.parametrize(
    ("clock", "reason"),
    [
        ("09:03", "not on a 5-minute boundary"),
        ("9:00", "not a time between 00:00 and 24:00"),
        ("24:30", "not a time between 00:00 and 24:00"),
        ("12:60", "not a time between 00:00 and 24:00"),
    ],
)
def test_times_must_be_hh_mm_on_the_five_minute_grid(clock: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=rf"weekly\.fri\.0\.1\n.*{reason}"):
        Schedule(time_zone="UTC", weekly={"fri": [("08:00", clock)]})


def test_a_range_cannot_start_at_midnight_at_the_end_of_the_day() -> None:
    with pytest.raises(ValidationError, match=r"weekly\.sat\.0\n.*must be after start 24:00"):
        Schedule(time_zone="UTC", weekly={"sat": [("24:00", "24:00")]})


def test_an_impossible_override_date_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"overrides\.2027-02-30\.\[key\]"):
        Schedule.model_validate({"time_zone": "UTC", "overrides": {"2027-02-30": []}})


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"timezone\n.*Extra inputs are not permitted"):
        Schedule.model_validate({"time_zone": "UTC", "timezone": "UTC"})


def test_a_day_s_ranges_are_stored_sorted() -> None:
    schedule = Schedule(time_zone="UTC", weekly={"mon": [("13:00", "17:00"), ("09:00", "12:00")]})

    assert schedule.weekly["mon"] == [("09:00", "12:00"), ("13:00", "17:00")]


def test_windows_of_a_weekday_follow_the_weekly_rule_and_may_end_at_midnight() -> None:
    schedule = Schedule(time_zone="Europe/Berlin", weekly={"mon": [("09:00", "12:00"), ("20:00", "24:00")]})

    windows = schedule.windows_on(MONDAY)

    assert windows == [
        LocalWindow(datetime(2027, 3, 15, 9), datetime(2027, 3, 15, 12)),
        LocalWindow(datetime(2027, 3, 15, 20), datetime(2027, 3, 16, 0)),
    ]


def test_an_override_replaces_the_weekly_rule_for_its_date_only() -> None:
    schedule = Schedule(
        time_zone="Europe/Berlin",
        weekly={"mon": [("09:00", "17:00")]},
        overrides={MONDAY: [("10:00", "12:00")]},
    )

    assert schedule.windows_on(MONDAY) == [LocalWindow(datetime(2027, 3, 15, 10), datetime(2027, 3, 15, 12))]
    assert schedule.windows_on(date(2027, 3, 22)) == [LocalWindow(datetime(2027, 3, 22, 9), datetime(2027, 3, 22, 17))]


def test_an_empty_override_is_a_day_off() -> None:
    schedule = Schedule(time_zone="UTC", weekly={"mon": [("09:00", "17:00")]}, overrides={MONDAY: []})

    assert schedule.windows_on(MONDAY) == []


def test_a_weekday_without_rules_has_no_windows() -> None:
    schedule = Schedule(time_zone="UTC", weekly={"mon": [("09:00", "17:00")]})

    assert schedule.windows_on(date(2027, 3, 16)) == []


def test_the_contract_json_shape_round_trips() -> None:
    body = {
        "time_zone": "Australia/Lord_Howe",
        "weekly": {"mon": [["09:00", "17:00"]], "sun": []},
        "overrides": {"2027-10-03": [], "2027-10-04": [["10:00", "12:00"]]},
        "time_off": [{"first_day": "2027-12-20", "last_day": "2028-01-03", "reason": "Holidays"}],
    }

    schedule = Schedule.model_validate_json(Schedule.model_validate(body).model_dump_json())

    assert schedule.model_dump(mode="json") == body
    assert str(schedule.zone) == "Australia/Lord_Howe"


# --- time off -------------------------------------------------------------------------------------


def with_time_off(schedule: Schedule, *entries: dict[str, Any]) -> Schedule:
    return Schedule.model_validate({**schedule.model_dump(), "time_off": list(entries)})


def test_time_off_bounds_are_host_local_dates_both_included() -> None:
    # Auckland is UTC+13 in March: the host's Monday 2027-03-15 09:00 is Sunday 20:00 in UTC.
    schedule = with_time_off(
        every_day("Pacific/Auckland", ("09:00", "10:00")), {"first_day": "2027-03-15", "last_day": "2027-03-17"}
    )

    offered = slots(schedule, event_type(60), date(2027, 3, 13), date(2027, 3, 18), invitee_tz="UTC")

    # UTC dates 13..18 hold the host's 14th..19th at 09:00 (20:00Z the day before); 15th..17th are off.
    assert starts(offered) == [
        utc("2027-03-13T20:00"),  # host 2027-03-14
        utc("2027-03-17T20:00"),  # host 2027-03-18
        utc("2027-03-18T20:00"),  # host 2027-03-19
    ]


def test_a_dst_change_inside_time_off_offers_nothing_and_the_days_around_keep_their_hours() -> None:
    # Berlin springs forward on 2027-03-28 (02:00 -> 03:00): that day would offer 01:00 (+01) and 03:00 (+02).
    hours = every_day("Europe/Berlin", ("01:00", "04:00"))
    schedule = with_time_off(hours, {"first_day": "2027-03-28", "last_day": "2027-03-29"})

    open_day = slots(hours, event_type(60), date(2027, 3, 28))
    offered = slots(schedule, event_type(60), date(2027, 3, 27), date(2027, 3, 30))

    assert starts(open_day) == [utc("2027-03-28T00:00"), utc("2027-03-28T01:00")]
    assert starts(offered) == [
        utc("2027-03-27T00:00"),  # Saturday 01:00 +01
        utc("2027-03-27T01:00"),
        utc("2027-03-27T02:00"),
        utc("2027-03-29T23:00"),  # Tuesday 01:00 +02
        utc("2027-03-30T00:00"),
        utc("2027-03-30T01:00"),
    ]


def test_time_off_over_a_month_boundary_covers_both_months() -> None:
    schedule = with_time_off(
        every_day("America/New_York", ("09:00", "10:00")), {"first_day": "2027-01-30", "last_day": "2027-02-02"}
    )

    off = [day for day in range(28, 32) if schedule.windows_on(date(2027, 1, day)) == []]
    off += [day for day in range(1, 5) if schedule.windows_on(date(2027, 2, day)) == []]

    assert off == [30, 31, 1, 2]
    assert starts(slots(schedule, event_type(60), date(2027, 1, 29), date(2027, 2, 3))) == [
        utc("2027-01-29T14:00"),
        utc("2027-02-03T14:00"),
    ]


def test_time_off_wins_over_an_override() -> None:
    schedule = with_time_off(
        Schedule(time_zone="UTC", overrides={MONDAY: [("10:00", "12:00")]}),
        {"first_day": "2027-03-15", "last_day": "2027-03-15", "reason": "Dentist"},
    )

    assert schedule.windows_on(MONDAY) == []


def test_overlapping_time_off_is_kept_as_given_sorted_by_first_day() -> None:
    schedule = with_time_off(
        every_day("UTC", ("09:00", "17:00")),
        {"first_day": "2027-08-10", "last_day": "2027-08-20", "reason": "Camping"},
        {"first_day": "2027-08-01", "last_day": "2027-08-12", "reason": "Summer"},
    )

    assert [entry.reason for entry in schedule.time_off] == ["Summer", "Camping"]
    assert [day for day in range(1, 32) if schedule.windows_on(date(2027, 8, day)) == []] == list(range(1, 21))


def test_a_last_day_before_the_first_is_refused_on_the_last_day() -> None:
    with pytest.raises(ValidationError, match=r"time_off\.0\.last_day\n.*last day 2027-03-14 is before first day"):
        Schedule.model_validate(
            {"time_zone": "UTC", "time_off": [{"first_day": "2027-03-15", "last_day": "2027-03-14"}]}
        )


def test_time_off_lasts_at_most_366_days() -> None:
    leap_year = {"first_day": "2028-01-01", "last_day": "2028-12-31"}  # 366 days

    assert len(Schedule.model_validate({"time_zone": "UTC", "time_off": [leap_year]}).time_off) == 1
    with pytest.raises(ValidationError, match=r"time_off\.0\.last_day\n.*at most 366 days"):
        Schedule.model_validate({"time_zone": "UTC", "time_off": [{**leap_year, "last_day": "2029-01-01"}]})


@pytest.mark.parametrize(
    ("entry", "where", "reason"),
    [
        ({"first_day": "2027-02-30", "last_day": "2027-03-01"}, "first_day", "day value is outside expected range"),
        ({"first_day": "3000-01-01", "last_day": "3000-01-02"}, "first_day", "dates must lie between"),
        ({"first_day": "2027-03-01", "last_day": "2027-03-01", "reason": "x" * 201}, "reason", "at most 200"),
        ({"first_day": "2027-03-01"}, "last_day", "Field required"),
        ({"first_day": "2027-03-01", "last_day": "2027-03-01", "note": "?"}, "note", "Extra inputs"),
    ],
)
def test_bad_time_off_fields_are_refused_by_name(entry: dict[str, Any], where: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=rf"time_off\.0\.{where}\n.*{reason}"):
        Schedule.model_validate({"time_zone": "UTC", "time_off": [entry]})


def test_at_most_a_hundred_time_off_entries() -> None:
    day = {"first_day": "2027-03-01", "last_day": "2027-03-01"}

    with pytest.raises(ValidationError, match=r"time_off\n.*at most 100 items"):
        Schedule.model_validate({"time_zone": "UTC", "time_off": [day] * 101})


def test_time_off_round_trips_as_json_with_its_reason() -> None:
    body = {
        "time_zone": "Europe/Berlin",
        "weekly": {},
        "overrides": {},
        "time_off": [{"first_day": "2027-12-24", "last_day": "2028-01-02", "reason": "Holidays with family"}],
    }

    assert Schedule.model_validate_json(Schedule.model_validate(body).model_dump_json()).model_dump(mode="json") == body
