"""The slot engine: which meeting starts an invitee may book. A pure function of its arguments.

Semantics of `free_starts` and `available_slots` (all instants compared in UTC):

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
  overlaps no busy interval (the host's Google busy times, taken as is) and no booked interval
  (existing bookings' occupied spans, buffers included). Deliberately conservative: the booking writer
  claims a booking's whole occupied span in 5-minute UTC granules, so every slot shown can be claimed.
* Limits. start >= now + min_notice (so never in the past); start < now + booking_window_days (elapsed
  days, not calendar days); end <= horizon_end (past the busy mirror's horizon the host's calendar is
  unknown); when `bookings_per_day[host-local date of the start] >= daily_limit`, that host day offers
  nothing; likewise a host-local ISO week (`bookings_per_week`, keyed by its Monday) at `weekly_limit` and
  a host-local month (`bookings_per_month`, keyed by its first day) at `monthly_limit`; and a host-local
  day for which `closed_days` answers True (no booked minutes left for one more meeting in that day or week).
* Result. Sorted by start, no two slots share a start.

The work is integer arithmetic on epoch seconds: the host zone's offsets are learnt once for the range
(`ZoneOffsets`), and a window whose offset does not change (every window but those holding a DST
transition) yields its free starts as arithmetic progressions between the taken spans it meets, found by
bisect. A window holding a transition is walked one candidate at a time, with the same rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import chain

from shared.domain.errors import InvalidRange
from shared.domain.event_type import EventType
from shared.domain.intervals import Interval, SpanSet, as_utc
from shared.domain.offsets import (
    DAY,
    ZoneOffsets,
    day_of,
    epoch_seconds,
    epoch_seconds_up,
    instant,
    local_midnight,
)
from shared.domain.periods import month_start, week_start
from shared.domain.schedule import Schedule, minutes_of

_ONE_DAY = timedelta(days=1)
_MARGIN = 3 * DAY  # host offsets are learnt this far around the range: window bounds reach a day past it


def invitee_range(first_day: date, last_day: date, invitee_tz: tzinfo) -> Interval:
    """The UTC instants of the invitee's calendar dates `first_day`..`last_day`, both included."""
    if last_day < first_day:
        raise InvalidRange(f"last day {last_day} is before first day {first_day}")
    start = datetime.combine(first_day, time(), invitee_tz)
    end = datetime.combine(last_day + _ONE_DAY, time(), invitee_tz)
    return Interval(as_utc(start), as_utc(end))


def free_starts(
    event_type: EventType,
    schedule: Schedule,
    taken: SpanSet,
    *,
    now: datetime,
    first_day: date,
    last_day: date,
    invitee_tz: tzinfo,
    horizon_end: datetime,
    bookings_per_day: Mapping[date, int] | None = None,
    bookings_per_week: Mapping[date, int] | None = None,
    bookings_per_month: Mapping[date, int] | None = None,
    closed_days: Callable[[date], bool] | None = None,
) -> list[int]:
    """The epoch-second starts of the bookable slots of `event_type` on the invitee's dates
    `first_day`..`last_day`; each slot lasts `duration_minutes`.

    `taken` is the busy and booked time together (see the module docstring); `bookings_per_day` counts
    the bookings that count toward `daily_limit`, keyed by host-local date; `bookings_per_week` and
    `bookings_per_month` those toward `weekly_limit` and `monthly_limit`, keyed by the period's first day.
    """
    asked = invitee_range(first_day, last_day, invitee_tz)
    duration = event_type.duration_minutes * 60
    # Starts are whole seconds, so "start >= x" is "start >= ceil(x)" and "start < x" is "start < ceil(x)".
    earliest = max(epoch_seconds(asked.start), epoch_seconds_up(now + timedelta(minutes=event_type.min_notice_minutes)))
    before = min(epoch_seconds(asked.end), epoch_seconds_up(now + timedelta(days=event_type.booking_window_days)))
    latest_end = epoch_seconds(as_utc(horizon_end))
    if earliest >= before or earliest + duration > latest_end:
        return []
    host = ZoneOffsets(schedule.zone, earliest - _MARGIN, before + _MARGIN)
    window = _Window(
        host,
        taken,
        step=event_type.slot_step_minutes * 60,
        duration=duration,
        before=event_type.buffer_before_minutes * 60,
        after=event_type.buffer_after_minutes * 60,
        earliest=earliest,
        latest_start=min(before - 1, latest_end - duration),
    )
    limit, counts = event_type.daily_limit, bookings_per_day or {}
    weekly, per_week = event_type.weekly_limit, bookings_per_week or {}
    monthly, per_month = event_type.monthly_limit, bookings_per_month or {}
    starts: list[int] = []
    # A host day's slots start on that local date, so these dates cover every start the limits admit.
    day, last = day_of(host.local(earliest)), day_of(host.local(before))
    while day <= last:
        if (
            (limit is None or counts.get(day, 0) < limit)
            and (weekly is None or per_week.get(week_start(day), 0) < weekly)
            and (monthly is None or per_month.get(month_start(day), 0) < monthly)
            and (closed_days is None or not closed_days(day))
        ):
            midnight = local_midnight(day)
            for opens, closes in schedule.ranges_on(day):
                window.free(starts, midnight + 60 * minutes_of(opens), midnight + 60 * minutes_of(closes))
        day += _ONE_DAY
    starts.sort()  # already in order (wall times map to instants monotonically); kept as a guarantee
    return list(dict.fromkeys(starts)) if len(set(starts)) != len(starts) else starts


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
    bookings_per_week: Mapping[date, int] | None = None,
    bookings_per_month: Mapping[date, int] | None = None,
) -> list[Interval]:
    """`free_starts` for `Interval`s in and out: the same rules, for callers holding datetimes."""
    # Slot bounds are whole seconds, so widening taken time to whole seconds changes no answer.
    taken = SpanSet.of(
        (epoch_seconds(interval.start), epoch_seconds_up(interval.end)) for interval in chain(busy, booked)
    )
    starts = free_starts(
        event_type,
        schedule,
        taken,
        now=now,
        first_day=first_day,
        last_day=last_day,
        invitee_tz=invitee_tz,
        horizon_end=horizon_end,
        bookings_per_day=bookings_per_day,
        bookings_per_week=bookings_per_week,
        bookings_per_month=bookings_per_month,
    )
    duration = event_type.duration_minutes * 60
    return [Interval(instant(start), instant(start + duration)) for start in starts]


def in_zone(slots: Iterable[Interval], zone: tzinfo) -> list[tuple[datetime, datetime]]:
    """Slots as (start, end) aware datetimes in `zone`, for presentation."""
    return [(slot.start.astimezone(zone), slot.end.astimezone(zone)) for slot in slots]


def count_by_local_day(starts: Iterable[datetime], zone: tzinfo) -> dict[date, int]:
    """How many of `starts` fall on each local date of `zone`: the `bookings_per_day` the engine expects."""
    return dict(Counter(as_utc(start).astimezone(zone).date() for start in starts))


def count_by_local_day_seconds(starts: Iterable[int], offsets: ZoneOffsets) -> dict[date, int]:
    """`count_by_local_day` for epoch-second starts, with the zone's offsets already learnt."""
    return dict(Counter(day_of(offsets.local(start)) for start in starts))


class _Window:
    """Free starts of one host window at a time, for one event type and one set of limits."""

    __slots__ = ("after", "before", "duration", "earliest", "host", "latest_start", "step", "taken")

    def __init__(
        self,
        host: ZoneOffsets,
        taken: SpanSet,
        *,
        step: int,
        duration: int,
        before: int,
        after: int,
        earliest: int,
        latest_start: int,
    ) -> None:
        self.host, self.taken = host, taken
        self.step, self.duration, self.before, self.after = step, duration, before, after
        self.earliest, self.latest_start = earliest, latest_start

    def free(self, starts: list[int], wall_open: int, wall_close: int) -> None:
        """Append the free starts of the window [wall_open, wall_close) (local seconds) to `starts`."""
        host = self.host
        opens, closes = host.first_instant_at_or_after(wall_open), host.first_instant_at_or_after(wall_close)
        low, high = max(opens, self.earliest), min(self.latest_start, closes - self.duration)
        if low > high:
            return
        piece = host.piece(opens)
        if closes <= host.piece_end(piece):
            # One offset for the whole window: its candidate starts are origin + k * step, every one of them
            # an existing time read at its first occurrence (the window opens after any earlier reading).
            origin, step = wall_open - host.piece_offset(piece), self.step
            self._progressions(starts, origin + -(-(low - origin) // step) * step, high)
        else:
            self._walk(starts, wall_open, wall_close, low, high)

    def _progressions(self, starts: list[int], current: int, high: int) -> None:
        # A start s conflicts with the taken span [a, b) when a - (duration + after) < s < b + before.
        step, tail, before = self.step, self.duration + self.after, self.before
        taken_starts, taken_ends = self.taken.starts, self.taken.ends
        index, count = bisect_right(taken_ends, current - before), len(taken_starts)
        while current <= high:
            if index == count:
                starts.extend(range(current, high + 1, step))
                return
            free_until = taken_starts[index] - tail
            if free_until >= current:
                starts.extend(range(current, min(free_until, high) + 1, step))
                if free_until >= high:
                    return
            blocked_until = taken_ends[index] + before
            if blocked_until > current:
                current += -(-(blocked_until - current) // step) * step
            index += 1

    def _walk(self, starts: list[int], wall: int, wall_close: int, low: int, high: int) -> None:
        host, taken, step = self.host, self.taken, self.step
        occupied_before, occupied_after = self.before, self.duration + self.after
        while wall < wall_close:
            start = host.existing_instant(wall)
            wall += step
            if start is None or not low <= start <= high:
                continue  # the clock never shows this time today (DST gap), or it is out of bounds
            if not taken.overlaps(start - occupied_before, start + occupied_after):
                starts.append(start)
