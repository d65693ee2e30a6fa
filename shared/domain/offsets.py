"""A zone's clock as integer arithmetic: instants are epoch seconds, wall-clock times are "local epoch
seconds" (the seconds a naive clock reading is after 1970-01-01 00:00 on that same clock).

`ZoneOffsets` learns the zone's UTC offset over a span of instants once: the offset in force at its
start and every change (DST or otherwise) inside it, each found to the second. Every question after that
(the offset at an instant, which instant a wall time is, the local date of an instant) is a bisect on a
list of a handful of integers, with the same answers as `zoneinfo` and the rules of `wall_clock`:
an ambiguous wall time (DST overlap) is its first occurrence, a missing one (DST gap) has no instant,
and a bound in a gap maps forward to the transition.

Changes are found by reading the offset once a day and bisecting each day whose two readings differ.
The tzdata shipped here never changes a zone's offset twice within 6.9 days (every zone, 1999-2100,
scanned hour by hour: America/Boa_Vista in October 2000 is the closest pair), so one reading a day
misses none. Offsets are computed per zone and UTC year, once per process.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache

DAY = 86_400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SAMPLE = DAY
_SECOND = timedelta(seconds=1)
_NEAR = 2 * DAY  # farther than any UTC offset (at most 26 h): where to look for a wall time's instant


def offset_at(zone: tzinfo, instant: int) -> int:
    """The zone's UTC offset in seconds at `instant` (epoch seconds), as `zoneinfo` says."""
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    if offset is None:
        raise ValueError(f"{zone!r} gives no UTC offset")
    return offset // _SECOND


def epoch_seconds(moment: datetime) -> int:
    """Whole epoch seconds of an aware instant, rounded down."""
    return int((moment - _EPOCH) // _SECOND)


def epoch_seconds_up(moment: datetime) -> int:
    """Whole epoch seconds of an aware instant, rounded up."""
    return -int((_EPOCH - moment) // _SECOND)


def instant(seconds: int) -> datetime:
    """The aware UTC datetime of epoch `seconds`."""
    return _EPOCH + timedelta(seconds=seconds)


def day_of(local_seconds: int) -> date:
    """The calendar date of a local reading."""
    return date.fromordinal(EPOCH_ORDINAL + local_seconds // DAY)


def local_midnight(day: date) -> int:
    """Local seconds of 00:00 on `day`."""
    return (day.toordinal() - EPOCH_ORDINAL) * DAY


class ZoneOffsets:
    """The UTC offsets of `zone` over the instants [start, end); outside them the nearest offset holds, so
    callers ask for a span a day or two wider than the instants they will ask about."""

    __slots__ = ("_changes", "_offsets")

    def __init__(self, zone: tzinfo, start: int, end: int) -> None:
        first_year, last_year = _year_of(start), _year_of(end)
        self._changes: list[int] = [start]  # _changes[i]: the instant from which _offsets[i] holds
        self._offsets: list[int] = [offset_at(zone, start)]
        for year in range(first_year, last_year + 1):
            for moment, offset in _changes_in_year(zone, year):
                if start < moment < end and offset != self._offsets[-1]:
                    self._changes.append(moment)
                    self._offsets.append(offset)
        self._changes[0] = -(1 << 62)  # before `start`: the first offset still holds

    @property
    def uniform(self) -> bool:
        """True when the offset never changes in the span (most requests: no DST transition in range)."""
        return len(self._offsets) == 1

    def offset(self, moment: int) -> int:
        return self._offsets[bisect_right(self._changes, moment) - 1]

    def local(self, moment: int) -> int:
        """The wall-clock reading (local seconds) at `moment`."""
        return moment + self._offsets[bisect_right(self._changes, moment) - 1]

    def piece(self, moment: int) -> int:
        """Index of the stretch of constant offset holding `moment`."""
        return bisect_right(self._changes, moment) - 1

    def piece_offset(self, piece: int) -> int:
        return self._offsets[piece]

    def piece_end(self, piece: int) -> int:
        """The first instant after the stretch `piece` (far away for the last one)."""
        return self._changes[piece + 1] if piece + 1 < len(self._changes) else 1 << 62

    def existing_instant(self, wall: int) -> int | None:
        """The first instant whose clock reads `wall`, or None when the clock skips it (DST gap)."""
        changes, offsets = self._changes, self._offsets
        last = len(offsets) - 1
        for piece in range(bisect_right(changes, wall - _NEAR) - 1, bisect_right(changes, wall + _NEAR)):
            moment = wall - offsets[piece]
            if changes[piece] <= moment and (piece == last or moment < changes[piece + 1]):
                return moment
        return None

    def first_instant_at_or_after(self, wall: int) -> int:
        """The first instant whose clock reads `wall` or later (a wall time in a gap: the transition)."""
        changes, offsets = self._changes, self._offsets
        last = len(offsets) - 1
        piece = bisect_right(changes, wall - _NEAR) - 1
        while True:
            if piece > 0 and wall < changes[piece] + offsets[piece]:
                return changes[piece]  # the clock jumped past `wall` when this stretch began
            if piece == last or wall < changes[piece + 1] + offsets[piece]:
                return wall - offsets[piece]
            piece += 1


def _year_of(moment: int) -> int:
    return (_EPOCH + timedelta(seconds=moment)).year


@lru_cache(maxsize=512)
def _changes_in_year(zone: tzinfo, year: int) -> tuple[tuple[int, int], ...]:
    """(instant, offset from then on) for every change of the zone's offset in the UTC year `year`."""
    start = epoch_seconds(datetime(year, 1, 1, tzinfo=UTC))
    end = epoch_seconds(datetime(year + 1, 1, 1, tzinfo=UTC))
    found: list[tuple[int, int]] = []
    before, offset = start, offset_at(zone, start)
    while before < end:
        after = min(before + _SAMPLE, end)
        later = offset_at(zone, after)
        if later != offset:
            low, high = before, after  # offset(low) == offset, offset(high) != offset
            while high - low > 1:
                middle = (low + high) // 2
                if offset_at(zone, middle) == offset:
                    low = middle
                else:
                    high = middle
            found.append((high, offset_at(zone, high)))
        before, offset = after, later
    return tuple(found)
