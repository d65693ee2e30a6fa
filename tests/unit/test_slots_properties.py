"""Properties of the slot engine over random schedules, event types, busy times and zones.

Dates cluster around 2027's DST transitions of the zones drawn, where the rules are easiest to get wrong.
The brute-force `_scan` restates the rules minute by minute (every 5-minute UTC instant, read on the host's
clock) and is the oracle for the completeness property; the other properties check one rule each directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.event_type import EventType
from shared.domain.intervals import Interval
from shared.domain.schedule import WEEKDAYS, Schedule, TimeOff
from shared.domain.slots import available_slots

# Offsets are all multiples of 15 minutes, so a 5-minute UTC scan meets every candidate start.
HOST_ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Jakarta",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/Santiago",  # its spring-forward gap is at midnight
]
INVITEE_ZONES = [*HOST_ZONES, "Asia/Tokyo", "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
# (zone, date of one of its 2027 transitions); gaps and overlaps of 1 h, 30 min, and one at midnight.
TRANSITIONS = [
    ("America/New_York", date(2027, 3, 14)),
    ("America/New_York", date(2027, 11, 7)),
    ("Europe/Berlin", date(2027, 3, 28)),
    ("Europe/Berlin", date(2027, 10, 31)),
    ("Australia/Lord_Howe", date(2027, 4, 4)),
    ("Australia/Lord_Howe", date(2027, 10, 3)),
    ("America/St_Johns", date(2027, 3, 14)),
    ("America/St_Johns", date(2027, 11, 7)),
    ("Pacific/Chatham", date(2027, 4, 4)),
    ("Pacific/Chatham", date(2027, 9, 26)),
    ("America/Santiago", date(2027, 4, 4)),
    ("America/Santiago", date(2027, 9, 5)),
]
FIVE_MINUTES = timedelta(minutes=5)
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Scenario:
    schedule: Schedule
    event_type: EventType
    busy: tuple[Interval, ...]
    booked: tuple[Interval, ...]
    now: datetime
    first_day: date
    last_day: date
    invitee_tz: ZoneInfo
    horizon_end: datetime
    bookings_per_day: dict[date, int]

    def slots(self) -> list[Interval]:
        return available_slots(
            self.event_type,
            self.schedule,
            self.busy,
            self.booked,
            now=self.now,
            first_day=self.first_day,
            last_day=self.last_day,
            invitee_tz=self.invitee_tz,
            horizon_end=self.horizon_end,
            bookings_per_day=self.bookings_per_day,
        )

    @property
    def utc_range(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first_day, time(), self.invitee_tz).astimezone(UTC)
        end = datetime.combine(self.last_day + timedelta(days=1), time(), self.invitee_tz).astimezone(UTC)
        return start, end


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02}:{minutes % 60:02}"


@st.composite
def day_ranges(draw: st.DrawFn) -> list[tuple[str, str]]:
    # Sorted distinct boundaries paired up give sorted, non-overlapping ranges; 288 * 5 min = 24:00.
    if draw(st.integers(0, 4)) == 0:
        return []  # a day off now and then; mostly open days, so the other rules get exercised
    bounds = sorted(draw(st.lists(st.integers(0, 288), unique=True, min_size=2, max_size=6)))
    return [(_clock(5 * a), _clock(5 * b)) for a, b in zip(bounds[::2], bounds[1::2], strict=False)]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    anywhere = st.tuples(st.sampled_from(HOST_ZONES), st.dates(date(2027, 1, 1), date(2027, 12, 31)))
    zone, anchor = draw(st.one_of(st.sampled_from(TRANSITIONS), anywhere))
    midnight = datetime.combine(anchor, time(), UTC)
    schedule = Schedule(
        time_zone=zone,
        weekly={day: draw(day_ranges()) for day in WEEKDAYS},
        overrides=draw(
            st.dictionaries(st.dates(anchor - timedelta(days=2), anchor + timedelta(days=4)), day_ranges(), max_size=3)
        ),
        time_off=[
            TimeOff(first_day=first, last_day=first + timedelta(days=length))
            for first, length in draw(
                st.lists(
                    st.tuples(st.dates(anchor - timedelta(days=3), anchor + timedelta(days=4)), st.integers(0, 2)),
                    max_size=2,
                )
            )
        ],
    )
    step = draw(st.sampled_from([None, 5, 10, 15, 30, 60]))
    event_type = EventType(
        slug="meeting",
        title="Meeting",
        duration_minutes=draw(st.sampled_from([5, 15, 30, 45, 60, 90, 120, 240])),
        buffer_before_minutes=draw(st.sampled_from([0, 5, 15, 30])),
        buffer_after_minutes=draw(st.sampled_from([0, 5, 10, 60])),
        min_notice_minutes=draw(st.sampled_from([0, 0, 30, 240, 1440])),
        booking_window_days=draw(st.integers(1, 10)),
        daily_limit=draw(st.sampled_from([None, 1, 2, 3])),
        **({} if step is None else {"slot_step_minutes": step}),
    )
    first_day = anchor + timedelta(days=draw(st.integers(-1, 1)))
    # Mostly before the range (so notice and window matter), sometimes inside its first day.
    now = datetime.combine(first_day, time(), UTC) + timedelta(seconds=draw(st.integers(-2 * 86400, 43200)))
    busy = draw(st.lists(_intervals(midnight, minute_grid=1), max_size=8))
    booked = draw(st.lists(_intervals(midnight, minute_grid=5), max_size=4))
    # Counts for the host dates the range can touch, often right at the limit.
    host_days = st.dates(first_day - timedelta(days=1), first_day + timedelta(days=4))
    per_day = draw(st.dictionaries(host_days, st.integers(0, 3), min_size=1, max_size=5))
    return Scenario(
        schedule=schedule,
        event_type=event_type,
        busy=tuple(busy),
        booked=tuple(booked),
        now=now,
        first_day=first_day,
        last_day=first_day + timedelta(days=draw(st.integers(0, 3))),
        invitee_tz=ZoneInfo(draw(st.sampled_from(INVITEE_ZONES))),
        horizon_end=now + timedelta(hours=draw(st.sampled_from([1440, 60, 30, 6, 0]))),
        bookings_per_day=per_day,
    )


def _intervals(midnight: datetime, minute_grid: int) -> st.SearchStrategy[Interval]:
    return st.builds(
        lambda start, length: Interval(
            midnight + timedelta(minutes=start * minute_grid),
            midnight + timedelta(minutes=(start + length) * minute_grid),
        ),
        st.integers(-2 * 1440 // minute_grid, 5 * 1440 // minute_grid),
        st.integers(1, 600 // minute_grid),
    )


# --- The oracle: the rules, restated as a scan ------------------------------------------------------


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


@lru_cache(maxsize=4096)
def _first_reading_at_or_after(wall: datetime, zone: ZoneInfo) -> datetime:
    """Earliest instant whose clock reads `wall` or later, found by scanning around both fold readings."""
    readings = [wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
    moment = min(readings) - timedelta(hours=1)
    while _wall(moment, zone) < wall:
        moment += timedelta(minutes=1)
    return moment


def _ranges_on(schedule: Schedule, day: date) -> list[tuple[str, str]]:
    if any(entry.first_day <= day <= entry.last_day for entry in schedule.time_off):
        return []
    if day in schedule.overrides:
        return schedule.overrides[day]
    return schedule.weekly.get(WEEKDAYS[day.weekday()], [])


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _window_containing(scenario: Scenario, start: datetime) -> tuple[datetime, datetime] | None:
    """The host window (as UTC bounds) that has `start` on its wall-clock grid, if any."""
    zone, wall = scenario.schedule.zone, _wall(start, scenario.schedule.zone)
    midnight = datetime.combine(wall.date(), time())
    offset = (wall - midnight) // timedelta(minutes=1)
    for opens, closes in _ranges_on(scenario.schedule, wall.date()):
        on_grid = (offset - _minutes(opens)) % scenario.event_type.slot_step_minutes == 0
        if _minutes(opens) <= offset < _minutes(closes) and on_grid:
            return (
                _first_reading_at_or_after(midnight + timedelta(minutes=_minutes(opens)), zone),
                _first_reading_at_or_after(midnight + timedelta(minutes=_minutes(closes)), zone),
            )
    return None


def _occupied(scenario: Scenario, start: datetime) -> tuple[datetime, datetime]:
    meeting = scenario.event_type
    return (
        start - timedelta(minutes=meeting.buffer_before_minutes),
        start + timedelta(minutes=meeting.duration_minutes + meeting.buffer_after_minutes),
    )


def _conflicts(scenario: Scenario, start: datetime) -> bool:
    occupied_start, occupied_end = _occupied(scenario, start)
    return any(other.start < occupied_end and occupied_start < other.end for other in scenario.busy + scenario.booked)


def _scan(scenario: Scenario) -> list[datetime]:
    zone, meeting = scenario.schedule.zone, scenario.event_type
    duration = timedelta(minutes=meeting.duration_minutes)
    moment, end_of_range = scenario.utc_range
    found = []
    while moment < end_of_range:
        wall = _wall(moment, zone)
        first_occurrence = wall.replace(tzinfo=zone, fold=0).astimezone(UTC) == moment
        window = _window_containing(scenario, moment) if first_occurrence else None
        limit = meeting.daily_limit
        if (
            window is not None
            and window[0] <= moment
            and moment + duration <= window[1]
            and moment >= scenario.now + timedelta(minutes=meeting.min_notice_minutes)
            and moment < scenario.now + timedelta(days=meeting.booking_window_days)
            and moment + duration <= scenario.horizon_end
            and not (limit is not None and scenario.bookings_per_day.get(wall.date(), 0) >= limit)
            and not _conflicts(scenario, moment)
        ):
            found.append(moment)
        moment += FIVE_MINUTES
    return found


# --- Properties -----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_engine_offers_exactly_what_a_minute_by_minute_scan_of_the_rules_allows(scenario: Scenario) -> None:
    offered = scenario.slots()

    assert [slot.start for slot in offered] == _scan(scenario)
    assert all(slot.duration == timedelta(minutes=scenario.event_type.duration_minutes) for slot in offered)


@PROPERTY_SETTINGS
@given(scenarios())
def test_no_slot_s_occupied_span_overlaps_a_busy_time_or_a_booking(scenario: Scenario) -> None:
    offered = scenario.slots()

    assert not any(_conflicts(scenario, slot.start) for slot in offered)


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_slot_lies_inside_a_window_of_the_host_s_rules(scenario: Scenario) -> None:
    offered = scenario.slots()

    for slot in offered:
        window = _window_containing(scenario, slot.start)
        assert window is not None, f"{slot} is not on the wall-clock grid of any window"
        assert window[0] <= slot.start
        assert slot.end <= window[1]


@PROPERTY_SETTINGS
@given(scenarios())
def test_slots_are_sorted_and_no_two_share_a_start(scenario: Scenario) -> None:
    offered = scenario.slots()

    starts = [slot.start for slot in offered]
    assert starts == sorted(set(starts))


@PROPERTY_SETTINGS
@given(scenarios())
def test_notice_booking_window_horizon_and_range_are_respected(scenario: Scenario) -> None:
    meeting, (range_start, range_end) = scenario.event_type, scenario.utc_range

    offered = scenario.slots()

    for slot in offered:
        assert range_start <= slot.start < range_end
        assert slot.start >= scenario.now + timedelta(minutes=meeting.min_notice_minutes)
        assert slot.start < scenario.now + timedelta(days=meeting.booking_window_days)
        assert slot.end <= scenario.horizon_end


@PROPERTY_SETTINGS
@given(scenarios())
def test_a_host_day_at_its_daily_limit_offers_nothing(scenario: Scenario) -> None:
    limit, zone = scenario.event_type.daily_limit, scenario.schedule.zone

    offered = scenario.slots()

    if limit is not None:
        assert all(scenario.bookings_per_day.get(_wall(slot.start, zone).date(), 0) < limit for slot in offered)


@PROPERTY_SETTINGS
@given(scenarios(), st.sampled_from(INVITEE_ZONES))
def test_the_invitee_zone_changes_only_which_instants_a_date_range_means(scenario: Scenario, other_zone: str) -> None:
    range_start, range_end = scenario.utc_range
    other_tz = ZoneInfo(other_zone)
    covering = replace(
        scenario,
        invitee_tz=other_tz,
        first_day=range_start.astimezone(other_tz).date(),
        last_day=(range_end - timedelta(microseconds=1)).astimezone(other_tz).date(),
    )

    seen_from_other_zone = [slot for slot in covering.slots() if range_start <= slot.start < range_end]

    assert seen_from_other_zone == scenario.slots()
