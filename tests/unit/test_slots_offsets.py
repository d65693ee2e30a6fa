"""The integer zone clock the slot engine and the slot writer use agrees with `zoneinfo` and `wall_clock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.offsets import (
    ZoneOffsets,
    day_of,
    epoch_seconds,
    epoch_seconds_up,
    instant,
    local_midnight,
)
from shared.domain.wall_clock import existing_instant, first_instant_at_or_after

ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Jakarta",  # none
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/Santiago",  # its gap is at midnight
    "Africa/Casablanca",  # DST suspended for Ramadan: four changes a year
    "Pacific/Apia",
    "UTC",
]
YEAR_2027 = epoch_seconds(datetime(2027, 1, 1, tzinfo=UTC))
_NAIVE_EPOCH = datetime(1970, 1, 1)


def wall_of(local_seconds: int) -> datetime:
    return _NAIVE_EPOCH + timedelta(seconds=local_seconds)


def local_seconds_of(wall: datetime) -> int:
    return int((wall - _NAIVE_EPOCH) // timedelta(seconds=1))


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_offset_is_zoneinfo_s_at_every_quarter_hour_of_a_year(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    offsets = ZoneOffsets(zone, YEAR_2027, YEAR_2027 + 366 * 86_400)

    for moment in range(YEAR_2027, YEAR_2027 + 365 * 86_400, 900):
        expected = datetime.fromtimestamp(moment, zone).utcoffset()
        assert expected is not None
        assert offsets.offset(moment) == expected.total_seconds(), instant(moment)


@pytest.mark.parametrize("zone_name", ZONES)
def test_a_change_of_offset_is_found_to_the_second(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    offsets = ZoneOffsets(zone, YEAR_2027, YEAR_2027 + 366 * 86_400)

    for piece in range(1, 16):
        change = offsets.piece_end(piece - 1)
        if change >= YEAR_2027 + 366 * 86_400:
            break
        before, after = (datetime.fromtimestamp(moment, zone).utcoffset() for moment in (change - 1, change))
        assert before is not None
        assert after is not None
        assert before != after
        assert offsets.piece_offset(piece - 1) == before.total_seconds()
        assert offsets.piece_offset(piece) == after.total_seconds()


@pytest.mark.parametrize("zone_name", ZONES)
def test_wall_times_map_to_instants_as_wall_clock_says_around_every_change(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    offsets = ZoneOffsets(zone, YEAR_2027 - 3 * 86_400, YEAR_2027 + 369 * 86_400)
    changes = [offsets.piece_end(piece) for piece in range(8) if offsets.piece_end(piece) < YEAR_2027 + 366 * 86_400]

    for change in changes or [YEAR_2027 + 86_400]:
        local = offsets.local(change)
        for wall in range(local - local % 300 - 6 * 3600, local + 6 * 3600, 300):
            expected = existing_instant(wall_of(wall), zone)
            found = offsets.existing_instant(wall)
            assert found == (None if expected is None else epoch_seconds(expected)), wall_of(wall)
            at_or_after = epoch_seconds(first_instant_at_or_after(wall_of(wall), zone))
            assert offsets.first_instant_at_or_after(wall) == at_or_after, wall_of(wall)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ZONES), st.integers(946_684_800, 32_503_593_600), st.integers(-86_400, 86_400))
def test_local_readings_and_dates_match_astimezone(zone_name: str, moment: int, shift: int) -> None:
    zone = ZoneInfo(zone_name)
    offsets = ZoneOffsets(zone, moment - 2 * 86_400, moment + 2 * 86_400)

    reading = datetime.fromtimestamp(moment + shift, zone).replace(tzinfo=None)

    assert wall_of(offsets.local(moment + shift)) == reading
    assert day_of(offsets.local(moment + shift)) == reading.date()
    assert local_midnight(reading.date()) == local_seconds_of(datetime.combine(reading.date(), datetime.min.time()))


def test_seconds_round_down_and_up_and_come_back_as_utc_instants() -> None:
    moment = datetime(2027, 3, 14, 7, 0, 0, 500_000, tzinfo=UTC)

    assert epoch_seconds(moment) + 1 == epoch_seconds_up(moment)
    assert instant(epoch_seconds(moment)) == moment.replace(microsecond=0)
    assert instant(epoch_seconds(moment)).tzinfo is UTC
