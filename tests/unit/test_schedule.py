from datetime import date, datetime

import pytest
from pydantic import ValidationError

from shared.domain.schedule import LocalWindow, Schedule

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
    }

    schedule = Schedule.model_validate_json(Schedule.model_validate(body).model_dump_json())

    assert schedule.model_dump(mode="json") == body
    assert str(schedule.zone) == "Australia/Lord_Howe"
