from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.wall_clock import existing_instant, first_instant_at_or_after
from tests.unit.builders import utc

NEW_YORK = ZoneInfo("America/New_York")


def test_a_time_in_the_spring_forward_gap_does_not_exist() -> None:
    assert existing_instant(datetime(2027, 3, 14, 2, 30), NEW_YORK) is None


def test_an_ambiguous_fall_back_time_is_read_at_its_first_occurrence() -> None:
    instant = existing_instant(datetime(2027, 11, 7, 1, 30), NEW_YORK)

    assert instant == utc("2027-11-07T05:30")  # 01:30 EDT, not 01:30 EST (06:30Z)


def test_a_bound_in_a_gap_maps_forward_to_the_transition() -> None:
    assert first_instant_at_or_after(datetime(2027, 3, 14, 2, 30), NEW_YORK) == utc("2027-03-14T07:00")
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # 02:00 -> 02:30, a 30-minute gap
    assert first_instant_at_or_after(datetime(2027, 10, 3, 2, 15), lord_howe) == utc("2027-10-02T15:30")


def test_a_bound_in_a_gap_at_midnight_maps_to_the_transition() -> None:
    santiago = ZoneInfo("America/Santiago")  # 2027-09-05 00:00 -04 jumps to 01:00 -03

    assert first_instant_at_or_after(datetime(2027, 9, 5), santiago) == utc("2027-09-05T04:00")


_ZONES = st.sampled_from(
    ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Pacific/Chatham", "Asia/Jakarta"]
)
_NEAR_TRANSITIONS = st.sampled_from(
    [
        datetime(2027, month, day)
        for month, day in [(3, 14), (3, 28), (4, 4), (9, 5), (9, 26), (10, 3), (10, 31), (11, 7)]
    ]
)


@given(_ZONES, _NEAR_TRANSITIONS, st.integers(-24 * 12, 48 * 12))
def test_first_instant_is_the_earliest_whose_clock_reads_the_time_or_later(
    zone_name: str, day: datetime, five_minutes: int
) -> None:
    zone, wall = ZoneInfo(zone_name), day + timedelta(minutes=5 * five_minutes)

    instant = first_instant_at_or_after(wall, zone)

    def reads(moment: datetime) -> datetime:
        return moment.astimezone(zone).replace(tzinfo=None)

    assert reads(instant) >= wall
    earlier = [instant - timedelta(minutes=minutes) for minutes in range(1, 180)]
    assert all(reads(moment) < wall for moment in earlier)
    assert instant.tzinfo is UTC


@given(_ZONES, _NEAR_TRANSITIONS, st.integers(-24 * 12, 48 * 12))
def test_existing_instant_reads_back_as_the_same_wall_time(zone_name: str, day: datetime, five_minutes: int) -> None:
    zone, wall = ZoneInfo(zone_name), day + timedelta(minutes=5 * five_minutes)

    instant = existing_instant(wall, zone)

    around = [(wall + timedelta(minutes=minutes)).replace(tzinfo=UTC) for minutes in range(-15 * 60, 15 * 60, 5)]
    matching = [moment for moment in around if moment.astimezone(zone).replace(tzinfo=None) == wall]
    assert instant == (min(matching) if matching else None)


@pytest.mark.parametrize("zone_name", ["Asia/Jakarta", "UTC"])
def test_zones_without_dst_map_every_wall_time(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)

    instants = [existing_instant(datetime(2027, 3, 14) + timedelta(minutes=m), zone) for m in range(0, 1440, 5)]

    assert None not in instants


def test_a_wall_time_marked_fold_1_is_still_read_at_its_first_occurrence() -> None:
    instant = existing_instant(datetime(2027, 11, 7, 1, 30, fold=1), NEW_YORK)

    assert instant == utc("2027-11-07T05:30")
