"""The slots body is written directly, and byte for byte what the per-slot rendering it replaced gave."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.offsets import epoch_seconds
from shared.web.views import SlotList

# Every zone tzdata knows, each read around its 2027 changes of offset (or any day, for zones without).
ZONES = sorted(available_timezones() - {"localtime"})
EDGE_ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham"]


def old_rendering(starts: list[int], duration: int, zone: ZoneInfo, complete: bool) -> str:
    """The rendering before this writer: aware datetimes, `isoformat` per time, `json.dumps` of the dict."""
    slots = [(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(start + duration, UTC)) for start in starts]
    return json.dumps(
        {
            "time_zone": zone.key,
            "complete": complete,
            "slots": [
                {"start": start.astimezone(zone).isoformat(), "end": end.astimezone(zone).isoformat()}
                for start, end in slots
            ],
        }
    )


def every_quarter_hour_around_the_changes_of(zone: ZoneInfo) -> list[int]:
    """Starts every 15 minutes from 12 hours before to 12 hours after each 2027 offset change (found by
    reading the offset daily, then hourly) or, for a zone without one, on 2027-01-01."""
    year_start = datetime(2027, 1, 1, tzinfo=UTC)
    changes, previous = [], year_start.astimezone(zone).utcoffset()
    for days in range(1, 366):
        moment = year_start + timedelta(days=days)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            changes.append(moment)
        previous = offset
    starts: set[int] = set()
    for around in changes or [year_start]:
        first = epoch_seconds(around) - 2 * 86_400  # the change lies within the day before `around`
        starts.update(range(first, first + 2 * 86_400 + 900, 900))
    return sorted(starts)


def test_the_body_is_byte_identical_to_the_isoformat_rendering_in_every_zone() -> None:
    differing = []

    for zone_name in ZONES:
        zone = ZoneInfo(zone_name)
        starts = every_quarter_hour_around_the_changes_of(zone)
        if SlotList.body(starts, 5400, zone, complete=True) != old_rendering(starts, 5400, zone, True):
            differing.append(zone_name)

    assert differing == []
    assert len(ZONES) > 400


@pytest.mark.parametrize("complete", [True, False])
def test_an_empty_range_says_so_in_the_same_bytes(complete: bool) -> None:
    zone = ZoneInfo("Europe/Berlin")

    assert SlotList.body([], 1800, zone, complete) == old_rendering([], 1800, zone, complete)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(EDGE_ZONES),
    st.integers(946_684_800, 32_503_593_600),  # years 2000-2999
    st.lists(st.integers(0, 62 * 86_400), max_size=40, unique=True),  # at most 62 days are asked at once
    st.integers(1, 2 * 86_400),
)
def test_any_whole_second_starts_render_identically(zone_name: str, base: int, after: list[int], duration: int) -> None:
    zone = ZoneInfo(zone_name)
    starts = sorted(base + seconds for seconds in after)

    assert SlotList.body(starts, duration, zone, False) == old_rendering(starts, duration, zone, False)
