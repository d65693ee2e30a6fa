"""Half-open UTC time intervals and the few operations the scheduler needs on them.

Every instant in the domain is an aware `datetime` normalised to UTC. An `Interval` is [start, end): it
holds its start but not its end, so a meeting ending at 10:00 and one starting at 10:00 do not overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter

from shared.domain.errors import InvalidInterval, NaiveDatetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Sort key equal to the dataclass ordering but compared in C: sorting by `__lt__` dominated the engine.
by_start = attrgetter("start", "end")


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; refuses naive datetimes, whose meaning depends on the machine."""
    if moment.tzinfo is UTC:
        return moment  # fast path: the engine builds many of these
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"{moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """[start, end) between two aware instants, stored in UTC; start < end."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start, end = as_utc(self.start), as_utc(self.end)
        if not start < end:
            raise InvalidInterval(f"interval end {end.isoformat()} is not after start {start.isoformat()}")
        # Normalised to UTC so equal intervals print, sort and serialise alike.
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def covers(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def clip(self, bounds: Interval) -> Interval | None:
        """The part of this interval inside `bounds`, or None when they do not overlap."""
        if not self.overlaps(bounds):
            return None
        return Interval(max(self.start, bounds.start), min(self.end, bounds.end))


def overlaps(a: Interval, b: Interval) -> bool:
    """Whether two half-open intervals share at least one instant."""
    return a.overlaps(b)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same instants; touching intervals are joined too."""
    merged: list[Interval] = []
    for current in sorted(intervals, key=by_start):
        if merged and current.start <= merged[-1].end:
            if current.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, current.end)
        else:
            merged.append(current)
    return merged


def clip(intervals: Iterable[Interval], bounds: Interval) -> list[Interval]:
    """The parts of `intervals` that lie inside `bounds`, in input order."""
    return [part for part in (interval.clip(bounds) for interval in intervals) if part is not None]


class DisjointIntervals:
    """A merged, sorted set of intervals answering "does [start, end) overlap any?" in O(log n)."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, intervals: Iterable[Interval]) -> None:
        merged = merge(intervals)
        self._starts = [interval.start for interval in merged]
        self._ends = [interval.end for interval in merged]

    def __len__(self) -> int:
        return len(self._starts)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # Merged intervals have increasing ends: the first one ending after `start` is the only candidate.
        index = bisect_right(self._ends, start)
        return index < len(self._starts) and self._starts[index] < end


class SpanSet:
    """Sorted, disjoint half-open spans [start, end) of epoch seconds, as two parallel lists of ints.

    The integer twin of `DisjointIntervals` for the availability read path: built from packed storage
    without a `datetime` per span, edited in place with bisect and slice assignment.
    """

    __slots__ = ("ends", "starts")

    def __init__(self, starts: list[int] | None = None, ends: list[int] | None = None) -> None:
        """`starts`/`ends` must already be sorted and disjoint (touching is fine); they are not copied."""
        self.starts: list[int] = starts if starts is not None else []
        self.ends: list[int] = ends if ends is not None else []

    @classmethod
    def of(cls, spans: Iterable[tuple[int, int]]) -> SpanSet:
        """Any spans, in any order, overlapping or not (empty ones are dropped)."""
        merged = cls()
        for start, end in sorted(spans):
            if start >= end:
                continue
            if merged.ends and start <= merged.ends[-1]:
                merged.ends[-1] = max(merged.ends[-1], end)
            else:
                merged.starts.append(start)
                merged.ends.append(end)
        return merged

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.starts, self.ends, strict=True)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpanSet) and self.starts == other.starts and self.ends == other.ends

    def __repr__(self) -> str:
        return f"SpanSet({list(self)!r})"

    def copy(self) -> SpanSet:
        return SpanSet(self.starts.copy(), self.ends.copy())

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) shares an instant with any span."""
        index = bisect_right(self.ends, start)
        return index < len(self.starts) and self.starts[index] < end

    def add(self, start: int, end: int) -> None:
        """Union with [start, end): the spans it overlaps become one."""
        if start >= end:
            return
        first, after = bisect_right(self.ends, start), bisect_left(self.starts, end)
        if first < after:
            start, end = min(start, self.starts[first]), max(end, self.ends[after - 1])
        self.starts[first:after] = [start]
        self.ends[first:after] = [end]

    def remove(self, start: int, end: int) -> None:
        """Difference with [start, end): spans it overlaps keep only their parts outside it."""
        first, after = bisect_right(self.ends, start), bisect_left(self.starts, end)
        if first >= after:
            return
        starts, ends = [], []
        if self.starts[first] < start:
            starts.append(self.starts[first])
            ends.append(start)
        if end < self.ends[after - 1]:
            starts.append(end)
            ends.append(self.ends[after - 1])
        self.starts[first:after] = starts
        self.ends[first:after] = ends
