"""The slot engine: which meeting starts an invitee may book. A pure function of its arguments.

Semantics of `available_slots` (all instants aware and compared in UTC):

* Range. `first_day`..`last_day` are calendar dates in the invitee's zone, both included: the UTC range
  [first_day 00:00, last_day + 1 day 00:00) read in `invitee_tz`. Only slots whose start lies in it are
  returned.
* Rules. The host's rules are expanded day by day in the host zone (`schedule.time_zone`) for every
  host-local date that can touch the range. Candidate starts step in wall-clock time from each window's
  start by `slot_step_minutes`. A local start that does not exist (DST gap) is skipped; an ambiguous one
  (DST overlap) is taken once, at its first occurrence (fold=0). A slot ends `duration_minutes` of
  elapsed time after its start and must lie inside its window in absolute time; a window bound is the
  first instant at which the host's clock reads it (a bound in a gap maps forward to the transition).
* Conflicts. A slot occupies [start - buffer_before, end + buffer_after). It is offered only if that span
  overlaps no `busy` interval (the host's Google busy times, taken as is) and no `booked` interval
  (existing bookings' occupied spans, buffers included). Deliberately conservative: the booking writer
  claims a booking's whole occupied span in 5-minute UTC granules, so every slot shown can be claimed.
* Limits. start >= now + min_notice (so never in the past); start < now + booking_window_days (elapsed
  days, not calendar days); end <= horizon_end (past the busy mirror's horizon the host's calendar is
  unknown); when `bookings_per_day[host-local date of the start] >= daily_limit`, that host day offers
  nothing.
* Result. Sorted by start, no two slots share a start, UTC `Interval`s; `in_zone` presents them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from shared.domain.errors import InvalidRange
from shared.domain.event_type import EventType
from shared.domain.intervals import DisjointIntervals, Interval, as_utc, by_start
from shared.domain.schedule import LocalWindow, Schedule
from shared.domain.wall_clock import existing_instant, first_instant_at_or_after

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Limits:
    """Where a start may fall, and how late an end may be, once range, notice, window and horizon agree."""

    earliest_start: datetime
    start_before: datetime
    latest_end: datetime

    def admit(self, start: datetime, end: datetime) -> bool:
        return self.earliest_start <= start < self.start_before and end <= self.latest_end


def invitee_range(first_day: date, last_day: date, invitee_tz: tzinfo) -> Interval:
    """The UTC instants of the invitee's calendar dates `first_day`..`last_day`, both included."""
    if last_day < first_day:
        raise InvalidRange(f"last day {last_day} is before first day {first_day}")
    start = datetime.combine(first_day, time(), invitee_tz)
    end = datetime.combine(last_day + _DAY, time(), invitee_tz)
    return Interval(as_utc(start), as_utc(end))


def available_slots(
    event_type: EventType,
    schedule: Schedule,
    busy: Iterable[Interval],
    booked: Iterable[Interval],
    *,
    now: datetime,
    first_day: date,
    last_day: date,
    invitee_tz: tzinfo,
    horizon_end: datetime,
    bookings_per_day: Mapping[date, int] | None = None,
) -> list[Interval]:
    """The bookable slots of `event_type` starting on the invitee's dates `first_day`..`last_day`.

    `bookings_per_day` counts the bookings that count toward `daily_limit`, keyed by host-local date.
    See the module docstring for the exact rules.
    """
    limits = _limits(event_type, as_utc(now), invitee_range(first_day, last_day, invitee_tz), horizon_end)
    if limits is None:
        return []
    taken = DisjointIntervals([*busy, *booked])
    counts = bookings_per_day or {}
    slots: list[Interval] = []
    for day in _host_days(limits, schedule.zone):
        if event_type.daily_limit is not None and counts.get(day, 0) >= event_type.daily_limit:
            continue
        for window in schedule.windows_on(day):
            slots.extend(_window_slots(window, schedule.zone, event_type, limits, taken))
    return _sorted_unique(slots)


def in_zone(slots: Iterable[Interval], zone: tzinfo) -> list[tuple[datetime, datetime]]:
    """Slots as (start, end) aware datetimes in `zone`, for presentation."""
    return [(slot.start.astimezone(zone), slot.end.astimezone(zone)) for slot in slots]


def count_by_local_day(starts: Iterable[datetime], zone: tzinfo) -> dict[date, int]:
    """How many of `starts` fall on each local date of `zone`: the `bookings_per_day` the engine expects."""
    return dict(Counter(as_utc(start).astimezone(zone).date() for start in starts))


def _limits(event_type: EventType, now: datetime, starts: Interval, horizon_end: datetime) -> _Limits | None:
    earliest = max(starts.start, now + timedelta(minutes=event_type.min_notice_minutes))
    before = min(starts.end, now + timedelta(days=event_type.booking_window_days))
    latest_end = as_utc(horizon_end)
    if earliest >= before or earliest + timedelta(minutes=event_type.duration_minutes) > latest_end:
        return None
    return _Limits(earliest, before, latest_end)


def _host_days(limits: _Limits, zone: tzinfo) -> Iterator[date]:
    # A host day's slots start on that local date, so these dates cover every start the limits admit.
    day = limits.earliest_start.astimezone(zone).date()
    last = limits.start_before.astimezone(zone).date()
    while day <= last:
        yield day
        day += _DAY


def _window_slots(
    window: LocalWindow, zone: tzinfo, event_type: EventType, limits: _Limits, taken: DisjointIntervals
) -> Iterator[Interval]:
    opens, closes = first_instant_at_or_after(window.start, zone), first_instant_at_or_after(window.end, zone)
    step = timedelta(minutes=event_type.slot_step_minutes)
    duration = timedelta(minutes=event_type.duration_minutes)
    before = timedelta(minutes=event_type.buffer_before_minutes)
    after = timedelta(minutes=event_type.buffer_after_minutes)
    wall = window.start
    while wall < window.end:
        start = existing_instant(wall, zone)
        wall += step
        if start is None:
            continue  # the clock never shows this time today (DST gap)
        end = start + duration
        inside = opens <= start and end <= closes and limits.admit(start, end)
        if inside and not taken.overlaps(start - before, end + after):
            yield Interval(start, end)


def _sorted_unique(slots: list[Interval]) -> list[Interval]:
    slots.sort(key=by_start)
    return [slot for index, slot in enumerate(slots) if index == 0 or slot.start != slots[index - 1].start]
